"""The regional map: countries, land and sea, named places, the corridor and the lanes.

The data are built from Natural Earth by ``maps/build.py`` and shipped inside the package
(``wargame.maps``). Cells are indexed ``(x, y)``: x counts columns from the western edge,
y rows from the southern edge, as in Mesa's grids.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

Cell = tuple[int, int]
EARTH_RADIUS_KM = 6371.0
RESOLUTIONS = (0.25, 0.125)
KNOWN_KEPT = 64  # distances a map keeps (a sweep over places must not grow it for ever)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    source: str
    cell: Cell


@dataclass(frozen=True, slots=True)
class Path:
    """An ordered chain of neighbouring cells, and the named waypoints it passes."""

    cells: tuple[Cell, ...]
    waypoints: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.cells)


@dataclass(frozen=True)
class Geography:
    resolution_deg: float
    lon_min: float
    lat_min: float
    nx: int
    ny: int
    countries: tuple[str, ...]  # index 0 is "sea"
    places: dict[str, Place]
    corridor: Path
    lanes: dict[str, Path]
    provenance: str
    raster: str  # the file of the country raster, beside the map's description
    # Distances asked for again by every model built on the map, read-only: a batch builds
    # thousands, and these were two fifths of building one.
    _known: dict[tuple, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def country(self) -> np.ndarray:
        """uint8 [x, y]: 0 is sea, k is countries[k]. Read when first asked for, so that
        checking a scenario against the map's places needs no numpy (``wargame validate``)."""
        import numpy as np

        with (resources.files("wargame.maps") / self.raster).open("rb") as fh:
            country = np.load(fh)["country"]
        country.setflags(write=False)
        return country

    @property
    def lon_max(self) -> float:
        return self.lon_min + self.nx * self.resolution_deg

    @property
    def lat_max(self) -> float:
        return self.lat_min + self.ny * self.resolution_deg

    def contains(self, lat: float, lon: float) -> bool:
        return self.lat_min <= lat < self.lat_max and self.lon_min <= lon < self.lon_max

    def cell_of(self, lat: float, lon: float) -> Cell:
        """The cell holding a coordinate; the caller checks ``contains`` first."""
        x = int((lon - self.lon_min) / self.resolution_deg)
        y = int((lat - self.lat_min) / self.resolution_deg)
        return min(x, self.nx - 1), min(y, self.ny - 1)

    def centre(self, cell: Cell) -> tuple[float, float]:
        """(lat, lon) of a cell's centre."""
        x, y = cell
        r = self.resolution_deg
        return self.lat_min + (y + 0.5) * r, self.lon_min + (x + 0.5) * r

    def country_of(self, cell: Cell) -> str | None:
        k = int(self.country[cell])
        return self.countries[k] if k else None

    def km_between(self, a: Cell, b: Cell) -> float:
        (lat1, lon1), (lat2, lon2) = self.centre(a), self.centre(b)
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dp, dl = p2 - p1, math.radians(lon2 - lon1)
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))

    def path_km(self, path: Path) -> np.ndarray:
        """Cumulative distance along a path, km, one entry per cell (0 at the start)."""
        import numpy as np

        key = ("path", path.cells)
        found = self._known.get(key)
        if found is None:
            pairs = zip(path.cells, path.cells[1:], strict=False)
            km = np.concatenate([[0.0], np.cumsum([self.km_between(a, b) for a, b in pairs])])
            found = self._keep(key, km)
        return found

    def distance_field_km(self, lat: float, lon: float) -> np.ndarray:
        """Great-circle distance from a point to every cell centre, km, shape (nx, ny)."""
        key = ("field", lat, lon)
        found = self._known.get(key)
        return self._keep(key, self._distance_field_km(lat, lon)) if found is None else found

    def _keep(self, key: tuple, array: np.ndarray) -> np.ndarray:
        """Keep a distance, read-only (models on several threads may ask at once: each gets
        the array it made or found, whatever another does to the store)."""
        if len(self._known) >= KNOWN_KEPT:
            self._known.clear()
        array.setflags(write=False)
        self._known[key] = array
        return array

    def _distance_field_km(self, lat: float, lon: float) -> np.ndarray:
        import numpy as np

        lons = self.lon_min + (np.arange(self.nx) + 0.5) * self.resolution_deg
        lats = self.lat_min + (np.arange(self.ny) + 0.5) * self.resolution_deg
        p1, p2 = math.radians(lat), np.radians(lats)[None, :]
        dl = np.radians(lons - lon)[:, None]
        h = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _path(data: dict) -> Path:
    return Path(
        tuple((int(x), int(y)) for x, y in data["cells"]),
        tuple(data["waypoints"]),
    )


@cache
def load_geography(resolution_deg: float = 0.25) -> Geography:
    """Read the shipped map at a resolution (cached: every model of a process shares it)."""
    if resolution_deg not in RESOLUTIONS:
        raise ValueError(f"no map at {resolution_deg} degrees; shipped: {RESOLUTIONS}")
    folder = resources.files("wargame.maps")
    stem = f"grid_{resolution_deg}deg"
    meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
    names = ["sea"] + [""] * len(meta["countries"])
    for entry in meta["countries"]:
        names[entry["id"]] = entry["name"]
    places = {
        p["name"]: Place(
            p["name"], p["kind"], p["country"], p["lat"], p["lon"], p["source"], tuple(p["cell"])
        )
        for p in meta["places"]
    }
    return Geography(
        resolution_deg=meta["resolution_deg"],
        lon_min=meta["lon_min"],
        lat_min=meta["lat_min"],
        nx=meta["nx"],
        ny=meta["ny"],
        countries=tuple(names),
        places=places,
        corridor=_path(meta["corridor"]),
        lanes={name: _path(lane) for name, lane in meta["lanes"].items()},
        provenance=meta["provenance"],
        raster=f"{stem}.npz",
    )
