"""A host's pressure on foreign forces: a bill in parliament that sets them a deadline to leave.

Summary of rule: a host's first step tables a bill against a foreign side's forces and a second
puts it to a vote, which passes with ``pass_chance``, at parliament's pace (``step_days`` between
moves); a passed bill gives them ``withdrawal_days`` to go, and on that day the side's bases in
the host's country are vacated and its strikes on convoys there end, unless the host has let the
bill lapse first.

While a bill stands, the side weighs operating in the country against its standing with the
host (engine/appraisal.py); a host presses as it sees its soil become a battlefield of that
side's (Iraq's parliament, early 2019: a draft law giving foreign troops six to twelve months
to leave).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event
from wargame.core.orders import BASES
from wargame.engine.rules.odds import roll

if TYPE_CHECKING:
    from wargame.core.orders import Order
    from wargame.core.schema import Scenario
    from wargame.engine.world import World


@dataclass
class Withdrawal:
    """Each host's bills against foreign sides, by (host, side): the steps taken, the day of
    the last, the deadline of a passed bill; and the (side, country) pairs already expelled."""

    steps: dict[tuple[str, str], int] = field(default_factory=dict)
    last_day: dict[tuple[str, str], int] = field(default_factory=dict)
    deadline: dict[tuple[str, str], int] = field(default_factory=dict)
    expelled: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def start(cls, spec: Scenario) -> Withdrawal:
        out = cls()
        for host, policy in spec.policies.items():
            for guest, bill in policy.withdrawal.items():
                out.steps[host, guest] = bill.steps
                out.last_day[host, guest] = bill.day
        return out

    def pressure(self, host: str, guest: str, max_steps: int) -> float:
        """How far a host's bill against a side has gone (0: none, 1: passed)."""
        return self.steps.get((host, guest), 0) / max_steps


def press_withdrawal(model: World, order: Order, rng: np.random.Generator) -> Event:
    """A step of the bill (the second passes it and starts the clock), or its lapse."""
    rules, bills = model.spec.rules.sovereignty, model.withdrawal
    key = (order.actor, order.target or "")
    lapse = order.kind == "drop_withdrawal"
    steps = 0 if lapse else bills.steps.get(key, 0) + 1
    odds: dict[str, float] = {}
    if lapse:
        bills.deadline.pop(key, None)
        outcome = "bill on foreign forces allowed to lapse"
    elif steps >= rules.max_steps:
        passed, odds = roll(rng, rules.pass_chance)
        if passed:
            bills.deadline[key] = model.day + rules.withdrawal_days
            outcome = f"bill passed: foreign forces to leave within {rules.withdrawal_days} days"
        else:
            steps -= 1
            outcome = "bill on foreign forces put to a vote and defeated"
    else:
        outcome = "bill tabled: foreign forces to leave by a deadline"
    bills.steps[key] = steps
    bills.last_day[key] = model.day
    return model.make_event(
        "withdrawal_pressure",
        order.actor,
        key[1],
        _parliament(model, order.actor),
        outcome,
        order=order,
        details={"steps": steps, **odds},
        tone="goodwill" if lapse else "hostile",
    )


def deadlines(model: World) -> list[Event]:
    """The passed bills whose deadline is today: the side's bases in the country are vacated."""
    events = []
    bills = model.withdrawal
    for (host, guest), day in sorted(bills.deadline.items()):
        if day != model.day:
            continue
        country = model.home_country(host) or ""
        bills.expelled.add((guest, country))
        model.actors[guest].interdiction.discard(country)
        left = [s for s in model.sites_of(guest) if s.country == country and s.kind in BASES]
        for site in left:
            site.vacated = True
        events.append(
            model.make_event(
                "deployment",
                guest,
                host,
                _parliament(model, host),
                f"forces leave {country} on parliament's deadline ({len(left)} bases vacated)",
                details={"bases": [s.sid for s in left]},
                tone="goodwill",
            )
        )
    return events


def _parliament(model: World, host: str) -> str:
    """Where a host's parliament sits: its home. A side with no home on the map has no country
    whose foreign bases it could press about (engine/legal.py gives it no such order)."""
    home = model.capital(host)
    if home is None:
        raise LookupError(f"{host}: a bill on foreign forces needs the side's home on the map")
    return home
