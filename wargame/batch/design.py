"""The design of a batch: which runs it holds, with which parameters and seeds.

The run list is a pure function of the command line, so a resumed batch can tell which runs
are missing, and a run's index alone fixes its parameters and seed: the results do not depend
on the number of workers or on the executor. Every value is checked through the scenario loader
before anything runs or is written.

- ``grid``: every combination of the ``--sweep`` values, ``--runs`` (or ``--reps``) runs of
  each.
- ``lhs``: a Latin hypercube (scipy) of ``--runs`` points over the ``--vary`` ranges.
- ``sobol``: Saltelli's scheme (SALib), ``--runs`` is the base sample size N, N * (D + 2) points
  for D varied keys.
- ``morris``: Morris's elementary effects (SALib), ``--runs`` is the number of trajectories N,
  N * (D + 1) points.
- ``points``: the rows of a CSV file (``--points FILE``), one parameter set each.

Every design point is run ``--reps`` times (a grid's ``--runs``), each run with its own seed.
Run ``i`` is replication ``i // P`` of point ``i % P`` (P points), so a partial batch covers
every point evenly.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import math
import shlex
import sys
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from importlib import metadata
from typing import Any, NamedTuple

import numpy as np

from wargame.batch.metrics import check_metrics
from wargame.core.options import given_by
from wargame.core.parameters import value_at
from wargame.core.scenario import (
    ScenarioError,
    load_scenario,
    parse_override,
    resolve_path,
    shipped,
)

MORRIS_LEVELS = 4
# SALib's Morris step as a share of each key's range, levels / (2 (levels - 1)): 2/3 with 4.
# Its elementary effects are output changes divided by this share.
MORRIS_STEP = Fraction(MORRIS_LEVELS, 2 * (MORRIS_LEVELS - 1))
MORRIS_MEANING = (
    f"mu* is the mean absolute change in an outcome when a key moves {MORRIS_STEP} of its range "
    f"(one step of the design), divided by {MORRIS_STEP}: it is in the outcome's units per the "
    "key's whole range (for an effect that is linear, the size of the change from LOW to "
    "HIGH); sigma is the standard deviation of those effects (large with interactions or "
    "non-linearity)"
)
MANIFEST_FORMAT = 2
SLOW_CHECK = 200  # scenario loads (about 10 ms each) from which checking the values is announced
MAX_RUNS = 100_000  # runs in one batch: about five hours of year-long runs on 2 cores
DESIGNS = ("grid", "lhs", "sobol", "morris", "points")
SAMPLED = ("lhs", "sobol", "morris")  # the designs that draw points over --vary ranges
MAX_PROBLEMS = 20  # lines of a --points file's problems shown before the rest are counted


class Run(NamedTuple):
    index: int
    seed: int
    params: dict[str, Any]

    def point(self, points: int) -> int:
        """The design point this run replicates, of ``points`` points."""
        return self.index % points


def run_seed(base_seed: int, index: int) -> int:
    """The seed of run ``index``: independent streams from one base seed (numpy SeedSequence)."""
    return int(np.random.SeedSequence([base_seed, index]).generate_state(1)[0])


@dataclass(frozen=True)
class Plan:
    """A batch as the command line defines it; its runs follow from these fields alone."""

    scenario: str  # a shipped name, or an absolute path so workers find the same file
    overrides: dict[str, Any]  # --set and --days: the same in every run
    sweep: dict[str, list[Any]]
    vary: dict[str, tuple[float, float]]
    design: str
    runs: int  # a grid's runs of each combination, or the size of a sampled design
    seed: int
    daily: bool
    name: str
    days: int
    sha256: str  # the scenario with --set and --days applied
    reps: int = 1  # runs of each point, for designs other than grid
    points: list[dict[str, Any]] = field(default_factory=list)  # --points: the file's rows
    points_file: str = ""  # as given, for the command line
    metrics: list[str] = field(default_factory=list)  # --metric: what sensitivity analyses

    @cached_property
    def run_list(self) -> list[Run]:
        points = self.design_points
        return [
            Run(i, run_seed(self.seed, i), points[i % len(points)])
            for i in range(self.replications * len(points))
        ]

    @property
    def replications(self) -> int:
        """Runs of each design point."""
        return self.runs if self.design == "grid" else self.reps

    @property
    def total(self) -> int:
        return len(self.run_list)

    @property
    def flag(self) -> str:
        """The option that gives each run its own values."""
        return {"grid": "--sweep", "points": "--points"}.get(self.design, "--vary")

    @property
    def block_size(self) -> int:
        """Runs per task: enough to amortise the overhead, few enough to balance the load."""
        return max(1, min(16, self.total // 200))

    def problem(self) -> dict[str, Any]:
        """The SALib problem of a sensitivity design."""
        return {
            "num_vars": len(self.vary),
            "names": list(self.vary),
            "bounds": [list(bounds) for bounds in self.vary.values()],
        }

    def design_matrix(self) -> np.ndarray:
        """The sample of a sampled design, one row per point, before any rounding."""
        if self.design == "lhs":
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(len(self.vary), rng=np.random.default_rng(self.seed))
            low, high = np.array(list(self.vary.values()), dtype=float).T
            return qmc.scale(unit.random(self.runs), low, high)
        if self.design == "sobol":
            from SALib.sample import sobol

            return sobol.sample(self.problem(), self.runs, calc_second_order=False, seed=self.seed)
        from SALib.sample import morris

        return morris.sample(self.problem(), self.runs, num_levels=MORRIS_LEVELS, seed=self.seed)

    @cached_property
    def design_points(self) -> list[dict[str, Any]]:
        """The parameter sets of the design, in order; each is run ``replications`` times."""
        if self.design == "grid":
            return [dict(zip(self.sweep, values, strict=True)) for values in self.combos()]
        if self.design == "points":
            return self.points
        whole = [isinstance(lo, int) and isinstance(hi, int) for lo, hi in self.vary.values()]
        return [
            {
                key: round(float(value)) if is_int else float(value)
                for key, value, is_int in zip(self.vary, row, whole, strict=True)
            }
            for row in self.design_matrix()
        ]

    def combos(self) -> list[tuple[Any, ...]]:
        return list(itertools.product(*self.sweep.values()))

    def manifest(self) -> dict[str, Any]:
        """What defines the batch; a folder is resumed only with an identical manifest."""
        listing = json.dumps([list(run) for run in self.run_list], sort_keys=True, default=str)
        manifest = {
            "format": MANIFEST_FORMAT,
            "wargame_version": metadata.version("proxy-wargame"),
            "command": self.command(),
            "scenario": self.scenario,
            "scenario_name": self.name,
            "scenario_sha256": self.sha256,
            "days": self.days,
            "set": self.overrides,
            "sweep": self.sweep,
            "vary": {k: list(v) for k, v in self.vary.items()},
            "design": self.design,
            "runs": self.runs,
            "reps": self.replications,
            "points": self.points,
            "metrics": self.metrics,
            "seed": self.seed,
            "daily": self.daily,
            "total_runs": self.total,
            "block_size": self.block_size,
            "run_list_sha256": hashlib.sha256(listing.encode()).hexdigest(),
        }
        return json.loads(json.dumps(manifest, default=str))  # as stored: dates become text

    def command(self) -> str:
        """The command line that makes this batch (for the record and the report)."""
        words = ["wargame", "batch", self.scenario]
        if self.design == "points":
            words += ["--points", self.points_file]
        else:
            words += ["--runs", str(self.runs)]
        if self.design != "grid" and self.reps > 1:
            words += ["--reps", str(self.reps)]
        words += ["--seed", str(self.seed)]
        for flag, pairs in (
            ("--set", [(k, toml_text(v)) for k, v in self.overrides.items()]),
            ("--sweep", [(k, ",".join(toml_text(v) for v in vs)) for k, vs in self.sweep.items()]),
            ("--vary", [(k, f"{lo}:{hi}") for k, (lo, hi) in self.vary.items()]),
        ):
            words += [word for key, value in pairs for word in (flag, f"{key}={value}")]
        if self.design in SAMPLED:
            words += ["--design", self.design]
        for metric in self.metrics:
            words += ["--metric", metric]
        if not self.daily:
            words.append("--no-daily")
        return shlex.join(words)


def toml_text(value: Any) -> str:
    """A value as it would be typed: strings quoted, so that they read back as strings."""
    return json.dumps(value) if isinstance(value, bool | str | list) else str(value)


def make_plan(
    scenario: str,
    *,
    runs: int | None = None,
    reps: int | None = None,
    overrides: dict[str, Any] | None = None,
    days: int | None = None,
    sweeps: list[str] | None = None,
    varies: list[str] | None = None,
    points: str | None = None,
    design: str = "grid",
    metrics: list[str] | None = None,
    seed: int = 1,
    daily: bool = True,
) -> Plan:
    """Parse and check a design (``--sweep`` and ``--vary`` texts as typed, ``points`` the
    path of a ``--points`` file, ``overrides`` including ``days`` when given); every problem is
    reported, one line each."""
    problems: list[str] = []
    overrides = dict(overrides or {})
    if points is not None:
        if design not in ("grid", "points"):
            problems.append(f"--points: a file of points is its own design; drop --design {design}")
        design = "points"
    sweep = _parse_sweeps(sweeps or [], problems)
    vary = _parse_varies(varies or [], problems)
    rows = _read_points(points, problems) if points is not None else []
    for key in sorted(set(sweep) & set(vary)):
        problems.append(f"--vary {key}: also given to --sweep; give each key once")
    for key in sorted(set(overrides) & (set(sweep) | set(vary) | set(rows[0] if rows else ()))):
        problems.append(f"--set {key}: also swept, varied or in --points; give each key once")
    runs, reps = _sizes(design, runs, reps, problems)
    if design == "grid" and varies:
        problems.append("--vary needs a sampled design: --design lhs, sobol or morris")
    if design in SAMPLED and not varies:
        problems.append(f"--design {design} needs at least one --vary KEY=LOW:HIGH")
    if design != "grid" and sweeps:
        problems.append(f"--design {design}: use --vary instead of --sweep")
    if design == "points" and varies:
        problems.append("--points: the file gives every point; drop --vary")
    total = _total_runs(design, runs, reps, sweep, vary, len(rows))
    if total > MAX_RUNS:
        problems.append(
            f"--runs {runs}: the batch would make {total:,} runs, more than {MAX_RUNS:,}; "
            "split it into batches with other --seed values"
        )
    if problems:
        raise ScenarioError(problems)

    base = load_scenario(scenario, overrides, given_by(days))
    plan = Plan(
        scenario=_worker_ref(scenario),
        overrides=overrides,
        sweep=sweep,
        vary={key: _typed(base.spec, key, bounds) for key, bounds in vary.items()},
        design=design,
        runs=len(rows) if design == "points" else runs,
        seed=seed,
        daily=daily,
        name=base.name,
        days=base.spec.scenario.days,
        sha256=base.sha256,
        reps=reps,
        points=rows,
        points_file=points or "",
        metrics=list(metrics or []),
    )
    check_metrics(plan.metrics, base)
    if design == "points":
        _check_points(plan, points or "")
    else:
        _check_values(plan)
    return plan


def _total_runs(
    design: str,
    runs: int,
    reps: int,
    sweep: dict[str, list[Any]],
    vary: dict[str, Any],
    rows: int,
) -> int:
    """How many runs a design makes: the swept combinations times --runs (grid), the file's
    points, or the design's points (lhs N, sobol N (D + 2), morris N (D + 1) for D varied
    keys), times --reps."""
    if design == "grid":
        return runs * math.prod(len(values) for values in sweep.values())
    if design == "points":
        return rows * reps
    return runs * reps * {"lhs": 1, "sobol": len(vary) + 2, "morris": len(vary) + 1}[design]


def _sizes(design: str, runs: int | None, reps: int | None, problems: list[str]) -> tuple[int, int]:
    """The design's size and the runs of each point, from --runs and --reps: a grid's --runs is
    already its runs of each combination, a file of points has its own size."""
    if design == "grid":
        if runs is not None and reps is not None:
            problems.append("--reps: with a grid, --runs is already the runs of each combination")
        if runs is None and reps is None:
            problems.append("--runs: give the runs of each combination (or --reps)")
        return runs or reps or 1, 1
    reps = reps or 1
    if design == "points":
        if runs is not None:
            problems.append("--runs: with --points the file gives the points; use --reps")
        return 0, reps
    if runs is None:
        problems.append(f"--runs: give the size of the {design} design")
        return 0, reps
    if design == "sobol" and runs & (runs - 1):
        problems.append(
            f"--runs {runs}: with --design sobol it is the base sample size N, "
            "which must be a power of 2 (e.g. 64, 256, 1024)"
        )
    if design == "morris" and runs < 2:
        problems.append("--runs: --design morris needs at least 2 trajectories")
    if design == "lhs" and runs < 2:
        problems.append("--runs: --design lhs needs at least 2 points")
    return runs, reps


def _typed(spec: Any, key: str, bounds: tuple[float, float]) -> tuple[float, float]:
    """Bounds of the type the scenario holds at ``key``: a key that holds whole numbers gets
    whole numbers (the design's values rounded), any other key gets floating point numbers."""
    node = value_at(spec, key)
    if isinstance(node, int) and not isinstance(node, bool):
        low, high = (int(b) if float(b).is_integer() else b for b in bounds)
        return low, high  # a fractional bound is left for the loader to refuse
    return float(bounds[0]), float(bounds[1])


def _worker_ref(ref: str) -> str:
    path = resolve_path(ref)
    return ref if shipped().get(ref) == path else str(path.resolve())


def _split_key(flag: str, text: str, example: str, problems: list[str]) -> tuple[str, str] | None:
    key, sep, rest = text.partition("=")
    key, rest = key.strip(), rest.strip()
    if not sep or not key or not rest:
        problems.append(f"{flag} {text}: expected {example}")
        return None
    return key, rest


def _parse_sweeps(texts: list[str], problems: list[str]) -> dict[str, list[Any]]:
    sweep: dict[str, list[Any]] = {}
    for text in texts:
        parts = _split_key(
            "--sweep", text, "KEY=V1,V2,..., e.g. actors.iran.resolve=0.3,0.9", problems
        )
        if parts is None:
            continue
        key, rest = parts
        items = [item.strip() for item in rest.split(",")]
        if key in sweep:
            problems.append(f"--sweep {key}: given twice; list all its values once")
        elif "" in items:
            problems.append(f"--sweep {text}: an empty value (values are separated by commas)")
        else:
            values = [parse_override(f"{key}={item}")[1] for item in items]
            kinds = {_kind(v) for v in values}
            if len(kinds) > 1:
                problems.append(f"--sweep {text}: mixes numbers, text and true/false")
            elif same := _same_value(items, values):
                problems.append(f"--sweep {text}: {same} are the same value; list it once")
            else:
                sweep[key] = values
    return sweep


def _same_value(items: list[str], values: list[Any]) -> str | None:
    """Two items that read as the same value (such as 1 and 1.0), which would make two
    identical combinations under different labels (found in one pass, for any number)."""
    seen: dict[Any, str] = {}
    for item, value in zip(items, values, strict=True):
        key = value if isinstance(value, Hashable) else json.dumps(value, default=str)
        if key in seen:
            return f"{seen[key]} and {item}"
        seen[key] = item
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else type(value).__name__


def _parse_varies(texts: list[str], problems: list[str]) -> dict[str, tuple[float, float]]:
    vary: dict[str, tuple[float, float]] = {}
    example = "KEY=LOW:HIGH with numbers, e.g. actors.iran.resolve=0.2:0.9"
    for text in texts:
        parts = _split_key("--vary", text, example, problems)
        if parts is None:
            continue
        key, rest = parts
        bounds = [parse_override(f"{key}={item}")[1] for item in rest.split(":")]
        if len(bounds) != 2 or not all(_kind(b) == "number" for b in bounds):
            problems.append(f"--vary {text}: expected {example}")
        elif not bounds[0] < bounds[1]:
            problems.append(f"--vary {text}: LOW must be below HIGH")
        elif key in vary:
            problems.append(f"--vary {key}: given twice")
        else:
            vary[key] = (bounds[0], bounds[1])
    return vary


def _read_points(path: str, problems: list[str]) -> list[dict[str, Any]]:
    """The rows of a --points file, each a dict of typed values (read as --set reads them); a
    problem names the file, the row (as a spreadsheet numbers it, the header being row 1) and
    the key."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            table = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        problems.append(f"--points {path}: cannot be read ({reason})")
        return []
    table = [row for row in table if any(cell.strip() for cell in row)]
    if len(table) < 2:
        problems.append(
            f"--points {path}: expected a header row of scenario keys and a row per point"
        )
        return []
    keys = [cell.strip() for cell in table[0]]
    found: list[str] = []
    for column, key in enumerate(keys, 1):
        if not key:
            found.append(f"{path}: row 1, column {column}: no key")
        elif keys.index(key) < column - 1:
            found.append(f"{path}: row 1, {key}: given twice")
    rows = []
    for number, cells in enumerate(table[1:], 2):
        if len(cells) != len(keys):
            found.append(f"{path}: row {number}: {len(cells)} values for {len(keys)} keys")
            continue
        row = {}
        for key, cell in zip(keys, cells, strict=True):
            if not key:
                continue
            if not cell.strip():
                found.append(f"{path}: row {number}, {key}: no value")
            row[key] = parse_override(f"{key}={cell}")[1]
        rows.append(row)
    problems += _capped(found)
    return rows


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_PROBLEMS:
        return lines
    return [*lines[:MAX_PROBLEMS], f"(and {len(lines) - MAX_PROBLEMS} more problems)"]


def _check_points(plan: Plan, path: str) -> None:
    """Load the scenario with every point of a --points file; a problem names the file, the
    row and the key."""
    found: list[str] = []
    for number, point in enumerate(plan.points, 2):
        given = {key: f"{path}: row {number}, {key}" for key in point}
        try:
            load_scenario(plan.scenario, {**plan.overrides, **point}, given)
        except ScenarioError as exc:
            found += exc.lines
    if found:
        raise ScenarioError(_capped(found))


def _check_values(plan: Plan) -> None:
    """Load the scenario with every swept combination, or with every value that each varied key
    takes in the design, so that a bad key or value stops the batch before any run. A design is
    checked in layers (load j gives every key its j-th value), so the loads number the values
    of one key (4 with morris, about 2N with sobol), not the runs; a key's bad values are
    reported in one line."""
    if plan.design == "grid":
        points = [dict(zip(plan.sweep, c, strict=True)) for c in plan.combos()]
        taken = {key: len(values) for key, values in plan.sweep.items()}
    else:
        values = {key: sorted({point[key] for point in plan.design_points}) for key in plan.vary}
        layers = max(len(v) for v in values.values())
        points = [{key: v[j % len(v)] for key, v in values.items()} for j in range(layers)]
        taken = {key: len(v) for key, v in values.items()}
    if len(points) >= SLOW_CHECK:
        print(
            f"checking the scenario with {len(points)} sets of {plan.flag} values", file=sys.stderr
        )
    first: dict[str, str] = {}  # the first problem with each key (or each other problem)
    more: dict[str, set[str]] = {}  # the other problems of the same key
    for point in points:
        try:
            load_scenario(
                plan.scenario, {**plan.overrides, **point}, given_by_flag(plan.flag, point)
            )
        except ScenarioError as exc:
            for line in exc.lines:
                mine = line.startswith(f"{plan.flag} ")  # about one key; else kept as it is
                key = line.split(":", 1)[0] if mine else line
                if first.setdefault(key, line) != line:
                    more.setdefault(key, set()).add(line)
    if first:
        raise ScenarioError([_with_more(line, key, more, taken) for key, line in first.items()])


def given_by_flag(flag: str, keys: Iterable[str]) -> dict[str, str]:
    """How a run's own values were given (``--sweep KEY`` or ``--vary KEY``), for errors."""
    return {key: f"{flag} {key}" for key in keys}


def _with_more(line: str, key: str, more: dict[str, set[str]], taken: dict[str, int]) -> str:
    """A key's first problem, saying how many more it has: a design can draw hundreds of bad
    values for one key, which would bury every other line."""
    if key not in more:
        return line
    values = taken.get(key.split(" ", 1)[-1])
    of = f" of the {values} values it takes" if values else ""
    return f"{line} (and {len(more[key])} more{of})"
