"""What can happen: the catalogue of incident kinds, and the event that records one.

An event is what the umpire says happened: who did it, to whom, where, with what outcome,
and whom the victim blamed (and how sure it was). The truth (``actor``) and the belief
(``blamed``) are kept side by side, because a spiral can start from a wrong attribution. Each
kind's facts live on its catalogue entry: its usual rung, whether it is covert (known only to
those involved and those who saw it), hostile (it harms its target and counts as an attack),
deniable (its doer can hide behind others), and how the record tells it in a few words. How
much each kind angers its victim is a parameter of the scenario
(``rules.escalation.severity.<kind>``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from wargame.core.ladder import Rung


@dataclass(frozen=True, slots=True)
class IncidentKind:
    name: str
    rung: Rung  # its usual rung (strikes and posture changes set their own per event)
    what: str  # what happened, in a few words
    covert: bool = False
    hostile: bool = False
    deniable: bool = False
    aimed: str = "aimed at"  # how a sentence names the side it concerned, when not an attack
    routine: bool = False  # done under standing rules of engagement: background to the crisis
    # The kind the record of past incidents counts it as, when sources seldom tell the two
    # apart: a missile fired at Saudi Arabia is reported without saying whether it was aimed at a
    # city, a base or an oil plant; a strike in Syria without saying whether it hit a convoy.
    tallied_as: str | None = None


def _catalogue(*kinds: IncidentKind) -> dict[str, IncidentKind]:
    return {kind.name: kind for kind in kinds}


INCIDENTS: dict[str, IncidentKind] = _catalogue(
    IncidentKind(
        "tanker_sabotage", Rung.HARASSMENT, "tanker attacked", hostile=True, deniable=True
    ),
    IncidentKind("tanker_seizure", Rung.HARASSMENT, "tanker seizure", hostile=True),
    IncidentKind(
        "oil_facility_attack",
        Rung.PROXY_VIOLENCE,
        "oil facility attacked",
        hostile=True,
        deniable=True,
        tallied_as="rocket_attack",
    ),
    IncidentKind(
        "base_attack",
        Rung.PROXY_VIOLENCE,
        "base attacked",
        hostile=True,
        deniable=True,
        tallied_as="rocket_attack",
    ),
    IncidentKind(
        "rocket_attack", Rung.PROXY_VIOLENCE, "rocket attack", hostile=True, deniable=True
    ),
    IncidentKind(
        "drone_shootdown", Rung.STRIKES_ON_PROXIES, "surveillance drone fired on", hostile=True
    ),
    IncidentKind(
        "convoy_detected", Rung.CALM, "missile convoy spotted", covert=True, aimed="watching"
    ),
    IncidentKind(
        "convoy_interdicted",
        Rung.STRIKES_ON_PROXIES,
        "missile convoy struck",
        hostile=True,
        routine=True,
        tallied_as="state_strike",
    ),
    IncidentKind(
        "convoy_delivered", Rung.CALM, "missile convoy delivered", covert=True, aimed="to"
    ),
    IncidentKind("state_strike", Rung.LIMITED_DIRECT, "air strike", hostile=True),
    IncidentKind(
        "leadership_strike",
        Rung.STRIKES_ON_PROXIES,
        "commanders targeted",
        hostile=True,
        tallied_as="state_strike",
    ),
    IncidentKind("posture_change", Rung.SHOW_OF_FORCE, "force protection changed"),
    IncidentKind("evacuation", Rung.SHOW_OF_FORCE, "mission staffing changed"),
    IncidentKind("deployment", Rung.SHOW_OF_FORCE, "forces moved"),
    IncidentKind("sanctions_change", Rung.GESTURES, "sanctions changed"),
    IncidentKind("mediation", Rung.GESTURES, "mediation"),
    IncidentKind("nuclear_step", Rung.GESTURES, "step on the nuclear deal's limits"),
    IncidentKind("withdrawal_pressure", Rung.GESTURES, "pressure on foreign forces to leave"),
    IncidentKind("closure_threat", Rung.SHOW_OF_FORCE, "threat to close the Strait of Hormuz"),
    IncidentKind(
        "closure_attempt",
        Rung.SUSTAINED_DIRECT,
        "attempt to close the Strait of Hormuz",
        hostile=True,
    ),
    IncidentKind(
        "coordination",
        Rung.HARASSMENT,
        "militia coordination meeting",
        covert=True,
        aimed="with",
    ),
    IncidentKind(
        "proxy_refusal", Rung.CALM, "a militia declined its sponsor's direction", covert=True
    ),
)

COVERT_KINDS = frozenset(k for k, kind in INCIDENTS.items() if kind.covert)
HOSTILE_KINDS = frozenset(k for k, kind in INCIDENTS.items() if kind.hostile)
DENIABLE_KINDS = frozenset(k for k, kind in INCIDENTS.items() if kind.deniable)


def tally(kind: str) -> str:
    """The kind under which the record of past incidents counts an incident of ``kind``."""
    return INCIDENTS[kind].tallied_as or kind


# How an incident touches those it concerns: it angers them (the usual case), eases their
# grievance (an act of goodwill: sanctions eased, a force withdrawn, talks agreed), or leaves them
# unmoved (an offer of talks refused). The rule that makes an event says which.
Tone = Literal["hostile", "goodwill", "neutral"]


@dataclass(slots=True)
class Event:
    day: int
    kind: str
    actor: str  # who really did it
    target: str  # the side it was aimed at
    place: str  # a site id or a place name
    cell: tuple[int, int]
    outcome: str
    rung: int
    blamed: str | None = None  # whom the target blamed
    confidence: float = 0.0  # how sure the target was
    casualties: int = 0
    directed_by: str | None = None  # the sponsor that ordered a proxy's act
    order: str | None = None  # the order that caused it, if any
    tone: Tone = "hostile"
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def covert(self) -> bool:
        """Covert events are known only to those involved and those who saw them (``seen_by``);
        they do not move the public ladder."""
        return self.kind in COVERT_KINDS

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["cell"] = list(self.cell)
        out["confidence"] = round(self.confidence, 3)
        return out
