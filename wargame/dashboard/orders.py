"""A person's orders for a turn: the side's legal orders grouped as the game groups them, each
labelled by what it is and by the rung it would move the crisis to; shared by the dashboard and
the classroom's team pages.

A choice belongs to the turn it was made for. When that turn resolves before the choice was
sent (the facilitator advanced), the choice stays on the page marked as not sent, and sending
it is refused for the resolved turn; changing it, or sending it after the refusal, makes it a
choice for the turn in play.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any, cast

import reacton.ipyvuetify as rv
import solara

from wargame.core.ladder import LADDER, Rung
from wargame.core.orders import CATALOGUE, STANDING, Order
from wargame.dashboard.session import Game
from wargame.engine.narrative import kind_title

KEEP = "keep"  # the standing-policy choice meaning "change none"
EndTurn = Callable[[list[Order], int, str], bool]  # (orders, the turn they are for, intent)


def rung_effect(rung: int, now: int) -> str:
    """What an order does to the ladder, as a fact about it (not a description of it)."""
    title = LADDER[Rung(rung)].title
    if rung > now:
        return f"moves the crisis to rung {rung} ({title})"
    return f"rung {rung} ({title}): at or below where the crisis stands (rung {now})"


def has_standing(game: Game) -> bool:
    """Whether the side has any standing policy it could change (on some day, if not today)."""
    side = game.model.actors[game.side or ""]
    return bool(set(side.spec.orders) & STANDING)


def choice_note(game: Game) -> str:
    if has_standing(game):
        return "Choose one reaction and, if you wish, one change of standing policy."
    return "Choose one reaction (your side has no standing policy to change)."


@solara.component
def KindChoice(
    title: str,
    kinds: dict[str, list[Order]],
    kind: solara.Reactive[str],
    target: solara.Reactive[int],
    game: Game,
    css: str,
    on_change: Callable[[], None],
) -> None:
    """One of the turn's two choices: a kind of order (what it does, and the rung it would move
    the crisis to), then, where it has several, its target."""
    now = game.model.ladder.rung

    def label(name: str) -> Any:
        if name == KEEP:
            title, rung, text = "Keep standing policies", "", "Change no standing policy."
        else:
            spec = CATALOGUE[name]
            title, rung, text = kind_title(name), rung_effect(int(spec.rung), now), spec.explanation
        return rv.Html(
            tag="div",
            class_="wg-kind-label",
            children=[
                rv.Html(tag="b", children=[title]),
                rv.Html(tag="div", class_="wg-explain", children=[text]),
                rv.Html(tag="div", class_="wg-rung-chip", children=[rung]),
            ],
        )

    def choose(value: str) -> None:
        kind.set(value)
        target.set(0)
        on_change()

    def aim(value: int) -> None:
        target.set(value)
        on_change()

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
            on_v_model=aim,
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
    end_turn: EndTurn,
    refusal: str | None,
    heading: str,
    note: str,
    button: str = "End turn",
    intent: bool = False,
    more: tuple[tuple[str, str, str, EndTurn], ...] = (),
) -> None:
    """A person's turn: at most one reaction and one change of standing policy, chosen from the
    side's legal orders for the turn's first day, and (with ``intent``) what they mean by them
    in a line. ``end_turn`` gets the orders with the turn they were chosen for, so that orders
    given late (a double-click, a turn resolved meanwhile) are never applied to another turn.
    ``more`` adds buttons (label, icon, class, action) that send the same choice another way
    (the dashboard's "until news")."""
    reaction = solara.use_reactive("hold")
    reaction_target = solara.use_reactive(0)
    standing = solara.use_reactive(KEEP)
    standing_target = solara.use_reactive(0)
    meant = solara.use_reactive("")
    # The turn this choice was made for (None: nothing chosen yet, so the turn in play). State
    # of its own: a reactive made from ``turn`` would follow it, and a choice left from a
    # resolved turn would pass for one made for this one.
    chosen_for, choose_for = solara.use_state(cast(int | None, None))
    now = solara.use_ref(turn)  # the turn in play, for handlers made in an earlier drawing
    now.current = turn
    options = solara.use_memo(game.options, [game, tick])

    def clear() -> None:
        reaction.set("hold")
        reaction_target.set(0)
        standing.set(KEEP)
        standing_target.set(0)
        meant.set("")
        choose_for(None)

    def made() -> bool:
        return reaction.value != "hold" or standing.value != KEEP or bool(meant.value.strip())

    def new_turn() -> None:
        """A new turn: a choice never carries over silently; one half made stays, not sent."""
        if not made():
            clear()

    solara.use_effect(new_turn, [turn])
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

    def changed() -> None:
        choose_for(now.current)  # a choice changed now is one for the turn in play

    def send(action: EndTurn) -> None:
        if action(chosen(), now.current if chosen_for is None else chosen_for, meant.value):
            clear()
        else:
            choose_for(now.current)  # refused as late: sent again, it is for this turn

    stale = chosen_for is not None and chosen_for < turn
    m = game.model
    side = m.actors[game.side or ""]
    with solara.Div(classes=["wg-card", "wg-orders"]):
        colour = f'<span style="color:{side.spec.colour}">{escape(side.name)}</span>'
        if game.over:
            solara.HTML(tag="h3", unsafe_innerHTML=f"Orders of {colour}")
            solara.HTML(tag="div", unsafe_innerHTML="The game is over.", classes=["wg-note"])
        else:
            solara.HTML(tag="h3", unsafe_innerHTML=escape(heading))
            solara.HTML(tag="div", unsafe_innerHTML=escape(note), classes=["wg-note"])
            if stale:
                solara.Warning(
                    f"Not sent: turn {chosen_for} resolved before you submitted these "
                    f"orders, so your side held. Change them, or submit them for turn {turn}.",
                    dense=True,
                    classes=["wg-unsent"],
                )
            KindChoice(
                "Reaction (at most one)",
                reactions,
                reaction,
                reaction_target,
                game,
                "wg-reaction",
                changed,
            )
            if has_standing(game):
                if len(policies) > 1:
                    KindChoice(
                        "Change of standing policy (at most one)",
                        policies,
                        standing,
                        standing_target,
                        game,
                        "wg-standing",
                        changed,
                    )
                else:
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML="No standing policy can be changed this turn.",
                        classes=["wg-note"],
                    )
            if intent:

                def say(text: str) -> None:
                    meant.set(text)
                    changed()

                solara.InputText(
                    "Your intent, in a line (for the debrief)",
                    value=meant.value,
                    on_value=say,
                    continuous_update=True,
                    classes=["wg-intent"],
                )
            if refusal:
                solara.Warning(refusal, dense=True, classes=["wg-refusal"])
            # A new button each turn: a second click of a double-click that reaches the server
            # after the page redrew goes to the old, closed button and is dropped.
            with solara.Row(gap="6px", style={"flex-wrap": "wrap", "margin-top": "8px"}):
                buttons = (
                    (button, "mdi-check", "wg-end-turn", end_turn),
                    *more,
                )
                for label, icon, css, action in buttons:
                    solara.Button(
                        label,
                        icon_name=icon,
                        on_click=lambda action=action: send(action),
                        color="primary",
                        outlined=css != "wg-end-turn",
                        classes=[css],
                    ).key(f"{css}-{turn}")
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
