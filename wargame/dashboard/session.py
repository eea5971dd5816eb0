"""One game at the dashboard: a model, the side a person plays (if any), and what is drawn of it.

A browser tab owns one Game at a time (held in the page's hooks, never in module state). The
clock may run in a background thread while the person toggles a layer or filters the log, so
stepping and drawing take the game's lock: a frame never reads a day half played.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from wargame.core.orders import Order
from wargame.core.scenario import load_scenario
from wargame.dashboard import panels
from wargame.dashboard.map_drawing import MapDrawing
from wargame.dashboard.picture import Picture
from wargame.engine.model import WargameModel
from wargame.engine.narrative import Narrator
from wargame.engine.policy import HumanPolicy
from wargame.engine.replay import archive

CHARTS = {
    "rung": panels.rung_chart,
    "tension": panels.tension_chart,
    "oil": panels.oil_chart,
    "convoys": panels.convoy_chart,
    "casualties": panels.casualty_chart,
}


@dataclass(frozen=True, slots=True)
class Frame:
    """What one frame shows besides the event log: the map's overlay and the charts."""

    overlay: str
    charts: dict[str, str]


class Game:
    def __init__(
        self, scenario: str, overrides: dict[str, Any], seed: int, side: str | None = None
    ) -> None:
        """Start a game; a bad scenario or override raises ScenarioError."""
        self.scenario, self.overrides, self.seed, self.side = scenario, overrides, seed, side
        loaded = load_scenario(scenario, overrides)
        players = {side: HumanPolicy()} if side else {}
        self._see(WargameModel(loaded, seed=seed, players=players), side, threading.Lock())

    @classmethod
    def window(cls, model: WargameModel, side: str | None, lock: threading.RLock) -> Game:
        """A window on a game someone else plays (a classroom's shared game): the same map,
        charts and log, for one side or the whole truth; it never steps the model."""
        game = cls.__new__(cls)
        game.scenario, game.overrides, game.seed, game.side = (
            model.loaded.name,
            {},
            model.seed,
            side,
        )
        game._see(model, side, lock)
        return game

    def _see(self, model: WargameModel, side: str | None, lock: Any) -> None:
        self.model = model
        self.narrator = Narrator(model)
        self.picture = Picture(model, side, self.narrator)
        self.map = MapDrawing(model)
        self.lock = lock
        self.broken = False  # a day failed: the model may be half-way through it

    @property
    def over(self) -> bool:
        """No more days will be played: the run reached its end, or a day failed."""
        return self.model.finished or self.broken

    @property
    def human(self) -> HumanPolicy | None:
        if self.side is None:
            return None
        policy = self.model.actors[self.side].policy
        return policy if isinstance(policy, HumanPolicy) else None

    def step(self, orders: list[Order] | None = None) -> None:
        """Play one day; a person's orders are checked first (OrderRefused if illegal)."""
        with self.lock:
            human = self.human
            if human is not None:
                human.submit(orders or [], self.model.options_for(self.side or ""))
            self.model.step()

    def frame(self, coverage: bool) -> Frame:
        with self.lock:
            return Frame(
                self.map.overlay(self.picture, coverage),
                {name: draw(self.picture) for name, draw in CHARTS.items()},
            )

    def log(self, actor: str | None, kinds: list[str]) -> list[str]:
        with self.lock:
            return self.picture.log(actor, kinds)

    def options(self) -> list[Order]:
        """The orders the person may give for the coming day (none when watching)."""
        if self.side is None:
            return []
        with self.lock:
            return self.model.options_for(self.side)

    def people_orders(self) -> list[tuple[int, Order]]:
        """The orders the person playing this side gave, newest first."""
        with self.lock:
            return [
                (o["day"], Order(o["actor"], o["kind"], o["target"], o["via"]))
                for o in reversed(self.model.record.orders)
                if o["by"] == HumanPolicy.__name__ and o["actor"] == self.side
            ]

    def archive(self) -> bytes:
        """The record so far, with what it takes to replay it (see wargame/engine/replay.py)."""
        with self.lock:
            return archive(
                self.model,
                {
                    "scenario": self.scenario,
                    "overrides": self.overrides,
                    "seed": self.seed,
                    "sides": [self.side] if self.side else [],
                    "scenario_sha256": self.model.loaded.sha256,
                },
            )
