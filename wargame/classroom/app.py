"""The classroom in the browser: a page for the facilitator and one for each team.

``wargame classroom`` starts one shared game of an exercise pack (or brings one back from its
folder with ``--resume``) and prints a link per role, each carrying its own unguessable token
(``?token=...``), with a QR code when the game is served to a network. A gate in front of the
page takes the token out of the address bar at the first visit: it answers with a redirect to
the role's page (``/us``, ``/facilitator``) and a cookie holding the token, so a projected screen
never shows a team's link. A page without its role's cookie, and any request without a valid
one, is refused (HTTP 403); every action on the game checks the token again
(wargame/classroom/game.py): a team sees its briefing and its side's picture and orders for its
side only; the facilitator sees the whole truth and runs the game. Pages in many browsers show
one game: each polls the game's change counter and redraws when it moves.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
import time
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs

import reacton.ipyvuetify as rv
import segno
import solara
import solara.lab

from wargame.classroom.game import FACILITATOR, GAME_FILE, Classroom, Refused
from wargame.core import DISCLAIMER
from wargame.core.ladder import LADDER, Rung
from wargame.core.options import UsageError, check_writable, refuse_made_by
from wargame.core.orders import Order
from wargame.core.packs import load_pack
from wargame.dashboard.app import CSS, Theatre, briefing_html
from wargame.dashboard.map_drawing import background_png
from wargame.dashboard.orders import Orders, choice_note
from wargame.dashboard.server import PLAIN_HTTP, check_port, is_local, reachable_at, serve
from wargame.dashboard.session import Game
from wargame.engine.policy import OrderRefused
from wargame.reports.debrief import BRANCHES, RUNS, write_debrief

GAME: Classroom | None = None  # the one shared game of this server, set by serve_classroom
COOKIE = "wargame-classroom"  # each role's cookie: COOKIE-ROLE (serve_classroom adds the port)
LINKS: dict[str, list[str]] = {}  # each role's links, one per address the server is reached at
REFUSAL = (
    "<h2>This link does not open this game</h2><p>It has no token, or not the token of a team or "
    "the facilitator of the game running here. Ask the facilitator for your team's link.</p>"
)
CLASSROOM_CSS = """
.wg-status td { padding: 2px 10px 2px 0; vertical-align: top; }
.wg-news li { margin-bottom: 4px; overflow-wrap: anywhere; }
.wg-briefing { max-height: 420px; overflow-y: auto; }
.wg-controls code, .wg-saved code { overflow-wrap: anywhere; word-break: break-all; }
.wg-pending { font-size: 12.5px; color: #333; }
.wg-pending i { color: #555; }
.wg-links .wg-link { display: flex; gap: 10px; align-items: center; margin: 6px 0;
  font-size: 12px; overflow-wrap: anywhere; }
.wg-links svg { flex: 0 0 auto; background: #fff; }
.wg-clock-badge { font-size: 14px; font-weight: 600; color: #1d2733; }
.wg-clock-badge.wg-time-up { color: #b3261e; }
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


def cookie_name(role: str) -> str:
    return f"{COOKIE}-{role}"


def role_of_path(path: str) -> str | None:
    """The role whose page a path is (``/us``, ``/facilitator``), or None."""
    name = path.strip("/")
    return name if GAME is not None and name in GAME.tokens and path == f"/{name}" else None


class TokenGate:
    """ASGI: every request needs a valid token. A link carries it (``?token=``): the gate answers
    a page asked for with one by a redirect to the role's page, setting the token in the role's
    cookie, so that the address bar no longer shows it. A role's page needs its cookie; the
    page's assets, API calls and websocket need any valid one. Anything else is refused (HTTP
    403, or a websocket closed before it opens), and Solara's health checks are off (404). The
    page checks the token again before it shows or does anything."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or GAME is None:
            await self.app(scope, receive, send)
            return
        if scope["path"] in OFF_ROUTES:
            await _answer(send, 404, b"<!doctype html><title>Off</title><p>Not served here.</p>")
            return
        linked = _query_token(scope)
        role = GAME.role(linked)
        page = scope["type"] == "http" and not is_open(scope["method"], scope["path"])
        cookies = _cookies(scope)
        if page and role is not None:
            await _redirect(send, f"/{role}", _cookie(role, linked))
            return
        if page:
            wanted = role_of_path(scope["path"])
            allowed = wanted is not None and GAME.role(cookies.get(cookie_name(wanted))) == wanted
        else:
            allowed = role is not None or any(
                GAME.role(cookies.get(cookie_name(r))) == r for r in GAME.tokens
            )
        if not allowed:
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


def _cookie(role: str, token: str) -> bytes:
    """The role's cookie: unreadable by scripts, sent only to this server, and on a link opened
    from elsewhere (a QR code, a mail) too (Lax), never on another site's requests."""
    return f"{cookie_name(role)}={token}; Path=/; HttpOnly; SameSite=Lax".encode()


async def _redirect(send: Any, where: str, cookie: bytes) -> None:
    headers = [
        (b"location", where.encode()),
        (b"set-cookie", cookie),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _answer(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"text/html; charset=utf-8")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def token_of(search: str | None) -> str:
    return (parse_qs(search or "").get("token") or [""])[0]


def qr_svg(link: str) -> str:
    """A link's QR code as inline SVG (drawn here from a link this server made)."""
    return segno.make(link, error="m").svg_inline(scale=3, border=2)


@solara.component
def RolePage() -> None:
    """A role's page (at /ROLE), for the token in its cookie."""
    router = solara.use_router()
    cookies = cast(dict[str, str], solara.lab.cookies.value or {})
    game = GAME
    wanted = role_of_path(router.path)
    token = cookies.get(cookie_name(wanted or ""), "")
    role = game.role(token) if game and wanted else None
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
    if game is None or role is None or role != wanted:
        solara.HTML(tag="div", unsafe_innerHTML=REFUSAL, classes=["wg-card", "wg-refused"])
        return
    with solara.Column(gap="10px", classes=["wg-page"]):
        Heading(game, role, version.value)
        if role == FACILITATOR:
            Facilitator(game, token, version.value)
        else:
            Team(game, role, token, version.value)
        solara.HTML(tag="div", unsafe_innerHTML=escape(DISCLAIMER), classes=["wg-disclaimer"])


# Solara's router serves only the paths it has routes for: one page per role, set on serving.
routes = [solara.Route(path="/", component=RolePage)]


@solara.component
def Heading(game: Classroom, role: str, version: int) -> None:
    info = game.pack.spec.exercise
    model = game.model
    who = "Facilitator" if role == FACILITATOR else f"Team {model.actors[role].name}"
    state = "the game is over" if game.ended else ("paused" if game.paused else "in play")
    rung = model.ladder.rung
    shown = min(game.turn, info.turns)
    with solara.Row(classes=["wg-header"], style={"align-items": "baseline", "flex-wrap": "wrap"}):
        solara.HTML(tag="h2", unsafe_innerHTML=escape(f"{info.title}: {who}"))
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<span class='wg-turn' data-turn='{game.turn}'>Turn {shown} of {info.turns}"
                f"</span> · day {model.day} ({model.date.isoformat()}) · rung "
                f"{rung}: {escape(LADDER[Rung(rung)].title)} · {state}"
            ),
        )
        ClockBadge(game, version)


@solara.component
def ClockBadge(game: Classroom, version: int) -> None:
    """The turn clock, ticking on its own (it redraws itself only)."""
    left = solara.use_reactive(game.seconds_left())

    def ticking() -> Any:
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(0.5):
                left.set(None if game.seconds_left() is None else int(game.seconds_left() or 0))

        threading.Thread(target=run, daemon=True).start()
        return stop.set

    solara.use_effect(ticking, [])
    if left.value is None:
        return
    seconds = int(left.value)
    up = seconds <= 0
    text = "Time is up" if up else f"Time left this turn: {seconds // 60}:{seconds % 60:02d}"
    classes = ["wg-clock-badge", *(["wg-time-up"] if up else [])]
    solara.HTML(tag="span", unsafe_innerHTML=escape(text), classes=classes)


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


def _said(game: Classroom, window: Game, side: str) -> str:
    """A team's submitted orders and intent, in words."""
    given = ", ".join(window.narrator.order(o) for o in game.submitted[side]) or "hold"
    intent = game.intents.get(side)
    return given + (f' (intent: "{intent}")' if intent else "")


@solara.component
def Team(game: Classroom, side: str, token: str, version: int) -> None:
    refusal = solara.use_reactive(cast(str | None, None))
    window = solara.use_memo(
        lambda: Game.window(game.model, None if game.revealed else side, game.lock),
        [game.revealed],
    )
    own = solara.use_memo(lambda: Game.window(game.model, side, game.lock), [])
    info = game.pack.spec.exercise

    def submit(orders: list[Order], turn: int, intent: str) -> bool:
        try:
            game.submit(token, orders, turn, intent)
        except (OrderRefused, Refused, UsageError) as exc:  # UsageError: it cannot be saved
            refusal.set(str(exc)[:1].upper() + str(exc)[1:] + ".")
            return False
        refusal.set(None)
        return True

    with solara.Div(classes=["wg-columns"]):
        with solara.Column(gap="10px", classes=["wg-side-column"]):
            with solara.Div(classes=["wg-card", "wg-team-status"]):
                if game.ended:
                    text = "The game is over. Your facilitator will open the debrief."
                elif side in game.submitted:
                    waiting = ", ".join(game.model.actors[t].name for t in game.waiting) or "none"
                    text = (
                        f"Submitted for this turn: {_said(game, own, side)}. You may change it "
                        f"until the turn resolves. Waiting for: {waiting}."
                    )
                else:
                    text = "Your orders for this turn are awaited."
                solara.HTML(
                    tag="div", unsafe_innerHTML=escape(text), classes=["wg-note", "wg-submitted"]
                )
            if not game.ended:
                first = game.model.turn
                last = min(first + info.days_per_turn - 1, game.model.days)
                Orders(
                    own,
                    version,
                    game.turn,
                    submit,
                    refusal.value,
                    heading=f"Orders for turn {game.turn} (days {first} to {last})",
                    note=choice_note(own) + " They apply on the turn's first day; your side "
                    "holds for the rest of it.",
                    button="Submit orders",
                    intent=True,
                )
            News(game, version)
            with (
                solara.Details("Your briefing", expand=game.turn == 1),
                solara.Div(classes=["wg-briefing"]),
            ):
                solara.HTML(tag="div", unsafe_innerHTML=briefing_html(game.pack.briefings[side]))
        with solara.Column(gap="10px", classes=["wg-main-column"]):
            if game.revealed:
                solara.Info("The facilitator has revealed the whole picture.", dense=True)
            Theatre(window, version)


@solara.component
def Facilitator(game: Classroom, token: str, version: int) -> None:
    window = solara.use_memo(lambda: Game.window(game.model, None, game.lock), [])
    with solara.Div(classes=["wg-columns"]):
        with solara.Column(gap="10px", classes=["wg-side-column"]):
            Controls(game, token, window, version)
            Writing(game, token, version)
            DebriefCard(game, token, version)
            News(game, version)
            Links(game)
        with solara.Column(gap="10px", classes=["wg-main-column"]):
            Theatre(window, version)


def act(message: solara.Reactive[str | None], action: Any, *args: Any) -> bool:
    """Do a facilitator's action; say why not, if it is refused."""
    try:
        action(*args)
    except (Refused, UsageError) as exc:  # UsageError: the game cannot be saved
        message.set(str(exc)[:1].upper() + str(exc)[1:] + ".")
        return False
    message.set(None)
    return True


@solara.component
def Controls(game: Classroom, token: str, window: Game, version: int) -> None:
    """Who has submitted what, and the facilitator's buttons: advance, pause, reveal, end,
    injects, the clock."""
    chosen = solara.use_reactive(0)
    message = solara.use_reactive(cast(str | None, None))
    minutes = solara.use_reactive(int(game.minutes))
    auto = solara.use_reactive(game.auto)
    injects = game.pack.spec.injects

    # What each button does is fixed when it is drawn (the turn to advance, the state to set),
    # so the second click of a double-click repeats the first instead of undoing it or resolving
    # the next turn; a button is redrawn as a new one (its key) when that changes, and a click
    # still on its way to the old one is dropped.
    turn, pause, reveal = game.turn, not game.paused, not game.revealed
    buttons = [
        ("Advance turn", "mdi-play", (game.advance, token, turn), "wg-advance", game.ended, turn),
        (
            "Pause" if pause else "Resume",
            "mdi-pause",
            (game.pause, token, pause),
            "wg-pause",
            game.ended,
            pause,
        ),
        (
            "Reveal to all" if reveal else "Hide the picture",
            "mdi-eye",
            (game.reveal, token, reveal),
            "wg-reveal",
            False,
            reveal,
        ),
        ("End game", "mdi-stop", (game.end, token), "wg-end", game.ended, None),
    ]
    names = game.model.actors
    if game.ended:
        rows = "<tr><td>The game is over: no turn is awaited.</td></tr>"
    else:
        rows = "".join(
            f"<tr><td>{escape(names[t].name)}</td><td class='wg-team-{t} wg-pending'>"
            + (
                f"submitted: <i>{escape(_said(game, window, t))}</i>"
                if t in game.submitted
                else "waiting"
            )
            + "</td></tr>"
            for t in game.teams
        )
    with solara.Div(classes=["wg-card", "wg-controls"]):
        solara.HTML(
            tag="h3", unsafe_innerHTML="Teams" if game.ended else f"Teams on turn {game.turn}"
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML=rows or "<tr><td>No teams</td></tr>",
            classes=["wg-status"],
        )
        with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
            for label, icon, action, css, disabled, state in buttons:
                solara.Button(
                    label,
                    icon_name=icon,
                    on_click=lambda action=action: act(message, *action),
                    classes=[css],
                    disabled=disabled,
                ).key(f"{css}-{state}")
        if not game.ended:
            with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.InputInt(
                    "Minutes a turn (0: no clock)", value=minutes, classes=["wg-minutes"]
                )
                with solara.Div(classes=["wg-auto"]):
                    solara.Checkbox(label="Advance when time is up", value=auto)
                solara.Button(
                    "Set the clock",
                    icon_name="mdi-timer-outline",
                    on_click=lambda: act(message, game.set_clock, token, minutes.value, auto.value),
                    classes=["wg-set-clock"],
                    outlined=True,
                )
        if injects and not game.ended:
            rv.Select(
                label="Inject of the pack",
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
                on_click=lambda: act(message, game.fire, token, chosen.value),
                classes=["wg-fire"],
            )
        if message.value:
            solara.Warning(message.value, dense=True, classes=["wg-message"])
        if game.folder is not None:
            folder = escape(str(game.folder))
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"Saved after every change in <code>{folder}</code>; "
                f"<code>wargame classroom --resume {folder}</code> brings it back after a crash.",
                classes=["wg-note", "wg-saved"],
            )


@solara.component
def Writing(game: Classroom, token: str, version: int) -> None:
    """News the facilitator writes for everyone, and notes on each turn for the debrief."""
    news = solara.use_reactive("")
    notes = solara.use_reactive(game.notes.get(game.turn, ""))
    message = solara.use_reactive(cast(str | None, None))
    solara.use_effect(lambda: notes.set(game.notes.get(game.turn, "")), [game.turn])

    def send() -> None:
        if act(message, game.say, token, news.value):
            news.set("")

    with solara.Div(classes=["wg-card", "wg-writing"]):
        if not game.ended:
            solara.HTML(tag="h3", unsafe_innerHTML="News for everyone")
            solara.InputText(
                "Write an inject (shown as written)",
                value=news,
                continuous_update=True,
                classes=["wg-say"],
            )
            solara.Button(
                "Send to all", icon_name="mdi-send", on_click=send, classes=["wg-send"]
            ).key(f"send-{len(game.news)}")
        turn = min(game.turn, game.pack.spec.exercise.turns)
        solara.HTML(tag="h3", unsafe_innerHTML=f"Your notes on turn {turn}")
        with solara.Div(classes=["wg-notes"]):
            solara.InputTextArea(
                "For the debrief; only you see them", value=notes, continuous_update=True
            )
        solara.Button(
            "Save notes",
            icon_name="mdi-content-save",
            on_click=lambda: act(message, game.note, token, turn, notes.value),
            classes=["wg-save-notes"],
            outlined=True,
        )
        if message.value:
            solara.Warning(message.value, dense=True)


@solara.component
def DebriefCard(game: Classroom, token: str, version: int) -> None:
    """Write the after-action report from the page, with its progress."""
    message = solara.use_reactive(cast(str | None, None))
    report = game.report
    with solara.Div(classes=["wg-card", "wg-debrief"]):
        solara.HTML(tag="h3", unsafe_innerHTML="Debrief")
        if game.folder is None:
            solara.HTML(tag="div", unsafe_innerHTML="No game folder.", classes=["wg-note"])
            return
        running = bool(report.get("running"))
        solara.Button(
            "Write the debrief",
            icon_name="mdi-file-document-outline",
            on_click=lambda: act(message, start_debrief, game, token),
            classes=["wg-write-debrief"],
            disabled=running,
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=escape(
                f"Compares your game with {RUNS} computer-played games and plays {BRANCHES} "
                "what-ifs from each turn: a few minutes."
            ),
            classes=["wg-note"],
        )
        if running or report.get("of"):
            done, of = report.get("done", 0), report.get("of") or 1
            rv.ProgressLinear(value=100 * done / of, height=8, class_="wg-debrief-progress")
            stage = report.get("stage", "")
            solara.HTML(
                tag="div",
                unsafe_innerHTML=escape(f"{stage}: {done} of {of}" if stage else ""),
                classes=["wg-note", "wg-debrief-stage"],
            )
        if report.get("error"):
            solara.Warning(report["error"], dense=True)
        path = report.get("path")
        if path and not running:
            solara.FileDownload(
                lambda: Path(path).read_bytes(),
                filename=Path(path).name,
                label="Download the debrief",
                mime_type="text/html",
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"Written to <code>{escape(path)}</code>.",
                classes=["wg-note", "wg-debrief-done", "wg-saved"],
            )
        if message.value:
            solara.Warning(message.value, dense=True)


def start_debrief(game: Classroom, token: str) -> None:
    """Write the debrief in a thread; the page follows its progress through ``game.report``."""
    if game.role(token) != FACILITATOR:
        raise Refused("this link does not allow that")
    with game.lock:
        if game.report.get("running"):
            raise Refused("the debrief is being written")
        game.report = {"running": True, "done": 0, "of": 0, "stage": "Starting"}
        game.version += 1

    def progress(stage: str, done: int, of: int) -> None:
        with game.lock:
            game.report.update(stage=stage, done=done, of=of)
            game.version += 1

    def work() -> None:
        result: dict[str, Any] = {}
        try:
            assert game.folder is not None
            result["path"] = str(write_debrief(game.folder, RUNS, None, progress=progress))
        except (UsageError, OSError, ValueError) as exc:
            result["error"] = f"The debrief could not be written: {exc}"
        with game.lock:
            game.report.update(running=False, **result)
            game.version += 1

    threading.Thread(target=work, daemon=True).start()


@solara.component
def Links(game: Classroom) -> None:
    """Each team's link with its QR code, folded away so that a projected page shows none."""
    teams = [t for t in game.teams if LINKS.get(t)]
    if not teams:
        return
    with solara.Details("Team links and QR codes (fold away before projecting)"):
        rows = "".join(
            f"<div class='wg-link wg-link-{t}'>{qr_svg(LINKS[t][0])}<div><b>"
            f"{escape(game.model.actors[t].name)}</b><br>"
            + "<br>".join(escape(link) for link in LINKS[t])
            + "</div></div>"
            for t in teams
        )
        solara.HTML(tag="div", unsafe_innerHTML=rows, classes=["wg-card", "wg-links"])


def _inject_label(game: Classroom, index: int) -> str:
    """An inject in the facilitator's list: when it is due, whether it has fired, how it opens."""
    inject = game.pack.spec.injects[index]
    when = f"turn {inject.turn}" if inject.turn else f"on {(inject.when or '').replace('_', ' ')}"
    fired = " (fired)" if index in game.fired else ""
    return f"{index + 1}. {when}{fired}: {inject.text[:60]}..."


def _new_game(exercise: str, seed: int, teams: list[str] | None, out: str | None) -> Classroom:
    pack = load_pack(exercise)
    playable = pack.spec.exercise.playable
    unknown = [t for t in teams or [] if t not in playable]
    if unknown:
        allowed = ", ".join(playable)
        raise UsageError(f"--teams: {', '.join(unknown)} not playable in {pack.name} ({allowed})")
    twice = sorted({t for t in teams or [] if (teams or []).count(t) > 1})
    if twice:
        raise UsageError(f"--teams: {', '.join(twice)} given more than once; name each side once")
    started = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    folder = Path(out or f"runs/classroom_{pack.name}_{started}")
    if (folder / GAME_FILE).exists():
        raise UsageError(
            f"--out {folder}: a game is already saved there; choose another folder, or bring "
            f"it back with --resume {folder}"
        )
    refuse_made_by(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {folder}: exists and is not a folder")
    check_writable(folder)
    return Classroom(pack, seed=seed, teams=teams, folder=folder)


def serve_classroom(
    exercise: str | None,
    seed: int,
    teams: list[str] | None,
    host: str,
    port: int,
    out: str | None,
    resume: str | None = None,
) -> None:
    """``wargame classroom``: start the shared game (or bring one back from its folder) and
    print a link for each role."""
    global GAME, COOKIE, routes
    check_port(host, port)
    if resume is not None:
        folder = Path(resume)
        check_writable(folder, f"--resume {folder}")
        GAME = Classroom.resume(folder)
    else:
        assert exercise is not None
        GAME = _new_game(exercise, seed, teams, out)
    COOKIE = f"wargame-classroom-{port}"
    routes = [solara.Route(path=r, component=RolePage) for r in ("/", *GAME.tokens)]
    background_png(GAME.pack.scenario.spec.map.resolution_deg)
    addresses = reachable_at(host)
    for role, token in GAME.tokens.items():
        LINKS[role] = [f"http://{_bracketed(a)}:{port}/?token={token}" for a in addresses]
    lines = [f"Classroom: {GAME.pack.spec.exercise.title} ({', '.join(GAME.teams) or 'no teams'})"]
    if resume is not None:
        lines.append(f"Brought back at turn {GAME.turn} (day {GAME.model.day}), same links")
    for role in (FACILITATOR, *GAME.teams):
        first, *others = LINKS[role]
        label = f"{role}:" if role == FACILITATOR else role
        lines.append(f"  {label:12} {first}")
        lines += [f"  {'':12} {link}" for link in others]
    if not all(is_local(a) for a in addresses):
        lines += _terminal_qr(GAME.teams)
        lines.append(PLAIN_HTTP)
    lines += [f"Game folder: {GAME.folder}  (Ctrl+C to stop)", DISCLAIMER]
    threading.Thread(target=_clock, args=(GAME,), daemon=True).start()
    serve("wargame.classroom.app", host, port, lines, open_url=None, wrap=TokenGate)


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _terminal_qr(teams: list[str]) -> list[str]:
    lines = []
    for team in teams:
        drawn = io.StringIO()
        segno.make(LINKS[team][0], error="m").terminal(out=drawn, compact=True)
        lines += [f"QR code for {team}:", *drawn.getvalue().rstrip("\n").splitlines()]
    return lines


def _clock(game: Classroom) -> None:
    """Advance a turn whose time is up, when the facilitator asked for that."""
    while True:
        time.sleep(1)
        with contextlib.suppress(UsageError):  # not saved: the page says so on the next act
            game.tick()
