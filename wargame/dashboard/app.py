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
from typing import Any, cast

import reacton.ipyvuetify as rv
import solara
import solara.lab

from wargame.core import DISCLAIMER
from wargame.core.incidents import INCIDENTS
from wargame.core.ladder import LADDER, OUTCOMES, Rung
from wargame.core.options import from_json, to_json
from wargame.core.orders import CATALOGUE, STANDING, Order
from wargame.core.parameters import SLIDERS, value_at
from wargame.core.scenario import LoadedScenario, ScenarioError, load_scenario, shipped
from wargame.dashboard.map_drawing import background_png, legend_html
from wargame.dashboard.server import check_port, serve
from wargame.dashboard.session import Game
from wargame.engine.narrative import kind_title, rung_title
from wargame.engine.policy import OrderRefused

logger = logging.getLogger(__name__)

# How ``wargame serve`` hands its command line to the page (a separate import by Solara).
ENV_SCENARIO, ENV_SEED, ENV_SET = "WARGAME_SCENARIO", "WARGAME_SEED", "WARGAME_SET"
WATCH = ""  # the side value meaning "watch, play no side"
KEEP = "keep"  # the standing-policy choice meaning "change none"


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
    ref = solara.use_reactive(start.scenario)
    seed = solara.use_reactive(start.seed)
    side = solara.use_reactive(WATCH)
    values = solara.use_reactive(cast(dict[str, float], {}))
    first = solara.use_memo(lambda: Game(start.scenario, start.overrides, start.seed), [])
    game = solara.use_reactive(first)
    tick = solara.use_reactive(0)  # bumped after every day: the frame to draw
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(4)
    error = solara.use_reactive(cast(str | None, None))
    refusal = solara.use_reactive(cast(str | None, None))
    g = game.value

    def advance(current: Game, orders: list[Order] | None = None) -> bool:
        """Play a day; report a refused order or a failure instead of raising."""
        if current.over:
            return False
        try:
            current.step(orders)
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
        if current.model.finished:
            playing.set(False)
        return not current.model.finished

    @solara.lab.use_task(dependencies=[playing.value], prefer_threaded=True)
    def clock() -> None:
        """While playing, a day every 1/speed seconds; stops when paused, on Reset, at the
        end, or when the tab goes away (the task is cancelled)."""
        current = game.value
        while playing.value and game.value is current and clock.is_current():
            started = time.perf_counter()
            if not advance(current):
                break
            time.sleep(max(0.0, 1.0 / speed.value - (time.perf_counter() - started)))

    def end_turn(orders: list[Order], day: int) -> bool:
        """End turn, stamped with the day it was shown for: once that day is played, a second
        click (a double-click) is ignored, not played as a hold the person never chose."""
        return day == g.model.turn and advance(g, orders)

    def reset() -> None:
        playing.set(False)
        if seed.value < 0:
            error.set(f"The game could not start: the seed must be 0 or more, not {seed.value}.")
            return
        overrides = {**base_overrides(ref.value), **values.value}
        try:
            fresh = Game(ref.value, overrides, seed.value, side.value or None)
        except ScenarioError as exc:
            error.set("The game could not start: " + "; ".join(exc.lines))
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
        with solara.Row(gap="12px", style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
            with solara.Column(gap="10px", style={"flex": "0 0 340px", "width": "340px"}):
                if g.human is not None:
                    Orders(g, tick.value, g.model.turn, end_turn, refusal.value)
                else:
                    Clock(g, tick.value, playing, speed, lambda: advance(g))
                Settings(ref, seed, side, values, reset)
                Downloads(g, tick.value)
            Theatre(g, tick.value)
        solara.HTML(tag="div", unsafe_innerHTML=escape(DISCLAIMER), classes=["wg-disclaimer"])


def rung_tip(rung: int) -> str:
    """What a rung means, and the rungs of Kahn's ladder it condenses."""
    info = LADDER[Rung(rung)]
    return f"{info.definition} Kahn (1965): {info.kahn}."


@solara.component
def Header(game: Game, tick: int) -> None:
    """The day, the date, the rung and the market; ``tick`` redraws it after every day."""
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
    if m.finished:
        outcome = m.outcome()
        solara.Info(
            f"The run is over: {outcome.replace('_', ' ')}. {OUTCOMES[outcome]}",
            classes=["wg-finished"],
        )


@solara.component
def Clock(
    game: Game,
    tick: int,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    step: Callable[[], bool],
) -> None:
    done = game.over
    with solara.Div(classes=["wg-card", "wg-clock"]):
        solara.HTML(tag="h3", unsafe_innerHTML="Clock")
        with solara.Row(gap="6px"):
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
        solara.SliderInt("Speed, days a second", value=speed, min=1, max=10, thumb_label=True)
        solara.HTML(
            tag="div",
            unsafe_innerHTML="A day is one turn: every side decides, the umpire adjudicates, the "
            "record is written. To play a side, pick it under <i>New game</i> and press Reset.",
            classes=["wg-note"],
        )


@solara.component
def KindChoice(
    title: str,
    kinds: dict[str, list[Order]],
    kind: solara.Reactive[str],
    target: solara.Reactive[int],
    game: Game,
    css: str,
) -> None:
    """One of the day's two choices: a kind of order (with its explanation and rung), then,
    where it has several, its target."""

    def label(name: str) -> Any:
        if name == KEEP:
            title, rung, text = "Keep standing policies", "", "Change no standing policy today."
        else:
            spec = CATALOGUE[name]
            title, rung, text = kind_title(name), rung_title(spec.rung), spec.explanation
        return rv.Html(
            tag="div",
            class_="wg-kind-label",
            children=[
                rv.Html(tag="b", children=[title]),
                rv.Html(tag="span", class_="wg-rung-chip", children=[rung]),
                rv.Html(tag="div", class_="wg-explain", children=[text]),
            ],
        )

    def choose(value: str) -> None:
        kind.set(value)
        target.set(0)

    solara.HTML(tag="h4", unsafe_innerHTML=escape(title), style="margin: 6px 0 2px")
    rv.RadioGroup(
        v_model=kind.value,
        on_v_model=choose,
        dense=True,
        hide_details=True,
        class_=css,
        children=[
            rv.Radio(
                value=name,
                class_=f"wg-kind wg-kind-{name}",
                v_slots=[{"name": "label", "children": label(name)}],
            )
            for name in kinds
        ],
    )
    targets = kinds.get(kind.value, [])
    if len(targets) > 1:
        rv.Select(
            label="Target",
            items=[{"text": game.narrator.target(o), "value": i} for i, o in enumerate(targets)],
            v_model=min(target.value, len(targets) - 1),
            on_v_model=target.set,
            dense=True,
            outlined=True,
            hide_details=True,
            class_=f"{css}-target",
        )
    elif targets and targets[0].target:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"Target: {escape(game.narrator.target(targets[0]))}",
            classes=["wg-note"],
        )


@solara.component
def Orders(
    game: Game,
    tick: int,
    turn: int,
    end_turn: Callable[[list[Order], int], bool],
    refusal: str | None,
    heading: str | None = None,
    note: str = "Choose one reaction and, if you wish, one change of standing policy; then end "
    "the turn. The computer plays every other side.",
    button: str = "End turn",
) -> None:
    """A person's turn: at most one reaction and one change of standing policy, chosen from the
    side's legal orders for the coming day. ``end_turn`` gets the orders with the ``turn`` they
    were chosen for, so that orders given late (a double-click, a page not yet redrawn) are
    never applied to the next turn."""
    reaction = solara.use_reactive("hold")
    reaction_target = solara.use_reactive(0)
    standing = solara.use_reactive(KEEP)
    standing_target = solara.use_reactive(0)
    options = solara.use_memo(game.options, [game, tick])

    def clear() -> None:
        reaction.set("hold")
        reaction_target.set(0)
        standing.set(KEEP)
        standing_target.set(0)

    solara.use_effect(clear, [turn])  # a choice made for one turn never carries to the next
    reactions: dict[str, list[Order]] = {}
    policies: dict[str, list[Order]] = {KEEP: []}
    for order in options:
        group = policies if order.kind in STANDING else reactions
        group.setdefault(order.kind, []).append(order)

    def chosen() -> list[Order]:
        picks = []
        for kind, target, group in (
            (reaction, reaction_target, reactions),
            (standing, standing_target, policies),
        ):
            targets = group.get(kind.value, [])
            if targets:
                picks.append(targets[min(target.value, len(targets) - 1)])
        return picks

    def finish() -> None:
        if end_turn(chosen(), turn):
            clear()

    m = game.model
    side = m.actors[game.side or ""]
    with solara.Div(classes=["wg-card", "wg-orders"]):
        colour = f'<span style="color:{side.spec.colour}">{escape(side.name)}</span>'
        if game.over:
            solara.HTML(tag="h3", unsafe_innerHTML=f"Orders of {colour}")
            solara.HTML(
                tag="div",
                unsafe_innerHTML="The game is over: download the record, or press Reset for a "
                "new one.",
                classes=["wg-note"],
            )
        else:
            title = escape(heading) if heading else f"Orders of {colour} for day {m.turn}"
            solara.HTML(tag="h3", unsafe_innerHTML=title)
            solara.HTML(tag="div", unsafe_innerHTML=escape(note), classes=["wg-note"])
            KindChoice("Reaction", reactions, reaction, reaction_target, game, "wg-reaction")
            if len(policies) > 1:
                KindChoice(
                    "Standing policy", policies, standing, standing_target, game, "wg-standing"
                )
            if refusal:
                solara.Warning(refusal, dense=True, classes=["wg-refusal"])
            # A new button each turn: a second click of a double-click that reaches the server
            # after the page redrew goes to the old, closed button and is dropped.
            solara.Button(
                button,
                icon_name="mdi-check",
                on_click=finish,
                color="primary",
                classes=["wg-end-turn"],
                style={"margin-top": "8px"},
            ).key(f"end-turn-{turn}")
        given = game.people_orders()[:8]
        if given:
            items = "".join(
                f"<li>Day {day}: {escape(game.narrator.order(o))}</li>" for day, o in given
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<b>Your orders</b><ul class='wg-given'>{items}</ul>",
                classes=["wg-note", "wg-your-orders"],
            )


@solara.component
def Settings(
    ref: solara.Reactive[str],
    seed: solara.Reactive[int],
    side: solara.Reactive[str],
    values: solara.Reactive[dict[str, float]],
    reset: Callable[[], None],
) -> None:
    """The next game: scenario, seed, the side to play and key parameters, applied on Reset."""
    choices = solara.use_memo(scenario_choices, [])

    def load_choice() -> LoadedScenario | None:
        try:
            return load_scenario(ref.value, base_overrides(ref.value))
        except ScenarioError:
            return None

    loaded = solara.use_memo(load_choice, [ref.value])

    def pick_scenario(value: str) -> None:
        ref.set(value)
        values.set({})
        side.set(WATCH)

    sides = [{"text": "Nobody: watch the computer play", "value": WATCH}]
    if loaded is not None:
        sides += [{"text": a.name, "value": aid} for aid, a in loaded.spec.actors.items()]
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
        if loaded is not None:
            for p in SLIDERS:
                default = spec_value(loaded, p.key)
                if default is None:
                    continue
                source = loaded.sources.get(p.key)
                why = f" Scenario value {default:g}" + (
                    f" ({source.ref}: {source.note})." if source and source.note else "."
                )
                value = values.value.get(p.key, default)

                def change(v: float, key: str = p.key) -> None:
                    values.set({**values.value, key: v})

                with (
                    solara.Tooltip(p.help + why),
                    solara.Column(gap="0px", classes=["wg-param"]),
                ):
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML=f"{escape(p.label)}: <b>{value:g}</b> "
                        f"<span>({escape(p.unit)})</span>",
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
        solara.Button(
            "Reset",
            icon_name="mdi-restart",
            on_click=reset,
            color="primary",
            outlined=True,
            classes=["wg-reset"],
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML="Reset starts a new game with these settings. Hover a parameter "
            "for what it means and where its value comes from.",
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
    with solara.Column(gap="10px", style={"flex": "1 1 auto", "min-width": "0"}):
        with solara.Row(gap="10px", style={"align-items": "flex-start"}):
            MapPanel(game, tick, frame.overlay, coverage)
            with solara.Column(gap="10px", style={"flex": "2 1 0", "min-width": "0"}):
                Chart(frame.charts["rung"])
                Chart(frame.charts["tension"])
        with solara.Row(gap="10px", style={"align-items": "flex-start"}):
            for name in ("oil", "convoys", "casualties"):
                Chart(frame.charts[name], flex="1 1 0")
        EventLog(game, lines, log_actor, log_kinds)


@solara.component
def MapPanel(game: Game, tick: int, overlay: str, coverage: solara.Reactive[bool]) -> None:
    legend = solara.use_memo(legend_html, [])
    with solara.Div(classes=["wg-card", "wg-map-card"], style={"flex": "3 1 0", "min-width": "0"}):
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
def Chart(svg: str, flex: str = "0 0 auto") -> None:
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["wg-card"], style=f"flex: {flex}")


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
    scenario: str, overrides: dict[str, Any], seed: int, host: str, port: int
) -> None:
    """``wargame serve``: check the scenario and the port, then serve the dashboard."""
    loaded = load_scenario(scenario, overrides)
    check_port(host, port)
    os.environ[ENV_SCENARIO] = scenario
    os.environ[ENV_SEED] = str(seed)
    os.environ[ENV_SET] = json.dumps(overrides, default=to_json)
    background_png(loaded.spec.map.resolution_deg)  # drawn before the first tab asks for it
    url = f"http://{host}:{port}"
    serve(
        "wargame.dashboard.app",
        host,
        port,
        [f"Dashboard for {loaded.spec.scenario.title}: {url}  (Ctrl+C to stop)", DISCLAIMER],
        open_url=url,
    )
