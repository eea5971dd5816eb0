"""Proxies: what the Quds Force's coordination does to the militias.

Summary of rule: coordination multiplies a militia's potency by ``1 + coordination_bonus *
coordination``; it rises with each meeting and fades each day, as unsupplied capability does.

The article's central claim is that the threat "is amplified if Iran's 'extraterritorial' unit
is able to coordinate" with the militias. Coordination rises with each ``coordinate`` order by
``coordination_gain`` of the distance to full, and fades by ``coordination_decay`` a day (the
potency itself is worked out where attacks are, rules/attacks.py). A militia loses
``capability_decay`` of its capability a day (use, attrition) unless convoys resupply it.
Militias also choose their own attacks (their ``autonomy``); a sponsor's ``restrain`` order holds
them back for ``restraint_days``, and its ``direct_attack`` sends one of them against a site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event
from wargame.engine.rules import sabotage
from wargame.engine.rules.attacks import hit_site
from wargame.engine.rules.odds import roll

if TYPE_CHECKING:
    from wargame.core.orders import Order
    from wargame.engine.world import World


def coordinate(model: World, order: Order, rng: np.random.Generator) -> Event:
    """A coordination meeting: the militia grows more capable. It is secret, but each adversary
    of the militia learns of it with the chance of its own intelligence ("Any meeting between
    these groups and Iran is closely monitored")."""
    militia = model.actors[order.target or ""]
    militia.coordination += model.spec.rules.proxies.coordination_gain * (
        1.0 - militia.coordination
    )
    spotted = {a: roll(rng, model.actors[a].spec.intel) for a in militia.spec.adversaries}
    seen = [a for a, (yes, _) in spotted.items() if yes]
    return model.make_event(
        "coordination",
        order.actor,
        militia.aid,
        militia.spec.home or militia.aid,
        f"met {militia.name} leaders; coordination now {militia.coordination:.2f}",
        order=order,
        details={
            "threatens": list(militia.spec.adversaries),
            "seen_by": seen,
            "spotting": {a: odds for a, (_, odds) in spotted.items()},
        },
    )


def restrain(model: World, order: Order, rng: np.random.Generator) -> None:
    """A private word to stand down: no incident is recorded."""
    militia = model.actors[order.target or ""]
    militia.restrained_until = model.day + model.spec.rules.proxies.restraint_days


def direct_attack(world: World, order: Order, rng: np.random.Generator) -> Event:
    """The militia named by ``via`` is asked to attack the site at its sponsor's direction. It
    decides for itself whether to (its player's ``consent``); if it does, an oil facility is hit
    as sabotage does (capacity knocked out), any other site as an attack on it."""
    militia = world.actors[order.via or ""]
    answer = militia.consents(order)
    if not answer.agreed:
        return world.make_event(
            "proxy_refusal",
            militia.aid,
            order.actor,
            militia.spec.home or militia.aid,
            f"declined to attack {world.sites[order.target or ''].name}",
            order=order,
            directed_by=order.actor,
            details={
                "site": order.target,
                "p": answer.p,
                "roll": answer.roll,
            },
            tone="neutral",
        )
    if world.sites[order.target or ""].is_oil:
        event = sabotage.attack_oil(world, order, rng)
    else:
        event = hit_site(world, order, rng)
    event.details["consent"] = {"p": answer.p, "roll": answer.roll}
    return event


def fade(model: World) -> None:
    """Daily: coordination and unsupplied capability wear off."""
    rules = model.spec.rules.proxies
    for militia in model.militias:
        militia.coordination *= 1.0 - rules.coordination_decay
        militia.capability *= 1.0 - rules.capability_decay
