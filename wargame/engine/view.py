"""A side's picture of the crisis: its own state, its beliefs, and what is public.

Computer players decide from this view only, and the dashboard shows a human player this view,
so no side acts on truths it could not know: who really sabotaged a tanker, where an unseen
convoy is, what another side ordered today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.core.orders import Order
from wargame.engine.beliefs import Perceived

if TYPE_CHECKING:
    from agents.actors import Actor
    from wargame.engine.model import WargameModel


class SideView:
    def __init__(self, model: WargameModel, aid: str) -> None:
        self.model = model
        self.me: Actor = model.actors[aid]
        self.aid = aid
        self.index = {a: actor.index for a, actor in model.actors.items()}
        self._epoch = -1
        self.refresh()

    def refresh(self) -> None:
        """Copy this side's beliefs into plain lists once per phase of the day (the model's
        ``epoch``): decisions read them thousands of times a day, and plain lists are fastest
        to read. ``model.view_of`` refreshes before handing a view out."""
        if self._epoch == self.model.epoch:
            return
        self._epoch = self.model.epoch
        i = self.me.index
        self._grievance = self.model.tension[i].tolist()
        self._floor = self.model.tension_floor[i].tolist()
        self._threat = (1.0 - np.exp(-self.me.beliefs.harm)).tolist()
        self._presence: dict[str, float] = {}
        self.memo: dict[tuple[str, str | None], float] = {}  # per-phase answers (appraisal.py)

    # Public facts
    @property
    def day(self) -> int:
        return self.model.day

    @property
    def rung(self) -> int:
        return self.model.ladder.rung

    def in_talks(self) -> bool:
        return self.model.talks.open(self.aid, self.model.day)

    def presence(self, aid: str) -> float:
        """Share of a side's (and its allies') forces in theatre: what deters its enemies."""
        if aid not in self._presence:
            friends = {aid, *self.model.actors[aid].spec.allies}
            forces = [f for f in self.model.forces.values() if f.owner in friends]
            self._presence[aid] = sum(f.in_theatre for f in forces) / len(forces) if forces else 0.0
        return self._presence[aid]

    def own_presence(self) -> float:
        forces = [f for f in self.model.forces.values() if f.owner == self.aid]
        return sum(f.deployed or f.arrives_on > 0 for f in forces) / len(forces) if forces else 0.0

    # Beliefs
    def grievance(self, other: str) -> float:
        return self._grievance[self.index[other]]

    def threat(self, other: str) -> float:
        """Fear: how likely ``other`` seems to strike soon, from recent harm it is blamed for."""
        return self._threat[self.index[other]]

    def grudge(self, other: str) -> float:
        """Grievance beyond lasting enmity, as a share of the room above it (0 to 1): what
        recent wrongs, real or believed, have added."""
        j = self.index[other]
        floor = self._floor[j]
        return max(self._grievance[j] - floor, 0.0) / (1.0 - floor)

    def novelty(self, order: Order) -> float:
        """A repeated act loses force: near 0 the day after the same order about the same side
        (or country, militia, unit), back toward 1 over ``memory_days``."""
        if not self.me.last_order_day:
            return 1.0
        last = self.me.last_order_day.get(self.model.repeat_key(order))
        if last is None:
            return 1.0
        return float(1.0 - np.exp(-(self.day - last) / self.model.spec.rules.decisions.memory_days))

    def threat_in(self, country: str) -> float:
        """The greatest threat from an adversary that can reach a country."""
        return max(
            (
                self.threat(a)
                for a in self.me.spec.adversaries
                if country in self.model.actors[a].spec.reach
            ),
            default=0.0,
        )

    def max_threat(self) -> float:
        return max((self.threat(a) for a in self.me.spec.adversaries), default=0.0)

    def max_grudge(self, among: list[str] | None = None) -> float:
        return max((self.grudge(a) for a in (among or self.me.spec.adversaries)), default=0.0)

    def lane_risk(self, lane: str) -> float:
        return float(1.0 - np.exp(-self.me.beliefs.lane_trouble.get(lane, 0.0)))

    def convoy_concern(self) -> float:
        """How much convoy traffic this side has seen lately (detections and deliveries)."""
        horizon = self.day - self.model.spec.rules.decisions.memory_days
        seen = sum(
            1
            for h in reversed(self.me.beliefs.heard)
            if h.event.kind in ("convoy_detected", "convoy_delivered", "convoy_interdicted")
            and h.event.day > horizon
        )
        return float(1.0 - np.exp(-seen / 2.0))

    def pain(self) -> float:
        """Economic pain, felt by the sanctioned state and the forces it pays for."""
        return self.model.economy.pain if self.me.state() == self.model.sanctioned else 0.0

    def caution(self) -> float:
        return self.me.spec.caution * (1.0 - self.me.spec.pain_sensitivity * self.pain())

    def known(self, limit: int = 50) -> list[Perceived]:
        """The latest incidents this side has heard of, newest first."""
        return self.me.beliefs.heard[::-1][:limit]
