"""Threat posture: force protection, evacuations, deployments, escorts, and allies following.

Summary of rule: a higher force-protection level lets less of an attack's harm land and costs
readiness every day; allies copy their leader's posture some days later, up to what their
support allows.

Each side sets a force-protection level per country (NORMAL, ALPHA, BRAVO, CHARLIE, DELTA, as in
US doctrine). A higher level lets a smaller share of an attack's harm land (``vulnerability``)
and costs readiness every day (``readiness_cost``); readiness recovers at ``readiness_recovery``
and scales the side's own strikes. At a mission whose non-essential staff have been sent home,
harm lands in proportion to the people still there. Allies that follow a leader copy its posture
``follow_lag_days`` later, but never above the level their ``support`` allows (support 0.5
follows up to BRAVO). Deployments take ``deploy_days`` to arrive; they are announced at once,
which both deters and provokes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event
from wargame.core.ladder import Rung
from wargame.core.schema import POSTURE_LEVELS

if TYPE_CHECKING:
    from agents.actors import Actor
    from agents.sites import Site
    from wargame.core.orders import Order
    from wargame.engine.world import World

TOP = len(POSTURE_LEVELS) - 1


class PostureLog:
    """Every day's force protection of the sides that keep one, for allies that follow their
    leader's posture of some days ago."""

    def __init__(self) -> None:
        self.days: list[dict[str, dict[str, int]]] = []

    def note(self, world: World) -> None:
        self.days.append({a.aid: dict(a.posture) for a in world.posture_holders})

    def of(self, aid: str, lag: int) -> dict[str, int]:
        """A side's posture by country ``lag`` days ago (or on the first day logged)."""
        return self.days[max(len(self.days) - 1 - lag, 0)].get(aid, {})


def vulnerability(model: World, site: Site) -> float:
    """Share of an attack's harm that lands on a site."""
    rules = model.spec.rules.posture
    owner = model.actors[site.owner]
    level = POSTURE_LEVELS[owner.posture.get(site.country, 0)]
    share = getattr(rules.vulnerability, level)
    if site.spec.personnel:  # fewer people present, fewer to harm
        share *= site.staff / site.spec.personnel
    return share


def _posture_event(
    model: World, actor: Actor, country: str, old: int, order: Order | None
) -> Event:
    new = actor.posture[country]
    site = next((s for s in model.sites_of(actor.aid) if s.country == country), None)
    raised = new > old
    return model.make_event(
        "posture_change",
        actor.aid,
        actor.aid,
        site.sid if site else country,
        f"{'raised' if raised else 'lowered'} to {POSTURE_LEVELS[new]} in {country}",
        rung=Rung.SHOW_OF_FORCE if raised else Rung.CALM,
        order=order,
        details={"country": country, "level": POSTURE_LEVELS[new]},
        tone="hostile" if raised else "goodwill",
    )


def change_posture(model: World, order: Order, rng: np.random.Generator) -> Event:
    actor = model.actors[order.actor]
    country = order.target or ""
    old = actor.posture.get(country, 0)
    step = 1 if order.kind == "raise_posture" else -1
    actor.posture[country] = min(max(old + step, 0), TOP)
    return _posture_event(model, actor, country, old, order)


def evacuate(model: World, order: Order, rng: np.random.Generator) -> Event:
    site = model.sites[order.target or ""]
    site.evacuated = order.kind == "evacuate"
    return model.make_event(
        "evacuation",
        order.actor,
        order.actor,
        site.sid,
        "non-essential staff ordered to leave" if site.evacuated else "returned",
        rung=Rung.SHOW_OF_FORCE if site.evacuated else Rung.CALM,
        order=order,
        tone="hostile" if site.evacuated else "goodwill",
    )


def deploy(model: World, order: Order, rng: np.random.Generator) -> Event:
    """Announce a deployment or a withdrawal; a deployment arrives ``deploy_days`` later."""
    force = model.forces[order.target or ""]
    actor = model.actors[order.actor]
    aimed_at = actor.spec.adversaries[0] if actor.spec.adversaries else actor.aid
    if order.kind == "deploy":
        force.arrives_on = model.day + model.spec.rules.posture.deploy_days
        outcome = f"{force.name} ordered to {model.nearest_place(force.station)}"
        rung, tone = Rung.SHOW_OF_FORCE, "hostile"
    else:
        force.leave()
        outcome, rung, tone = "withdrawn", Rung.CALM, "goodwill"
    return model.make_event(
        "deployment",
        order.actor,
        aimed_at,
        force.station,
        outcome,
        rung=rung,
        order=order,
        details={"unit": force.uid, "unit_kind": force.kind},
        tone=tone,
    )


def escort(model: World, order: Order, rng: np.random.Generator) -> Event:
    actor = model.actors[order.actor]
    lane = order.target or ""
    start = order.kind == "escort"
    if start:
        actor.escorts.add(lane)
    else:
        actor.escorts.discard(lane)
    path = model.geo.lanes[lane]
    return model.make_event(
        "deployment",
        order.actor,
        actor.spec.adversaries[0] if actor.spec.adversaries else actor.aid,
        path.waypoints[len(path.waypoints) // 2],
        f"{'escorting' if start else 'stopped escorting'} tankers in the "
        f"{lane.replace('_', ' ')} lane",
        rung=Rung.SHOW_OF_FORCE if start else Rung.CALM,
        order=order,
        details={"lane": lane},
        tone="hostile" if start else "goodwill",
    )


def set_interdiction(model: World, order: Order, rng: np.random.Generator) -> None:
    """Rules of engagement are secret: no incident is recorded."""
    actor = model.actors[order.actor]
    if order.kind == "authorise_interdiction":
        actor.interdiction.add(order.target or "")
    else:
        actor.interdiction.discard(order.target or "")


def arrivals(model: World) -> None:
    for force in model.forces.values():
        if force.arrives_on and force.arrives_on <= model.day and not force.deployed:
            force.arrive()
            force.arrives_on = 0


def readiness(model: World) -> None:
    """High posture wears forces down; low posture lets them recover."""
    rules = model.spec.rules.posture
    for actor in model.posture_holders:
        cost = sum(
            getattr(rules.readiness_cost, POSTURE_LEVELS[lv]) for lv in actor.posture.values()
        )
        gain = rules.readiness_recovery * (1.0 - actor.readiness)
        actor.readiness = min(max(actor.readiness - cost + gain, 0.0), 1.0)


def follow(model: World) -> list[Event]:
    """Allies move one level a day toward their leader's posture of ``follow_lag_days`` ago."""
    events = []
    for actor in model.followers:
        spec = actor.spec
        assert (
            spec.follows is not None
            and spec.support is not None
            and spec.follow_lag_days is not None
        )
        leader_past = model.posture_log.of(spec.follows, spec.follow_lag_days)
        cap = round(spec.support * TOP)
        for country, level in list(actor.posture.items()):
            goal = min(leader_past.get(country, level), cap)
            if goal != level:
                actor.posture[country] = level + (1 if goal > level else -1)
                events.append(_posture_event(model, actor, country, level, None))
    return events
