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
from wargame.batch.discovery import ALPHA as PRIM_ALPHA
from wargame.batch.discovery import MASS_MIN as PRIM_MASS_MIN
from wargame.batch.discovery import QP_MAX as PRIM_QP_MAX
from wargame.batch.discovery import (
    Discovery,
    discover_batch,
    number,
    target_metric,
)
from wargame.batch.metrics import Metric
from wargame.batch.summary import (
    changed_keys,
    days_text,
    design_text,
    factors_of,
    finished,
    incident_means,
    index_text,
    metric_ranges,
    noise_shares,
    opened_by,
    outcome_shares,
    rung_distribution,
    shown_indices,
    wide_intervals,
    wide_warning,
)
from wargame.core import atomic
from wargame.core.incidents import INCIDENTS
from wargame.core.ladder import LADDER, OUTCOME_NAMES, OUTCOMES
from wargame.core.options import UsageError
from wargame.core.parameters import describe, value_at
from wargame.core.provenance import ASSUMPTION
from wargame.core.scenario import LoadedScenario, ScenarioError, load_scenario
from wargame.reports.charts import (
    COLOURS,
    Groups,
    direct_exchange_chart,
    histograms,
    nice_edges,
    peak_chart,
    rung_bands,
    rung_shares,
    sensitivity_chart,
    stacked_bars,
)
from wargame.reports.document import e, image, output, page, plain_text

MAX_PANELS = 8  # swept combinations drawn one by one; beyond this, all runs together
MAX_VALUES = 8  # a key with more values than this is cut into bins at round numbers
BINS = 5  # about this many
INCIDENT_ROWS = 8  # incident kinds shown per key, those that differ most first
REPORT = "Batch report"  # how its title starts


def write_report(folder: Path, out_name: str | None = None, target: Metric | None = None) -> Path:
    """``wargame report``: the HTML report of a finished batch folder, its scenario discovery
    about ``target`` (by default, a direct exchange); returns its path."""
    manifest, runs = batch_store.read_batch(folder)
    out = output(out_name, folder / "report.html", REPORT)
    atomic.write_text(out, build(folder, manifest, runs, target or target_metric(None, None)))
    return out


def build(folder: Path, manifest: dict[str, Any], runs: pd.DataFrame, target: Metric) -> str:
    """The whole document."""
    ok = finished(runs)
    if ok.empty:
        raise UsageError(f"{folder}: no run of this batch finished; see the 'error' column")
    sensitivity = batch_store.read_sensitivity(folder)
    groups = _groups(manifest, ok)
    breakdowns = _breakdowns(manifest, ok)
    loaded, note = _scenario_of(manifest)
    names = {aid: a.name for aid, a in loaded.spec.actors.items()} if loaded else {}
    daily = folder / batch_store.DAILY
    with plain_text():
        sections = [
            _header(manifest, runs, ok),
            _keys_section(manifest, loaded, note, names),
            _outcomes_section(ok, breakdowns),
            _escalation_section(ok, groups, daily if daily.exists() else None),
            _metrics_section(ok),
            *(_by_key_section(key, parts, names) for key, parts in breakdowns.items()),
            _noise_section(ok, manifest),
        ]
        if sensitivity:
            sections.append(_sensitivity_section(sensitivity))
        if changed_keys(manifest):
            sections.append(_discovery_section(discover_batch(manifest, ok, target), target))
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
        ("Design", e(design_text(manifest))),
        ("Base seed", f"{manifest['seed']} (run i's seed derives from it and i)"),
        ("Fixed values", e(_pairs(manifest["set"])) or "none"),
        ("Swept values", e(_pairs(manifest["sweep"])) or "none"),
        ("Varied ranges", e(_pairs(manifest["vary"])) or "none"),
        *(
            [("Points", f"{len(manifest['points'])} parameter sets from a file (--points)")]
            if manifest.get("points")
            else []
        ),
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


def _outcomes_section(ok: pd.DataFrame, breakdowns: dict[str, list[Part]]) -> str:
    parts = ["<h2>Outcomes</h2>", _shares_table("", [("all runs", ok)])]
    for key, groups in (breakdowns or {"": [("all runs", ok)]}).items():
        shares = {label: outcome_shares(group)["share"] for label, group in groups}
        caption = f"Outcome shares by {key}" if key else "Outcome shares"
        parts.append(image(stacked_bars(shares, key), caption))
        if key:
            parts.append(_shares_table(key, groups))
    return "".join(parts)


def _shares_table(key: str, groups: list[tuple[str, pd.DataFrame]]) -> str:
    """Each outcome's share with its 95% Wilson interval, one row per group of runs."""
    head = "".join(f"<th>{_swatch(o)}{OUTCOME_NAMES[o]}</th>" for o in OUTCOMES)
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


Part = tuple[str, pd.DataFrame]  # a label and its runs


def _breakdowns(manifest: dict[str, Any], ok: pd.DataFrame) -> dict[str, list[Part]]:
    """Runs split by each changed key's values, or, for a key of many values, by bins of its
    range at round numbers."""
    out: dict[str, list[Part]] = {}
    for key in changed_keys(manifest):
        values = ok[key]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if values.nunique() <= MAX_VALUES or not numeric:
            out[key] = [(str(v), g) for v, g in ok.groupby(key, sort=True)]
            continue
        whole = bool((values == values.round()).all())
        low, high = manifest["vary"].get(key, (values.min(), values.max()))  # a range as given
        edges = np.unique(np.clip(nice_edges(low, high, BINS, whole), low, high))
        index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
        out[key] = [(_bin_label(edges, i, whole), g) for i, g in ok.groupby(index, sort=True)]
    return out


def _bin_label(edges: np.ndarray, i: int, whole: bool) -> str:
    """A bin in words: ``0.2 to 0.4`` (its upper end in the next bin, but for the last), or for
    whole numbers the first and last it holds, ``10 to 19``."""
    last = i == len(edges) - 2
    high = edges[i + 1] if last or not whole else edges[i + 1] - 1
    return f"{edges[i]:.3g} to {high:.3g}"


def _escalation_section(ok: pd.DataFrame, groups: Groups, daily: Path | None) -> str:
    days = int(ok["days"].max())
    parts = ["<h2>Escalation over time</h2>"]
    if daily is not None:
        with batch_store.reading(daily):
            shares = rung_shares(daily, groups, days)
        parts.append(
            image(
                rung_bands(shares, groups, days),
                "The rung of the crisis by day: the top of each band is the share of runs at "
                "that rung or higher on that day (the top of the rung 6 band: runs in a direct "
                "exchange or worse); each day counts the runs that lasted to it.",
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
        + image(
            histograms({"all runs": ok}),
            "Distribution of the key metrics over the runs (bars: % of runs in each bin).",
        )
    )


def _keys_section(
    manifest: dict[str, Any], loaded: LoadedScenario | None, note: str, names: dict[str, str]
) -> str:
    """What each changed key means, its unit, its value in the scenario and where that value
    comes from, and the values this batch gave it."""
    keys = changed_keys(manifest)
    if not keys:
        return ""
    rows = ""
    for key in keys:
        entry = describe(key, names)
        meaning = (
            f"<b>{e(entry.label)}</b>: {e(entry.help)}"
            if entry
            else "Not described here: see docs/model.md (section 7, Submodels)."
        )
        default = value_at(loaded.spec, key) if loaded else None
        rows += (
            f"<tr><td><code>{e(key)}</code></td><td>{meaning}</td>"
            f"<td>{e(entry.unit) if entry else ''}</td>"
            f"<td>{'' if default is None else e(default)}</td>"
            f"<td>{e(_values_text(manifest, key))}</td><td>{_source(loaded, key)}</td></tr>"
        )
    return (
        "<h2>The keys this batch changes</h2>"
        + (f"<p class='note'>{e(note)}</p>" if note else "")
        + "<table><tr><th>Key</th><th>Meaning</th><th>Unit</th><th>Scenario value</th>"
        f"<th>In this batch</th><th>Source of the scenario value</th></tr>{rows}</table>"
    )


def _scenario_of(manifest: dict[str, Any]) -> tuple[LoadedScenario | None, str]:
    """The batch's scenario with its fixed values, and a note if it is not the one the batch
    ran (the file changed or cannot be read)."""
    try:
        loaded = load_scenario(manifest["scenario"], manifest["set"])
    except ScenarioError as exc:
        return None, f"The scenario cannot be loaded now ({exc.lines[0]}): values not shown."
    if loaded.sha256 != manifest["scenario_sha256"]:
        return loaded, (
            "The scenario has changed since this batch ran (its SHA-256 differs): the values "
            "and sources below are those of the scenario as it is now."
        )
    return loaded, ""


def _values_text(manifest: dict[str, Any], key: str) -> str:
    if key in manifest["sweep"]:
        return ", ".join(map(str, manifest["sweep"][key]))
    if key in manifest["vary"]:
        low, high = manifest["vary"][key]
        return f"{low} to {high}"
    values = sorted({point[key] for point in manifest.get("points") or [] if key in point}, key=str)
    shown = ", ".join(map(str, values[:MAX_VALUES]))
    return shown + (f" and {len(values) - MAX_VALUES} more" if len(values) > MAX_VALUES else "")


def _source(loaded: LoadedScenario | None, key: str) -> str:
    source = loaded.sources.get(key) if loaded else None
    if source is None:
        return "not given in the scenario"
    cited = (
        "an assumption"
        if source.ref == ASSUMPTION
        else f"{e(source.ref)}: {e(loaded.spec.references.get(source.ref, ''))}"
    )
    return cited + (f"<br><span class='note'>{e(source.note)}</span>" if source.note else "")


def _by_key_section(key: str, groups: list[Part], names: dict[str, str]) -> str:
    """The key metrics, their histograms and the incidents of each value of a key, and which
    side opened a direct exchange: what lies behind a difference in the outcomes."""
    head = "".join(f"<th>{e(label)}</th>" for label, _ in groups)
    ranges = {label: metric_ranges(g) for label, g in groups}
    rows = ""
    for column, m in ranges[groups[0][0]].iterrows():
        cells = "".join(_metric_cell(ranges[label].loc[column], len(g)) for label, g in groups)
        rows += f"<tr><td>{e(m['label'])}</td>{cells}</tr>"
    runs = "".join(f"<td>{len(g)}</td>" for _, g in groups)
    parts = [
        f"<h2>By {e(key)}</h2>",
        "<h3>Key metrics</h3>",
        f"<table><tr><th>{e(key)}</th>{head}</tr><tr><td>runs</td>{runs}</tr>{rows}</table>",
        "<p class='note'>Mean, and 5% to 95% of the runs in brackets; a metric that only some "
        "runs have (the day of the first direct strike) says in how many.</p>",
        image(
            histograms(dict(groups), key),
            f"Distribution of the key metrics for each value of {key} (% of that value's runs "
            "in each bin).",
        ),
        _incidents_table(key, groups, names),
    ]
    return "".join(parts)


def _metric_cell(m: pd.Series, runs: int) -> str:
    if not m["runs"]:
        return "<td>none</td>"
    some = f" <span class='ci'>in {int(m['runs'])} runs</span>" if m["runs"] < runs else ""
    return (
        f"<td>{_num(m['mean'])} <span class='ci'>({_num(m['p5'])} to {_num(m['p95'])})</span>"
        f"{some}</td>"
    )


def _incidents_table(key: str, groups: list[Part], names: dict[str, str]) -> str:
    """Incidents per run by kind for each value, the kinds that differ most first, and which
    side of the key pair struck the other first."""
    means = incident_means(groups)
    shown = means.head(INCIDENT_ROWS)
    head = "".join(f"<th>{e(label)}</th>" for label, _ in groups)
    rows = "".join(
        f"<tr><td>{e(INCIDENTS[kind].what)}</td>"
        + "".join(f"<td>{value:.2f}</td>" for value in row.drop("spread"))
        + "</tr>"
        for kind, row in shown.iterrows()
    )
    opened = opened_by(groups)
    rows += "".join(
        f"<tr><td>direct exchange opened by {e(names.get(side, side))}</td>"
        + "".join(f"<td>{_pct(share)}</td>" for share in row)
        + "</tr>"
        for side, row in opened.iterrows()
    )
    return (
        "<h3>What happened: incidents per run</h3>"
        f"<table><tr><th>{e(key)}</th>{head}</tr>{rows}</table>"
        f"<p class='note'>Mean count per run of the {len(shown)} incident kinds whose counts "
        "differ most between the values (by the spread of their means over the spread of the "
        "counts across runs), then the share of runs in which each side of the key pair struck "
        "the other first. A difference in the outcomes shows here in what the sides did.</p>"
    )


def _noise_section(ok: pd.DataFrame, manifest: dict[str, Any]) -> str:
    noise = noise_shares(ok, manifest)
    if not noise:
        return ""
    rows = "".join(
        f"<tr><td>{e(label)}</td><td>{'constant' if share is None else _pct(share)}</td></tr>"
        for label, share in noise.items()
    )
    return (
        "<h2>The model's own randomness</h2><p>Each design point was run several times with "
        "its own seeds. The noise share is the part of a metric's variance over all runs that "
        "lies between the runs of the same point: what chance makes, which no changed key "
        "explains.</p>"
        f"<table><tr><th>Metric</th><th>Noise share</th></tr>{rows}</table>"
    )


def _sensitivity_section(sensitivity: dict[str, Any]) -> str:
    estimator = sensitivity.get("estimator", sensitivity["design"])
    intro = {
        "sobol": "First-order (S1) and total (ST) Sobol indices: the share of an outcome's "
        "variance due to a key alone, and with its interactions.",
        "morris": f"Morris screening: {MORRIS_MEANING}.",
        "delta": "Borgonovo's delta, from the Latin hypercube's points: how much knowing a key "
        "changes the whole distribution of an outcome (0 to 1), a measure that suits noisy "
        "and yes-or-no outcomes. At a small sample, delta is above 0 even for a key that does "
        "nothing: the row of random numbers shows that floor.",
    }[estimator]
    reps = sensitivity.get("reps", 1)
    each = (
        f"Each point's outcome is the mean of its {reps} runs."
        if reps > 1
        else "Each design point is a single seeded run, so the indices also carry the model's "
        "own randomness."
    )
    head = (
        f"<h2>Sensitivity</h2><p>{intro} {each} Every index is shown with its 95% confidence "
        "half-width (±); an index smaller than its half-width is indistinguishable from "
        "chance.</p>"
    )
    if "error" in sensitivity:
        return head + f"<p>{e(sensitivity['error'])}</p>"
    return (
        head
        + image(sensitivity_chart(sensitivity), "Sensitivity of each outcome to each key.")
        + _sensitivity_table(sensitivity)
    )


def _sensitivity_table(sensitivity: dict[str, Any]) -> str:
    labels = sensitivity["outcome_labels"]
    shown = shown_indices(sensitivity)
    names = " / ".join(name for name, _ in shown)
    parts = []
    for name, result in sensitivity["outcomes"].items():
        if "constant" in result or "error" in result:
            said = result.get("error") or "constant: no key changes it"
            parts.append(f"<h3>{e(labels[name])}</h3><p>{e(said)}</p>")
            continue
        rows = "".join(
            f"<tr><td>{e(factor)}</td>"
            + "".join(f"<td>{e(index_text(result, factor, n, c))}</td>" for n, c in shown)
            + "</tr>"
            for factor in factors_of(sensitivity)
        )
        head = "".join(f"<th>{n}</th>" for n, _ in shown)
        widest = wide_intervals(sensitivity, result)
        warning = (
            f"<p class='caveat'>{e(wide_warning(sensitivity, labels[name], widest))}</p>"
            if widest is not None
            else ""
        )
        parts.append(
            f"<h3>{e(labels[name])}</h3><table><tr><th>Key ({names})</th>{head}</tr>{rows}"
            f"</table>{warning}"
        )
    return "".join(parts)


def _discovery_section(found: Discovery, target: Metric) -> str:
    """The PRIM boxes and the feature scores, as ``wargame discover`` prints them."""
    share = found.cases / max(found.runs, 1)
    parts = [
        "<h2>Scenario discovery</h2>",
        f"<p>Which ranges of the changed keys lead to <b>{e(found.target)}</b>: {found.cases} "
        f"of {found.runs} runs ({_pct(share)}). PRIM peels {PRIM_ALPHA:.0%} of the runs at a "
        f"time off one end of one key, keeping the densest box, down to boxes of "
        f"{PRIM_MASS_MIN:.0%} of the runs, and takes the box with the best balance of coverage "
        "(the share of all cases inside it) and density (the share of its runs that are "
        f"cases); a restriction that chance explains (quasi-p-value above {PRIM_QP_MAX}) is "
        "dropped. Each further box is found among the runs outside the earlier ones. "
        f"<code>wargame discover DIR --metric '{e(target.text)}'</code> prints the same.</p>",
    ]
    if found.left_out:
        parts.append(f"<p class='note'>Left out: {e(', '.join(found.left_out))}.</p>")
    if not found.boxes:
        parts.append(
            "<p>No box: no range of these keys holds the cases markedly more densely than the "
            "batch as a whole.</p>"
        )
    for i, box in enumerate(found.boxes, 1):
        rows = "".join(
            f"<tr><td><code>{e(key)}</code></td><td>{number(low)} to {number(high)}</td>"
            f"<td>{number(found.ranges[key][0])} to {number(found.ranges[key][1])}</td>"
            f"<td>{box.qp[key]:.1g}</td></tr>"
            for key, (low, high) in box.limits.items()
        )
        among = " (among the runs outside the boxes above)" if i > 1 else ""
        parts.append(
            f"<h3>Box {i}{among}</h3><p>{box.runs} runs ({_pct(box.mass)} of all); density "
            f"{_pct(box.density)}, coverage {_pct(box.coverage)}.</p>"
            "<table><tr><th>Key</th><th>Range in the box</th><th>Range in the batch</th>"
            f"<th>Quasi-p-value</th></tr>{rows}</table>"
        )
    if found.scores:
        rows = "".join(
            f"<tr><td>{e(key)}</td><td>{score:.3f}</td></tr>" for key, score in found.scores.items()
        )
        parts.append(
            "<h3>Feature scores</h3><p>How much each key helps tell the cases from the other "
            "runs: the ROC AUC an extra-trees forest loses, on runs it was not fitted on, when "
            "the key's values are shuffled (0: no help; the AUC itself runs from 0.5, chance, "
            "to 1). A column of random numbers gives the scale: a key scoring no higher matters "
            "no more than chance.</p>"
            f"<table><tr><th>Key</th><th>Score</th></tr>{rows}</table>"
        )
    return "".join(parts)


def _definitions() -> str:
    outcomes = "".join(
        f"<tr><td>{_swatch(k)}{OUTCOME_NAMES[k]}</td><td>{e(v)}</td></tr>"
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
