"""A batch folder on disk, written so that a crash or a kill loses at most the runs in flight.

    manifest.json                    what defines the batch (written first; a resume must match)
    daily.parquet/block-N.parquet    each finished block's daily rows, sorted by run and day
    runs.parquet/block-N.parquet     each finished block's runs, one row per run
    sensitivity.json                 for --design lhs, sobol or morris
    complete.json                    written last: its presence means the batch is complete

``runs.parquet`` and ``daily.parquet`` are partitioned Parquet datasets: folders of parts that
pyarrow, pandas, polars or DuckDB read as one table (``pd.read_parquet(folder / "runs.parquet")``),
in run order (the parts are named in block order). Every part of a table has the same schema,
fixed before the first run (``runs_schema``), so a reader need not look at every part. A block's
parts are written as the block arrives, daily first; a block counts as finished once its runs
part exists. Nothing is consolidated or read back at the end (the batch's summary comes from
the columns of the runs' rows it reads, gathered in memory as the blocks arrive), so finishing
a batch of 100,000 runs writes what finishing one of 10 does, and a resumed batch gives the
same parts as a clean one.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict

from wargame.core import atomic
from wargame.core.options import UsageError, check_writable
from wargame.core.validation import shape_problem

MANIFEST = "manifest.json"
RUNS = "runs.parquet"
DAILY = "daily.parquet"
SENSITIVITY = "sensitivity.json"
COMPLETE = "complete.json"
COMPRESSION = "zstd"
PART_ADVICE = "; delete it, and complete the batch with the same command and --resume"
# Manifest fields that follow from the others: named only when nothing else differs.
DERIVED = ("total_runs", "block_size", "run_list_sha256")
# Recorded for people, not compared: the same batch can be typed in many ways (--set in any
# order, a scenario by name or by path); its scenario_sha256 identifies the scenario.
UNCOMPARED = ("command", "scenario")
# Fields whose order is part of the batch: the order of the --sweep and --vary keys orders the
# combinations and the design's columns, so the run list.
ORDERED = ("sweep", "vary")


@dataclass(frozen=True)
class BlockResult:
    """What a worker sends back for a block of runs: Parquet bytes, ready to be written, and
    the columns of its runs' rows that the batch's summary reads, as Arrow IPC bytes (read
    without a copy: a pickled table of hundreds of columns costs several CPU ms a block to
    receive, its Parquet bytes tens)."""

    failed: int  # how many of its runs raised
    runs: bytes
    daily: bytes | None
    rows: bytes


def ipc_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def ipc_table(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


def runs_schema(params: dict[str, list[Any]], summary: dict[str, Any]) -> pa.Schema:
    """The schema of every part of a batch's runs table, fixed before any run: the run's
    numbers, its own values of the swept or varied keys (``params``: every value a key takes
    in the design), its error, and the fields of a run's summary (``summary``, flattened, as
    a run at its start has them; a field that is still empty there holds a day, or the side
    named by ``EMPTY_AT_START``)."""
    fields = [pa.field(name, pa.int64()) for name in ("run", "point", "rep", "seed")]
    fields += [pa.field(key, pa.array(values).type) for key, values in params.items()]
    fields.append(pa.field("error", pa.string()))
    named = {f.name for f in fields}
    for key, value in summary.items():
        if key not in named:  # the summary's seed is the run's
            kind = EMPTY_AT_START.get(key) if value is None else pa.array([value]).type
            fields.append(pa.field(key, kind or pa.int64()))
    return pa.schema(fields)


# Summary fields that are empty at a run's start and then hold something other than a day.
EMPTY_AT_START = {"direct_exchange_by": pa.string()}


def flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested summary fields as dotted columns, e.g. ``incidents.base_attack``."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression=COMPRESSION)
    return buffer.getvalue()


def check_folder(folder: Path, resume: bool) -> None:
    """Refuse a folder that is a file, or that already holds something when not resuming."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {folder}: exists and is not a folder")
    check_writable(folder)
    if resume:
        if not (folder / MANIFEST).is_file():
            raise UsageError(f"--resume: {folder} holds no batch to resume (no {MANIFEST})")
        return
    if not folder.exists() or not any(folder.iterdir()):
        return
    if (folder / MANIFEST).exists():
        raise UsageError(
            f"--out {folder}: already holds a batch; add --resume to complete it, "
            "or choose another folder"
        )
    raise UsageError(f"--out {folder}: is not empty; choose a new or empty folder")


class Manifest(BaseModel):
    """What a report and a resume read of a manifest: a file of another shape is refused."""

    model_config = ConfigDict(extra="allow")
    command: str
    scenario: str
    scenario_name: str
    scenario_sha256: str
    days: int
    set: dict[str, Any]
    sweep: dict[str, list[Any]]
    vary: dict[str, tuple[float, float]]
    design: str
    runs: int
    seed: int
    wargame_version: str


class Sensitivity(BaseModel):
    """What a report and a summary read of sensitivity.json."""

    model_config = ConfigDict(extra="allow")
    design: str
    factors: dict[str, tuple[float, float]]
    outcome_labels: dict[str, str]
    outcomes: dict[str, dict[str, Any]] | None = None
    error: str | None = None


def read_sensitivity(folder: Path) -> dict[str, Any] | None:
    """A sensitivity batch's indices (None for a grid), or one line saying what is wrong."""
    path = folder / SENSITIVITY
    if not path.exists():
        return None
    with reading(path):
        found = json.loads(path.read_text(encoding="utf-8"))
    problem = shape_problem(Sensitivity, found)
    if problem or ("outcomes" not in found and "error" not in found):
        raise UsageError(f"{path}: not a batch's indices ({problem or 'no outcomes'})")
    return found


# Columns of runs.parquet: of every run (besides its swept or varied keys), and of a finished one.
RUNS_COLUMNS = ("run", "seed", "error")
FINISHED_COLUMNS = ("days", "outcome", "peak_rung", "direct_exchange_day")


def read_manifest(folder: Path) -> dict[str, Any]:
    """A batch's manifest, or one line naming the file and what is wrong with it."""
    path = folder / MANIFEST
    with reading(path):
        stored = json.loads(path.read_text(encoding="utf-8"))
    problem = shape_problem(Manifest, stored)
    if problem:
        raise UsageError(f"{path}: not a batch's manifest ({problem})")
    return stored


def check_runs(path: Path, runs: pd.DataFrame, manifest: dict[str, Any]) -> None:
    """Refuse a runs table that is not this batch's (another table written over it)."""
    needed = [*RUNS_COLUMNS, *manifest["sweep"], *manifest["vary"]]
    if "error" in runs and runs["error"].isna().any():
        needed += FINISHED_COLUMNS
    missing = [name for name in needed if name not in runs]
    if missing:
        raise UsageError(
            f"{path}: not the table of this batch's runs (no column {', '.join(missing[:3])}"
            + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            + ")"
        )


def check_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """A batch is resumed only if it is the batch that was started: the same scenario, settings
    and run list, however its command line was typed."""
    stored = read_manifest(folder)
    differs = [
        key
        for key in manifest
        if key not in UNCOMPARED
        and _compared(key, stored.get(key)) != _compared(key, manifest[key])
    ]
    if differs:
        named = [key for key in differs if key not in DERIVED] or differs
        raise UsageError(
            f"--resume: {folder} holds a different batch (it differs in: {', '.join(named)}); "
            f"it was started with: {stored.get('command', '?')}"
        )


def _compared(key: str, value: Any) -> Any:
    """A manifest field as compared: a table whose order matters as its list of items."""
    return list(value.items()) if key in ORDERED and isinstance(value, dict) else value


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    atomic.write_text(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")


def read_batch(folder: Path) -> tuple[dict[str, Any], Any]:
    """The manifest and the runs table (pandas) of a finished batch, or one line saying why
    the folder holds none."""
    for name in (MANIFEST, COMPLETE):
        if not (folder / name).is_file():
            raise UsageError(
                f"{folder}: no {name}; give a folder written by a finished 'wargame batch' "
                "(complete an interrupted one with --resume)"
            )
    manifest = read_manifest(folder)
    runs = read_runs(folder).to_pandas()
    check_runs(folder / RUNS, runs, manifest)
    return manifest, runs


def is_complete(folder: Path) -> bool:
    return (folder / COMPLETE).is_file()


def _part(folder: Path, block: int, table: str) -> Path:
    return folder / table / f"block-{block:06d}.parquet"


def finished_blocks(folder: Path) -> tuple[set[int], list[str]]:
    """Blocks whose results are on disk, and a line for each block dropped because a part of it
    is not readable Parquet: its parts are removed, so that its runs are run again (they give
    the same rows, from the same seeds). Leftovers of writes cut short are removed too."""
    if not (folder / RUNS).is_dir():
        return set(), []
    for table in (RUNS, DAILY):
        for leftover in (folder / table).glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
    finished, dropped = set(), []
    for runs in _blocks(folder, RUNS):
        block = int(runs.name.split(".")[0].removeprefix("block-"))
        daily = _part(folder, block, DAILY)
        reason = _unreadable(runs) or (_unreadable(daily) if daily.exists() else None)
        if reason is None:
            finished.add(block)
            continue
        dropped.append(f"{reason}; the runs of block {block} will be run again")
        daily.unlink(missing_ok=True)
        runs.unlink()
    return finished, dropped


def _unreadable(path: Path) -> str | None:
    """Why a Parquet file cannot be read (its footer and schema), or None if it can."""
    try:
        pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        return f"{path}: not readable Parquet ({why(exc)})"
    return None


@contextmanager
def reading(path: Path, advice: str = "") -> Iterator[None]:
    """Reading a batch file, turn a failure (a zero-byte or corrupt Parquet or JSON file) into
    one line naming the file, instead of a library's traceback."""
    try:
        yield
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise UsageError(f"{path}: cannot be read ({why(exc)}){advice}") from None


def why(exc: BaseException) -> str:
    """An exception in a few words: its message's first line, or its type when it has none."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def write_block(folder: Path, block: int, result: BlockResult) -> None:
    if result.daily is not None:
        atomic.write_bytes(_part(folder, block, DAILY), result.daily)
    atomic.write_bytes(_part(folder, block, RUNS), result.runs)


def _blocks(folder: Path, table: str) -> list[Path]:
    return sorted((folder / table).glob("block-*.parquet"))


class Gathered:
    """The runs table gathered in memory as its blocks arrive, so that the end of a batch reads
    nothing back from disk (the 6,250 parts of a 100,000-run batch take several CPU ms each to
    read: 5 to 7 measured here). Only the ``kept`` columns: those the summary reads. Each
    ``MERGE_EVERY`` blocks become one table of one chunk, so that a table of 100,000 runs is a
    few dozen chunks, not thousands, and no block is copied twice."""

    MERGE_EVERY = 256

    def __init__(self, schema: pa.Schema, kept: tuple[str, ...]) -> None:
        self.schema = pa.schema([schema.field(name) for name in kept])
        self._merged: list[pa.Table] = []
        self._recent: list[pa.Table] = []

    def add(self, table: pa.Table) -> None:
        self._recent.append(table)
        if len(self._recent) >= self.MERGE_EVERY:
            self._merged.append(pa.concat_tables(self._recent).combine_chunks())
            self._recent = []

    def add_finished(self, folder: Path, blocks: set[int]) -> None:
        """The rows of blocks finished before a resume, read from their parts."""
        for block in sorted(blocks):
            path = _part(folder, block, RUNS)
            with reading(path, PART_ADVICE):
                self.add(pq.read_table(path, columns=self.schema.names).cast(self.schema))

    def table(self) -> pa.Table:
        """Every gathered run's row, sorted by run."""
        return pa.concat_tables(self._merged + self._recent).sort_by("run")


def read_runs(folder: Path) -> pa.Table:
    """Every finished run's row (small: one row per run), sorted by run."""
    with reading(folder / RUNS, PART_ADVICE):
        if not _blocks(folder, RUNS):
            raise OSError(f"no part in {folder / RUNS}")
        return pq.read_table(folder / RUNS).sort_by("run")


def batches(table: Path, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """A table (a batch's folder of parts, or one Parquet file) a record batch at a time, so
    that a table larger than memory can be read through."""
    import pyarrow.dataset as ds

    yield from ds.dataset(table, format="parquet").to_batches(columns=columns)


def finish(folder: Path, total: int) -> None:
    """Mark the batch complete: every block's parts are on disk."""
    atomic.write_text(folder / COMPLETE, json.dumps({"runs": total}) + "\n")
