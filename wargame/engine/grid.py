"""The Mesa grid of the map: the regional cells, with the country and land layers.

The geography itself (countries, places, paths) is plain data in ``wargame.core.geography``;
only the model needs Mesa's cells, so only the engine pays for importing Mesa.
"""

from __future__ import annotations

from itertools import product
from random import Random

from mesa.discrete_space import Cell, OrthogonalMooreGrid
from mesa.discrete_space.discrete_space import DiscreteSpace

from wargame.core.geography import Geography


class RegionGrid(OrthogonalMooreGrid):
    """Mesa's Moore grid, with its cells made when first asked for and never connected.

    Cells hold the agents' positions (sites, forces, tankers, convoys), and a run touches a few
    hundred of the map's cells; nothing in the game asks a cell for its neighbours (units follow
    the map's paths, distances come from the geography). So a cell is made the first time it is
    asked for, and the ~100,000 connections between cells that Mesa would make are not: building
    them was nine tenths of building a model. Iterating over the cells makes them all.
    """

    def __init__(self, dimensions: tuple[int, int], random: Random) -> None:
        # Grid.__init__ without its two costs, making every cell and connecting them, and
        # without registering a pickling helper for the cell class, which would keep every
        # grid's layers alive for the life of the process (models here are never pickled).
        DiscreteSpace.__init__(self, capacity=None, cell_klass=Cell, random=random)
        self.torus = False
        self.dimensions = dimensions
        self._try_random = True
        self._ndims = len(dimensions)
        self._validate_parameters()
        self.cell_klass = type("GridCell", (Cell,), {"_mesa_properties": set(), "__slots__": ()})
        self._cells = _Cells(self)
        self.create_property_layer("empty", default_value=True, dtype=bool)

    @property
    def _celllist(self) -> list[Cell]:
        return list(self._cells.values())


class _Cells(dict):
    """A grid's cells by coordinate, each made when first asked for."""

    def __init__(self, grid: RegionGrid) -> None:
        super().__init__()
        self._grid = grid
        self._complete = False

    def __missing__(self, coord: tuple[int, int]) -> Cell:
        if coord not in self:
            raise KeyError(coord)
        cell = self[coord] = self._grid.cell_klass(coord, capacity=None, random=self._grid.random)
        return cell

    def __contains__(self, coord: object) -> bool:
        width, height = self._grid.dimensions
        return (
            isinstance(coord, tuple)
            and len(coord) == 2
            and 0 <= coord[0] < width
            and 0 <= coord[1] < height
        )

    def _all(self) -> None:
        if not self._complete:
            self._complete = True
            for coord in product(*(range(n) for n in self._grid.dimensions)):
                self[coord]  # made if missing

    def __iter__(self):
        self._all()
        return super().__iter__()

    def __len__(self) -> int:
        width, height = self._grid.dimensions
        return width * height

    def keys(self):
        self._all()
        return super().keys()

    def values(self):
        self._all()
        return super().values()

    def items(self):
        self._all()
        return super().items()


def build_grid(geo: Geography, random: Random) -> RegionGrid:
    """The Mesa grid of the map, with its static property layers (country, land)."""
    grid = RegionGrid((geo.nx, geo.ny), random)
    grid.create_property_layer("country", default_value=0, dtype=int)
    grid.country.data[:] = geo.country
    grid.create_property_layer("land", default_value=False, dtype=bool)
    grid.land.data[:] = geo.country > 0
    grid.create_property_layer("intel_coverage", default_value=0.0, dtype=float)
    return grid
