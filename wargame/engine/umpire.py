"""The umpire: which rule adjudicates each order, and in what order a day's orders are settled.

Summary of rule: orders are adjudicated kind by kind in the catalogue's order (pressure and
diplomacy, posture, surveillance, the proxies, shipping, attacks, strikes, the strait), and
within a kind in the order of the sides in the scenario; each is settled by the rule its
catalogue entry names, a function ``(world, order, rng)`` of ``engine/rules``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event
from wargame.core.orders import CATALOGUE, Order

if TYPE_CHECKING:
    from wargame.engine.world import World

Handler = Callable[["World", Order, np.random.Generator], Event | None]


def _handler(kind: str, rule: str) -> Handler:
    """The function a catalogue entry names, "module.function" of a module of engine/rules."""
    module, _, function = rule.partition(".")
    try:
        found = getattr(importlib.import_module(f"wargame.engine.rules.{module}"), function, None)
    except ModuleNotFoundError:
        found = None
    if found is None:
        raise LookupError(f"order '{kind}': no rule '{rule}' in wargame/engine/rules")
    return found


# The phase table: every adjudicated order kind with its rule, in the order they are settled.
UMPIRE: list[tuple[str, Handler]] = [
    (kind, _handler(kind, spec.rule)) for kind, spec in CATALOGUE.items() if spec.rule
]
HANDLERS: dict[str, Handler] = dict(UMPIRE)
PHASE: dict[str, int] = {kind: i for i, (kind, _) in enumerate(UMPIRE)}


def adjudicate(world: World, orders: list[Order], rng: np.random.Generator) -> Iterator[Event]:
    """Settle a day's orders in phase order, yielding each incident as it happens: the model
    records it (and the sides perceive it) before the next order is settled."""
    index = {aid: i for i, aid in enumerate(world.actors)}
    for order in sorted(orders, key=lambda o: (PHASE[o.kind], index[o.actor])):
        event = HANDLERS[order.kind](world, order, rng)
        if event is not None:
            yield event
