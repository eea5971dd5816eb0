"""What one side believes: which incidents it has heard of, whom it blames, what it fears.

Beliefs come only from perception (rules/perception.py): an incident reaches a side late or
not at all, and with an attribution that may be wrong. Tension (a side's grievance against
each other side) is kept by the model as a matrix, one row per side; the rest lives here.
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


class Beliefs:
    def __init__(self, index: int, n_actors: int) -> None:
        self.index = index
        self.heard: list[Perceived] = []
        # Decaying sum of harm this side believes each other side did to it and its friends.
        self.harm = np.zeros(n_actors)
        # Recent trouble this side has seen in each shipping lane.
        self.lane_trouble: dict[str, float] = {}

    def threat(self) -> np.ndarray:
        """How likely each side seems to strike again soon, in [0, 1)."""
        return 1.0 - np.exp(-self.harm)

    def forget(self, memory_days: int) -> None:
        """Fears fade with a time constant of ``memory_days``."""
        fade = math.exp(-1.0 / memory_days)
        self.harm *= fade
        for lane in self.lane_trouble:
            self.lane_trouble[lane] *= fade
