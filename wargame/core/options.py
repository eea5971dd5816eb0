"""What every command reads the same way: scenario overrides, output folders, usage errors.

The command line (``wargame.cli``) turns its options into these plain values; the front ends
take the values, never the command line itself, so each can be called from Python too.
"""

from __future__ import annotations

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
