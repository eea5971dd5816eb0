"""Players: the computer's and a human's, behind one interface.

Every day the model hands each side its view and its legal orders, and the side's policy returns
the orders it gives. A computer policy weighs each order by what it does for the side's aims
(wargame/engine/appraisal.py: its goals and its doctrine's campaigns and red lines), subtracts
what acting costs (``action_cost``), what climbing the ladder costs (its caution times
``rung_cost`` per rung), and the fear of provoking a victim that seems resolute and has forces
at hand; holding scores 0. It then picks by a logit choice with the side's ``rationality`` as
precision (McKelvey and Palfrey's quantal response, 1995): usually the best order, sometimes
another, so noise is the margin of error, not the engine of the crisis. First it picks the kind
of order (each kind judged by its best target), then the target, so a kind with many targets is
not chosen more often for that alone. A day brings two choices: every day a reaction (posture,
evacuations, attacks, strikes, convoys) or holding; and every ``review_days``, each side on a day
of its own, a change of one standing policy or keeping them as they are. A militia asked by its
sponsor to carry out an attack judges the request by its own aims and caution (``consent``).
Every choice keeps its reasons: the utility, holding's score and each aim's contribution.

A human policy returns what the person submitted, refuses anything that is not among today's
legal orders, and never acts on another side's direction.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from wargame.core.incidents import DENIABLE_KINDS
from wargame.core.ladder import Rung
from wargame.core.orders import CATALOGUE, SITE_ATTACKS, STANDING, Order
from wargame.engine import appraisal
from wargame.engine.menu import Menu, Weighed, climb_cost, pick, weigh
from wargame.engine.view import SideView

HOLD = 0.0  # what holding scores: the zero of every utility


class Policy(Protocol):
    def decide(self, view: SideView, options: list[Order]) -> list[Order]: ...

    def consent(self, view: SideView, order: Order) -> Consent: ...

    def reasons(self, order: Order) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class Scored:
    order: Order
    utility: float
    values: dict[str, float]  # each aim's contribution to the utility, costs included


@dataclass(frozen=True, slots=True)
class Consent:
    """A militia's answer to its sponsor's direction, and the odds it was given at."""

    agreed: bool
    p: float
    roll: float | None = None
    scored: Scored | None = None


Facts = tuple[Callable[[SideView, Order], dict[str, float]], int, str | None, float]


@dataclass
class Judge:
    """One side's scoring of its options for one day; what all options share is worked out once."""

    view: SideView
    facts: dict[Order, Facts] = field(default_factory=dict)  # the player's, kept across days

    def __post_init__(self) -> None:
        view, rules = self.view, self.view.rules
        self.caution = view.caution()
        self.talks = 2.0 if view.in_talks() else 1.0
        self.fear_unit = self.caution * rules.retaliation_fear
        self.may_hit = view.may_hit()

    def score(self, order: Order) -> Scored | None:
        """The utility of one order, with what each aim and cost contributes (for reasons); None
        for a hostile order that serves none of the side's aims today: the side does not weigh
        it at all (it would only cost)."""
        if order.kind == "hold":
            return Scored(order, HOLD, {})
        appraise, rung, victim, _ = self.facts.get(order) or self._facts(order)
        hostile = victim is not None and rung >= Rung.HARASSMENT
        if hostile and (order.kind, victim) not in self.may_hit:
            return None
        appraised = appraise(self.view, order)
        if hostile and not any(v > 0 for v in appraised.values()):
            return None
        return self.weigh(order, appraised)

    def weigh(self, order: Order, appraised: dict[str, float]) -> Scored:
        """An order's utility from what it does for each aim: the aims' weights, less what it
        costs to act, to climb the ladder and to risk its victim's answer."""
        view = self.view
        _, rung, victim, exposure = self.facts.get(order) or self._facts(order)
        if rung >= Rung.HARASSMENT:  # a hostile act goes against the wish to stay low
            appraised = {**appraised, "restraint": appraised.get("restraint", 0.0) - rung / 8}
        weights = view.weights
        values = {aim: weights[aim] * v for aim, v in appraised.items() if v and weights[aim]}
        rules = view.rules
        values["effort"] = -rules.action_cost
        base = view.climb_base(victim, rung)
        if rung > base and not view.background(order.kind, victim):
            values["escalation"] = (
                -self.caution * climb_cost(base, rung, rules.rung_cost) * self.talks
            )
        if victim is not None:
            # Any side can hit back; forces it and its allies have in theatre make that likelier.
            resolve = view.resolve_of(victim)
            values["risk"] = -self.fear_unit * exposure * resolve * (1 + view.presence(victim)) / 2
        return Scored(order, sum(values.values()), values)

    def _facts(self, order: Order) -> Facts:
        """What never changes about an order: its appraisal, rung, victim, and how exposed its
        doer is to retaliation (a deniable act is answered only as often as it is pinned on its
        doer). Kept by the player, worked out the first time the order is weighed."""
        spec = CATALOGUE[order.kind]
        exposure = 1.0
        if spec.incident in DENIABLE_KINDS:
            exposure = 1.0 - self.view.deniability_of(order.via or self.view.aid)
        facts = self.facts[order] = (
            appraisal.APPRAISALS[spec.appraisal],
            int(spec.rung),
            appraisal.victim_of(self.view, order),
            exposure,
        )
        return facts

    def score_all(self, options: list[Order]) -> list[Scored]:
        """Score the options the side weighs today; attacks on sites that differ only in place
        (same owner, same kind of site, same doer) score alike, so each such group is scored
        once."""
        sites = self.view.sites
        done: dict[tuple, Scored | None] = {}
        out = []
        for order in options:
            if order.kind not in SITE_ATTACKS:
                scored = self.score(order)
            else:
                site = sites[order.target or ""]
                key = (order.kind, order.via, site.owner, site.is_oil)
                if key not in done:
                    scored = done[key] = self.score(order)
                else:
                    first = done[key]
                    scored = first and Scored(order, first.utility, first.values)
            if scored is not None:
                out.append(scored)
        return out


def reviews_today(view: SideView) -> bool:
    """Computer sides review standing policies every ``review_days``, each on a day of its own."""
    every = view.rules.review_days
    return view.day % every == view.index % every


class ComputerPolicy:
    """A computer player: noisy best response to its own picture of the crisis.

    It decides over arrays of its candidates (engine/menu.py); with ``reference`` it decides
    order by order through ``Judge`` instead, the plain statement of the same choice that the
    tests hold the arrays to.
    """

    def __init__(self, rng: np.random.Generator, *, reference: bool = False) -> None:
        self.rng = rng
        self.reference = reference
        self.menu: Menu | None = None  # the side's candidates as arrays, made on the first day
        self.weighed: list[tuple[Weighed, list[int]]] = []  # what was weighed last (ranked)
        self.last: list[Scored] = []  # the reference's: the options weighed last
        self.facts: dict[Order, Facts] = {}  # what never changes about an order
        self.chosen: dict[Order, Scored] = {}  # today's orders with their reasons

    def decide(self, view: SideView, options: list[Order]) -> list[Order]:
        """Today's reaction, and on a review day a change of standing policy: two choices."""
        if self.reference:
            return self._decide_by_order(view, options)
        if self.menu is None:
            self.menu = Menu(view, view.candidates())
        menu, precision = self.menu, view.rationality
        review = reviews_today(view)  # standing policies are weighed on review days only
        rows = menu.weighed_today(view, menu.legal(options), review)
        weighed = weigh(view, menu, rows, view.caution())
        standing = [menu.standing[row] for row in weighed.rows]
        reactions = [i for i, s in enumerate(standing) if not s]
        picks = [self._pick(weighed, reactions, precision)]
        self.weighed = [(weighed, reactions)]
        if review:
            policies = [0] + [i for i, s in enumerate(standing) if s]  # holding first
            picks.append(self._pick(weighed, policies, precision))
            self.weighed = [(weighed, reactions + policies[1:])]
        self.chosen = {}
        for i in picks:
            order = menu.orders[weighed.rows[i]]
            if order.kind != "hold":
                self.chosen[order] = Scored(order, weighed.utility[i], weighed.values[i])
        return list(self.chosen)

    def _decide_by_order(self, view: SideView, options: list[Order]) -> list[Order]:
        judge = Judge(view, self.facts)
        reactions = [o for o in options if o.kind not in STANDING]
        self.last = judge.score_all(reactions)
        picks = [self._choose(self.last, view.rationality)]
        if reviews_today(view):
            policies = [options[0]] + [o for o in options if o.kind in STANDING]
            scored = judge.score_all(policies)
            self.last += scored[1:]  # holding, first, is among the reactions already
            picks.append(self._choose(scored, view.rationality))
        self.chosen = {s.order: s for s in picks if s.order.kind != "hold"}
        return list(self.chosen)

    def consent(self, view: SideView, order: Order) -> Consent:
        """Whether this militia carries out the attack its sponsor directs: it weighs the act as
        its own order, by its own aims and caution (appraisal.directed), against refusing, which
        scores 0, by a logit choice."""
        own = appraisal.own_order(view, order)
        scored = Judge(view, self.facts).weigh(own, appraisal.directed(view, own))
        p = 1.0 / (1.0 + math.exp(-min(view.rationality * scored.utility, 700.0)))
        roll = float(self.rng.random())
        return Consent(roll < p, round(p, 4), round(roll, 4), scored)

    def _choose(self, scored: list[Scored], precision: float) -> Scored:
        """The reference's pick among scored orders (the same two stages as ``_pick``)."""
        kinds, utilities = [s.order.kind for s in scored], [s.utility for s in scored]
        return scored[pick(kinds, utilities, precision, self.rng)]

    def _pick(self, weighed: Weighed, among: list[int], precision: float) -> int:
        menu = weighed.menu
        kinds = [menu.facts[weighed.rows[i]].kind for i in among]
        return among[pick(kinds, [weighed.utility[i] for i in among], precision, self.rng)]

    def reasons(self, order: Order) -> dict[str, Any] | None:
        """Why this side gave ``order`` today: its score, holding's, its rung and its aims."""
        scored = self.chosen.get(order)
        if scored is None:
            return None
        return {
            "utility": round(scored.utility, 4),
            "hold": HOLD,
            "rung": int(CATALOGUE[order.kind].rung),
            "aims": {aim: round(v, 4) for aim, v in scored.values.items()},
        }

    def ranked(self, limit: int = 10) -> list[Scored]:
        """The options weighed last, best first."""
        weighed = self.last if self.reference else self._weighed_last()
        return sorted(weighed, key=lambda s: -s.utility)[:limit]

    def _weighed_last(self) -> list[Scored]:
        out = []
        for weighed, among in self.weighed:
            for i in among:
                order = weighed.menu.orders[weighed.rows[i]]
                out.append(Scored(order, weighed.utility[i], weighed.values[i]))
        return out


class OrderRefused(ValueError):
    """A human asked for an order the side may not give today."""


class HumanPolicy:
    """A person's orders, submitted through the dashboard or the classroom."""

    def __init__(self) -> None:
        self.pending: list[Order] | None = None

    def submit(self, orders: list[Order], options: list[Order]) -> None:
        """Take a person's orders for the day: like a computer side, at most one reaction and
        one change of standing policy, each among today's legal orders."""
        allowed = set(options)
        chosen = [o for o in orders if o.kind != "hold"]
        for order in chosen:
            if order not in allowed:
                raise OrderRefused(f"{order.label()} is not an order {order.actor} may give today")
        standing = [o for o in chosen if o.kind in STANDING]
        if len(standing) > 1 or len(chosen) - len(standing) > 1:
            raise OrderRefused("give at most one reaction and one change of standing policy a day")
        self.pending = chosen

    def decide(self, view: SideView, options: list[Order]) -> list[Order]:
        orders, self.pending = self.pending or [], None
        return orders

    def consent(self, view: SideView, order: Order) -> Consent:
        """A side a person plays does only what the person ordered."""
        return Consent(False, 0.0)

    def reasons(self, order: Order) -> dict[str, Any] | None:
        return None  # a person's reasons are the person's (the classroom asks for an intent)


class ReplayPolicy(HumanPolicy):
    """Gives the orders a side gave in a recorded game, day by day (a person's side, which
    consented to no one's direction)."""

    def __init__(self, orders_by_day: dict[int, list[Order]]) -> None:
        super().__init__()
        self.orders_by_day = orders_by_day

    def decide(self, view: SideView, options: list[Order]) -> list[Order]:
        return list(self.orders_by_day.get(view.day, []))
