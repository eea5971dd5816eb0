"""Proxies: what the Quds Force's coordination does to the militias.

The article's central claim is that the threat "is amplified if Iran's 'extraterritorial' unit
is able to coordinate" with the militias. Here a militia's potency is its capability times
``1 + coordination_bonus * coordination``: coordination multiplies what it can do. Coordination
rises with each ``coordinate`` order by ``coordination_gain`` of the distance to full, and fades
by ``coordination_decay`` a day. A militia loses ``capability_decay`` of its capability a day
(use, attrition) unless convoys resupply it. Militias also choose their own attacks (their
``autonomy``); a sponsor's ``restrain`` order holds them back for ``restraint_days``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event

if TYPE_CHECKING:
    from agents.actors import Actor
    from wargame.core.orders import Order
    from wargame.engine.model import WargameModel


def potency(model: WargameModel, actor: Actor) -> float:
    """How much of an attack's nominal chance this attacker achieves."""
    if actor.is_militia:
        bonus = model.spec.rules.proxies.coordination_bonus
        return actor.capability * (1.0 + bonus * actor.coordination)
    return actor.readiness


def coordinate(model: WargameModel, order: Order, rng: np.random.Generator) -> Event:
    """A coordination meeting: the militia grows more capable. It is secret, but each adversary
    of the militia learns of it with the chance of its own intelligence ("Any meeting between
    these groups and Iran is closely monitored")."""
    militia = model.actors[order.target or ""]
    militia.coordination += model.spec.rules.proxies.coordination_gain * (
        1.0 - militia.coordination
    )
    seen = [a for a in militia.spec.adversaries if rng.random() < model.actors[a].spec.intel]
    return model.make_event(
        "coordination",
        order.actor,
        militia.aid,
        militia.spec.home or militia.aid,
        f"met {militia.name} leaders; coordination now {militia.coordination:.2f}",
        order=order,
        details={"threatens": list(militia.spec.adversaries), "seen_by": seen},
    )


def restrain(model: WargameModel, order: Order) -> None:
    """A private word to stand down: no incident is recorded."""
    militia = model.actors[order.target or ""]
    militia.restrained_until = model.day + model.spec.rules.proxies.restraint_days


def fade(model: WargameModel) -> None:
    """Daily: coordination and unsupplied capability wear off."""
    rules = model.spec.rules.proxies
    for militia in model.militias:
        militia.coordination *= 1.0 - rules.coordination_decay
        militia.capability *= 1.0 - rules.capability_decay
