"""A classroom game: one shared game of an exercise pack, played by teams with a facilitator.

Each playable side with a team is a human player; the computer plays the rest (the turns and
injects themselves are the engine's, wargame/engine/exercise.py). Every role (the facilitator
and each team) has an unguessable token, and every action checks it: a team can order only for
its side, only the facilitator can advance, fire or write injects, pause, reveal, set the clock,
keep notes or end.

The game folder holds the record (rewritten after every turn, for the debrief), ``game.json``
(rewritten atomically after every change: the plan, the seed, the log of what people did, the
orders teams have submitted for the turn in play, the facilitator's notes and clock) and
``tokens.json``, readable by its owner only. The seed, the plan and the log are the whole game,
so ``Classroom.resume`` brings a game back after a crash at the turn it reached, with the same
links.
"""

from __future__ import annotations

import functools
import hmac
import json
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from wargame.core import atomic
from wargame.core.options import UsageError, from_json, to_json
from wargame.core.orders import Order
from wargame.core.packs import LoadedPack
from wargame.core.scenario import ScenarioError
from wargame.engine.exercise import Exercise, one_line, plan_from
from wargame.engine.policy import OrderRefused

FACILITATOR = "facilitator"
GAME_FILE, TOKENS_FILE = "game.json", "tokens.json"
MAX_NEWS = 500  # characters of news the facilitator writes
MAX_NOTES = 5000  # characters of the facilitator's notes on a turn
MAX_MINUTES = 120  # a turn clock


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
        pack: LoadedPack | Exercise,
        *,
        seed: int = 1,
        teams: Iterable[str] | None = None,
        folder: Path | None = None,
        tokens: dict[str, str] | None = None,
    ) -> None:
        if isinstance(pack, Exercise):  # a game brought back (see resume)
            self.exercise = pack
        else:
            playable = pack.spec.exercise.playable
            self.exercise = Exercise(pack, seed=seed, teams=playable if teams is None else teams)
        assert self.exercise.pack is not None
        self.pack: LoadedPack = self.exercise.pack
        self.seed, self.teams = self.exercise.seed, self.exercise.teams
        self.players, self.model = self.exercise.players, self.exercise.model
        self.tokens = tokens or {
            role: secrets.token_urlsafe(16) for role in (FACILITATOR, *self.teams)
        }
        self.folder = folder
        self.submitted: dict[str, list[Order]] = {}
        self.intents: dict[str, str] = {}
        self.paused = False
        self.revealed = False
        self.notes: dict[int, str] = {}  # the facilitator's, by turn
        self.minutes = 0.0  # the turn clock (0: none)
        self.auto = False  # advance when the clock runs out
        self.deadline: float | None = None  # when the turn's time is up (time.time())
        self.lock = threading.RLock()  # pages in several browsers act on one game
        self.version = 0  # counts changes; a page redraws when it moves
        self.report: dict[str, Any] = {}  # the debrief being written from the page, if any
        if tokens is None:
            self._save_tokens()
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
        """Teams that have not yet submitted this turn's orders (none once the game is over)."""
        return [] if self.ended else [t for t in self.teams if t not in self.submitted]

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
    def submit(self, token: str, orders: list[Order], turn: int, intent: str = "") -> None:
        """A team's orders for ``turn``, the turn in play (replacing any it submitted before),
        with what it means by them in a line. The last team to submit resolves the turn, unless
        the game is paused."""
        side = self._require(token, *self.teams)
        if self.ended:
            raise Refused("the game has ended")
        self._in_play(
            turn,
            f"turn {turn} has resolved without these orders (your side held); choose again for "
            f"turn {self.turn}",
        )
        if any(o.actor != side for o in orders):
            raise Refused("a team can order only for its own side")
        self.players[side].submit(orders, self.model.options_for(side))
        self.submitted[side] = [o for o in orders if o.kind != "hold"]
        self.intents[side] = one_line(intent)
        if not self.waiting and not self.paused:
            self._resolve()
        else:
            self.save(record=False)

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
        self.exercise.resolve(self.submitted, self.intents)
        self.submitted, self.intents = {}, {}
        self._restart_clock()
        self.save()

    @changes
    def fire(self, token: str, index: int) -> None:
        self._require(token, FACILITATOR)
        if not 0 <= index < len(self.pack.spec.injects):
            raise Refused(f"no inject {index}")
        if index in self.fired:  # a double click, or a second thought: an inject happens once
            raise Refused(f"inject {index + 1} has already been fired")
        self._playing()
        self.exercise.fire(index, by_hand=True)
        self.save()

    @changes
    def say(self, token: str, text: str) -> None:
        """News the facilitator writes, told to everyone as written (shown as text)."""
        self._require(token, FACILITATOR)
        self._playing()
        line = " ".join(str(text).split())
        if not line:
            raise Refused("write the news first")
        if len(line) > MAX_NEWS:
            raise Refused(f"news is at most {MAX_NEWS} characters ({len(line)} given)")
        self.exercise.say(line)
        self.save()

    def _playing(self) -> None:
        if self.ended:
            raise Refused("the game has ended")

    @changes
    def note(self, token: str, turn: int, text: str) -> None:
        """The facilitator's notes on a turn, for the debrief."""
        self._require(token, FACILITATOR)
        if not 1 <= turn <= self.turn:
            raise Refused(f"turn {turn} has not begun")
        if len(text) > MAX_NOTES:
            raise Refused(f"notes are at most {MAX_NOTES} characters a turn ({len(text)} given)")
        self.notes[turn] = text.strip()
        self.save(record=False)

    @changes
    def set_clock(self, token: str, minutes: float, auto: bool) -> None:
        """A clock for each turn from now on (0 minutes: none); ``auto`` advances the turn when
        it runs out, as the facilitator would."""
        self._require(token, FACILITATOR)
        if not 0 <= minutes <= MAX_MINUTES:
            raise Refused(f"a turn lasts 0 to {MAX_MINUTES} minutes, not {minutes:g}")
        self.minutes, self.auto = float(minutes), bool(auto)
        self._restart_clock()
        self.save(record=False)

    def _restart_clock(self) -> None:
        self.deadline = time.time() + 60 * self.minutes if self.minutes else None

    def seconds_left(self, now: float | None = None) -> float | None:
        if self.deadline is None or self.ended:
            return None
        return max(0.0, self.deadline - (time.time() if now is None else now))

    def tick(self, now: float | None = None) -> bool:
        """Advance a turn whose time is up, if the clock says so; whether it did."""
        with self.lock:
            left = self.seconds_left(now)
            if not self.auto or left is None or left > 0 or self.paused or self.ended:
                return False
            self.version += 1
            self._resolve()
            return True

    @changes
    def pause(self, token: str, paused: bool = True) -> None:
        """Pause or resume; resuming resolves a turn every team has already submitted."""
        self._require(token, FACILITATOR)
        self.paused = paused
        if not paused and not self.ended and self.teams and not self.waiting:
            self._resolve()
        else:
            self.save(record=False)

    @changes
    def reveal(self, token: str, revealed: bool = True) -> None:
        """Show everyone the whole truth (after a misattribution, say)."""
        self._require(token, FACILITATOR)
        self.revealed = revealed
        self.save(record=False)

    @changes
    def end(self, token: str) -> None:
        self._require(token, FACILITATOR)
        self.exercise.end()
        self.submitted, self.intents = {}, {}
        self.save()

    # ----- the game folder -----
    def state(self) -> dict[str, Any]:
        return {
            "pack": self.pack.name,
            "pack_folder": str(self.pack.folder),
            "title": self.pack.spec.exercise.title,
            "scenario": self.pack.scenario.name,
            "scenario_sha256": self.model.loaded.sha256,
            "seed": self.seed,
            "teams": self.teams,
            "turn": self.turn,
            "turns": self.pack.spec.exercise.turns,
            "days_per_turn": self.pack.spec.exercise.days_per_turn,
            "day": self.model.day,
            "ended": self.ended,
            "news": self.news,
            "decisions": self.decisions,
            "log": self.exercise.log,
            "pending": {
                side: {"orders": [o.to_dict() for o in given], "intent": self.intents.get(side, "")}
                for side, given in self.submitted.items()
            },
            "notes": {str(turn): text for turn, text in self.notes.items()},
            "clock": {"minutes": self.minutes, "auto": self.auto},
            "paused": self.paused,
            "revealed": self.revealed,
        }

    def save(self, record: bool = True) -> None:
        """The record (after a turn), then game.json (written last: its presence means the
        folder is whole)."""
        if self.folder is None:
            return
        if record:
            self.model.record.write(self.folder)
        text = json.dumps(self.state(), indent=2, default=to_json) + "\n"
        atomic.write_text(self.folder / GAME_FILE, text)

    def _save_tokens(self) -> None:
        if self.folder is not None:
            text = json.dumps(self.tokens, indent=2) + "\n"
            atomic.write_text(self.folder / TOKENS_FILE, text, mode=0o600)

    @classmethod
    def resume(cls, folder: Path) -> Classroom:
        """The game a folder holds, at the turn it reached, with the same tokens; one line
        (UsageError) naming the file and what is wrong otherwise."""
        state = _read_json(folder / GAME_FILE)
        tokens = _read_tokens(folder / TOKENS_FILE)
        try:
            plan = plan_from(state)
            if plan.scenario.sha256 != state["scenario_sha256"]:
                raise UsageError(
                    f"{folder / GAME_FILE}: the pack's scenario has changed since this game "
                    "began; it cannot be brought back as it was"
                )
            exercise = Exercise.replay(plan, state["seed"], state["teams"], state["log"])
        except ScenarioError as exc:
            raise UsageError(f"{folder / GAME_FILE}: {exc.lines[0]}") from None
        except (KeyError, TypeError, ValueError, OrderRefused) as exc:
            raise UsageError(f"{folder / GAME_FILE}: cannot be replayed ({exc})") from None
        if set(tokens) != {FACILITATOR, *exercise.teams}:
            raise UsageError(f"{folder / TOKENS_FILE}: not the tokens of this game's roles")
        game = cls(exercise, folder=folder, tokens=tokens)
        try:
            for side, given in state.get("pending", {}).items():
                orders = [Order(**o) for o in given["orders"]]
                game.players[side].submit(orders, game.model.options_for(side))
                game.submitted[side], game.intents[side] = orders, one_line(given["intent"])
            game.notes = {int(turn): str(text) for turn, text in state.get("notes", {}).items()}
            clock = state.get("clock", {})
            game.minutes, game.auto = float(clock.get("minutes", 0)), bool(clock.get("auto"))
        except (KeyError, TypeError, ValueError, OrderRefused) as exc:
            raise UsageError(f"{folder / GAME_FILE}: cannot be read ({exc})") from None
        game.paused, game.revealed = bool(state.get("paused")), bool(state.get("revealed"))
        game._restart_clock()
        game.save(record=False)
        return game


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"), object_hook=from_json)
    except FileNotFoundError:
        raise UsageError(f"{path}: missing; give a folder written by 'wargame classroom'") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{path}: cannot be read ({exc})") from None


def _read_tokens(path: Path) -> dict[str, str]:
    """The roles' tokens; refused if anyone but the owner may read them (they are the links)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UsageError(f"{path}: missing; the game's links cannot be brought back") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UsageError(
            f"{path}: others may read it (mode {stat.S_IMODE(mode):o}); 'chmod 600' it first"
        )
    tokens = _read_json(path)
    if not isinstance(tokens, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) >= 16 for k, v in tokens.items()
    ):
        raise UsageError(f"{path}: not a game's tokens")
    return tokens
