"""What can happen: the incident kinds and the event that records one.

An event is what the umpire says happened: who did it, to whom, where, with what outcome,
and whom the victim blamed (and how sure it was). The truth (``actor``) and the belief
(``blamed``) are kept side by side, because a spiral can start from a wrong attribution.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from wargame.core.ladder import Rung

# Incident kind -> its usual rung (strikes and posture changes set their own per event).
INCIDENT_KINDS: dict[str, Rung] = {
    "tanker_sabotage": Rung.HARASSMENT,
    "tanker_seizure": Rung.HARASSMENT,
    "oil_facility_attack": Rung.PROXY_VIOLENCE,
    "base_attack": Rung.PROXY_VIOLENCE,
    "rocket_attack": Rung.PROXY_VIOLENCE,
    "drone_shootdown": Rung.STRIKES_ON_PROXIES,
    "convoy_detected": Rung.CALM,
    "convoy_interdicted": Rung.STRIKES_ON_PROXIES,
    "convoy_delivered": Rung.CALM,
    "state_strike": Rung.LIMITED_DIRECT,
    "posture_change": Rung.SHOW_OF_FORCE,
    "evacuation": Rung.SHOW_OF_FORCE,
    "deployment": Rung.SHOW_OF_FORCE,
    "sanctions_change": Rung.GESTURES,
    "mediation": Rung.GESTURES,
    "closure_threat": Rung.SHOW_OF_FORCE,
    "closure_attempt": Rung.SUSTAINED_DIRECT,
    "coordination": Rung.HARASSMENT,
}

# How an incident touches those it concerns: it angers them (the usual case), eases their
# grievance (an act of goodwill: sanctions eased, a force withdrawn, talks agreed), or leaves them
# unmoved (an offer of talks refused). The rule that makes an event says which.
Tone = Literal["hostile", "goodwill", "neutral"]

COVERT_KINDS = frozenset({"convoy_detected", "convoy_delivered", "coordination"})

# Kinds that harm the target: they anger it and are counted as attacks.
HOSTILE_KINDS = frozenset(
    {
        "tanker_sabotage",
        "tanker_seizure",
        "oil_facility_attack",
        "base_attack",
        "rocket_attack",
        "drone_shootdown",
        "convoy_interdicted",
        "state_strike",
        "closure_attempt",
    }
)


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
