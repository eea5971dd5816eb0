"""Atomic file writes: a reader sees the old file or the new one, never half of one.

A file is written beside its destination under a temporary name, flushed to the disk and moved
into place in one step; then the folder is flushed too, so that the move itself survives a
crash. Files that belong together (a run's record) are all written in full before any is moved
into place, so a failure (a full disk) changes none of them. A failure is one line naming the
file and the reason, and leaves no temporary file behind. A file gets the permissions an
ordinary new file would (0666 less the umask), so a report written here can be read by the
colleagues it is meant for, unless it is a secret (a classroom's tokens), which only its owner
may read from the moment it exists.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wargame.core.options import UsageError

_UMASK = os.umask(0)
os.umask(_UMASK)


class CannotWrite(UsageError):
    """A file could not be written: the disk is full, the folder read-only..."""


def _cannot(path: Path, exc: OSError) -> CannotWrite:
    return CannotWrite(f"{path}: cannot write: {exc.strerror or exc}")


def _temporary(path: Path) -> Path:
    """A new empty file beside ``path``, to write it through."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot(path, exc) from None
    os.close(fd)
    return Path(name)


def _settle(tmp: Path, mode: int | None = None) -> None:
    """A written temporary file flushed to the disk, with a new file's permissions (or
    ``mode``)."""
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    tmp.chmod(0o666 & ~_UMASK if mode is None else mode)


def _sync_folder(folder: Path) -> None:
    """Flush a folder, so that the files just moved into it stay there after a crash."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def replacing(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A temporary path to write ``path`` through; it replaces ``path`` when the block ends
    without error, and disappears otherwise (for writers that stream, such as Parquet). The
    temporary file is made readable by its owner only (mkstemp), and given ``mode`` or a new
    file's permissions once written."""
    tmp = _temporary(path)
    try:
        yield tmp
        _settle(tmp, mode)
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except OSError as exc:
        raise _cannot(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    with replacing(path, mode) as tmp:
        tmp.write_bytes(data)


def write_text(path: Path, text: str, mode: int | None = None) -> None:
    write_bytes(path, text.encode("utf-8"), mode)


def write_together(folder: Path, texts: dict[str, str]) -> None:
    """Write files that belong together into ``folder``, all or none: each is written in full
    under a temporary name first; only then are they moved into place, in the order given (so
    the last one's presence means the others are there)."""
    staged: list[tuple[Path, Path]] = []
    current = folder
    try:
        for name, text in texts.items():
            current = folder / name
            staged.append((_temporary(current), current))
            staged[-1][0].write_bytes(text.encode("utf-8"))
            _settle(staged[-1][0])
        for tmp, path in staged:
            current = path
            os.replace(tmp, path)
        current = folder
        _sync_folder(folder)
    except OSError as exc:
        raise _cannot(current, exc) from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
