"""Players: the computer's and a human's, behind one interface.

Every day the model hands each side its view and its legal orders, and the side's policy returns
the orders it gives. A computer policy weighs each order (wargame/engine/appraisal.py), subtracts
the cost of acting, of climbing the ladder and of provoking a resolute, present adversary, and picks
by a logit choice with the side's ``rationality`` as precision (McKelvey and Palfrey's quantal
response, 1995): usually the best order, sometimes another, never a fixed script. First it picks
the kind of order (each kind judged by its best target), then the target, so a kind with many
targets is not chosen more often for that alone. A day brings two choices: every day a reaction
(posture, evacuations, attacks, strikes, convoys) or holding; and every ``review_days``, each side
on a day of its own, a change of one standing policy (deployments, sanctions, escorts, diplomacy,
surveillance, rules of engagement, coordination of proxies) or keeping them as they are. A human
policy returns what the person submitted, and refuses anything that is not among today's legal
orders.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from wargame.core.incidents import DENIABLE_KINDS
from wargame.core.ladder import Rung
from wargame.core.orders import CATALOGUE, STANDING, Order
from wargame.engine import appraisal
from wargame.engine.view import SideView


class Policy(Protocol):
    def decide(self, view: SideView, options: list[Order]) -> list[Order]: ...


@dataclass(frozen=True, slots=True)
class Scored:
    order: Order
    utility: float
    values: dict[str, float]


class Judge:
    """One side's scoring of its options for one day; what all options share is worked out once."""

    def __init__(self, view: SideView, facts: dict[Order, Facts] | None = None) -> None:
        rules = view.model.spec.rules.decisions
        self.view = view
        self.facts = {} if facts is None else facts  # the player's, kept across days
        self.weights = view.me.weights
        self.caution = view.caution()
        self.talks = 2.0 if view.in_talks() else 1.0
        self.action_cost = rules.action_cost
        self.rung_cost = rules.rung_cost
        self.fear_unit = self.caution * rules.retaliation_fear

    def score(self, order: Order) -> Scored:
        """The utility of one order, with the aims it serves (for explanations)."""
        if order.kind == "hold":
            return Scored(order, 0.0, {})
        view = self.view
        appraise, rung, victim, exposure = self.facts.get(order) or _facts(view, order, self.facts)
        values = appraise(view, order)
        weights = self.weights
        utility = -self.action_cost
        for aim, value in values.items():
            utility += weights[aim] * value
        ladder = view.model.ladder
        base = (
            ladder.rung
            if rung < Rung.LIMITED_DIRECT
            else ladder.base_for(view.model, view.aid, victim, rung)
        )
        if rung > base:
            utility -= self.caution * climb_cost(base, rung, self.rung_cost) * self.talks
        if victim is not None:
            # Any side can hit back; forces it and its allies have in theatre make that likelier.
            resolve = view.model.actors[victim].spec.resolve
            utility -= self.fear_unit * exposure * resolve * (1.0 + view.presence(victim)) / 2.0
        return Scored(order, utility, values)

    def score_all(self, options: list[Order]) -> list[Scored]:
        """Score every option; attacks on sites that differ only in place (same owner, same
        kind of site, same doer) score alike, so each such group is scored once."""
        sites = self.view.model.sites
        done: dict[tuple, Scored] = {}
        out = []
        for order in options:
            if not CATALOGUE[order.kind].attacks_site:
                out.append(self.score(order))
                continue
            site = sites[order.target or ""]
            key = (order.kind, order.via, site.owner, site.is_oil)
            first = done.get(key)
            if first is None:
                first = done[key] = self.score(order)
                out.append(first)
            else:
                out.append(Scored(order, first.utility, first.values))
        return out


Facts = tuple[Callable[[SideView, Order], dict[str, float]], int, str | None, float]


def _facts(view: SideView, order: Order, cache: dict[Order, Facts]) -> Facts:
    """What never changes about an order: its appraisal, rung, victim, and how exposed its doer is
    to retaliation (a deniable act is answered only as often as it is pinned on its doer).
    Kept by the player, worked out the first time the order is weighed."""
    spec = CATALOGUE[order.kind]
    exposure = 1.0
    if spec.incident in DENIABLE_KINDS:
        doer = view.model.actors[order.via] if order.via else view.me
        exposure = 1.0 - doer.spec.deniability
    facts = cache[order] = (
        appraisal.APPRAISALS[spec.appraisal],
        int(spec.rung),
        appraisal.victim_of(view, order),
        exposure,
    )
    return facts


def reviews_today(view: SideView) -> bool:
    """Computer sides review standing policies every ``review_days``, each on a day of its own."""
    every = view.model.spec.rules.decisions.review_days
    return view.day % every == view.me.index % every


def climb_cost(current: int, rung: int, per_rung: float) -> float:
    """Climbing the ladder: each rung above today's costs its number times ``per_rung``, so the
    step into direct exchange (rung 6) weighs twice the step into harassment (rung 3)."""
    return per_rung * (rung * (rung + 1) - current * (current + 1)) / 2 if rung > current else 0.0


def _logit_pick(utilities: list[float], precision: float, rng: np.random.Generator) -> int:
    """Draw an index with probability proportional to exp(precision * utility)."""
    top = max(utilities)
    weights = [math.exp(precision * (u - top)) for u in utilities]
    draw = rng.random() * sum(weights)
    for i, weight in enumerate(weights):
        draw -= weight
        if draw < 0.0:
            return i
    return len(weights) - 1


class ComputerPolicy:
    """A computer player: noisy best response to its own picture of the crisis."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.last: list[Scored] = []  # the options weighed last, for explanations (see ranked)
        self.facts: dict[Order, Facts] = {}  # what never changes about an order

    def decide(self, view: SideView, options: list[Order]) -> list[Order]:
        """Today's reaction, and on a review day a change of standing policy: two choices."""
        judge = Judge(view, self.facts)
        reactions = [o for o in options if o.kind not in STANDING]
        self.last = judge.score_all(reactions)
        orders = self._choose(self.last, view.me.spec.rationality)
        if reviews_today(view):
            policies = [options[0]] + [o for o in options if o.kind in STANDING]
            scored = judge.score_all(policies)
            self.last += scored[1:]
            orders += self._choose(scored, view.me.spec.rationality)
        return orders

    def _choose(self, scored: list[Scored], precision: float) -> list[Order]:
        """Pick a kind by its best target's utility, then a target; holding is always a kind."""
        best: dict[str, list[Scored]] = {}
        for item in scored:
            best.setdefault(item.order.kind, []).append(item)
        kinds = list(best)
        kind = kinds[
            _logit_pick([max(s.utility for s in best[k]) for k in kinds], precision, self.rng)
        ]
        within = best[kind]
        choice = (
            within[_logit_pick([s.utility for s in within], precision, self.rng)]
            if len(within) > 1
            else within[0]
        )
        return [] if choice.order.kind == "hold" else [choice.order]

    def ranked(self, limit: int = 10) -> list[Scored]:
        """The options weighed last, best first."""
        return sorted(self.last, key=lambda s: -s.utility)[:limit]


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


class ReplayPolicy:
    """Gives the orders a side gave in a recorded game, day by day."""

    def __init__(self, orders_by_day: dict[int, list[Order]]) -> None:
        self.orders_by_day = orders_by_day

    def decide(self, view: SideView, options: list[Order]) -> list[Order]:
        return list(self.orders_by_day.get(view.day, []))
