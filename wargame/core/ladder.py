"""The escalation ladder and the outcome classes of a run.

A condensed version of Herman Kahn's 44-rung ladder (On Escalation: Metaphors and Scenarios,
1965), cut to the part a proxy crisis climbs: from gestures through shows of force and
harassment to proxy violence, strikes on proxies, and direct exchange between states. Each rung
says which of Kahn's rungs it condenses. Every incident kind sits on one rung; the rung of the
crisis on a day is the highest rung reached in the recent past (see rules/escalation.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Rung(IntEnum):
    CALM = 0
    GESTURES = 1
    SHOW_OF_FORCE = 2
    HARASSMENT = 3
    PROXY_VIOLENCE = 4
    STRIKES_ON_PROXIES = 5
    LIMITED_DIRECT = 6
    SUSTAINED_DIRECT = 7
    REGIONAL_WAR = 8


@dataclass(frozen=True, slots=True)
class RungInfo:
    title: str
    definition: str
    kahn: str


LADDER: dict[Rung, RungInfo] = {
    Rung.CALM: RungInfo(
        "Calm",
        "Routine competition: no incident above ordinary diplomacy in the recent past.",
        "below rung 1 ('disagreement, cold war')",
    ),
    Rung.GESTURES: RungInfo(
        "Gestures",
        "Political, economic and diplomatic gestures: sanctions changes, mediation, statements.",
        "rungs 1-4 (ostensible crisis; political, economic and diplomatic gestures; "
        "solemn and formal declarations; hardening of positions)",
    ),
    Rung.SHOW_OF_FORCE: RungInfo(
        "Show of force",
        "Deployments, raised force protection, evacuations, threats to close the strait.",
        "rungs 5-6 (show of force; significant mobilization)",
    ),
    Rung.HARASSMENT: RungInfo(
        "Harassment",
        "Seizures of ships, covert sabotage of tankers, a sponsor's open coordination of proxies.",
        "rungs 7-8 ('legal' harassment; harassing acts of violence)",
    ),
    Rung.PROXY_VIOLENCE: RungInfo(
        "Proxy violence",
        "Militia rockets, drones and bombs against states' bases, cities and oil facilities.",
        "rung 8 (harassing acts of violence), carried out by proxies",
    ),
    Rung.STRIKES_ON_PROXIES: RungInfo(
        "Strikes on proxies",
        "States strike militias and convoys, or down each other's unmanned aircraft.",
        "rung 9 (dramatic military confrontations)",
    ),
    Rung.LIMITED_DIRECT: RungInfo(
        "Limited direct exchange",
        "A state strikes another state's forces or territory directly, once and bounded.",
        "rungs 10-13 (provocative breaking off of diplomatic relations; super-ready status; "
        "large conventional war, limited in scope)",
    ),
    Rung.SUSTAINED_DIRECT: RungInfo(
        "Sustained direct exchange",
        "Direct strikes between states on several days, or an attempt to close Hormuz.",
        "rungs 13-15 (large compound escalation; declaration of limited conventional war)",
    ),
    Rung.REGIONAL_WAR: RungInfo(
        "Regional war",
        "Direct strikes on many days drawing in three or more states.",
        "rungs 15-20 (barely nuclear war excluded: the ladder stops below Kahn's "
        "nuclear threshold)",
    ),
}

# Outcome classes of a whole run. The key pair is the scenario's central dyad (the US and Iran
# in May 2019): shadow wars elsewhere, such as Israel's strikes on the Quds Force in Syria,
# climb the ladder but do not by themselves make a run a direct exchange.
OUTCOMES: dict[str, str] = {
    "de_escalated": (
        "The key pair never struck each other directly, the crisis ended at rung 3 or lower, and "
        "the key pair's tension ended below where it started."
    ),
    "contained": (
        "The key pair never struck each other directly, but the crisis did not de-escalate."
    ),
    "limited_exchange": (
        "The key pair struck each other directly at least once, without a regional war."
    ),
    "regional_war": (
        "The crisis reached rung 8: direct strikes on many days among three or more states."
    ),
}

# The outcome classes as the docs name them, for people.
OUTCOME_NAMES: dict[str, str] = {
    "de_escalated": "de-escalated",
    "contained": "contained",
    "limited_exchange": "limited exchange",
    "regional_war": "regional war",
}


def outcome_class(
    peak: int, key_pair_struck: bool, final: int, tension_start: float, tension_end: float
) -> str:
    """Classify a run; the definitions are in OUTCOMES."""
    if peak >= Rung.REGIONAL_WAR:
        return "regional_war"
    if key_pair_struck:
        return "limited_exchange"
    if final <= Rung.HARASSMENT and tension_end < tension_start:
        return "de_escalated"
    return "contained"
