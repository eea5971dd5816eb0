"""A computer player's decisions over tables of its side's candidate orders.

The candidates a side could ever give are fixed at the start (``legal.candidates``), so what
never changes about them is worked out once, in tables by position: each order's kind, rung,
victim, how exposed its doer is, whether it belongs to a background campaign, which order of its
site group is appraised for it, and, for a hostile order, the campaigns it serves and the red
lines it answers. A day's decision is then: the legal orders (legal.py); those the side weighs
today, the hostile ones only if a campaign has an opportunity or a red line calls for an answer
against their victim (exactly, for the appraisals in ``DOCTRINE_ONLY``, so none of them is
appraised in vain); each group's appraisal (appraisal.py, order by order: every kind, a new one
too, is weighed by its own function); the weighing; and the two-stage logit pick from the
side's own stream.

``policy.Judge`` says the same order by order, as plainly as it can be said: it is the
reference. tests/test_menu.py runs both on many seeded days and checks that they make the same
choices for the same reasons from the same stream.

The tables are Python lists, not numpy arrays: a side has a dozen legal orders on a day and
weighs three to six, and at that size a numpy operation costs as much as the loop it would
replace (measured: with numpy masks, a matrix of values and a numpy pick per side, the players
were no faster than the reference). What the tables save is work done twice in a day: orders
alike in what decides whether they are weighed (standing or not, their reasons of doctrine)
share one test, answered once; orders alike but for their site share one appraisal; and a pick
among one choice draws without building groups. Measured in CPU time on year-long may2019
runs, seeds 1-3, tables and reference alternated in one run on this shared machine: the tables
took 0.87 of the reference's time (0.98 before the shared tests; the view's savings, which
serve both, are not in that ratio).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from wargame.core.incidents import DENIABLE_KINDS
from wargame.core.ladder import Rung, pairwise
from wargame.core.orders import CATALOGUE, STANDING, Order
from wargame.engine import appraisal

if TYPE_CHECKING:
    from wargame.engine.view import SideView


# The appraisals (appraisal.APPRAISALS) whose value for a hostile order comes only from the
# side's doctrine (``appraisal.doctrine``: a campaign's opportunity, a red line's call; a grudge
# then adds): a hostile order of theirs with no such reason is worth nothing and is not weighed.
DOCTRINE_ONLY = frozenset({"attack", "tanker", "strike", "closure"})


class Menu:
    """A side's candidate orders, and what never changes about them, in tables by position."""

    def __init__(self, view: SideView, orders: list[Order]) -> None:
        self.orders = orders
        self.position = {order: i for i, order in enumerate(orders)}
        self.weights = view.weights
        self.standing = [o.kind in STANDING for o in orders]
        # Attacks on sites that differ only in place (same doer, owner, kind of site) score
        # alike: each such order points at the first of its group, which is appraised for all.
        first: dict[tuple, int] = {}
        self.facts: list[Facts] = []
        self.doctrine: list[Reasons | None] = []  # None: it hurts no one, always weighed
        # Orders alike in what decides whether they are weighed (standing or not, and their
        # reasons of doctrine) share a test, answered once a day for all of them.
        tests: dict[tuple[bool, Reasons | None], int] = {}
        self.test: list[int] = []
        for i, order in enumerate(orders):
            spec = CATALOGUE[order.kind]
            victim = appraisal.victim_of(view, order)
            head = first.setdefault(_site_key(view, order), i) if spec.attacks_site else i
            self.facts.append(
                Facts(
                    order.kind,
                    int(spec.rung),
                    victim,
                    _exposure(view, order),
                    view.background(order.kind, victim),
                    head,
                    pairwise(int(spec.rung), victim),
                )
            )
            hostile = victim is not None and spec.rung >= Rung.HARASSMENT
            self.doctrine.append(_reasons(view, order.kind, victim) if hostile else None)
            self.test.append(tests.setdefault((self.standing[i], self.doctrine[i]), len(tests)))
        self.tests = list(tests)

    def legal(self, options: list[Order]) -> list[int]:
        """The positions of today's legal orders (``options``, in the candidates' order)."""
        position = self.position
        return [position[o] for o in options]

    def weighed_today(self, view: SideView, rows: list[int], review: bool) -> list[int]:
        """Which of ``rows`` the side weighs today: its reactions (and on a review day its
        standing policies) that hurt no one, and the hostile orders that a reason of doctrine
        serves: a campaign with an opportunity today, a red line that calls for an answer
        against the victim. For orders whose appraisal is worth something only through doctrine
        (``DOCTRINE_ONLY``) the test is exact, so none is appraised in vain; for any other it
        lets through what ``SideView.may_hit`` does, and the appraisal decides."""
        verdicts: list[bool | None] = [None] * len(self.tests)
        today: tuple[set[str], dict[str, set[str]]] | None = None  # when first needed
        weighed = []
        for row in rows:
            test = self.test[row]
            verdict = verdicts[test]
            if verdict is None:
                standing, reasons = self.tests[test]
                if standing and not review:
                    verdict = False
                elif reasons is None:
                    verdict = True
                else:
                    if today is None:
                        campaigns = {n for n in view.spec.campaigns if view.opportunity(n)}
                        today = campaigns, _open_lines(view)
                    verdict = _serves(view, reasons, *today)
                verdicts[test] = verdict
            if verdict:
                weighed.append(row)
        return weighed


def _serves(
    view: SideView, reasons: Reasons, campaigns: set[str], lines: dict[str, set[str]]
) -> bool:
    """Whether a reason of doctrine serves a hostile order today (``Menu.weighed_today``)."""
    if not campaigns.isdisjoint(reasons.campaigns):
        return True
    victim = reasons.victim
    for name in reasons.lines:
        blamed = lines.get(name)
        if blamed is not None and victim in blamed:
            line = view.spec.red_lines[name]
            if not reasons.gated or appraisal.answer_called(view, name, line, victim) > 0:
                return True
    return False


class Facts(NamedTuple):
    """What never changes about a candidate order."""

    kind: str
    rung: int
    victim: str | None
    exposure: float  # how exposed its doer is to retaliation
    background: bool  # of a background campaign against its victim: it climbs no rung
    head: int  # the position of the order appraised for it (itself, or its site group's first)
    own_pair: bool  # it climbs from its pair's own rung (ladder.pairwise), not today's


class Reasons(NamedTuple):
    """What could make a hostile candidate worth giving: the campaigns it serves and the red
    lines it answers, and whether its value comes only from them."""

    victim: str
    campaigns: tuple[str, ...]
    lines: tuple[str, ...]
    gated: bool


def _reasons(view: SideView, kind: str, victim: str) -> Reasons:
    spec = view.spec
    return Reasons(
        victim,
        tuple(n for n, c in spec.campaigns.items() if kind in c.orders and victim in c.against),
        tuple(n for n, line in spec.red_lines.items() if kind in line.answer),
        CATALOGUE[kind].appraisal in DOCTRINE_ONLY,
    )


def _open_lines(view: SideView) -> dict[str, set[str]]:
    """The side's red lines that may call for an answer today, with whom they may call for it
    against: a pain line on a day of opportunity, the sanctioning camp; any other, whom the
    blows it has taken lately are blamed on, and their sponsors."""
    found: dict[str, set[str]] = {}
    for name, line in view.spec.red_lines.items():
        if line.trigger == "pain":
            if view.opportunity(name):
                found[name] = {a for a in view.everyone() if view.in_camp(a)}
            continue
        blows = view.blows(line.days)
        if blows:
            found[name] = {a for by in {b.by for b in blows} for a in (by, *view.sponsors(by))}
    return found


def _exposure(view: SideView, order: Order) -> float:
    """How exposed an order's doer is to retaliation: a deniable act is answered only as often
    as it is pinned on its doer."""
    if CATALOGUE[order.kind].incident in DENIABLE_KINDS:
        return 1.0 - view.deniability_of(order.via or view.aid)
    return 1.0


def _site_key(view: SideView, order: Order) -> tuple:
    site = view.sites[order.target or ""]
    return order.kind, order.via, site.owner, site.is_oil


class Weighed:
    """The orders a side weighed on a day: their positions, utilities and values per aim."""

    def __init__(self, menu: Menu, rows: list[int], values: list[dict[str, float]]) -> None:
        self.menu = menu
        self.rows = rows
        self.values = values  # each aim's contribution, costs included (the reasons)
        self.utility = [sum(v.values()) for v in values]


def weigh(view: SideView, menu: Menu, rows: list[int], caution: float) -> Weighed:
    """Appraise and weigh the candidates at ``rows`` (as ``Judge.score``); the hostile ones
    that serve no aim of the side's today are dropped."""
    facts, weights, rules, doctrine = menu.facts, menu.weights, view.rules, menu.doctrine
    talks = 2.0 if view.in_talks() else 1.0
    fear = caution * rules.retaliation_fear
    effort, hostile, today = -rules.action_cost, int(Rung.HARASSMENT), view.rung
    appraised: dict[int, dict[str, float]] = {}  # by the head of each group of alike orders
    kept, values = [], []
    for row in rows:
        kind, rung, victim, exposure, background, head, own_pair = facts[row]
        if kind == "hold":
            kept.append(row)
            values.append({})
            continue
        found = appraised.get(head)
        if found is None:
            appraise = appraisal.APPRAISALS[CATALOGUE[kind].appraisal]
            found = appraised[head] = appraise(view, menu.orders[head])
        if doctrine[row] and not any(v > 0 for v in found.values()):
            continue
        if rung >= hostile:  # a hostile act goes against the wish to stay low
            found = {**found, "restraint": found.get("restraint", 0.0) - rung / 8}
        value = {aim: weights[aim] * v for aim, v in found.items() if v and weights[aim]}
        value["effort"] = effort
        base = view.climb_base(victim, rung) if own_pair else today
        if rung > base and not background:
            value["escalation"] = -caution * climb_cost(base, rung, rules.rung_cost) * talks
        if victim is not None:
            resolve, presence = view.resolve_of(victim), view.presence(victim)
            value["risk"] = -fear * exposure * resolve * (1 + presence) / 2
        kept.append(row)
        values.append(value)
    return Weighed(menu, kept, values)


def climb_cost(current: int, rung: int, per_rung: float) -> float:
    """Climbing the ladder: each rung above today's costs its number times ``per_rung``, so the
    step into direct exchange (rung 6) weighs twice the step into harassment (rung 3)."""
    return per_rung * (rung * (rung + 1) - current * (current + 1)) / 2 if rung > current else 0.0


def logit_pick(utilities: list[float], precision: float, rng: np.random.Generator) -> int:
    """Draw an index with probability proportional to exp(precision * utility): the first
    whose cumulative weight passes a uniform draw times the total. One choice takes the draw
    too, so that the stream moves alike whatever the number of choices."""
    if len(utilities) == 1:
        rng.random()
        return 0
    top = max(utilities)
    weights = list(accumulate(math.exp(precision * (u - top)) for u in utilities))
    return min(bisect_right(weights, rng.random() * weights[-1]), len(weights) - 1)


def pick(
    kinds: list[str], utilities: list[float], precision: float, rng: np.random.Generator
) -> int:
    """Pick a kind by its best order's utility, then an order of that kind, so that a kind with
    many targets is not chosen more often for that alone; holding is always a kind. Draws once
    for the kind (even when there is one) and once for the order when the kind has several."""
    if len(kinds) == 1:
        return logit_pick(utilities, precision, rng)
    best: dict[str, list[int]] = {}
    for i, kind in enumerate(kinds):
        best.setdefault(kind, []).append(i)
    groups = list(best.values())
    chosen = groups[logit_pick([max(utilities[i] for i in g) for g in groups], precision, rng)]
    if len(chosen) == 1:
        return chosen[0]
    return chosen[logit_pick([utilities[i] for i in chosen], precision, rng)]
