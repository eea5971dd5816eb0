"""What every command reads the same way: scenario overrides, output folders, usage errors.

The command line (``wargame.cli``) turns its options into these plain values; the front ends
take the values, never the command line itself, so each can be called from Python too.
"""

from __future__ import annotations

import datetime as dt
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
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {path}: cannot create the folder: {exc.strerror}") from None
    return path


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
