"""What a scenario key means: its label, unit and explanation, read by the dashboard (the
sliders and their tooltips) and by the batch report (the table of swept and varied keys), so
that both say the same. Where a value comes from is the scenario's own provenance
(``LoadedScenario.sources``), not this table.

A side's doctrine and aims have one entry each for every side (``actors.<side>.resolve``); a
few other keys have entries of their own. The meaning of every key is in docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Parameter:
    """A scenario key in words; ``low``, ``high`` and ``step`` are the dashboard's slider, for
    the keys it offers."""

    key: str
    label: str
    unit: str
    help: str
    low: float | None = None
    high: float | None = None
    step: float | None = None


PARAMETERS = (
    Parameter(
        "actors.iran.resolve",
        "Iran's resolve",
        "0 to 1",
        "Iran's willingness to bear costs and hit back: 0 none, 1 whatever it takes.",
        0.0,
        1.0,
        0.05,
    ),
    Parameter(
        "actors.quds.coordination.pmu",
        "Quds Force coordination with the PMU",
        "0 to 1",
        "How closely the Quds Force plans with Iraq's militias at the start: the closer, the "
        "more capable their attacks.",
        0.0,
        1.0,
        0.05,
    ),
    Parameter(
        "isr.israel_syria.detection",
        "Israel's detection over Syria",
        "chance a day",
        "The chance a day that Israeli surveillance sees a convoy at the centre of its coverage "
        "(Damascus); it falls off with distance.",
        0.0,
        1.0,
        0.05,
    ),
    Parameter(
        "actors.us.goals.deterrence",
        "US deterrence weight",
        "weight, 0 to 3",
        "How much the US values answering attacks so that they stop, against its other aims "
        "(security, pressure, restraint...).",
        0.0,
        3.0,
        0.1,
    ),
    Parameter(
        "policies.us.sanctions.oil",
        "Oil sanctions level",
        "share of the full cut, 0 to 1",
        "How hard US sanctions bite on Iran's oil exports: 1 is the full sanctions of May 2019, "
        "0 none.",
        0.0,
        1.0,
        0.05,
    ),
    Parameter(
        "rules.decisions.memory_days",
        "Memory of attacks",
        "days",
        "How long a side remembers an attack it suffered (its fear fades over this time) and "
        "how long an order given again counts for less.",
    ),
    Parameter(
        "rules.decisions.rung_cost",
        "Cost of climbing the ladder",
        "utility per rung",
        "What a side gives up, times its caution, for each rung an order climbs above today's.",
    ),
    Parameter(
        "rules.decisions.retaliation_fear",
        "Fear of retaliation",
        "utility",
        "What a side gives up, times its caution, for a hostile order against a resolute "
        "adversary with forces present.",
    ),
    Parameter(
        "rules.decisions.rationality",
        "Rationality",
        "logit precision",
        "How consistently every side picks its best option (a side may set its own): the "
        "higher, the fewer surprises.",
    ),
    Parameter(
        "rules.decisions.action_cost",
        "Cost of acting",
        "utility",
        "What any order but holding must be worth to be chosen.",
    ),
    Parameter(
        "rules.escalation.memory_days",
        "Memory of the ladder",
        "days",
        "The rung of a day is the highest rung of any public incident in this many past days.",
    ),
    Parameter(
        "rules.escalation.tension_decay",
        "Tension decay",
        "share a day",
        "How fast a grievance relaxes each day toward its floor of lasting enmity.",
    ),
    Parameter(
        "scenario.days",
        "Length of the run",
        "days",
        "How many days each run lasts.",
    ),
)

# A side's doctrine and aims: (label, unit, explanation), with {side} for the side's name.
SIDE_KEYS: dict[str, tuple[str, str, str]] = {
    "resolve": (
        "{side}'s resolve",
        "0 to 1",
        "{side}'s willingness to bear costs and hit back: 0 none, 1 whatever it takes; a "
        "resolute side also deters others from attacking it.",
    ),
    "caution": (
        "{side}'s caution",
        "0 to 1",
        "How heavily {side} weighs climbing the ladder and provoking a resolute adversary.",
    ),
    "rationality": (
        "{side}'s rationality",
        "logit precision",
        "How consistently {side} picks its best option: the higher, the fewer surprises.",
    ),
    "intel": (
        "{side}'s intelligence",
        "0 to 1",
        "How often {side} attributes a deniable act correctly.",
    ),
    "deniability": (
        "{side}'s deniability",
        "0 to 1",
        "How hard {side}'s own covert acts are to attribute.",
    ),
    "sponsor_blame": (
        "{side}'s blame of sponsors",
        "share",
        "The share of a proxy's blame that {side} passes on to the proxy's sponsor.",
    ),
    "pain_sensitivity": (
        "{side}'s sensitivity to pain",
        "0 to 1",
        "How much economic pain erodes {side}'s caution.",
    ),
}
AIMS: dict[str, str] = {
    "security": "its forces, people and assets unharmed",
    "deterrence": "answering attacks so that they stop",
    "pressure": "coercing an adversary economically",
    "economy": "its own revenue and the flow of oil",
    "influence": "reach through proxies and the corridor",
    "restraint": "staying off the higher rungs",
    "alliance": "standing with its leader or sponsor",
}
BY_KEY = {p.key: p for p in PARAMETERS}
SLIDERS = tuple(p for p in PARAMETERS if p.step is not None)


def describe(key: str, names: dict[str, str]) -> Parameter | None:
    """The entry for ``key``, with ``names`` giving each side's name (``{"iran": "Iran"}``);
    None for a key this table does not describe."""
    if key in BY_KEY:
        return BY_KEY[key]
    parts = key.split(".")
    if len(parts) < 3 or parts[0] != "actors" or parts[1] not in names:
        return None
    side = names[parts[1]]
    if len(parts) == 3 and parts[2] in SIDE_KEYS:
        label, unit, text = SIDE_KEYS[parts[2]]
        return Parameter(key, label.format(side=side), unit, text.format(side=side))
    if len(parts) == 4 and parts[2] == "goals" and parts[3] in AIMS:
        return Parameter(
            key,
            f"{side}'s weight on {parts[3]}",
            "weight",
            f"How much {side} values {AIMS[parts[3]]}, against its other aims.",
        )
    if len(parts) == 4 and parts[2] == "coordination" and parts[3] in names:
        return Parameter(
            key,
            f"{side}'s coordination with {names[parts[3]]}",
            "0 to 1",
            f"How closely {side} plans with {names[parts[3]]} at the start: the closer, the "
            "more capable its attacks.",
        )
    return None


def value_at(tree: Any, key: str) -> Any:
    """The value at a dotted key of a validated scenario (tables, lists by index, fields),
    or None where it has none."""
    node = tree
    for part in key.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list):
            node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
        else:
            node = getattr(node, part, None)
        if node is None:
            return None
    return node
