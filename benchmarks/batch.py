"""Batch speed and memory, measured on ``wargame batch`` as a user runs it.

Prints, in one run:
- runs per second of may2019 (365 days) with 1 and with 2 local workers, and their ratio;
- the wall time of a 1,000-run, 365-day batch of may2019;
- the peak memory (resident set of the command plus its workers) of a 10,000-run batch.
Targets (issue 5): at least 1.8x with 2 workers on 2 cores; the 1,000-run year in at most
3 minutes; the 10,000-run batch under 1 GiB.

By default the 10,000 runs last 30 days each, so that everything finishes in about ten minutes
on 2 cores; memory does not grow with the runs' length, because the daily tables are streamed
to disk. ``--memory-days 365`` measures the full year (about 25 minutes on 2 cores).

    python benchmarks/batch.py [--scaling-runs 160] [--runs 1000] [--memory-runs 10000]
                               [--memory-days 30] [--only scaling,year,memory]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

GIB = 1024**3


@dataclass
class Measure:
    seconds: float
    peak_bytes: int
    runs: int
    steady_rate: float  # runs per second between the first and the last block written

    @property
    def rate(self) -> float:
        return self.runs / self.seconds


def measure(runs: int, days: int, workers: int) -> Measure:
    """Run one batch in a fresh process; sample the memory of it and its workers, and count
    the blocks on disk to tell the steady rate from the start-up and the consolidation."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "b"
        command = [
            *(sys.executable, "-m", "wargame", "batch", "may2019", "--runs", str(runs)),
            *("--days", str(days), "--workers", str(workers), "--out", str(out)),
        ]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        parent = psutil.Process(process.pid)
        peak = 0
        seen: list[tuple[float, int]] = []  # (time, blocks on disk) whenever the count changes
        while process.poll() is None:
            peak = max(peak, _tree_rss(parent))
            blocks = len(list((out / "parts").glob("*.runs.parquet")))
            if blocks and (not seen or blocks > seen[-1][1]):
                seen.append((time.perf_counter(), blocks))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        if process.returncode != 0:
            raise SystemExit(f"batch failed ({process.returncode}): {process.stderr.read()}")
    manifest_block = max(1, min(16, runs // 200))  # as Plan.block_size
    (t0, b0), (t1, b1) = seen[0], seen[-1]
    steady = (b1 - b0) * manifest_block / (t1 - t0) if t1 > t0 else float("nan")
    return Measure(seconds, peak, runs, steady)


def _tree_rss(parent: psutil.Process) -> int:
    total = 0
    try:
        for proc in [parent, *parent.children(recursive=True)]:
            total += proc.memory_info().rss
    except psutil.NoSuchProcess:
        pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scaling-runs", type=int, default=160)
    parser.add_argument("--runs", type=int, default=1000, help="runs of the year-long batch")
    parser.add_argument("--memory-runs", type=int, default=10000)
    parser.add_argument("--memory-days", type=int, default=30)
    parser.add_argument("--only", default="scaling,year,memory", help="which measures to take")
    args = parser.parse_args()
    only = set(args.only.split(","))
    load = psutil.getloadavg()[0]
    print(f"{psutil.cpu_count()} cores; load average before starting: {load:.2f}")

    if "scaling" in only:
        one = measure(args.scaling_runs, 365, 1)
        two = measure(args.scaling_runs, 365, 2)
        print(
            f"{args.scaling_runs} runs of 365 days: {one.rate:.2f} runs/s with 1 worker, "
            f"{two.rate:.2f} runs/s with 2 workers: {two.rate / one.rate:.2f}x (target >= 1.8x); "
            f"start-up excluded: {one.steady_rate:.2f} and {two.steady_rate:.2f} runs/s, "
            f"{two.steady_rate / one.steady_rate:.2f}x"
        )
    if "year" in only:
        year = measure(args.runs, 365, 2)
        print(
            f"{args.runs} runs of 365 days on 2 workers: {year.seconds:.0f} s "
            f"({year.rate:.2f} runs/s; target <= 180 s for 1,000 runs); "
            f"peak memory {year.peak_bytes / GIB:.2f} GiB"
        )
    if "memory" in only:
        big = measure(args.memory_runs, args.memory_days, 2)
        print(
            f"{args.memory_runs} runs of {args.memory_days} days on 2 workers: "
            f"peak memory {big.peak_bytes / GIB:.2f} GiB, parent plus workers (target < 1 GiB); "
            f"{big.seconds:.0f} s"
        )
    print(f"load average at the end: {psutil.getloadavg()[0]:.2f} (other work skews the figures)")


if __name__ == "__main__":
    main()
