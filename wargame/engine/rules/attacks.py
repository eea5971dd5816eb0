"""How an attack on a site is resolved, whoever makes it.

Summary of rule: an attack hits with ``hit[order]`` times the attacker's potency, less where
air defences stand, and a hit kills a Poisson number of people in proportion to the site's
exposure.

The attacker's potency is a militia's capability multiplied by its coordination with the sponsor
(rules/proxies.py), or a state's readiness. The chance is cut by ``air_defence`` where the
owner or an ally has an air-defence battery in that country. A hit kills a Poisson number of
people with mean ``casualties[order]`` times the site's vulnerability (its owner's force
protection, and evacuation for missions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import INCIDENTS, Event
from wargame.core.ladder import Rung
from wargame.engine.rules.odds import roll
from wargame.engine.rules.posture import vulnerability

if TYPE_CHECKING:
    from agents.actors import Actor
    from agents.sites import Site
    from wargame.core.orders import Order
    from wargame.engine.world import World

INCIDENT_OF_SITE = {
    "oil_facility": "oil_facility_attack",
    "oil_terminal": "oil_facility_attack",
    "base": "base_attack",
    "military_site": "base_attack",
    "militia_site": "base_attack",
    "embassy": "rocket_attack",
    "consulate": "rocket_attack",
    "city": "rocket_attack",
    "chokepoint": "tanker_sabotage",
}


def potency(world: World, actor: Actor) -> float:
    """How much of an attack's nominal chance this attacker achieves."""
    if actor.is_militia:
        bonus = world.spec.rules.proxies.coordination_bonus
        return actor.capability * (1.0 + bonus * actor.coordination)
    return actor.readiness


def defended(world: World, site: Site) -> bool:
    """Whether an air-defence battery of the owner or an ally stands in the site's country."""
    owner = world.actors[site.owner]
    friends = {owner.aid, *owner.spec.allies}
    return any(
        f.in_theatre
        and f.kind == "patriot_battery"
        and f.owner in friends
        and world.geo.country_of(f.station) == site.country
        for f in world.forces.values()
    )


def resolve(
    world: World, doer: Actor, site: Site, order_kind: str, rng: np.random.Generator
) -> tuple[bool, int, dict[str, float]]:
    """Whether the attack hits, how many it kills, and the odds and draw of the hit."""
    rules = world.spec.rules.strikes
    chance = rules.hit.get(order_kind, 0.0) * potency(world, doer)
    if defended(world, site):
        chance *= 1.0 - rules.air_defence
    hit, odds = roll(rng, chance)
    if not hit:
        return False, 0, odds
    mean = rules.casualties.get(order_kind, 0.0) * vulnerability(world, site)
    killed = int(rng.poisson(mean)) if mean > 0 else 0
    return True, killed, odds


def intensity(world: World, kind: str, hit: bool, killed: int) -> Rung:
    """The rung an attack on a site stands on, by what it did: one that hit nothing is
    harassment, one that killed ``deadly_at`` or more is a step above proxy violence."""
    usual = INCIDENTS[kind].rung
    if usual != Rung.PROXY_VIOLENCE:
        return usual
    if not hit:
        return Rung.HARASSMENT
    if killed >= world.spec.rules.escalation.deadly_at:
        return Rung.STRIKES_ON_PROXIES
    return usual


def attack_site(world: World, order: Order, rng: np.random.Generator) -> Event:
    """Rockets on a city or a mission, or an attack on a base: the incident the site implies."""
    return hit_site(world, order, rng)


def hit_site(
    world: World,
    order: Order,
    rng: np.random.Generator,
    kind: str | None = None,
    rung: Rung | None = None,
) -> Event:
    """Resolve an attack on the site ``order.target`` and record it.

    The order's ``via`` is the militia that carries out a directed attack (the order's actor is
    then the sponsor that directed it); ``kind`` overrides the incident kind the site implies.
    """
    site = world.sites[order.target or ""]
    attacker = world.actors[order.via or order.actor]
    hit, killed, odds = resolve(world, attacker, site, order.kind, rng)
    kind = kind or INCIDENT_OF_SITE[site.kind]
    if rung is None:
        rung = intensity(world, kind, hit, killed)
    world.actors[site.owner].casualties += killed
    outcome = ("hit" if hit else "missed or intercepted") + (f", {site.name}" if hit else "")
    return world.make_event(
        kind,
        attacker.aid,
        site.owner,
        site.sid,
        outcome,
        rung=rung,
        casualties=killed,
        order=order,
        directed_by=order.actor if order.via else None,
        details={"hit": hit, **odds},
    )
