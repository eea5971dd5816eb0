"""A real browser for the tests: headless Chromium through Playwright, against a server of ours
started as a user starts it, with every request off this machine blocked (the offline proof).

Used by the dashboard and classroom tests and by docs/screenshot.py. Where no Chromium can be
found the browser tests skip, saying how to get one.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SYSTEM_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
HOW_TO_GET_ONE = (
    "no Chromium for the browser tests: install one with 'apt-get install chromium' "
    "(or 'playwright install chromium')"
)
NO_PLAYWRIGHT = "no Playwright for the browser tests: install it with 'pip install -e .[test]'"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_chromium() -> str | None:
    """Debian's chromium, else the browser Playwright downloaded; None if neither is there."""
    for name in (SYSTEM_CHROMIUM, "chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            own = p.chromium.executable_path
    except Exception:
        return None
    return own if Path(own).exists() else None


@dataclass
class Served:
    """A server of ours in a subprocess: its address and what it has printed so far."""

    url: str
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)


@contextlib.contextmanager
def serving(*args: str, wait_path: str = "/", port: int | None = None) -> Iterator[Served]:
    """`wargame ARGS --port PORT` (a free one if not given) as a user starts it; yields once it
    answers, stops it after (if a test has not killed it)."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "wargame", *args, "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}/", process)
    assert process.stdout is not None
    reader = threading.Thread(
        target=lambda: served.output.extend(line.rstrip("\n") for line in process.stdout),
        daemon=True,
    )
    reader.start()
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                reader.join(5)
                raise RuntimeError(f"wargame {args[0]} exited early:\n" + "\n".join(served.output))
            if answers(served.url.rstrip("/") + wait_path):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"wargame {args[0]} did not answer within 60 s")
            time.sleep(0.3)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def answers(url: str) -> bool:
    """Whether a server answers at ``url``, if only to refuse."""
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def offline(page, blocked: list[str]) -> None:
    """Let a page reach this machine only; note what it tried to fetch elsewhere."""

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(LOCAL):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    page.route("**/*", route)


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Chromium, or a pytest skip saying how to get one."""
    import pytest

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(NO_PLAYWRIGHT)
    path = find_chromium()
    if path is None:
        pytest.skip(HOW_TO_GET_ONE)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
