"""What an analyst does with a batch: designs with replications (Latin hypercube, a file of
points), metrics, the noise share, sensitivity intervals, scenario discovery (PRIM on a case
whose box is known), the report's per-value sections, CSV export and the documented DuckDB
queries."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, batch_cli, same_files

from wargame.batch import discovery
from wargame.batch.design import make_plan, run_seed
from wargame.batch.export import export_csv
from wargame.batch.metrics import parse_metric
from wargame.batch.summary import noise_shares, sensitivity_lines
from wargame.cli import main
from wargame.core.incidents import INCIDENTS
from wargame.core.scenario import ScenarioError

VARY = ["actors.iran.resolve=0.2:0.9", "rules.decisions.memory_days=10:60"]
LHS = ["may2019", "--design", "lhs", "--runs", "10", "--reps", "2", "--days", "12", "--seed", "3",
       *(w for v in VARY for w in ("--vary", v))]  # fmt: skip


# ----- designs -----
def test_a_latin_hypercube_puts_one_point_in_each_stratum_of_every_key() -> None:
    plan = make_plan("may2019", runs=10, reps=3, varies=VARY, design="lhs", seed=5)
    assert plan.total == 30 and len(plan.design_points) == 10
    x = plan.design_matrix()
    strata = np.floor((x - [0.2, 10]) / [0.7, 50] * 10).astype(int)
    for column in strata.T:
        assert sorted(column) == list(range(10))  # one point in each tenth of the range
    for run in plan.run_list:
        assert run.params == plan.design_points[run.index % 10]
        assert run.seed == run_seed(5, run.index)
        assert isinstance(run.params["rules.decisions.memory_days"], int)
    again = make_plan("may2019", runs=10, reps=3, varies=VARY, design="lhs", seed=5)
    other = make_plan("may2019", runs=10, reps=3, varies=VARY, design="lhs", seed=6)
    assert again.run_list == plan.run_list and other.design_points != plan.design_points


@pytest.mark.parametrize(("design", "runs", "points"), [("sobol", 4, 16), ("morris", 3, 9)])
def test_every_sampled_design_replicates_its_points(design: str, runs: int, points: int) -> None:
    plan = make_plan("may2019", runs=runs, reps=3, varies=VARY, design=design)
    assert len(plan.design_points) == points and plan.total == 3 * points
    assert [r.params for r in plan.run_list] == plan.design_points * 3
    assert len({r.seed for r in plan.run_list}) == plan.total
    assert "--reps 3" in plan.command()


def test_a_grid_takes_its_runs_of_each_combination_from_runs_or_reps() -> None:
    sweep = ["actors.iran.resolve=0.3,0.9"]
    by_runs = make_plan("may2019", runs=3, sweeps=sweep)
    by_reps = make_plan("may2019", reps=3, sweeps=sweep)
    assert by_reps.run_list == by_runs.run_list and by_runs.total == 6
    with pytest.raises(ScenarioError, match="--runs is already the runs of each combination"):
        make_plan("may2019", runs=3, reps=3, sweeps=sweep)


def test_a_file_of_points_is_a_design(tmp_path: Path) -> None:
    points = tmp_path / "cases.csv"
    points.write_text(
        "actors.iran.resolve,rules.decisions.memory_days,scenario.title\n"
        "0.3,20,one\n0.9,45,two\n\n0.5,30,three\n",
        encoding="utf-8",
    )
    plan = make_plan("may2019", points=str(points), reps=2, seed=4)
    assert plan.design == "points" and plan.total == 6 and plan.flag == "--points"
    assert plan.design_points[1] == {
        "actors.iran.resolve": 0.9,
        "rules.decisions.memory_days": 45,
        "scenario.title": "two",
    }
    assert [r.params for r in plan.run_list] == plan.design_points * 2
    assert plan.command().startswith(f"wargame batch may2019 --points {points} --reps 2")
    assert plan.manifest()["points"] == plan.points


BAD_POINTS = {
    "a value out of range": (
        "actors.iran.resolve,actors.us.resolve\n0.3,0.5\n1.4,0.5\n",
        ["{f}: row 3, actors.iran.resolve: input should be less than or equal to 1 (got 1.4)"],
    ),
    "an unknown key": (
        "actors.iran.resolv\n0.3\n",
        ["{f}: row 2, actors.iran.resolv: unknown key; did you mean 'resolve'?"],
    ),
    "a missing value and a short row": (
        "actors.iran.resolve,actors.us.resolve\n0.3,\n0.4\n",
        ["{f}: row 2, actors.us.resolve: no value", "{f}: row 3: 1 values for 2 keys"],
    ),
    "a key twice": ("actors.iran.resolve,actors.iran.resolve\n0.3,0.4\n", ["given twice"]),
    "no rows": ("actors.iran.resolve\n", ["--points {f}: expected a header row"]),
}


@pytest.mark.parametrize("case", list(BAD_POINTS))
def test_a_bad_file_of_points_is_named_by_row_and_key(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    text, expected = BAD_POINTS[case]
    points = tmp_path / "cases.csv"
    points.write_text(text, encoding="utf-8")
    out = tmp_path / "never"
    assert main(["batch", "may2019", "--points", str(points), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == len(expected), err
    for line, want in zip(err, expected, strict=True):
        assert line.startswith("error: ") and want.format(f=points) in line, (line, want)
    assert not out.exists()


def test_a_missing_file_of_points_and_a_design_beside_it_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    missing = tmp_path / "none.csv"
    assert main(["batch", "may2019", "--points", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: --points {missing}: cannot be read (No such file or directory)\n"
    assert main(["batch", "may2019", "--points", str(missing), "--design", "lhs"]) == 2
    assert "a file of points is its own design" in capsys.readouterr().err


# ----- metrics -----
def test_metrics_are_columns_classes_or_thresholds() -> None:
    runs = pd.DataFrame(
        {
            "outcome": ["contained", "limited_exchange"],
            "peak_rung": [5, 6],
            "direct_exchange_day": [None, 40.0],
        }
    )
    assert parse_metric("outcome=limited_exchange").values(runs).tolist() == [0, 1]
    assert parse_metric("peak_rung>=6").values(runs).tolist() == [0, 1]
    assert parse_metric("direct_exchange_day <= 30").values(runs).tolist() == [0, 0]
    numeric = parse_metric("peak_rung")
    assert not numeric.binary and numeric.values(runs).tolist() == [5, 6]
    assert parse_metric("outcome=limited_exchange").cases == "runs that end in a limited exchange"
    for bad, message in [
        ("outcome=war", "a class of de_escalated, contained"),
        ("peak_rung>=high", "'high' is not a number"),
        ("peak rung", "expected a column or a comparison"),
    ]:
        with pytest.raises(ScenarioError, match=message):
            parse_metric(bad)


def test_a_metric_naming_no_column_stops_the_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = ["batch", *LHS, "--metric", "peak_rng>=6", "--out", str(tmp_path / "never")]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        "error: --metric peak_rng>=6: no column 'peak_rng' in the runs table; did you mean "
        "'peak_rung'? (see docs/batch.md, The tables)\n"
    )
    assert not (tmp_path / "never").exists()


def test_the_noise_share_is_the_variance_within_points_over_all() -> None:
    # two points, runs 0 and 2 of point 0, runs 1 and 3 of point 1
    runs = pd.DataFrame({"point": [0, 1, 0, 1], "peak_rung": [4.0, 6.0, 5.0, 7.0]})
    manifest = {"design": "lhs", "reps": 2, "metrics": ["peak_rung"]}
    within = 0.5  # each point's two runs differ by 1
    total = np.var([4, 6, 5, 7], ddof=1)
    assert noise_shares(runs, manifest) == {"peak rung": pytest.approx(within / total)}
    assert noise_shares(runs, {**manifest, "reps": 1}) == {}


def test_wide_sobol_intervals_are_shown_and_warned_of() -> None:
    sensitivity = {
        "design": "sobol",
        "estimator": "sobol",
        "reps": 1,
        "factors": {"actors.iran.resolve": [0.2, 0.9]},
        "outcome_labels": {"peak_rung": "peak rung"},
        "outcomes": {
            "peak_rung": {
                "S1": {"actors.iran.resolve": -0.2},
                "S1_conf": {"actors.iran.resolve": 0.61},
                "ST": {"actors.iran.resolve": 1.51},
                "ST_conf": {"actors.iran.resolve": 0.9},
            }
        },
    }
    text = "\n".join(sensitivity_lines(sensitivity))
    assert "-0.20 ± 0.61" in text and "1.51 ± 0.90" in text
    assert "warning: peak rung: 95% intervals up to ±0.9 wide" in text
    narrow = json.loads(json.dumps(sensitivity))
    narrow["outcomes"]["peak_rung"].update(
        {"S1_conf": {"actors.iran.resolve": 0.05}, "ST_conf": {"actors.iran.resolve": 0.04}}
    )
    assert "warning" not in "\n".join(sensitivity_lines(narrow))


# ----- scenario discovery -----
def known_box(n: int = 2000, noise: float = 0.0, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Four keys, of which two make the cases: a > 0.6 and b < 0.3 (c and the whole numbers d
    do nothing); ``noise`` of the runs have their class flipped."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {"a": rng.random(n), "b": rng.random(n), "c": rng.random(n), "d": rng.integers(10, 61, n)}
    )
    cases = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    return x, np.where(rng.random(n) < noise, ~cases, cases)


@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_prim_finds_a_known_box(noise: float) -> None:
    x, cases = known_box(noise=noise)
    found = discovery.discover(x, cases, "cases")
    box = found.boxes[0]
    assert set(box.limits) == {"a", "b"}  # c and d are left free
    assert box.limits["a"][0] == pytest.approx(0.6, abs=0.02) and box.limits["a"][1] > 0.99
    assert box.limits["b"][1] == pytest.approx(0.3, abs=0.02) and box.limits["b"][0] < 0.01
    assert box.density >= (0.99 if noise == 0 else 0.85)
    inside = (x["a"] > 0.6) & (x["b"] < 0.3)
    assert box.coverage == pytest.approx(cases[inside].sum() / cases.sum(), abs=0.02)
    assert box.mass == pytest.approx(inside.mean(), abs=0.01)
    assert all(qp < 1e-10 for qp in box.qp.values())
    scores = found.scores
    assert min(scores["a"], scores["b"]) > 5 * max(scores["c"], scores["d"], 0.01)
    assert abs(scores[discovery.RANDOM]) < 0.02


def test_prim_finds_no_box_in_noise_and_a_second_box_by_covering() -> None:
    x, _ = known_box()
    rng = np.random.default_rng(9)
    assert discovery.discover(x, rng.random(len(x)) < 0.3, "noise").boxes == []
    two = ((x["a"] > 0.6) & (x["b"] < 0.3)) | ((x["c"] > 0.75) & (x["d"] <= 25))
    boxes = discovery.discover(x, two.to_numpy(), "two").boxes
    assert set(boxes[0].limits) == {"a", "b"} and set(boxes[1].limits) == {"c", "d"}
    assert boxes[1].limits["c"][0] == pytest.approx(0.75, abs=0.03)
    assert boxes[1].limits["d"][1] == pytest.approx(25, abs=2)


def test_discover_reads_a_batch_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A batch folder whose limited exchanges follow a known rule of its varied keys."""
    x, cases = known_box(n=1200)
    runs = x.rename(columns={"a": "actors.iran.resolve", "b": "actors.us.resolve"})[
        ["actors.iran.resolve", "actors.us.resolve"]
    ]
    runs.insert(0, "run", range(len(runs)))
    runs["seed"] = runs["run"]
    runs["error"] = None
    runs["days"] = 365
    runs["outcome"] = np.where(cases, "limited_exchange", "contained")
    runs["peak_rung"] = np.where(cases, 6, 5)
    runs["direct_exchange_day"] = np.where(cases, 30.0, np.nan)
    (tmp_path / "runs.parquet").mkdir()  # a finished batch's table: a folder of parts
    runs.to_parquet(tmp_path / "runs.parquet" / "block-000000.parquet")
    (tmp_path / "complete.json").write_text(json.dumps({"runs": len(runs)}))
    vary = {"actors.iran.resolve": [0.0, 1.0], "actors.us.resolve": [0.0, 1.0]}
    manifest = {
        "command": "wargame batch may2019 --design lhs",
        "scenario": "may2019",
        "scenario_name": "may2019",
        "scenario_sha256": "0" * 64,
        "days": 365,
        "set": {},
        "design": "lhs",
        "runs": len(runs),
        "seed": 1,
        "wargame_version": "test",
        "sweep": {},
        "vary": vary,
        "points": [],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert main(["discover", str(tmp_path), "--outcome", "limited_exchange"]) == 0
    text = capsys.readouterr().out
    assert "the runs that end in a limited exchange: " in text
    box = re.search(r"Box 1: (\d+) runs .* density ([\d.]+)%", text)
    assert box is not None and float(box[2]) > 99
    iran = re.search(r"actors\.iran\.resolve +([\d.]+) to ([\d.]+) +of", text)
    us = re.search(r"actors\.us\.resolve +([\d.]+) to ([\d.]+) +of", text)
    assert iran and us and float(iran[1]) == pytest.approx(0.6, abs=0.02)
    assert float(us[2]) == pytest.approx(0.3, abs=0.02)
    assert main(["discover", str(tmp_path), "--metric", "peak_rung>=6"]) == 0
    assert "the runs with peak_rung >= 6" in capsys.readouterr().out
    assert main(["discover", str(tmp_path), "--metric", "peak_rung"]) == 2
    assert "discovery needs a yes or no for each run" in capsys.readouterr().err
    assert main(["discover", str(tmp_path / "none")]) == 2
    assert "no manifest.json" in capsys.readouterr().err


# ----- a small batch, end to end -----
@pytest.fixture(scope="module")
def lhs_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10 Latin hypercube points, 2 runs each, on two local processes."""
    out = tmp_path_factory.mktemp("lhs") / "batch"
    result = batch_cli(*LHS, "--workers", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    (out / "stdout.txt").write_text(result.stdout)
    (out.parent / "stderr.txt").write_text(result.stderr)
    return out


def test_a_replicated_design_gives_the_same_tables_on_any_number_of_workers(
    lhs_batch: Path, tmp_path: Path
) -> None:
    one = tmp_path / "one"
    assert batch_cli(*LHS, "--workers", "1", "--out", str(one)).returncode == 0
    same_files(lhs_batch, one, ("runs.parquet", "daily.parquet", "sensitivity.json"))
    runs = pd.read_parquet(lhs_batch / "runs.parquet")
    assert runs["point"].tolist() == list(range(10)) * 2
    assert runs["rep"].tolist() == [0] * 10 + [1] * 10
    assert runs.groupby("point")["actors.iran.resolve"].nunique().eq(1).all()
    assert runs["seed"].nunique() == 20


def test_the_summary_of_a_replicated_design(lhs_batch: Path) -> None:
    out = (lhs_batch / "stdout.txt").read_text()
    assert "lhs design of 10 points, 2 runs each" in out
    assert "Noise share" in out and "de-escalated" in out
    assert "Borgonovo's delta" in out and "(random numbers)" in out and " ± " in out
    found = json.loads((lhs_batch / "sensitivity.json").read_text())
    assert found["estimator"] == "delta" and found["reps"] == 2
    err = (lhs_batch.parent / "stderr.txt").read_text().splitlines()
    progress = [line for line in err if line.startswith("may2019: ") and " runs (" in line]
    assert progress and progress[-1].startswith("may2019: 20/20 runs (100%), ")
    assert "runs/s" in progress[-1]


def test_the_report_explains_each_key_and_each_value(lhs_batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(lhs_batch), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<h2>The keys this batch changes</h2>" in page
    assert "Iran&#x27;s resolve" in page and "Memory of attacks" in page
    assert "regime survival is at stake" in page  # the scenario's note on Iran's resolve
    manifest = json.loads((lhs_batch / "manifest.json").read_text())
    assert manifest["command"].replace("'", "&#x27;") in page
    for key in ("actors.iran.resolve", "rules.decisions.memory_days"):
        assert f"<h2>By {key}</h2>" in page
    section = page.split("<h2>By rules.decisions.memory_days</h2>")[1].split("<h2>")[0]
    assert "<th>20 to 29</th>" in section  # bins at round numbers, whole days
    section = page.split("<h2>By actors.iran.resolve</h2>")[1].split("<h2>")[0]
    head = section.split("</tr>")[0]
    bins = re.findall(r"<th>([^<]*) to ([^<]*)</th>", head)
    assert bins[0][0] == "0.2" and bins[-1][1] == "0.9" and len(bins) >= 4  # the range as given
    assert all(re.fullmatch(r"0\.\d\d?", end) for pair in bins for end in pair), bins
    assert "What happened: incidents per run" in section and "% of that value" in section
    assert "de-escalated" in page and "de escalated" not in page
    assert "<h2>The model's own randomness</h2>" in page
    assert "<h2>Scenario discovery</h2>" in page and "of 20 runs" in page
    assert "<h2>Sensitivity</h2>" in page and " ± " in page


def test_the_report_of_a_sweep_shows_what_differs_between_values(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = batch_cli(
        "may2019", "--runs", "4", "--days", "40", "--sweep", "actors.iran.resolve=0.4,0.9",
        "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert main(["report", str(out), "--outcome", "contained"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    section = page.split("<h2>By actors.iran.resolve</h2>")[1].split("<h2>")[0]
    assert "<th>0.4</th><th>0.9</th>" in section
    runs = pd.read_parquet(out / "runs.parquet")
    shown = 0
    for name, kind in INCIDENTS.items():
        means = runs.groupby("actors.iran.resolve")[f"incidents.{name}"].mean()
        row = f"<td>{escape(kind.what)}</td><td>{means[0.4]:.2f}</td><td>{means[0.9]:.2f}</td>"
        shown += row in section
    assert shown == 8  # the kinds that differ most, with their mean counts per run
    assert "lead to <b>runs that end contained</b>" in page


# ----- tables for other tools -----
def test_export_writes_csv_and_never_replaces_a_file(
    lhs_batch: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "csv"
    assert main(["export", str(lhs_batch), "--format", "csv", "--out", str(folder)]) == 0
    runs = pd.read_csv(folder / "runs.csv")
    parquet = pd.read_parquet(lhs_batch / "runs.parquet")
    assert runs["seed"].tolist() == parquet["seed"].tolist()
    assert runs["outcome"].tolist() == parquet["outcome"].tolist()
    daily = pd.read_csv(folder / "daily.csv")
    assert len(daily) == len(pd.read_parquet(lhs_batch / "daily.parquet", columns=["run"]))
    before = (folder / "runs.csv").read_bytes()
    assert main(["export", str(lhs_batch), "--out", str(folder)]) == 2
    assert "already holds runs.csv" in capsys.readouterr().err
    assert (folder / "runs.csv").read_bytes() == before
    assert export_csv(lhs_batch) == [
        lhs_batch / "csv" / "runs.csv",
        lhs_batch / "csv" / "daily.csv",
    ]


def test_the_duckdb_queries_of_the_docs_run(lhs_batch: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    docs = (REPO / "docs" / "batch.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", docs, flags=re.S)
    assert len(queries) >= 3
    for query in queries:
        rows = duckdb.sql(query.replace("runs/resolve", str(lhs_batch))).fetchall()
        assert rows, query
