"""Scenario discovery: which ranges of which varied assumptions lead to a class of runs.

PRIM (the Patient Rule Induction Method, Friedman and Fisher 1999), as the EMA Workbench uses it
for scenario discovery (Bryant and Lempert 2010): start from the box that holds every run, peel
off, again and again, the ``ALPHA`` share of the runs at one end of one key that leaves the
densest box, until the box holds less than ``MASS_MIN`` of the runs. Of the boxes on that path,
take the one with the best balance of coverage and density (their harmonic mean), then drop each
restriction that chance explains (its quasi-p-value, a one-sided binomial test of the box
against the box without it, above ``QP_MAX``). Further boxes are found the same way among the
runs outside the earlier ones (covering), while a box is denser than the batch as a whole and,
beyond chance, than the runs left.

A few hundred lines of numpy rather than the EMA Workbench (about 550 MB with what it needs) or
the unmaintained ``prim`` package; it is tested against a case whose box is known. The feature
scores come from an extra-trees forest (scikit-learn), the Workbench's ``feature_scoring``
model, but as permutation importances on runs the forest was not fitted on, with a column of
random numbers among the keys: impurity importances favour a key of many values (a column of
noise scored 0.99 against Iran's resolve at two values), permutation scores leave noise at 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wargame.batch.metrics import Metric, parse_metric, unknown_column
from wargame.batch.store import read_batch
from wargame.batch.summary import changed_keys, finished
from wargame.core.options import UsageError

ALPHA = 0.05  # the share of the box's runs one peel removes
MASS_MIN = 0.05  # peeling stops at boxes holding less than this share of all runs
QP_MAX = 0.05  # a restriction whose quasi-p-value is above this is dropped
MAX_BOXES = 3
MIN_CASES = 5  # covering stops when fewer cases are left outside the boxes
TREES = 100
LEAF = 0.01  # a leaf holds at least this share of the runs a forest is fitted on
REPEATS = 5  # shuffles of each key
RANDOM = "(random numbers)"


@dataclass(frozen=True)
class Box:
    """A box of runs: its restricted keys' ranges, and how much of what it holds."""

    limits: dict[str, tuple[float, float]]  # the restricted keys only
    runs: int  # runs inside
    cases: int  # cases of interest inside
    coverage: float  # share of all cases that are inside
    density: float  # share of the runs inside that are cases
    mass: float  # share of all runs that are inside
    qp: dict[str, float]  # the quasi-p-value of each restriction


@dataclass(frozen=True)
class Discovery:
    target: str
    keys: list[str]
    ranges: dict[str, tuple[float, float]]  # each key's range over the runs
    runs: int
    cases: int
    boxes: list[Box]
    scores: dict[str, float]  # feature scores, highest first, the random column among them
    left_out: list[str]  # keys that are not numbers, or the same in every run


def discover(
    x: pd.DataFrame, y: np.ndarray, target: str, *, boxes: int = MAX_BOXES, seed: int = 1
) -> Discovery:
    """PRIM boxes and feature scores of the cases ``y`` (True for a case) over the keys that
    are the columns of ``x``."""
    keys, left_out = [], []
    for key in x.columns:
        column = x[key]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
            left_out.append(f"{key} (not a number)")
        elif column.nunique() < 2:
            left_out.append(f"{key} (the same in every run)")
        else:
            keys.append(key)
    data = x[keys].to_numpy(float)
    y = np.asarray(y, dtype=bool)
    ranges = {k: (float(data[:, j].min()), float(data[:, j].max())) for j, k in enumerate(keys)}
    found: list[Box] = []
    if keys and y.any() and not y.all():
        found = _covering(data, y, keys, boxes)
    return Discovery(
        target, keys, ranges, len(y), int(y.sum()), found, _scores(data, y, keys, seed), left_out
    )


def _covering(data: np.ndarray, y: np.ndarray, keys: list[str], count: int) -> list[Box]:
    """Boxes found one after the other, each among the runs outside the earlier ones."""
    boxes: list[Box] = []
    left = np.ones(len(y), dtype=bool)
    while len(boxes) < count and y[left].sum() >= MIN_CASES:
        limits = _box(data[left], y[left], len(y))
        if limits is None:
            break
        box = _describe(data, y, left, limits, keys)
        inside = left & _inside(data, _limits(box, data, left, keys))
        if (
            any(qp > QP_MAX for qp in box.qp.values())
            or box.density <= y.mean()  # no denser than the batch as a whole
            or not _denser(y[inside], y[left])
        ):
            break
        boxes.append(box)
        left &= ~inside
    return boxes


def _box(data: np.ndarray, y: np.ndarray, total: int) -> np.ndarray | None:
    """The limits (a row of lows, a row of highs) of the box chosen on the peeling path."""
    limits = np.array([data.min(axis=0), data.max(axis=0)])
    path = [limits.copy()]
    inside = np.ones(len(y), dtype=bool)
    while True:
        peel = _best_peel(data, y, inside, limits)
        if peel is None or peel[1].sum() / total < MASS_MIN:
            break
        limits, inside = peel
        path.append(limits.copy())
    balance = []
    for box in path:
        mask = _inside(data, box)
        n, k = int(mask.sum()), int(y[mask].sum())
        density, coverage = k / max(n, 1), k / y.sum()
        balance.append(2 * density * coverage / (density + coverage) if k else 0.0)
    chosen = int(np.argmax(balance))  # the first of equals: the largest box
    return path[chosen] if chosen else None


def _best_peel(
    data: np.ndarray, y: np.ndarray, inside: np.ndarray, limits: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The peel of ``ALPHA`` of the box's runs at one end of one key that leaves the densest
    box (the larger one on a tie); None when no peel leaves a box with runs in it."""
    best: tuple[float, int, np.ndarray, np.ndarray] | None = None
    for j in range(data.shape[1]):
        values = data[inside, j]
        for side, q in ((0, ALPHA), (1, 1 - ALPHA)):
            cut = np.quantile(values, q)
            keep = values >= cut if side == 0 else values <= cut
            if keep.all():  # ties at the end: peel the end value itself
                end = values.min() if side == 0 else values.max()
                keep = values != end
            if not keep.any() or keep.all():
                continue
            kept = inside.copy()
            kept[inside] = keep
            density = y[kept].mean()
            if best is None or (density, kept.sum()) > (best[0], best[1]):
                new = limits.copy()
                new[side, j] = values[keep].min() if side == 0 else values[keep].max()
                best = (density, int(kept.sum()), new, kept)
    return None if best is None else (best[2], best[3])


def _limits(box: Box, data: np.ndarray, left: np.ndarray, keys: list[str]) -> np.ndarray:
    """A box's limits as a row of lows and a row of highs, unrestricted keys at their ends."""
    limits = np.array([data[left].min(axis=0), data[left].max(axis=0)])
    for key, (low, high) in box.limits.items():
        limits[:, keys.index(key)] = low, high
    return limits


def _inside(data: np.ndarray, limits: np.ndarray) -> np.ndarray:
    return ((data >= limits[0]) & (data <= limits[1])).all(axis=1)


def _denser(inside: np.ndarray, left: np.ndarray) -> bool:
    """Whether a box's share of cases is above that of the runs it was found among, beyond
    chance (a one-sided binomial test at ``QP_MAX``)."""
    from scipy.stats import binomtest

    base = left.mean()
    if len(inside) == 0 or base >= 1:
        return False
    return binomtest(int(inside.sum()), len(inside), base, alternative="greater").pvalue < QP_MAX


def _describe(
    data: np.ndarray, y: np.ndarray, left: np.ndarray, limits: np.ndarray, keys: list[str]
) -> Box:
    """A box's restrictions, less those that chance explains, and its statistics over the runs
    it was found among."""
    full = np.array([data[left].min(axis=0), data[left].max(axis=0)])
    restricted = [j for j in range(len(keys)) if (limits[:, j] != full[:, j]).any()]
    while True:
        qp = {j: _quasi_p(data[left], y[left], limits, full, j) for j in restricted}
        worst = max(qp, key=lambda j: qp[j], default=None)
        if worst is None or qp[worst] <= QP_MAX or len(restricted) == 1:
            break
        limits = limits.copy()
        limits[:, worst] = full[:, worst]
        restricted.remove(worst)
    inside = left & _inside(data, limits)
    n, k = int(inside.sum()), int(y[inside].sum())
    return Box(
        limits={keys[j]: (float(limits[0, j]), float(limits[1, j])) for j in restricted},
        runs=n,
        cases=k,
        coverage=k / int(y.sum()),
        density=k / n if n else 0.0,
        mass=n / len(y),
        qp={keys[j]: float(qp[j]) for j in restricted},
    )


def _quasi_p(
    data: np.ndarray, y: np.ndarray, limits: np.ndarray, full: np.ndarray, j: int
) -> float:
    """How likely the box's cases would be, were its density that of the box without the
    restriction on key ``j``: a one-sided binomial test (the EMA Workbench's quasi-p-value)."""
    from scipy.stats import binomtest

    inside = _inside(data, limits)
    wider = limits.copy()
    wider[:, j] = full[:, j]
    without = y[_inside(data, wider)].mean()
    n, k = int(inside.sum()), int(y[inside].sum())
    if without >= 1:
        return 1.0
    return float(binomtest(k, n, without, alternative="greater").pvalue)


def _scores(data: np.ndarray, y: np.ndarray, keys: list[str], seed: int) -> dict[str, float]:
    """How much worse an extra-trees forest tells the cases from the other runs when a key's
    values are shuffled (the fall in its ROC AUC on the half of the runs it was not fitted on,
    averaged over both halves), with a column of random numbers among the keys for scale;
    empty when there is nothing to tell."""
    if not keys or y.sum() < 2 or (~y).sum() < 2:
        return {}
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.inspection import permutation_importance

    rng = np.random.default_rng(seed)
    features = np.column_stack([data, rng.random(len(y))])
    half = rng.permutation(len(y)) % 2 == 0
    total = np.zeros(features.shape[1])
    for fit in (half, ~half):
        if y[fit].all() or not y[fit].any() or y[~fit].all() or not y[~fit].any():
            return {}
        forest = ExtraTreesClassifier(
            n_estimators=TREES, max_features=0.6, min_samples_leaf=LEAF, random_state=seed
        ).fit(features[fit], y[fit])
        found = permutation_importance(
            forest, features[~fit], y[~fit], scoring="roc_auc", n_repeats=REPEATS,
            random_state=seed,
        )  # fmt: skip
        total += found.importances_mean / 2
    scores = dict(zip([*keys, RANDOM], map(float, total), strict=True))
    return dict(sorted(scores.items(), key=lambda item: -item[1]))


def as_json(found: Discovery) -> dict[str, Any]:
    """A discovery as plain values, for a file or a test."""
    return {
        "target": found.target,
        "runs": found.runs,
        "cases": found.cases,
        "ranges": found.ranges,
        "boxes": [box.__dict__ for box in found.boxes],
        "scores": found.scores,
        "left_out": found.left_out,
    }


# ----- a batch folder -----
def target_metric(outcome: str | None, metric: str | None) -> Metric:
    """What to discover: ``--outcome CLASS`` or a yes-or-no ``--metric``; by default, a
    direct exchange between the key pair (a limited exchange or a regional war)."""
    if outcome is not None and metric is not None:
        raise UsageError("--outcome and --metric: give one of them")
    if outcome is not None:
        return parse_metric(f"outcome={outcome}", "--outcome")
    found = parse_metric(metric or "direct_exchange")
    if not found.binary:
        raise UsageError(
            f"--metric {metric}: discovery needs a yes or no for each run: a class "
            "(--outcome limited_exchange) or a comparison, such as 'peak_rung>=6'"
        )
    return found


def discover_batch(
    manifest: dict[str, Any], ok: pd.DataFrame, target: Metric, boxes: int = MAX_BOXES
) -> Discovery:
    """PRIM and feature scores over the keys a finished batch changes, for ``target``."""
    keys = changed_keys(manifest)
    if not keys:
        raise UsageError(
            "the batch changes no key (no --sweep, --vary or --points): there is nothing to "
            "discover"
        )
    if target.column not in ok:
        raise UsageError(f"--metric {target.text}: {unknown_column(target.column, set(ok))}")
    cases = target.values(ok) == 1
    return discover(ok[keys], cases, target.cases, boxes=boxes, seed=manifest["seed"])


def number(value: float) -> str:
    """A box limit for people: three significant digits, no trailing zeros."""
    return f"{value:.3g}"


def discovery_lines(found: Discovery) -> list[str]:
    """The boxes and the feature scores, as the console prints them."""
    share = found.cases / max(found.runs, 1)
    lines = [
        f"Scenario discovery: the {found.target}: {found.cases} of {found.runs} runs "
        f"({100 * share:.1f}%), the cases",
        f"PRIM over {', '.join(found.keys) or 'no key'}: peels of {ALPHA:.0%}, boxes of at "
        f"least {MASS_MIN:.0%} of the runs; restrictions chance explains (qp > {QP_MAX}) dropped",
    ]
    lines += [f"  left out: {key}" for key in found.left_out]
    if not found.boxes:
        lines.append(
            "  No box: no range of these keys holds the cases markedly more densely than the "
            "batch as a whole."
        )
    for i, box in enumerate(found.boxes, 1):
        among = " among the runs outside the boxes above" if i > 1 else ""
        lines += [
            "",
            f"Box {i}{among}: {box.runs} runs ({100 * box.mass:.1f}% of all), density "
            f"{100 * box.density:.1f}% (the share of its runs that are cases), coverage "
            f"{100 * box.coverage:.1f}% (the share of all cases inside it)",
        ]
        for key, (low, high) in box.limits.items():
            whole = found.ranges[key]
            within = f"{number(low)} to {number(high)}"
            lines.append(
                f"  {key:40} {within:>20}   of {number(whole[0])} to {number(whole[1])}, "
                f"qp {box.qp[key]:.1g}"
            )
    if found.scores:
        lines += [
            "",
            "Feature scores (ROC AUC an extra-trees forest loses when the key is shuffled; "
            "random numbers give the scale)",
        ]
        lines += [f"  {key:40} {score:.3f}" for key, score in found.scores.items()]
    return lines


def discover_folder(
    folder: Path, outcome: str | None, metric: str | None, boxes: int = MAX_BOXES
) -> str:
    """``wargame discover``: the boxes and feature scores of a finished batch, as text."""
    target = target_metric(outcome, metric)
    manifest, runs = read_batch(folder)
    ok = finished(runs)
    if ok.empty:
        raise UsageError(f"{folder}: no run of this batch finished; see the 'error' column")
    return "\n".join(discovery_lines(discover_batch(manifest, ok, target, boxes)))
