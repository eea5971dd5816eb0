"""The after-action report of a classroom game: what the class did, what followed, and where
its game falls among computer-played games of the same exercise.

``wargame debrief GAME_DIR`` reads the game folder the classroom writes after every turn (the
record and ``game.json``), plays the same exercise ``--runs`` times with every side to the
computer (seeds 1..N, the same injects), plays the class's game again from its seed and log to
read what every side believed, and plays ``--branches`` what-ifs from the start of every turn
(or of ``--branch-from``'s): the class's game to there, then the computer on every side with
fresh random streams. It writes one self-contained HTML document: the comparison ("your game
reached rung 6; 72% of 500 computer-played games stayed below it"), the escalation curve against
the computer-played games, the what-ifs turn by turn ("from where you stood at the start of
turn 4, 31% of 200 continuations reached rung 6; after your turn-4 orders, 58%"), each team's
intent beside what the other sides believed about its acts and did next, the teams' grievances
day by day, the timeline, the learning objectives and the debrief questions.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
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
from wargame.core.options import UsageError, from_json
from wargame.core.orders import Order
from wargame.core.scenario import ScenarioError
from wargame.core.validation import shape_problem
from wargame.engine.exercise import Exercise, Plan, Played, computer_games, peak_sentence, plan_from
from wargame.engine.narrative import Narrator, blamed_rightly
from wargame.engine.policy import OrderRefused
from wargame.engine.replay import branches
from wargame.reports.document import e, image, output, page, png

DEBRIEF = "Debrief"  # how its title starts
MAX_RUNS = 10_000  # computer-played games: an hour on 2 cores, well past a stable comparison
RUNS = 500  # computer-played games to compare with, by default
BRANCHES = 50  # what-ifs from each turn, by default (each plays the exercise to its end)
BRANCH_RUNG = Rung.LIMITED_DIRECT  # the what-ifs count the continuations that reach it
CURVE_CAPTION = (
    "The escalation rung day by day: your game (line) against the middle half and the middle 90% "
    "of {runs} computer-played games (bands)."
)
Stages = Callable[[str, int, int], None]  # (what is being done, done, of)


@dataclass
class ClassGame:
    state: dict[str, Any]
    summary: dict[str, Any]
    events: list[Event]
    rungs: list[int]


def write_debrief(
    folder: Path,
    runs: int,
    out_name: str | None = None,
    *,
    what_ifs: int = BRANCHES,
    branch_from: int | None = None,
    progress: Stages | None = None,
) -> Path:
    """``wargame debrief``: the after-action report of a game folder; returns its path."""
    if not (folder / "game.json").is_file():
        raise UsageError(f"{folder}: no game.json; give a folder written by 'wargame classroom'")
    if runs > MAX_RUNS:
        raise UsageError(f"--runs {runs}: at most {MAX_RUNS:,} computer-played games to compare")
    if what_ifs > MAX_RUNS:
        raise UsageError(f"--branches {what_ifs}: at most {MAX_RUNS:,} what-ifs a turn")
    out = output(out_name, folder / "debrief.html", DEBRIEF)
    print(f"Playing the exercise {runs} times with the computer on every side...", flush=True)
    atomic.write_text(out, build(folder, runs, what_ifs, branch_from, progress))
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
    state = _read(folder / "game.json", lambda text: json.loads(text, object_hook=from_json))
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


def _stage(name: str, unit: str, progress: Stages | None) -> Callable[[int, int], None]:
    """Tell a stage's progress to the terminal (a bar, or lines) and to ``progress``."""
    bar: list[Progress] = []

    def tell(done: int, of: int) -> None:
        if not bar:
            bar.append(Progress(of, name, unit=unit))
        bar[0].update(done - bar[0].done)
        if done == of:
            bar[0].close()
        if progress is not None:
            progress(name, done, of)

    return tell


def replayed(game: ClassGame, plan: Plan) -> Exercise | None:
    """The class's game played again from its seed and log, with every side's beliefs; None
    for a game saved without its log (or that no longer replays as recorded)."""
    log = game.state.get("log")
    if log is None:
        return None
    try:
        again = Exercise.replay(plan, game.state["seed"], game.state["teams"], log)
    except (KeyError, TypeError, ValueError, OrderRefused):
        return None
    events = [ev.to_dict() for ev in again.model.record.events if ev.day >= 1]
    if events != [ev.to_dict() for ev in game.events if ev.day >= 1]:
        return None
    return again


def build(
    folder: Path,
    runs: int,
    what_ifs: int = BRANCHES,
    branch_from: int | None = None,
    progress: Stages | None = None,
) -> str:
    game = read_game(folder)
    try:
        plan = plan_from(game.state)
    except ScenarioError as exc:
        raise UsageError(f"{folder / 'game.json'}: {exc.lines[0]}") from None
    pack = plan.pack
    assert pack is not None
    played = game.state["turn"] - 1
    if branch_from is not None and not 1 <= branch_from <= max(played, 1):
        raise UsageError(f"--branch-from {branch_from}: the game played turns 1 to {played}")
    days = game.state["day"]
    games = computer_games(plan, runs, days, _stage("computer-played games", "game", progress))
    again = replayed(game, plan)
    narrator = Narrator(again.model if again else Exercise(plan, seed=game.state["seed"]).model)
    info = pack.spec.exercise
    teams = ", ".join(narrator.name(t) for t in game.state["teams"]) or "none (computer only)"
    what_if = (
        _what_ifs(game, narrator, plan, again, played, what_ifs, branch_from, progress)
        if again is not None and played >= 1
        else "<p class='note'>This game was saved without its log: it cannot be played again.</p>"
    )
    body = [
        f"<h1>{DEBRIEF}: {e(info.title)}</h1>",
        f"<p>{e(info.summary)}</p>",
        "<table class='facts'>"
        f"<tr><th>Teams</th><td>{e(teams)}</td></tr>"
        f"<tr><th>Played</th><td>{played} of {info.turns} turns, "
        f"{days} days from {pack.scenario.spec.scenario.start_date}</td></tr>"
        f"<tr><th>Session</th><td>planned for {info.duration_minutes} minutes</td></tr>"
        f"<tr><th>Seed</th><td>{game.state['seed']}</td></tr></table>",
        "<h2>Where your game stands</h2>",
        f"<p class='note'>Compared with {len(games)} games of the same exercise played by the "
        f"computer on every side for the same {played} turns (seeds 1 to {len(games)}).</p>",
        f"<p><b>{e(peak_sentence(game.summary['peak_rung'], games))}</b></p>",
        _outcomes_table(game.summary["outcome"], games),
        image(_curve(game.rungs, games), CURVE_CAPTION.format(runs=len(games))),
        "<h2>What if: from where you stood</h2>",
        what_if,
        "<h2>What you meant, and what the others believed</h2>",
        _intents(game, again, narrator) if again is not None else "<p>No replay.</p>",
        "<h2>What the teams believed, day by day</h2>",
        _beliefs(again, narrator) if again is not None else "<p>No replay.</p>",
        "<h2>Turn by turn</h2>",
        _timeline(game, narrator),
        "<h2>Learning objectives</h2>",
        "<ul>" + "".join(f"<li>{e(o)}</li>" for o in info.objectives) + "</ul>",
        "<h2>Questions for the debrief</h2>",
        "<ol>" + "".join(f"<li>{e(q)}</li>" for q in pack.spec.debrief.questions) + "</ol>",
    ]
    return page(f"{DEBRIEF}: {info.title}", "\n".join(body))


def reached(games: list[Played], rung: int = BRANCH_RUNG) -> float:
    return sum(g.peak >= rung for g in games) / len(games)


def _what_ifs(
    game: ClassGame,
    narrator: Narrator,
    plan: Plan,
    again: Exercise,
    played: int,
    runs: int,
    branch_from: int | None,
    progress: Stages | None,
) -> str:
    """From the start of each turn (or one), ``runs`` continuations to the exercise's end."""
    turns = list(range(1, played + 1)) if branch_from is None else [branch_from]
    finished = again.model.finished or played >= plan.turns
    starts = sorted({*turns, *(t + 1 for t in turns if t < played or not finished)})
    found = branches(
        plan,
        game.state["seed"],
        game.state["teams"],
        game.state["log"],
        starts,
        runs,
        _stage("what-ifs", "game", progress),
    )
    rung = int(BRANCH_RUNG)
    title = LADDER[BRANCH_RUNG].title
    ours = game.summary["peak_rung"] >= rung
    rows, lines = [], []
    for turn in turns:
        before = reached(found[turn])
        after = reached(found[turn + 1]) if turn + 1 in found else float(ours)
        said = (
            f"{after:.0%} of {runs} continuations"
            if turn + 1 in found
            else ("your game did" if ours else "your game did not")
        )
        orders = "; ".join(
            f"{d['side']}: "
            + (", ".join(o["kind"].replace("_", " ") for o in d["orders"]) or "held")
            for d in game.state["decisions"]
            if d["turn"] == turn
        )
        rows.append(
            f"<tr><td>{turn}</td><td>{before:.0%}</td><td>{e(orders)}</td><td>{after:.0%}</td>"
            f"<td>{100 * (after - before):+.0f} points</td></tr>"
        )
        lines.append(
            f"<li>From where you stood at the start of turn {turn}, {before:.0%} of {runs} "
            f"continuations reached rung {rung} ({e(title)}); after your turn-{turn} orders, "
            f"{e(said)}.</li>"
        )
    head = (
        f"<tr><th>Turn</th><th>From its start: reached rung {rung}</th><th>Your orders</th>"
        f"<th>After them</th><th>Change</th></tr>"
    )
    return (
        f"<p class='note'>Each what-if plays your game again from its seed and your orders up "
        f"to the start of a turn, then lets the computer play every side, with fresh random "
        f"streams, to the exercise's end ({plan.turns} turns). A share is the part of "
        f"{runs} continuations that reached rung {rung} ({e(title)}) at any time; 'after them' "
        "starts from the next turn, with your orders and what followed them in it.</p>"
        f"<table class='wg-branches'>{head}{''.join(rows)}</table><ul>{''.join(lines)}</ul>"
    )


def _heard_by(model: Any, event: Event) -> dict[str, Any]:
    """Each side that heard of an event: whom it blamed, how sure, and when it learned."""
    found = {}
    for actor in model.actor_list:
        for heard in actor.beliefs.heard:
            if heard.event is event or heard.event.to_dict() == event.to_dict():
                found[actor.aid] = heard
                break
    return found


def _next_orders(model: Any, side: str, since: int, narrator: Narrator, days: int) -> str:
    orders = [
        o
        for o in model.record.orders
        if o["actor"] == side and since <= o["day"] < since + days and o["kind"] != "hold"
    ]
    if not orders:
        return f"nothing new within {days} days"
    said = [
        f"day {o['day']}: {narrator.order(Order(o['actor'], o['kind'], o['target'], o['via']))}"
        for o in orders[:2]
    ]
    return "; ".join(said)


def _intents(game: ClassGame, again: Exercise, narrator: Narrator) -> str:
    """Each team's orders with its intent, beside what the other sides believed of the acts
    they caused (whom they blamed, how sure) and what those sides did next."""
    model = again.model
    per_turn = game.state["days_per_turn"]
    teams = game.state["teams"]
    rows = []
    for decision in game.state["decisions"]:
        side, day = decision["side"], decision["day"]
        for o in decision["orders"]:
            order = Order(o["actor"], o["kind"], o["target"], o["via"])
            caused = [
                ev
                for ev in model.record.events
                if ev.day == day and ev.order == o["kind"] and side in (ev.actor, ev.directed_by)
            ]
            seen = []
            for ev in caused:
                heard = _heard_by(model, ev)
                watchers = [s for s in [*teams, ev.target] if s != side and s in heard]
                for other in dict.fromkeys(watchers):
                    h = heard[other]
                    blame = (
                        f"blamed {narrator.name(h.blamed)} "
                        f"({'rightly' if blamed_rightly(ev, h.blamed) else 'wrongly'}, "
                        f"confidence {h.confidence:.1f})"
                        if h.blamed
                        else "saw it done openly"
                    )
                    then = _next_orders(model, other, h.learned_on + 1, narrator, per_turn)
                    seen.append(
                        f"<li><b>{e(narrator.name(other))}</b> learned on day {h.learned_on}, "
                        f"{e(blame)}; then: {e(then)}</li>"
                    )
            what = "; ".join(e(narrator.truth(ev)) for ev in caused) or "no incident"
            rows.append(
                f"<tr><td>{decision['turn']}</td><td>{e(narrator.name(side))}</td>"
                f"<td>{e(narrator.order(order))}</td>"
                f"<td class='wg-intent'>{e(decision.get('intent') or '(none given)')}</td>"
                f"<td>{what}<ul>{''.join(seen)}</ul></td></tr>"
            )
    if not rows:
        return "<p>No team gave an order.</p>"
    head = "<tr><th>Turn</th><th>Team</th><th>Order</th><th>Intent</th><th>What followed</th></tr>"
    return (
        "<p class='note'>Each order a team gave, with the intent it wrote, beside the incident it "
        "caused, who heard of it, whom they blamed and how sure they were (the beliefs the model "
        "keeps), and what they ordered next.</p>"
        f"<table class='wg-intents'>{head}{''.join(rows)}</table>"
    )


def _beliefs(again: Exercise, narrator: Narrator) -> str:
    """Each team's grievance against the sides it held most against, day by day."""
    model = again.model
    teams = again.teams or []
    if not teams:
        return "<p>No team played.</p>"
    pairs = model.record.pairs
    table = np.array(model.datacollector.model_vars["tension"])
    fig = Figure(figsize=(8.5, 2.2 * len(teams)))
    for i, team in enumerate(teams):
        ax = fig.add_subplot(len(teams), 1, i + 1)
        mine = [(j, b) for j, (a, b) in enumerate(pairs) if a == team]
        mine.sort(key=lambda jb: -float(table[:, jb[0]].max()))
        for j, other in mine[:4]:
            ax.plot(table[:, j], label=f"against {narrator.name(other)}", linewidth=1.6)
        ax.set_title(f"{narrator.name(team)}: grievance", fontsize=9, loc="left")
        ax.set_ylabel("grievance", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(loc="upper left", fontsize=7, ncol=2, frameon=False)
    ax.set_xlabel("day")
    fig.tight_layout()
    return image(
        png(fig),
        "Each team's grievance (the harm it believes each side did to it and its friends, "
        "fading with time), against the four sides it held most against, day by day.",
    )


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
    n = len(games)
    ax.fill_between(
        x,
        *np.percentile(table, [5, 95], axis=0),
        color="#c9d6e3",
        step="post",
        label=f"middle 90% of {n} computer-played games",
    )
    ax.fill_between(
        x,
        *np.percentile(table, [25, 75], axis=0),
        color="#8fa9c4",
        step="post",
        label="their middle half",
    )
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
            meant = decision.get("intent")
            intent = f" <i>(intent: {e(meant)})</i>" if meant else ""
            items.append(f"<li><b>{who}</b> {e(_decision_text(decision, narrator))}{intent}</li>")
        for event in game.events:
            involved = {event.actor, event.target, event.blamed, event.directed_by} & teams
            if first <= event.day <= last and involved:
                items.append(f"<li>{e(narrator.truth(event))}</li>")
        notes = (game.state.get("notes") or {}).get(str(turn))
        if notes:
            items.append(f"<li class='wg-fnotes'>Facilitator's notes: {e(notes)}</li>")
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
