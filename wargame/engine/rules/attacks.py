"""How an attack on a site is resolved, whoever makes it.

The chance of a hit is ``hit[order]`` times the attacker's potency (a militia's capability
multiplied by its coordination with the sponsor; a state's readiness), cut by ``air_defence``
where the owner or an ally has an air-defence battery in that country. A hit kills a Poisson
number of people with mean ``casualties[order]`` times the site's vulnerability (its owner's
force protection, and evacuation for missions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event
from wargame.core.ladder import Rung
from wargame.engine.rules.posture import vulnerability
from wargame.engine.rules.proxies import potency

if TYPE_CHECKING:
    from agents.actors import Actor
    from agents.sites import Site
    from wargame.core.orders import Order
    from wargame.engine.model import WargameModel

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


def defended(model: WargameModel, site: Site) -> bool:
    """Whether an air-defence battery of the owner or an ally stands in the site's country."""
    owner = model.actors[site.owner]
    friends = {owner.aid, *owner.spec.allies}
    return any(
        f.in_theatre
        and f.kind == "patriot_battery"
        and f.owner in friends
        and model.geo.country_of(f.station) == site.country
        for f in model.forces.values()
    )


def resolve(
    model: WargameModel, doer: Actor, site: Site, order_kind: str, rng: np.random.Generator
) -> tuple[bool, int]:
    """Whether the attack hits, and how many it kills."""
    rules = model.spec.rules.strikes
    chance = rules.hit.get(order_kind, 0.0) * potency(model, doer)
    if defended(model, site):
        chance *= 1.0 - rules.air_defence
    if rng.random() >= min(chance, 1.0):
        return False, 0
    mean = rules.casualties.get(order_kind, 0.0) * vulnerability(model, site)
    killed = int(rng.poisson(mean)) if mean > 0 else 0
    return True, killed


def attack_site(
    model: WargameModel,
    order: Order,
    rng: np.random.Generator,
    doer: str | None = None,
    kind: str | None = None,
    rung: Rung | None = None,
) -> Event:
    """Resolve an attack on the site ``order.target`` and record it.

    ``doer`` is the militia that carries out a directed attack (the order's actor is then the
    sponsor that directed it); ``kind`` overrides the incident kind the site implies.
    """
    site = model.sites[order.target or ""]
    attacker = model.actors[doer or order.actor]
    hit, killed = resolve(model, attacker, site, order.kind, rng)
    kind = kind or INCIDENT_OF_SITE[site.kind]
    model.actors[site.owner].casualties += killed
    outcome = ("hit" if hit else "missed or intercepted") + (f", {site.name}" if hit else "")
    return model.make_event(
        kind,
        attacker.aid,
        site.owner,
        site.sid,
        outcome,
        rung=rung,
        casualties=killed,
        order=order,
        directed_by=order.actor if doer else None,
        details={"hit": hit},
    )
