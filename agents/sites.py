"""Fixed sites on the map: bases, missions, oil facilities, militia sites, cities, straits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import FixedAgent

if TYPE_CHECKING:
    from mesa.discrete_space import Cell

    from wargame.core.schema import Site as SiteSpec
    from wargame.engine.world import World


class Site(FixedAgent):
    """A place that can be attacked, protected or evacuated."""

    def __init__(self, model: World, sid: str, spec: SiteSpec, cell: Cell) -> None:
        super().__init__(model)
        self.sid = sid
        self.spec = spec
        self.kind = spec.kind
        self.owner = spec.owner
        self.cell = cell
        self.country = model.geo.country_of(cell.coordinate) or "sea"
        self.evacuated = spec.evacuated
        self.vacated = False  # a base its owner had to leave (rules/sovereignty.py)
        self.offline_mbd = 0.0  # oil capacity knocked out and not yet repaired

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def staff(self) -> int:
        """People present: missions send their non-essential staff home when evacuated."""
        if self.vacated:
            return 0
        away = self.spec.nonessential if self.evacuated else 0
        return max(self.spec.personnel - away, 0)

    @property
    def is_oil(self) -> bool:
        return self.kind in ("oil_facility", "oil_terminal")

    @property
    def is_mission(self) -> bool:
        return self.kind in ("embassy", "consulate")
