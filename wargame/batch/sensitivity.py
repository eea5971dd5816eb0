"""Which varied assumptions drive the outcomes: Sobol indices or Morris elementary effects
(SALib), computed from the runs table of a ``--design sobol`` or ``morris`` batch.

Each design point is one seeded run, so the indices also carry the model's own randomness:
a key whose indices are near their confidence half-width may matter no more than chance.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from wargame.batch.design import MORRIS_LEVELS, Plan
from wargame.batch.summary import finished

OUTCOMES: dict[str, str] = {
    "peak_rung": "peak rung",
    "direct_exchange": "direct exchange (0/1)",
    "hormuz_flow_min_mbd": "Hormuz min (mb/d)",
    "oil_price_max_usd": "Brent max (USD)",
    "casualties_total": "killed, all sides",
}
SOBOL_KEYS = ("S1", "S1_conf", "ST", "ST_conf")
MORRIS_KEYS = ("mu_star", "mu_star_conf", "sigma", "mu")


def analyse(plan: Plan, runs: pd.DataFrame) -> dict[str, Any]:
    """The indices of every outcome, by varied key, as plain JSON-ready values."""
    result: dict[str, Any] = {
        "design": plan.design,
        "base_sample": plan.runs,
        "factors": {key: list(bounds) for key, bounds in plan.vary.items()},
        "outcome_labels": OUTCOMES,
    }
    ok = finished(runs).sort_values("run")
    if len(ok) < plan.total:
        result["error"] = (
            f"not computed: {plan.total - len(ok)} of {plan.total} runs failed, "
            "and the indices need every point of the design"
        )
        return result
    result["outcomes"] = {name: _indices(plan, ok[name].to_numpy(float)) for name in OUTCOMES}
    return result


def _indices(plan: Plan, y: np.ndarray) -> dict[str, Any]:
    if np.ptp(y) == 0:
        return {"constant": float(y[0])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if plan.design == "sobol":
            from SALib.analyze import sobol

            found = sobol.analyze(plan.problem(), y, calc_second_order=False, seed=plan.seed)
            keys = SOBOL_KEYS
        else:
            from SALib.analyze import morris

            x = plan.design_matrix()
            found = morris.analyze(plan.problem(), x, y, num_levels=MORRIS_LEVELS, seed=plan.seed)
            keys = MORRIS_KEYS
    return {key: dict(zip(plan.vary, map(_plain, found[key]), strict=True)) for key in keys}


def _plain(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 6)
