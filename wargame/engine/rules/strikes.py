"""States' strikes: on militias, on other states, and on unmanned aircraft.

Summary of rule: a strike hits one of the target's sites in reach as any attack does, a hit on
a militia takes away ``militia_damage`` of its capability, and a drone falls with ``hit``.

A strike on a militia hits one of its sites in reach of the striker; a hit removes
``militia_damage`` of the militia's capability. A strike on a state hits one of its bases or
military sites in reach. Both are resolved like any attack (rules/attacks.py), with the striker's
readiness as its potency, and recorded as ``state_strike``: a strike on a state is the first
rung of direct exchange. Shooting down a drone needs no site: it succeeds with ``hit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event
from wargame.core.ladder import Rung
from wargame.engine.rules.attacks import hit_site
from wargame.engine.rules.odds import roll

if TYPE_CHECKING:
    from wargame.core.orders import Order
    from wargame.engine.world import World


def strike(model: World, order: Order, rng: np.random.Generator) -> Event | None:
    """Strike a militia (rung 5) or a state (rung 6) at one of its sites in reach."""
    sites = model.strike_sites(order.actor, order.target or "")
    if not sites:
        return None
    site = sites[int(rng.integers(len(sites)))]
    on_militia = order.kind == "strike_militia"
    event = hit_site(
        model,
        order._replace(target=site.sid),
        rng,
        kind="state_strike",
        rung=Rung.STRIKES_ON_PROXIES if on_militia else Rung.LIMITED_DIRECT,
    )
    if on_militia and event.details["hit"]:
        militia = model.actors[order.target or ""]
        militia.capability = max(militia.capability - model.spec.rules.strikes.militia_damage, 0.0)
    return event


def shoot_down_drone(model: World, order: Order, rng: np.random.Generator) -> Event:
    chance = model.spec.rules.strikes.hit.get(order.kind, 0.0) * model.actors[order.actor].readiness
    hit, odds = roll(rng, chance)
    target = order.target or ""
    return model.make_event(
        "drone_shootdown",
        order.actor,
        target,
        model.drone_area(order.actor, target),
        "drone shot down" if hit else "missile missed the drone",
        order=order,
        details={"hit": hit, **odds},
    )
