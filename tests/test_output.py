"""What the commands write: never over what another command made, never half of it.

Each command refuses a folder or a file another command made; a folder it cannot write (read-only
or full) is refused in one line naming it and the reason, and leaves nothing half-written. Full
and read-only disks are real: small tmpfs mounts (so these tests need root; elsewhere they skip).
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import free_port
from conftest import run_cli

from wargame.classroom.game import Classroom
from wargame.cli import main
from wargame.core import atomic
from wargame.core.packs import load_pack

PACK = "prepare_for_proxy_war"


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture
def mount(tmp_path: Path) -> Iterator:
    """``mount(size, read_only)``: a fresh tmpfs of that size in KiB, optionally made read-only
    after ``fill`` has put files in it."""
    points: list[Path] = []

    def make(size_kib: int = 1024, read_only: bool = False, fill=None) -> Path:
        point = tmp_path / f"disk{len(points)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(point)],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            pytest.skip(f"needs to mount a tmpfs (as root): {done.stderr.strip()}")
        points.append(point)
        if fill is not None:
            fill(point)
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
        return point

    yield make
    for point in reversed(points):
        subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.fixture(scope="module")
def game(tmp_path_factory) -> Path:
    """A classroom game folder after one turn, as `wargame classroom` leaves it."""
    folder = tmp_path_factory.mktemp("game")
    classroom = Classroom(load_pack(PACK), seed=1, teams=["us"], folder=folder)
    classroom.advance(classroom.tokens["facilitator"], 1)
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch") / "b"
    assert main(["batch", "may2019", "--runs", "1", "--days", "2", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("run") / "r"
    assert main(["run", "may2019", "--days", "3", "--out", str(folder)]) == 0
    return folder


def one_error(capsys: pytest.CaptureFixture) -> str:
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: "), line
    return line


def test_a_run_never_writes_over_a_classroom_game(game, capsys):
    """A run of the class's scenario and seed would reproduce the start of its record: it is
    refused all the same, and the class's record is kept."""
    before = files(game)
    assert main(["run", "may2019", "--seed", "1", "--out", str(game)]) == 2
    assert one_error(capsys) == (
        f"error: --out {game}: holds a classroom game ('wargame classroom'); choose another folder"
    )
    assert files(game) == before


def test_a_classroom_never_writes_over_a_run_or_a_batch(run_folder, tmp_path):
    before = files(run_folder)
    port = str(free_port())
    done = run_cli("classroom", PACK, "--out", str(run_folder), "--port", port, timeout=60)
    assert done.returncode == 2 and done.stderr == (
        f"error: --out {run_folder}: holds a run ('wargame run'); choose another folder\n"
    )
    assert files(run_folder) == before
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "manifest.json").write_text("{}")
    done = run_cli("classroom", PACK, "--out", str(batch), "--port", port, timeout=60)
    assert done.returncode == 2 and "holds a batch ('wargame batch')" in done.stderr


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("game.json", "give a file name ending in .html"),
        ("events.jsonl", "give a file name ending in .html"),
        ("notes.txt", "give a file name ending in .html"),
        ("report.html", "exists and is not a debrief document"),
        ("page.html", "exists and is not a debrief document"),
    ],
)
def test_a_debrief_writes_only_an_html_file_and_never_over_another_document(
    game, tmp_path, capsys, name, words
):
    (tmp_path / "report.html").write_text("<!doctype html>\n<title>Batch report: x</title>")
    (tmp_path / "page.html").write_text("<p>a page of the user's</p>")
    out = game / name if name in ("game.json", "events.jsonl") else tmp_path / name
    before = out.read_bytes() if out.exists() else None
    assert main(["debrief", str(game), "--runs", "1", "--out", str(out)]) == 2
    line = one_error(capsys)
    assert line.startswith(f"error: --out {out}: ") and words in line
    assert (out.read_bytes() if out.exists() else None) == before


def test_a_report_never_writes_over_a_debrief(game, batch, tmp_path, capsys):
    debrief = tmp_path / "debrief.html"
    assert main(["debrief", str(game), "--runs", "1", "--out", str(debrief)]) == 0
    assert main(["debrief", str(game), "--runs", "1", "--out", str(debrief)]) == 0  # its own
    kept = debrief.read_bytes()
    capsys.readouterr()
    assert main(["report", str(batch), "--out", str(debrief)]) == 2
    assert "exists and is not a batch report document" in one_error(capsys)
    assert debrief.read_bytes() == kept


def test_a_read_only_folder_is_refused_in_one_line_before_any_work(mount, game, batch, capsys):
    """Every command that writes checks first that it can: one line naming the folder and the
    reason, and nothing written."""
    empty = mount(read_only=True)
    copied = mount(read_only=True, fill=lambda p: copy(game, p / "game"))
    reason = "Read-only file system"
    commands = [
        (["run", "may2019", "--days", "3", "--out", str(empty)], empty),
        (["run", "may2019", "--days", "3", "--out", str(empty / "new")], empty / "new"),
        (["batch", "may2019", "--runs", "1", "--days", "2", "--out", str(empty)], empty),
        (["debrief", str(copied / "game"), "--runs", "1"], copied / "game"),
        (["report", str(batch), "--out", str(empty / "r.html")], empty / "r.html"),
    ]
    for argv, named in commands:
        assert main(argv) == 2, argv
        line = one_error(capsys)
        assert str(named) in line and reason in line, line
    assert files(empty) == {}
    done = run_cli("classroom", PACK, "--out", str(empty), "--port", str(free_port()))
    assert done.returncode == 2 and done.stderr == (
        f"error: --out {empty}: cannot write in {empty}: {reason}\n"
    )


def copy(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target)


def test_a_full_disk_leaves_a_run_whole_or_not_at_all(mount, capsys):
    """A run that does not fit writes none of its files (no event log without its summary)."""
    disk = mount(size_kib=64)
    assert main(["run", "may2019", "--out", str(disk / "r")]) == 2
    line = one_error(capsys)
    assert line.startswith(f"error: {disk / 'r'}/") and "No space left on device" in line
    assert files(disk / "r") == {}  # no file, and no temporary one
    assert main(["run", "may2019", "--days", "2", "--out", str(disk / "small")]) == 0
    assert set(files(disk / "small")) == {
        "summary.json",
        "events.jsonl",
        "daily.csv",
        "orders.jsonl",
    }


def test_a_full_disk_stops_a_batch_report_or_debrief_in_one_line(mount, game, batch, capsys):
    """A batch keeps the blocks it finished (for --resume) and no part cut short; a document
    is written whole or not at all."""
    disk = mount(size_kib=128)
    out = disk / "batch"
    assert main(["batch", "may2019", "--runs", "20", "--days", "40", "--out", str(out)]) == 2
    line = capsys.readouterr().err.splitlines()[-1]
    assert line.startswith(f"error: {out}/") and "No space left on device" in line, line
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    assert not (out / "complete.json").exists()
    small = mount(size_kib=16)
    for argv, named in (
        (["debrief", str(game), "--runs", "1", "--out", str(small / "d.html")], small / "d.html"),
        (["report", str(batch), "--out", str(small / "r.html")], small / "r.html"),
    ):
        assert main(argv) == 2
        line = capsys.readouterr().err.splitlines()[-1]
        assert line == f"error: {named}: cannot write: No space left on device", line
        assert files(small) == {}


def test_an_atomic_write_flushes_the_folder_after_the_move(tmp_path, monkeypatch):
    """The move into place is flushed to the disk too, so it survives a crash: after the file
    is replaced, its folder is synced."""
    real_fsync, real_replace = os.fsync, os.replace
    calls: list[str] = []

    def fsync(fd: int) -> None:
        calls.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    def replace(src, dst) -> None:
        calls.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic.write_text(tmp_path / "a.txt", "one")
    assert calls == ["file", "replace", "folder"]
    calls.clear()
    atomic.write_together(tmp_path, {"b.txt": "two", "c.txt": "three"})
    assert calls == ["file", "file", "replace", "replace", "folder"]
    assert (tmp_path / "a.txt").read_text() == "one" and (tmp_path / "c.txt").read_text() == "three"


def test_a_classroom_game_that_cannot_be_saved_says_so_and_keeps_the_last_turn(mount):
    """The game folder is rewritten after every turn: on a full disk the turn's save fails in
    one line (shown to the facilitator) and the folder keeps the last turn saved, whole."""
    from wargame.core.options import UsageError

    disk = mount(size_kib=256)
    folder = disk / "game"
    classroom = Classroom(load_pack(PACK), seed=1, teams=["us"], folder=folder)
    saved = files(folder)
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    (disk / "filler").write_bytes(b"x" * (free - 8192))
    with pytest.raises(UsageError, match="No space left on device"):
        classroom.advance(classroom.tokens["facilitator"], 1)
    assert files(folder) == saved
