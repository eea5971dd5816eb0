"""How a computer player judges an order: what it would do for each of the side's aims.

Each appraisal reads only the side's view (its own state and doctrine, its beliefs and public
facts) and returns a value in about [-1, 1] per aim. The aims are the scenario's goals
(security, deterrence, pressure, economy, influence, restraint, alliance), weighted by the side's
goal weights, and its doctrine: each routine campaign (an order of the campaign against one of
its enemies is worth how due the campaign is there) and each red line (an answer to a blow that
crossed it, until answered). The player turns values into a utility and a choice
(wargame/engine/policy.py).

Orders that answer a need compare it with what is already done: posture tracks the threat,
presence tracks threat and grievance, escorts track trouble in the lane. Three thresholds are
structural choices of this model, documented in docs/model.md: a mission is evacuated when an
attack seems more likely than not (EVACUATE_AT), escorts start when a lane's trouble passes
ESCORT_AT, and staff return only once no blow has fallen in the country for ``memory_days``.
Hostile acts (rung 3 and up against another side) are worth something only for a reason of the
side's doctrine: a campaign's opportunity or a red line's call; the side's grudge then adds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wargame.core import orders
from wargame.core.orders import CATALOGUE, Order
from wargame.engine.rules.posture import TOP

if TYPE_CHECKING:
    from wargame.core.schema import RedLine
    from wargame.engine.beliefs import Blow
    from wargame.engine.view import SideView

EVACUATE_AT = 0.5
ESCORT_AT = 0.25

Values = dict[str, float]


def pressure(view: SideView, victim: str) -> float:
    """The wish to make the sanctioning camp pay, as strong as the sanctions' pain."""
    return view.pain() if view.in_camp(victim) else 0.0


def motive(view: SideView, victim: str) -> float:
    """Why a side would hurt ``victim`` on its own account: what recent wrongs (real or
    believed) have added to its grievance, times its resolve. A militia acts on its own only
    with its autonomy, and less while its sponsor holds it back (as far as it depends on it)."""
    key = ("motive", victim)
    if key not in view.memo:
        value = view.spec.resolve * view.grudge(victim)
        if view.is_militia:
            value *= view.spec.autonomy or 0.0
            if view.restrained():
                value *= 1.0 - (view.spec.dependence or 0.0)
        view.memo[key] = value
    return view.memo[key]


def doctrine(view: SideView, order: Order, victim: str | None) -> Values:
    """What the side's doctrine says of a hostile order against ``victim``: a campaign it
    serves, on a day the campaign has an opportunity there, and each red line it answers. A
    hostile act with no such reason is worth nothing to the side, whatever its grudges."""
    values: Values = {}
    if victim is None:
        return values
    for name, campaign in view.spec.campaigns.items():
        if order.kind in campaign.orders and victim in campaign.against and view.opportunity(name):
            values[name] = 1.0
    for name, line in view.spec.red_lines.items():
        if order.kind in line.answer:
            call = answer_called(view, name, line, victim)
            if call > 0.0:
                values[name] = call
    return values


def answer_called(view: SideView, name: str, line: RedLine, victim: str) -> float:
    """How strongly a red line calls for an answer against ``victim`` today (0 to 1).

    A blow that crossed it calls for an answer against whom the side blames (and, in the share
    ``sponsor_blame``, against that side's sponsors), fading over ``days``, until the side has
    answered it. A blow that was itself an answer (the side had hit its author within ``days``
    before) calls for none: the score is even. Economic pain past ``threshold`` calls for
    pressure on the sanctioning camp, in the measure of the pain beyond it, on the days the
    side sees an opportunity to apply it."""
    key = (f"red_line:{name}", victim)
    if key in view.memo:
        return view.memo[key]
    call = 0.0
    if line.trigger == "pain":
        if view.in_camp(victim) and view.opportunity(name):
            call = max(view.pain() - line.threshold, 0.0) / (1.0 - line.threshold)
    else:
        today, days = view.day, line.days
        authors: dict[str, tuple[float, int | None] | None] = {}  # share, last answer
        provocations: dict[tuple[str, int], int | None] = {}  # last provocation, by rung
        for blow in view.blows(days):
            if not (blow.own or line.friends) or not _crosses(line, blow.killed, blow.direct):
                continue
            if blow.by not in authors:
                authors[blow.by] = _author(view, line, victim, blow.by)
            author = authors[blow.by]
            if author is None:
                continue  # the blow was not the victim's, nor of a side it sponsors
            share, answered = author
            if answered is not None and answered >= blow.day:
                continue  # one answer to a blow, against its author or a sponsor
            at = blow.by, blow.rung
            if at not in provocations:
                provocations[at] = _last_provocation(view, blow)
            last = provocations[at]
            if last is not None and blow.day - days <= last < blow.day:
                continue  # the blow answered the side's own
            call = max(call, share * (1.0 - (today - blow.day) / days))
    view.memo[key] = call
    return call


def grudge(view: SideView, values: Values, victim: str, share: float) -> Values:
    """A hostile act done for a reason is worth more the deeper the side's grudge against its
    victim (``deterrence``: making the blows stop)."""
    if values:
        values["deterrence"] = motive(view, victim) * share
    return values


def _author(view: SideView, line: RedLine, victim: str, by: str) -> tuple[float, int | None] | None:
    """How much of a blow by ``by`` a red line lays at ``victim``'s door (all of it, or as a
    sponsor ``sponsor_blame``; None: nothing), and when the side last answered ``by``'s family."""
    if by == victim:
        share = 1.0
    elif victim in view.sponsors(by):
        share = view.spec.sponsor_blame
    else:
        return None
    return share, view.last_against(line.answer, [by, *view.sponsors(by)])


def _last_provocation(view: SideView, blow: Blow) -> int | None:
    """The last day the side hit the blow's author at a rung no more than one below the
    blow's: a blow that came within the red line's days after it answered the side's own (a
    blow that climbs higher than what it answers is a new one)."""
    kinds = [k for k in view.hostile_kinds if CATALOGUE[k].rung >= blow.rung - 1]
    return view.last_against(kinds, [blow.by])


def _crosses(line: RedLine, killed: int, direct: bool) -> bool:
    match line.trigger:
        case "killed":
            return killed > 0
        case "struck":
            return direct
    return True


def hold(view: SideView, order: Order) -> Values:
    return {}


def posture(view: SideView, order: Order) -> Values:
    """Posture tracks the threat in steps, with a dead band against flapping: raise when the
    threat exceeds the current level's share of the top level, lower when it falls below the
    share of the level beneath."""
    country = order.target or ""
    level, threat = view.posture_level(country), view.threat_in(country)
    gap = threat - level / TOP if order.kind == "raise_posture" else (level - 1) / TOP - threat
    return {"security": gap * view.novelty(order)}


def evacuation(view: SideView, order: Order) -> Values:
    country = view.sites[order.target or ""].country
    gap = (view.threat_in(country) - EVACUATE_AT) * view.novelty(order)
    if order.kind == "evacuate":
        return {"security": gap}
    struck_here = any(b.own and b.country == country for b in view.blows(view.rules.memory_days))
    return {"security": -1.0 if struck_here else -gap}


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
    target = view.sanctioned or ""
    level = view.sanctions_level(order.target or "oil")
    grudge = view.grievance(target)
    novelty = view.novelty(order)
    if order.kind == "tighten_sanctions":
        return {"pressure": (1.0 - level) * grudge * novelty}
    return {"pressure": -level * grudge, "restraint": level * (1.0 - grudge) * novelty}


def nuclear(view: SideView, order: Order) -> Values:
    """A step back from the nuclear deal is leverage against the sanctions: worth the pain
    they cause and the grudge against the side imposing them; a return to the deal is worth
    restraint once the pain has eased, and gives the leverage up."""
    pain = view.pain()
    grudge = view.grievance(view.sanctioner or "")
    if order.kind == "nuclear_step":
        return {"pressure": pain * grudge * view.novelty(order)}
    return {"pressure": -pain * grudge, "restraint": (1.0 - pain) * view.novelty(order)}


def sovereignty(view: SideView, order: Order) -> Values:
    """A bill against a foreign side's forces answers their fighting on the side's soil (by
    them or against them: the country made 'a theatre for conflict'); letting it lapse is worth
    the ties it strains, the more the further it has gone (a tabled bill costs little to keep,
    a passed one the side's aid and goodwill), once the fighting there has stopped."""
    guest = order.target or ""
    fighting = view.battlefield(guest)
    if order.kind == "press_withdrawal":
        return {"security": fighting * view.novelty(order)}
    strain = view.bill(view.aid, guest)
    return {"security": -fighting, "economy": (1.0 - fighting) * strain * view.novelty(order)}


def mediation(view: SideView, order: Order) -> Values:
    """Talks are worth as much as the two sides seem to be at each other's throats, from what
    the mediator has seen of them, the more so the higher the crisis."""
    a, b = (order.target or ":").split(":")
    seen = max(view.heat(a, b), view.heat(b, a))
    leader = view.spec.follows
    need = seen * view.rung / 8.0 * view.novelty(order)
    return {"restraint": need, "alliance": -need if leader in (a, b) else 0.0}


def closure(view: SideView, order: Order) -> Values:
    """A threat to close the strait, or an attempt: what the side's doctrine says of it (a
    red line of economic pain); an attempt also hurts the side's own exports."""
    enemy = view.spec.adversaries[0] if view.spec.adversaries else view.aid
    values = grudge(view, doctrine(view, order, enemy), enemy, view.novelty(order))
    if order.kind == "close_strait":
        values["economy"] = -1.0
    return values


def surveillance(view: SideView, order: Order) -> Values:
    return {"influence": view.convoy_concern() * view.novelty(order)}


def interdiction(view: SideView, order: Order) -> Values:
    """Strikes on convoys answer the traffic seen and the grudge against the axis; where the
    host's parliament moves against the side's forces, they put the forces' stay at risk."""
    value = view.convoy_concern() * view.max_grudge() * view.novelty(order)
    sign = 1.0 if order.kind == "authorise_interdiction" else -1.0
    values = {"deterrence": sign * value, "restraint": -sign * value}
    bill = view.bill_against(order.target or "")
    if bill:
        values["security"] = -sign * bill * (1.0 if sign > 0 else view.novelty(order))
    return values


def convoy(view: SideView, order: Order) -> Values:
    capability = view.proxy_capability(order.target or "")
    return {"influence": (1.0 - capability) * view.novelty(order)}


def coordination(view: SideView, order: Order) -> Values:
    militia = order.target or ""
    need = max(
        (view.grievance(a) + pressure(view, a) for a in view.adversaries_of(militia)), default=0.0
    )
    gap = 1.0 - view.proxy_coordination(militia)
    return {"influence": gap * min(need, 1.0) * view.novelty(order)}


def restraint(view: SideView, order: Order) -> Values:
    militia = order.target or ""
    coordination = view.proxy_coordination(militia) if militia in view.proxies() else 0.0
    return {"restraint": view.rung / 8.0 * view.novelty(order), "influence": -coordination}


def attack(view: SideView, order: Order) -> Values:
    """Rockets, base and oil attacks, by the side itself or through a directed militia: its
    grudge against the site's owner, and what its doctrine says of hitting it."""
    site = view.sites[order.target or ""]
    share = view.effect(order.via) * view.novelty(order)
    return grudge(view, doctrine(view, order, site.owner), site.owner, share)


def tanker(view: SideView, order: Order) -> Values:
    """An attack on shipping, or a seizure: aimed at the side's first adversary's camp."""
    victim = victim_of(view, order) or ""
    share = view.effect() * view.novelty(order)
    return grudge(view, doctrine(view, order, victim), victim, share)


def own_order(view: SideView, order: Order) -> Order:
    """The militia's own order that carries out an attack its sponsor directs at a site."""
    site = view.sites[order.target or ""]
    for kind in ("rocket_attack", "attack_base", "attack_oil"):
        if any(site.kind in group for group in CATALOGUE[kind].site_kinds):
            return Order(view.aid, kind, order.target)
    raise ValueError(f"no attack of {view.aid} fits {site.kind} {site.sid}")


def directed(view: SideView, order: Order) -> Values:
    """A militia's view of the attack its sponsor directs it to make (``order``, as its own):
    its full grudge against the target (a directed act needs no autonomy), the campaigns and red
    lines it serves, and standing with its sponsor, the more as it depends on the sponsor and
    the closer their coordination (the article's central claim: coordination raises both what a
    militia can do and its willingness, but the militia's own caution still weighs)."""
    site = view.sites[order.target or ""]
    share = view.effect() * view.novelty(order)
    values = {"deterrence": view.spec.resolve * view.grudge(site.owner) * share}
    values.update(doctrine(view, order, site.owner))
    values["alliance"] = (view.spec.dependence or 0.0) * view.proxy_coordination(view.aid)
    return values


def strike(view: SideView, order: Order) -> Values:
    """A strike on a militia, a state's forces or a drone: a campaign's or a red line's."""
    target = order.target or ""
    return grudge(view, doctrine(view, order, target), target, view.novelty(order))


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
        nuclear,
        sovereignty,
        mediation,
        closure,
        surveillance,
        interdiction,
        convoy,
        coordination,
        restraint,
        attack,
        tanker,
        strike,
    )
}


def victim_of(view: SideView, order: Order) -> str | None:
    """The side a hostile order hurts, for the fear of its retaliation."""
    return orders.victim_of(order, lambda sid: view.sites[sid].owner, view.spec.adversaries)
