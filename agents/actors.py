"""The sides: states, the European bloc, the Quds Force and the militias.

An actor holds its doctrine (from the scenario), its standing choices (posture, interdiction,
escorts) and its beliefs. It decides through its policy, a computer or a human, and never acts
on the world itself: the rules carry its orders out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from wargame.core.schema import POSTURE_LEVELS
from wargame.engine.beliefs import Beliefs

if TYPE_CHECKING:
    from wargame.core.orders import Order
    from wargame.core.schema import Actor as ActorSpec
    from wargame.engine.policy import Consent, Policy
    from wargame.engine.world import World


class Actor(mesa.Agent):
    """A side of the crisis."""

    def __init__(self, model: World, aid: str, spec: ActorSpec, index: int) -> None:
        super().__init__(model)
        self.aid = aid
        self.spec = spec
        self.index = index
        self.kind = spec.kind
        self.weights: dict[str, float] = spec.goals.model_dump()  # aim -> weight
        self.readiness = 1.0
        self.casualties = 0
        policy = model.spec.policies.get(aid)
        self.posture: dict[str, int] = {
            country: POSTURE_LEVELS.index(level)
            for country, level in (policy.posture.items() if policy else ())
        }
        self.interdiction: set[str] = set(policy.interdiction) if policy else set()
        self.escorts: set[str] = set(policy.escorts) if policy else set()
        self.isr_surge_until = -1  # last day of a surveillance surge (-1: none yet)
        # Militias: strength, coordination with the sponsor, and when a restraint lapses.
        self.capability = spec.capability or 0.0
        self.coordination = 0.0
        self.restrained_until = -1  # last day of a restraint (-1: none yet)
        self.beliefs = Beliefs(index, model.n_actors)
        # (order kind, what it was about) -> the last day this side gave it
        self.last_order_day: dict[tuple[str, str | None], int] = {}
        # (order kind, the side it hurt) -> the last day this side gave it (for its doctrine)
        self.last_against: dict[tuple[str, str], int] = {}
        self.policy: Policy | None = None
        self._sponsors: list[str] | None = None  # worked out once all sides exist
        self._kin: frozenset[int] | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_militia(self) -> bool:
        return self.kind == "militia"

    def sponsors(self) -> list[str]:
        """The chain of sponsors above this actor (a militia's: the Quds Force, then Iran)."""
        if self._sponsors is None:
            chain: list[str] = []
            current = self.spec.sponsor
            while current is not None and current not in chain:
                chain.append(current)
                current = self.model.actors[current].spec.sponsor
            self._sponsors = chain
        return self._sponsors

    def kin(self) -> frozenset[int]:
        """The indices of this side, its sponsors and the sides it sponsors: whom a blow at it
        may be answered for."""
        if self._kin is None:
            actors = self.model.actors
            self._kin = frozenset(
                {self.index}
                | {actors[s].index for s in self.sponsors()}
                | {a.index for a in actors.values() if self.aid in a.sponsors()}
            )
        return self._kin

    def state(self) -> str:
        """The state an act of this actor belongs to (the Quds Force acts for Iran)."""
        if self.kind == "force" and self.spec.sponsor:
            return self.spec.sponsor
        return self.aid

    def decide(self, options: list[Order]) -> list[Order]:
        """Ask this side's player for today's orders."""
        assert self.policy is not None
        return self.policy.decide(self.model.view_of(self.aid), options)

    def consents(self, order: Order) -> Consent:
        """Ask this militia's player whether it carries out the attack its sponsor directs."""
        assert self.policy is not None
        return self.policy.consent(self.model.view_of(self.aid), order)
