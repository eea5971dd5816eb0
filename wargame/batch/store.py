"""A batch folder on disk, written so that a crash or a kill loses at most the runs in flight.

    manifest.json          what defines the batch (written first; a resume must match it)
    parts/block-N.*.parquet  each finished block of runs: its daily rows, then its runs rows
    daily.parquet          consolidated from the parts, sorted by run and day
    sensitivity.json       for --design sobol or morris
    runs.parquet           written last: its presence means the batch is complete

A block counts as finished once its runs part exists (it is written after its daily part).
Consolidation streams the parts in block order, so a resumed batch gives the same files as a
clean one, and holds no more than one row group of daily rows in memory.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Iterator
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
PARTS = "parts"
COMPRESSION = "zstd"
ROW_GROUP_ROWS = 1 << 16
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
    """What a worker sends back for a block of runs: Parquet bytes, ready to be written."""

    failed: int  # how many of its runs raised
    runs: bytes
    daily: bytes | None


def table_from_rows(rows: list[dict[str, Any]]) -> pa.Table:
    """A table with a column for every key of any row (a failed run's row has fewer keys)."""
    names = list(dict.fromkeys(key for row in rows for key in row))
    return pa.table({name: [row.get(name) for row in rows] for name in names})


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
    for name in (MANIFEST, RUNS):
        if not (folder / name).is_file():
            raise UsageError(
                f"{folder}: no {name}; give a folder written by a finished 'wargame batch' "
                "(complete an interrupted one with --resume)"
            )
    manifest = read_manifest(folder)
    with reading(folder / RUNS):
        runs = pq.read_table(folder / RUNS).to_pandas()
    check_runs(folder / RUNS, runs, manifest)
    return manifest, runs


def is_complete(folder: Path) -> bool:
    return (folder / RUNS).is_file()


def _part(folder: Path, block: int, table: str) -> Path:
    return folder / PARTS / f"block-{block:06d}.{table}.parquet"


def finished_blocks(folder: Path) -> tuple[set[int], list[str]]:
    """Blocks whose results are on disk, and a line for each block dropped because a part of it
    is not readable Parquet: its parts are removed, so that its runs are run again (they give
    the same rows, from the same seeds). Leftovers of writes cut short are removed too."""
    parts = folder / PARTS
    if not parts.is_dir():
        return set(), []
    for leftover in parts.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    finished, dropped = set(), []
    for runs in _blocks(folder, "runs"):
        block = int(runs.name.split(".")[0].removeprefix("block-"))
        daily = _part(folder, block, "daily")
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


def _read_part[T](path: Path, read: Callable[[Path], T]) -> T:
    """A part file read, or one line naming it and saying how to recover."""
    with reading(path, PART_ADVICE):
        return read(path)


def why(exc: BaseException) -> str:
    """An exception in a few words: its message's first line, or its type when it has none."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def write_block(folder: Path, block: int, result: BlockResult) -> None:
    if result.daily is not None:
        atomic.write_bytes(_part(folder, block, "daily"), result.daily)
    atomic.write_bytes(_part(folder, block, "runs"), result.runs)


def _blocks(folder: Path, table: str) -> list[Path]:
    return sorted((folder / PARTS).glob(f"block-*.{table}.parquet"))


def _unified(paths: list[Path]) -> pa.Schema:
    """One schema for all parts: a column missing from a part is null there, an integer column
    that is fractional elsewhere becomes floating point, and a column with no value at all is
    stored as integers (the summary fields that can be empty are days)."""
    schemas = [_read_part(path, pq.read_schema) for path in paths]
    schema = pa.unify_schemas(schemas, promote_options="permissive")
    return pa.schema(
        [
            f.with_type(pa.string() if f.name == "error" else pa.int64())
            if pa.types.is_null(f.type)
            else f
            for f in schema
        ]
    )


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    if table.schema.equals(schema):
        return table
    for f in schema:
        if f.name not in table.column_names:
            table = table.append_column(f.name, pa.nulls(len(table), f.type))
    return table.select(schema.names).cast(schema)


def write_daily(folder: Path) -> None:
    """Stream every block's daily rows into daily.parquet, in row groups of about
    ``ROW_GROUP_ROWS`` rows, holding no more than one row group in memory."""
    paths = _blocks(folder, "daily")
    if not paths:
        return
    schema = _unified(paths)
    floats = [f.name for f in schema if pa.types.is_floating(f.type)]
    options = {
        "compression": COMPRESSION,
        # Metrics change little from day to day: split floats into byte planes, which
        # compress a third smaller; the other columns are dictionary-encoded as usual.
        "use_byte_stream_split": floats,
        "use_dictionary": [f.name for f in schema if f.name not in floats],
    }
    with (
        atomic.replacing(folder / DAILY) as tmp,
        pq.ParquetWriter(tmp, schema, **options) as writer,
    ):
        group: list[pa.Table] = []
        for i, path in enumerate(paths):
            group.append(_conform(_read_part(path, pq.read_table), schema))
            if sum(len(t) for t in group) >= ROW_GROUP_ROWS or i == len(paths) - 1:
                table = pa.concat_tables(group)
                writer.write_table(table, row_group_size=len(table))
                group = []


def read_runs(folder: Path) -> pa.Table:
    """Every finished run's row (small: one row per run), sorted by run."""
    paths = _blocks(folder, "runs")
    tables = [_read_part(path, pq.read_table) for path in paths]
    table = pa.concat_tables(tables, promote_options="permissive")
    return _conform(table, _unified(paths)).sort_by("run")


def finish(folder: Path, runs: pa.Table) -> None:
    """Write runs.parquet, which marks the batch complete, then drop the consolidated parts
    and whatever an earlier, interrupted consolidation left behind."""
    atomic.write_bytes(folder / RUNS, parquet_bytes(runs))
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink()
    parts = folder / PARTS
    if parts.is_dir():
        trash = folder / f".{PARTS}.consolidated"
        shutil.rmtree(trash, ignore_errors=True)
        parts.rename(trash)
        shutil.rmtree(trash)
