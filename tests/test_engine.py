"""The turn engine: the grid, the day's phases, the record, determinism, the Python API and the
command line."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO, run_cli
from mesa.discrete_space import OrthogonalMooreGrid

from wargame.core.incidents import INCIDENTS
from wargame.core.orders import CATALOGUE, Order
from wargame.core.scenario import load_scenario
from wargame.engine.model import WargameModel
from wargame.engine.policy import HumanPolicy, OrderRefused

SUMMARY_KEYS = {
    "outcome",
    "peak_rung",
    "peak_day",
    "incidents",
    "first_day",
    "direct_exchange_day",
    "oil_offline_max_mbd",
    "hormuz_flow_min_mbd",
    "convoys",
    "casualties",
    "seed",
    "scenario_sha256",
}


@pytest.fixture(scope="module")
def year():
    """One full year of may2019, seed 1."""
    model = WargameModel("may2019", seed=1)
    model.run()
    return model


def test_the_grid_is_a_mesa_grid_built_from_the_map():
    model = WargameModel("may2019", seed=1)
    assert isinstance(model.grid, OrthogonalMooreGrid)
    assert (model.grid.width, model.grid.height) == (120, 112)
    country = model.grid.country.data
    land = model.grid.land.data
    assert land.sum() == (country > 0).sum() and 0.15 < 1 - land.mean() < 0.45
    for site in model.site_list:
        place = model.geo.places.get(site.spec.place or "")
        if place is not None and "/" not in place.country and place.kind != "chokepoint":
            assert site.country == place.country, site.sid
    # Every cell of the corridor is land; every cell of the lanes is sea.
    assert all(land[c] for c in model.geo.corridor.cells)
    assert not any(land[c] for lane in model.geo.lanes.values() for c in lane.cells)
    # Coverage is a property layer fed by surveillance assets: strongest near Damascus.
    coverage = model.grid.intel_coverage.data
    damascus = model.geo.places["Damascus"].cell
    assert coverage[damascus] > 0.2 and coverage[damascus] == pytest.approx(coverage.max(), rel=0.3)
    assert coverage[model.geo.places["Riyadh"].cell] < 0.01


def test_the_grid_makes_a_cell_when_asked_and_connects_none():
    """Nothing asks a cell for its neighbours: a model makes only the cells its agents stand on,
    each once, and iterating over the grid still gives every cell."""
    model = WargameModel("may2019", seed=1)
    model.run_for(5)
    made = dict.keys(model.grid._cells)
    assert 0 < len(made) < 500
    site = model.site_list[0]
    assert model.grid[site.cell.coordinate] is site.cell and site in site.cell.agents
    assert all(not model.grid[c].connections for c in made)
    with pytest.raises(KeyError):
        model.grid[(model.grid.width, 0)]
    assert len(list(model.grid.all_cells)) == model.grid.width * model.grid.height
    tanker = model.tankers[0]
    assert model.grid.empty.data[tanker.cell.coordinate] == 0


def test_a_day_follows_the_phases_and_is_recorded():
    model = WargameModel("may2019", seed=3)
    model.step()
    assert model.day == 1 and model.time == 1.0
    frame = model.record.daily()
    assert list(frame["day"]) == [0, 1]
    assert set(model.record.columns()) == set(frame.columns)
    assert all(o["day"] == 1 for o in model.record.orders)
    assert {o["kind"] for o in model.record.orders} <= set(CATALOGUE)
    # Tankers sail the lanes from the first day.
    assert model.tankers and all(t.cell is not None for t in model.tankers)


def test_same_seed_same_log_other_seed_other_log():
    def log(seed: int) -> str:
        model = WargameModel("may2019", seed=seed)
        model.run_for(120)
        return model.record.events_jsonl() + model.record.daily_csv()

    assert log(7) == log(7)
    assert log(7) != log(8)


def test_summary_and_files(year, tmp_path):
    year.record.write(tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert summary["outcome"] in ("de_escalated", "contained", "limited_exchange", "regional_war")
    assert set(summary["incidents"]) == set(INCIDENTS) == set(summary["first_day"])
    for kind, first in summary["first_day"].items():
        assert (first is None) == (summary["incidents"][kind] == 0)
    assert summary["peak_rung"] >= summary["final_rung"] or summary["peak_rung"] >= 0
    assert 0 <= summary["hormuz_flow_min_mbd"] <= 21.0
    assert set(summary["convoys"]) == {"sent", "delivered", "interdicted"}
    convoys = summary["convoys"]
    assert convoys["delivered"] + convoys["interdicted"] <= convoys["sent"]
    assert summary["scenario_sha256"] == load_scenario("may2019").sha256
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert len(events) == len(year.record.events)
    fields = {"day", "kind", "actor", "target", "place", "outcome", "blamed", "confidence"}
    assert fields <= set(events[0])
    counted = sum(1 for e in events if e["day"] >= 1)
    assert counted == sum(summary["incidents"].values())
    with (tmp_path / "daily.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == year.days + 1
    assert rows[0]["date"] == "2019-05-21" and rows[-1]["date"] == "2020-05-20"
    assert float(rows[0]["hormuz_flow_mbd"]) == pytest.approx(21.0 - (2.5 - 0.405), abs=0.01)


def test_history_sets_the_start(year):
    """The pre-start incidents (Fujairah, the pipeline, the Green Zone rocket) are in the log
    with negative days and put the crisis at proxy violence on day 0."""
    history = [e for e in year.record.events if e.day < 1]
    assert {e.kind for e in history} >= {"tanker_sabotage", "oil_facility_attack", "rocket_attack"}
    assert year.datacollector.model_vars["rung"][0] == 4


def test_cli_run_twice_gives_identical_event_logs(tmp_path):
    for name in ("a", "b"):
        done = run_cli("run", "may2019", "--seed", "1", "--out", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        assert "Peak rung" in done.stdout and "never a prediction" in done.stdout
    for name in ("events.jsonl", "daily.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def _convoy_world(**overrides: float) -> WargameModel:
    """may2019 for 12 days with one convoy for Hezbollah forced on day 1; with one convoy at a
    time on the road, no other can reach its end within the 12 days."""
    loaded = load_scenario(
        "may2019",
        {
            "scenario.days": 12,
            "injects": [
                {
                    "day": 1,
                    "kind": "order",
                    "actor": "quds",
                    "order": "send_convoy",
                    "target": "hezbollah",
                }
            ],
            "rules.interdiction.max_convoys": 1,
            **overrides,
        },
    )
    model = WargameModel(loaded, seed=5)
    model.run()
    return model


def test_interdiction_end_to_end_unseen_convoys_arrive():
    assets = ("israel_syria", "israel_crossing", "us_iraq", "us_gulf")
    blind = {f"isr.{a}.detection": 0.0 for a in assets}
    model = _convoy_world(**blind)
    kinds = [e.kind for e in model.record.events if e.day >= 1]
    assert "convoy_detected" not in kinds and "convoy_interdicted" not in kinds
    delivered = [e for e in model.record.events if e.kind == "convoy_delivered"]
    assert len(delivered) == 1 and delivered[0].target == "hezbollah"
    assert delivered[0].place == "Beirut"
    convoys = model.record.summary()["convoys"]  # the Quds Force may send another after it
    assert convoys["delivered"] == 1 and convoys["interdicted"] == 0 and convoys["sent"] >= 1


def test_interdiction_end_to_end_watched_convoys_are_struck():
    model = _convoy_world(
        **{
            "isr.israel_syria.detection": 1.0,
            "isr.israel_syria.radius_km": 1000.0,  # sure to be seen once in range
            "rules.interdiction.strike_success": 1.0,
        }
    )
    detected = [e for e in model.record.events if e.kind == "convoy_detected"]
    struck = [e for e in model.record.events if e.kind == "convoy_interdicted"]
    assert detected and detected[0].actor == "israel"
    assert struck and struck[0].details["destroyed"]
    assert model.geo.country_of(struck[0].cell) == "Syria"
    assert model.record.summary()["convoys"]["interdicted"] >= 1
    start = load_scenario("may2019").spec.actors["hezbollah"].capability
    assert model.actors["hezbollah"].capability < start


def test_a_human_side_can_only_give_legal_orders():
    human = HumanPolicy()
    model = WargameModel("may2019", seed=2, players={"iran": human})
    options = model.options_for("iran")
    with pytest.raises(OrderRefused):
        human.submit([Order("us", "strike_state", "iran")], options)
    with pytest.raises(OrderRefused):
        human.submit([Order("iran", "strike_state", "atlantis")], options)
    threat = next(o for o in options if o.kind == "threaten_closure")
    human.submit([threat], options)
    model.step()
    assert {**threat.to_dict(), "day": 1, "by": "HumanPolicy"} in model.record.orders
    today = [e for e in model.record.events if e.day == 1]
    assert any(e.kind == "closure_threat" and e.actor == "iran" for e in today)


def test_python_api_for_notebooks():
    model = WargameModel(load_scenario("may2019", {"actors.iran.resolve": 0.8}), seed=11)
    model.run_for(30)
    assert model.day == 30
    frame = model.record.daily()
    assert len(frame) == 31 and frame["rung"].between(0, 8).all()
    assert isinstance(model.record.summary()["incidents"], dict)
    assert np.isfinite(frame.select_dtypes("number").to_numpy()).all()


def test_a_run_stops_at_its_last_day():
    model = WargameModel(load_scenario("may2019", {"scenario.days": 20}), seed=2)
    model.run_for(30)  # asks for more than the run has left
    assert model.day == 20 and not model.running and len(model.record.daily()) == 21
    with pytest.raises(RuntimeError, match="day 20 was its last"):
        model.step()
    assert model.day == 20 and model.record.summary()["days"] == 20


def test_a_non_editable_install_finds_its_data_from_anywhere(tmp_path):
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*pip, "--target", str(target), str(REPO)], check=True, capture_output=True, timeout=300
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}

    def python(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=elsewhere, env=env, capture_output=True, text=True
        )

    found = python(
        "-c", "import wargame.maps, wargame.configs as c; print(wargame.maps.__file__, c.__file__)"
    )
    assert found.returncode == 0, found.stderr
    assert all(path.startswith(str(target)) for path in found.stdout.split())
    done = python("-m", "wargame", "run", "may2019", "--days", "5", "--out", "out")
    assert done.returncode == 0, done.stderr
    assert (elsewhere / "out" / "summary.json").exists()
    assert "may2019" in python("-m", "wargame", "scenarios").stdout
    packs = "from wargame.core.packs import load_pack as l, shipped_packs as s; print(*map(l, s()))"
    loaded = python("-c", packs)
    assert loaded.returncode == 0 and "the_strait" in loaded.stdout, loaded.stderr


def test_daily_floats_are_rounded_exactly_as_round_rounds_them() -> None:
    from wargame.engine.record import rounded

    rng = np.random.default_rng(3)
    halves = (np.arange(-2000, 2000) + 0.5) / 1e6  # on or a rounding error from a half
    values = np.concatenate(
        [
            rng.normal(0, 100, 20_000),
            rng.uniform(0, 1, 20_000).round(7),
            halves,
            np.nextafter(halves, np.inf),
            np.nextafter(halves, -np.inf),
            [0.0, -0.0, -1e-7, 2.0**60, -(2.0**53) / 3, np.inf, -np.inf, np.nan],
        ]
    )
    assert [repr(x) for x in rounded(values).tolist()] == [
        repr(round(x, 6)) for x in values.tolist()
    ]
