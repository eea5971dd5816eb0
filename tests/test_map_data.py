"""Checks on the committed regional grid (maps/grid_*deg.json and .npz).

These read the generated files directly; they neither import shapely nor run maps/build.py
(which fetches Natural Earth through npm), so they guard the data the game actually loads.
"""

from __future__ import annotations

import csv
import itertools
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

MAPS = Path(__file__).resolve().parents[1] / "maps"
RESOLUTIONS = ("0.25", "0.125")
CORRIDOR_COUNTRIES = {"Iran", "Iraq", "Syria", "Lebanon"}
CORRIDOR_WAYPOINTS = ["Tehran", "Baghdad", "Al-Qaim/Albu Kamal crossing", "Damascus", "Beirut"]
LANE_CHOKEPOINTS = {"gulf": "Strait of Hormuz", "red_sea": "Bab el-Mandeb"}
SEA = 0

# Interior points whose owner no plausible rasterisation can change; they catch a transposed or
# flipped array, which every cell-based check below would happily accept.
KNOWN_POINTS = [
    (38.5, 20.0, "sea"),  # Red Sea
    (52.0, 27.0, "sea"),  # Persian Gulf
    (33.5, 33.5, "sea"),  # Mediterranean
    (60.0, 15.0, "sea"),  # Arabian Sea
    (45.0, 23.0, "Saudi Arabia"),
    (55.0, 33.0, "Iran"),
    (43.5, 32.5, "Iraq"),
    (38.5, 35.0, "Syria"),
    (32.5, 25.0, "Egypt"),
    (35.0, 38.5, "Turkey"),
    (47.0, 15.5, "Yemen"),
    (57.0, 21.0, "Oman"),
]


@cache
def load(res: str) -> tuple[dict, np.ndarray]:
    doc = json.loads((MAPS / f"grid_{res}deg.json").read_text(encoding="utf-8"))
    with np.load(MAPS / f"grid_{res}deg.npz") as npz:
        assert npz.files == ["country"]
        country = npz["country"]
    return doc, country


def ids_of(doc: dict) -> dict[str, int]:
    return {c["name"]: c["id"] for c in doc["countries"]}


def allowed_ids(doc: dict, place: dict) -> set[int]:
    """Ids a place's cell may have: sea for chokepoints, either country for 'A/B' names."""
    if place["kind"] == "chokepoint":
        return {SEA}
    ids = ids_of(doc)
    return {ids[name] for name in place["country"].split("/")}


def places_by_name(doc: dict) -> dict[str, dict]:
    return {p["name"]: p for p in doc["places"]}


def centre(doc: dict, cell: list[int]) -> tuple[float, float]:
    res = doc["resolution_deg"]
    return doc["lon_min"] + (cell[0] + 0.5) * res, doc["lat_min"] + (cell[1] + 0.5) * res


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    lon1, lat1, lon2, lat2 = np.radians([lon1, lat1, lon2, lat2])
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(a)))


def assert_contiguous(cells: list[list[int]]) -> None:
    for (x0, y0), (x1, y1) in itertools.pairwise(cells):
        assert max(abs(x1 - x0), abs(y1 - y0)) == 1, f"{[x0, y0]} -> {[x1, y1]} not 8-neighbours"
    assert len({tuple(c) for c in cells}) == len(cells), "path revisits a cell"


def assert_waypoints(path: dict, expected_cells: list[list[int]]) -> None:
    index = path["waypoint_index"]
    assert len(index) == len(path["waypoints"]) == len(expected_cells)
    assert index[0] == 0 and index[-1] == len(path["cells"]) - 1
    assert all(a < b for a, b in itertools.pairwise(index))
    for i, cell in zip(index, expected_cells, strict=True):
        assert path["cells"][i] == cell


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_grid_shape_and_box(res: str) -> None:
    doc, country = load(res)
    assert doc["resolution_deg"] == float(res)
    assert (doc["lon_min"], doc["lon_max"], doc["lat_min"], doc["lat_max"]) == (32, 62, 12, 40)
    assert doc["nx"] == round(30 / float(res)) and doc["ny"] == round(28 / float(res))
    assert country.shape == (doc["nx"], doc["ny"])
    assert country.dtype == np.uint8


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_country_table_matches_array(res: str) -> None:
    doc, country = load(res)
    names = [c["name"] for c in doc["countries"]]
    assert names == sorted(names)
    assert [c["id"] for c in doc["countries"]] == list(range(1, len(names) + 1))
    assert int(country.max()) <= len(names)
    for c in doc["countries"]:
        assert c["cells"] == int(np.sum(country == c["id"])), c["name"]
    assert doc["sea_cells"] == int(np.sum(country == SEA))


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_orientation_known_points(res: str) -> None:
    doc, country = load(res)
    names = {c["id"]: c["name"] for c in doc["countries"]} | {SEA: "sea"}
    r = doc["resolution_deg"]
    for lon, lat, expected in KNOWN_POINTS:
        x, y = int((lon - doc["lon_min"]) // r), int((lat - doc["lat_min"]) // r)
        assert names[int(country[x, y])] == expected, (lon, lat)


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_small_countries_exist(res: str) -> None:
    doc, country = load(res)
    ids = ids_of(doc)
    for name in ("Bahrain", "Palestine", "Israel", "Lebanon", "Kuwait", "Qatar"):
        assert np.sum(country == ids[name]) >= 1, name


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_sea_and_land_shares_plausible(res: str) -> None:
    _, country = load(res)
    sea_share = float(np.mean(country == SEA))
    assert 0.15 < sea_share < 0.45


def test_resolutions_agree() -> None:
    """The finer grid is the same map: big countries have about four times the cells."""
    coarse, fine = ({c["name"]: c["cells"] for c in load(r)[0]["countries"]} for r in RESOLUTIONS)
    assert coarse.keys() == fine.keys()
    for name, cells in coarse.items():
        if cells >= 100:
            assert 0.9 < fine[name] / (4 * cells) < 1.1, name


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_places_match_csv(res: str) -> None:
    doc, _ = load(res)
    with (MAPS / "places.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [p["name"] for p in doc["places"]] == [r["name"] for r in rows]
    for p, r in zip(doc["places"], rows, strict=True):
        assert (p["kind"], p["country"], p["source"]) == (r["kind"], r["country"], r["source"])
        assert (p["lat"], p["lon"]) == (float(r["lat"]), float(r["lon"]))


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_place_cells_have_their_country(res: str) -> None:
    doc, country = load(res)
    r = doc["resolution_deg"]
    for p in doc["places"]:
        x, y = p["cell"]
        assert 0 <= x < doc["nx"] and 0 <= y < doc["ny"], p["name"]
        assert int(country[x, y]) in allowed_ids(doc, p), p["name"]
        own = [int((p["lon"] - doc["lon_min"]) // r), int((p["lat"] - doc["lat_min"]) // r)]
        if p["snapped_km"] == 0:
            assert p["cell"] == own, p["name"]
        else:
            assert p["cell"] != own, p["name"]
            assert int(country[own[0], own[1]]) not in allowed_ids(doc, p), p["name"]
            km = haversine_km(p["lon"], p["lat"], *centre(doc, p["cell"]))
            assert abs(km - p["snapped_km"]) < 0.2, p["name"]
            assert p["snapped_km"] < 40, p["name"]


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_corridor(res: str) -> None:
    doc, country = load(res)
    corridor = doc["corridor"]
    places = places_by_name(doc)
    assert corridor["waypoints"] == CORRIDOR_WAYPOINTS
    assert_contiguous(corridor["cells"])
    assert_waypoints(corridor, [places[n]["cell"] for n in CORRIDOR_WAYPOINTS])
    allowed = {ids_of(doc)[n] for n in CORRIDOR_COUNTRIES}
    assert all(int(country[x, y]) in allowed for x, y in corridor["cells"])
    legs = sum(
        haversine_km(*centre(doc, places[a]["cell"]), *centre(doc, places[b]["cell"]))
        for a, b in itertools.pairwise(CORRIDOR_WAYPOINTS)
    )
    assert legs <= corridor["length_km"] < 1.2 * legs


@pytest.mark.parametrize("res", RESOLUTIONS)
@pytest.mark.parametrize("lane", sorted(LANE_CHOKEPOINTS))
def test_lane(res: str, lane: str) -> None:
    doc, country = load(res)
    path = doc["lanes"][lane]
    assert_contiguous(path["cells"])
    assert all(int(country[x, y]) == SEA for x, y in path["cells"])
    name = LANE_CHOKEPOINTS[lane]
    chokepoint = places_by_name(doc)[name]["cell"]
    assert path["cells"][path["waypoint_index"][path["waypoints"].index(name)]] == chokepoint
    assert path["waypoint_index"][0] == 0
    assert path["waypoint_index"][-1] == len(path["cells"]) - 1


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_lane_ends(res: str) -> None:
    """Lanes start at their ports and leave the map through open water near the box edge."""
    doc, _ = load(res)
    places = places_by_name(doc)
    ends = {
        "gulf": ((places["Ras Tanura"]["lon"], places["Ras Tanura"]["lat"]), (61.5, 22.0)),
        "red_sea": ((32.55, 29.95), (50.0, 12.5)),
    }
    for lane, (start, end) in ends.items():
        cells = doc["lanes"][lane]["cells"]
        assert haversine_km(*start, *centre(doc, cells[0])) < 50, lane
        assert haversine_km(*end, *centre(doc, cells[-1])) < 30, lane


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_provenance(res: str) -> None:
    doc, _ = load(res)
    text = doc["provenance"]
    for needle in ("Natural Earth 4.1.0", "1:50m", "world-atlas@2.0.2", "public domain"):
        assert needle in text
    assert f"python maps/build.py --resolution {res}" in text


def test_the_map_keeps_its_distances_read_only() -> None:
    """Every model built on a map shares its distances (a batch builds thousands), so none may
    change them; the first model's are the next one's, and they are right."""
    from wargame.core.geography import load_geography

    geo = load_geography(0.25)
    field = geo.distance_field_km(33.3, 44.4)
    assert field is geo.distance_field_km(33.3, 44.4) and not field.flags.writeable
    cell = geo.cell_of(33.3, 44.4)
    assert field[cell] < 0.25 * 111 and field.max() > 1000
    km = geo.path_km(geo.corridor)
    assert km is geo.path_km(geo.corridor) and not km.flags.writeable
    assert km[0] == 0.0 and np.all(np.diff(km) > 0)
