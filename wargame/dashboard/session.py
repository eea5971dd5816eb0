"""One game at the dashboard: an exercise (a scenario played for a chosen length in turns of a
chosen number of days), the side a person plays (if any), its game folder, and what is drawn.

A game lives in a folder of its own under the server's games folder (``runs/dashboard/ID``):
``game.json`` holds the plan, the seed, the side and the log of what the person did, rewritten
after every turn, and the record is written there when the game ends. The seed, the plan and the
log are the whole game, so ``Game.load`` plays it again after a reload or a server restart; the
page's address (``?game=ID``) names the folder. The id is unguessable and checked to be one
before it names a folder.

A browser tab holds one Game at a time (in the page's hooks, never in module state). The clock
may run in a background thread while the person toggles a layer or filters the log, so playing
and drawing take the game's lock: a frame never reads a day half played.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wargame.core import atomic
from wargame.core.options import UsageError, from_json, to_json
from wargame.core.orders import Order
from wargame.dashboard import panels
from wargame.dashboard.map_drawing import MapDrawing
from wargame.dashboard.picture import Picture
from wargame.engine.exercise import Exercise, Plan, Played, plan_from, summarise
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
GAME_ID = re.compile(r"[A-Za-z0-9_-]{12,40}")
GAME_FILE, VERDICT_FILE = "game.json", "verdict.json"


@dataclass(frozen=True, slots=True)
class Frame:
    """What one frame shows besides the event log: the map's overlay and the charts."""

    overlay: str
    charts: dict[str, str]


class Game:
    def __init__(
        self,
        scenario: str,
        overrides: dict[str, Any],
        seed: int,
        side: str | None = None,
        *,
        days: int | None = None,
        days_per_turn: int = 1,
        folder: Path | None = None,
    ) -> None:
        """Start a game (ScenarioError for a bad scenario or override, ValueError for a bad
        length); with ``folder`` (the games folder), it is saved in a new folder of its own."""
        self.scenario, self.overrides, self.seed, self.side = scenario, overrides, seed, side
        plan = Plan.free(scenario, overrides, days, days_per_turn)
        self.exercise = Exercise(plan, seed=seed, teams=[side] if side else [])
        self.id = secrets.token_urlsafe(12)
        self.folder = None if folder is None else folder / self.id
        self._see(self.exercise.model, side, threading.Lock())
        self.save()

    @classmethod
    def load(cls, root: Path, game_id: str) -> Game:
        """The game saved as ``root/game_id``, played again from its seed and log (UsageError
        in one line if there is none, or it does not replay)."""
        if not GAME_ID.fullmatch(game_id):
            raise UsageError(f"no saved game '{game_id[:40]}'")
        folder = root / game_id
        try:
            state = json.loads((folder / GAME_FILE).read_text("utf-8"), object_hook=from_json)
            plan = plan_from(state)
            if plan.scenario.sha256 != state["scenario_sha256"]:
                raise UsageError(f"{folder}: its scenario has changed since; it would not replay")
            side = state["side"]
            exercise = Exercise.replay(plan, state["seed"], [side] if side else [], state["log"])
        except FileNotFoundError:
            raise UsageError(f"no saved game '{game_id}' in {root}") from None
        except UsageError:
            raise
        except Exception as exc:  # a file of another shape, a scenario gone: one line
            raise UsageError(f"{folder}: cannot be played again ({exc})") from None
        game = cls.__new__(cls)
        game.scenario, game.overrides, game.seed, game.side = (
            state["scenario"],
            state["overrides"],
            state["seed"],
            side,
        )
        game.exercise, game.id, game.folder = exercise, game_id, folder
        game._see(exercise.model, side, threading.Lock())
        return game

    @classmethod
    def window(cls, model: WargameModel, side: str | None, lock: threading.RLock) -> Game:
        """A window on a game someone else plays (a classroom's shared game): the same map,
        charts and log, for one side or the whole truth; it never plays the model."""
        game = cls.__new__(cls)
        game.scenario, game.overrides, game.seed, game.side = (
            model.loaded.name,
            {},
            model.seed,
            side,
        )
        game.exercise, game.id, game.folder = None, "", None
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
    def plan(self) -> Plan:
        assert self.exercise is not None
        return self.exercise.plan

    @property
    def over(self) -> bool:
        """No more days will be played: the game reached its end or was ended, or a day
        failed."""
        ended = self.exercise.ended if self.exercise is not None else self.model.finished
        return ended or self.broken

    @property
    def human(self) -> HumanPolicy | None:
        if self.side is None:
            return None
        policy = self.model.actors[self.side].policy
        return policy if isinstance(policy, HumanPolicy) else None

    def play(
        self, orders: list[Order] | None = None, intent: str = "", until_news: bool = False
    ) -> int:
        """Play a turn: the person's orders (checked first: OrderRefused if illegal) on its
        first day, then its days, or until the side hears of an incident. The days played."""
        assert self.exercise is not None
        with self.lock:
            given = {self.side: orders or []} if self.side else {}
            intents = {self.side: intent} if self.side else {}
            news = self.side if until_news else None
            days = self.exercise.resolve(given, intents, until_news=news)
        self.save()
        return days

    def end(self) -> None:
        """End the game now: the record unlocks."""
        assert self.exercise is not None
        with self.lock:
            self.exercise.end()
        self.save()

    def state(self) -> dict[str, Any]:
        assert self.exercise is not None
        return {
            **self.plan.describe(),
            "scenario_sha256": self.model.loaded.sha256,
            "seed": self.seed,
            "side": self.side,
            "day": self.model.day,
            "turn": self.exercise.turn,
            "ended": self.over,
            "log": self.exercise.log,
        }

    def save(self) -> None:
        """game.json after every turn; the record too once the game is over."""
        if self.folder is None or self.exercise is None:
            return
        with self.lock:
            if self.over:
                self.model.record.write(self.folder)
            text = json.dumps(self.state(), indent=2, default=to_json) + "\n"
            atomic.write_text(self.folder / GAME_FILE, text)

    # ----- the verdict: the game against computer-played games -----
    def played(self) -> Played:
        with self.lock:
            return summarise(self.model)

    def saved_verdict(self) -> list[Played] | None:
        """Computer-played games saved for this game's length, if any."""
        if self.folder is None:
            return None
        try:
            saved = json.loads((self.folder / VERDICT_FILE).read_text("utf-8"))
            if saved["days"] != self.model.day:
                return None
            return [Played(**g) for g in saved["games"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save_verdict(self, games: list[Played]) -> None:
        if self.folder is not None:
            text = json.dumps({"days": self.model.day, "games": [g.__dict__ for g in games]})
            atomic.write_text(self.folder / VERDICT_FILE, text + "\n")

    # ----- what is drawn -----
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
                    "log": self.exercise.log if self.exercise else [],
                },
            )
