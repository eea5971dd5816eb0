"""What every command reads the same way: scenario overrides, output folders, usage errors.

The command line (``wargame.cli``) turns its options into these plain values; the front ends
take the values, never the command line itself, so each can be called from Python too.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wargame.core.scenario import parse_override


class UsageError(Exception):
    """A problem with what a command was asked to do, reported as one line."""


def overrides(sets: Iterable[str] = (), days: int | None = None) -> dict[str, Any]:
    """The scenario overrides of ``--set KEY=VALUE`` options and, where given, ``--days``."""
    pairs = dict(parse_override(text) for text in sets)
    if days is not None:
        pairs["scenario.days"] = days
    return pairs


def given_by(days: int | None = None) -> dict[str, str]:
    """The options other than --set that gave overrides, for naming them in errors."""
    return {"scenario.days": "--days"} if days is not None else {}


def output_folder(path: Path) -> Path:
    """An output folder, created if need be, or one clear line saying why it cannot be."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {path}: exists and is not a folder")
    check_writable(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {path}: cannot create the folder: {exc.strerror}") from None
    return path


def check_writable(path: Path, name: str | None = None) -> None:
    """Fail now, in one line (``name``, by default ``--out PATH``, and why), where a folder
    could not be written later: the nearest folder on its way that exists must take a file."""
    name = name or f"--out {path}"
    existing = next(p for p in (path.absolute(), *path.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise UsageError(f"{name}: {existing} is a file, not a folder")
    try:
        fd, name = tempfile.mkstemp(prefix=".wargame-check-", dir=existing)
        try:
            os.write(fd, b"\n")
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as exc:
        raise UsageError(f"{name}: cannot write in {existing}: {exc.strerror}") from None


# The file by which each command's folder is known (a classroom game's folder also holds a
# run's record, so game.json is looked for first).
MADE_BY = {
    "game.json": "a classroom game ('wargame classroom')",
    "manifest.json": "a batch ('wargame batch')",
    "summary.json": "a run ('wargame run')",
}
RUN = MADE_BY["summary.json"]


def made_by(folder: Path) -> str | None:
    """Which command made ``folder``, if one did."""
    return next((what for name, what in MADE_BY.items() if (folder / name).exists()), None)


def refuse_made_by(folder: Path, *allowed: str) -> None:
    """Never write into a folder another command made (a run over a classroom game, say)."""
    made = made_by(folder)
    if made is not None and made not in allowed:
        raise UsageError(f"--out {folder}: holds {made}; choose another folder")


# TOML's dates and times, which JSON lacks, tagged so that overrides handed on as JSON (to the
# dashboard's page, in a saved game) come back as the values they were.
_TIMES: dict[str, type[dt.date] | type[dt.time]] = {
    "$datetime": dt.datetime,
    "$date": dt.date,
    "$time": dt.time,
}


def to_json(value: Any) -> Any:
    """``json.dumps``'s ``default``: a date or a time as a one-key table naming its type."""
    for tag, kind in _TIMES.items():
        if isinstance(value, kind):
            return {tag: value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not a scenario value")


def from_json(table: dict[str, Any]) -> Any:
    """``json.loads``'s ``object_hook``: the dates and times of ``to_json`` back."""
    if len(table) == 1:
        ((tag, text),) = table.items()
        if tag in _TIMES and isinstance(text, str):
            return _TIMES[tag].fromisoformat(text)
    return table
