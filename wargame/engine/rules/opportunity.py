"""Opportunities: the days on which a side's routine campaign can strike.

Summary of rule: each day, each campaign of each side finds an opportunity with chance
``1 / every_days`` (a target located, a launcher ready, a shipment seen), and each red line of
economic pain does so with chance ``1 / days`` while the side's pain is past its threshold; a
side's doctrine values a campaign's act, or a pressure act, only on such a day.

A campaign's tempo is thus the rate of its opportunities, and each act is taken because, that
day, it serves the side's aims better than holding: a side does not strike merely because time
has passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from wargame.engine.world import World


@dataclass
class Opportunities:
    """Today's opportunities (side -> the campaigns and pain lines that see one), and what can
    see one: (side, name, daily chance, the pain past which it applies or None)."""

    sources: list[tuple[str, str, float, float | None]]
    today: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def start(cls, world: World) -> Opportunities:
        sources = []
        for actor in world.actor_list:
            for name, campaign in actor.spec.campaigns.items():
                sources.append((actor.aid, name, 1.0 / campaign.every_days, None))
            if actor.state() == world.sanctioned:
                for name, line in actor.spec.red_lines.items():
                    if line.trigger == "pain":
                        sources.append((actor.aid, name, 1.0 / line.days, line.threshold))
        return cls(sources)


def draw(world: World, rng: np.random.Generator) -> None:
    """The day's opportunities, drawn before the sides decide."""
    today: dict[str, set[str]] = {}
    pain = world.economy.pain
    for aid, name, chance, threshold in world.opportunities.sources:
        if (threshold is None or pain > threshold) and rng.random() < chance:
            today.setdefault(aid, set()).add(name)
    world.opportunities.today = today
