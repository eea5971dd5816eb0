"""The plots of the batch report, drawn with matplotlib's object interface (no global state,
no display needed) and returned as PNG bytes."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from wargame.batch.store import batches
from wargame.batch.summary import KEY_METRICS, factors_of, shown_indices
from wargame.core.ladder import LADDER, OUTCOME_NAMES, OUTCOMES, Rung
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
    for batch in batches(daily, ["run", "day", "rung"]):
        run, day, rung = (batch.column(i).to_numpy() for i in range(3))
        keep = (run < runs) & (day <= days)
        g = group_of[run[keep]]
        mine = g >= 0
        np.add.at(counts, (g[mine], day[keep][mine], rung[keep][mine]), 1)
    return counts


def rung_shares(daily: Path, groups: Groups, days: int) -> np.ndarray:
    """For each group, day and rung, the share of the group's runs that were at that rung or
    higher that day, among the runs that lasted to it; NaN on a day no run lasted to."""
    counts = _rung_counts(daily, groups, days)
    at_or_above = counts[..., ::-1].cumsum(axis=-1)[..., ::-1].astype(float)
    alive = counts.sum(axis=-1, keepdims=True)
    return np.divide(at_or_above, alive, out=np.full(at_or_above.shape, np.nan), where=alive > 0)


def rung_bands(shares: np.ndarray, groups: Groups, days: int) -> bytes:
    """The share of runs at or above each rung by day (``rung_shares``), as stacked bands:
    the top of the band of rung r is the share of runs at rung r or higher; a panel for each
    group."""
    cols = min(len(groups), 2)
    rows = -(-len(groups) // cols)
    fig = Figure(figsize=(9, 3.4 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    x = np.arange(days + 1)
    colours = colormaps["plasma_r"](np.linspace(0.05, 0.95, RUNGS - 1))
    for ax, (label, _), share in zip(axes.flat, groups, shares, strict=False):
        for rung in range(1, RUNGS):
            top = 100 * share[:, rung]
            below = 100 * share[:, rung + 1] if rung + 1 < RUNGS else np.zeros(len(x))
            ax.fill_between(
                x, below, top, step="mid", color=colours[rung - 1], lw=0,
                label=f"{rung} {LADDER[Rung(rung)].title}",
            )  # fmt: skip
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("day")
        ax.set_xlim(0, days)  # the same days in every panel: a shorter group ends early
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("% of runs at or above the rung")
    for ax in list(axes.flat)[len(groups) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside right center", fontsize=7)
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
        ax.barh(labels, share, left=left, color=COLOURS[outcome], label=OUTCOME_NAMES[outcome])
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


def nice_edges(low: float, high: float, bins: int, whole: bool = False) -> np.ndarray:
    """Bin edges at round numbers (0.2, 0.4, ...; 10, 20, ...) spanning ``low`` to ``high``,
    about ``bins`` of them; whole numbers for a count or a day."""
    if low == high:
        return np.array([low - 0.5, high + 0.5]) if whole else np.array([low, high])
    edges = MaxNLocator(nbins=bins, integer=whole).tick_values(low, high)
    return edges[(edges > low - (edges[1] - edges[0])) & (edges < high + (edges[1] - edges[0]))]


def _whole(values: pd.Series) -> bool:
    return bool((values == values.round()).all())


def histograms(series: dict[str, pd.DataFrame], key: str = "") -> bytes:
    """Each key metric's distribution, one panel per metric with a labelled x axis (the metric
    and its unit) and y axis (% of runs): one step line for each group of runs (each value of a
    swept key), or bars for a single group; bins at round numbers, shared by the groups."""
    shown = [c for c in KEY_METRICS if c != "peak_rung"]
    fig = Figure(figsize=(10, 6.2), layout="constrained")
    axes = fig.subplots(2, -(-len(shown) // 2))
    single = len(series) == 1
    for ax, column in zip(axes.flat, shown, strict=False):
        every = pd.concat(
            [g[column].dropna().astype(float) for g in series.values() if column in g]
        )
        if every.empty:
            ax.text(0.5, 0.5, "no run has a value", ha="center", transform=ax.transAxes, fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            whole = _whole(every)
            edges = nice_edges(every.min(), every.max(), 12, whole)
            for label, group in series.items():
                values = group[column].dropna().astype(float)
                weights = np.full(len(values), 100 / max(len(group), 1))
                if single:
                    ax.hist(values, bins=edges, weights=weights, color="#5b7a99")
                else:
                    ax.hist(values, bins=edges, weights=weights, histtype="step", lw=1.4,
                            label=label)  # fmt: skip
            ax.set_ylabel("% of runs", fontsize=7)
        ax.set_xlabel(KEY_METRICS[column], fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(shown) :]:
        ax.set_visible(False)
    if not single:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4),
                   fontsize=7, title=key, title_fontsize=7)  # fmt: skip
    return png(fig)


def sensitivity_chart(sensitivity: dict[str, Any]) -> bytes:
    pairs = shown_indices(sensitivity)
    factors = factors_of(sensitivity)
    outcomes = sensitivity["outcomes"]
    fig = Figure(figsize=(11, 0.5 * len(factors) + 2), layout="constrained")
    axes = fig.subplots(1, len(outcomes), sharey=True)
    y = np.arange(len(factors))
    for ax, (name, result) in zip(np.atleast_1d(axes), outcomes.items(), strict=True):
        ax.set_title(textwrap.fill(sensitivity["outcome_labels"][name], 24), fontsize=8)
        if "constant" in result or "error" in result:
            text = "constant" if "constant" in result else "not computed"
            ax.text(0.5, 0.5, text, ha="center", transform=ax.transAxes, fontsize=8)
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
