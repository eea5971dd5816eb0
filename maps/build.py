"""Build the wargame's regional grid from Natural Earth country polygons.

What it builds: a raster of countries over lon 32-62 E, lat 12-40 N (0 = sea, 1..K = countries
sorted by name), the grid cells of the named places in ``places.csv``, the Iranian land corridor
(Tehran - Baghdad - Al-Qaim/Albu Kamal crossing - Damascus - Beirut) and two shipping lanes (Gulf
through Hormuz, Red Sea through Bab el-Mandeb), written as ``grid_<res>deg.npz`` (the array
``country``, indexed [x, y] from the south-west corner like Mesa's grid) and ``grid_<res>deg.json``
(everything else).

From what: Natural Earth 4.1.0 1:50m Admin 0 countries (public domain) as redistributed in the
npm package world-atlas@2.0.2 (``countries-50m.json``, TopoJSON), and ``places.csv`` next to
this file. The TopoJSON is not kept in the repository: without ``--topojson`` the builder runs
``npm pack world-atlas@2.0.2`` in a temporary folder and reads the file from the tarball.

How to rerun (only needed to regenerate the committed data; needs numpy, shapely and npm)::

    python maps/build.py --resolution 0.25
    python maps/build.py --resolution 0.125

Same input gives byte-identical files (fixed zip timestamps, sorted JSON keys).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import heapq
import io
import itertools
import json
import math
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry import MultiPolygon, Polygon, box

HERE = Path(__file__).resolve().parent
PLACES_CSV = HERE / "places.csv"

LON_MIN, LON_MAX = 32.0, 62.0
LAT_MIN, LAT_MAX = 12.0, 40.0
EARTH_RADIUS_KM = 6371.0088

WORLD_ATLAS = "world-atlas@2.0.2"
TOPOJSON_MEMBER = "package/countries-50m.json"
# sha256 of countries-50m.json in world-atlas@2.0.2: the provenance below is only true for it.
TOPOJSON_SHA256 = "04342cdc1e3016bcd7db1630de95684d67b79fe3c8c460321e87aef469502394"

# places.csv country -> Natural Earth names. All single names happen to match Natural Earth's
# spelling ("United Arab Emirates", "Palestine"), but the table is explicit so that a renamed or
# abbreviated country (Natural Earth writes e.g. "W. Sahara") fails loudly instead of silently.
PLACE_COUNTRIES: dict[str, tuple[str, ...]] = {
    "Iran": ("Iran",),
    "Iraq": ("Iraq",),
    "Syria": ("Syria",),
    "Lebanon": ("Lebanon",),
    "Palestine": ("Palestine",),
    "Israel": ("Israel",),
    "Jordan": ("Jordan",),
    "Saudi Arabia": ("Saudi Arabia",),
    "United Arab Emirates": ("United Arab Emirates",),
    "Kuwait": ("Kuwait",),
    "Bahrain": ("Bahrain",),
    "Qatar": ("Qatar",),
    "Yemen": ("Yemen",),
    "Iraq/Syria": ("Iraq", "Syria"),  # the border crossing may sit on either side
    "Iran/Oman": (),  # Strait of Hormuz: a sea place
    "Yemen/Djibouti": (),  # Bab el-Mandeb: a sea place
}
CHOKEPOINT_KIND = "chokepoint"

# Coastal places on land narrower than a cell whose own cell, if sea, joins their country:
# without this Gaza City would snap some 60 km to the West Bank (or 25 km to Khan Younis).
ANCHOR_PLACES = ("Gaza City",)

CORRIDOR_COUNTRIES = ("Iran", "Iraq", "Syria", "Lebanon")
CORRIDOR_WAYPOINTS = ("Tehran", "Baghdad", "Al-Qaim/Albu Kamal crossing", "Damascus", "Beirut")

# Penalty factors on the step length of sea cells close to land (by Chebyshev distance in
# degrees to the nearest land cell), so that lanes keep off the coast where the sea allows.
COAST_PENALTY: tuple[tuple[float, float], ...] = ((0.25, 0.6), (0.5, 0.25), (0.75, 0.1))


@dataclass(frozen=True)
class LaneStop:
    """A lane waypoint: a place's own cell, or the sea cell nearest a place or a fixed point."""

    name: str
    rule: str  # "place cell" | "nearest sea cell"
    lat: float | None = None  # fixed point; None means: the coordinates of place `name`
    lon: float | None = None
    note: str = ""


LANES: dict[str, tuple[LaneStop, ...]] = {
    "gulf": (
        LaneStop(
            "Ras Tanura", "nearest sea cell", note="the place's own cell is land (Saudi Arabia)"
        ),
        LaneStop("Strait of Hormuz", "place cell"),
        LaneStop("Fujairah", "nearest sea cell", note="the place's own cell is land (UAE)"),
        LaneStop(
            "Gulf of Oman exit",
            "nearest sea cell",
            22.0,
            61.5,
            "chosen open-sea point of the Arabian Sea near the box's east edge",
        ),
    ),
    "red_sea": (
        LaneStop(
            "Suez",
            "nearest sea cell",
            29.95,
            32.55,
            "Suez port (approx.); nearest sea cell connected to the Red Sea",
        ),
        LaneStop("Bab el-Mandeb", "place cell"),
        LaneStop(
            "Gulf of Aden exit",
            "nearest sea cell",
            12.5,
            50.0,
            "chosen open-sea point of the Gulf of Aden near the box's south edge",
        ),
    ),
}

NEIGHBOURS: tuple[tuple[int, int], ...] = (
    (-1, -1),
    (-1, 0),
    (-1, 1),
    (0, -1),
    (0, 1),
    (1, -1),
    (1, 0),
    (1, 1),
)

Cell = tuple[int, int]


# --- input -------------------------------------------------------------------------------------


def fetch_topojson() -> bytes:
    """Fetch countries-50m.json with npm, so the repository need not carry the 3.7 MB file."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", WORLD_ATLAS, "--silent"], cwd=tmp, check=True, capture_output=True
        )
        tarball = next(Path(tmp).glob("world-atlas-*.tgz"))
        with tarfile.open(tarball) as tar:
            member = tar.extractfile(TOPOJSON_MEMBER)
            if member is None:
                raise SystemExit(f"{TOPOJSON_MEMBER} missing from {tarball.name}")
            return member.read()


def load_topojson(path: Path | None) -> dict:
    """Read and check the TopoJSON; the check keeps the written provenance truthful."""
    raw = path.read_bytes() if path else fetch_topojson()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != TOPOJSON_SHA256:
        raise SystemExit(
            f"TopoJSON sha256 {digest} is not that of {WORLD_ATLAS} countries-50m.json "
            f"({TOPOJSON_SHA256}); the provenance would be wrong."
        )
    return json.loads(raw)


def read_places(path: Path) -> list[dict]:
    """Read places.csv, rejecting country names the builder has no explicit mapping for."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["country"] not in PLACE_COUNTRIES:
            raise SystemExit(f"{row['name']}: no Natural Earth mapping for {row['country']!r}")
        is_sea = not PLACE_COUNTRIES[row["country"]]
        if is_sea != (row["kind"] == CHOKEPOINT_KIND):
            raise SystemExit(f"{row['name']}: sea places must be chokepoints and vice versa")
    return rows


# --- TopoJSON decoding -------------------------------------------------------------------------


def decode_arcs(topo: dict) -> list[np.ndarray]:
    """Undo quantisation and delta encoding: arcs in lon/lat degrees."""
    scale = np.asarray(topo["transform"]["scale"], dtype=float)
    translate = np.asarray(topo["transform"]["translate"], dtype=float)
    arcs = []
    for arc in topo["arcs"]:
        q = np.cumsum(np.asarray(arc, dtype=np.int64), axis=0)
        arcs.append(q * scale + translate)
    return arcs


def decode_ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Join a ring's arcs; ~i means arc i reversed, and each arc repeats the previous end point."""
    parts = []
    for k, i in enumerate(indices):
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts)


def polygonal(geom: shapely.Geometry) -> MultiPolygon:
    """Keep only the areal parts (make_valid may return lines or points too)."""
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]
    return MultiPolygon(parts)


def decode_countries(topo: dict) -> dict[str, MultiPolygon]:
    """All countries of the topology as valid MultiPolygons, by Natural Earth name."""
    arcs = decode_arcs(topo)
    out: dict[str, MultiPolygon] = {}
    for g in topo["objects"]["countries"]["geometries"]:
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        shapes = []
        for rings in polys:
            shell, *holes = (decode_ring(r, arcs) for r in rings)
            shapes.append(Polygon(shell, holes))
        geom = MultiPolygon(shapes)
        if not geom.is_valid:
            geom = polygonal(shapely.make_valid(geom))
        name = g["properties"]["name"]
        out[name] = polygonal(shapely.union(out[name], geom)) if name in out else geom
    return out


# --- geometry helpers --------------------------------------------------------------------------


def haversine_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km; works on floats and numpy arrays alike."""
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


@dataclass
class Grid:
    """Cell geometry of the raster: centres of column x and row y."""

    res: float
    nx: int
    ny: int
    lons: np.ndarray  # (nx,) cell-centre longitudes, west to east
    lats: np.ndarray  # (ny,) cell-centre latitudes, south to north

    @classmethod
    def make(cls, res: float) -> Grid:
        nx, ny = round((LON_MAX - LON_MIN) / res), round((LAT_MAX - LAT_MIN) / res)
        if not (math.isclose(nx * res, LON_MAX - LON_MIN) and math.isclose(ny * res, 28.0)):
            raise SystemExit(f"resolution {res} does not divide the box evenly")
        lons = LON_MIN + (np.arange(nx) + 0.5) * res
        lats = LAT_MIN + (np.arange(ny) + 0.5) * res
        return cls(res, nx, ny, lons, lats)

    def cell_of(self, lon: float, lat: float) -> Cell:
        """The cell containing a point (points on the box edge go to the edge cell)."""
        x = min(math.floor((lon - LON_MIN) / self.res), self.nx - 1)
        y = min(math.floor((lat - LAT_MIN) / self.res), self.ny - 1)
        return x, y

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Centre lon and lat of every cell, each of shape (nx, ny)."""
        return np.meshgrid(self.lons, self.lats, indexing="ij")

    def nearest(self, mask: np.ndarray, lon: float, lat: float) -> tuple[Cell, float]:
        """Nearest cell of `mask` to a point by great-circle distance (ties: lowest x, then y)."""
        xs, ys = np.nonzero(mask)
        if len(xs) == 0:
            raise SystemExit("no candidate cell")
        d = haversine_km(lon, lat, self.lons[xs], self.lats[ys])
        k = int(np.argmin(d))
        return (int(xs[k]), int(ys[k])), float(d[k])

    def step_km(self) -> dict[Cell, list[float]]:
        """Length of a step (dx, dy) leaving row y; it depends only on y and |dx|, dy."""
        table = {}
        for dx, dy in NEIGHBOURS:
            ys = np.clip(np.arange(self.ny) + dy, 0, self.ny - 1)
            table[(dx, dy)] = haversine_km(0.0, self.lats, dx * self.res, self.lats[ys]).tolist()
        return table


# --- rasterisation -----------------------------------------------------------------------------


def nearest_sea_cell(grid: Grid, country: np.ndarray, geom: shapely.Geometry) -> Cell:
    """Sea cell whose centre is nearest a polygon (ties: lowest x, then y)."""
    lon, lat = grid.centres()
    xs, ys = np.nonzero(country == 0)
    d = shapely.distance(geom, shapely.points(lon[xs, ys], lat[xs, ys]))
    k = int(np.argmin(d))
    return int(xs[k]), int(ys[k])


def rasterise(
    grid: Grid,
    countries: dict[str, MultiPolygon],
    must_exist: set[str],
    anchors: list[tuple[str, str, float, float]],
) -> tuple[np.ndarray, list[str], dict[str, str]]:
    """Country of each cell centre; ids by sorted name so they are stable across runs.

    Land too small to hold a cell centre still gets a cell, so that it exists on the map: a
    country of `must_exist` (those places.csv refers to) without any cell gets the sea cell
    nearest its polygon (Bahrain at 0.25 deg), and an anchor place whose own cell is sea turns
    that cell into its country's (Gaza City: the Gaza Strip is narrower than a cell).
    """
    region = box(LON_MIN, LAT_MIN, LON_MAX, LAT_MAX)
    names = sorted(n for n, g in countries.items() if g.intersects(region))
    missing = must_exist - set(names)
    if missing:
        raise SystemExit(f"countries of places.csv not in the box: {sorted(missing)}")
    lon, lat = grid.centres()
    country = np.zeros((grid.nx, grid.ny), dtype=np.uint8)
    rules: dict[str, str] = {}
    for cid, name in enumerate(names, start=1):
        geom = countries[name]
        shapely.prepare(geom)
        inside = shapely.contains_xy(geom, lon, lat)
        if np.any(inside & (country != 0)):
            print(f"warning: {name} overlaps an earlier country; first one kept", file=sys.stderr)
        country[inside & (country == 0)] = cid
        rules[name] = "cell centres"
    ids = {n: i for i, n in enumerate(names, start=1)}
    for name in sorted(must_exist):
        if not np.any(country == ids[name]):
            country[nearest_sea_cell(grid, country, countries[name])] = ids[name]
            rules[name] = "no cell centre inside: the sea cell nearest its polygon"
    for place, name, plon, plat in anchors:
        cell = grid.cell_of(plon, plat)
        if country[cell] == 0:
            country[cell] = ids[name]
            rules[name] += f"; plus the sea cell of {place}"
    return country, names, rules


def sea_components(sea: np.ndarray) -> np.ndarray:
    """Label 8-connected sea regions (0 = land), so lanes stay in the open ocean's region."""
    labels = np.zeros(sea.shape, dtype=np.int32)
    nx, ny = sea.shape
    current = 0
    for x0, y0 in zip(*np.nonzero(sea), strict=True):
        if labels[x0, y0]:
            continue
        current += 1
        labels[x0, y0] = current
        queue = deque([(int(x0), int(y0))])
        while queue:
            x, y = queue.popleft()
            for dx, dy in NEIGHBOURS:
                u, v = x + dx, y + dy
                if 0 <= u < nx and 0 <= v < ny and sea[u, v] and not labels[u, v]:
                    labels[u, v] = current
                    queue.append((u, v))
    return labels


def coast_factor(grid: Grid, land: np.ndarray) -> np.ndarray:
    """Step-cost multiplier per cell: above 1 near land, so lanes prefer open water."""
    factor = np.ones(land.shape)
    near = land.copy()
    reach = 0
    for limit, penalty in COAST_PENALTY:
        while (reach + 1) * grid.res <= limit + 1e-9:
            grown = near.copy()
            grown[1:, :] |= near[:-1, :]
            grown[:-1, :] |= near[1:, :]
            grown[:, 1:] |= near[:, :-1]
            grown[:, :-1] |= near[:, 1:]
            grown[1:, 1:] |= near[:-1, :-1]
            grown[:-1, :-1] |= near[1:, 1:]
            grown[1:, :-1] |= near[:-1, 1:]
            grown[:-1, 1:] |= near[1:, :-1]
            factor[grown & ~near & ~land] = 1.0 + penalty
            near = grown
            reach += 1
    return factor


# --- paths -------------------------------------------------------------------------------------


def shortest_path(
    passable: np.ndarray,
    factor: np.ndarray,
    steps: dict[Cell, list[float]],
    start: Cell,
    goal: Cell,
) -> list[Cell]:
    """Dijkstra over 8-neighbours; step cost = great-circle length x mean cell factor."""
    nx, ny = passable.shape
    ok = passable.tolist()
    f = factor.tolist()
    if not (ok[start[0]][start[1]] and ok[goal[0]][goal[1]]):
        raise SystemExit(f"path end {start} or {goal} is not passable")
    dist: dict[Cell, float] = {start: 0.0}
    prev: dict[Cell, Cell] = {}
    heap: list[tuple[float, Cell]] = [(0.0, start)]
    while heap:
        d, cell = heapq.heappop(heap)
        if cell == goal:
            break
        if d > dist[cell]:
            continue
        x, y = cell
        for dx, dy in NEIGHBOURS:
            u, v = x + dx, y + dy
            if not (0 <= u < nx and 0 <= v < ny and ok[u][v]):
                continue
            nd = d + steps[(dx, dy)][y] * (f[x][y] + f[u][v]) / 2
            if nd < dist.get((u, v), math.inf):
                dist[(u, v)] = nd
                prev[(u, v)] = cell
                heapq.heappush(heap, (nd, (u, v)))
    else:
        raise SystemExit(f"no path from {start} to {goal}")
    path = [goal]
    while path[-1] != start:
        path.append(prev[path[-1]])
    return path[::-1]


def path_through(
    stops: list[Cell],
    passable: np.ndarray,
    factor: np.ndarray,
    steps: dict[Cell, list[float]],
) -> tuple[list[Cell], list[int]]:
    """Chain shortest legs between consecutive stops; returns cells and each stop's index."""
    cells = [stops[0]]
    index = [0]
    for a, b in itertools.pairwise(stops):
        cells += shortest_path(passable, factor, steps, a, b)[1:]
        index.append(len(cells) - 1)
    return cells, index


def length_km(grid: Grid, cells: list[Cell]) -> float:
    """Great-circle length of a path through cell centres."""
    xs, ys = np.array(cells).T
    lon, lat = grid.lons[xs], grid.lats[ys]
    return float(np.sum(haversine_km(lon[:-1], lat[:-1], lon[1:], lat[1:])))


# --- build -------------------------------------------------------------------------------------


def place_cells(
    grid: Grid, country: np.ndarray, ids: dict[str, int], places: list[dict]
) -> list[dict]:
    """Cell of each place: its own cell if of the right country, else the nearest such cell."""
    out = []
    for p in places:
        lat, lon = float(p["lat"]), float(p["lon"])
        allowed = [ids[n] for n in PLACE_COUNTRIES[p["country"]]] or [0]
        mask = np.isin(country, allowed)
        cell = grid.cell_of(lon, lat)
        snapped_km = 0.0
        if not mask[cell]:
            cell, snapped_km = grid.nearest(mask, lon, lat)
        out.append(
            {
                "name": p["name"],
                "kind": p["kind"],
                "country": p["country"],
                "lat": lat,
                "lon": lon,
                "source": p["source"],
                "cell": [int(cell[0]), int(cell[1])],
                "snapped": bool(snapped_km),
                "snapped_km": round(snapped_km, 1),
            }
        )
    return out


def build(topo: dict, res: float) -> tuple[np.ndarray, dict]:
    """Everything the game reads, for one resolution."""
    grid = Grid.make(res)
    places_raw = read_places(PLACES_CSV)
    needed = {n for p in places_raw for n in PLACE_COUNTRIES[p["country"]]}
    anchors = [
        (p["name"], PLACE_COUNTRIES[p["country"]][0], float(p["lon"]), float(p["lat"]))
        for p in places_raw
        if p["name"] in ANCHOR_PLACES
    ]
    country, names, rules = rasterise(grid, decode_countries(topo), needed, anchors)
    ids = {n: i for i, n in enumerate(names, start=1)}
    places = place_cells(grid, country, ids, places_raw)
    by_name = {p["name"]: p for p in places}
    steps = grid.step_km()

    corridor_mask = np.isin(country, [ids[n] for n in CORRIDOR_COUNTRIES])
    stops = [tuple(by_name[n]["cell"]) for n in CORRIDOR_WAYPOINTS]
    cells, index = path_through(stops, corridor_mask, np.ones(country.shape), steps)
    corridor = {
        "waypoints": list(CORRIDOR_WAYPOINTS),
        "waypoint_index": index,
        "cells": [list(c) for c in cells],
        "length_km": round(length_km(grid, cells), 1),
        "countries": list(CORRIDOR_COUNTRIES),
    }

    sea = country == 0
    labels = sea_components(sea)
    factor = coast_factor(grid, ~sea)
    lanes = {}
    for lane, lane_stops in LANES.items():
        chokepoint = next(s for s in lane_stops if s.rule == "place cell")
        ocean = labels == labels[tuple(by_name[chokepoint.name]["cell"])]
        stop_cells, stop_notes = [], []
        for s in lane_stops:
            if s.rule == "place cell":
                cell = tuple(by_name[s.name]["cell"])
                note = "the place's own (sea) cell"
            else:
                lat = by_name[s.name]["lat"] if s.lat is None else s.lat
                lon = by_name[s.name]["lon"] if s.lon is None else s.lon
                cell, km = grid.nearest(ocean, lon, lat)
                any_cell, any_km = grid.nearest(sea, lon, lat)
                note = f"sea cell nearest {lat:.2f} N {lon:.2f} E ({km:.1f} km)"
                if any_cell != cell:
                    note += (
                        f"; the nearest sea cell overall {list(any_cell)} ({any_km:.1f} km) "
                        "is not connected to the open sea"
                    )
            if s.note:
                note += f"; {s.note}"
            stop_cells.append(cell)
            stop_notes.append(note)
        cells, index = path_through(stop_cells, ocean, factor, steps)
        lanes[lane] = {
            "waypoints": [s.name for s in lane_stops],
            "waypoint_notes": stop_notes,
            "waypoint_index": index,
            "cells": [list(c) for c in cells],
            "length_km": round(length_km(grid, cells), 1),
        }

    doc = {
        "resolution_deg": res,
        "lon_min": LON_MIN,
        "lon_max": LON_MAX,
        "lat_min": LAT_MIN,
        "lat_max": LAT_MAX,
        "nx": grid.nx,
        "ny": grid.ny,
        "index": "country[x, y]: x = column from the west edge, y = row from the south edge",
        "countries": [
            {"id": ids[n], "name": n, "cells": int(np.sum(country == ids[n])), "rule": rules[n]}
            for n in names
        ],
        "sea_cells": int(np.sum(sea)),
        "places": places,
        "corridor": corridor,
        "lanes": lanes,
        "provenance": (
            "Countries: Natural Earth 4.1.0 1:50m Admin 0 countries (public domain), from "
            f"countries-50m.json of the npm package {WORLD_ATLAS} (sha256 {TOPOJSON_SHA256}). "
            "Places: maps/places.csv (sha256 "
            f"{hashlib.sha256(PLACES_CSV.read_bytes()).hexdigest()}; sources per row: GeoNames "
            "ids, airportsdata ICAO codes, Wikipedia, Natural Earth 10m for the crossing and the "
            f"chokepoints). Built by: python maps/build.py --resolution {res:g}. "
            f"Resolution {res:g} deg; a cell belongs to the country containing its centre."
        ),
    }
    return country, doc


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Like np.savez_compressed, but with fixed zip timestamps so reruns are byte-identical."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, npy.getvalue())
    path.write_bytes(buf.getvalue())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=float, nargs="+", default=[0.25], help="degrees")
    parser.add_argument("--topojson", type=Path, help="countries-50m.json (default: npm pack)")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    args = parser.parse_args(argv)
    topo = load_topojson(args.topojson)
    args.out.mkdir(parents=True, exist_ok=True)
    for res in args.resolution:
        country, doc = build(topo, res)
        stem = f"grid_{res:g}deg"
        write_npz(args.out / f"{stem}.npz", country=country)
        text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        (args.out / f"{stem}.json").write_text(text, encoding="utf-8", newline="\n")
        print(f"{stem}: {doc['nx']}x{doc['ny']} cells, {doc['sea_cells']} sea")


if __name__ == "__main__":
    main()
