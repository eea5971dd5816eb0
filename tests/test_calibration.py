"""``wargame calibrate``: the record of the year before, the score, the fit, and the command."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, run_cli

from wargame.batch import calibration
from wargame.core.incidents import INCIDENTS
from wargame.core.scenario import ScenarioError, load_scenario
from wargame.engine.model import WargameModel

RECORD = REPO / "configs" / "data" / "record_2018_2019.csv"
HEADER = '"date","month","actor","target","kind","incidents","source"\n'
# A short year-before scenario: 40 days from 21 May 2018, its injects (all later) left out.
SHORT = ("--set", "scenario.days=40", "--set", "injects=[]")


def record_file(tmp_path: Path, rows: str, name: str = "record.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(rows).lstrip(), encoding="utf-8")
    return path


def calibrate(*args: str, timeout: float = 600):
    result = run_cli("calibrate", "baseline_2018", *args, cwd=REPO, timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_the_record_of_the_year_before_fits_the_baseline_and_names_its_sources():
    spec = load_scenario("baseline_2018").spec
    record = calibration.read_record(RECORD, spec)
    assert record.rows == 131 and record.outside == 6
    assert record.counts[("houthis", "rocket_attack")] >= 100
    assert record.counts[("israel", "state_strike")] >= 100
    # The record ends the day before the May 2019 scenario begins: nothing after it is read.
    assert spec.scenario.start_date.isoformat() == "2018-05-21" and spec.scenario.days == 365


def test_a_bad_record_is_refused_with_a_line_for_each_problem(tmp_path: Path):
    bad = record_file(
        tmp_path,
        """
        "2018-06-01","","hamas","israel","rocket_attack","3","a paper"
        "2018-06-01","","houthis","saudi","missile_storm","3","a paper"
        "2018-06-01","","houthis","saudi","rocket_attack","three","a paper"
        "2019-06-01","","houthis","saudi","rocket_attack","3","a paper"
        "","2018-13","houthis","saudi","rocket_attack","3","a paper"
        "2018-06-01","","houthis","saudi","rocket_attack","3",""
        "2018-06-01","","houthis"
        """,
    )
    result = calibrate("--against", str(bad), "--runs", "1", "--out", str(tmp_path / "out"))
    assert result.returncode != 0
    for line, says in (
        (2, "actor: 'hamas' is not a side"),
        (3, "kind: 'missile_storm' is not an incident kind"),
        (4, "incidents: expected a whole number"),
        (5, "date: 2019-06-01 is outside the scenario's period"),
        (6, "month: expected YYYY-MM, got '2018-13'"),
        (7, "source: empty"),
        (8, "a row with more or fewer fields than the header"),
    ):
        assert f"{bad}:{line}: {says}" in result.stderr
    assert not (tmp_path / "out").exists()

    no_header = tmp_path / "no_header.csv"
    no_header.write_text('"actor","kind"\n"houthis","rocket_attack"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="lacks the column"):
        calibration.read_record(no_header, load_scenario("baseline_2018").spec)
    missing = calibrate("--against", str(tmp_path / "nowhere.csv"), "--runs", "1")
    assert missing.returncode != 0 and "no such file or folder" in missing.stderr


def test_a_count_is_likelier_near_what_the_runs_make_and_never_impossible():
    runs = np.array([8, 10, 12, 9, 11, 10])
    assert calibration.log_prob(10, runs) > calibration.log_prob(20, runs)
    assert calibration.log_prob(10, runs) > calibration.log_prob(2, runs)
    # A count the runs never make is unlikely but has a finite log probability.
    never = calibration.log_prob(3, np.zeros(10, dtype=int))
    assert np.isfinite(never) and never < calibration.log_prob(0, np.zeros(10, dtype=int))
    # Runs whose spread is chance's, to rounding, give a probability, never more than one.
    assert calibration.log_prob(1, np.array([0, 0, 0, 0, 0, 1])) < 0
    # Runs that scatter widely make a far-off count less surprising than runs that agree.
    wide = np.array([0, 2, 30, 5, 18, 1])
    assert calibration.log_prob(25, wide) > calibration.log_prob(25, runs)


def test_calibrate_prints_and_writes_the_table_and_never_overwrites(tmp_path: Path):
    record = record_file(
        tmp_path,
        """
        "2018-06-10","","houthis","saudi","rocket_attack","12","a paper"
        "","2018-06","saudi","houthis","state_strike","10","a paper"
        "2018-06-12","","israel","quds","state_strike","9","a paper"
        "2018-06-14","","iran","other:kurdish_groups","state_strike","1","a paper"
        """,
    )
    out = tmp_path / "out"
    args = ("--against", str(record), "--runs", "3", *SHORT, "--workers", "1", "--out", str(out))
    first = calibrate(*args)
    assert first.returncode == 0, first.stderr
    assert "Hostile acts (scored):" in first.stdout and "Other acts" in first.stdout
    assert "1 of them aimed at parties outside the model" in first.stdout
    assert "the 80% rule" in first.stdout
    summary = json.loads((out / "calibration.json").read_text())
    table = {(r["actor"], r["kind"]): r for r in summary["table"]}
    assert table[("houthis", "rocket_attack")]["record"] == 12
    assert table[("saudi", "state_strike")]["scored"]
    assert summary["runs"] == 3 and summary["command"].startswith("wargame calibrate baseline_2018")
    assert "--set" in summary["command"] and "injects=[]" in summary["command"]
    made = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    again = calibrate(*args)
    assert again.returncode != 0 and "is not empty" in again.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == made

    resumed = calibrate(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "calibration.csv").read_bytes() == made["calibration.csv"]
    fresh = calibrate("--against", str(record), "--resume", "--out", str(tmp_path / "new"))
    assert fresh.returncode != 0 and "holds no calibration to resume" in fresh.stderr
    lonely = calibrate("--against", str(record), "--samples", "4")
    assert lonely.returncode != 0 and "--vary" in lonely.stderr


def model_record(tmp_path: Path, tempo: float, seeds: int = 4) -> Path:
    """A record the model itself made: the mean counts of the short baseline's runs with the
    Saudi air war's tempo at ``tempo``, every hostile side-kind as the record would tally it."""
    settings = {
        "scenario.days": 40,
        "injects": [],
        "actors.saudi.campaigns.air_war.every_days": tempo,
    }
    totals: dict[tuple[str, str], int] = {}
    for seed in range(1, seeds + 1):
        model = WargameModel(load_scenario("baseline_2018", settings), seed=seed)
        for actor, kinds in model.run().summary()["incidents_by_side"].items():
            for kind, n in kinds.items():
                if INCIDENTS[kind].hostile:
                    totals[(actor, kind)] = totals.get((actor, kind), 0) + n
    rows = "".join(
        f'"2018-06-10","","{actor}","","{kind}","{round(n / seeds)}","the model, tempo {tempo}"\n'
        for (actor, kind), n in sorted(totals.items())
    )
    return record_file(tmp_path, rows)


@pytest.mark.slow
def test_a_fit_recovers_the_tempo_that_made_its_record(tmp_path: Path):
    """Parameter recovery: a record made by the model at a known tempo (one wave of Saudi
    raids every 3 days) is fitted from a range ten times as wide, and the fit lands near it."""
    record = model_record(tmp_path, 3.0)
    out = tmp_path / "fit"
    key = "actors.saudi.campaigns.air_war.every_days"
    result = calibrate(
        "--against",
        str(record),
        "--runs",
        "3",
        *SHORT,
        "--vary",
        f"{key}=1:10",
        "--samples",
        "6",
        "--waves",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "calibration.json").read_text())
    best, raw = summary["chosen"][key], summary["fit"]["best"][key]
    assert 2.0 <= best <= 4.5
    lo, hi = summary["fit"]["ranges"][key]
    assert best == pytest.approx(raw, rel=0.005) and lo <= raw <= hi and hi - lo < 9
    fragment = (out / "calibrated.toml").read_text()
    assert 'source = "calibrated"' in fragment and fragment.startswith("# wargame calibrate")
    assert (out / "wave_2").is_dir() and len(summary["fit"]["points"]) == 6


def test_a_kind_no_run_made_and_the_record_lacks_is_no_row():
    record = calibration.Record(Path("r.csv"), {("houthis", "rocket_attack"): 3}, 1, 0, "")
    runs = pd.DataFrame(
        {
            "incidents_by_side.houthis.rocket_attack": [2, 4],
            "incidents_by_side.houthis.base_attack": [1, 0],
            "incidents_by_side.pij.rocket_attack": [0, 0],
            "incidents_by_side.us.state_strike": [0, 0],
        }
    )
    table = calibration.compare(record, runs)
    assert list(zip(table["actor"], table["kind"], strict=True)) == [("houthis", "rocket_attack")]
    assert table["record"].tolist() == [3] and table["median"].tolist() == [3.5]
