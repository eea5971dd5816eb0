"""A classroom game: one shared game of an exercise pack, played by teams with a facilitator.

Each playable side with a team is a human player; the computer plays the rest (the turns and
injects themselves are the engine's, wargame/engine/exercise.py). Every role (the facilitator
and each team) has an unguessable token, and every action checks it: a team can order only for
its side, only the facilitator can advance, fire injects, pause, reveal or end. The game folder
(the record and ``game.json``) is rewritten atomically after every turn, so the debrief can be
made at any time, even after a crash.
"""

from __future__ import annotations

import functools
import hmac
import json
import secrets
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from wargame.core import atomic
from wargame.core.orders import Order
from wargame.core.packs import LoadedPack
from wargame.engine.exercise import Exercise

FACILITATOR = "facilitator"


class Refused(PermissionError):
    """A role tried something it may not do, or something for a turn already resolved."""


def changes[**P, R](method: Callable[P, R]) -> Callable[P, R]:
    """Run a method that changes the game under its lock, then count the change, so that every
    page showing the game (one per browser) knows to redraw."""

    @functools.wraps(method)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        game = args[0]
        assert isinstance(game, Classroom)
        with game.lock:
            result = method(*args, **kwargs)
            game.version += 1
            return result

    return locked


class Classroom:
    def __init__(
        self,
        pack: LoadedPack,
        *,
        seed: int = 1,
        teams: Iterable[str] | None = None,
        folder: Path | None = None,
    ) -> None:
        self.exercise = Exercise(
            pack, seed=seed, teams=pack.spec.exercise.playable if teams is None else teams
        )
        self.pack, self.seed, self.teams = pack, seed, self.exercise.teams
        self.players, self.model = self.exercise.players, self.exercise.model
        self.tokens = {role: secrets.token_urlsafe(16) for role in (FACILITATOR, *self.teams)}
        self.folder = folder
        self.submitted: dict[str, list[Order]] = {}
        self.paused = False
        self.revealed = False
        self.lock = threading.RLock()  # pages in several browsers act on one game
        self.version = 0  # counts changes; a page redraws when it moves
        self.save()

    # The exercise's state, as the pages read it.
    @property
    def turn(self) -> int:
        return self.exercise.turn

    @property
    def ended(self) -> bool:
        return self.exercise.ended

    @property
    def news(self) -> list[dict[str, Any]]:
        return self.exercise.news

    @property
    def decisions(self) -> list[dict[str, Any]]:
        return self.exercise.decisions

    @property
    def fired(self) -> set[int]:
        return self.exercise.fired

    # ----- who is who -----
    def role(self, token: object) -> str | None:
        """The role a token belongs to, or None (compared in constant time); anything that is
        not a token, such as text that cannot be encoded, belongs to no role."""
        if not isinstance(token, str) or not token:
            return None
        try:
            given = token.encode("utf-8")
        except UnicodeEncodeError:
            return None
        for role, secret in self.tokens.items():
            if hmac.compare_digest(secret.encode(), given):
                return role
        return None

    def _require(self, token: object, *roles: str) -> str:
        role = self.role(token)
        if role is None or role not in roles:
            raise Refused("this link does not allow that")
        return role

    # ----- teams -----
    @property
    def waiting(self) -> list[str]:
        """Teams that have not yet submitted this turn's orders."""
        return [t for t in self.teams if t not in self.submitted]

    def options(self, token: str) -> list[Order]:
        side = self._require(token, *self.teams)
        return self.model.options_for(side)

    def _in_play(self, turn: int, resolved: str) -> None:
        """Refuse an action issued for another turn than the one in play (saying ``resolved``
        when that turn is over): a double-click, or a page that had not yet redrawn when the
        turn resolved, must not act on the next turn."""
        if turn < self.turn:
            raise Refused(resolved)
        if turn > self.turn:
            raise Refused(f"turn {turn} has not begun; this is turn {self.turn}")

    @changes
    def submit(self, token: str, orders: list[Order], turn: int) -> None:
        """A team's orders for ``turn``, the turn in play (replacing any it submitted before).
        The last team to submit resolves the turn, unless the game is paused."""
        side = self._require(token, *self.teams)
        if self.ended:
            raise Refused("the game has ended")
        self._in_play(
            turn,
            f"turn {turn} has resolved without these orders; choose again for turn {self.turn}",
        )
        if any(o.actor != side for o in orders):
            raise Refused("a team can order only for its own side")
        self.players[side].submit(orders, self.model.options_for(side))
        self.submitted[side] = [o for o in orders if o.kind != "hold"]
        if not self.waiting and not self.paused:
            self._resolve()

    # ----- the facilitator -----
    @changes
    def advance(self, token: str | None, turn: int) -> None:
        """The facilitator resolves ``turn``, the turn in play; teams that have not submitted
        hold. A second click for the same turn is refused rather than resolving the next."""
        self._require(token, FACILITATOR)
        if self.ended or self.paused:
            raise Refused("the game is " + ("over" if self.ended else "paused"))
        self._in_play(turn, f"turn {turn} has already been resolved")
        self._resolve()

    def _resolve(self) -> None:
        self.exercise.resolve(self.submitted)
        self.submitted = {}
        self.save()

    @changes
    def fire(self, token: str, index: int) -> None:
        self._require(token, FACILITATOR)
        if not 0 <= index < len(self.pack.spec.injects):
            raise Refused(f"no inject {index}")
        if index in self.fired:  # a double click, or a second thought: an inject happens once
            raise Refused(f"inject {index + 1} has already been fired")
        self.exercise.fire(index)
        self.save()

    @changes
    def pause(self, token: str, paused: bool = True) -> None:
        """Pause or resume; resuming resolves a turn every team has already submitted."""
        self._require(token, FACILITATOR)
        self.paused = paused
        if not paused and not self.ended and self.teams and not self.waiting:
            self._resolve()

    @changes
    def reveal(self, token: str, revealed: bool = True) -> None:
        """Show everyone the whole truth (after a misattribution, say)."""
        self._require(token, FACILITATOR)
        self.revealed = revealed

    @changes
    def end(self, token: str) -> None:
        self._require(token, FACILITATOR)
        self.exercise.ended = True
        self.save()

    # ----- the game folder -----
    def state(self) -> dict[str, Any]:
        return {
            "pack": self.pack.name,
            "pack_folder": str(self.pack.folder),
            "title": self.pack.spec.exercise.title,
            "scenario": self.pack.scenario.name,
            "seed": self.seed,
            "teams": self.teams,
            "turn": self.turn,
            "turns": self.pack.spec.exercise.turns,
            "days_per_turn": self.pack.spec.exercise.days_per_turn,
            "day": self.model.day,
            "ended": self.ended,
            "news": self.news,
            "decisions": self.decisions,
        }

    def save(self) -> None:
        """The record, then game.json (written last: its presence means the folder is whole)."""
        if self.folder is None:
            return
        self.model.record.write(self.folder)
        atomic.write_text(self.folder / "game.json", json.dumps(self.state(), indent=2) + "\n")
