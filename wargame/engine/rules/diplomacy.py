"""Mediation and the nuclear deal: a third party offers talks; a side steps back from the deal.

Summary of rule: talks are agreed with ``mediation_success`` times each side's willingness,
and talks that work cut both sides' grievance against each other; each step back from the
nuclear deal's limits adds ``nuclear_tension`` to the grievance of the states that count the
stepper an enemy (and to the enmity under it), and a return to the limits takes it away.

Each side accepts with a willingness of ``1 - resolve * grievance`` toward the other (at least
0.05), and the offer works with ``mediation_success`` times both willingnesses. Talks that work
cut both sides' grievance against each other, and their floor of lasting enmity, by
``mediation_effect``, and for ``talks_days`` each side weighs climbing the ladder twice as heavily.

Steps back from the deal come at least ``nuclear_step_days`` apart, at most ``nuclear_max_steps``
of them (engine/legal.py); a return undoes them all at once, and their grievance with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event
from wargame.engine.rules.odds import roll

if TYPE_CHECKING:
    from wargame.core.orders import Order
    from wargame.core.schema import Scenario
    from wargame.engine.world import World


@dataclass
class Talks:
    """Which sides are in talks, and until which day."""

    until: dict[str, int] = field(default_factory=dict)

    def open(self, aid: str, day: int) -> bool:
        return self.until.get(aid, -1) >= day


@dataclass
class Nuclear:
    """Each side's steps back from the nuclear deal's limits, and the day of its last one."""

    steps: dict[str, int] = field(default_factory=dict)
    last_day: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(cls, spec: Scenario) -> Nuclear:
        taken = {aid: p for aid, p in spec.policies.items() if p.nuclear_steps}
        return cls(
            {aid: p.nuclear_steps for aid, p in taken.items()},
            {aid: p.nuclear_step_day for aid, p in taken.items() if p.nuclear_step_day is not None},
        )


def nuclear_step(model: World, order: Order, rng: np.random.Generator) -> Event:
    """A step back from the deal's limits, or a return to them."""
    rules, nuclear, aid = model.spec.rules.diplomacy, model.nuclear, order.actor
    taken = nuclear.steps.get(aid, 0)
    back = order.kind == "nuclear_return"
    change = -taken if back else 1
    nuclear.steps[aid] = taken + change
    if not back:
        nuclear.last_day[aid] = model.day
    me = model.actors[aid].index
    for other in model.actor_list:
        if other.kind == "state" and aid in other.spec.adversaries:
            for table in (model.tension, model.tension_floor):  # it lasts while the step does
                grievance = table[other.index, me] + change * rules.nuclear_tension
                table[other.index, me] = min(max(grievance, 0.0), 1.0)
    target = model.sanctioner or aid
    return model.make_event(
        "nuclear_step",
        aid,
        target,
        model.capital(aid) or "Tehran",
        "returned to the nuclear deal's limits"
        if back
        else f"step {taken + 1} back from the nuclear deal's limits",
        order=order,
        details={"steps": nuclear.steps[aid]},
        tone="neutral",  # the grievance is this rule's, felt by every state it offends
    )


def willingness(model: World, side: str, other: str) -> float:
    a, b = model.actors[side], model.actors[other]
    return max(1.0 - a.spec.resolve * float(model.tension[a.index, b.index]), 0.05)


def mediate(model: World, order: Order, rng: np.random.Generator) -> Event:
    rules = model.spec.rules.diplomacy
    first, second = (order.target or ":").split(":")
    chance = (
        rules.mediation_success
        * willingness(model, first, second)
        * willingness(model, second, first)
    )
    agreed, odds = roll(rng, chance)
    if agreed:
        i, j = model.actors[first].index, model.actors[second].index
        for a, b in ((i, j), (j, i)):
            model.tension[a, b] *= 1.0 - rules.mediation_effect
            model.tension_floor[a, b] *= 1.0 - rules.mediation_effect
        model.talks.until[first] = model.talks.until[second] = model.day + rules.talks_days
    return model.make_event(
        "mediation",
        order.actor,
        first,
        model.capital(first) or model.capital(second) or "Baghdad",
        f"talks between {model.actors[first].name} and {model.actors[second].name} "
        + ("agreed" if agreed else "refused"),
        order=order,
        details={"other": second, "agreed": agreed, **odds},
        tone="goodwill" if agreed else "neutral",
    )
