"""The record: what every view reads (dashboard, command line, batch tables, reports).

It keeps the event log (one incident per entry, truth and blame side by side), the orders every
side gave (so a game can be replayed from its seed and orders), the umpire's notes, and the daily
metrics, which Mesa's DataCollector collects at the end of every step. Metrics are collected as a
few numeric vectors, cheap to copy, and spread into named columns only when a table is asked for.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from wargame.core import atomic
from wargame.core.incidents import INCIDENTS, Event
from wargame.core.ladder import LADDER, Rung
from wargame.core.orders import Order

if TYPE_CHECKING:
    import pandas as pd

    from wargame.engine.model import WargameModel

ECONOMY_COLUMNS = (
    "oil_offline_mbd",
    "hormuz_flow_mbd",
    "bab_el_mandeb_flow_mbd",
    "oil_price_usd",
    "iran_exports_mbd",
    "iran_pain",
    "risk_premium",
)
CONVOY_COLUMNS = ("convoys.sent", "convoys.delivered", "convoys.interdicted")
# The vectors collected each day, in the order of the daily table's columns (after day, date, rung).
FAMILIES = (
    "tension",
    "incidents",
    "economy",
    "convoys",
    "casualties",
    "posture",
    "readiness",
    "militias",
)


class Record:
    def __init__(self, model: WargameModel) -> None:
        self.model = model
        self.events: list[Event] = []
        self.orders: list[dict[str, Any]] = []
        self.notes: list[tuple[int, str]] = []
        self.kinds = list(INCIDENTS)
        self._kind_index = {k: i for i, k in enumerate(self.kinds)}
        self.today = np.zeros(len(self.kinds), dtype=np.int64)
        self.totals = dict.fromkeys(self.kinds, 0)
        # What each side did, every kind of every side (a batch's table has fixed columns).
        self.by_side = {a.aid: dict.fromkeys(self.kinds, 0) for a in model.actor_list}
        self.first_day: dict[str, int | None] = dict.fromkeys(self.kinds)
        self.direct_exchange_day: int | None = None
        self.direct_exchange_by: str | None = None  # the side of the key pair that struck first
        actors = model.actor_list
        self.pairs = [(a.aid, b) for a in actors for b in a.spec.adversaries]
        self._pair_rows = np.array([model.actors[a].index for a, _ in self.pairs], dtype=np.int64)
        self._pair_cols = np.array([model.actors[b].index for _, b in self.pairs], dtype=np.int64)
        self.posture_keys = [(a.aid, c) for a in model.posture_holders for c in a.posture]
        self.militia_ids = [m.aid for m in model.militias]

    # ----- writing the record -----
    def start_day(self) -> None:
        self.today[:] = 0

    def add(self, event: Event) -> None:
        self.events.append(event)
        if event.day < 1:
            return
        self.today[self._kind_index[event.kind]] += 1
        self.totals[event.kind] += 1
        self.by_side[event.actor][event.kind] += 1
        if self.first_day[event.kind] is None:
            self.first_day[event.kind] = event.day
        if self.direct_exchange_day is None and event.kind == "state_strike":
            sides = {
                self.model.actors[event.actor].state(),
                self.model.actors[event.target].state(),
            }
            if sides == set(self.model.key_pair):
                self.direct_exchange_day = event.day
                self.direct_exchange_by = self.model.actors[event.actor].state()

    def log_orders(
        self,
        day: int,
        orders: list[Order],
        by: str,
        reasons: Callable[[Order], dict[str, Any] | None] | None = None,
    ) -> None:
        """Log a side's orders of the day; a computer side's carry their reasons (its score,
        holding's score, the order's rung and each aim's contribution)."""
        for order in orders:
            entry = {"day": day, **order.to_dict(), "by": by}
            why = reasons(order) if reasons else None
            self.orders.append({**entry, **why} if why else entry)

    def note(self, day: int, text: str) -> None:
        self.notes.append((day, text))

    # ----- daily metrics -----
    def reporters(self) -> dict[str, Callable[[WargameModel], Any]]:
        """Model reporters for the DataCollector: a few vectors per day, each built anew (see
        ``DailyCollector``)."""
        return {
            "day": lambda m: m.day,
            "rung": lambda m: m.ladder.rung,
            "tension": lambda m: m.tension[m.record._pair_rows, m.record._pair_cols],
            "incidents": lambda m: m.record.today.copy(),
            "economy": lambda m: np.array(
                [
                    m.economy.offline_mbd,
                    m.economy.hormuz_mbd,
                    m.economy.red_sea_mbd,
                    m.economy.price_usd,
                    m.economy.exports_mbd,
                    m.economy.pain,
                    m.economy.risk,
                ]
            ),
            "convoys": lambda m: np.array(
                [m.corridor.sent, m.corridor.delivered, m.corridor.interdicted]
            ),
            "casualties": lambda m: np.array([a.casualties for a in m.actor_list]),
            "posture": lambda m: np.array(
                [m.actors[a].posture.get(c, 0) for a, c in m.record.posture_keys]
            ),
            "readiness": lambda m: np.array([a.readiness for a in m.posture_holders]),
            "militias": lambda m: np.array(
                [[a.capability, a.coordination] for a in m.militias]
            ).ravel(),
        }

    def columns(self) -> list[str]:
        m = self.model
        return [
            "day",
            "date",
            "rung",
            *(f"tension.{a}.{b}" for a, b in self.pairs),
            *(f"incidents.{k}" for k in self.kinds),
            *ECONOMY_COLUMNS,
            *CONVOY_COLUMNS,
            *(f"casualties.{a.aid}" for a in m.actor_list),
            *(f"posture.{a}.{c}" for a, c in self.posture_keys),
            *(f"readiness.{a.aid}" for a in m.posture_holders),
            *(
                f"{what}.{aid}"
                for aid in self.militia_ids
                for what in ("capability", "coordination")
            ),
        ]

    def daily_rows(self) -> list[list[Any]]:
        """One row per collected day (day 0 is the start), in the order of ``columns()``."""
        columns = [column.tolist() for column in self.daily_columns().values()]
        return [list(row) for row in zip(*columns, strict=True)]

    def daily_columns(self) -> dict[str, np.ndarray]:
        """The daily metrics column by column, as ``daily_rows`` has them (floats rounded to six
        decimals), built from the collected vectors without a Python value per cell."""
        data = self.model.datacollector.model_vars
        days = np.asarray(data["day"], dtype=np.int64)
        start = np.datetime64(self.model.start_date, "D")
        out: dict[str, np.ndarray] = {
            "day": days,
            "date": np.datetime_as_string(start + days),
            "rung": np.asarray(data["rung"], dtype=np.int64),
        }
        names = iter(self.columns()[3:])
        for family in FAMILIES:
            block = np.asarray(data[family]).reshape(len(days), -1)
            if block.dtype.kind == "f":
                block = rounded(block)
            for j in range(block.shape[1]):
                out[next(names)] = block[:, j]
        return out

    def daily(self) -> pd.DataFrame:
        """The daily metrics as a table, one row per day, one column per metric."""
        import pandas as pd

        return pd.DataFrame(self.daily_columns())

    # ----- the run as a whole -----
    def summary(self) -> dict[str, Any]:
        m = self.model
        economy = np.array(m.datacollector.model_vars["economy"])
        return {
            "scenario": m.loaded.name,
            "seed": m.seed,
            "days": m.day,
            "outcome": m.outcome(),
            "peak_rung": m.ladder.peak,
            "peak_rung_name": LADDER[Rung(m.ladder.peak)].title,
            "peak_day": m.ladder.peak_day,
            "final_rung": m.ladder.rung,
            "incidents": dict(self.totals),
            "incidents_by_side": {aid: dict(kinds) for aid, kinds in self.by_side.items()},
            "first_day": dict(self.first_day),
            "direct_exchange_day": self.direct_exchange_day,
            "direct_exchange_by": self.direct_exchange_by,
            "oil_offline_max_mbd": round(float(economy[:, 0].max()), 3),
            "hormuz_flow_min_mbd": round(float(economy[:, 1].min()), 3),
            "oil_price_max_usd": round(float(economy[:, 3].max()), 2),
            "convoys": {
                "sent": m.corridor.sent,
                "delivered": m.corridor.delivered,
                "interdicted": m.corridor.interdicted,
            },
            "casualties": {a.aid: a.casualties for a in m.actor_list},
            "crisis_killed": m.ladder.crisis_killed,
            "key_tension": {"start": round(m._tension_start, 4), "end": round(m.key_tension(), 4)},
            "scenario_sha256": m.loaded.sha256,
        }

    def events_jsonl(self) -> str:
        return "".join(json.dumps(e.to_dict(), sort_keys=True) + "\n" for e in self.events)

    def daily_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns())
        writer.writerows(self.daily_rows())
        return buffer.getvalue()

    def write(self, out_dir: Path) -> None:
        """Write summary.json, events.jsonl, daily.csv and orders.jsonl together (all of them
        or, if the disk fails, none); summary.json comes last, so its presence means the
        run's files are complete."""
        atomic.write_together(
            out_dir,
            {
                "events.jsonl": self.events_jsonl(),
                "daily.csv": self.daily_csv(),
                "orders.jsonl": "".join(json.dumps(o) + "\n" for o in self.orders),
                "summary.json": json.dumps(self.summary(), indent=2) + "\n",
            },
        )


class DailyCollector(mesa.DataCollector):
    """Mesa's collector of model reporters, less the deep copy it makes of each day's values:
    every reporter of ``Record.reporters`` builds new values each day, so no later change can
    reach them, and the copies cost about 2% of a day's step."""

    def collect(self, model: WargameModel) -> None:
        self._collection_steps.append(model.time)
        for var, reporter in self.model_reporters.items():
            self.model_vars[var].append(reporter(model))


def rounded(values: np.ndarray, digits: int = 6) -> np.ndarray:
    """Floats rounded exactly as ``round(x, digits)`` rounds them, for stable, readable files, in
    bulk. ``rint(x * 10**d) / 10**d`` gives the same double except where ``x * 10**d`` lies within
    a rounding error of a half (or is too large to hold a fraction): those few go through round().
    """
    scale = 10.0**digits
    scaled = values * scale
    out = np.rint(scaled) / scale
    with np.errstate(invalid="ignore"):  # inf - inf: caught below
        near = np.abs(scaled - np.floor(scaled) - 0.5) <= 4 * np.abs(np.spacing(scaled))
    near |= ~(np.abs(scaled) < 2.0**52)  # also nan and inf
    for i in np.flatnonzero(near):
        out.flat[i] = round(float(values.flat[i]), digits)
    return out
