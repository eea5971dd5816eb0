"""What the rules and the agents may use of the world: a narrow protocol, not the model.

Rules and agents are typed against ``World`` under ``TYPE_CHECKING`` and never import the
model (the habit of Mesa's ``HasCellProtocol``), so the engine has no import cycle: the model
imports the rules and the agents, and nothing imports the model but the front ends.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    from mesa.discrete_space import OrthogonalMooreGrid

    from agents import Actor, Convoy, Force, Site, Tanker
    from wargame.core.geography import Cell, Geography
    from wargame.core.incidents import Event, Tone
    from wargame.core.orders import Order
    from wargame.core.schema import Scenario
    from wargame.engine.rules.diplomacy import Nuclear, Talks
    from wargame.engine.rules.economy import Economy
    from wargame.engine.rules.escalation import Ladder
    from wargame.engine.rules.interdiction import Corridor, Surveillance
    from wargame.engine.rules.opportunity import Opportunities
    from wargame.engine.rules.perception import News
    from wargame.engine.rules.posture import PostureLog
    from wargame.engine.rules.sabotage import Shipping
    from wargame.engine.rules.sovereignty import Withdrawal
    from wargame.engine.view import SideView


class World(Protocol):
    """The crisis as the umpire sees it: the whole truth, today."""

    spec: Scenario
    geo: Geography
    grid: OrthogonalMooreGrid
    start_date: dt.date
    actors: dict[str, Actor]
    actor_list: list[Actor]
    militias: list[Actor]
    followers: list[Actor]
    posture_holders: list[Actor]
    sites: dict[str, Site]
    site_list: list[Site]
    oil_sites: list[Site]
    forces: dict[str, Force]
    tension: np.ndarray  # grievance of each side (row) against each other side (column)
    tension_floor: np.ndarray  # the lasting enmity under it
    rival_pairs: list[tuple[str, str]]
    sanctioner: str | None
    sanctioned: str | None
    # The rules' own state, each in an object of the rule's.
    economy: Economy
    ladder: Ladder
    news: News
    opportunities: Opportunities
    surveillance: Surveillance
    corridor: Corridor
    shipping: Shipping
    posture_log: PostureLog
    talks: Talks
    nuclear: Nuclear
    withdrawal: Withdrawal

    @property
    def day(self) -> int: ...
    @property
    def turn(self) -> int: ...
    @property
    def convoys(self) -> list[Convoy]: ...
    @property
    def tankers(self) -> list[Tanker]: ...

    def make_event(
        self,
        kind: str,
        actor: str,
        target: str,
        where: str | Cell,
        outcome: str,
        *,
        rung: int | None = None,
        casualties: int = 0,
        order: Order | None = None,
        directed_by: str | None = None,
        details: dict[str, Any] | None = None,
        day: int | None = None,
        tone: Tone = "hostile",
    ) -> Event: ...
    def severity(self, event: Event) -> float: ...
    def view_of(self, aid: str) -> SideView: ...
    def repeat_key(self, order: Order) -> tuple[str, str | None]: ...
    def nearest_place(self, cell: Cell) -> str: ...
    def locate(
        self, place: str | None, lat: float | None, lon: float | None
    ) -> tuple[float, float]: ...
    def capital(self, aid: str) -> str | None: ...
    def home_country(self, aid: str) -> str | None: ...
    def closure_target(self, aid: str) -> str: ...
    def drone_area(self, shooter: str, target: str) -> str: ...
    def sites_of(self, aid: str) -> list[Site]: ...
    def strike_sites(self, striker: str, target: str) -> list[Site]: ...
