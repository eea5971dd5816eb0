"""An exercise pack played turn by turn: the model, the pack's injects, the teams' decisions.

A turn lasts ``days_per_turn`` days: the teams' orders apply on its first day, and their sides
hold for the rest of the turn. A pack's injects fire once each, at the start of their turn or on
the first incident that matches them; an inject with an order forces it on the next day. The
classroom plays an exercise with teams and a facilitator (wargame/classroom); the debrief plays
the same exercise with the computer on every side, to compare the class's game with those.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wargame.core.incidents import Event
from wargame.core.orders import CATALOGUE, Order
from wargame.core.packs import LoadedPack, PackInject
from wargame.core.schema import Inject
from wargame.engine.model import WargameModel
from wargame.engine.policy import HumanPolicy


class Exercise:
    def __init__(self, pack: LoadedPack, *, seed: int = 1, teams: Iterable[str] = ()) -> None:
        info = pack.spec.exercise
        self.pack = pack
        self.seed = seed
        self.teams = list(teams)
        unknown = [t for t in self.teams if t not in info.playable]
        if unknown:
            playable = ", ".join(info.playable)
            raise ValueError(
                f"not playable in {pack.name}: {', '.join(unknown)} (playable: {playable})"
            )
        if len(set(self.teams)) < len(self.teams):
            raise ValueError(f"a side is given to more than one team: {', '.join(self.teams)}")
        self.players = {side: HumanPolicy() for side in self.teams}
        self.model = WargameModel(pack.scenario, seed=seed, days=pack.days, players=self.players)
        self.turn = 1
        self.ended = False
        self.news: list[dict[str, Any]] = []  # injects as shown to everyone
        self.decisions: list[dict[str, Any]] = []  # what each team ordered, turn by turn
        self.fired: set[int] = set()
        self._fire_scheduled()

    def resolve(self, submitted: dict[str, list[Order]]) -> None:
        """Play the turn in play with the teams' orders (a team that sent none holds)."""
        for side in self.teams:
            self.decisions.append(
                {
                    "turn": self.turn,
                    "day": self.model.turn,
                    "side": side,
                    # A team that held and one that sent nothing read differently in the debrief.
                    "submitted": side in submitted,
                    "orders": [_described(o) for o in submitted.get(side, [])],
                }
            )
        for _ in range(self.pack.spec.exercise.days_per_turn):
            if self.model.finished:
                break
            self.model.step()
            self._fire_triggered([e for e in self.model.record.events if e.day == self.model.day])
        self.turn += 1
        if self.turn > self.pack.spec.exercise.turns or self.model.finished:
            self.ended = True
        else:
            self._fire_scheduled()

    def fire(self, index: int) -> None:
        """Fire a pack inject now: its text is news to all, its order (if any) comes tomorrow."""
        inject = self.pack.spec.injects[index]
        self.fired.add(index)
        day = self.model.day
        self.news.append({"turn": self.turn, "day": day, "text": inject.text})
        self.model.record.note(day, inject.text)
        if inject.order is not None and not self.model.finished:
            order = inject.order
            forced = Inject(
                day=day + 1,
                kind="order",
                actor=order.actor,
                order=order.order,
                target=order.target,
                via=order.via,
            )
            self.model.injects.setdefault(day + 1, []).append(forced)

    def _fire_scheduled(self) -> None:
        for index, inject in enumerate(self.pack.spec.injects):
            if inject.turn == self.turn and index not in self.fired:
                self.fire(index)

    def _fire_triggered(self, today: list[Event]) -> None:
        for index, inject in enumerate(self.pack.spec.injects):
            if (
                inject.when is not None
                and index not in self.fired
                and any(_matches(inject, e) for e in today)
            ):
                self.fire(index)


def _described(order: Order) -> dict[str, Any]:
    kind = CATALOGUE[order.kind]
    return {**order.to_dict(), "explanation": kind.explanation, "rung": int(kind.rung)}


def _matches(inject: PackInject, event: Event) -> bool:
    return (
        event.kind == inject.when
        and (inject.actor is None or event.actor == inject.actor)
        and (inject.target is None or event.target == inject.target)
    )


def play_by_computer(pack: LoadedPack, seed: int, turns: int | None = None) -> Exercise:
    """The exercise played by the computer alone, for ``turns`` turns or to its end (the debrief
    compares a class's game with these, over the same number of turns)."""
    game = Exercise(pack, seed=seed)
    while not game.ended and (turns is None or game.turn <= turns):
        game.resolve({})
    return game
