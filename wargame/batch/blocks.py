"""A block of runs in a worker: the task it is sent, and the runs it makes of it, returned as
Parquet bytes (store.BlockResult). A run that raises is recorded with its error and the block
goes on; the worker frees its finished models every few runs, so that its memory stays flat.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from wargame.batch import store as batch_store
from wargame.batch.design import Run, given_by_flag
from wargame.core.scenario import LoadedScenario, ScenarioError, load_scenario
from wargame.engine.record import Record


@dataclass(frozen=True)
class Schemas:
    """The schemas of a batch's tables, fixed before its first run, so that every part of a
    table has the same one and a reader need not reconcile them; and the columns of the runs
    table that the batch process keeps for its summary (``kept``)."""

    runs: pa.Schema
    daily: pa.Schema
    kept: tuple[str, ...]

    def __reduce__(self) -> tuple[Any, tuple[bytes, bytes, tuple[str, ...]]]:
        # Sent with every block: as Arrow's bytes, which pickle as a copy, not as hundreds of fields
        # (about 1.8 CPU ms a block in the batch process).
        runs, daily = (s.serialize().to_pybytes() for s in (self.runs, self.daily))
        return _schemas, (runs, daily, self.kept)


@lru_cache(maxsize=4)  # a Dask worker may serve several batches
def _schemas(runs: bytes, daily: bytes, kept: tuple[str, ...]) -> Schemas:
    """Schemas from their bytes, read once in a worker for the whole batch."""
    read = pa.ipc.read_schema
    return Schemas(read(pa.py_buffer(runs)), read(pa.py_buffer(daily)), kept)


@dataclass(frozen=True)
class Task:
    """A block of runs, as sent to a worker."""

    scenario: str
    overrides: dict[str, Any]
    runs: list[Run]
    daily: bool
    flag: str  # the option that gave the runs' own values, to name in their errors
    points: int  # the design's points: run i replicates point i % points
    schemas: Schemas  # of the runs and daily tables, the same for every block


def run_block(task: Task) -> batch_store.BlockResult:
    """Run a block in a worker; a run that raises is recorded with its error and the block
    goes on."""
    rows, daily = [], []
    for i, run in enumerate(task.runs):
        row, table = _run_one(task, run)
        rows.append(row)
        if table is not None:
            daily.append(table)
        if i % COLLECT_EVERY == COLLECT_EVERY - 1 or i == len(task.runs) - 1:
            _free_models()
    table = pa.Table.from_pylist(rows, schema=task.schemas.runs)  # a failed run: summary null
    return batch_store.BlockResult(
        failed=sum(row["error"] is not None for row in rows),
        runs=batch_store.parquet_bytes(table),
        daily=batch_store.parquet_bytes(pa.concat_tables(daily)) if daily else None,
        rows=batch_store.ipc_bytes(table.select(task.schemas.kept)),
    )


COLLECT_EVERY = 4  # runs between collections in a worker: its memory stays flat, at less CPU


def _free_models() -> None:
    """Free the finished models, so that a worker's memory stays flat over thousands of runs:
    a model is a web of cycles (agents and model point at each other) that the collector would
    otherwise free only now and then. What was freed goes back to the system: the C allocator
    keeps what a thread freed (a Dask worker runs its blocks in a thread) in that thread's arena,
    and a worker's resident set grew with the runs (289 to 364 MiB from 2,000 to 6,000 runs)."""
    gc.collect()
    _freeze_once()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, where the C library has it (0.1 CPU ms a call, measured)."""
    return getattr(ctypes.CDLL(None), "malloc_trim", None)


@cache
def _freeze_once() -> None:
    """After a worker's first run, set aside for good what it has loaded (modules, the map, the
    scenario), so that the collection after each run need not go through it: 15 ms, not 60."""
    gc.freeze()


def _run_one(task: Task, run: Run) -> tuple[dict[str, Any], pa.Table | None]:
    """A run's summary row, and its daily table if the batch keeps them."""
    row: dict[str, Any] = {
        "run": run.index,
        "point": run.point(task.points),
        "rep": run.index // task.points,
        "seed": run.seed,
        **run.params,
        "error": None,
    }
    try:
        given = given_by_flag(task.flag, run.params)
        record = simulate(task.scenario, {**task.overrides, **run.params}, run.seed, given)
        daily = daily_table(record, run.index).cast(task.schemas.daily) if task.daily else None
    except ScenarioError as exc:
        row["error"] = "; ".join(exc.lines)
        return row, None
    except Exception as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"
        return row, None
    row.update(batch_store.flatten(record.summary()))
    return row, daily


def simulate(
    scenario: str, overrides: dict[str, Any], seed: int, given: dict[str, str] | None = None
) -> Record:
    """A run to its end; ``given`` names the options that gave overrides, for errors."""
    from wargame.engine.model import WargameModel

    return WargameModel(load(scenario, overrides, given), seed=seed).run()


_LOADED: dict[str, LoadedScenario] = {}
LOADED_KEPT = 16


def load(scenario: str, overrides: dict[str, Any], given: dict[str, str] | None) -> LoadedScenario:
    """Scenarios by their overrides, kept in the worker: each swept combination loads once."""
    key = repr((scenario, sorted(overrides.items())))
    if key not in _LOADED:
        if len(_LOADED) >= LOADED_KEPT:
            _LOADED.clear()
        _LOADED[key] = load_scenario(scenario, overrides, given)
    return _LOADED[key]


def daily_table(record: Record, run: int) -> pa.Table:
    """A run's daily metrics as a table, built column by column from the collected vectors."""
    columns = record.daily_columns()
    days = len(next(iter(columns.values())))
    return pa.table({"run": np.full(days, run, dtype=np.int64), **columns})
