"""Mediation: a third party offers talks between two sides.

Summary of rule: talks are agreed with ``mediation_success`` times each side's willingness,
and talks that work cut both sides' grievance against each other.

Each side accepts with a willingness of ``1 - resolve * grievance`` toward the other (at least
0.05), and the offer works with ``mediation_success`` times both willingnesses. Talks that work
cut both sides' grievance against each other, and their floor of lasting enmity, by
``mediation_effect``, and for ``talks_days`` each side weighs climbing the ladder twice as heavily.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event
from wargame.engine.rules.odds import roll

if TYPE_CHECKING:
    from wargame.core.orders import Order
    from wargame.engine.world import World


@dataclass
class Talks:
    """Which sides are in talks, and until which day."""

    until: dict[str, int] = field(default_factory=dict)

    def open(self, aid: str, day: int) -> bool:
        return self.until.get(aid, -1) >= day


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
