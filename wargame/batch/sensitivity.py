"""Which varied assumptions drive the outcomes: Sobol indices, Morris elementary effects or,
for a Latin hypercube, Borgonovo's delta (SALib), from the runs table of a sampled design.

Each metric is averaged over the replications of a design point (``--reps``) before the
analysis, so the indices measure the keys' effect on the mean run; the model's own randomness
left in that mean (its noise share, in the summary) still widens the intervals. Sobol and Morris
need their own designs; delta is a given-data method that suits noisy outputs and any sample.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from wargame.batch.design import MORRIS_LEVELS, Plan
from wargame.batch.metrics import DEFAULTS, Metric, parse_metric
from wargame.batch.summary import finished

ESTIMATORS = {"sobol": "sobol", "morris": "morris", "lhs": "delta"}
KEYS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
    "delta": ("delta", "delta_conf"),
}
DELTA_RESAMPLES = 50  # bootstrap samples of delta's interval (SALib computes 3 kinds of delta)
RANDOM = "(random numbers)"  # a key of noise beside the varied ones: delta's floor


def metrics_of(plan: Plan) -> list[Metric]:
    """What the analysis measures: the --metric options, or the default outcomes."""
    return [parse_metric(text) for text in plan.metrics] or [Metric(c, c) for c in DEFAULTS]


def analyse(plan: Plan, runs: pd.DataFrame) -> dict[str, Any]:
    """The indices of every metric, by varied key, as plain JSON-ready values."""
    metrics = metrics_of(plan)
    estimator = ESTIMATORS[plan.design]
    result: dict[str, Any] = {
        "design": plan.design,
        "estimator": estimator,
        "base_sample": plan.runs,
        "reps": plan.replications,
        "factors": {key: list(bounds) for key, bounds in plan.vary.items()},
        **({"reference": RANDOM} if estimator == "delta" else {}),
        "outcome_labels": {m.text: m.label for m in metrics},
    }
    ok = finished(runs).sort_values("run")
    if len(ok) < plan.total:
        result["error"] = (
            f"not computed: {plan.total - len(ok)} of {plan.total} runs failed, "
            "and the indices need every point of the design"
        )
        return result
    points = len(plan.design_points)
    result["outcomes"] = {}
    for metric in metrics:
        y = metric.values(ok)
        missing = int(np.isnan(y).sum())
        if missing:
            result["outcomes"][metric.text] = {
                "error": f"{metric.column} has no value in {missing} runs; "
                f"measure a threshold instead, such as '{metric.column}<=30'"
            }
            continue
        means = y.reshape(plan.replications, points).mean(axis=0)
        result["outcomes"][metric.text] = _indices(plan, estimator, means)
    return result


def _indices(plan: Plan, estimator: str, y: np.ndarray) -> dict[str, Any]:
    if np.ptp(y) == 0:
        return {"constant": float(y[0])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if estimator == "sobol":
            from SALib.analyze import sobol

            found = sobol.analyze(plan.problem(), y, calc_second_order=False, seed=plan.seed)
        elif estimator == "morris":
            from SALib.analyze import morris

            x = plan.design_matrix()
            found = morris.analyze(plan.problem(), x, y, num_levels=MORRIS_LEVELS, seed=plan.seed)
        else:
            return _delta(plan, y)
    return {
        key: dict(zip(plan.vary, map(_plain, found[key]), strict=True)) for key in KEYS[estimator]
    }


def _delta(plan: Plan, y: np.ndarray) -> dict[str, Any]:
    """Borgonovo's delta of each varied key, and of a column of random numbers: delta is
    biased upward at small samples, and the noise column shows how far (a key whose delta is
    no higher than the noise's has no visible effect)."""
    from SALib.analyze import delta

    x = np.array([[p[k] for k in plan.vary] for p in plan.design_points], dtype=float)
    noise = np.random.default_rng(plan.seed).random(len(x))
    names = [*plan.vary, RANDOM]
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [*plan.problem()["bounds"], [0.0, 1.0]],
    }
    quiet = io.StringIO()
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):  # bin notes
            found = delta.analyze(
                problem,
                np.column_stack([x, noise]),
                y,
                num_resamples=DELTA_RESAMPLES,
                seed=plan.seed,
                method="delta",
            )
    except (ValueError, np.linalg.LinAlgError) as exc:  # too few distinct values to smooth
        return {"error": f"not computed: the values are too few or too alike ({exc})"}
    return {
        "delta": dict(zip(names, map(_plain, found["delta_raw"]), strict=True)),
        "delta_conf": dict(zip(names, map(_plain, found["delta_raw_conf"]), strict=True)),
    }


def _plain(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 6)
