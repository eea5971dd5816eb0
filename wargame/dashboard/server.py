"""Serving a Solara page: checking the address first, then running it in this process.

Both the dashboard (``wargame serve``) and the classroom (``wargame classroom``) are Solara
pages served by uvicorn in the process that parsed the command line, so what the command set up
(a scenario, a shared classroom game) is visible to the page. Solara runs in production mode,
with its banner and its usage reporting off: nothing leaves this machine.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import threading
import time
import warnings
import webbrowser
from collections.abc import Callable
from typing import Any

from wargame.core.options import UsageError

EVERYWHERE = ("0.0.0.0", "::")  # listening on every network of this machine
PLAIN_HTTP = (
    "warning: served over plain HTTP to the network: anyone on it can read the traffic, links "
    "included; use a network you trust, and stop the server when the session ends"
)


def reachable_at(host: str) -> list[str]:
    """The addresses others can open a server listening on ``host`` at: the host itself, or,
    listening everywhere, this machine's IPv4 addresses on its networks (read from its network
    interfaces, not probed), loopback last, where nothing else is found."""
    if host not in EVERYWHERE:
        return [host]
    import psutil

    found = [
        address.address
        for addresses in psutil.net_if_addrs().values()
        for address in addresses
        if address.family == socket.AF_INET and not address.address.startswith("127.")
    ]
    return list(dict.fromkeys(found)) or ["127.0.0.1"]


def is_local(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def check_port(host: str, port: int) -> None:
    """Fail early, in one line, where the server could not listen."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: cannot use this address ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {port} on {host} is already in use: stop what uses it, or pick "
                    "another with --port"
                ) from None
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def can_open_browser() -> bool:
    """Open a browser only for a person at a desktop, never from a pipe or a bare server."""
    graphical = sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    return graphical and sys.stdout.isatty()


def serve(
    page_module: str,
    host: str,
    port: int,
    banner: list[str],
    *,
    open_url: str | None = None,
    wrap: Callable[[Any], Any] | None = None,
) -> None:
    """Serve the Solara page of ``page_module`` until interrupted; ``wrap`` may put an ASGI
    layer (such as a gate on tokens) in front of Solara."""
    os.environ["SOLARA_APP"] = page_module
    import solara.server.settings as settings
    import uvicorn
    from solara.server.starlette import app

    settings.main.mode = "production"
    settings.theme.show_banner = False
    settings.telemetry.mixpanel_enable = False
    # Solara warns on every page load that a plain-http cookie cannot be samesite=none; on
    # this machine's own address that is expected and harmless.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    for line in banner:
        print(line, flush=True)
    server = uvicorn.Server(
        uvicorn.Config(wrap(app) if wrap else app, host=host, port=port, log_level="warning")
    )
    if open_url and can_open_browser():
        threading.Thread(target=_open_when_ready, args=(server, open_url), daemon=True).start()
    server.run()


def _open_when_ready(server: Any, url: str, wait_s: float = 30.0) -> None:
    deadline = time.monotonic() + wait_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    if server.started:
        webbrowser.open(url)
