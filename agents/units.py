"""Units that move: missile convoys on the corridor, tankers in the lanes, and deployed forces."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from wargame.core.geography import Path
    from wargame.core.schema import Unit as UnitSpec
    from wargame.engine.world import World


def timetable(km: np.ndarray, speed_km: float) -> tuple[int, ...]:
    """The path index reached at the end of each day at a steady speed (day 0: the start).

    ``km`` is the cumulative distance at each cell of the path; every unit on the path at that
    speed shares the table, so moving a unit a day is a lookup.
    """
    days = int(np.ceil(km[-1] / speed_km)) + 1
    reached = np.searchsorted(km, np.arange(days + 1) * speed_km, side="right") - 1
    return tuple(int(i) for i in np.minimum(reached, len(km) - 1))


class PathMover(CellAgent):
    """A unit that travels along a fixed path of cells at a fixed speed."""

    def __init__(self, model: World, path: Path, table: tuple[int, ...], owner: str) -> None:
        super().__init__(model)
        self.path = path
        self.table = table
        self.owner = owner
        self.age = 0
        self.index = 0
        self.cell = model.grid[path.cells[0]]

    @property
    def arrived(self) -> bool:
        return self.index == len(self.path) - 1

    def advance(self) -> range:
        """Move one day along the path; return the path indices passed through today."""
        start = self.index
        self.age += 1
        self.index = self.table[min(self.age, len(self.table) - 1)]
        if self.index != start:
            self.cell = self.model.grid[self.path.cells[self.index]]
        return range(start + 1 if self.index > start else start, self.index + 1)


class Convoy(PathMover):
    """A missile convoy sent by the Quds Force along the land corridor to a militia."""

    def __init__(
        self,
        model: World,
        path: Path,
        table: tuple[int, ...],
        owner: str,
        recipient: str,
        cargo: float,
        destination_index: int,
    ) -> None:
        super().__init__(model, path, table, owner)
        self.recipient = recipient
        self.cargo = cargo
        self.destination_index = destination_index
        self.detected_by: set[str] = set()
        self.sent_on = model.day
        self.passed: range = range(0, 1)  # path indices passed through today

    @property
    def arrived(self) -> bool:
        return self.index >= self.destination_index


class Tanker(PathMover):
    """A sailing: the laden tankers of one exporter that entered a lane on one day."""

    def __init__(
        self,
        model: World,
        lane: str,
        path: Path,
        table: tuple[int, ...],
        owner: str,
        ships: int,
    ) -> None:
        super().__init__(model, path, table, owner)
        self.lane = lane
        self.ships = ships


class Force(CellAgent):
    """A carrier group, bomber task force, escort group or air-defence battery."""

    def __init__(self, model: World, uid: str, spec: UnitSpec, station: tuple[int, int]) -> None:
        super().__init__(model)
        self.uid = uid
        self.spec = spec
        self.kind = spec.kind
        self.owner = spec.owner
        self.station = station
        self.deployed = False
        self.arrives_on = 0
        if spec.status == "deployed":
            self.arrive()

    @property
    def name(self) -> str:
        return self.spec.name

    def arrive(self) -> None:
        self.deployed = True
        self.cell = self.model.grid[self.station]

    def leave(self) -> None:
        self.deployed = False
        self.arrives_on = 0
        self.cell = None

    @property
    def in_theatre(self) -> bool:
        return self.deployed and self.cell is not None
