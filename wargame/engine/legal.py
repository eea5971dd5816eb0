"""The orders a side may give today: its catalogue entries, each with its legal targets.

A computer player chooses among these, and a human player is offered exactly these, so both are
held to the same rules: a side can only act for itself, only on targets in its reach, and only
where the order makes sense now (no raising a posture already at DELTA, no second closure).
Who could ever be a target is fixed at the start (``candidates``); what is legal today is a cheap
check on the current state (``allowed``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wargame.core.orders import BASES, CATALOGUE, SECTORS, SITE_ATTACKS, Order, Target
from wargame.engine.rules.posture import TOP

if TYPE_CHECKING:
    from agents.actors import Actor
    from wargame.engine.model import WargameModel

ESCORT_FORCES = ("carrier_group", "escort_group")
SHIPPING_ACTS = frozenset(k for k, s in CATALOGUE.items() if s.target is Target.LANE and s.victim)


def _sites_in_reach(model: WargameModel, attacker: Actor, kinds: tuple[str, ...]) -> list[str]:
    return [
        s.sid
        for s in model.site_list
        if s.kind in kinds
        and s.owner in attacker.spec.adversaries
        and s.country in attacker.spec.reach
    ]


def _targets(
    model: WargameModel, actor: Actor, kind: str
) -> Iterator[tuple[str | None, str | None]]:
    """Everything an order kind could ever aim at for this side, as (target, via): attacks on
    sites and acts in the lanes by their catalogue facts, every other kind by its own case."""
    aid = actor.aid
    spec = CATALOGUE[kind]
    sponsored = [m for m in model.militias if m.spec.sponsor == aid]
    if spec.attacks_site:  # the adversaries' sites in reach, of each kind it strikes, in turn
        for doer in sponsored if spec.through_proxy else [actor]:
            via = doer.aid if spec.through_proxy else None
            for kinds in spec.site_kinds:
                yield from ((sid, via) for sid in _sites_in_reach(model, doer, kinds))
        return
    if spec.target is Target.LANE:
        yield from ((lane, None) for lane in model.geo.lanes if lane in actor.spec.reach)
        return
    match kind:
        case "raise_posture" | "lower_posture":
            yield from ((country, None) for country in actor.posture)
        case "evacuate" | "return_staff":
            yield from ((s.sid, None) for s in model.sites_of(aid) if s.is_mission)
        case "deploy" | "withdraw":
            yield from ((f.uid, None) for f in model.forces.values() if f.owner == aid)
        case "tighten_sanctions" | "ease_sanctions":
            if model.sanctioner == aid:
                yield from ((sector, None) for sector in SECTORS)
        case "mediate":  # the rival pairs its doctrine says it can bring to talks
            pairs = {frozenset(pair) for pair in actor.spec.mediates}
            yield from (
                (f"{a}:{b}", None)
                for a, b in model.rival_pairs
                if aid not in (a, b) and frozenset((a, b)) in pairs
            )
        case "isr_surge":
            if aid in model.surveillance.base:
                yield None, None
        case "authorise_interdiction" | "suspend_interdiction":
            yield from ((c, None) for c in model.corridor.countries if c in actor.spec.reach)
        case "send_convoy":
            yield from ((m.aid, None) for m in sponsored if model.corridor.stops[m.aid] > 0)
        case "coordinate":
            yield from ((m.aid, None) for m in sponsored)
        case "restrain":
            home = model.home_country(aid)
            for militia in model.militias:
                if militia.spec.sponsor == aid or (
                    home and model.home_country(militia.aid) == home
                ):
                    yield militia.aid, None
        case "shoot_down_drone":
            yield from (
                (other, None)
                for other in actor.spec.adversaries
                if other in model.surveillance.base
            )
        case "press_withdrawal" | "drop_withdrawal":  # the states with bases on its soil
            home = model.home_country(aid)
            for other in model.actor_list:
                if (
                    other.kind == "state"
                    and other.aid != aid
                    and any(
                        s.country == home and s.kind in BASES for s in model.sites_of(other.aid)
                    )
                ):
                    yield other.aid, None
        case "target_leaders":  # a militia, or the force that coordinates militias
            for other in actor.spec.adversaries:
                leads = any(m.spec.sponsor == other for m in model.militias)
                if (model.actors[other].is_militia or leads) and model.strike_sites(aid, other):
                    yield other, None
        case "strike_militia" | "strike_state":
            for other in actor.spec.adversaries:
                if model.actors[other].is_militia == (
                    kind == "strike_militia"
                ) and model.strike_sites(aid, other):
                    yield other, None
        case _ if spec.target is Target.NONE:
            yield None, None
        case _:
            raise LookupError(f"order '{kind}': engine/legal.py does not say what it may target")


def candidates(model: WargameModel, actor: Actor) -> list[Order]:
    """Every order this side could ever give, ``hold`` first."""
    orders = [Order(actor.aid, "hold")]
    for kind in actor.spec.orders:
        if kind != "hold":
            orders.extend(Order(actor.aid, kind, t, v) for t, v in _targets(model, actor, kind))
    return orders


def allowed(model: WargameModel, actor: Actor, order: Order) -> bool:
    """Whether an order is legal today."""
    target = order.target or ""
    if order.kind in SITE_ATTACKS:  # no target: an oil facility wholly offline, a base vacated
        site = model.sites[target]
        if site.vacated:
            return False
        return not site.is_oil or site.offline_mbd < site.spec.capacity_mbd
    if order.kind in SHIPPING_ACTS:  # an act against shipping needs a ship
        owners = model.shipping.owners.get(target, frozenset())
        return bool(owners & set(actor.spec.adversaries))
    match order.kind:
        case "raise_posture":
            return actor.posture[target] < TOP
        case "lower_posture":
            return actor.posture[target] > 0
        case "evacuate" | "return_staff":
            return model.sites[target].evacuated == (order.kind == "return_staff")
        case "deploy":
            force = model.forces[target]
            return not force.deployed and not force.arrives_on
        case "withdraw":
            force = model.forces[target]
            return force.deployed or bool(force.arrives_on)
        case "escort":
            return target not in actor.escorts and any(
                f.in_theatre and f.kind in ESCORT_FORCES and f.owner == actor.aid
                for f in model.forces.values()
            )
        case "end_escort":
            return target in actor.escorts
        case "tighten_sanctions" | "ease_sanctions":
            tighten = order.kind == "tighten_sanctions"
            if target == "waivers":
                return model.economy.waivers == tighten
            level = model.economy.level(target)
            return level < 1.0 if tighten else level > 0.0
        case "mediate":
            return not model.talks.open(target.split(":")[0], model.turn)
        case "nuclear_step":
            rules, taken = model.spec.rules.diplomacy, model.nuclear.steps.get(actor.aid, 0)
            last = model.nuclear.last_day.get(actor.aid)
            due = last is None or model.turn - last >= rules.nuclear_step_days
            return taken < rules.nuclear_max_steps and due
        case "nuclear_return":
            return model.nuclear.steps.get(actor.aid, 0) > 0
        case "press_withdrawal" | "drop_withdrawal":  # at parliament's pace, until they left
            rules, bills, key = model.spec.rules.sovereignty, model.withdrawal, (actor.aid, target)
            if (target, model.home_country(actor.aid)) in bills.expelled:
                return False
            steps, last = bills.steps.get(key, 0), bills.last_day.get(key)
            if last is not None and model.turn - last < rules.step_days:
                return False
            return steps > 0 if order.kind == "drop_withdrawal" else steps < rules.max_steps
        case "threaten_closure" | "close_strait":
            return model.economy.closure_until < model.turn
        case "isr_surge":
            return actor.isr_surge_until < model.turn
        case "authorise_interdiction":  # not where the side's forces had to leave
            return (
                target not in actor.interdiction
                and (actor.aid, target) not in model.withdrawal.expelled
            )
        case "suspend_interdiction":
            return target in actor.interdiction
        case "send_convoy":
            return model.convoy_count < model.spec.rules.interdiction.max_convoys
        case "coordinate":
            return model.actors[target].coordination < 0.95
        case "restrain":
            return model.actors[target].restrained_until < model.turn
        case _:
            return True


def legal_orders(model: WargameModel, actor: Actor) -> list[Order]:
    """Everything this side may order today; ``hold`` is always first (and always legal)."""
    orders = model.candidates[actor.aid]
    return [orders[0]] + [o for o in orders[1:] if allowed(model, actor, o)]
