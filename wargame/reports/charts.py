"""The plots of the batch report, drawn with matplotlib's object interface (no global state,
no display needed) and returned as PNG bytes."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from matplotlib.figure import Figure

from wargame.batch.sensitivity import OUTCOMES as SENSITIVITY_OUTCOMES
from wargame.batch.summary import KEY_METRICS
from wargame.core.ladder import LADDER, OUTCOMES, Rung
from wargame.reports.document import png

COLOURS = {
    "de_escalated": "#4c9a5b",
    "contained": "#9aa7b1",
    "limited_exchange": "#e08a2c",
    "regional_war": "#b3261e",
}
RUNGS = len(Rung)
Groups = list[tuple[str, np.ndarray]]  # a label and the run indices of each panel or line


def _rung_counts(daily: Path, groups: Groups, days: int) -> np.ndarray:
    """How many runs of each group were at each rung on each day, read a batch at a time."""
    runs = max((r.max() for _, r in groups if len(r)), default=0) + 1
    group_of = np.full(runs, -1)
    for i, (_, members) in enumerate(groups):
        group_of[members] = i
    counts = np.zeros((len(groups), days + 1, RUNGS), dtype=np.int64)
    for batch in pq.ParquetFile(daily).iter_batches(columns=["run", "day", "rung"]):
        run, day, rung = (batch.column(i).to_numpy() for i in range(3))
        keep = (run < runs) & (day <= days)
        g = group_of[run[keep]]
        mine = g >= 0
        np.add.at(counts, (g[mine], day[keep][mine], rung[keep][mine]), 1)
    return counts


def _quantile(counts: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile rung for each day, from per-day counts of runs at each rung; NaN on a
    day that no run lasted to (runs of different lengths), which the chart leaves as a gap."""
    cumulative = counts.cumsum(axis=-1)
    total = cumulative[..., -1]
    rung = (cumulative < q * total[..., None]).sum(axis=-1).astype(float)
    return np.where(total > 0, rung, np.nan)


def fan_lines(daily: Path, groups: Groups, days: int) -> list[dict[str, np.ndarray]]:
    """The lines of each panel of the fan chart, by day: the 5th, 25th, 50th, 75th and 95th
    percentile rungs and the mean, NaN on a day that no run of the panel lasted to."""
    panels = []
    for counts in _rung_counts(daily, groups, days):
        n = counts.sum(axis=-1)
        total = (counts * np.arange(RUNGS)).sum(axis=-1)
        lines = {f"p{round(100 * q)}": _quantile(counts, q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)}
        lines["mean"] = np.divide(total, n, out=np.full(n.shape, np.nan), where=n > 0)
        panels.append(lines)
    return panels


def fan_chart(panels: list[dict[str, np.ndarray]], groups: Groups, days: int) -> bytes:
    """The rung by day (``fan_lines``): median, middle half and 90% of the runs, and the mean;
    a panel for each group."""
    cols = min(len(groups), 2)
    rows = -(-len(groups) // cols)
    fig = Figure(figsize=(9, 3.2 * rows), layout="tight")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    x = np.arange(days + 1)
    for ax, (label, _), line in zip(axes.flat, groups, panels, strict=False):
        ax.fill_between(x, line["p5"], line["p95"], step="mid", color="#f4c7a1", label="5-95%")
        ax.fill_between(x, line["p25"], line["p75"], step="mid", color="#e0873a", label="25-75%")
        ax.step(x, line["p50"], where="mid", color="#7a2e0b", lw=1.8, label="median")
        ax.plot(x, line["mean"], color="#333", lw=0.8, label="mean")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("day")
        ax.set_xlim(0, days)  # the same days in every panel: a shorter group ends early
        ax.set_yticks(range(RUNGS))
        ax.set_ylim(-0.2, RUNGS - 0.8)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("rung")
    for ax in list(axes.flat)[len(groups) :]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="upper left", fontsize=8, ncols=4)
    return png(fig)


def direct_exchange_chart(ok: pd.DataFrame, groups: Groups, days: int) -> bytes:
    """Share of runs whose key pair has struck each other directly by each day, among the runs
    that lasted to that day; a line each, with a gap after the longest run of a group."""
    fig = Figure(figsize=(9, 3), layout="tight")
    ax = fig.subplots()
    x = np.arange(days + 1)
    by_run = ok.set_index("run")
    for label, members in groups:
        when = by_run.loc[members, "direct_exchange_day"].to_numpy(float)
        lasted = by_run.loc[members, "days"].to_numpy(float)
        struck = np.array([((when <= d) & (lasted >= d)).sum() for d in x], dtype=float)
        alive = np.array([(lasted >= d).sum() for d in x], dtype=float)
        share = np.divide(struck, alive, out=np.full(len(x), np.nan), where=alive > 0)
        ax.step(x, 100 * share, where="post", label=label)
    ax.set_xlabel("day")
    ax.set_ylabel("% of runs")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if len(groups) > 1:
        ax.legend(fontsize=8)
    return png(fig)


def stacked_bars(bars: dict[str, pd.Series], key: str) -> bytes:
    fig = Figure(figsize=(9, 0.45 * len(bars) + 1.2), layout="tight")
    ax = fig.subplots()
    labels = list(bars)
    left = np.zeros(len(labels))
    for outcome in OUTCOMES:
        share = np.array([100 * bars[label][outcome] for label in labels])
        ax.barh(labels, share, left=left, color=COLOURS[outcome], label=outcome.replace("_", " "))
        left += share
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of runs")
    if key:
        ax.set_ylabel(key)
    ax.invert_yaxis()
    ax.legend(ncols=4, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return png(fig)


def peak_chart(dist: pd.Series) -> bytes:
    fig = Figure(figsize=(9, 2.8), layout="tight")
    ax = fig.subplots()
    labels = [f"{r}\n" + textwrap.fill(LADDER[Rung(r)].title, 14) for r in dist.index]
    ax.bar(range(len(dist)), 100 * dist.to_numpy(), color="#7a2e0b")
    ax.set_xticks(range(len(dist)), labels, fontsize=7)
    ax.set_ylabel("% of runs")
    ax.grid(axis="y", alpha=0.3)
    return png(fig)


def histograms(ok: pd.DataFrame) -> bytes:
    shown = [c for c in KEY_METRICS if c != "peak_rung"]
    fig = Figure(figsize=(10, 4.6), layout="tight")
    axes = fig.subplots(2, -(-len(shown) // 2))
    for ax, column in zip(axes.flat, shown, strict=False):
        values = ok[column].dropna().astype(float)
        if len(values):
            ax.hist(values, bins=min(30, max(5, values.nunique())), color="#5b7a99")
        else:
            ax.text(0.5, 0.5, "no run", ha="center", transform=ax.transAxes, fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
        ax.set_title(KEY_METRICS[column], fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(shown) :]:
        ax.set_visible(False)
    return png(fig)


def sensitivity_chart(sensitivity: dict[str, Any]) -> bytes:
    sobol = sensitivity["design"] == "sobol"
    pairs = (
        [("S1", "S1_conf"), ("ST", "ST_conf")]
        if sobol
        else [("mu_star", "mu_star_conf"), ("sigma", None)]
    )
    factors = list(sensitivity["factors"])
    outcomes = sensitivity["outcomes"]
    fig = Figure(figsize=(11, 0.5 * len(factors) + 2), layout="constrained")
    axes = fig.subplots(1, len(outcomes), sharey=True)
    y = np.arange(len(factors))
    for ax, (name, result) in zip(np.atleast_1d(axes), outcomes.items(), strict=True):
        ax.set_title(SENSITIVITY_OUTCOMES.get(name, name), fontsize=8)
        if "constant" in result:
            ax.text(0.5, 0.5, "constant", ha="center", transform=ax.transAxes, fontsize=8)
            ax.set_xticks([])
            continue
        for j, (value_key, conf_key) in enumerate(pairs):
            values = [result[value_key][f] or 0.0 for f in factors]
            errors = [result[conf_key][f] or 0.0 for f in factors] if conf_key else None
            ax.barh(y + 0.38 * (j - 0.5), values, height=0.38, xerr=errors, label=value_key)
        ax.tick_params(labelsize=7)
    first = np.atleast_1d(axes)[0]
    first.set_yticks(y, factors, fontsize=7)
    first.invert_yaxis()
    handles, labels = first.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7)
    return png(fig)
