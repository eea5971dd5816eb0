"""The after-action report of a classroom game: what the class did, what followed, and where
its game falls among computer-played games of the same exercise.

``wargame debrief GAME_DIR`` reads the game folder the classroom writes after every turn (the
record and ``game.json``), plays the same exercise ``--runs`` times with every side to the
computer (seeds 1..N, the same injects), and writes one self-contained HTML document: the
timeline of the teams' decisions and their consequences, the escalation curve against the
computer-played games, the comparison ("your game reached rung 6; 72% of 500 computer-played
games stayed below it"), the learning objectives and the debrief questions.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pydantic import BaseModel, ConfigDict, Field

from wargame.batch.progress import Progress
from wargame.batch.store import why
from wargame.core import atomic
from wargame.core.incidents import Event
from wargame.core.ladder import LADDER, OUTCOMES, Rung
from wargame.core.options import UsageError
from wargame.core.orders import Order
from wargame.core.packs import LoadedPack, load_pack
from wargame.core.validation import shape_problem
from wargame.engine.exercise import play_by_computer
from wargame.engine.model import WargameModel
from wargame.engine.narrative import Narrator
from wargame.reports.document import e, image, output, page, png

DEBRIEF = "Debrief"  # how its title starts
MAX_RUNS = 10_000  # computer-played games: an hour on 2 cores, well past a stable comparison
CURVE_CAPTION = (
    "The escalation rung day by day: your game (line) against the middle half and the middle 90% "
    "of {runs} computer-played games (bands)."
)


@dataclass(frozen=True)
class Played:
    """What the comparison needs of one game."""

    peak: int
    outcome: str
    rungs: list[int]  # the rung of each day, day 0 first
    direct: bool
    killed: int


@dataclass
class ClassGame:
    state: dict[str, Any]
    summary: dict[str, Any]
    events: list[Event]
    rungs: list[int]


def write_debrief(folder: Path, runs: int, out_name: str | None = None) -> Path:
    """``wargame debrief``: the after-action report of a game folder; returns its path."""
    if not (folder / "game.json").is_file():
        raise UsageError(f"{folder}: no game.json; give a folder written by 'wargame classroom'")
    if runs > MAX_RUNS:
        raise UsageError(f"--runs {runs}: at most {MAX_RUNS:,} computer-played games to compare")
    out = output(out_name, folder / "debrief.html", DEBRIEF)
    print(f"Playing the exercise {runs} times with the computer on every side...", flush=True)
    atomic.write_text(out, build(folder, runs))
    return out


class _Saved(BaseModel):
    model_config = ConfigDict(extra="allow")


class SavedOrder(_Saved):
    actor: str
    kind: str
    target: str | None = None
    via: str | None = None
    explanation: str = ""


class SavedNews(_Saved):
    turn: int
    day: int
    text: str


class SavedDecision(_Saved):
    turn: int
    side: str
    orders: list[SavedOrder]
    submitted: bool | None = None  # absent from games saved before it was recorded


class SavedGame(_Saved):
    """What the debrief reads of game.json: a file of another shape is refused."""

    pack_folder: str
    seed: Annotated[int, Field(ge=0)]
    teams: list[str]
    turn: Annotated[int, Field(ge=1)]
    days_per_turn: Annotated[int, Field(ge=1)]
    day: Annotated[int, Field(ge=0)]
    news: list[SavedNews]
    decisions: list[SavedDecision]


def read_game(folder: Path) -> ClassGame:
    """The game folder's files, or one line naming the file that is missing or malformed."""
    state = _read(folder / "game.json", json.loads)
    problem = shape_problem(SavedGame, state)
    if problem:
        raise UsageError(f"{folder / 'game.json'}: not a classroom game ({problem})")
    state = SavedGame.model_validate(state).model_dump()
    summary = _read(folder / "summary.json", json.loads)
    if not isinstance(summary, dict) or not isinstance(summary.get("peak_rung"), int):
        raise UsageError(f"{folder / 'summary.json'}: not a run's summary (no peak_rung)")
    events = _read(folder / "events.jsonl", _events)
    daily = _read(
        folder / "daily.csv", lambda text: pd.read_csv(io.StringIO(text), usecols=["rung"])
    )
    rungs = daily["rung"].astype(int).tolist()
    return ClassGame(state, summary, events, rungs)


def _events(text: str) -> list[Event]:
    return [
        Event(**{**fields, "cell": tuple(fields["cell"])})
        for fields in map(json.loads, text.splitlines())
    ]


def _rungs(text: str) -> list[int]:
    return pd.read_csv(io.StringIO(text), usecols=["rung"])["rung"].astype(int).tolist()


def _read[T](path: Path, parse: Callable[[str], T]) -> T:
    """A file of the game folder parsed, or one line naming it and saying what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: missing; the game folder is not whole") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read ({exc})") from None
    try:
        return parse(text)
    except (ValueError, TypeError, KeyError) as exc:
        raise UsageError(f"{path}: cannot be read ({type(exc).__name__}: {why(exc)})") from None


def _played(job: tuple[str, int, int]) -> Played:
    folder, seed, turns = job
    game = play_by_computer(load_pack(folder), seed, turns)
    summary = game.model.record.summary()
    return Played(
        summary["peak_rung"],
        summary["outcome"],
        [int(r) for r in game.model.datacollector.model_vars["rung"]],
        summary["direct_exchange_day"] is not None,
        sum(summary["casualties"].values()),
    )


def computer_games(pack: LoadedPack, runs: int, turns: int) -> list[Played]:
    """The exercise played ``runs`` times by the computer alone for ``turns`` turns (as many as
    the class played), seeds 1..runs."""
    jobs = [(str(pack.folder), seed, turns) for seed in range(1, runs + 1)]
    games = []
    with (
        ProcessPoolExecutor(mp_context=get_context("spawn")) as pool,
        Progress(runs, "computer-played games", unit="game") as progress,
    ):
        for game in pool.map(_played, jobs, chunksize=max(1, runs // 50)):
            games.append(game)
            progress.update(1)
    return games


def peak_sentence(peak: int, games: list[Played]) -> str:
    """Where the class's peak rung falls among the computer-played games."""
    below = sum(g.peak < peak for g in games) / len(games)
    same = sum(g.peak == peak for g in games) / len(games)
    title = LADDER[Rung(peak)].title
    return (
        f"Your game reached rung {peak} ({title}); {below:.0%} of {len(games)} computer-played "
        f"games stayed below it, and {same:.0%} peaked at the same rung."
    )


def build(folder: Path, runs: int) -> str:
    game = read_game(folder)
    pack = load_pack(game.state["pack_folder"])
    played = game.state["turn"] - 1
    games = computer_games(pack, runs, played)
    narrator = Narrator(WargameModel(pack.scenario, seed=game.state["seed"], days=pack.days))
    info = pack.spec.exercise
    teams = ", ".join(narrator.name(t) for t in game.state["teams"]) or "none (computer only)"
    body = [
        f"<h1>{DEBRIEF}: {e(info.title)}</h1>",
        f"<p>{e(info.summary)}</p>",
        "<table class='facts'>"
        f"<tr><th>Teams</th><td>{e(teams)}</td></tr>"
        f"<tr><th>Played</th><td>{played} of {info.turns} turns, "
        f"{game.state['day']} days from {pack.scenario.spec.scenario.start_date}</td></tr>"
        f"<tr><th>Session</th><td>planned for {info.duration_minutes} minutes</td></tr>"
        f"<tr><th>Seed</th><td>{game.state['seed']}</td></tr></table>",
        "<h2>Where your game stands</h2>",
        f"<p class='note'>Compared with {len(games)} games of the same exercise played by the "
        f"computer on every side for the same {played} turns (seeds 1 to {len(games)}).</p>",
        f"<p><b>{e(peak_sentence(game.summary['peak_rung'], games))}</b></p>",
        _outcomes_table(game.summary["outcome"], games),
        image(_curve(game.rungs, games), CURVE_CAPTION.format(runs=len(games))),
        "<h2>Turn by turn</h2>",
        _timeline(game, narrator),
        "<h2>Learning objectives</h2>",
        "<ul>" + "".join(f"<li>{e(o)}</li>" for o in info.objectives) + "</ul>",
        "<h2>Questions for the debrief</h2>",
        "<ol>" + "".join(f"<li>{e(q)}</li>" for q in pack.spec.debrief.questions) + "</ol>",
    ]
    return page(f"{DEBRIEF}: {info.title}", "\n".join(body))


def _outcomes_table(outcome: str, games: list[Played]) -> str:
    rows = []
    for name, definition in OUTCOMES.items():
        share = sum(g.outcome == name for g in games) / len(games)
        ours = "your game" if name == outcome else ""
        rows.append(
            f"<tr><td>{e(name)}</td><td>{share:.0%}</td><td><b>{ours}</b></td>"
            f"<td class='note'>{e(definition)}</td></tr>"
        )
    head = "<tr><th>Outcome</th><th>Computer-played games</th><th></th><th>Meaning</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _curve(rungs: list[int], games: list[Played]) -> bytes:
    days = len(rungs)
    table = np.array([(g.rungs + [g.rungs[-1]] * days)[:days] for g in games])
    fig = Figure(figsize=(8.5, 3.4))
    ax = fig.add_subplot()
    x = np.arange(days)
    ax.fill_between(x, *np.percentile(table, [5, 95], axis=0), color="#c9d6e3", step="post")
    ax.fill_between(x, *np.percentile(table, [25, 75], axis=0), color="#8fa9c4", step="post")
    ax.step(x, rungs, where="post", color="#b3261e", linewidth=2.2, label="your game")
    ax.set_yticks(range(len(Rung)), [f"{r} {LADDER[r].title}" for r in Rung], fontsize=7)
    ax.set_ylim(-0.3, len(Rung) - 0.7)
    ax.set_xlabel("day")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return png(fig)


def _timeline(game: ClassGame, narrator: Narrator) -> str:
    """Each turn: the news, each team's orders, and the incidents that involved the teams."""
    per_turn = game.state["days_per_turn"]
    teams = set(game.state["teams"])
    sections = []
    for turn in range(1, game.state["turn"]):
        first, last = (turn - 1) * per_turn + 1, turn * per_turn
        items = [
            f"<li><i>News: {e(n['text'])}</i></li>" for n in game.state["news"] if n["turn"] == turn
        ]
        for decision in (d for d in game.state["decisions"] if d["turn"] == turn):
            who = e(narrator.name(decision["side"]))
            items.append(f"<li><b>{who}</b> {e(_decision_text(decision, narrator))}</li>")
        for event in game.events:
            involved = {event.actor, event.target, event.blamed, event.directed_by} & teams
            if first <= event.day <= last and involved:
                items.append(f"<li>{e(narrator.truth(event))}</li>")
        sections.append(f"<h3>Turn {turn} (days {first} to {last})</h3><ul>{''.join(items)}</ul>")
    return "".join(sections) or "<p>No turn was played.</p>"


def _decision_text(decision: dict[str, Any], narrator: Narrator) -> str:
    """What a team did on a turn, in the narrator's words: its orders, or that it held, or that
    the turn resolved before it sent any (game.json written before teams' submissions were
    recorded says only that it gave none)."""
    if decision["orders"]:
        said = "; ".join(
            f"{narrator.order(Order(o['actor'], o['kind'], o['target'], o['via']))} — "
            f"{o['explanation']}"
            for o in decision["orders"]
        )
        return f"ordered: {said}"
    submitted = decision.get("submitted")
    if submitted is None:
        return "gave no orders"
    return "held" if submitted else "sent no orders before the turn resolved"
