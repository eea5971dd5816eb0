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
        "Routine competition: no incident above ordinary diplomacy in the recent past, besides "
        "the background wars (the Saudi-Houthi war, Israel's campaign in Syria, Gaza's rounds).",
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
        "Seizures of ships, sabotage of tankers, a sponsor's coordination of proxies, and "
        "attacks that hit nothing (a rocket that falls in an empty lot); no one killed.",
        "rungs 7-8 ('legal' harassment; harassing acts of violence)",
    ),
    Rung.PROXY_VIOLENCE: RungInfo(
        "Proxy violence",
        "Militia rockets, drones and bombs that hit states' bases, cities and oil facilities, "
        "killing fewer than five.",
        "rung 8 (harassing acts of violence), carried out by proxies",
    ),
    Rung.STRIKES_ON_PROXIES: RungInfo(
        "Strikes on proxies, deadly proxy violence",
        "States strike militias and convoys or down each other's drones; or a militia's attack "
        "kills five or more.",
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
        "Direct strikes on many days drawing in three or more states, or a thousand killed in "
        "direct exchanges (UCDP's threshold of a war).",
        "rungs 15-20 (barely nuclear war excluded: the ladder stops below Kahn's "
        "nuclear threshold)",
    ),
}

# The Uppsala Conflict Data Program's thresholds of battle-related deaths in a year: an armed
# conflict from 25, a war from 1,000.
CONFLICT_DEATHS = 25
WAR_DEATHS = 1000

# Outcome classes of a whole run, by its trajectory and its violence. The key pair is the
# scenario's central dyad (the US and Iran in May 2019); the crisis's dead are those killed in
# its incidents, not in the background wars (unless a single blow there killed five or more).
OUTCOMES: dict[str, str] = {
    "de_escalated": (
        "The key pair never struck each other directly, the crisis killed fewer than 25 (UCDP's "
        "threshold of an armed conflict), and it ended at rung 3 or lower."
    ),
    "contained": (
        "The key pair never struck each other directly, but the crisis killed 25 or more, or "
        "ended above rung 3."
    ),
    "limited_exchange": (
        "The key pair struck each other directly at least once, without a regional war."
    ),
    "regional_war": (
        "The crisis reached rung 8: direct strikes on many days among three or more states, or "
        "1,000 or more killed in direct exchanges (UCDP's threshold of a war)."
    ),
}

# The outcome classes as the docs name them, for people.
OUTCOME_NAMES: dict[str, str] = {
    "de_escalated": "de-escalated",
    "contained": "contained",
    "limited_exchange": "limited exchange",
    "regional_war": "regional war",
}


def outcome_class(peak: int, key_pair_struck: bool, final: int, crisis_killed: int) -> str:
    """Classify a run; the definitions are in OUTCOMES."""
    if peak >= Rung.REGIONAL_WAR:
        return "regional_war"
    if key_pair_struck:
        return "limited_exchange"
    if final <= Rung.HARASSMENT and crisis_killed < CONFLICT_DEATHS:
        return "de_escalated"
    return "contained"


def pairwise(rung: int, victim: str | None) -> bool:
    """Whether an order climbs from its pair's own rung, not the crisis's: a direct exchange
    against another side (rules/escalation.py, ``Ladder.base_for``)."""
    return victim is not None and rung >= Rung.LIMITED_DIRECT
