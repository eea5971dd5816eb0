"""A played game as a file, and the game played again from it.

The dashboard offers a game's record as a zip: the files ``wargame run`` writes (summary.json,
events.jsonl, daily.csv, orders.jsonl) and ``game.json``, which says how to start it again (the
scenario, the overrides, the seed, the side a person played). Replaying gives the person's orders
back day by day (ReplayPolicy) and lets the computer play the others: each side draws from its own
random stream, so the same seed and orders give the same game, incident for incident.

What-ifs start from a turn of a played exercise: the game is played again from its seed and its
log up to the start of that turn (the facilitator's injects of that turn included, the teams'
orders not), then the computer plays every side to the exercise's end, with fresh random streams
(one set per continuation, drawn from the seed, the turn and the continuation's number), so many
continuations show what could follow from where the players stood.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from wargame.core.options import from_json, to_json
from wargame.core.orders import Order
from wargame.core.scenario import load_scenario
from wargame.engine.exercise import Exercise, Plan, Played, Progress, plan_from, run_jobs, summarise
from wargame.engine.model import WargameModel
from wargame.engine.policy import ComputerPolicy, HumanPolicy, ReplayPolicy

GAME_FILE = "game.json"


def archive(model: WargameModel, game: dict[str, Any]) -> bytes:
    """A zip of the record so far and ``game`` (scenario, overrides, seed, side)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w") as zf:
        model.record.write(Path(folder))
        for path in sorted(Path(folder).iterdir()):
            zf.write(path, path.name)
        game = {**game, "days_played": model.day}
        zf.writestr(GAME_FILE, json.dumps(game, indent=2, default=to_json) + "\n")
    return buffer.getvalue()


def read(source: str | Path | bytes) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """``game.json``, the orders and the event log of a saved game (a zip, or a folder)."""
    if isinstance(source, bytes) or Path(source).is_file():
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            texts = {name: zf.read(name).decode("utf-8") for name in zf.namelist()}
    else:
        texts = {p.name: p.read_text(encoding="utf-8") for p in Path(source).iterdir()}
    orders = [json.loads(line) for line in texts["orders.jsonl"].splitlines() if line]
    return json.loads(texts[GAME_FILE], object_hook=from_json), orders, texts["events.jsonl"]


def players(orders: list[dict[str, Any]], sides: list[str]) -> dict[str, ReplayPolicy]:
    """A replay player for each side a person played, with that side's orders by day (a day
    without orders is a day the person held)."""
    by_side: dict[str, dict[int, list[Order]]] = {side: {} for side in sides}
    for entry in orders:
        if entry["by"] == HumanPolicy.__name__ and entry["actor"] in by_side:
            order = Order(entry["actor"], entry["kind"], entry["target"], entry["via"])
            by_side[entry["actor"]].setdefault(entry["day"], []).append(order)
    return {side: ReplayPolicy(days) for side, days in by_side.items()}


def replay(source: str | Path | bytes) -> WargameModel:
    """Play a saved game again, from its seed and the people's orders, to the day it reached."""
    game, orders, _ = read(source)
    loaded = load_scenario(game["scenario"], game["overrides"])
    if loaded.sha256 != game["scenario_sha256"]:
        raise ValueError(
            f"{game['scenario']} has changed since this game was played: it would not replay"
        )
    model = WargameModel(loaded, seed=game["seed"], players=players(orders, game["sides"]))
    model.run_for(game["days_played"])
    return model


def stood_at(
    plan: Plan, seed: int, teams: list[str], log: list[dict[str, Any]], turn: int
) -> Exercise:
    """The exercise played again from its log up to where the players stood at the start of
    ``turn``: every act of earlier turns, and the injects of that turn, not its orders."""
    game = Exercise(plan, seed=seed, teams=teams)
    for act in log:
        if act["turn"] > turn or (
            act["turn"] == turn and act["act"] != "fire" and act["act"] != "say"
        ):
            break
        game.redo(act)
    if game.turn != turn:
        raise ValueError(f"turn {turn} was not reached (the log stops at turn {game.turn})")
    return game


def continue_by_computer(game: Exercise, key: int) -> Played:
    """Play ``game`` on to its plan's end with the computer on every side, from fresh random
    streams numbered ``key`` (the umpire's and each side's)."""
    model = game.model
    rng = np.random.default_rng([game.seed, model.day, key])
    model.rng = rng
    for actor, stream in zip(model.actor_list, rng.spawn(len(model.actor_list)), strict=True):
        actor.policy = ComputerPolicy(stream)
    game.teams, game.players = [], {}
    game.ended = False
    while not game.ended:
        game.resolve({})
    return summarise(model)


Branch = tuple[dict[str, Any], int, list[str], list[dict[str, Any]], int, int]


def _branch(job: Branch) -> Played:
    described, seed, teams, log, turn, key = job
    return continue_by_computer(stood_at(plan_from(described), seed, teams, log, turn), key)


def branches(
    plan: Plan,
    seed: int,
    teams: list[str],
    log: list[dict[str, Any]],
    turns: list[int],
    runs: int,
    progress: Progress | None = None,
) -> dict[int, list[Played]]:
    """``runs`` computer-played continuations from the start of each of ``turns``, by turn."""
    described = plan.describe()
    jobs = [(described, seed, teams, log, t, k) for t in turns for k in range(1, runs + 1)]
    done = run_jobs(_branch, jobs, progress)
    return {t: done[i * runs : (i + 1) * runs] for i, t in enumerate(turns)}
