"""A played game as a file, and the game played again from it.

The dashboard offers a game's record as a zip: the files ``wargame run`` writes (summary.json,
events.jsonl, daily.csv, orders.jsonl) and ``game.json``, which says how to start it again (the
scenario, the overrides, the seed, the side a person played). Replaying gives the person's orders
back day by day (ReplayPolicy) and lets the computer play the others: each side draws from its own
random stream, so the same seed and orders give the same game, incident for incident.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from wargame.core.options import from_json, to_json
from wargame.core.orders import Order
from wargame.core.scenario import load_scenario
from wargame.engine.model import WargameModel
from wargame.engine.policy import HumanPolicy, ReplayPolicy

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
