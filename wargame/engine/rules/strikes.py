"""States' strikes: on militias, on other states, on their commanders, and on unmanned aircraft.

Summary of rule: a strike hits one of the target's sites in reach as any attack does, a hit on
a militia takes away ``militia_damage`` of its capability, a hit on commanders takes
``leader_damage`` of their network's capability and coordination, and a drone falls with ``hit``.

A strike on a militia hits one of its sites in reach of the striker; a hit removes
``militia_damage`` of the militia's capability. A strike on a state hits one of its bases or
military sites in reach. Both are resolved like any attack (rules/attacks.py), with the striker's
readiness as its potency, and recorded as ``state_strike``: a strike on a state is the first
rung of direct exchange. A strike on commanders (``target_leaders``) is resolved the same way at
one of their sites, with its own odds and toll; a hit takes ``leader_damage`` of the capability
of the militia, or of every militia the Quds Force coordinates, and as much of their
coordination with the sponsor: decapitation degrades a network for a while rather than ending
it. Shooting down a drone needs no site: it succeeds with ``hit``.
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
    event = _at_a_site(model, order, rng, "state_strike")
    if event and order.kind == "strike_militia" and event.details["hit"]:
        militia = model.actors[order.target or ""]
        militia.capability = max(militia.capability - model.spec.rules.strikes.militia_damage, 0.0)
    return event


def target_leaders(model: World, order: Order, rng: np.random.Generator) -> Event | None:
    """Strike a militia's commanders (rung 5) or the Quds Force's (rung 6)."""
    event = _at_a_site(model, order, rng, "leadership_strike")
    if event and event.details["hit"]:
        damage = model.spec.rules.strikes.leader_damage
        target = model.actors[order.target or ""]
        network = (
            [target]
            if target.is_militia
            else [m for m in model.militias if m.spec.sponsor == target.aid]
        )
        for militia in network:
            militia.capability = max(militia.capability - damage, 0.0)
            militia.coordination = max(militia.coordination - damage, 0.0)
        event.details["network"] = [m.aid for m in network]
    return event


def _at_a_site(model: World, order: Order, rng: np.random.Generator, kind: str) -> Event | None:
    """A strike at one of the target's sites in reach, drawn at random: on a militia's it is a
    strike on a proxy (rung 5), on a state's the first rung of direct exchange (rung 6)."""
    target = order.target or ""
    sites = model.strike_sites(order.actor, target)
    if not sites:
        return None
    site = sites[int(rng.integers(len(sites)))]
    on_militia = model.actors[target].is_militia
    return hit_site(
        model,
        order._replace(target=site.sid),
        rng,
        kind=kind,
        rung=Rung.STRIKES_ON_PROXIES if on_militia else Rung.LIMITED_DIRECT,
    )


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
