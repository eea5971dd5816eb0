"""Shared helpers: scenario files written on the fly, and the real command line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """The ``wargame`` command as a user runs it, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "wargame", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


TABLES = ("runs.parquet", "daily.parquet")


def batch_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``wargame batch`` as a user runs it; it never shows a traceback."""
    result = run_cli("batch", *args, cwd=REPO, timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def same_files(a: Path, b: Path, names: tuple[str, ...] = TABLES) -> None:
    """The same files, byte for byte; a table is a folder of parts, compared part by part."""
    for name in names:
        if (a / name).is_dir():
            parts = sorted(p.name for p in (a / name).iterdir())
            assert parts and parts == sorted(p.name for p in (b / name).iterdir()), name
            for part in parts:
                assert (a / name / part).read_bytes() == (b / name / part).read_bytes(), part
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture
def scenario_file(tmp_path: Path):
    """Write a scenario file (dedented) and return its path."""

    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write
