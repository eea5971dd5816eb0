"""The browser dashboard: watch the crisis on the map, or play one side against the computer.

``wargame serve`` starts a Solara server on this module's ``Page``. Solara gives every browser
tab its own virtual kernel, and the page keeps its game in its hooks, so each tab plays its own
game and no game lives in module state. The clock runs in a Solara task (a thread) and steps the
game's model; each day the page redraws the map's overlay, the charts and the log. A failure in
a day shows a banner and leaves the server (and the Reset button) working.

The page needs no internet: Solara serves its JavaScript, styles and fonts from the
``solara-assets`` package, and the map and charts are drawn here (PNG and SVG), with no map
tiles or chart libraries fetched from the web.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs

import reacton.ipyvuetify as rv
import solara
import solara.lab
from markdown_it import MarkdownIt

from wargame.core import DISCLAIMER
from wargame.core.incidents import INCIDENTS
from wargame.core.ladder import LADDER, OUTCOMES, Rung
from wargame.core.options import UsageError, check_writable, from_json, to_json
from wargame.core.orders import Order
from wargame.core.packs import load_pack, shipped_packs
from wargame.core.parameters import SLIDERS, value_at
from wargame.core.scenario import LoadedScenario, ScenarioError, load_scenario, shipped
from wargame.dashboard.map_drawing import background_png, legend_html
from wargame.dashboard.orders import Orders, choice_note
from wargame.dashboard.server import check_port, serve
from wargame.dashboard.session import Game
from wargame.engine.exercise import Played, computer_games, outcome_shares, peak_sentence
from wargame.engine.narrative import kind_title
from wargame.engine.policy import OrderRefused

logger = logging.getLogger(__name__)

# How ``wargame serve`` hands its command line to the page (a separate import by Solara).
ENV_SCENARIO, ENV_SEED, ENV_SET = "WARGAME_SCENARIO", "WARGAME_SEED", "WARGAME_SET"
ENV_GAMES = "WARGAME_GAMES"  # the folder the games are saved in
ENV_COMPARE = "WARGAME_COMPARE"  # how many computer-played games a finished game is compared with
WATCH = ""  # the side value meaning "watch, play no side"
BRIEFING_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def briefing_html(text: str) -> str:
    """A briefing's Markdown as HTML: any HTML written in it is shown as text, and the result is
    set as the element's content (v-html), which Vue never reads as a template."""
    return BRIEFING_MARKDOWN.render(text)


CSS = """
.wg-page { padding: 8px 14px 20px; background: #f5f6f7; min-height: 100vh; }
.wg-card { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 10px 12px; }
.wg-card h3 { font-size: 15px; font-weight: 600; margin: 0 0 6px; color: #222; }
.wg-note { font-size: 12px; color: #666; line-height: 1.35; }
.wg-header h1 { font-size: 21px; font-weight: 600; margin: 2px 0; color: #1d2733; }
.wg-status { font-size: 14px; color: #333; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.wg-status b { color: #111; }
.wg-disclaimer { font-size: 12.5px; color: #8a4b00; }
.wg-map { position: relative; line-height: 0; }
.wg-map img { width: 100%; height: auto; display: block; border-radius: 4px; }
.wg-legend { display: grid; grid-template-columns: 1fr 1fr; gap: 2px 14px; font-size: 12px;
  margin-top: 6px; color: #333; }
.wg-legend-row { display: flex; align-items: center; gap: 6px; }
.wg-legend-sym { display: inline-flex; gap: 1px; min-width: 24px; }
.wg-log { max-height: 340px; overflow-y: auto; font-size: 13px; margin: 0; padding: 0;
  list-style: none; }
.wg-log li { padding: 4px 2px; border-bottom: 1px solid #f0f0f0; line-height: 1.35; }
.wg-explain { font-size: 12px; color: #555; line-height: 1.3; }
.wg-kind-label { display: block; padding: 1px 0; }
.wg-rung-chip { font-size: 11px; color: #8a4b00; margin-left: 6px; }
.wg-orders .v-input--radio-group { margin-top: 0; }
.wg-orders .v-radio { align-items: flex-start; margin-bottom: 4px !important; }
.wg-given { font-size: 12.5px; margin: 4px 0 0; padding-left: 16px; }
.wg-settings .v-select, .wg-settings .v-text-field { margin-top: 10px; }
.wg-param-label { font-size: 13px; color: #333; margin-top: 4px; }
.wg-param-label span { color: #777; font-size: 12px; }
.wg-param .v-input__slot { margin-bottom: 0; }
.wg-param .v-messages { display: none; }
.wg-pending-value { color: #8a4b00; font-size: 11.5px; }
.wg-columns { display: flex; gap: 12px; align-items: flex-start; }
.wg-side-column { flex: 0 0 350px; width: 350px; min-width: 0; }
.wg-main-column { flex: 1 1 auto; min-width: 0; }
.wg-theatre-top { display: flex; gap: 10px; align-items: flex-start; }
.wg-theatre-top > .wg-map-card { flex: 3 1 0; min-width: 0; }
.wg-theatre-charts { flex: 2 1 0; min-width: 0; }
.wg-theatre-row { display: flex; gap: 10px; align-items: flex-start; }
.wg-theatre-row > * { flex: 1 1 0; min-width: 0; }
.wg-verdict table, .wg-outcomes { font-size: 13px; border-collapse: collapse; }
.wg-outcomes td, .wg-outcomes th { padding: 2px 8px 2px 0; text-align: left; }
.wg-outcomes tr.wg-ours { font-weight: 600; color: #b3261e; }
.wg-briefing { font-size: 13px; line-height: 1.4; }
/* Below about 1200 px the columns stack: the map and the charts keep a legible size. */
@media (max-width: 1200px) {
  .wg-columns, .wg-theatre-top { flex-direction: column; }
  .wg-side-column, .wg-main-column, .wg-theatre-top > .wg-map-card, .wg-theatre-charts {
    width: 100%; flex: 1 1 auto; }
  /* Solara's columns set their display inline: the grid needs !important. */
  .wg-side-column { display: grid !important; grid-template-columns: repeat(auto-fill,
    minmax(330px, 1fr)); gap: 10px; align-items: start; }
  /* Charts side by side at about their drawn width (480 px), never squeezed to a third. */
  .wg-theatre-charts { flex-direction: row !important; flex-wrap: wrap; }
  .wg-theatre-charts > *, .wg-theatre-row > * { flex: 1 1 420px; }
  .wg-theatre-row { flex-wrap: wrap; }
}
@media (max-width: 700px) { .wg-theatre-row { flex-direction: column; } }
"""


# ----- what `wargame serve` was asked for -----
@dataclass(frozen=True, slots=True)
class Served:
    scenario: str
    seed: int
    overrides: dict[str, Any]


@cache
def served() -> Served:
    return Served(
        os.environ.get(ENV_SCENARIO, "may2019"),
        int(os.environ.get(ENV_SEED, "1")),
        json.loads(os.environ.get(ENV_SET, "{}"), object_hook=from_json),
    )


def scenario_choices() -> list[dict[str, str]]:
    """The shipped scenarios (and the served file, if it is not one), titled."""
    refs = list(shipped())
    if served().scenario not in refs:
        refs.insert(0, served().scenario)
    items = []
    for ref in refs:
        try:
            title = load_scenario(ref).spec.scenario.title
        except ScenarioError:
            continue
        items.append({"text": title, "value": ref})
    return items


def base_overrides(ref: str) -> dict[str, Any]:
    """The command line's ``--set`` values apply to the scenario it served."""
    return dict(served().overrides) if ref == served().scenario else {}


def spec_value(loaded: LoadedScenario, key: str) -> float | None:
    """The value of a dotted key in a validated scenario, or None where it has none."""
    value = value_at(loaded.spec, key)
    return None if value is None else float(value)


# ----- the page -----
@solara.component
def Page() -> None:
    start = served()
    router = solara.use_router()
    wanted = (parse_qs(router.search or "").get("game") or [""])[0]
    ref = solara.use_reactive(start.scenario)
    seed = solara.use_reactive(start.seed)
    side = solara.use_reactive(WATCH)
    values = solara.use_reactive(cast(dict[str, float], {}))
    days = solara.use_reactive(0)  # 0: the scenario's length
    per_turn = solara.use_reactive(1)
    error = solara.use_reactive(cast(str | None, None))

    def first_game() -> Game:
        """The game the address names (played again from its folder), or a new one."""
        if wanted:
            try:
                return Game.load(games_folder(), wanted)
            except UsageError as exc:
                error.set(f"{exc}. A new game has started instead.")
        return Game(start.scenario, start.overrides, start.seed, folder=games_folder())

    first = solara.use_memo(first_game, [])
    game = solara.use_reactive(first)
    tick = solara.use_reactive(0)  # bumped after every turn: the frame to draw
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(4)
    refusal = solara.use_reactive(cast(str | None, None))
    g = game.value

    def follow_address() -> None:
        """The address names the game in play, so that a reload or a link brings it back. Set
        after every turn too: when the page first opens, the browser keeps its own address."""
        if wanted != g.id:
            router.push(f"{router.path}?game={g.id}")

    solara.use_effect(follow_address, [g.id, tick.value])

    def advance(
        current: Game, orders: list[Order] | None = None, intent: str = "", news: bool = False
    ) -> bool:
        """Play a turn; report a refused order or a failure instead of raising."""
        if current.over:
            return False
        try:
            current.play(orders, intent, news)
        except OrderRefused as exc:
            refusal.set(str(exc))
            return False
        except Exception as exc:
            logger.exception("day %s failed", current.model.turn)
            current.broken = True
            playing.set(False)
            error.set(
                f"Day {current.model.turn} could not be played ({type(exc).__name__}: {exc}). "
                "The server is still running: press Reset to start a new game."
            )
            tick.set(tick.value + 1)
            return False
        refusal.set(None)
        tick.set(tick.value + 1)
        if current.over:
            playing.set(False)
        return not current.over

    @solara.lab.use_task(dependencies=[playing.value], prefer_threaded=True)
    def clock() -> None:
        """While playing, a turn every 1/speed seconds; stops when paused, on Reset, at the
        end, or when the tab goes away (the task is cancelled)."""
        current = game.value
        while playing.value and game.value is current and clock.is_current():
            started = time.perf_counter()
            if not advance(current):
                break
            time.sleep(max(0.0, 1.0 / speed.value - (time.perf_counter() - started)))

    def turn_ender(news: bool) -> Callable[[list[Order], int, str], bool]:
        def end_turn(orders: list[Order], turn: int, intent: str) -> bool:
            """Stamped with the turn it was shown for: once that turn is played, a second
            click (a double-click) is ignored, not played as a hold the person never chose."""
            return (
                g.exercise is not None
                and turn == g.exercise.turn
                and advance(g, orders, intent, news)
            )

        return end_turn

    def end_game() -> None:
        playing.set(False)
        g.end()
        tick.set(tick.value + 1)

    def reset() -> None:
        playing.set(False)
        if seed.value < 0:
            error.set(f"The game could not start: the seed must be 0 or more, not {seed.value}.")
            return
        overrides = {**base_overrides(ref.value), **values.value}
        try:
            fresh = Game(
                ref.value,
                overrides,
                seed.value,
                side.value or None,
                days=days.value or None,
                days_per_turn=per_turn.value,
                folder=games_folder(),
            )
        except ScenarioError as exc:
            error.set("The game could not start: " + "; ".join(exc.lines))
            return
        except (ValueError, UsageError) as exc:
            error.set(f"The game could not start: {exc}.")
            return
        except Exception as exc:
            logger.exception("a new game failed to start")
            error.set(f"The game could not start ({type(exc).__name__}: {exc}).")
            return
        error.set(None)
        refusal.set(None)
        game.set(fresh)
        tick.set(tick.value + 1)

    solara.Title("Proxy war: dashboard")
    solara.Style(CSS)
    with solara.Column(gap="10px", classes=["wg-page"]):
        Header(g, tick.value)
        if error.value:
            solara.Error(error.value, classes=["wg-error"])
        with solara.Div(classes=["wg-columns"]):
            with solara.Column(gap="10px", classes=["wg-side-column"]):
                if g.over and not g.broken:
                    Verdict(g)
                if g.human is not None:
                    Orders(
                        g,
                        tick.value,
                        g.exercise.turn if g.exercise else 0,
                        turn_ender(False),
                        refusal.value,
                        heading=turn_heading(g),
                        note=choice_note(g) + " The computer plays every other side.",
                        more=(
                            (
                                "Until news",
                                "mdi-bell-ring-outline",
                                "wg-until-news",
                                turn_ender(True),
                            ),
                        ),
                    )
                    if not g.over:
                        EndGame(end_game)
                    Briefing(g)
                else:
                    Clock(g, tick.value, playing, speed, lambda: advance(g), end_game)
                Settings(ref, seed, side, values, days, per_turn, reset, g)
                Downloads(g, tick.value)
            with solara.Column(gap="10px", classes=["wg-main-column"]):
                Theatre(g, tick.value)
        solara.HTML(tag="div", unsafe_innerHTML=escape(DISCLAIMER), classes=["wg-disclaimer"])


def games_folder() -> Path:
    return Path(os.environ.get(ENV_GAMES, "runs/dashboard"))


def turn_heading(game: Game) -> str:
    m = game.model
    assert game.exercise is not None
    first = m.turn
    last = min(first + game.plan.days_per_turn - 1, m.days)
    days = f"day {first}" if first == last else f"days {first} to {last}"
    return f"Orders of {m.actors[game.side or ''].name} for turn {game.exercise.turn} ({days})"


def rung_tip(rung: int) -> str:
    """What a rung means, and the rungs of Kahn's ladder it condenses."""
    info = LADDER[Rung(rung)]
    return f"{info.definition} Kahn (1965): {info.kahn}."


@solara.component
def Header(game: Game, tick: int) -> None:
    """The day, the date, the rung and the market; ``tick`` redraws it after every turn."""
    m = game.model
    rung = m.ladder.rung
    status = [
        f'<span class="wg-day" data-day="{m.day}"><b>Day {m.day}</b> of {m.days}</span>',
        f"<span>{m.date.day} {m.date:%B %Y}</span>",
        f'<span class="wg-rung-now" title="{escape(rung_tip(rung))}">'
        f"<b>Rung {rung}</b>: {escape(LADDER[Rung(rung)].title)}</span>",
        f"<span>Brent <b>${m.economy.price_usd:.0f}</b> a barrel</span>",
        f"<span>Hormuz <b>{m.economy.hormuz_mbd:.1f}</b> mb/d</span>",
    ]
    if game.exercise is not None and game.plan.days_per_turn > 1:
        status.append(f"<span>Turns of {game.plan.days_per_turn} days</span>")
    if game.side:
        who = escape(m.actors[game.side].name)
        status.append(
            f'<span class="wg-playing">You play <b>{who}</b>: you see its picture (its beliefs, '
            "not the truth)</span>"
        )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<h1>Proxy war: {escape(m.spec.scenario.title)}</h1>"
            f'<div class="wg-status">{"".join(status)}</div>'
            f'<div class="wg-disclaimer">{escape(DISCLAIMER)}</div>'
        ),
        classes=["wg-header"],
    )
    if game.over and not game.broken:
        outcome = m.outcome()
        early = "" if m.finished else f" (ended on day {m.day} of {m.days})"
        solara.Info(
            f"The game is over{early}: {outcome.replace('_', ' ')}. {OUTCOMES[outcome]}",
            classes=["wg-finished"],
        )


@solara.component
def Clock(
    game: Game,
    tick: int,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    step: Callable[[], bool],
    end_game: Callable[[], None],
) -> None:
    done = game.over
    per_turn = game.plan.days_per_turn if game.exercise else 1
    with solara.Div(classes=["wg-card", "wg-clock"]):
        solara.HTML(tag="h3", unsafe_innerHTML="Clock")
        with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
            solara.Button(
                "Step",
                icon_name="mdi-step-forward",
                on_click=step,
                classes=["wg-step"],
                disabled=playing.value or done,
                color="primary",
            )
            solara.Button(
                "Play",
                icon_name="mdi-play",
                on_click=lambda: playing.set(True),
                classes=["wg-play"],
                disabled=playing.value or done,
                color="primary",
            )
            solara.Button(
                "Pause",
                icon_name="mdi-pause",
                on_click=lambda: playing.set(False),
                classes=["wg-pause"],
                disabled=not playing.value,
            )
            end_button("End", end_game, done)
        solara.SliderInt("Speed, turns a second", value=speed, min=1, max=10, thumb_label=True)
        turn = "A turn is one day" if per_turn == 1 else f"A turn is {per_turn} days"
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"{turn}: every side decides each day, the umpire adjudicates, the "
            "record is written. To play a side, pick it under <i>New game</i> and press Reset.",
            classes=["wg-note"],
        )


def end_button(label: str, end_game: Callable[[], None], disabled: bool = False) -> Any:
    """Ends the game now: the record and the verdict unlock."""
    return solara.Button(
        label,
        icon_name="mdi-stop",
        on_click=end_game,
        classes=["wg-end-game"],
        disabled=disabled,
        outlined=True,
    )


@solara.component
def EndGame(end_game: Callable[[], None]) -> None:
    with solara.Div(classes=["wg-card", "wg-end-card"]):
        end_button("End the game now", end_game)
        solara.HTML(
            tag="div",
            unsafe_innerHTML="The record, with the whole truth, unlocks when the game ends; the "
            "verdict compares your game with computer-played games as long as it.",
            classes=["wg-note"],
        )


@solara.component
def Briefing(game: Game) -> None:
    """The side's briefing: its aims, campaigns and red lines from the scenario's doctrine, and
    a pack's briefing for it on this scenario, if one comes with the game."""
    side = game.side or ""
    text = solara.use_memo(lambda: pack_briefing(game.model.loaded.name, side), [side])
    with (
        solara.Details("Your briefing and aims", expand=game.model.day == 0),
        solara.Div(classes=["wg-card", "wg-briefing"]),
    ):
        solara.HTML(tag="div", unsafe_innerHTML=doctrine_html(game))
        if text:
            solara.HTML(tag="div", unsafe_innerHTML=briefing_html(text))


def doctrine_html(game: Game) -> str:
    """What the side wants and what makes it answer, in words, from its doctrine."""
    spec = game.model.actors[game.side or ""].spec
    names = game.narrator.names
    goals = sorted(((v, k) for k, v in spec.goals.model_dump().items() if v), reverse=True)
    aims = ", ".join(f"{AIMS.get(k, k)} ({v:g})" for v, k in goals)
    parts = [f"<p><b>Your aims</b>, by weight: {escape(aims)}.</p>"]
    for name, line in spec.red_lines.items():
        answer = " or ".join(kind_title(o).lower() for o in line.answer)
        trigger = TRIGGERS[line.trigger] + (" or your friends" if line.friends else "")
        if line.trigger == "pain":
            trigger = f"when economic pain passes {line.threshold:g}"
        parts.append(
            f"<li><b>{escape(kind_title(name))}</b>: {escape(trigger)}, you answer with "
            f"{escape(answer)} within {line.days} days (weight {line.weight:g}).</li>"
        )
    for name, campaign in spec.campaigns.items():
        whom = ", ".join(names.get(a, a) for a in campaign.against)
        orders = " or ".join(kind_title(o).lower() for o in campaign.orders)
        parts.append(
            f"<li><b>Campaign {escape(kind_title(name).lower())}</b>: {escape(orders)} against "
            f"{escape(whom)} about every {campaign.every_days:g} days.</li>"
        )
    return parts[0] + (f"<ul>{''.join(parts[1:])}</ul>" if parts[1:] else "")


AIMS = {
    "security": "security of your forces and people",
    "deterrence": "deterrence",
    "pressure": "economic pressure on adversaries",
    "economy": "your economy and the flow of oil",
    "influence": "influence through proxies and the corridor",
    "restraint": "restraint (staying off the higher rungs)",
    "alliance": "standing with your leader or sponsor",
}
TRIGGERS = {
    "attacked": "when you are attacked",
    "killed": "when your people are killed",
    "struck": "when a state strikes you directly",
    "pain": "when economic pain bites",
}


@cache
def pack_briefing(scenario: str, side: str) -> str:
    """The briefing a shipped pack on this scenario gives the side, or ''."""
    for ref in shipped_packs():
        try:
            pack = load_pack(ref)
        except ScenarioError:
            continue
        if pack.scenario.name == scenario and side in pack.briefings:
            return pack.briefings[side]
    return ""


@solara.component
def Verdict(game: Game) -> None:
    """How the game ended against computer-played games of the same length (seeds 1..N)."""
    runs = int(os.environ.get(ENV_COMPARE, "100"))
    games = solara.use_reactive(cast(list[Played] | None, game.saved_verdict()))
    done = solara.use_reactive(0)

    @solara.lab.use_task(dependencies=[game.id, game.model.day], prefer_threaded=True)
    def compare() -> None:
        if games.value is not None:
            return
        found = computer_games(game.plan, runs, game.model.day, lambda n, _: done.set(n))
        game.save_verdict(found)
        games.set(found)

    ours = game.played()
    with solara.Div(classes=["wg-card", "wg-verdict"]):
        solara.HTML(tag="h3", unsafe_innerHTML="How your game ended")
        if games.value is None:
            rv.ProgressLinear(value=100 * done.value / runs, height=8)
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"Playing {runs} games of {game.model.day} days with "
                f"the computer on every side: {done.value} done.",
                classes=["wg-note", "wg-verdict-progress"],
            )
            return
        shares = outcome_shares(games.value)
        whose = "Your game" if game.side else "This game"
        sentence = peak_sentence(ours.peak, games.value, whose)
        rows = "".join(
            f"<tr{' class=wg-ours' if name == ours.outcome else ''}><td>"
            f"{escape(name.replace('_', ' '))}</td><td>{share:.0%}</td></tr>"
            for name, share in shares.items()
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<p class='wg-verdict-peak'><b>{escape(sentence)}</b></p>"
                f"<p>{whose} ended in <b>{escape(ours.outcome.replace('_', ' '))}</b>; "
                f"{shares[ours.outcome]:.0%} of the computer-played games did too.</p>"
                f"<table class='wg-outcomes'><tr><th>Outcome</th><th>Computer-played games</th>"
                f"</tr>{rows}</table><p class='wg-note'>{len(games.value)} games of the same "
                f"scenario and settings, {game.model.day} days each, seeds 1 to "
                f"{len(games.value)}, the computer on every side. A run is a possibility, never "
                "a prediction.</p>"
            ),
        )


@solara.component
def Settings(
    ref: solara.Reactive[str],
    seed: solara.Reactive[int],
    side: solara.Reactive[str],
    values: solara.Reactive[dict[str, float]],
    days: solara.Reactive[int],
    per_turn: solara.Reactive[int],
    reset: Callable[[], None],
    game: Game,
) -> None:
    """The next game: scenario, seed, the side to play, its length and turns, and key
    parameters, applied on Reset. An edited parameter stays edited when the scenario changes,
    and says so; one that differs from the game in play says it applies on Reset."""
    choices = solara.use_memo(scenario_choices, [])

    def load_choice() -> LoadedScenario | None:
        try:
            return load_scenario(ref.value, base_overrides(ref.value))
        except ScenarioError:
            return None

    loaded = solara.use_memo(load_choice, [ref.value])

    def pick_scenario(value: str) -> None:
        ref.set(value)
        side.set(WATCH)

    sides = [{"text": "Nobody: watch the computer play", "value": WATCH}]
    if loaded is not None:
        sides += [{"text": a.name, "value": aid} for aid, a in loaded.spec.actors.items()]
    longest = loaded.spec.scenario.days if loaded is not None else 365
    with solara.Div(classes=["wg-card", "wg-settings"]):
        solara.HTML(tag="h3", unsafe_innerHTML="New game")
        rv.Select(
            label="Scenario",
            items=choices,
            v_model=ref.value,
            on_v_model=pick_scenario,
            dense=True,
            class_="wg-scenario",
        )
        solara.InputInt("Seed", value=seed, classes=["wg-seed"])
        rv.Select(
            label="Play as",
            items=sides,
            v_model=side.value,
            on_v_model=side.set,
            dense=True,
            class_="wg-side",
        )
        with solara.Row(gap="8px"):
            solara.InputInt(
                f"Length, days (1 to {longest})",
                value=days.value or longest,
                on_value=days.set,
                classes=["wg-length"],
            )
            solara.InputInt("Days per turn", value=per_turn, classes=["wg-per-turn"])
        if loaded is not None:
            current = game.model.loaded
            for p in SLIDERS:
                default = spec_value(loaded, p.key)
                if default is None:
                    continue
                source = loaded.sources.get(p.key)
                why = f" Scenario value {default:g}" + (
                    f" ({source.ref}: {source.note})." if source and source.note else "."
                )
                value = values.value.get(p.key, default)
                playing = spec_value(current, p.key)
                notes = []
                if p.key in values.value and value != default:
                    notes.append("edited")
                if playing is not None and value != playing:
                    notes.append(f"applies on Reset; this game has {playing:g}")

                def change(v: float, key: str = p.key) -> None:
                    values.set({**values.value, key: v})

                with (
                    solara.Tooltip(p.help + why),
                    solara.Column(gap="0px", classes=["wg-param"]),
                ):
                    flag = (
                        f" <em class='wg-pending-value'>{escape('; '.join(notes))}</em>"
                        if notes
                        else ""
                    )
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML=f"{escape(p.label)}: <b>{value:g}</b> "
                        f"<span>({escape(p.unit)})</span>{flag}",
                        classes=["wg-param-label"],
                    )
                    solara.SliderFloat(
                        "",
                        value=value,
                        min=p.low,
                        max=p.high,
                        step=p.step,
                        on_value=change,
                        thumb_label=True,
                    )
        with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
            solara.Button(
                "Reset",
                icon_name="mdi-restart",
                on_click=reset,
                color="primary",
                outlined=True,
                classes=["wg-reset"],
            )
            if values.value:
                solara.Button(
                    "Scenario values",
                    icon_name="mdi-undo",
                    on_click=lambda: values.set({}),
                    text=True,
                    classes=["wg-scenario-values"],
                )
        solara.HTML(
            tag="div",
            unsafe_innerHTML="Reset starts a new game with these settings; a parameter you "
            "edited stays edited when you pick another scenario. Hover a parameter for what it "
            "means and where its value comes from.",
            classes=["wg-note"],
        )


@solara.component
def Downloads(game: Game, tick: int) -> None:
    """The record as a zip; while a person plays a side, only once the game is over, since it
    holds the whole truth (who really did what, every side's orders)."""
    m = game.model
    with solara.Div(classes=["wg-card", "wg-downloads"]):
        solara.HTML(tag="h3", unsafe_innerHTML="Record")
        if game.side is not None and not game.over:
            solara.HTML(
                tag="div",
                unsafe_innerHTML="The record holds the whole truth, so you can download it when "
                "the game ends.",
                classes=["wg-note", "wg-record-later"],
            )
            return
        solara.FileDownload(
            game.archive,
            filename=f"{m.loaded.name}_seed{game.seed}_day{m.day}.zip",
            label="Download the record",
            mime_type="application/zip",
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML="Summary, events, daily metrics and every order, with the seed and "
            "settings: <code>wargame.engine.replay.replay(path)</code> plays the game again.",
            classes=["wg-note"],
        )


@solara.component
def Theatre(game: Game, tick: int) -> None:
    """The map, the charts and the event log of one viewer's picture of a game (the dashboard's,
    and each seat's in the classroom)."""
    coverage = solara.use_reactive(False)
    log_actor = solara.use_reactive(WATCH)
    log_kinds = solara.use_reactive(cast(list[str], []))
    solara.use_effect(lambda: log_actor.set(WATCH), [game])  # a new game: the filter starts over
    frame = solara.use_memo(lambda: game.frame(coverage.value), [game, tick, coverage.value])
    lines = solara.use_memo(
        lambda: game.log(log_actor.value or None, log_kinds.value),
        [game, tick, log_actor.value, tuple(log_kinds.value)],
    )
    with solara.Column(gap="10px", classes=["wg-theatre"]):
        with solara.Div(classes=["wg-theatre-top"]):
            MapPanel(game, tick, frame.overlay, coverage)
            with solara.Column(gap="10px", classes=["wg-theatre-charts"]):
                Chart(frame.charts["rung"])
                Chart(frame.charts["tension"])
        with solara.Div(classes=["wg-theatre-row"]):
            for name in ("oil", "convoys", "casualties"):
                Chart(frame.charts[name])
        EventLog(game, lines, log_actor, log_kinds)


@solara.component
def MapPanel(game: Game, tick: int, overlay: str, coverage: solara.Reactive[bool]) -> None:
    legend = solara.use_memo(legend_html, [])
    with solara.Div(classes=["wg-card", "wg-map-card"]):
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            whose = "" if game.side is None else f", as {game.model.actors[game.side].name} sees it"
            title = f"The theatre on day {game.model.day}{whose}"
            solara.HTML(tag="h3", unsafe_innerHTML=escape(title))
            solara.Switch(label="Surveillance coverage", value=coverage, classes=["wg-coverage"])
        with solara.Div(classes=["wg-map"]):
            solara.Image(game.map.background, format="png")
            solara.HTML(tag="div", unsafe_innerHTML=overlay, classes=["wg-map-overlay"])
        solara.HTML(tag="div", unsafe_innerHTML=legend)


@solara.component
def Chart(svg: str) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["wg-card"])


@solara.component
def EventLog(
    game: Game,
    lines: list[str],
    actor: solara.Reactive[str],
    kinds: solara.Reactive[list[str]],
) -> None:
    names = game.narrator.names
    heading = (
        "Event log, newest first: the truth, and whom the victim blamed"
        if game.side is None
        else f"Event log, newest first: what {names[game.side]} has heard, with its own blame"
    )
    with solara.Div(classes=["wg-card", "wg-log-card"]):
        solara.HTML(tag="h3", unsafe_innerHTML=escape(heading))
        with solara.Row(gap="12px"):
            rv.Select(
                label="Side named",
                items=[{"text": "All sides", "value": WATCH}]
                + [{"text": name, "value": aid} for aid, name in names.items()],
                v_model=actor.value,
                on_v_model=actor.set,
                dense=True,
                hide_details=True,
                class_="wg-log-actor",
                style_="max-width: 260px",
            )
            rv.Select(
                label="Kinds (all if none)",
                items=[{"text": k.what, "value": name} for name, k in INCIDENTS.items()],
                v_model=kinds.value,
                on_v_model=kinds.set,
                multiple=True,
                chips=True,
                small_chips=True,
                deletable_chips=True,
                dense=True,
                hide_details=True,
                class_="wg-log-kinds",
            )
        body = "".join(f"<li>{escape(line)}</li>" for line in lines) or "<li>Nothing yet.</li>"
        solara.HTML(tag="ol", unsafe_innerHTML=body, classes=["wg-log"])


# ----- the server -----
def serve_dashboard(
    scenario: str,
    overrides: dict[str, Any],
    seed: int,
    host: str,
    port: int,
    games: str = "runs/dashboard",
    compare: int = 100,
) -> None:
    """``wargame serve``: check the scenario, the port and the games folder, then serve the
    dashboard."""
    loaded = load_scenario(scenario, overrides)
    check_port(host, port)
    folder = Path(games)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--games {folder}: exists and is not a folder")
    check_writable(folder, f"--games {folder}")
    os.environ[ENV_SCENARIO] = scenario
    os.environ[ENV_SEED] = str(seed)
    os.environ[ENV_SET] = json.dumps(overrides, default=to_json)
    os.environ[ENV_GAMES] = str(folder.absolute())
    os.environ[ENV_COMPARE] = str(compare)
    background_png(loaded.spec.map.resolution_deg)  # drawn before the first tab asks for it
    url = f"http://{host}:{port}"
    serve(
        "wargame.dashboard.app",
        host,
        port,
        [
            f"Dashboard for {loaded.spec.scenario.title}: {url}  (Ctrl+C to stop)",
            f"Games saved in {folder}: a game's address brings it back",
            DISCLAIMER,
        ],
        open_url=url,
    )
