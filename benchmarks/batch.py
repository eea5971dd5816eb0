"""Batch speed and memory, measured on ``wargame batch`` as a user runs it, in CPU time.

The batch runs in this process (its parent, as the ``wargame batch`` command would be), on 2
local worker processes or on a real Dask cluster this script starts (``dask scheduler`` and two
``dask worker --nthreads 1 --no-nanny``). CPU time is counted with ``getrusage`` for this
process and its local workers, and with psutil for the Dask processes; memory is the sum of
the resident sets of the parent and every worker (and the scheduler), each process counted
once, sampled every 100 ms in a thread whose own CPU time is not counted as the parent's; each
process's share at the peak is printed too.
The parent's one-off imports (the engine, Dask's client: about 2 CPU seconds) are made before
measuring, so that the parent's figures are what grows with the runs; the workers' figures
include theirs.

Prints, in one run:
- ``throughput``: year-long runs of may2019 per CPU-second, parent and workers, construction
  and writing included (target >= 4, issue "Speed"), and the wall time of the batch;
- ``scale``: for each size in ``--scale-runs`` (30-day runs by default) and each executor, the
  parent's CPU ms per run (target <= 1), the workers' CPU ms per run, the wall time, and the
  peak memory of parent plus workers (target < 1 GiB), and what each further run costs the
  parent: flat figures as the runs grow show that nothing in the parent grows with them.

    python benchmarks/batch.py [--runs 200] [--scale-runs 2000,10000] [--scale-days 30]
                               [--executors local,dask] [--only throughput,scale]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from wargame.cli import main as wargame

GIB = 1024**3
DASK_NAMES = ["scheduler", "dask worker 1", "dask worker 2"]  # as dask_cluster starts them
BIN = Path(sys.executable).parent


@dataclass
class Measure:
    runs: int
    wall_s: float
    parent_cpu_s: float
    workers_cpu_s: float
    peak_bytes: int
    parts: dict[str, int]  # each process's resident set at the peak

    def line(self) -> str:
        return (
            f"{self.runs} runs: parent {1000 * self.parent_cpu_s / self.runs:.3f} CPU ms/run "
            f"(target <= 1), workers {1000 * self.workers_cpu_s / self.runs:.1f} CPU ms/run, "
            f"{self.wall_s:.0f} s wall, peak memory {self.peak_bytes / GIB:.2f} GiB "
            "(parent plus workers; target < 1 GiB)\n    at the peak: "
            + ", ".join(f"{name} {rss / 2**20:.0f} MiB" for name, rss in self.parts.items())
        )


class Peak:
    """The largest total resident set of this process, its children and ``others`` (named by
    ``names``), each process counted once, sampled every 100 ms in a thread; each process's
    share of it; and the CPU time that sampling took (not the batch's)."""

    def __init__(self, others: list[psutil.Process], names: list[str]) -> None:
        self.others, self.names = others, names
        self.bytes, self.parts, self.cpu_s, self._stop = 0, {}, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.1):
            named = {me.pid: ("parent", me)}
            for name, other in zip(self.names, self.others, strict=True):
                named[other.pid] = (name, other)
            for proc in [*_children(me), *(c for o in self.others for c in _children(o))]:
                named.setdefault(proc.pid, (f"child {len(named)}", proc))  # a local worker...
            parts = {name: _rss(proc) for name, proc in named.values()}
            if sum(parts.values()) > self.bytes:
                self.bytes, self.parts = sum(parts.values()), parts
        self.cpu_s = time.thread_time()

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _rss(proc: psutil.Process) -> int:
    try:
        return proc.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def _cpu(procs: list[psutil.Process]) -> float:
    """User plus system CPU seconds of long-lived processes (Dask's) and their children."""
    total = 0.0
    for proc in procs:
        for p in [proc, *_children(proc)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = p.cpu_times()
                total += times.user + times.system
    return total


def _rusage(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(runs: int, days: int, scheduler: str | None, cluster: list[psutil.Process]) -> Measure:
    """One batch of may2019 run from this process, on 2 local workers or on ``scheduler``."""
    with tempfile.TemporaryDirectory() as tmp:
        where = ["--scheduler", scheduler] if scheduler else ["--workers", "2"]
        argv = ["batch", "may2019", "--runs", str(runs), "--days", str(days)]
        argv += [*where, "--out", str(Path(tmp) / "b")]
        parent, children, remote = (
            _rusage(resource.RUSAGE_SELF),
            _rusage(resource.RUSAGE_CHILDREN),
            _cpu(cluster),
        )
        start = time.perf_counter()
        with (
            Peak(cluster, DASK_NAMES[: len(cluster)]) as peak,
            contextlib.redirect_stdout(io.StringIO()),
        ):
            code = wargame(argv)
        wall = time.perf_counter() - start
        if code != 0:
            raise SystemExit(f"batch failed ({code})")
        workers = _rusage(resource.RUSAGE_CHILDREN) - children + _cpu(cluster) - remote
        parent = _rusage(resource.RUSAGE_SELF) - parent - peak.cpu_s
        return Measure(runs, wall, parent, workers, peak.bytes, peak.parts)


@contextlib.contextmanager
def dask_cluster() -> Iterator[tuple[str, list[psutil.Process]]]:
    """A real Dask scheduler on 127.0.0.1 and two single-threaded workers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [
        subprocess.Popen(
            [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port)],
            **quiet,
        )
    ]
    try:
        from distributed import Client

        time.sleep(2)
        for _ in range(2):
            worker = [BIN / "dask", "worker", address, "--nthreads", "1", "--no-nanny"]
            procs.append(subprocess.Popen(worker, **quiet))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, [psutil.Process(p.pid) for p in procs]
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="year-long runs for throughput")
    parser.add_argument("--scale-runs", default="2000,10000")
    parser.add_argument("--scale-days", type=int, default=30)
    parser.add_argument("--executors", default="local,dask")
    parser.add_argument("--only", default="throughput,scale", help="which measures to take")
    args = parser.parse_args()
    import distributed  # noqa: F401 - the parent's one-off imports, before any measure

    import wargame.batch.runner
    import wargame.engine.model  # noqa: F401

    only, executors = set(args.only.split(",")), args.executors.split(",")
    print(f"{psutil.cpu_count()} cores; load average before starting: {psutil.getloadavg()[0]:.2f}")

    if "throughput" in only:
        year = measure(args.runs, 365, None, [])
        cpu = year.parent_cpu_s + year.workers_cpu_s
        print(
            f"throughput, {args.runs} runs of 365 days on 2 local workers: "
            f"{args.runs / cpu:.2f} runs per CPU-second, parent and workers, construction and "
            f"writing included (target >= 4); {year.wall_s:.0f} s wall"
        )
        print(f"  {year.line()}")
    if "scale" in only:
        sizes = [int(n) for n in args.scale_runs.split(",")]
        for executor in executors:
            print(f"scale, runs of {args.scale_days} days on {executor} (2 workers):")
            with contextlib.ExitStack() as stack:
                address, cluster = (
                    stack.enter_context(dask_cluster()) if executor == "dask" else (None, [])
                )
                taken = []
                for runs in sizes:
                    taken.append(measure(runs, args.scale_days, address, cluster))
                    print(f"  {taken[-1].line()}", flush=True)
                if len(taken) > 1:
                    first, last = taken[0], taken[-1]
                    more = (last.parent_cpu_s - first.parent_cpu_s) / (last.runs - first.runs)
                    print(
                        f"  each further run costs the parent {1000 * more:.3f} CPU ms "
                        f"(from {first.runs} to {last.runs} runs); the rest is a fixed cost of "
                        f"{first.parent_cpu_s - more * first.runs:.1f} CPU s a batch"
                    )
    print(f"load average at the end: {psutil.getloadavg()[0]:.2f} (other work skews wall times)")


if __name__ == "__main__":
    main()
