"""Escalation: the rung of the crisis, how tension fades, and how a run ends.

Summary of rule: the crisis stands on the highest rung of its recent incidents (the background
wars aside), higher when states strike each other on several days, and grievances fade back
toward the enmity of the start.

The rung of a day is the highest rung of any incident in the last ``memory_days``, raised to
"sustained direct exchange" when states struck each other on ``sustained_days`` different days
in that window (or the strait is being closed), and to "regional war" when direct strikes fell
on ``war_days`` days among ``war_states`` or more states, or killed 1,000 (UCDP's war). The acts
of background campaigns (the Saudi-Houthi war, Israel's campaign in Syria, Gaza's rounds) and
strikes on convoys under standing rules of engagement do not move it, unless an attack killed
``deadly_at`` or more. Tension (grievance) rises through perception and fades each day by
``tension_decay`` toward a floor: the share ``enmity_floor`` of the starting tension, lowered
only by goodwill and talks. Hitting back settles part of a score: a side's grievance against its
victim falls by ``catharsis`` times the act's severity.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import INCIDENTS, Event
from wargame.core.ladder import WAR_DEATHS, Rung, pairwise

if TYPE_CHECKING:
    from wargame.core.schema import EscalationRules
    from wargame.engine.world import World


def severity(rules: EscalationRules, event: Event) -> float:
    """How much an incident angers its victim: a base per kind, more with deaths."""
    base = rules.severity.get(event.kind, 0.0)
    if base == 0.0:
        return 0.0
    return base * (1.0 + rules.casualty_weight * float(np.log1p(event.casualties)))


def background(model: World, event: Event) -> bool:
    """Whether an incident is part of the background to the crisis, not a departure from it."""
    if INCIDENTS[event.kind].routine:
        return True
    campaigns = model.actors[event.actor].spec.campaigns.values()
    return any(
        c.background and event.order in c.orders and event.target in c.against for c in campaigns
    )


def is_direct(model: World, event: Event) -> bool:
    """A state's strike on another state's forces (the Quds Force counts as Iran)."""
    if event.kind not in ("state_strike", "closure_attempt"):
        return False
    doer, victim = model.actors[event.actor], model.actors[event.target]
    return doer.kind in ("state", "force") and victim.kind in ("state", "force")


class Ladder:
    """The crisis's position on the ladder, from the incidents of the recent past."""

    def __init__(self, rules: EscalationRules) -> None:
        self.rules = rules
        self.recent: deque[tuple[int, int]] = deque()  # (day, rung) of incidents
        self.direct: deque[tuple[int, str, str]] = deque()  # (day, state, state) of direct strikes
        self.direct_pairs: set[frozenset[str]] = set()  # pairs of states that struck each other
        self.closure_active = False
        self.crisis_killed = 0  # killed in the crisis's incidents during the run
        self.direct_killed = 0  # of them, in direct strikes between states
        self.rung = int(Rung.CALM)
        self.peak = int(Rung.CALM)
        self.peak_day = 0

    def note(self, model: World, event: Event) -> None:
        """An incident moves the crisis, unless it is part of the background (a routine strike
        under standing rules of engagement, or an act of a side's background campaign against
        one of its enemies), unless it was a deadly attack (one that killed ``deadly_at`` or
        more, which puts it a rung above its kind's)."""
        deadly = event.rung > INCIDENTS[event.kind].rung  # an attack that killed many
        if deadly or not background(model, event):
            self.recent.append((event.day, event.rung))
            if event.day >= 1:
                self.crisis_killed += event.casualties
        if is_direct(model, event):
            if event.day >= 1:
                self.direct_killed += event.casualties
            doer = model.actors[event.actor].state()
            victim = model.actors[event.target].state()
            self.direct.append((event.day, doer, victim))
            self.direct_pairs.add(frozenset((doer, victim)))

    def base_for(self, model: World, actor: str, victim: str | None, rung: int) -> int:
        """The rung an order climbs from. Direct exchange is a threshold each pair of states
        crosses for itself: until two states have struck each other in this run, a strike by
        one on the other climbs from at most rung 5, whatever others have done."""
        if not pairwise(rung, victim):
            return self.rung
        pair = frozenset((model.actors[actor].state(), model.actors[victim].state()))
        if pair in self.direct_pairs:
            return self.rung
        return min(self.rung, int(Rung.STRIKES_ON_PROXIES))

    def update(self, day: int) -> int:
        """The rung of ``day``; the peak keeps the first day it was reached."""
        horizon = day - self.rules.memory_days
        while self.recent and self.recent[0][0] <= horizon:
            self.recent.popleft()
        while self.direct and self.direct[0][0] <= horizon:
            self.direct.popleft()
        rung = max((r for _, r in self.recent), default=int(Rung.CALM))
        strike_days = len({d for d, _, _ in self.direct})
        states = {s for _, a, b in self.direct for s in (a, b)}
        many = strike_days >= self.rules.war_days and len(states) >= self.rules.war_states
        if many or self.direct_killed >= WAR_DEATHS:
            rung = int(Rung.REGIONAL_WAR)
        elif strike_days >= self.rules.sustained_days or self.closure_active:
            rung = max(rung, int(Rung.SUSTAINED_DIRECT))
        self.rung = rung
        if rung > self.peak:
            self.peak, self.peak_day = rung, day
        return rung


def relax(model: World) -> None:
    """Grievances fade toward the floor of lasting enmity."""
    decay = model.spec.rules.escalation.tension_decay
    model.tension -= decay * (model.tension - model.tension_floor)
