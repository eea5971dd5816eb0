"""The ``wargame batch`` command: many seeded runs, on local processes or a Dask cluster.

Runs go out in blocks (see ``Plan.block_size``) to any ``concurrent.futures`` executor: a pool
of local processes, or a Dask cluster through its executor. Workers send each block's results
back as Parquet bytes and this process writes them to disk as they arrive (batch_store.py), so
workers need no shared disk and a kill loses only the runs in flight. A run that raises is
recorded with its error; a failing executor leaves its runs missing, for ``--resume``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from wargame import atomic, batch_store
from wargame.batch_summary import days_text, render
from wargame.cli import UsageError, output_folder
from wargame.design import Plan, Run, plan_from_args
from wargame.record import Record
from wargame.scenario import LoadedScenario, ScenarioError, load_scenario

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
BLOCKS_PER_SLOT = 2  # blocks in flight per worker: enough to keep it busy, bounded memory
PARENT_POLL_S = 0.5  # how often a local worker checks that the batch process is still there


@dataclass(frozen=True)
class Task:
    """A block of runs, as sent to a worker."""

    scenario: str
    overrides: dict[str, Any]
    runs: list[Run]
    daily: bool


def run_block(task: Task) -> batch_store.BlockResult:
    """Run a block in a worker; a run that raises is recorded with its error and the block
    goes on."""
    rows, daily = [], []
    for run in task.runs:
        row, table = _run_one(task, run)
        rows.append(row)
        if table is not None:
            daily.append(table)
        _free_model()
    return batch_store.BlockResult(
        failed=sum(row["error"] is not None for row in rows),
        runs=batch_store.parquet_bytes(batch_store.table_from_rows(rows)),
        daily=batch_store.parquet_bytes(pa.concat_tables(daily, promote_options="permissive"))
        if daily
        else None,
    )


def _free_model() -> None:
    """Free a finished model at once, so that a worker's memory stays flat over thousands of
    runs: a model is a web of cycles (agents and model point at each other) that the collector
    would otherwise free only now and then."""
    gc.collect()
    _freeze_once()


@cache
def _freeze_once() -> None:
    """After a worker's first run, set aside for good what it has loaded (modules, the map, the
    scenario), so that the collection after each run need not go through it: 15 ms, not 60."""
    gc.freeze()


def _run_one(task: Task, run: Run) -> tuple[dict[str, Any], pa.Table | None]:
    """A run's summary row, and its daily table if the batch keeps them."""
    row: dict[str, Any] = {"run": run.index, "seed": run.seed, **run.params, "error": None}
    try:
        record = simulate(task.scenario, {**task.overrides, **run.params}, run.seed)
    except Exception as exc:
        row["error"] = _describe(exc)
        return row, None
    row.update(flatten(record.summary()))
    return row, daily_table(record, run.index) if task.daily else None


def simulate(scenario: str, overrides: dict[str, Any], seed: int) -> Record:
    from wargame.model import WargameModel

    return WargameModel(_load(scenario, overrides), seed=seed).run()


_LOADED: dict[str, LoadedScenario] = {}
LOADED_KEPT = 16


def _load(scenario: str, overrides: dict[str, Any]) -> LoadedScenario:
    """Scenarios by their overrides, kept in the worker: each swept combination loads once."""
    key = repr((scenario, sorted(overrides.items())))
    if key not in _LOADED:
        if len(_LOADED) >= LOADED_KEPT:
            _LOADED.clear()
        _LOADED[key] = load_scenario(scenario, overrides)
    return _LOADED[key]


def _describe(exc: Exception) -> str:
    if isinstance(exc, ScenarioError):
        return "; ".join(exc.lines)
    return f"{type(exc).__name__}: {exc}"


def flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested summary fields as dotted columns, e.g. ``incidents.base_attack``."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def daily_table(record: Record, run: int) -> pa.Table:
    rows = record.daily_rows()
    columns = dict(zip(record.columns(), map(list, zip(*rows, strict=True)), strict=True))
    return pa.table({"run": [run] * len(rows), **columns})


# ----- the command -----
def cmd_batch(args: argparse.Namespace) -> int:
    plan = plan_from_args(args)
    folder = Path(args.out or f"runs/batch_{plan.name}")
    batch_store.check_folder(folder, args.resume)
    manifest = plan.manifest()
    if args.resume:
        batch_store.check_manifest(folder, manifest)
    complete = args.resume and batch_store.is_complete(folder)
    done = set() if complete or not args.resume else batch_store.finished_blocks(folder)
    todo = [] if complete else [b for b in range(_blocks(plan)) if b not in done]
    broken = None
    if todo:
        with open_executor(args, len(todo)) as (executor, slots, where):
            if not args.resume:
                batch_store.write_manifest(output_folder(folder), manifest)
            done_before = plan.total - _runs_in(plan, todo)
            print(_start_line(plan, manifest, folder, where, done_before), file=sys.stderr)
            broken = execute(plan, folder, executor, slots, todo)
    if broken:
        print(f"error: {broken}", file=sys.stderr)
        return 1
    if not complete:
        consolidate(plan, folder)
    runs = pd.read_parquet(folder / batch_store.RUNS)
    print(render(manifest, runs, _sensitivity(folder)))
    return _report_failures(runs, folder)


def _blocks(plan: Plan) -> int:
    return -(-plan.total // plan.block_size)


def _block_runs(plan: Plan, block: int) -> list[Run]:
    return plan.run_list[block * plan.block_size : (block + 1) * plan.block_size]


def _runs_in(plan: Plan, blocks: list[int]) -> int:
    return sum(len(_block_runs(plan, b)) for b in blocks)


def _start_line(plan: Plan, manifest: dict[str, Any], folder: Path, where: str, done: int) -> str:
    design = "" if plan.design == "grid" else f" ({plan.design} design, N={plan.runs})"
    resumed = f", {done} already done" if done else ""
    return (
        f"{plan.name}: {plan.total} runs of {days_text(manifest)}{design} on {where} "
        f"-> {folder}{resumed}"
    )


@contextmanager
def open_executor(args: argparse.Namespace, blocks: int) -> Iterator[tuple[Executor, int, str]]:
    """The executor, how many blocks it runs at once, and a few words saying where it runs."""
    if args.scheduler:
        client = _connect(args.scheduler)
        try:
            slots = max(sum(client.nthreads().values()), 1)
            yield client.get_executor(pure=False), slots, f"the Dask cluster at {args.scheduler}"
        finally:
            client.close()
        return
    workers = min(args.workers or os.cpu_count() or 1, blocks)
    os.environ.update(SINGLE_THREAD)  # inherited by the workers: one numeric thread each
    pool = ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        yield pool, workers, f"{workers} local process{'es' if workers > 1 else ''}"
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _exit_with_parent(parent: int) -> None:
    """Pool initializer: end this worker as soon as the batch process is gone. A batch killed
    outright (kill -9) cannot shut its pool down, and its workers would live on, blocked on the
    pipe to it, each holding a loaded model's memory."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _connect(address: str) -> Any:
    from distributed import Client

    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--scheduler {address}: cannot connect: {exc}") from None


def execute(
    plan: Plan, folder: Path, executor: Executor, slots: int, todo: list[int]
) -> str | None:
    """Run the blocks, writing each as it finishes; return why the executor failed, if it did."""
    queue = iter(todo)
    futures: dict[Future[batch_store.BlockResult], int] = {}
    broken: str | None = None
    failed = 0
    progress = tqdm(
        total=plan.total,
        initial=plan.total - _runs_in(plan, todo),
        unit="run",
        desc=plan.name,
        disable=None,
        file=sys.stderr,
    )
    try:
        while True:
            while broken is None and len(futures) < BLOCKS_PER_SLOT * slots:
                block = next(queue, None)
                if block is None:
                    break
                task = Task(plan.scenario, plan.overrides, _block_runs(plan, block), plan.daily)
                try:
                    futures[executor.submit(run_block, task)] = block
                except Exception as exc:
                    broken = _lost(exc)
            if not futures:
                break
            finished, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in finished:
                block = futures.pop(future)
                try:
                    result = future.result()
                except Exception as exc:
                    broken = broken or _lost(exc)
                    continue
                batch_store.write_block(folder, block, result)
                failed += result.failed
                progress.update(len(_block_runs(plan, block)))
                if failed:
                    progress.set_postfix(failed=failed)
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: finished runs are kept in {folder}; complete them with the "
            "same command and --resume",
            file=sys.stderr,
        )
        raise
    finally:
        progress.close()
    return broken


def _lost(exc: Exception) -> str:
    return (
        f"the executor failed ({type(exc).__name__}: {exc}); the runs it lost are missing: "
        "complete the batch with the same command and --resume"
    )


def consolidate(plan: Plan, folder: Path) -> None:
    """Parts to the final tables; runs.parquet last, as it marks the batch complete."""
    if plan.daily:
        batch_store.write_daily(folder)
    runs = batch_store.read_runs(folder)
    if plan.design != "grid":
        from wargame.sensitivity import analyse

        found = analyse(plan, runs.to_pandas())
        atomic.write_text(folder / batch_store.SENSITIVITY, json.dumps(found, indent=2) + "\n")
    batch_store.finish(folder, runs)


def _sensitivity(folder: Path) -> dict[str, Any] | None:
    path = folder / batch_store.SENSITIVITY
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _report_failures(runs: pd.DataFrame, folder: Path) -> int:
    errors = runs[runs["error"].notna()]
    if errors.empty:
        return 0
    first = errors.iloc[0]
    print(
        f"error: {len(errors)} of {len(runs)} runs failed (see the 'error' column of "
        f"{folder / batch_store.RUNS}); the first, run {first['run']}: {first['error']}",
        file=sys.stderr,
    )
    return 1
