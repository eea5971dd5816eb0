"""The classroom in the browser: a page for the facilitator and one for each team.

``wargame classroom`` starts one shared game of an exercise pack and prints a link per role,
each carrying its own unguessable token (``?token=...``). A gate in front of the page refuses a
page load whose token is missing or wrong (HTTP 403), and every action on the game checks the
token again (wargame/classroom/game.py): a team sees its briefing and its side's picture and orders
for its side only; the facilitator sees the whole truth and runs the game. Pages in many
browsers show one game: each polls the game's change counter and redraws when it moves.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs

import reacton.ipyvuetify as rv
import solara
import solara.lab
from markdown_it import MarkdownIt

from wargame.classroom.game import FACILITATOR, Classroom, Refused
from wargame.core import DISCLAIMER
from wargame.core.ladder import LADDER, Rung
from wargame.core.options import UsageError, check_writable, refuse_made_by
from wargame.core.orders import Order
from wargame.core.packs import load_pack
from wargame.dashboard.app import CSS, Orders, Theatre
from wargame.dashboard.map_drawing import background_png
from wargame.dashboard.server import check_port, serve
from wargame.dashboard.session import Game
from wargame.engine.policy import OrderRefused

BRIEFING_MARKDOWN = MarkdownIt("commonmark", {"html": False})
GAME: Classroom | None = None  # the one shared game of this server, set by cmd_classroom
REFUSAL = (
    "<h2>This link does not open this game</h2><p>It has no token, or not the token of a team or "
    "the facilitator of the game running here. Ask the facilitator for your team's link.</p>"
)
CLASSROOM_CSS = """
.wg-status td { padding: 2px 10px 2px 0; }
.wg-news li { margin-bottom: 4px; }
.wg-briefing { max-height: 420px; overflow-y: auto; }
"""


# Solara's routes other than the page (solara/server/starlette.py): its assets, its kernel API
# and its websocket, with the methods they answer. Solara serves the page at every other path
# (``/{fullpath:path}``, so ``//`` and ``/anything`` too), and at these paths for any other
# method. Its health checks, which tell anyone the host's CPU and memory, are off.
OPEN_ROUTES = (
    (re.compile(r"/(static|jupyter/nbextensions|_solara/cdn)/.+"), {"GET", "HEAD"}),
    (re.compile(r"/jupyter/api/kernels/[^/]+"), {"GET", "HEAD"}),
    (re.compile(r"/_solara/api/(close|evict)/[^/]+"), {"POST"}),
)
OFF_ROUTES = ("/readyz", "/resourcez")


def is_open(method: str, path: str) -> bool:
    """Whether Solara answers this request itself, without the page."""
    return any(method in methods and route.fullmatch(path) for route, methods in OPEN_ROUTES)


class TokenGate:
    """ASGI: every request needs a valid token. A page needs it in its link (``?token=``);
    its answer sets it in a cookie of this server, which the page's assets, API calls and
    websocket then carry. Anything else is refused (HTTP 403, or a websocket closed before it
    opens), and Solara's health checks are off (404). The page checks the token again before
    it shows or does anything."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or GAME is None:
            await self.app(scope, receive, send)
            return
        if scope["path"] in OFF_ROUTES:
            await _answer(send, 404, b"<!doctype html><title>Off</title><p>Not served here.</p>")
            return
        cookie = f"wargame-classroom-{(scope.get('server') or ('', 0))[1]}"
        linked = _query_token(scope)
        page = scope["type"] == "http" and not is_open(scope["method"], scope["path"])
        if GAME.role(linked) is not None:
            send = _setting_cookie(send, cookie, linked)
        elif page or GAME.role(_cookies(scope).get(cookie)) is None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _answer(send, 403, f"<!doctype html><title>Refused</title>{REFUSAL}".encode())
            return
        await self.app(scope, receive, send)


def _query_token(scope: dict[str, Any]) -> str:
    """The token in a request's query; bytes that are not text give no token, not an error."""
    return token_of(scope.get("query_string", b"").decode("latin-1"))


def _cookies(scope: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, text = part.strip().partition("=")
                found[key] = text
    return found


def _setting_cookie(send: Any, name: str, token: str) -> Any:
    """``send``, adding the cookie that lets the page's own requests through to its answer."""
    cookie = f"{name}={token}; Path=/; HttpOnly; SameSite=Strict".encode()

    async def sending(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
        await send(message)

    return sending


async def _answer(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"text/html; charset=utf-8")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def briefing_html(text: str) -> str:
    """A briefing's Markdown as HTML: any HTML written in it is shown as text, and the result is
    set as the element's content (v-html), which Vue never reads as a template."""
    return BRIEFING_MARKDOWN.render(text)


def token_of(search: str | None) -> str:
    return (parse_qs(search or "").get("token") or [""])[0]


@solara.component
def Page() -> None:
    router = solara.use_router()
    token = token_of(router.search)
    game = GAME
    role = game.role(token) if game else None
    version = solara.use_reactive(game.version if game else 0)

    @solara.lab.use_task(dependencies=[token], prefer_threaded=True)
    def follow() -> None:
        """Redraw when another browser changes the game (a team submits, a turn resolves)."""
        while game is not None and follow.is_current():
            if game.version != version.value:
                version.set(game.version)
            time.sleep(0.5)

    solara.Title("Proxy war: classroom")
    solara.Style(CSS + CLASSROOM_CSS)
    if game is None or role is None:
        solara.HTML(tag="div", unsafe_innerHTML=REFUSAL, classes=["wg-card", "wg-refused"])
        return
    with solara.Column(gap="10px", classes=["wg-page"]):
        Heading(game, role, version.value)
        if role == FACILITATOR:
            Facilitator(game, token, version.value)
        else:
            Team(game, role, token, version.value)
        solara.HTML(tag="div", unsafe_innerHTML=escape(DISCLAIMER), classes=["wg-disclaimer"])


@solara.component
def Heading(game: Classroom, role: str, version: int) -> None:
    info = game.pack.spec.exercise
    model = game.model
    who = "Facilitator" if role == FACILITATOR else f"Team {model.actors[role].name}"
    state = "the game is over" if game.ended else ("paused" if game.paused else "in play")
    rung = model.ladder.rung
    with solara.Div(classes=["wg-header"]):
        solara.HTML(tag="h2", unsafe_innerHTML=escape(f"{info.title}: {who}"))
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<span class='wg-turn' data-turn='{game.turn}'>Turn {min(game.turn, info.turns)}"
                f" of {info.turns}</span> · day {model.day} ({model.date.isoformat()}) · rung "
                f"{rung}: {escape(LADDER[Rung(rung)].title)} · {state}"
            ),
        )


@solara.component
def News(game: Classroom, version: int) -> None:
    with solara.Div(classes=["wg-card"]):
        solara.HTML(tag="h3", unsafe_innerHTML="News")
        items = "".join(
            f"<li><b>Turn {n['turn']}, day {n['day']}:</b> {escape(n['text'])}</li>"
            for n in reversed(game.news)
        )
        solara.HTML(
            tag="ul", unsafe_innerHTML=items or "<li>Nothing yet.</li>", classes=["wg-news"]
        )


@solara.component
def Team(game: Classroom, side: str, token: str, version: int) -> None:
    refusal = solara.use_reactive(cast(str | None, None))
    window = solara.use_memo(
        lambda: Game.window(game.model, None if game.revealed else side, game.lock),
        [game.revealed],
    )
    info = game.pack.spec.exercise

    def submit(orders: list[Order], turn: int) -> bool:
        try:
            game.submit(token, orders, turn)
        except (OrderRefused, Refused, UsageError) as exc:  # UsageError: it cannot be saved
            refusal.set(str(exc))
            return False
        refusal.set(None)
        return True

    with solara.Row(gap="12px", style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
        with solara.Column(gap="10px", style={"flex": "0 0 360px", "width": "360px"}):
            with solara.Div(classes=["wg-card", "wg-team-status"]):
                if game.ended:
                    text = "The game is over. Your facilitator will open the debrief."
                elif side in game.submitted:
                    given = (
                        ", ".join(window.narrator.order(o) for o in game.submitted[side]) or "hold"
                    )
                    waiting = ", ".join(game.model.actors[t].name for t in game.waiting) or "none"
                    text = (
                        f"Submitted for this turn: {given}. You may change it until the turn "
                        f"resolves. Waiting for: {waiting}."
                    )
                else:
                    text = "Your orders for this turn are awaited."
                solara.HTML(
                    tag="div", unsafe_innerHTML=escape(text), classes=["wg-note", "wg-submitted"]
                )
            if not game.ended:
                first, last = game.model.turn, game.model.turn + info.days_per_turn - 1
                Orders(
                    Game.window(game.model, side, game.lock),
                    version,
                    game.turn,
                    submit,
                    refusal.value,
                    heading=f"Orders for turn {game.turn} (days {first} to {last})",
                    note="Choose one reaction and, if you wish, one change of standing policy. "
                    "They apply on the turn's first day; your side holds for the rest of it.",
                    button="Submit orders",
                )
            News(game, version)
            with (
                solara.Details("Your briefing", expand=game.turn == 1),
                solara.Div(classes=["wg-briefing"]),
            ):
                solara.HTML(tag="div", unsafe_innerHTML=briefing_html(game.pack.briefings[side]))
        with solara.Column(gap="10px", style={"flex": "1 1 auto", "min-width": "0"}):
            if game.revealed:
                solara.Info("The facilitator has revealed the whole picture.", dense=True)
            Theatre(window, version)


@solara.component
def Facilitator(game: Classroom, token: str, version: int) -> None:
    window = solara.use_memo(lambda: Game.window(game.model, None, game.lock), [])
    with solara.Row(gap="12px", style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
        with solara.Column(gap="10px", style={"flex": "0 0 360px", "width": "360px"}):
            Controls(game, token, version)
            News(game, version)
        with solara.Column(gap="10px", style={"flex": "1 1 auto", "min-width": "0"}):
            Theatre(window, version)


@solara.component
def Controls(game: Classroom, token: str, version: int) -> None:
    """Who has submitted, and the facilitator's buttons: advance, pause, reveal, end, injects."""
    chosen = solara.use_reactive(0)
    message = solara.use_reactive(cast(str | None, None))
    injects = game.pack.spec.injects

    def act(action: Any, *args: Any) -> None:
        try:
            action(token, *args)
            message.set(None)
        except (Refused, UsageError) as exc:  # UsageError: the game cannot be saved
            message.set(str(exc))

    # What each button does is fixed when it is drawn (the turn to advance, the state to set),
    # so the second click of a double-click repeats the first instead of undoing it or resolving
    # the next turn; a button is redrawn as a new one (its key) when that changes, and a click
    # still on its way to the old one is dropped.
    turn, pause, reveal = game.turn, not game.paused, not game.revealed
    buttons = [
        (
            "Advance turn",
            "mdi-play",
            lambda: act(game.advance, turn),
            "wg-advance",
            game.ended,
            turn,
        ),
        (
            "Pause" if pause else "Resume",
            "mdi-pause",
            lambda: act(game.pause, pause),
            "wg-pause",
            game.ended,
            pause,
        ),
        (
            "Reveal to all" if reveal else "Hide the picture",
            "mdi-eye",
            lambda: act(game.reveal, reveal),
            "wg-reveal",
            False,
            reveal,
        ),
        ("End game", "mdi-stop", lambda: act(game.end), "wg-end", game.ended, None),
    ]
    names = game.model.actors
    rows = "".join(
        f"<tr><td>{escape(names[t].name)}</td><td class='wg-team-{t}'>"
        f"{'submitted' if t in game.submitted else 'waiting'}</td></tr>"
        for t in game.teams
    )
    with solara.Div(classes=["wg-card", "wg-controls"]):
        solara.HTML(tag="h3", unsafe_innerHTML="Teams this turn")
        solara.HTML(tag="table", unsafe_innerHTML=rows or "<tr><td>No teams</td></tr>")
        with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
            for label, icon, on_click, css, disabled, state in buttons:
                solara.Button(
                    label, icon_name=icon, on_click=on_click, classes=[css], disabled=disabled
                ).key(f"{css}-{state}")
        if injects:
            rv.Select(
                label="Inject",
                items=[{"text": _inject_label(game, i), "value": i} for i in range(len(injects))],
                v_model=chosen.value,
                on_v_model=chosen.set,
                dense=True,
                hide_details=True,
                class_="wg-inject",
            )
            solara.HTML(
                tag="div", unsafe_innerHTML=escape(injects[chosen.value].text), classes=["wg-note"]
            )
            solara.Button(
                "Fire inject",
                icon_name="mdi-bullhorn",
                on_click=lambda: act(game.fire, chosen.value),
                classes=["wg-fire"],
                disabled=game.ended,
            )
        if message.value:
            solara.Warning(message.value, dense=True)
        if game.folder is not None:
            folder = escape(str(game.folder))
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"Saved after every turn in <code>{folder}</code>; "
                f"<code>wargame debrief {folder}</code> writes the after-action report.",
                classes=["wg-note"],
            )


def _inject_label(game: Classroom, index: int) -> str:
    """An inject in the facilitator's list: when it is due, whether it has fired, how it opens."""
    inject = game.pack.spec.injects[index]
    when = f"turn {inject.turn}" if inject.turn else f"on {(inject.when or '').replace('_', ' ')}"
    fired = " (fired)" if index in game.fired else ""
    return f"{index + 1}. {when}{fired}: {inject.text[:60]}..."


def serve_classroom(
    exercise: str, seed: int, teams: list[str] | None, host: str, port: int, out: str | None
) -> None:
    """``wargame classroom``: start the shared game and print a link for each role."""
    global GAME
    pack = load_pack(exercise)
    playable = pack.spec.exercise.playable
    unknown = [t for t in teams or [] if t not in playable]
    if unknown:
        allowed = ", ".join(playable)
        raise UsageError(f"--teams: {', '.join(unknown)} not playable in {pack.name} ({allowed})")
    twice = sorted({t for t in teams or [] if (teams or []).count(t) > 1})
    if twice:
        raise UsageError(f"--teams: {', '.join(twice)} given more than once; name each side once")
    check_port(host, port)
    started = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    folder = Path(out or f"runs/classroom_{pack.name}_{started}")
    if (folder / "game.json").exists():
        raise UsageError(f"--out {folder}: a game is already saved there; choose another folder")
    refuse_made_by(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {folder}: exists and is not a folder")
    check_writable(folder)
    GAME = Classroom(pack, seed=seed, teams=teams, folder=folder)
    background_png(pack.scenario.spec.map.resolution_deg)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}/?token="
    lines = [f"Classroom: {pack.spec.exercise.title} ({', '.join(GAME.teams) or 'no teams'})"]
    lines.append(f"  facilitator: {base}{GAME.tokens[FACILITATOR]}")
    lines += [f"  {team:12} {base}{GAME.tokens[team]}" for team in GAME.teams]
    lines += [f"Game folder: {folder}  (Ctrl+C to stop)", DISCLAIMER]
    serve("wargame.classroom.app", host, port, lines, open_url=None, wrap=TokenGate)
