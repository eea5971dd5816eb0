"""Batch experiments: seeds independent of workers and executors, sweeps, resume after a kill,
failed runs, bad input, a real Dask cluster, sensitivity designs, and the HTML report."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import REPO, batch_cli, run_cli, same_files

from wargame.batch import blocks, sensitivity
from wargame.batch import runner as batch
from wargame.batch.design import MORRIS_MEANING, make_plan, run_seed
from wargame.batch.store import flatten
from wargame.batch.summary import render
from wargame.cli import main
from wargame.core.scenario import load_scenario
from wargame.engine.model import WargameModel
from wargame.reports import charts as report_charts

SMALL = ["may2019", "--runs", "12", "--days", "30", "--seed", "7"]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean 12-run batch on two local processes, which other tests compare against."""
    out = tmp_path_factory.mktemp("small") / "batch"
    result = batch_cli(*SMALL, "--workers", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_table_is_the_same_whatever_the_workers_and_equals_serial_runs(
    small: Path, tmp_path: Path
) -> None:
    one = tmp_path / "one"
    assert batch_cli(*SMALL, "--workers", "1", "--out", str(one)).returncode == 0
    same_files(small, one)

    runs = pd.read_parquet(small / "runs.parquet")
    assert list(runs["run"]) == list(range(12))
    assert runs["error"].isna().all()
    daily = pq.read_table(small / "daily.parquet").to_pandas()
    loaded = load_scenario("may2019", {"scenario.days": 30})
    for i, row in runs.iterrows():
        seed = run_seed(7, i)
        assert row["seed"] == seed
        record = WargameModel(loaded, seed=seed).run()
        for key, expected in flatten(record.summary()).items():
            got = row[key]
            assert (expected is None and pd.isna(got)) or got == expected, (i, key)
        expected_daily = record.daily()
        got_daily = daily[daily["run"] == i].drop(columns="run").reset_index(drop=True)
        pd.testing.assert_frame_equal(got_daily, expected_daily, check_dtype=False)
    assert list(daily.groupby("run")["day"].apply(list)) == [list(range(31))] * 12


def test_each_table_is_a_folder_of_parts_of_one_schema_read_in_run_order(small: Path) -> None:
    for name, rows in (("runs.parquet", 1), ("daily.parquet", 31)):
        parts = sorted((small / name).glob("block-*.parquet"))
        assert [p.name for p in parts] == [f"block-{b:06d}.parquet" for b in range(12)], name
        schemas = {pq.read_schema(part) for part in parts}
        assert len(schemas) == 1, name
        table = pq.read_table(small / name)
        assert table.column("run").to_pylist() == [run for run in range(12) for _ in range(rows)]
    assert json.loads((small / "complete.json").read_text()) == {"runs": 12}
    assert sorted(p.name for p in small.iterdir()) == [
        "complete.json", "daily.parquet", "manifest.json", "runs.parquet"
    ]  # fmt: skip


def test_sweep_crosses_values_and_summarises_each(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = batch_cli(
        "may2019", "--runs", "3", "--days", "20", "--no-daily", "--out", str(out),
        "--sweep", "actors.iran.resolve=0.3,0.9", "--sweep", "actors.us.resolve=0.5,0.8",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 12 and not (out / "daily.parquet").exists()
    combos = list(zip(runs["actors.iran.resolve"], runs["actors.us.resolve"], strict=True))
    assert combos[:4] == [(0.3, 0.5), (0.3, 0.8), (0.9, 0.5), (0.9, 0.8)]
    assert combos == combos[:4] * 3
    assert runs.groupby("actors.iran.resolve")["scenario_sha256"].nunique().tolist() == [2, 2]
    for heading in ("By actors.iran.resolve", "By actors.us.resolve"):
        assert heading in result.stdout
    table = result.stdout.split("By actors.iran.resolve")[1].splitlines()
    assert table[2].split()[:2] == ["0.3", "6"] and table[3].split()[:2] == ["0.9", "6"]


@pytest.mark.slow
def test_killed_batch_resumes_without_losing_or_repeating_runs(tmp_path: Path) -> None:
    args = ["may2019", "--runs", "40", "--days", "30", "--workers", "1"]
    out = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "wargame", "batch", *args, "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes the workers too
    )
    deadline = time.monotonic() + 120
    while len(list((out / "runs.parquet").glob("block-*.parquet"))) < 5:
        assert process.poll() is None and time.monotonic() < deadline, "batch ended early"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept = len(list((out / "runs.parquet").glob("block-*.parquet")))
    assert 5 <= kept < 40 and not (out / "complete.json").exists()

    result = batch_cli(*args, "--out", str(out), "--resume")
    assert result.returncode == 0, result.stderr
    assert f"{kept} already done" in result.stderr
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs["run"]) == list(range(40))
    clean = tmp_path / "clean"
    assert batch_cli(*args, "--out", str(clean)).returncode == 0
    same_files(out, clean)

    again = batch_cli(*args, "--out", str(out), "--resume")
    assert again.returncode == 0 and "Outcomes" in again.stdout
    same_files(out, clean)


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Whether a process exists and has not exited (a zombie waits only to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_a_batch_killed_outright_leaves_no_local_worker_behind(tmp_path: Path) -> None:
    out = tmp_path / "orphans"
    process = subprocess.Popen(
        [sys.executable, "-m", "wargame", "batch", "may2019", "--runs", "400", "--days", "30",
         "--workers", "2", "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, to clean up whatever the test leaves
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not list((out / "runs.parquet").glob("block-*.parquet")):
            assert process.poll() is None and time.monotonic() < deadline, "batch ended early"
            time.sleep(0.05)
        workers = _children(process.pid)  # two workers and multiprocessing's resource tracker
        assert len(workers) >= 2
        process.kill()  # the batch alone, as kill -9 PID does
        process.wait()
        deadline = time.monotonic() + 60  # a liveness bound, not a measure of speed
        while left := {pid for pid in workers if _running(pid)}:
            assert time.monotonic() < deadline, f"processes left behind: {left}"
            time.sleep(0.1)
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def threads(blocks, workers=None, scheduler=None):
    """In-process workers, so that a test can replace what a run does."""
    with ThreadPoolExecutor(2) as pool:
        yield batch.Workers(pool, 2, "2 threads", lambda exc: f"a thread failed ({exc!r})")


def test_a_failing_run_is_recorded_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    real = blocks.simulate
    bad = run_seed(1, 3)

    def simulate(scenario, overrides, seed, given=None):
        if seed == bad:
            raise ZeroDivisionError("the umpire divided by zero")
        return real(scenario, overrides, seed, given)

    monkeypatch.setattr(batch, "open_executor", threads)
    monkeypatch.setattr(blocks, "simulate", simulate)
    out = tmp_path / "failing"
    code = main(["batch", "may2019", "--runs", "8", "--days", "10", "--out", str(out)])
    assert code == 1
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 8
    assert runs.loc[3, "error"] == "ZeroDivisionError: the umpire divided by zero"
    assert pd.isna(runs.loc[3, "outcome"])
    assert runs.drop(index=3)["error"].isna().all() and runs.drop(index=3)["outcome"].notna().all()
    assert set(pq.read_table(out / "daily.parquet", columns=["run"])["run"].to_pylist()) == (
        set(range(8)) - {3}
    )
    err = capsys.readouterr().err
    assert "1 of 8 runs failed" in err and "run 3" in err


def test_a_batch_where_every_run_fails_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def simulate(scenario, overrides, seed, given=None):
        raise ValueError("no way")

    monkeypatch.setattr(batch, "open_executor", threads)
    monkeypatch.setattr(blocks, "simulate", simulate)
    out = tmp_path / "hopeless"
    assert main(["batch", "may2019", "--runs", "3", "--days", "5", "--out", str(out)]) == 1
    assert "No run finished" in capsys.readouterr().out
    assert pd.read_parquet(out / "runs.parquet")["error"].eq("ValueError: no way").all()
    assert main(["report", str(out)]) == 2


def lose_a_block(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run a small batch whose executor loses the block of run 5 (exit 1), then let blocks run
    normally again; return the batch's command for a --resume."""
    real = blocks.run_block

    def run_block(task):
        if task.runs[0].index == 5:
            raise MemoryError("worker lost")
        return real(task)

    monkeypatch.setattr(batch, "open_executor", threads)
    monkeypatch.setattr(blocks, "run_block", run_block)
    args = ["batch", *SMALL, "--out", str(folder)]
    assert main(args) == 1
    monkeypatch.setattr(blocks, "run_block", real)
    return args


def test_a_failing_executor_leaves_runs_missing_for_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    args = lose_a_block(tmp_path / "broken", monkeypatch)
    assert "--resume" in capsys.readouterr().err
    assert not (tmp_path / "broken" / "complete.json").exists()
    assert main([*args, "--resume"]) == 0
    clean = tmp_path / "clean"
    assert main(["batch", *SMALL, "--out", str(clean)]) == 0
    same_files(tmp_path / "broken", clean)


BAD = {
    "unknown sweep key": (["--sweep", "actors.iran.resolv=0.3,0.9"], "--sweep actors.iran.resolv"),
    "unknown vary key": (
        ["--design", "morris", "--vary", "actors.iran.resolv=0.1:0.9"],
        "--vary actors.iran.resolv",
    ),
    "sweep value out of range": (["--sweep", "actors.iran.resolve=0.3,1.5"], "less than or equal"),
    "sweep without values": (["--sweep", "actors.iran.resolve"], "expected KEY=V1,V2"),
    "empty sweep value": (["--sweep", "actors.iran.resolve=0.3,,0.9"], "an empty value"),
    "vary not numbers": (["--design", "morris", "--vary", "actors.iran.resolve=a:b"], "numbers"),
    "vary reversed": (["--design", "morris", "--vary", "actors.iran.resolve=0.9:0.1"], "below"),
    "fractional days": (
        ["--design", "morris", "--vary", "rules.decisions.memory_days=0.5:60"],
        "valid integer",
    ),
    "sobol without vary": (["--design", "sobol", "--runs", "16"], "needs at least one --vary"),
    "vary without design": (["--vary", "actors.iran.resolve=0.1:0.9"], "--design lhs, sobol or"),
    "sobol not a power of 2": (
        ["--design", "sobol", "--vary", "actors.iran.resolve=0.1:0.9"],
        "power of 2",
    ),
    "bad set": (["--set", "actors.iran.resolve"], "expected KEY=VALUE"),
    "a value inside a range": (
        ["--design", "morris", "--runs", "4", "--vary", "map.resolution_deg=0.125:0.25"],
        "--vary map.resolution_deg: input should be 0.25 or 0.125 (got 0.16666",
    ),
    "too many runs": (["--runs", "1000000000000"], "would make 1,000,000,000,000 runs"),
    "too many sensitivity runs": (
        ["--design", "sobol", "--runs", str(2**40), "--vary", "actors.iran.resolve=0.1:0.9"],
        "more than 100,000",
    ),
    "too many combinations": (
        ["--sweep", "actors.iran.resolve=" + ",".join(f"0.{i:04d}" for i in range(1, 9000))],
        "would make 107,988 runs",
    ),
    "too many workers": (["--workers", "100000"], "--workers 100000: at most 256 local processes"),
    "a swept value twice": (
        ["--sweep", "actors.iran.resolve=1,1.0"],
        "--sweep actors.iran.resolve=1,1.0: 1 and 1.0 are the same value",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_clear_line_and_writes_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    extra, message = BAD[case]
    out = tmp_path / "never"
    assert main(["batch", "may2019", "--runs", "12", "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert not out.exists()


def test_every_bad_value_a_design_draws_is_found_and_named_once_per_key(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "never"
    args = ["batch", "may2019", "--runs", "8", "--design", "sobol", "--out", str(out)]
    ranges = ["--vary", "map.resolution_deg=0.125:0.25", "--vary", "actors.iran.resolve=0.2:1.3"]
    assert main([*args, *ranges]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2, err
    assert err[0].startswith("error: --vary map.resolution_deg: input should be 0.25 or 0.125")
    assert err[0].endswith("(and 15 more of the 16 values it takes)")
    assert err[1].startswith("error: --vary actors.iran.resolve: input should be less than")
    assert not out.exists()


def test_a_run_error_names_the_option_that_gave_its_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = blocks.simulate

    def simulate(scenario, overrides, seed, given=None):  # a swept value gone bad in the worker
        return real(scenario, {**overrides, "actors.iran.resolve": 7.0}, seed, given)

    monkeypatch.setattr(batch, "open_executor", threads)
    monkeypatch.setattr(blocks, "simulate", simulate)
    out = tmp_path / "named"
    args = ["batch", "may2019", "--runs", "1", "--sweep", "actors.iran.resolve=0.3,0.9"]
    assert main([*args, "--days", "3", "--out", str(out)]) == 1
    errors = pd.read_parquet(out / "runs.parquet")["error"]
    assert errors.eq(
        "--sweep actors.iran.resolve: input should be less than or equal to 1 (got 7.0)"
    ).all()


def test_the_summary_says_in_how_many_runs_a_metric_has_a_value() -> None:
    runs = pd.DataFrame(
        {
            "run": [0, 1, 2],
            "error": [None, None, None],
            "outcome": ["contained"] * 3,
            "peak_rung": [4, 5, 6],
            "direct_exchange_day": [12.0, None, 30.0],
        }
    )
    manifest = {"scenario_name": "x", "days": 40, "seed": 1, "design": "grid", "sweep": {}}
    manifest["runs"] = 3
    text = render({**manifest, "vary": {}}, runs, None)
    line = next(ln for ln in text.splitlines() if "first direct strike" in ln)
    assert line.endswith("in 2 of 3 runs"), line
    peak = next(ln for ln in text.splitlines() if ln.strip().startswith("peak rung"))
    assert " in " not in peak


def test_a_folder_is_not_overwritten_nor_resumed_with_other_arguments(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    before = {p: p.read_bytes() for p in small.rglob("*") if p.is_file()}
    assert main(["batch", *SMALL, "--out", str(small)]) == 2
    assert "already holds a batch; add --resume" in capsys.readouterr().err
    assert main(["batch", *SMALL[:-1], "8", "--out", str(small), "--resume"]) == 2
    assert "differs in: seed" in capsys.readouterr().err
    assert before == {p: p.read_bytes() for p in small.rglob("*") if p.is_file()}

    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main(["batch", *SMALL, "--out", str(other)]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert main(["batch", *SMALL, "--out", str(tmp_path / "none"), "--resume"]) == 2
    assert "no batch to resume" in capsys.readouterr().err
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_resume_takes_the_same_batch_however_its_options_are_ordered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(batch, "open_executor", threads)
    iran, us = ["--set", "actors.iran.resolve=0.8"], ["--set", "actors.us.resolve=0.6"]
    args = ["batch", "may2019", "--runs", "2", "--days", "3", "--out", str(tmp_path / "b")]
    assert main([*args, *iran, *us]) == 0
    path = str(REPO / "configs" / "may2019.toml")
    assert main([args[0], path, *args[2:], *us, *iran, "--resume"]) == 0
    assert main([*args, *us, "--set", "actors.iran.resolve=0.7", "--resume"]) == 2
    assert "differs in: scenario_sha256, set)" in capsys.readouterr().err
    sweeps = ["--sweep", "actors.iran.resolve=0.3,0.9", "--sweep", "actors.us.resolve=0.5,0.8"]
    args[-1] = str(tmp_path / "s")
    assert main([*args, *sweeps]) == 0
    assert main([*args, *sweeps[2:], *sweeps[:2], "--resume"]) == 2  # another run list
    assert "differs in: sweep)" in capsys.readouterr().err


def test_the_command_line_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    result = batch_cli("may2019", "--runs", "4", "--sweep", "actors.iran.resolv=1,2")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: --sweep actors.iran.resolv: unknown key")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dask_processes(logs: Path, workers: int) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real Dask scheduler on 127.0.0.1 with ``workers`` single-threaded workers (0 for a
    cluster that never gets one); yields its address and the scheduler's process."""
    dask = shutil.which("dask", path=str(Path(sys.executable).parent))
    if dask is None:
        pytest.skip("the 'dask' command is not installed next to this Python")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs.mkdir(parents=True, exist_ok=True)
    common = {"cwd": logs, "stdout": subprocess.DEVNULL, "start_new_session": True}
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stderr=open(logs / "scheduler.log", "w"),  # noqa: SIM115
            **common,
        )
    ]
    try:
        if workers:
            command = [dask, "worker", address, "--nworkers", str(workers), "--nthreads", "1"]
            procs.append(
                subprocess.Popen(
                    [*command, "--no-dashboard"],
                    stderr=open(logs / "worker.log", "w"),  # noqa: SIM115
                    **common,
                )
            )
        from distributed import Client

        try:
            with Client(address, timeout="30s") as client:
                if workers:
                    client.wait_for_workers(workers, timeout=60)
        except Exception as exc:
            log = "".join(p.read_text() for p in sorted(logs.glob("*.log")))
            pytest.skip(f"a Dask scheduler and worker could not start: {exc}\n{log[-2000:]}")
        yield address, procs[0]
    finally:
        for proc in procs:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Dask scheduler and one single-threaded worker on 127.0.0.1."""
    with dask_processes(tmp_path_factory.mktemp("dask"), workers=1) as (address, _):
        yield address


def test_a_dask_cluster_gives_the_same_table(
    small: Path, dask_cluster: str, tmp_path: Path
) -> None:
    out = tmp_path / "dask"
    result = batch_cli(*SMALL, "--scheduler", dask_cluster, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"the Dask cluster at {dask_cluster}" in result.stderr
    same_files(small, out)
    from distributed import Client

    def profiling(dask_worker) -> list[str]:
        return sorted({"profile", "profile-cycle"} & set(dask_worker.periodic_callbacks))

    with Client(dask_cluster, timeout="30s") as client:
        # the worker's statistical profiler, which costs it 15% of its CPU, stopped for the batch
        assert list(client.run(profiling).values()) == [[]]


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "nowhere"
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = batch_cli(*SMALL, "--scheduler", address, "--out", str(out))
    assert result.returncode == 2
    # refused by the port at once, not timed out by the Dask client's retries
    assert result.stderr == f"error: --scheduler {address}: cannot connect: Connection refused\n"
    assert not out.exists()


@contextmanager
def impostor(greeting: bytes | None) -> Iterator[str]:
    """A server on 127.0.0.1 that accepts connections and sends ``greeting`` (or nothing), then
    holds them open: what a scheduler address may turn out to be."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            if greeting is not None:
                conn.sendall(greeting)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()
        for conn in held:
            conn.close()


SCHEDULERS = {
    "silent": (None, "no answer in 5 s; is it a Dask scheduler?"),
    "a web server": (b"HTTP/1.1 400 Bad Request\r\n\r\n", "answers, but not as a Dask scheduler"),
    "a huge size": (b"\xff" * 64, "answers, but not as a Dask scheduler"),
}


@pytest.mark.parametrize("case", list(SCHEDULERS))
def test_a_scheduler_address_that_is_no_dask_scheduler_is_one_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    greeting, words = SCHEDULERS[case]
    out = tmp_path / "never"
    with impostor(greeting) as address:
        assert main(["batch", *SMALL, "--scheduler", address, "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: --scheduler {address}: {words}\n"
    assert not out.exists()


@pytest.mark.parametrize("address", ["ucx://127.0.0.1:8786", "inproc://x", "tcp://host:port"])
def test_a_scheduler_address_of_another_kind_is_one_line(
    address: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "never"
    assert main(["batch", *SMALL, "--scheduler", address, "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: --scheduler {address}: ")
    assert "not supported" in line or "expected tcp://HOST:PORT" in line
    assert not out.exists()


def test_a_scheduler_that_dies_mid_batch_is_one_line_and_the_runs_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "lost"
    with dask_processes(tmp_path / "dask", workers=1) as (address, scheduler):
        process = subprocess.Popen(
            [sys.executable, "-m", "wargame", "batch", "may2019", "--runs", "400", "--days", "30",
             "--scheduler", address, "--out", str(out)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while len(list((out / "runs.parquet").glob("block-*.parquet"))) < 2:
            assert process.poll() is None and time.monotonic() < deadline, "batch ended early"
            time.sleep(0.05)
        os.killpg(scheduler.pid, signal.SIGKILL)
        _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    lines = [line for line in err.strip().splitlines() if " runs (" not in line]  # progress
    assert len(lines) == 2 and lines[0].startswith("may2019: 400 runs"), err
    assert lines[1].startswith(f"error: the Dask cluster at {address} went away ("), err
    assert lines[1].endswith(f"finished runs are kept in {out}: complete the batch with the "
                             "same command and --resume")  # fmt: skip
    assert list((out / "runs.parquet").glob("block-*.parquet"))
    assert not (out / "complete.json").exists()


def test_a_cluster_without_workers_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(batch, "WORKER_WAIT_S", 1.0)
    out = tmp_path / "idle"
    with dask_processes(tmp_path / "dask", workers=0) as (address, _):
        assert main(["batch", *SMALL, "--scheduler", address, "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"waiting up to 1 s for a worker to join the Dask cluster at {address}",
        f"error: --scheduler {address}: no worker joined in 1 s; "
        f"start some with 'dask worker {address} --nthreads 1'",
    ]
    assert not out.exists()


@pytest.mark.parametrize(
    ("design", "runs", "total", "keys"),
    [
        ("sobol", 4, 16, {"S1", "S1_conf", "ST", "ST_conf"}),
        ("morris", 3, 9, {"mu_star", "mu_star_conf", "sigma", "mu"}),
    ],
)
def test_sensitivity_designs_write_their_indices(
    design: str, runs: int, total: int, keys: set[str], tmp_path: Path
) -> None:
    out = tmp_path / design
    result = batch_cli(
        "may2019", "--runs", str(runs), "--days", "40", "--design", design, "--no-daily",
        "--vary", "actors.iran.resolve=0.2:0.9", "--vary", "rules.decisions.memory_days=10:60",
        "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Sensitivity" in result.stdout
    table = pd.read_parquet(out / "runs.parquet")
    assert len(table) == total
    assert table["actors.iran.resolve"].between(0.2, 0.9).all()
    days = table["rules.decisions.memory_days"]
    assert days.between(10, 60).all() and (days == days.round()).all()
    found = json.loads((out / "sensitivity.json").read_text())
    assert found["design"] == design
    assert list(found["factors"]) == ["actors.iran.resolve", "rules.decisions.memory_days"]
    assert set(found["outcomes"]) >= {"peak_rung", "direct_exchange", "hormuz_flow_min_mbd"}
    for result in found["outcomes"].values():
        if "constant" not in result:
            assert set(result) == keys
            for values in result.values():
                assert set(values) == set(found["factors"])
                assert all(v is None or math.isfinite(v) for v in values.values())


def test_report_is_one_self_contained_html_file(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run_cli("report", str(small), "--out", str(out), cwd=REPO)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("src='data:image/png;base64,") >= 5
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page
    for text in ("not predictions", "Outcomes", "Escalation over time", "Key metrics"):
        assert text in page
    assert json.loads((small / "manifest.json").read_text())["scenario_sha256"] in page


def test_report_of_a_sensitivity_batch_shows_the_indices(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "morris"
    result = batch_cli(
        "may2019", "--runs", "2", "--days", "20", "--design", "morris",
        "--vary", "actors.iran.resolve=0.2:0.9", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "moves 2/3 of its range" in result.stdout
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2>Sensitivity</h2>" in page and "Outcome shares by actors.iran.resolve" in page
    assert MORRIS_MEANING in page
    for broken in (
        '{"design": "morris"}',
        '{"design": "morris", "factors": {}, "outcome_labels": {}}',
    ):
        (out / "sensitivity.json").write_text(broken)
        assert main(["report", str(out)]) == 2
        assert capsys.readouterr().err.startswith(
            f"error: {out / 'sensitivity.json'}: not a batch's indices ("
        )


def test_morris_mu_star_is_the_change_over_a_keys_whole_range() -> None:
    """What the summary, the report and the docs say mu* measures, checked against SALib on an
    outcome that is linear in the keys."""
    plan = make_plan(
        "may2019",
        runs=4,
        design="morris",
        varies=["actors.iran.resolve=0.2:0.9", "rules.decisions.memory_days=10:60"],
    )
    x = plan.design_matrix()
    moves = np.abs(np.diff(x.reshape(4, 3, 2), axis=1)) / [0.7, 50]  # within each trajectory
    assert np.unique(moves.round(9)).tolist() == [0, round(2 / 3, 9)]
    found = sensitivity._indices(plan, "morris", 3 * x[:, 0] - 0.1 * x[:, 1])
    assert found["mu_star"]["actors.iran.resolve"] == pytest.approx(3 * 0.7)
    assert found["mu_star"]["rules.decisions.memory_days"] == pytest.approx(0.1 * 50)
    assert "2/3 of its range" in MORRIS_MEANING
    assert "moves a key 2/3 of its range" in (REPO / "docs" / "batch.md").read_text()


def test_a_delta_index_that_cannot_be_smoothed_is_said_not_computed() -> None:
    """A rare outcome (a direct exchange in 4 of 24 points, eight keys varied) leaves SALib's
    kernel estimate with a singular matrix: the batch says so for that metric and goes on."""
    keys = [
        "rules.decisions.rationality=5:40",
        "rules.decisions.action_cost=0.1:0.6",
        "rules.decisions.rung_cost=0.05:0.3",
        "actors.saudi.campaigns.air_war.every_days=1.5:4.5",
        "actors.houthis.campaigns.war_with_the_coalition.every_days=2:6",
        "actors.israel.campaigns.between_the_wars.every_days=2:6",
        "actors.pij.campaigns.gaza_rounds.every_days=10:90",
        "actors.pmu.campaigns.us_out_of_iraq.weight=0.4:1.6",
    ]
    plan = make_plan("baseline_2018", runs=24, reps=5, varies=keys, design="lhs", seed=2)
    y = np.zeros(24)
    y[[5, 14, 15, 16]] = 0.2
    found = sensitivity._indices(plan, "delta", y)
    assert found["error"].startswith("not computed: the values are too few or too alike")


REPORT_OUT = {
    "a batch file": ("{batch}/manifest.json", "give a file name ending in .html"),
    "a batch table": ("{batch}/runs.parquet", "is a folder"),
    "below a file": ("{batch}/manifest.json/report.html", "manifest.json is a file, not a folder"),
    "a folder": ("{batch}", "is a folder"),
    "a place that takes no file": ("/proc/report.html", "cannot write in /proc"),
}


@pytest.mark.parametrize("case", list(REPORT_OUT))
def test_report_refuses_an_out_it_must_not_or_cannot_write(
    case: str, small: Path, capsys: pytest.CaptureFixture
) -> None:
    if case == "a place that takes no file" and not Path("/proc/self").exists():
        pytest.skip("needs /proc")
    before = {p: p.read_bytes() for p in small.rglob("*") if p.is_file()}
    out, message = REPORT_OUT[case]
    assert main(["report", str(small), "--out", out.format(batch=small)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: --out ") and message in err[0], err
    assert before == {p: p.read_bytes() for p in small.rglob("*") if p.is_file()}


def test_unreadable_tables_are_named_in_one_line(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(small, folder)
    (folder / "daily.parquet" / "block-000000.parquet").write_bytes(b"")
    assert main(["report", str(folder)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {folder / 'daily.parquet'}: cannot be read ("), line
    assert "Parquet file size is 0 bytes" in line, line
    (folder / "runs.parquet" / "block-000000.parquet").write_text("not a table")
    assert main(["report", str(folder)]) == 2
    assert main(["batch", *SMALL, "--out", str(folder), "--resume"]) == 2
    for line in capsys.readouterr().err.splitlines():
        assert line.startswith(f"error: {folder / 'runs.parquet'}: cannot be read ("), line
    assert not (folder / "report.html").exists()


def test_resume_runs_again_a_block_whose_part_is_not_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    args = lose_a_block(tmp_path / "broken", monkeypatch)
    broken = tmp_path / "broken"
    (broken / "runs.parquet" / "block-000001.parquet").write_bytes(b"")
    (broken / "daily.parquet" / "block-000002.parquet").write_text("PAR1 cut short")
    capsys.readouterr()
    assert main([*args, "--resume"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == [
        f"warning: {broken / t / f'block-00000{b}.parquet'}: not readable Parquet ({why}); "
        f"the runs of block {b} will be run again"
        for b, t, why in [
            (1, "runs.parquet", "Parquet file size is 0 bytes"),
            (2, "daily.parquet", "Parquet magic bytes not found in footer. Either the file is "
             "corrupted or this is not a parquet file."),
        ]
    ]  # fmt: skip
    clean = tmp_path / "clean"
    assert main(["batch", *SMALL, "--out", str(clean)]) == 0
    same_files(tmp_path / "broken", clean)


def test_report_refuses_a_folder_without_a_finished_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_runs_of_different_lengths_are_drawn_with_gaps_and_described_as_a_range(
    tmp_path: Path,
) -> None:
    out = tmp_path / "lengths"
    result = batch_cli(
        "may2019", "--runs", "2", "--sweep", "scenario.days=3,6", "--out", str(out)
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "4 runs of 3 to 6 days" in result.stderr and "4 runs of 3 to 6 days" in result.stdout
    assert main(["report", str(out)]) == 0
    assert "4 of 3 to 6 days" in (out / "report.html").read_text(encoding="utf-8")

    runs = pd.read_parquet(out / "runs.parquet")
    groups = [(str(d), g["run"].to_numpy()) for d, g in runs.groupby("scenario.days")]
    short, long = report_charts.rung_shares(out / "daily.parquet", groups, 6)
    assert np.isfinite(short[:4]).all() and np.isnan(short[4:]).all()
    assert np.isfinite(long).all() and (long[:, 0] == 1).all()  # every run is at rung 0 or above
    assert (np.diff(long, axis=1) <= 0).all()  # at or above a rung: fewer, the higher the rung


def test_a_manifest_or_table_of_another_shape_is_named_in_one_line(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Valid JSON of the wrong shape, or another table in runs.parquet: one line naming the file
    for report and for --resume, and nothing written."""
    folder = tmp_path / "copy"
    shutil.copytree(small, folder)
    manifest = folder / "manifest.json"
    good = manifest.read_text()
    for text, words in (
        ("[1, 2]", "not a batch's manifest (expected a table of keys, got list)"),
        ('{"scenario": 3}', "not a batch's manifest (command: required key is missing (and "),
        (good.replace('"design": "grid"', '"design": [1]'), "not a batch's manifest (design: "),
    ):
        manifest.write_text(text)
        for argv in (["report", str(folder)], ["batch", *SMALL, "--out", str(folder), "--resume"]):
            assert main(argv) == 2
            (line,) = capsys.readouterr().err.splitlines()
            assert line.startswith(f"error: {manifest}: {words}"), line
    manifest.write_text(good)
    shutil.rmtree(folder / "runs.parquet")
    shutil.copytree(folder / "daily.parquet", folder / "runs.parquet")
    assert main(["report", str(folder)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"error: {folder / 'runs.parquet'}: not the table of this batch's runs (no column seed, "
        "error)"
    )
    assert not (folder / "report.html").exists()


def test_a_swept_text_with_dollar_signs_is_drawn_as_plain_text(tmp_path: Path) -> None:
    """Labels are plain text: a '$' in a swept value is not matplotlib's mathematics (which
    these values would not even parse as)."""
    out = tmp_path / "dollars"
    sweep = "actors.us.name=$x_$,$\\frac$,US $5 and $6"
    assert main(["batch", "may2019", "--runs", "1", "--days", "3", "--sweep", sweep,
                 "--out", str(out)]) == 0  # fmt: skip
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "actors.us.name = [&#x27;$x_$&#x27;, &#x27;$\\\\frac$&#x27;" in page
