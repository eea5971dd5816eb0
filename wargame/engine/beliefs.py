"""What one side believes: which incidents it has heard of, whom it blames, what it fears, and
what it has learned of the others from what it has seen.

Beliefs come only from perception (rules/perception.py): an incident reaches a side late or
not at all, and with an attribution that may be wrong. Tension (a side's grievance against
each other side) is kept by the model as a matrix, one row per side; the rest lives here. What a
side cannot observe it estimates: another side's resolve from whether that side answered the
blows it took (a beta estimate: answered blows plus the prior's weight, over the blows seen plus
the prior's weight), and how hostile two others are to each other from the incidents between
them that it heard of.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from wargame.core.incidents import Event


@dataclass(slots=True, frozen=True)
class Perceived:
    """An incident as one side knows it."""

    event: Event
    blamed: str | None
    confidence: float
    learned_on: int


@dataclass(slots=True, frozen=True)
class Blow:
    """A hostile act against this side or a friend of it, as the side believes it."""

    day: int
    by: str  # whom this side blames
    kind: str
    rung: int
    country: str  # where it fell ("sea" for shipping)
    killed: int
    direct: bool  # a state's strike (the Quds Force counts as Iran)
    own: bool  # against this side itself, not a friend


@dataclass(slots=True)
class Test:
    """A blow one side took from another, seen by this side: did the victim answer it?"""

    day: int
    victim: int
    aggressor: int


class Beliefs:
    def __init__(self, index: int, n_actors: int) -> None:
        self.index = index
        self.heard: list[Perceived] = []
        # Decaying sum of harm this side believes each other side did to it and its friends.
        self.harm = np.zeros(n_actors)
        # Recent trouble this side has seen in each shipping lane.
        self.lane_trouble: dict[str, float] = {}
        # Decaying sum of the hostility it has seen from each side (row) to each (column).
        self.heat = np.zeros((n_actors, n_actors))
        # Blows against it and its friends, newest last, for its red lines.
        self.blows: list[Blow] = []
        # Others' resolve as it has seen it: blows seen and blows answered, per victim.
        self.tests: list[Test] = []
        self.tested = np.zeros(n_actors)
        self.answered = np.zeros(n_actors)

    def threat(self) -> np.ndarray:
        """How likely each side seems to strike again soon, in [0, 1)."""
        return 1.0 - np.exp(-self.harm)

    def answer(self, by: int, against: frozenset[int], day: int) -> None:
        """Side ``by`` struck one of ``against``: the blows it took from them count as answered."""
        if not self.tests:
            return
        for test in self.tests:
            if test.victim == by and test.aggressor in against and test.day < day:
                test.day = -1  # resolved
                self.tested[by] += 1
                self.answered[by] += 1
        self.tests = [t for t in self.tests if t.day >= 0]

    def forget(self, memory_days: int, day: int) -> None:
        """Fears and the heat seen fade with a time constant of ``memory_days``; a blow its
        victim has not answered within ``memory_days`` counts as one it let pass; blows older
        than a year are no longer recalled for red lines."""
        fade = math.exp(-1.0 / memory_days)
        self.harm *= fade
        self.heat *= fade
        for lane in self.lane_trouble:
            self.lane_trouble[lane] *= fade
        if self.tests and self.tests[0].day < day - memory_days:
            for test in self.tests:
                if test.day < day - memory_days:
                    self.tested[test.victim] += 1
            self.tests = [t for t in self.tests if t.day >= day - memory_days]
        if self.blows and self.blows[0].day < day - 365:
            self.blows = [b for b in self.blows if b.day >= day - 365]
