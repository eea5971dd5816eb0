"""The orders a side may give today: its catalogue entries, each with its legal targets.

A computer player chooses among these, and a human player is offered exactly these, so both are
held to the same rules: a side can only act for itself, only on targets in its reach, and only
where the order makes sense now (no raising a posture already at DELTA, no second closure).
Who could ever be a target is fixed at the start (``candidates``); what is legal today is a cheap
check on the current state (``CHECKS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def _site_standing(model: WargameModel, actor: Actor, order: Order) -> bool:
    """An attack needs a target: not an oil facility wholly offline, nor a base vacated."""
    site = model.sites[order.target or ""]
    if site.vacated:
        return False
    return not site.is_oil or site.offline_mbd < site.spec.capacity_mbd


def _ship_in_lane(model: WargameModel, actor: Actor, order: Order) -> bool:
    """An act against shipping needs an adversary's ship in the lane."""
    owners = model.shipping.owners.get(order.target or "", frozenset())
    return bool(owners & set(actor.spec.adversaries))


def _sanctions(model: WargameModel, actor: Actor, order: Order) -> bool:
    tighten, target = order.kind == "tighten_sanctions", order.target or ""
    if target == "waivers":
        return model.economy.waivers == tighten
    level = model.economy.level(target)
    return level < 1.0 if tighten else level > 0.0


def _nuclear_step(model: WargameModel, actor: Actor, order: Order) -> bool:
    rules, taken = model.spec.rules.diplomacy, model.nuclear.steps.get(actor.aid, 0)
    last = model.nuclear.last_day.get(actor.aid)
    due = last is None or model.turn - last >= rules.nuclear_step_days
    return taken < rules.nuclear_max_steps and due


def _bill(model: WargameModel, actor: Actor, order: Order) -> bool:
    """At parliament's pace, until the foreign forces have left."""
    rules, bills = model.spec.rules.sovereignty, model.withdrawal
    target = order.target or ""
    key = (actor.aid, target)
    if (target, model.home_country(actor.aid)) in bills.expelled:
        return False
    steps, last = bills.steps.get(key, 0), bills.last_day.get(key)
    if last is not None and model.turn - last < rules.step_days:
        return False
    return steps > 0 if order.kind == "drop_withdrawal" else steps < rules.max_steps


def _escort(model: WargameModel, actor: Actor, order: Order) -> bool:
    return order.target not in actor.escorts and any(
        f.in_theatre and f.kind in ESCORT_FORCES and f.owner == actor.aid
        for f in model.forces.values()
    )


Check = Callable[["WargameModel", "Actor", Order], bool]

# What makes an order legal today, by kind; a kind not here is legal whenever it is a candidate.
# A table, not a chain of cases: a side's legal orders are asked for every day.
CHECKS: dict[str, Check] = {
    "raise_posture": lambda m, a, o: a.posture[o.target] < TOP,
    "lower_posture": lambda m, a, o: a.posture[o.target] > 0,
    "evacuate": lambda m, a, o: not m.sites[o.target].evacuated,
    "return_staff": lambda m, a, o: m.sites[o.target].evacuated,
    "deploy": lambda m, a, o: not m.forces[o.target].deployed and not m.forces[o.target].arrives_on,
    "withdraw": lambda m, a, o: m.forces[o.target].deployed or bool(m.forces[o.target].arrives_on),
    "escort": _escort,
    "end_escort": lambda m, a, o: o.target in a.escorts,
    "tighten_sanctions": _sanctions,
    "ease_sanctions": _sanctions,
    "mediate": lambda m, a, o: not m.talks.open(o.target.split(":")[0], m.turn),
    "nuclear_step": _nuclear_step,
    "nuclear_return": lambda m, a, o: m.nuclear.steps.get(a.aid, 0) > 0,
    "press_withdrawal": _bill,
    "drop_withdrawal": _bill,
    "threaten_closure": lambda m, a, o: m.economy.closure_until < m.turn,
    "close_strait": lambda m, a, o: m.economy.closure_until < m.turn,
    "isr_surge": lambda m, a, o: a.isr_surge_until < m.turn,
    # not where the side's forces had to leave
    "authorise_interdiction": lambda m, a, o: (
        o.target not in a.interdiction and (a.aid, o.target) not in m.withdrawal.expelled
    ),
    "suspend_interdiction": lambda m, a, o: o.target in a.interdiction,
    "send_convoy": lambda m, a, o: m.convoy_count < m.spec.rules.interdiction.max_convoys,
    "coordinate": lambda m, a, o: m.actors[o.target].coordination < 0.95,
    "restrain": lambda m, a, o: m.actors[o.target].restrained_until < m.turn,
    **dict.fromkeys(SHIPPING_ACTS, _ship_in_lane),
    **dict.fromkeys(SITE_ATTACKS, _site_standing),
}


def checked(orders: list[Order]) -> list[tuple[Order, Check | None]]:
    """A side's candidates, each with the check it is held to every day (None: legal whenever
    it is a candidate, as ``hold`` is); looked up once, at the start, for every day's use."""
    return [(order, CHECKS.get(order.kind)) for order in orders]


def legal_orders(model: WargameModel, actor: Actor) -> list[Order]:
    """Everything this side may order today; ``hold`` is always first (and always legal)."""
    return [o for o, check in model.checks[actor.aid] if check is None or check(model, actor, o)]
