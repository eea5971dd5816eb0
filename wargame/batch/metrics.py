"""What a sensitivity analysis or a scenario discovery measures of each run, as typed after
``--metric``: a numeric column of the runs table (``peak_rung``), the share of an outcome class
(``outcome=limited_exchange``), or a threshold on a column (``peak_rung>=6``,
``direct_exchange_day<=30``). The last two are 0 or 1 per run: their mean over runs is a share.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wargame.batch.store import flatten
from wargame.core.ladder import OUTCOME_NAMES
from wargame.core.scenario import LoadedScenario, ScenarioError

# What a sensitivity design analyses unless --metric says otherwise.
DEFAULTS: dict[str, str] = {
    "peak_rung": "peak rung",
    "direct_exchange": "direct exchange (0/1)",
    "hormuz_flow_min_mbd": "Hormuz min (mb/d)",
    "oil_price_max_usd": "Brent max (USD)",
    "casualties_total": "killed, all sides",
}
DERIVED = ("direct_exchange", "casualties_total")  # columns summary.finished adds to the runs
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
}
FORM = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(?:(>=|<=|==|!=|>|<|=)\s*(\S.*?))?\s*$")
ENDINGS = {
    "de_escalated": "de-escalated",
    "contained": "contained",
    "limited_exchange": "in a limited exchange",
    "regional_war": "in a regional war",
}
EXAMPLES = "e.g. peak_rung, outcome=limited_exchange or 'peak_rung>=6'"


@dataclass(frozen=True)
class Metric:
    text: str  # as typed
    column: str
    op: str | None = None
    value: Any = None

    @property
    def binary(self) -> bool:
        """Whether the metric is 0 or 1 per run (a class, a threshold, a yes-or-no column)."""
        return self.op is not None or self.column == "direct_exchange"

    @property
    def label(self) -> str:
        if self.column == "outcome":
            return f"{OUTCOME_NAMES[self.value]} (share)"
        if self.op is not None:
            return f"{self.column} {self.op} {self.value:g} (share)"
        return DEFAULTS.get(self.column, self.column)

    @property
    def cases(self) -> str:
        """The runs a yes-or-no metric picks, in words."""
        if self.column == "outcome":
            return f"runs that end {ENDINGS[self.value]}"
        if self.column == "direct_exchange":
            return "runs with a direct exchange between the key pair"
        return f"runs with {self.column} {self.op} {self.value:g}"

    def values(self, ok: pd.DataFrame) -> np.ndarray:
        """The metric of each finished run; NaN where a numeric column has no value (a
        threshold on a column without a value is 0)."""
        column = ok[self.column]
        if self.op is None:
            return column.to_numpy(float)
        return OPERATORS[self.op](column, self.value).to_numpy(float)


def parse_metric(text: str, flag: str = "--metric") -> Metric:
    """A metric as typed; ``ScenarioError`` with one line if it is not one of the forms."""
    found = FORM.match(text)
    if found is None:
        raise ScenarioError([f"{flag} {text}: expected a column or a comparison, {EXAMPLES}"])
    column, op, raw = found.groups()
    if op is None:
        return Metric(text, column)
    if column == "outcome":
        if op not in ("=", "==") or raw not in OUTCOME_NAMES:
            raise ScenarioError(
                [f"{flag} {text}: expected outcome=CLASS, a class of {', '.join(OUTCOME_NAMES)}"]
            )
        return Metric(text, column, "==", raw)
    try:
        value = float(raw)
    except ValueError:
        raise ScenarioError([f"{flag} {text}: '{raw}' is not a number"]) from None
    return Metric(text, column, op, value)


def check_metrics(texts: list[str], loaded: LoadedScenario, flag: str = "--metric") -> None:
    """Refuse, before any run, a metric that is malformed or names no column of the runs
    table; every problem on a line of its own."""
    problems: list[str] = []
    columns = summary_columns(loaded) if texts else set()
    for text in texts:
        try:
            metric = parse_metric(text, flag)
        except ScenarioError as exc:
            problems += exc.lines
            continue
        if metric.column not in columns:
            problems.append(f"{flag} {text}: {unknown_column(metric.column, columns)}")
    if problems:
        raise ScenarioError(problems)


def unknown_column(column: str, columns: set[str]) -> str:
    import difflib

    hint = difflib.get_close_matches(column, sorted(columns), n=1)
    tip = f"; did you mean '{hint[0]}'?" if hint else ""
    return f"no column '{column}' in the runs table{tip} (see docs/batch.md, The tables)"


def summary_columns(loaded: LoadedScenario) -> set[str]:
    """The numeric and outcome columns of a run's row in the runs table, from the summary of
    a model of the scenario that has not started."""
    from wargame.engine.model import WargameModel

    row = flatten(WargameModel(loaded, seed=0).record.summary())
    texts = {key for key, value in row.items() if isinstance(value, str)}
    return (set(row) - texts) | {"outcome", *DERIVED}
