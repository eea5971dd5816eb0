"""What a batch says, as numbers: outcome shares with their uncertainty, the peak rungs reached,
the key metrics, overall and per swept value. The terminal summary and the HTML report both
read it, so they never disagree.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import pandas as pd

from wargame.batch.design import MORRIS_MEANING
from wargame.core import DISCLAIMER
from wargame.core.ladder import LADDER, OUTCOMES, Rung

Z95 = 1.959964
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


def render(manifest: dict[str, Any], runs: pd.DataFrame, sensitivity: dict[str, Any] | None) -> str:
    """The summary printed at the end of a batch."""
    ok = finished(runs)
    failed = len(runs) - len(ok)
    lines = [
        f"{manifest['scenario_name']}: {len(runs)} runs of {days_text(manifest)}, "
        f"base seed {manifest['seed']}, design {manifest['design']}"
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
            f"  {outcome:18} {_pct(s['share']):>6}  {interval:13} {int(s['runs']):>6} runs"
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
    if sensitivity:
        lines += ["", *sensitivity_lines(sensitivity)]
    return "\n".join(lines)


def _by_value_lines(ok: pd.DataFrame, key: str) -> list[str]:
    table = by_value(ok, key)
    names = {
        "de_escalated": "de-escalated",
        "contained": "contained",
        "limited_exchange": "limited exch.",
        "regional_war": "regional war",
    }
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


def sensitivity_lines(sensitivity: dict[str, Any]) -> list[str]:
    """The indices as a table: one row per varied key, one column per outcome."""
    if "error" in sensitivity:
        return [f"Sensitivity: {sensitivity['error']}"]
    sobol = sensitivity["design"] == "sobol"
    first, second = ("S1", "ST") if sobol else ("mu_star", "sigma")
    lines = [
        "Sensitivity ("
        + ("Sobol: first-order S1 / total ST" if sobol else "Morris: mu* / sigma")
        + ", per outcome)"
    ]
    if not sobol:
        lines += textwrap.wrap(
            f"{MORRIS_MEANING}.", 96, initial_indent="  ", subsequent_indent="  "
        )
    outcomes = sensitivity["outcomes"]
    labels = sensitivity["outcome_labels"]
    lines.append(f"  {'':32}" + "".join(f" {labels[name]:>21}" for name in outcomes))
    for factor in sensitivity["factors"]:
        cells = [
            "constant"
            if "constant" in result
            else f"{_num(result[first][factor])} / {_num(result[second][factor])}"
            for result in outcomes.values()
        ]
        lines.append(f"  {factor[:32]:32}" + "".join(f" {cell:>21}" for cell in cells))
    return lines


def _pct(share: float) -> str:
    return "-" if math.isnan(share) else f"{100 * share:.1f}%"


def _interval(lo: float, hi: float) -> str:
    return "" if math.isnan(lo) else f"[{100 * lo:.1f}-{100 * hi:.1f}]"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"
