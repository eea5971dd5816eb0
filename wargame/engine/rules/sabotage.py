"""Sabotage: attacks on oil facilities and on tankers in the lanes, and seizures of tankers.

Summary of rule: an attack on a tanker succeeds with ``tanker_hit`` times the attacker's
potency and a seizure with ``tanker_seize``, less where an escort sails; a salvo on oil sites
knocks out a share of each one it hits, which comes back over its kind's ``repair_days``.

Laden tankers enter each lane at Poisson rates (``tankers_per_day``), shared among exporters by
``tanker_owners``; each exporter's tankers of a day sail together as one unit at
``tanker_km_per_day``. An attack on a tanker succeeds with
``tanker_hit`` times the attacker's potency; a seizure with ``tanker_seize``; an escort in the
lane foils ``escort_protection`` of both. An attack on an oil site is a salvo: on the site aimed
at and, each with ``salvo_extra``, on the owner's other oil sites in the attacker's reach, each
resolved as an attack. A hit knocks out a share of the site's capacity drawn around
``oil_damage`` (uniform between half and one and a half times it); the lost capacity comes back
with a time constant of ``repair_days`` for its kind of site. Deniability is in perception:
the victim blames someone, with a confidence that can be wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agents.units import Tanker, timetable
from wargame.core.incidents import Event
from wargame.engine.rules.attacks import hit_site, intensity, potency, resolve
from wargame.engine.rules.economy import add_risk
from wargame.engine.rules.odds import roll

if TYPE_CHECKING:
    from agents.sites import Site
    from wargame.core.orders import Order
    from wargame.engine.world import World


@dataclass
class Shipping:
    """The lanes' timetables (a sailing moves a day by a lookup), and whose tankers are in
    each lane today."""

    timetables: dict[str, tuple[int, ...]]
    owners: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def start(cls, world: World) -> Shipping:
        speed = world.spec.rules.sabotage.tanker_km_per_day
        return cls(
            {
                name: timetable(world.geo.path_km(path), speed)
                for name, path in world.geo.lanes.items()
            }
        )


def spawn_tankers(model: World, rng: np.random.Generator) -> None:
    """Today's sailings enter the lanes: for each exporter, a Poisson number of laden tankers
    (its share of the lane's rate) that sail together as one unit."""
    rules = model.spec.rules.sabotage
    for lane, rate in rules.tankers_per_day.items():
        owners = rules.tanker_owners[lane]
        total = sum(owners.values())
        for owner, weight in owners.items():
            ships = int(rng.poisson(rate * weight / total))
            if ships:
                Tanker(
                    model,
                    lane,
                    model.geo.lanes[lane],
                    model.shipping.timetables[lane],
                    owner,
                    ships,
                )


def advance_tankers(model: World) -> None:
    """Every sailing moves a day; those that reach the lane's end leave the map."""
    owners: dict[str, set[str]] = {}
    for tanker in list(model.tankers):
        tanker.advance()
        if tanker.arrived:
            tanker.remove()
        else:
            owners.setdefault(tanker.lane, set()).add(tanker.owner)
    model.shipping.owners = {lane: frozenset(o) for lane, o in owners.items()}


def escorted(model: World, lane: str) -> bool:
    return any(lane in actor.escorts for actor in model.actor_list)


def tanker_action(model: World, order: Order, rng: np.random.Generator) -> Event | None:
    """An attack on, or a seizure of, a tanker in the lane ``order.target``."""
    rules = model.spec.rules.sabotage
    lane = order.target or ""
    enemies = set(model.actors[order.actor].spec.adversaries)
    in_lane = [t for t in model.tankers if t.lane == lane and t.owner in enemies]
    if not in_lane:
        return None
    ships = np.cumsum([t.ships for t in in_lane])
    tanker = in_lane[int(np.searchsorted(ships, rng.random() * ships[-1], side="right"))]
    seize = order.kind == "seize_tanker"
    doer = model.actors[order.actor]
    chance = rules.tanker_seize if seize else rules.tanker_hit * potency(model, doer)
    if escorted(model, lane):
        chance *= 1.0 - rules.escort_protection
    success, odds = roll(rng, chance)
    add_risk(model, 1.0 if success else 0.5)
    if seize:
        outcome = "tanker seized and taken to port" if success else "boarding attempt repelled"
    else:
        outcome = "tanker holed, crew safe" if success else "attack failed"
    here = tanker.cell.coordinate
    if success:
        tanker.ships -= 1
        if tanker.ships == 0:
            tanker.remove()
    return model.make_event(
        "tanker_seizure" if seize else "tanker_sabotage",
        order.actor,
        tanker.owner,
        here,
        outcome,
        order=order,
        details={"lane": lane, "hit": success, **odds},
    )


def damage_oil(model: World, site: Site, rng: np.random.Generator, event: Event) -> None:
    """Knock out part of a site's capacity after a hit."""
    share = min(rng.uniform(0.5, 1.5) * model.spec.rules.sabotage.oil_damage, 1.0)
    site.offline_mbd = min(
        site.offline_mbd + share * site.spec.capacity_mbd, site.spec.capacity_mbd
    )
    event.outcome += f"; {site.name} {site.offline_mbd:.1f} mb/d offline"
    event.details["offline_mbd"] = round(
        event.details.get("offline_mbd", 0.0) + site.offline_mbd, 2
    )
    add_risk(model)


def attack_oil(model: World, order: Order, rng: np.random.Generator) -> Event:
    """A salvo: the site aimed at, and each of the owner's other oil sites in reach with
    ``salvo_extra``; one incident tells the whole salvo."""
    event = hit_site(model, order, rng, kind="oil_facility_attack")
    site = model.sites[order.target or ""]
    if event.details["hit"]:
        damage_oil(model, site, rng, event)
    attacker = model.actors[order.via or order.actor]
    extra = model.spec.rules.sabotage.salvo_extra
    for other in model.oil_sites:
        if (
            other is site
            or other.owner != site.owner
            or other.country not in attacker.spec.reach
            or rng.random() >= extra
        ):
            continue
        hit, killed, _ = resolve(model, attacker, other, order.kind, rng)
        event.details.setdefault("salvo", []).append(other.sid)
        if hit:
            event.details["hit"] = True
            event.casualties += killed
            model.actors[other.owner].casualties += killed
            damage_oil(model, other, rng, event)
    # The salvo stands on the rung of what it did as a whole.
    event.rung = intensity(model, event.kind, event.details["hit"], event.casualties)
    return event


def repair(model: World) -> None:
    """Offline capacity comes back with its kind of site's time constant."""
    days = model.spec.rules.sabotage.repair_days
    for site in model.oil_sites:
        if site.offline_mbd > 0.0:
            keep = math.exp(-1.0 / days[site.kind])
            site.offline_mbd = site.offline_mbd * keep if site.offline_mbd > 0.01 else 0.0
