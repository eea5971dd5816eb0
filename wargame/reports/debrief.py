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

import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wargame.batch.progress import Progress
from wargame.core import atomic
from wargame.core.incidents import Event
from wargame.core.ladder import LADDER, OUTCOMES, Rung
from wargame.core.options import UsageError
from wargame.core.orders import Order
from wargame.core.packs import LoadedPack, load_pack
from wargame.engine.exercise import play_by_computer
from wargame.engine.model import WargameModel
from wargame.engine.narrative import Narrator
from wargame.reports.document import e, image, page, png

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
    out = Path(out_name) if out_name else folder / "debrief.html"
    if out.is_dir():
        raise UsageError(f"--out {out}: is a folder; give the HTML file to write")
    print(f"Playing the exercise {runs} times with the computer on every side...", flush=True)
    atomic.write_text(out, build(folder, runs))
    return out


def read_game(folder: Path) -> ClassGame:
    state = json.loads((folder / "game.json").read_text(encoding="utf-8"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    events = []
    for line in (folder / "events.jsonl").read_text(encoding="utf-8").splitlines():
        fields = json.loads(line)
        events.append(Event(**{**fields, "cell": tuple(fields["cell"])}))
    rungs = pd.read_csv(folder / "daily.csv", usecols=["rung"])["rung"].astype(int).tolist()
    return ClassGame(state, summary, events, rungs)


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
        f"<h1>Debrief: {e(info.title)}</h1>",
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
    return page(f"Debrief: {info.title}", "\n".join(body))


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
