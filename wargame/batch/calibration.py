"""``wargame calibrate``: what each side did in the model's runs, against a record of the past.

A record is a CSV file (or a folder of them) with a row per incident or per count of incidents:
who did what (``actor``, ``kind``), when (``date`` or ``month``), how many in the model's units
(``incidents``), and the public source of the row. The runs are a batch like any other (local
processes or a Dask cluster, resumable); for each side and kind the table gives the record's
count, the model's median and 10-90% range, and the log probability of the record's count under
the model's distribution of it. The score is the mean of those log probabilities over the scored
rows (the hostile acts): a proper score, highest when the model gives the record's counts the
most probability, and lowered by a spread wider than it needs as well as by a miss.

With ``--vary``, the runs are a seeded Latin hypercube over the given ranges, ``--runs`` at each
point; the point with the best score is the fit, and a value's plausible range is the span of the
points whose summed log probability is within ``PLAUSIBLE`` of the best (a likelihood ratio of
e^2, a rough 95% set for one parameter). The record's counts are the twelve months before the
scenario's start date only, so that the fit is tested on what follows and never tuned to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from wargame.batch.design import Plan, make_plan, toml_text
from wargame.batch.runner import complete_batch, report_failures
from wargame.batch.store import MANIFEST
from wargame.batch.summary import finished
from wargame.core import atomic
from wargame.core.incidents import INCIDENTS, tally
from wargame.core.options import UsageError, check_writable, output_folder
from wargame.core.scenario import ScenarioError, load_scenario
from wargame.core.schema import Scenario

COLUMNS = ("actor", "kind", "incidents", "source")
OTHER = "other:"  # a target that is not a side of the model: the model cannot make such a row
PLAUSIBLE = 2.0  # how far below the best summed log probability a point counts as plausible
MIN_ROW = 5  # the rule: of the rows with MIN_ROW or more incidents, INSIDE_RULE inside 10-90%
INSIDE_RULE = 0.8
BY_SIDE = "incidents_by_side."  # the runs table's columns of each side's incidents
TABLE, SUMMARY, FRAGMENT = "calibration.csv", "calibration.json", "calibrated.toml"


@dataclass(frozen=True)
class Record:
    """A record's counts per side and kind (as ``tally`` names kinds), and where they came from."""

    path: Path
    counts: dict[tuple[str, str], int]
    rows: int
    outside: int  # rows aimed at parties the scenario does not have (targets ``other:...``)
    sha256: str


def read_record(path: Path, spec: Scenario) -> Record:
    """Read a record file or folder; every problem is reported, one line each, naming the file,
    the line and the column."""
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    if not path.exists():
        raise UsageError(f"--against {path}: no such file or folder")
    if not files:
        raise UsageError(f"--against {path}: the folder holds no .csv file")
    start = spec.scenario.start_date
    end = start + dt.timedelta(days=spec.scenario.days - 1)
    counts: dict[tuple[str, str], int] = {}
    problems: list[str] = []
    digest = hashlib.sha256()
    rows = outside = 0
    for file in files:
        data = file.read_bytes()
        digest.update(data)
        for line, row, problem in _rows(file, data):
            if problem:
                problems.append(f"{file}:{line}: {problem}")
                continue
            rows += 1
            found = [f"{file}:{line}: {problem}" for problem in _check(row, spec, start, end)]
            problems += found
            if found:
                continue
            if row.get("target", "").startswith(OTHER):
                outside += 1
                continue
            key = (row["actor"], tally(row["kind"]))
            counts[key] = counts.get(key, 0) + int(row["incidents"])
    if problems:
        raise ScenarioError(problems)
    return Record(path, counts, rows, outside, digest.hexdigest())


def _rows(file: Path, data: bytes) -> Iterator[tuple[int, dict[str, str], str | None]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield 1, {}, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        return
    reader = csv.DictReader(text.splitlines())
    header = set(reader.fieldnames or [])
    missing = [c for c in COLUMNS if c not in header] + (
        [] if {"date", "month"} & header else ["date or month"]
    )
    if missing:
        yield 1, {}, f"the header lacks the column(s) {', '.join(missing)}"
        return
    for row in reader:
        if None in row or None in row.values():
            yield reader.line_num, row, "a row with more or fewer fields than the header"
        else:
            yield reader.line_num, row, None


def _check(row: dict[str, str], spec: Scenario, start: dt.date, end: dt.date) -> Iterator[str]:
    if row["actor"] not in spec.actors:
        yield f"actor: '{row['actor']}' is not a side of the scenario"
    if row["kind"] not in INCIDENTS:
        yield f"kind: '{row['kind']}' is not an incident kind"
    if not row["incidents"].isdigit():
        yield f"incidents: expected a whole number of 0 or more, got '{row['incidents']}'"
    if not row["source"].strip():
        yield "source: empty; every row names its public source"
    yield from _check_when(row, start, end)


def _check_when(row: dict[str, str], start: dt.date, end: dt.date) -> Iterator[str]:
    """A row dated inside the scenario's period: its ``date``, else its ``month``."""
    when, value = ("date", row["date"]) if row.get("date") else ("month", row.get("month") or "")
    try:
        if when == "date":
            first = last = dt.date.fromisoformat(value)
        else:
            first = dt.date.fromisoformat(f"{value}-01")
            last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    except ValueError:
        yield f"{when}: expected {'YYYY-MM-DD' if when == 'date' else 'YYYY-MM'}, got '{value}'"
        return
    if last < start or first > end:
        yield f"{when}: {value} is outside the scenario's period, {start} to {end}"


# ----- the model against the record -----
def side_counts(runs: pd.DataFrame) -> pd.DataFrame:
    """Each finished run's incidents per side and kind as the record counts them: a column
    per (side, kind)."""
    columns = [c for c in runs.columns if c.startswith(BY_SIDE)]
    table = runs[columns].fillna(0).astype(int)
    keys = [tuple(c.removeprefix(BY_SIDE).split(".", 1)) for c in columns]
    table.columns = pd.MultiIndex.from_tuples([(actor, tally(kind)) for actor, kind in keys])
    return table.T.groupby(level=[0, 1]).sum().T


def log_prob(count: int, samples: np.ndarray) -> float:
    """The log probability of ``count`` under a negative binomial with the samples' mean and
    variance (a Poisson when they vary no more than one): a count the runs never made is given
    the chance of half a run."""
    n = len(samples)
    mean = max(float(samples.mean()), 0.5 / n)
    var = float(samples.var(ddof=1)) if n > 1 else mean
    if var <= mean * (1.0 + 1e-6):  # a spread no wider than chance (rounding included)
        return float(stats.poisson.logpmf(count, mean))
    size = mean * mean / (var - mean)
    return float(stats.nbinom.logpmf(count, size, size / (size + mean)))


def compare(record: Record, runs: pd.DataFrame) -> pd.DataFrame:
    """The table: a row per side and kind that the record holds or some run made."""
    counts = side_counts(runs)
    made = counts.columns[counts.to_numpy().sum(axis=0) > 0]  # what no run made is no row
    keys = sorted(set(record.counts) | set(made))
    rows = []
    for actor, kind in keys:
        samples = (
            counts[(actor, kind)].to_numpy()
            if (actor, kind) in counts
            else np.zeros(len(counts), dtype=int)
        )
        seen = record.counts.get((actor, kind), 0)
        p10, median, p90 = np.percentile(samples, [10, 50, 90])
        scored = any(tally(k) == kind and INCIDENTS[k].hostile for k in INCIDENTS)
        rows.append(
            {
                "actor": actor,
                "kind": kind,
                "record": seen,
                "median": float(median),
                "p10": float(p10),
                "p90": float(p90),
                "inside": bool(p10 <= seen <= p90),
                "log_prob": round(log_prob(seen, samples), 4),
                "scored": scored,
            }
        )
    return pd.DataFrame(rows)


def score(table: pd.DataFrame) -> dict[str, Any]:
    """The fit in a few numbers: the mean log probability of the scored rows, their sum, and
    the share of the rows with ``MIN_ROW`` or more incidents inside the 10-90% range."""
    scored = table[table["scored"]]
    big = scored[scored["record"] >= MIN_ROW]
    inside = float(big["inside"].mean()) if len(big) else float("nan")
    return {
        "score": round(float(scored["log_prob"].mean()), 4),
        "log_prob": round(float(scored["log_prob"].sum()), 4),
        "rows_scored": len(scored),
        "rows_5_or_more": len(big),
        "inside_share": round(inside, 4),
        "rule_holds": bool(len(big) and inside >= INSIDE_RULE),
    }


def fit(record: Record, runs: pd.DataFrame, plan: Plan) -> dict[str, Any]:
    """Each design point's score, the best point, and each key's plausible range."""
    keys = list(plan.vary)
    points = []
    for point, group in runs.groupby("point"):
        result = score(compare(record, group))
        params = {k: float(group[k].iloc[0]) for k in keys}
        points.append({"point": int(point), **params, **result})
    table = pd.DataFrame(points).sort_values("log_prob", ascending=False)
    best = table.iloc[0]
    close = table[table["log_prob"] >= best["log_prob"] - PLAUSIBLE]
    return {
        "best": {k: float(best[k]) for k in keys},
        "best_point": int(best["point"]),
        "ranges": {k: [float(close[k].min()), float(close[k].max())] for k in keys},
        "plausible_points": len(close),
        "points": table.to_dict(orient="records"),
    }


# ----- the command -----
@dataclass(frozen=True)
class Calibration:
    """A calibration as the command line defines it."""

    scenario: str
    against: Path
    runs: int  # runs of the check, and of each design point of a fit
    seed: int = 1
    overrides: dict[str, Any] = field(default_factory=dict)
    vary: list[str] = field(default_factory=list)  # --vary texts: the keys to fit
    samples: int = 16  # design points of each wave of a fit
    waves: int = 1

    def command(self) -> str:
        """The command line that reproduces this calibration."""
        words = ["wargame", "calibrate", self.scenario, "--against", str(self.against)]
        words += ["--runs", str(self.runs), "--seed", str(self.seed)]
        if self.vary:
            words += ["--samples", str(self.samples), "--waves", str(self.waves)]
        words += [w for text in self.vary for w in ("--vary", text)]
        words += [w for k, v in self.overrides.items() for w in ("--set", f"{k}={toml_text(v)}")]
        return shlex.join(words)


def run_calibration(
    job: Calibration,
    out: str | None = None,
    *,
    resume: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
) -> int:
    """``wargame calibrate``: fit the --vary keys (if any) wave by wave, run the scenario at the
    chosen values with fresh seeds, print the table and write it; the exit status."""
    spec = load_scenario(job.scenario, job.overrides).spec
    record = read_record(job.against, spec)
    folder = Path(out or f"runs/calibrate_{spec.scenario.name}")
    _check_folder(folder, resume)
    batch = {"resume": resume, "workers": workers, "scheduler": scheduler}
    fitted, chosen = None, {}
    if job.vary:
        ranges = _ranges(job)
        for wave in range(1, job.waves + 1):
            plan = make_plan(
                job.scenario,
                runs=job.samples,
                reps=job.runs,
                overrides=job.overrides,
                varies=[f"{k}={lo!r}:{hi!r}" for k, (lo, hi) in ranges.items()],
                design="lhs",
                seed=job.seed + wave,
                daily=False,
            )
            runs = _batch(plan, folder / f"wave_{wave}", **batch)
            if runs is None:
                return 1
            fitted = fit(record, runs, plan)
            ranges = _narrowed(ranges, fitted)
        assert fitted is not None
        chosen = {k: _round(v) for k, v in fitted["best"].items()}
    check = make_plan(
        job.scenario,
        runs=job.runs,
        overrides={**job.overrides, **chosen},
        seed=job.seed,
        daily=False,
    )
    runs = _batch(check, folder / "check", **batch)
    if runs is None:
        return 1
    table = compare(record, runs)
    result = score(table)
    files = {
        TABLE: table.to_csv(index=False),
        SUMMARY: json.dumps(
            {
                "command": job.command(),
                "record": str(job.against),
                "record_rows": record.rows,
                "record_sha256": record.sha256,
                "scenario_sha256": check.sha256,
                "runs": job.runs,
                **result,
                "chosen": chosen,
                "fit": fitted,
                "table": table.to_dict(orient="records"),
            },
            indent=2,
            default=float,
        )
        + "\n",
    }
    if fitted:
        files[FRAGMENT] = fragment(chosen, fitted["ranges"], job.command())
    atomic.write_together(output_folder(folder), files)
    print(render(table, result, chosen, fitted, job, record))
    print(f"Files: {', '.join(str(folder / n) for n in files)}")
    return 0


def _check_folder(folder: Path, resume: bool) -> None:
    """A new or empty folder; with --resume, one a calibration has begun."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {folder}: exists and is not a folder")
    check_writable(folder)
    begun = folder.is_dir() and any(folder.glob("*/" + MANIFEST))
    if resume and not begun:
        raise UsageError(f"--resume: {folder} holds no calibration to resume")
    if not resume and folder.is_dir() and any(folder.iterdir()):
        advice = "add --resume to complete it, or" if begun else ""
        raise UsageError(f"--out {folder}: is not empty; {advice} choose a new or empty folder")


def _batch(plan: Plan, folder: Path, resume: bool, **where: Any) -> pd.DataFrame | None:
    """A wave's or the check's runs: its batch completed (a resumed calibration resumes the
    batches it has begun and starts the others); None when its workers failed."""
    begun = resume and (folder / MANIFEST).is_file()
    done = complete_batch(plan, str(folder), resume=begun, keep=(BY_SIDE,), **where)
    if done is None:
        return None
    folder, _, runs = done
    ok = finished(runs)
    if len(ok) < len(runs):
        report_failures(runs, folder)
        raise UsageError(f"{folder}: runs failed; the calibration needs them all")
    return ok


def _ranges(job: Calibration) -> dict[str, tuple[float, float]]:
    """The --vary ranges, checked as a batch checks them."""
    plan = make_plan(
        job.scenario,
        runs=job.samples,
        reps=job.runs,
        overrides=job.overrides,
        varies=job.vary,
        design="lhs",
        seed=job.seed,
        daily=False,
    )
    return dict(plan.vary)


def _narrowed(
    ranges: dict[str, tuple[float, float]], fitted: dict[str, Any]
) -> dict[str, tuple[float, float]]:
    """The next wave's ranges: the span of this wave's plausible points, kept to at least a
    quarter of this wave's width about the best."""
    out = {}
    for key, (lo, hi) in ranges.items():
        low, high = fitted["ranges"][key]
        best, least = fitted["best"][key], (hi - lo) / 4
        if high - low < least:
            low = max(lo, min(best - least / 2, hi - least))
            high = low + least
        out[key] = (float(low), float(high))
    return out


def fragment(chosen: dict[str, float], ranges: dict[str, list[float]], command: str) -> str:
    """The fitted values as scenario entries, to paste into the scenario they were fitted on."""
    lines = [
        f"# {command}",
        "# the best point of the last wave; the range: its points within "
        f"{PLAUSIBLE:g} of the best summed log probability",
    ]
    for key, value in chosen.items():
        lo, hi = ranges[key]
        lines.append(
            f'{key} = {{ value = {_round(value)}, source = "calibrated", '
            f'note = "plausible {_round(lo)}-{_round(hi)}" }}'
        )
    return "\n".join(lines) + "\n"


def _round(value: float) -> float:
    return float(f"{value:.3g}")


def render(
    table: pd.DataFrame,
    result: dict[str, Any],
    chosen: dict[str, float],
    fitted: dict[str, Any] | None,
    job: Calibration,
    record: Record,
) -> str:
    """The table as the terminal shows it."""
    lines = [
        f"{job.scenario} against {record.path} ({record.rows} rows, {record.outside} of them "
        f"aimed at parties outside the model and left out), {job.runs} runs"
        f"{' at the fitted values' if chosen else ''}:",
    ]
    header = (
        f"  {'side':<10} {'kind':<20} {'record':>6} {'median':>7} {'10-90%':>11} "
        f"{'inside':>6} {'log p':>7}"
    )
    for title, rows in (
        ("Hostile acts (scored):", table[table["scored"]]),
        ("Other acts (shown, not scored):", table[~table["scored"]]),
    ):
        lines += [title, header]
        for row in rows.itertuples():
            band = f"{row.p10:g}-{row.p90:g}"
            lines.append(
                f"  {row.actor:<10} {row.kind:<20} {row.record:>6} {row.median:>7g} {band:>11} "
                f"{'yes' if row.inside else 'no':>6} {row.log_prob:>7.2f}"
            )
    lines.append(
        f"Score (mean log probability of the {result['rows_scored']} scored rows, hostile acts "
        f"only): {result['score']:.3f}"
    )
    share = result["inside_share"]
    verdict = "holds" if result["rule_holds"] else "does not hold"
    lines.append(
        f"Rows with {MIN_ROW} or more incidents inside the 10-90% range: "
        f"{'n/a' if math.isnan(share) else f'{share:.0%}'} of {result['rows_5_or_more']} "
        f"(the {INSIDE_RULE:.0%} rule {verdict})"
    )
    if fitted:
        lines.append(
            f"Fitted over {job.waves} wave(s) of {job.samples} points, {job.runs} runs each:"
        )
        for key, value in chosen.items():
            lo, hi = fitted["ranges"][key]
            lines.append(f"  {key} = {_round(value)} (plausible {_round(lo)} to {_round(hi)})")
    lines.append("Kinds are counted as the record counts them: " + _tallied())
    return "\n".join(lines)


def _tallied() -> str:
    groups: dict[str, list[str]] = {}
    for name, kind in INCIDENTS.items():
        if kind.tallied_as:
            groups.setdefault(kind.tallied_as, []).append(name)
    return "; ".join(f"{k} includes {', '.join(v)}" for k, v in groups.items()) + "."
