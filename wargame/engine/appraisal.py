"""How a computer player judges an order: what it would do for each of the side's aims.

Each appraisal reads only the side's own view (its beliefs and public facts) and returns a value
in about [-1, 1] per aim (security, deterrence, pressure, economy, influence, restraint,
alliance). The scenario's goal weights turn these into a utility; doctrine (resolve, caution,
rationality) and the ladder turn the utility into a choice (wargame/engine/policy.py). Orders that
answer a need compare it with what is already done: posture tracks the threat, presence tracks
threat and grievance, escorts track trouble in the lane. Three thresholds are structural choices
of this model, documented in docs/model.md: a mission is evacuated when an attack seems more
likely than not (EVACUATE_AT), escorts start when a lane's trouble passes ESCORT_AT, and
strong coordination means the militia mostly follows its sponsor's grudges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wargame.core.orders import CATALOGUE, Order
from wargame.engine.rules.attacks import potency
from wargame.engine.rules.posture import TOP

if TYPE_CHECKING:
    from wargame.engine.view import SideView

EVACUATE_AT = 0.5
ESCORT_AT = 0.25

Values = dict[str, float]


def _in_camp(view: SideView, victim: str) -> bool:
    """Whether ``victim`` is the sanctioning side or one of its allies."""
    sanctioner = view.model.sanctioner
    return sanctioner is not None and (
        victim == sanctioner or victim in view.model.actors[sanctioner].spec.allies
    )


def pressure(view: SideView, victim: str) -> float:
    """The wish to make the sanctioning camp pay, as strong as the sanctions' pain."""
    return view.pain() if _in_camp(view, victim) else 0.0


def effect(view: SideView, doer_id: str | None = None) -> float:
    """The share of an act's nominal effect the doer can deliver (at most all of it)."""
    key = ("effect", doer_id)
    if key not in view.memo:
        doer = view.model.actors[doer_id] if doer_id else view.me
        view.memo[key] = min(potency(view.model, doer), 1.0)
    return view.memo[key]


def _motive(view: SideView, victim: str) -> float:
    """Why a side would hurt ``victim`` today: its grievance, times its resolve. A militia weighs
    its own grievance against its sponsor's wish (the sponsor's grievance and its pressure on the
    sanctioning camp), the more so the better coordinated it is; a restrained militia holds back
    as far as it depends on the sponsor."""
    key = ("motive", victim)
    if key not in view.memo:
        view.memo[key] = _work_out_motive(view, victim)
    return view.memo[key]


def _work_out_motive(view: SideView, victim: str) -> float:
    me = view.me
    own = view.grievance(victim)
    if not me.is_militia or me.spec.sponsor is None:
        return me.spec.resolve * own
    autonomy = me.spec.autonomy or 0.0
    boss = view.model.view_of(me.spec.sponsor)
    sponsor = min(boss.grievance(victim) + pressure(boss, victim), 1.0)
    motive = autonomy * own + (1.0 - autonomy) * me.coordination * sponsor
    if me.restrained_until >= view.day:
        motive *= 1.0 - (me.spec.dependence or 0.0)
    return me.spec.resolve * motive


def _site(view: SideView, order: Order):
    return view.model.sites[order.target or ""]


def posture(view: SideView, order: Order) -> Values:
    """Posture tracks the threat in steps, with a dead band against flapping: raise when the
    threat exceeds the current level's share of the top level, lower when it falls below the
    share of the level beneath."""
    country = order.target or ""
    level, threat = view.me.posture.get(country, 0), view.threat_in(country)
    gap = threat - level / TOP if order.kind == "raise_posture" else (level - 1) / TOP - threat
    return {"security": gap * view.novelty(order)}


def evacuation(view: SideView, order: Order) -> Values:
    gap = (view.threat_in(_site(view, order).country) - EVACUATE_AT) * view.novelty(order)
    return {"security": gap if order.kind == "evacuate" else -gap}


def deployment(view: SideView, order: Order) -> Values:
    need = (max(view.max_threat(), view.max_grudge()) - view.own_presence()) * view.novelty(order)
    if order.kind == "deploy":
        return {"deterrence": need}
    return {"deterrence": -need}


def escort(view: SideView, order: Order) -> Values:
    gap = (view.lane_risk(order.target or "") - ESCORT_AT) * view.novelty(order)
    sign = 1.0 if order.kind == "escort" else -1.0
    return {"security": sign * gap, "economy": sign * gap}


def sanctions(view: SideView, order: Order) -> Values:
    target = view.model.sanctioned or ""
    level = view.model.economy.level(order.target or "oil")
    grudge = view.grievance(target)
    novelty = view.novelty(order)
    if order.kind == "tighten_sanctions":
        return {"pressure": (1.0 - level) * grudge * novelty}
    return {"pressure": -level * grudge, "restraint": level * (1.0 - grudge) * novelty}


def mediation(view: SideView, order: Order) -> Values:
    a, b = (order.target or ":").split(":")
    them = view.model.view_of(a), view.model.view_of(b)
    fresh = max(them[0].grudge(b), them[1].grudge(a))
    leader = view.me.spec.follows
    need = fresh * view.rung / 8.0 * view.novelty(order)
    return {"restraint": need, "alliance": -need if leader in (a, b) else 0.0}


def closure(view: SideView, order: Order) -> Values:
    enemy = view.model.closure_target(view.aid)
    if order.kind == "threaten_closure":
        return {"pressure": pressure(view, enemy) * view.novelty(order)}
    novelty = view.novelty(order)
    return {
        "pressure": pressure(view, enemy) ** 2 * novelty,
        "deterrence": _motive(view, enemy) * novelty,
        "economy": -1.0,
    }


def surveillance(view: SideView, order: Order) -> Values:
    return {"influence": view.convoy_concern() * view.novelty(order)}


def interdiction(view: SideView, order: Order) -> Values:
    value = view.convoy_concern() * view.max_grudge() * view.novelty(order)
    sign = 1.0 if order.kind == "authorise_interdiction" else -1.0
    return {"deterrence": sign * value, "restraint": -sign * value}


def convoy(view: SideView, order: Order) -> Values:
    militia = view.model.actors[order.target or ""]
    return {"influence": (1.0 - militia.capability) * view.novelty(order)}


def coordination(view: SideView, order: Order) -> Values:
    militia = view.model.actors[order.target or ""]
    need = max(
        (view.grievance(a) + pressure(view, a) for a in militia.spec.adversaries), default=0.0
    )
    return {"influence": (1.0 - militia.coordination) * min(need, 1.0) * view.novelty(order)}


def restraint(view: SideView, order: Order) -> Values:
    militia = view.model.actors[order.target or ""]
    return {"restraint": view.rung / 8.0 * view.novelty(order), "influence": -militia.coordination}


def attack(view: SideView, order: Order) -> Values:
    """Rockets, base and oil attacks, by the side itself or through a directed militia."""
    site = _site(view, order)
    share = effect(view, order.via) * view.novelty(order)
    values = {"deterrence": _motive(view, site.owner) * share}
    if site.is_oil or order.via:
        values["pressure"] = pressure(view, site.owner) * share
    return values


def tanker(view: SideView, order: Order) -> Values:
    lane = order.target or ""
    owners = view.model.shipping.owners.get(lane, frozenset()) & set(view.me.spec.adversaries)
    motive = max((_motive(view, o) for o in owners), default=0.0)
    squeeze = max((pressure(view, o) for o in owners), default=0.0)
    share = effect(view) * view.novelty(order)
    return {"pressure": squeeze * share, "deterrence": motive * share}


def drone(view: SideView, order: Order) -> Values:
    novelty = view.novelty(order)
    return {"deterrence": _motive(view, order.target or "") * novelty}


def strike(view: SideView, order: Order) -> Values:
    novelty = view.novelty(order)
    return {"deterrence": _motive(view, order.target or "") * novelty}


def hold(view: SideView, order: Order) -> Values:
    return {}


# Every appraisal by name: an order's catalogue entry names the one that weighs it.
APPRAISALS: dict[str, Callable[[SideView, Order], Values]] = {
    f.__name__: f
    for f in (
        hold,
        posture,
        evacuation,
        deployment,
        escort,
        sanctions,
        mediation,
        closure,
        surveillance,
        interdiction,
        convoy,
        coordination,
        restraint,
        attack,
        tanker,
        drone,
        strike,
    )
}


def victim_of(view: SideView, order: Order) -> str | None:
    """The side a hostile order hurts (its catalogue entry says which), for the fear of its
    retaliation."""
    match CATALOGUE[order.kind].victim:
        case "site_owner":
            return _site(view, order).owner
        case "target":
            return order.target
        case "first_adversary":
            return view.me.spec.adversaries[0] if view.me.spec.adversaries else None
    return None
