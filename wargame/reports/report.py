"""``wargame report DIR``: one self-contained HTML document about a finished batch.

Plots are embedded as PNG data, styles are inline, and nothing is fetched, so the file can be
mailed to a colleague and opened offline. The daily table is read a few columns and rows at a
time, so a report of ten thousand runs needs little memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wargame.batch import store as batch_store
from wargame.batch.design import MORRIS_MEANING
from wargame.batch.summary import (
    days_text,
    finished,
    metric_ranges,
    outcome_shares,
    rung_distribution,
)
from wargame.core import atomic
from wargame.core.ladder import LADDER, OUTCOMES
from wargame.core.options import UsageError
from wargame.reports.charts import (
    COLOURS,
    Groups,
    direct_exchange_chart,
    fan_chart,
    fan_lines,
    histograms,
    peak_chart,
    sensitivity_chart,
    stacked_bars,
)
from wargame.reports.document import e, image, output, page, plain_text

MAX_PANELS = 8  # swept combinations drawn one by one; beyond this, all runs together
BINS = 5  # a varied key's range is cut into this many bins for the outcome bars
REPORT = "Batch report"  # how its title starts


def write_report(folder: Path, out_name: str | None = None) -> Path:
    """``wargame report``: the HTML report of a finished batch folder; returns its path."""
    for name in (batch_store.MANIFEST, batch_store.RUNS):
        if not (folder / name).is_file():
            raise UsageError(
                f"{folder}: no {name}; give a folder written by a finished 'wargame batch' "
                "(complete an interrupted one with --resume)"
            )
    out = output(out_name, folder / "report.html", REPORT)
    atomic.write_text(out, build(folder))
    return out


def build(folder: Path) -> str:
    """The whole document."""
    manifest = batch_store.read_manifest(folder)
    with batch_store.reading(folder / batch_store.RUNS):
        runs = pd.read_parquet(folder / batch_store.RUNS)
    batch_store.check_runs(folder / batch_store.RUNS, runs, manifest)
    ok = finished(runs)
    if ok.empty:
        raise UsageError(f"{folder}: no run of this batch finished; see the 'error' column")
    sensitivity = batch_store.read_sensitivity(folder)
    groups = _groups(manifest, ok)
    daily = folder / batch_store.DAILY
    with plain_text():
        sections = [
            _header(manifest, runs, ok),
            _outcomes_section(manifest, ok),
            _escalation_section(ok, groups, daily if daily.exists() else None),
            _metrics_section(ok),
        ]
        if sensitivity:
            sections.append(_sensitivity_section(sensitivity))
    sections.append(_definitions())
    title = f"{REPORT}: {manifest['scenario_name']}, {len(runs)} runs"
    return page(title, f"<h1>{e(title)}</h1>{''.join(sections)}")


# ----- sections -----
def _header(manifest: dict[str, Any], runs: pd.DataFrame, ok: pd.DataFrame) -> str:
    failed = len(runs) - len(ok)
    rows = [
        ("Command", f"<code>{e(manifest['command'])}</code>"),
        (
            "Scenario",
            f"{e(manifest['scenario'])} (SHA-256 <code>{manifest['scenario_sha256']}</code>)",
        ),
        ("Runs", f"{len(runs)} of {days_text(manifest)}, {failed} failed"),
        ("Design", e(manifest["design"])),
        ("Base seed", f"{manifest['seed']} (run i's seed derives from it and i)"),
        ("Fixed values", e(_pairs(manifest["set"])) or "none"),
        ("Swept values", e(_pairs(manifest["sweep"])) or "none"),
        ("Varied ranges", e(_pairs(manifest["vary"])) or "none"),
        ("Model version", e(manifest["wargame_version"])),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return (
        "<p class='caveat'><b>These runs are possibilities under stated assumptions, not "
        "predictions.</b> Each run plays the crisis forward once from the scenario's "
        "assumptions with its own random draws; the shares below say how often something "
        "happened among these runs, under these assumptions, and nothing about how likely it is "
        "in the world. The intervals measure only how many runs were made.</p>"
        f"<h2>The batch</h2><table class='facts'>{table}</table>"
    )


def _outcomes_section(manifest: dict[str, Any], ok: pd.DataFrame) -> str:
    parts = ["<h2>Outcomes</h2>", _shares_table("", [("all runs", ok)])]
    for key, groups in (_breakdowns(manifest, ok) or {"": [("all runs", ok)]}).items():
        shares = {label: outcome_shares(group)["share"] for label, group in groups}
        caption = f"Outcome shares by {key}" if key else "Outcome shares"
        parts.append(image(stacked_bars(shares, key), caption))
        if key:
            parts.append(_shares_table(key, groups))
    return "".join(parts)


def _shares_table(key: str, groups: list[tuple[str, pd.DataFrame]]) -> str:
    """Each outcome's share with its 95% Wilson interval, one row per group of runs."""
    head = "".join(f"<th>{_swatch(o)}{o.replace('_', ' ')}</th>" for o in OUTCOMES)
    rows = ""
    for label, group in groups:
        shares = outcome_shares(group)
        cells = "".join(
            f"<td>{_pct(s['share'])} <span class='ci'>({_pct(s['lo'])} to {_pct(s['hi'])})</span>"
            "</td>"
            for _, s in shares.iterrows()
        )
        rows += f"<tr><td>{e(label)}</td><td>{len(group)}</td>{cells}</tr>"
    return (
        f"<table><tr><th>{e(key)}</th><th>Runs</th>{head}</tr>{rows}</table>"
        "<p class='note'>Share of runs, with its 95% interval (Wilson) in brackets.</p>"
    )


def _breakdowns(
    manifest: dict[str, Any], ok: pd.DataFrame
) -> dict[str, list[tuple[str, pd.DataFrame]]]:
    """Runs split by each swept key's values, or by bins of each varied key's range."""
    out: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    for key in manifest["sweep"]:
        out[key] = [(str(v), g) for v, g in ok.groupby(key, sort=True)]
    for key in manifest["vary"]:
        bins = pd.cut(ok[key], np.linspace(*manifest["vary"][key], BINS + 1), include_lowest=True)
        out[key] = [
            (f"{b.left:.3g} to {b.right:.3g}", g) for b, g in ok.groupby(bins, observed=True)
        ]
    return out


def _escalation_section(ok: pd.DataFrame, groups: Groups, daily: Path | None) -> str:
    days = int(ok["days"].max())
    parts = ["<h2>Escalation over time</h2>"]
    if daily is not None:
        with batch_store.reading(daily):
            panels = fan_lines(daily, groups, days)
        parts.append(
            image(
                fan_chart(panels, groups, days),
                "The rung of the crisis by day: the median run, the middle half of runs and "
                "90% of runs (5th to 95th percentile), with the mean as a thin line; each day "
                "counts the runs that lasted to it.",
            )
        )
    else:
        parts.append("<p>The batch was run with --no-daily: no daily table to draw.</p>")
    parts.append(
        image(
            direct_exchange_chart(ok, groups, days),
            "Share of runs in which the key pair has struck each other directly, by day, "
            "among the runs that lasted to that day.",
        )
    )
    dist = rung_distribution(ok)
    parts.append(image(peak_chart(dist), "The highest rung each run reached."))
    return "".join(parts)


def _metrics_section(ok: pd.DataFrame) -> str:
    ranges = metric_ranges(ok)
    rows = "".join(
        f"<tr><td>{e(m['label'])}</td><td>{int(m['runs'])}</td><td>{_num(m['mean'])}</td>"
        f"<td>{_num(m['p5']) + ' to ' + _num(m['p95']) if m['runs'] else 'none'}</td></tr>"
        for _, m in ranges.iterrows()
    )
    return (
        "<h2>Key metrics</h2><table><tr><th>Metric</th><th>Runs with a value</th><th>Mean</th>"
        f"<th>5% to 95% of runs</th></tr>{rows}</table>"
        + image(histograms(ok), "Distribution of the key metrics over the runs.")
    )


def _sensitivity_section(sensitivity: dict[str, Any]) -> str:
    sobol = sensitivity["design"] == "sobol"
    intro = (
        "First-order (S1) and total (ST) Sobol indices: the share of an outcome's variance due "
        "to a key alone, and with its interactions."
        if sobol
        else f"Morris screening: {MORRIS_MEANING}."
    )
    head = (
        f"<h2>Sensitivity</h2><p>{intro} Each design point is a single seeded run, so the "
        "indices also carry the model's own randomness; bars show 95% confidence half-widths.</p>"
    )
    if "error" in sensitivity:
        return head + f"<p>{e(sensitivity['error'])}</p>"
    return (
        head
        + image(sensitivity_chart(sensitivity), "Sensitivity of each outcome to each key.")
        + _sensitivity_table(sensitivity, ("S1", "ST") if sobol else ("mu_star", "sigma"))
    )


def _sensitivity_table(sensitivity: dict[str, Any], shown: tuple[str, str]) -> str:
    labels = sensitivity["outcome_labels"]
    outcomes = sensitivity["outcomes"]
    head = "".join(f"<th>{e(labels[name])}</th>" for name in outcomes)
    rows = ""
    for factor in sensitivity["factors"]:
        cells = "".join(
            "<td>constant</td>"
            if "constant" in r
            else f"<td>{_num(r[shown[0]][factor])} / {_num(r[shown[1]][factor])}</td>"
            for r in outcomes.values()
        )
        rows += f"<tr><td>{e(factor)}</td>{cells}</tr>"
    return f"<table><tr><th>{shown[0]} / {shown[1]}</th>{head}</tr>{rows}</table>"


def _definitions() -> str:
    outcomes = "".join(
        f"<tr><td>{_swatch(k)}{k.replace('_', ' ')}</td><td>{e(v)}</td></tr>"
        for k, v in OUTCOMES.items()
    )
    rungs = "".join(
        f"<tr><td>{int(r)}</td><td>{e(i.title)}</td><td>{e(i.definition)}</td></tr>"
        for r, i in LADDER.items()
    )
    return (
        "<h2>Definitions</h2><h3>Outcomes</h3>"
        f"<table>{outcomes}</table><h3>The escalation ladder</h3>"
        f"<table><tr><th>Rung</th><th>Name</th><th>Meaning</th></tr>{rungs}</table>"
    )


def _groups(manifest: dict[str, Any], ok: pd.DataFrame) -> Groups:
    """Runs drawn as separate panels: each swept combination if there are a few."""
    keys = list(manifest["sweep"])
    if keys:
        combos = list(ok.groupby(keys, sort=True))
        if 1 < len(combos) <= MAX_PANELS:
            return [
                (", ".join(f"{k}={v}" for k, v in zip(keys, c, strict=True)), g["run"].to_numpy())
                for c, g in combos
            ]
    return [("all runs", ok["run"].to_numpy())]


# ----- HTML helpers -----
def _pairs(values: dict[str, Any]) -> str:
    return "; ".join(f"{k} = {v}" for k, v in values.items())


def _swatch(outcome: str) -> str:
    return f"<span class='swatch' style='background:{COLOURS[outcome]}'></span>"


def _pct(share: float) -> str:
    return "-" if pd.isna(share) else f"{100 * share:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None or pd.isna(value) else f"{value:.2f}"
