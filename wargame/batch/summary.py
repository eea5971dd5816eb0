"""What a batch says, as numbers: outcome shares with their uncertainty, the peak rungs reached,
the key metrics, overall and per swept value. The terminal summary and the HTML report both
read it, so they never disagree.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from wargame.batch.design import MORRIS_MEANING
from wargame.batch.metrics import DEFAULTS, Metric, parse_metric
from wargame.core import DISCLAIMER
from wargame.core.ladder import LADDER, OUTCOME_NAMES, OUTCOMES, Rung

Z95 = 1.959964
WIDE = 0.1  # a Sobol or delta index's 95% half-width beyond which its ranking means little
KEY_METRICS: dict[str, str] = {
    "peak_rung": "peak rung",
    "peak_day": "day of the peak",
    "direct_exchange_day": "first direct strike, key pair (day)",
    "oil_offline_max_mbd": "oil offline at most (mb/d)",
    "hormuz_flow_min_mbd": "Hormuz flow at least (mb/d)",
    "oil_price_max_usd": "Brent at most (USD)",
    "casualties_total": "killed, all sides",
    "convoys.interdicted": "convoys interdicted",
}


def changed_keys(manifest: dict[str, Any]) -> list[str]:
    """The keys a batch gives each run its own value of: swept, varied or in --points."""
    points = manifest.get("points") or []
    return [
        *manifest["sweep"],
        *manifest["vary"],
        *dict.fromkeys(key for point in points for key in point),
    ]


def finished(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs that did not raise, with derived outcome columns: whether the key pair struck
    each other directly (0 or 1), and the dead of all sides."""
    ok = runs[runs["error"].isna()].copy()
    if ok.empty:
        return ok
    ok["direct_exchange"] = ok["direct_exchange_day"].notna().astype(float)
    ok["casualties_total"] = ok.filter(regex=r"^casualties\.").sum(axis=1)
    return ok


def days_text(manifest: dict[str, Any]) -> str:
    """How long the runs are: the batch's length, or the range of a swept or varied length
    (``scenario.days``), so that a header never claims one length for all runs."""
    key = "scenario.days"
    if key in manifest["sweep"]:
        low, high = min(manifest["sweep"][key]), max(manifest["sweep"][key])
    elif key in manifest["vary"]:
        low, high = manifest["vary"][key]
    else:
        return f"{manifest['days']} days"
    return f"{low} to {high} days"


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a share k/n: honest for small n and shares near 0 or 1."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def outcome_shares(ok: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome class: runs, share and its 95% interval."""
    n = len(ok)
    counts = ok["outcome"].value_counts()
    rows = []
    for outcome in OUTCOMES:
        k = int(counts.get(outcome, 0))
        lo, hi = wilson(k, n)
        rows.append(
            {"outcome": outcome, "runs": k, "share": k / n if n else math.nan, "lo": lo, "hi": hi}
        )
    return pd.DataFrame(rows).set_index("outcome")


def rung_distribution(ok: pd.DataFrame) -> pd.Series:
    """Share of runs whose peak was each rung of the ladder."""
    counts = ok["peak_rung"].value_counts()
    n = max(len(ok), 1)
    return pd.Series({int(r): counts.get(int(r), 0) / n for r in Rung}, name="share")


def metric_ranges(ok: pd.DataFrame) -> pd.DataFrame:
    """Mean and 5-95% range of each key metric (over the runs where it has a value)."""
    rows = {}
    for column, label in KEY_METRICS.items():
        values = ok[column].dropna().astype(float) if column in ok else pd.Series(dtype=float)
        rows[column] = {
            "label": label,
            "runs": len(values),
            "mean": values.mean(),
            "p5": values.quantile(0.05) if len(values) else math.nan,
            "p95": values.quantile(0.95) if len(values) else math.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def by_value(ok: pd.DataFrame, key: str) -> pd.DataFrame:
    """Outcome shares (with intervals) and the mean peak rung for each value of a swept key."""
    rows = []
    for value, group in ok.groupby(key, sort=True):
        shares = outcome_shares(group)
        row: dict[str, Any] = {key: value, "runs": len(group)}
        for outcome, s in shares.iterrows():
            row[outcome] = s["share"]
            row[f"{outcome}_lo"], row[f"{outcome}_hi"] = s["lo"], s["hi"]
        row["peak_rung_mean"] = group["peak_rung"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def incident_means(groups: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """The mean count per run of each incident kind, one column per group of runs, the kinds
    whose means differ most between the groups first (the spread of the means over the
    standard deviation of the counts over all the groups' runs)."""
    columns = [c for c in groups[0][1].columns if c.startswith("incidents.")]
    table = pd.DataFrame({label: g[columns].mean() for label, g in groups})
    spread = (table.max(axis=1) - table.min(axis=1)) / pd.concat(
        [g[columns] for _, g in groups]
    ).std().replace(0, np.nan)
    order = spread.fillna(0).sort_values(ascending=False, kind="stable").index
    table = table.loc[order]
    table.index = [name.removeprefix("incidents.") for name in table.index]
    table["spread"] = spread.loc[order].to_numpy()
    return table


def opened_by(groups: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Which side of the key pair struck the other first: the share of each group's runs, one
    row per side (empty for a batch whose table does not say)."""
    if "direct_exchange_by" not in groups[0][1]:
        return pd.DataFrame()
    sides = sorted({s for _, g in groups for s in g["direct_exchange_by"].dropna()})
    return pd.DataFrame(
        {label: [(g["direct_exchange_by"] == s).mean() for s in sides] for label, g in groups},
        index=sides,
    )


def render(manifest: dict[str, Any], runs: pd.DataFrame, sensitivity: dict[str, Any] | None) -> str:
    """The summary printed at the end of a batch."""
    ok = finished(runs)
    failed = len(runs) - len(ok)
    lines = [
        f"{manifest['scenario_name']}: {len(runs)} runs of {days_text(manifest)}, "
        f"base seed {manifest['seed']}, {design_text(manifest)}"
        + (f"; {failed} failed" if failed else ""),
        DISCLAIMER,
        "",
    ]
    if ok.empty:
        return "\n".join([*lines, "No run finished: see the 'error' column of runs.parquet."])
    lines.append("Outcomes (share of runs, 95% Wilson interval)")
    for outcome, s in outcome_shares(ok).iterrows():
        interval = _interval(s["lo"], s["hi"])
        lines.append(
            f"  {OUTCOME_NAMES[outcome]:18} {_pct(s['share']):>6}  {interval:13} "
            f"{int(s['runs']):>6} runs"
        )
    lines += ["", "Peak rung (share of runs)"]
    for rung, share in rung_distribution(ok).items():
        bar = "#" * round(40 * share)
        lines.append(f"  {rung} {LADDER[Rung(rung)].title:26} {_pct(share):>6}  {bar}")
    lines += ["", "Key metrics (mean, 5-95% of the runs with a value)"]
    for _, m in metric_ranges(ok).iterrows():
        if not m["runs"]:
            lines.append(f"  {m['label']:50}      none")
            continue
        line = f"  {m['label']:50} {m['mean']:9.2f}   {m['p5']:8.2f} - {m['p95']:.2f}"
        some = f"   in {m['runs']} of {len(ok)} runs" if m["runs"] < len(ok) else ""
        lines.append(line + some)
    for key in manifest["sweep"]:
        lines += ["", *_by_value_lines(ok, key)]
    noise = noise_shares(ok, manifest)
    if noise:
        lines += ["", *_noise_lines(noise, manifest)]
    if sensitivity:
        lines += ["", *sensitivity_lines(sensitivity)]
    return "\n".join(lines)


def design_text(manifest: dict[str, Any]) -> str:
    """The design in a few words: its kind, its points and the runs of each."""
    design, reps = manifest["design"], manifest.get("reps", 1)
    if design == "grid" and not manifest["sweep"]:
        return "the same values in every run"
    if design == "grid":
        combos = math.prod(len(v) for v in manifest["sweep"].values())
        return f"grid of {combos} combination{'s' * (combos > 1)}, {manifest['runs']} runs each"
    points = manifest["total_runs"] // reps
    each = f", {reps} runs each" if reps > 1 else ", one run each"
    return f"{design} design of {points} points{each}"


def metrics_of(manifest: dict[str, Any]) -> list[Metric]:
    """What a batch measures beyond its outcome shares: its --metric options, or the defaults."""
    texts = manifest.get("metrics") or list(DEFAULTS)
    return [parse_metric(text) for text in texts]


def noise_shares(ok: pd.DataFrame, manifest: dict[str, Any]) -> dict[str, float | None]:
    """For each metric, the share of its variance over the runs that lies within design points:
    the model's own randomness, which no varied key explains. Needs two or more runs of each
    point; None for a metric that is constant or has missing values."""
    reps = manifest.get("reps", 1) if manifest["design"] != "grid" else manifest["runs"]
    if reps < 2 or "point" not in ok or ok.empty:
        return {}
    shares: dict[str, float | None] = {}
    for metric in metrics_of(manifest):
        y = pd.Series(metric.values(ok), index=ok.index)
        total = y.var(ddof=1)
        if y.isna().any() or not total > 0:
            shares[metric.label] = None
            continue
        within = y.groupby(ok["point"]).var(ddof=1).mean()
        shares[metric.label] = float(min(within / total, 1.0))
    return shares


def _noise_lines(noise: dict[str, float | None], manifest: dict[str, Any]) -> list[str]:
    lines = textwrap.wrap(
        "Noise share (the variance between the runs of the same design point, over all the "
        "variance: the part the model's own randomness makes)",
        96,
    )
    for label, share in noise.items():
        lines.append(f"  {label:50} {'-' if share is None else _pct(share):>6}")
    return lines


def _by_value_lines(ok: pd.DataFrame, key: str) -> list[str]:
    table = by_value(ok, key)
    names = {**OUTCOME_NAMES, "limited_exchange": "limited exch."}
    head = f"  {'value':>10} {'runs':>6}" + "".join(f" {n:>17}" for n in names.values()) + "  peak"
    lines = [f"By {key} (share of runs, 95% interval; mean peak rung)", head]
    for _, row in table.iterrows():
        cells = "".join(
            f" {_pct(row[o]):>5} {_interval(row[f'{o}_lo'], row[f'{o}_hi']):>11}" for o in names
        )
        lines.append(
            f"  {row[key]!s:>10} {int(row['runs']):>6}{cells}  {row['peak_rung_mean']:.2f}"
        )
    return lines


ESTIMATOR_TITLES = {
    "sobol": "Sobol: first-order S1 and total ST",
    "morris": "Morris: mu* (with its interval) and sigma",
    "delta": "Borgonovo's delta, beside a column of random numbers for its floor",
}


def shown_indices(sensitivity: dict[str, Any]) -> tuple[tuple[str, str | None], ...]:
    """The two indices shown of each key, each with the name of its 95% half-width."""
    estimator = sensitivity.get("estimator", sensitivity["design"])
    if estimator == "morris":
        return (("mu_star", "mu_star_conf"), ("sigma", None))
    if estimator == "delta":
        return (("delta", "delta_conf"),)
    return (("S1", "S1_conf"), ("ST", "ST_conf"))


def factors_of(sensitivity: dict[str, Any]) -> list[str]:
    """The rows of the indices: the varied keys, and the noise column a delta has beside them."""
    reference = sensitivity.get("reference")
    return [*sensitivity["factors"], *([reference] if reference else [])]


def index_text(result: dict[str, Any], factor: str, name: str, conf: str | None) -> str:
    """An index with its 95% half-width, as ``0.21 ± 0.08``."""
    value = _index(result[name][factor])
    return f"{value} ± {_index(result[conf][factor])}" if conf else value


def _index(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def wide_intervals(sensitivity: dict[str, Any], result: dict[str, Any]) -> float | None:
    """The widest 95% half-width of a metric's indices when it is too wide to rank the keys
    (over ``WIDE`` for Sobol and delta, over half the largest mu* for Morris), else None."""
    if "constant" in result or "error" in result:
        return None
    widest = 0.0
    for _, conf in shown_indices(sensitivity):
        if conf:
            widest = max([widest, *(abs(v) for v in result[conf].values() if v is not None)])
    if sensitivity.get("estimator", sensitivity["design"]) == "morris":
        largest = max((v or 0.0 for v in result["mu_star"].values()), default=0.0)
        return widest if widest > largest / 2 else None
    return widest if widest > WIDE else None


def wide_warning(sensitivity: dict[str, Any], label: str, widest: float) -> str:
    return (
        f"warning: {label}: 95% intervals up to ±{widest:.2g} wide: too wide to rank the keys; "
        f"raise --runs (the design's size) or --reps"
    )


def sensitivity_lines(sensitivity: dict[str, Any]) -> list[str]:
    """The indices of each metric with their 95% half-widths, one row per varied key, and a
    warning under a metric whose intervals are too wide to read."""
    if "error" in sensitivity:
        return [f"Sensitivity: {sensitivity['error']}"]
    estimator = sensitivity.get("estimator", sensitivity["design"])
    reps = sensitivity.get("reps", 1)
    each = f"; each point's mean over its {reps} runs" if reps > 1 else "; one run per point"
    lines = textwrap.wrap(
        f"Sensitivity ({ESTIMATOR_TITLES[estimator]}, ± 95% half-width{each})", 96
    )
    if estimator == "morris":
        lines += textwrap.wrap(
            f"{MORRIS_MEANING}.", 96, initial_indent="  ", subsequent_indent="  "
        )
    shown = shown_indices(sensitivity)
    labels = sensitivity["outcome_labels"]
    for name, result in sensitivity["outcomes"].items():
        lines.append(f"  {labels[name]}")
        if "constant" in result or "error" in result:
            lines.append(f"    {result.get('error') or 'constant: no key changes it'}")
            continue
        for factor in factors_of(sensitivity):
            cells = "".join(
                f"  {index:>7} {index_text(result, factor, index, conf):>17}"
                for index, conf in shown
            )
            lines.append(f"    {factor[:40]:40}{cells}")
        widest = wide_intervals(sensitivity, result)
        if widest is not None:
            lines.append(f"    {wide_warning(sensitivity, labels[name], widest)}")
    return lines


def _pct(share: float) -> str:
    return "-" if math.isnan(share) else f"{100 * share:.1f}%"


def _interval(lo: float, hi: float) -> str:
    return "" if math.isnan(lo) else f"[{100 * lo:.1f}-{100 * hi:.1f}]"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"
