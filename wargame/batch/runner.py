"""The ``wargame batch`` command: many seeded runs, on local processes or a Dask cluster.

Runs go out in blocks (see ``Plan.block_size``) to any ``concurrent.futures`` executor: a pool
of local processes, or a Dask cluster through its executor. Workers run each block (blocks.py,
sent through work.py, which a Dask scheduler can unpickle without importing the engine), and
send its results back as Parquet bytes, which this process writes to disk as they arrive
(batch_store.py), so workers need no shared disk and a kill loses only the runs in flight. A
run that raises is recorded with its error; a failing executor leaves its runs missing, for
``--resume``.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from wargame.batch import store as batch_store
from wargame.batch import work
from wargame.batch.blocks import Schemas, Task, daily_table, load
from wargame.batch.design import SAMPLED, Plan, Run
from wargame.batch.metrics import parse_metric
from wargame.batch.progress import Progress
from wargame.batch.summary import days_text, design_text, render
from wargame.core import atomic
from wargame.core.options import UsageError, output_folder

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
BLOCKS_PER_SLOT = 2  # blocks in flight per worker: enough to keep it busy, bounded memory
WORKER_WAIT_S = 30.0  # how long a batch waits for a Dask cluster without workers to get one
LISTEN_CHECK_S = 5.0  # how long to wait for a scheduler to connect and to greet, before the client
CONNECT_TIMEOUT = "10s"  # the Dask client's timeout, to connect and to reconnect
MAX_WORKERS = 256  # local processes: each holds a loaded model (about 150 MB)
PARENT_POLL_S = 0.5  # how often a local worker checks that the batch process is still there


def run_batch(
    plan: Plan,
    out: str | None = None,
    *,
    resume: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
) -> int:
    """``wargame batch``: run (or complete) a batch, print its summary; the exit status."""
    done = complete_batch(plan, out, resume=resume, workers=workers, scheduler=scheduler)
    if done is None:
        return 1
    folder, manifest, runs = done
    print(render(manifest, runs, batch_store.read_sensitivity(folder)))
    return report_failures(runs, folder)


def complete_batch(
    plan: Plan,
    out: str | None = None,
    *,
    resume: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    keep: tuple[str, ...] = (),
) -> tuple[Path, dict[str, Any], pd.DataFrame] | None:
    """Run (or complete) a batch: its folder, manifest and runs table; None, said on stderr,
    when its workers failed (the finished runs are kept for --resume). The table of a batch
    run here holds the columns its summary and analysis read, and those named with a prefix
    in ``keep`` (the rest are in its folder)."""
    if workers is not None and workers > MAX_WORKERS:
        raise UsageError(f"--workers {workers}: at most {MAX_WORKERS} local processes")
    folder = Path(out or f"runs/batch_{plan.name}")
    batch_store.check_folder(folder, resume)
    manifest = plan.manifest()
    if resume:
        batch_store.check_manifest(folder, manifest)
    if resume and batch_store.is_complete(folder):
        runs = batch_store.read_runs(folder).to_pandas()
        batch_store.check_runs(folder / batch_store.RUNS, runs, manifest)
        return folder, manifest, runs
    done: set[int] = set()
    if resume:
        done, dropped = batch_store.finished_blocks(folder)
        for line in dropped:
            print(f"warning: {line}", file=sys.stderr)
    todo = [b for b in range(_blocks(plan)) if b not in done]
    schemas = batch_schemas(plan, keep)
    gathered = batch_store.Gathered(schemas.runs, schemas.kept)
    broken = None
    if todo:
        with open_executor(len(todo), workers, scheduler) as pool:
            if not resume:
                batch_store.write_manifest(output_folder(folder), manifest)
            done_before = plan.total - _runs_in(plan, todo)
            print(_start_line(plan, manifest, folder, pool.where, done_before), file=sys.stderr)
            broken = execute(plan, folder, pool, todo, gathered, schemas)
    if broken:
        print(
            f"error: {broken}; finished runs are kept in {folder}: complete the batch with the "
            "same command and --resume",
            file=sys.stderr,
        )
        return None
    gathered.add_finished(folder, done)
    runs = gathered.table().to_pandas()
    finish(plan, folder, runs)
    batch_store.check_runs(folder / batch_store.RUNS, runs, manifest)
    return folder, manifest, runs


def _blocks(plan: Plan) -> int:
    return -(-plan.total // plan.block_size)


def _block_runs(plan: Plan, block: int) -> list[Run]:
    return plan.run_list[block * plan.block_size : (block + 1) * plan.block_size]


def _runs_in(plan: Plan, blocks: list[int]) -> int:
    return sum(len(_block_runs(plan, b)) for b in blocks)


def _start_line(plan: Plan, manifest: dict[str, Any], folder: Path, where: str, done: int) -> str:
    design = "" if plan.design == "grid" else f" ({design_text(manifest)})"
    resumed = f", {done} already done" if done else ""
    return (
        f"{plan.name}: {plan.total} runs of {days_text(manifest)}{design} on {where} "
        f"-> {folder}{resumed}"
    )


@dataclass(frozen=True)
class Workers:
    """Where the blocks run: the executor, how many blocks it runs at once, a few words saying
    where, and how to say in a few words why it failed."""

    executor: Executor
    slots: int
    where: str
    failure: Callable[[BaseException], str]


@contextmanager
def open_executor(
    blocks: int, workers: int | None = None, scheduler: str | None = None
) -> Iterator[Workers]:
    """The local pool (``workers`` processes, default all cores) or the Dask cluster at
    ``scheduler`` that runs the blocks."""
    if scheduler:
        with _dask(scheduler) as cluster:
            yield cluster
        return
    count = min(workers or os.cpu_count() or 1, blocks)
    os.environ.update(SINGLE_THREAD)  # inherited by the workers: one numeric thread each
    pool = ProcessPoolExecutor(
        count,
        mp_context=get_context("spawn"),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        where = f"{count} local process{'es' if count > 1 else ''}"
        yield Workers(pool, count, where, lambda exc: f"a local worker failed ({_why(exc)})")
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


@contextmanager
def _dask(address: str) -> Iterator[Workers]:
    """The Dask cluster at ``address``, once it has a worker; distributed's log kept to one
    line per warning while it is in use."""
    _check_scheduler(address)
    with _dask_log() as log:
        client = _connect(address)
        try:
            _await_worker(client, address)
            where = f"the Dask cluster at {address}"

            def failure(exc: BaseException) -> str:
                if client.status == "running" and not isinstance(exc, CancelledError):
                    return f"{where} failed a block ({_why(exc)})"
                reason = log.last_error or "the connection to its scheduler was lost"
                return f"{where} went away ({reason})"

            slots = max(sum(client.nthreads().values()), 1)
            yield Workers(client.get_executor(pure=False), slots, where, failure)
        finally:
            client.close()


def _check_scheduler(address: str) -> None:
    """Fail at once, in one line, unless a Dask scheduler could answer at ``address``: a scheme
    other than tcp:// or tls://, nothing listening (the Dask client would retry for its whole
    timeout), or a server that says nothing or something else (the client would wait past its
    timeout, or read the garbage as the size of a message to allocate)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"--scheduler {address}: expected tcp://HOST:PORT ({exc})") from None
    if scheme not in ("tcp", "tls"):
        raise UsageError(
            f"--scheduler {address}: {scheme}:// is not supported; give tcp://HOST:PORT "
            "(or tls://HOST:PORT)"
        )
    try:
        sock = socket.create_connection((host, port), timeout=LISTEN_CHECK_S)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise UsageError(f"--scheduler {address}: cannot connect: {reason}") from None
    with sock:
        if scheme == "tls":
            return  # its greeting comes after a TLS handshake: the client checks it
        try:
            greeted = _greets_like_dask(sock)
        except TimeoutError:
            raise UsageError(
                f"--scheduler {address}: no answer in {LISTEN_CHECK_S:g} s; is it a Dask scheduler?"
            ) from None
        except OSError as exc:
            raise UsageError(f"--scheduler {address}: cannot connect: {exc}") from None
    if not greeted:
        raise UsageError(f"--scheduler {address}: answers, but not as a Dask scheduler")


GREETING_MAX = 1 << 16  # bytes: a Dask server's first message (its handshake) is about 60


def _greets_like_dask(sock: socket.socket) -> bool:
    """Whether the server's first message is a Dask handshake: a length, a frame count, the
    frames' lengths and one msgpack table (distributed/comm/tcp.py), read with bounded sizes."""
    import msgpack

    total = int.from_bytes(_receive(sock, 8), "little")
    if not 16 <= total <= GREETING_MAX:
        return False
    body = _receive(sock, total)
    frames = int.from_bytes(body[:8], "little")
    if not 1 <= frames <= 16 or len(body) < 8 * (frames + 1):
        return False
    lengths = [int.from_bytes(body[8 * i : 8 * i + 8], "little") for i in range(1, frames + 1)]
    if 8 * (frames + 1) + sum(lengths) != total:
        return False
    try:
        hello = msgpack.unpackb(body[8 * (frames + 1) : 8 * (frames + 1) + lengths[0]])
    except (ValueError, msgpack.UnpackException):
        return False
    return isinstance(hello, dict) and "python" in hello


def _receive(sock: socket.socket, size: int) -> bytes:
    """``size`` bytes from the socket, or fewer if it closes first."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _connect(address: str) -> Any:
    from distributed import Client

    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--scheduler {address}: cannot connect: {exc}") from None


def _await_worker(client: Any, address: str) -> None:
    """Wait a bounded time for the cluster to have a worker: without one, its blocks would
    wait for ever, with no word said."""
    if client.nthreads():
        return
    print(
        f"waiting up to {WORKER_WAIT_S:g} s for a worker to join the Dask cluster at {address}",
        file=sys.stderr,
    )
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)
    except TimeoutError:
        raise UsageError(
            f"--scheduler {address}: no worker joined in {WORKER_WAIT_S:g} s; "
            f"start some with 'dask worker {address} --nthreads 1'"
        ) from None


class _DaskLog(logging.Handler):
    """distributed's log while a batch uses the cluster. A warning is printed in one line; an
    error (a lost scheduler comes with the traceback of each attempt to reconnect) is kept for
    the batch's own one-line message; anything less is dropped."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.last_error = ""

    def emit(self, record: logging.LogRecord) -> None:
        lines = record.getMessage().strip().splitlines()
        if not lines:
            return
        if record.levelno >= logging.ERROR:
            self.last_error = lines[0]
        else:
            tqdm.write(f"dask: {lines[0]}", file=sys.stderr)  # above the progress bar


@contextmanager
def _dask_log() -> Iterator[_DaskLog]:
    """Route every ``distributed`` logger to a ``_DaskLog`` for the duration, then restore
    them as distributed configured them."""
    import distributed  # noqa: F401 - configures its loggers first

    handler = _DaskLog()
    names = [n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] == "distributed"]
    loggers = [logging.getLogger(name) for name in names]
    saved = [(logger, logger.handlers[:], logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.handlers, logger.propagate = [], True
    top = logging.getLogger("distributed")
    top.handlers, top.propagate = [handler], False
    try:
        yield handler
    finally:
        for logger, handlers, propagate in saved:
            logger.handlers, logger.propagate = handlers, propagate


def _why(exc: BaseException) -> str:
    """An exception in a few words with its type, also one without a message (a cancelled
    future)."""
    text = batch_store.why(exc)
    return text if text == type(exc).__name__ else f"{type(exc).__name__}: {text}"


def execute(
    plan: Plan,
    folder: Path,
    workers: Workers,
    todo: list[int],
    gathered: batch_store.Gathered,
    schemas: Schemas,
) -> str | None:
    """Run the blocks, writing each as it finishes and gathering its rows; return why the
    executor failed, if it did."""
    queue = iter(todo)
    points = len(plan.design_points)
    futures: dict[Future[batch_store.BlockResult], int] = {}
    broken: str | None = None
    progress = Progress(plan.total, plan.name, initial=plan.total - _runs_in(plan, todo))
    try:
        while True:
            while broken is None and len(futures) < BLOCKS_PER_SLOT * workers.slots:
                block = next(queue, None)
                if block is None:
                    break
                runs = _block_runs(plan, block)
                task = Task(
                    plan.scenario, plan.overrides, runs, plan.daily, plan.flag, points, schemas
                )
                try:
                    futures[workers.executor.submit(work.run, pickle.dumps(task))] = block
                except Exception as exc:
                    broken = workers.failure(exc)
            if not futures:
                break
            finished, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in finished:
                block = futures.pop(future)
                try:
                    result = future.result()
                except Exception as exc:
                    broken = broken or workers.failure(exc)
                    continue
                batch_store.write_block(folder, block, result)
                gathered.add(batch_store.ipc_table(result.rows))
                progress.update(len(_block_runs(plan, block)), result.failed)
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


def batch_schemas(plan: Plan, keep: tuple[str, ...] = ()) -> Schemas:
    """The schemas of the batch's tables, from a model of the scenario at its start: its daily
    columns, and its summary's fields beside the keys' values as the design gives them."""
    from wargame.engine.model import WargameModel

    params = {key: [point[key] for point in plan.design_points] for key in plan.design_points[0]}
    start = WargameModel(load(plan.scenario, plan.overrides, None), seed=plan.seed)
    summary = batch_store.flatten(start.record.summary())
    runs = batch_store.runs_schema(params, summary)
    return Schemas(runs, daily_table(start.record, 0).schema, kept_columns(plan, runs, keep))


# The runs table's columns that the summary (summary.render), the analysis (sensitivity.py),
# and the checks of a finished batch read, besides the keys' values and the --metric columns.
SUMMARY_COLUMNS = frozenset(
    {
        "run",
        "point",
        "rep",
        "seed",
        "error",
        "days",
        "outcome",
        "peak_rung",
        "peak_day",
        "direct_exchange_day",
        "direct_exchange_by",
        "oil_offline_max_mbd",
        "hormuz_flow_min_mbd",
        "oil_price_max_usd",
    }
)
SUMMARY_PREFIXES = ("casualties.", "convoys.")


def kept_columns(plan: Plan, schema: pa.Schema, keep: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of the runs table that the batch process keeps in memory, of the hundreds
    of a run's row (each side's incidents...): at 100,000 runs all of them would take about
    0.2 GiB, and several times that as a pandas table."""
    wanted = SUMMARY_COLUMNS | set(plan.design_points[0])
    wanted |= {parse_metric(text).column for text in plan.metrics}
    prefixes = SUMMARY_PREFIXES + keep
    return tuple(name for name in schema.names if name in wanted or name.startswith(prefixes))


def finish(plan: Plan, folder: Path, runs: pd.DataFrame) -> None:
    """The batch's analysis, if its design asks for one; then the mark that it is complete."""
    if plan.design in SAMPLED:
        from wargame.batch.sensitivity import analyse

        found = analyse(plan, runs)
        atomic.write_text(folder / batch_store.SENSITIVITY, json.dumps(found, indent=2) + "\n")
    batch_store.finish(folder, plan.total)


def report_failures(runs: pd.DataFrame, folder: Path) -> int:
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
