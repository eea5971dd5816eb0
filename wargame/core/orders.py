"""The catalogue of orders a side can give.

Every player, computer or human, chooses from this one catalogue, and only from the entries
its scenario lists under ``actors.<id>.orders``. Each entry says what it targets, the rung of
the escalation ladder it belongs to, and what it does in one line: the dashboard shows the line,
the computer players weigh the rung, the rules carry the order out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from wargame.core.ladder import Rung


class Target(StrEnum):
    """What an order is aimed at; rules/options.py lists the legal targets of each."""

    NONE = "none"
    COUNTRY = "country"  # a country where the side has sites
    SITE = "site"  # a site on the map (base, embassy, oil facility, city)
    UNIT = "unit"  # one of the side's own forces
    ACTOR = "actor"  # another side
    MILITIA = "militia"
    PAIR = "pair"  # two sides, written "a:b"
    SECTOR = "sector"  # a sanctions sector
    LANE = "lane"  # a shipping lane


@dataclass(frozen=True, slots=True)
class OrderKind:
    name: str
    rung: Rung
    target: Target
    explanation: str

    @property
    def standing(self) -> bool:
        """A standing policy (reviewed on a cycle) rather than a reaction (any day)."""
        return self.name in STANDING


def _kinds(*entries: tuple[str, Rung, Target, str]) -> dict[str, OrderKind]:
    return {name: OrderKind(name, rung, target, text) for name, rung, target, text in entries}


# Standing policies: a side changes at most one a day, and computer players review them only on
# their review days (rules.decisions); reactions (posture, evacuations, attacks, strikes,
# convoys) can come any day.
STANDING = frozenset(
    {
        "deploy",
        "withdraw",
        "escort",
        "end_escort",
        "tighten_sanctions",
        "ease_sanctions",
        "mediate",
        "isr_surge",
        "authorise_interdiction",
        "suspend_interdiction",
        "coordinate",
        "restrain",
    }
)


CATALOGUE: dict[str, OrderKind] = _kinds(
    ("hold", Rung.CALM, Target.NONE, "Take no new action today."),
    # Threat posture
    (
        "raise_posture",
        Rung.SHOW_OF_FORCE,
        Target.COUNTRY,
        "Raise force protection one level at your sites in a country: less exposed, less ready.",
    ),
    (
        "lower_posture",
        Rung.CALM,
        Target.COUNTRY,
        "Lower force protection one level in a country: readiness recovers, sites more exposed.",
    ),
    (
        "evacuate",
        Rung.SHOW_OF_FORCE,
        Target.SITE,
        "Send non-essential staff home from an embassy or consulate.",
    ),
    ("return_staff", Rung.CALM, Target.SITE, "Bring evacuated staff back to a mission."),
    (
        "deploy",
        Rung.SHOW_OF_FORCE,
        Target.UNIT,
        "Send a reserve force (carrier group, bombers, escorts) to the theatre: deters, provokes.",
    ),
    ("withdraw", Rung.CALM, Target.UNIT, "Bring a deployed force home."),
    (
        "escort",
        Rung.SHOW_OF_FORCE,
        Target.LANE,
        "Escort tankers in a shipping lane: attacks and seizures there become harder.",
    ),
    ("end_escort", Rung.CALM, Target.LANE, "Stop escorting tankers in a lane."),
    # Pressure and diplomacy
    (
        "tighten_sanctions",
        Rung.GESTURES,
        Target.SECTOR,
        "Tighten sanctions on Iran's oil, shipping or banking, or end the oil waivers.",
    ),
    (
        "ease_sanctions",
        Rung.GESTURES,
        Target.SECTOR,
        "Ease sanctions on one sector of Iran's economy, or grant oil waivers.",
    ),
    (
        "mediate",
        Rung.GESTURES,
        Target.PAIR,
        "Offer to mediate between two sides: if it works, tension between them falls.",
    ),
    (
        "threaten_closure",
        Rung.SHOW_OF_FORCE,
        Target.NONE,
        "Threaten to close the Strait of Hormuz: oil prices rise, so does tension.",
    ),
    (
        "close_strait",
        Rung.SUSTAINED_DIRECT,
        Target.NONE,
        "Try to close the Strait of Hormuz with mines and fast boats.",
    ),
    # Intelligence and interdiction
    (
        "isr_surge",
        Rung.CALM,
        Target.NONE,
        "Surge surveillance over the corridor for two weeks: more convoys seen, less readiness.",
    ),
    (
        "authorise_interdiction",
        Rung.GESTURES,
        Target.COUNTRY,
        "Allow strikes on convoys detected in a country.",
    ),
    (
        "suspend_interdiction",
        Rung.CALM,
        Target.COUNTRY,
        "Stop striking convoys detected in a country.",
    ),
    (
        "send_convoy",
        Rung.SHOW_OF_FORCE,
        Target.MILITIA,
        "Send a missile convoy along the land corridor to a militia.",
    ),
    # The Quds Force and the militias
    (
        "coordinate",
        Rung.HARASSMENT,
        Target.MILITIA,
        "Meet a militia's leaders and plan together: its operations become more capable.",
    ),
    (
        "restrain",
        Rung.CALM,
        Target.MILITIA,
        "Tell a militia to stand down: it attacks less on its own for a while.",
    ),
    (
        "direct_attack",
        Rung.PROXY_VIOLENCE,
        Target.SITE,
        "Direct a militia (the order's 'via') to attack a site of an adversary.",
    ),
    # Attacks
    (
        "rocket_attack",
        Rung.PROXY_VIOLENCE,
        Target.SITE,
        "Fire rockets at a city or a diplomatic compound.",
    ),
    (
        "attack_base",
        Rung.PROXY_VIOLENCE,
        Target.SITE,
        "Attack a military base with rockets, drones or bombs.",
    ),
    (
        "attack_oil",
        Rung.PROXY_VIOLENCE,
        Target.SITE,
        "Attack an oil facility with drones or missiles: capacity goes offline until repaired.",
    ),
    (
        "attack_tanker",
        Rung.HARASSMENT,
        Target.LANE,
        "Damage a tanker in a shipping lane (limpet mines, drones, missiles).",
    ),
    ("seize_tanker", Rung.HARASSMENT, Target.LANE, "Seize a tanker in a shipping lane."),
    (
        "shoot_down_drone",
        Rung.STRIKES_ON_PROXIES,
        Target.ACTOR,
        "Shoot down a surveillance drone of another side.",
    ),
    (
        "strike_militia",
        Rung.STRIKES_ON_PROXIES,
        Target.MILITIA,
        "Strike a militia's depots and commanders: weakens it, angers it and its sponsor.",
    ),
    (
        "strike_state",
        Rung.LIMITED_DIRECT,
        Target.ACTOR,
        "Strike another state's forces directly.",
    ),
)

SECTORS = ("oil", "shipping", "banking", "waivers")


class Order(NamedTuple):
    """One side's order for one day; ``via`` names the militia for direct_attack.

    A named tuple: orders are compared and hashed thousands of times a day.
    """

    actor: str
    kind: str
    target: str | None = None
    via: str | None = None

    @property
    def spec(self) -> OrderKind:
        return CATALOGUE[self.kind]

    def label(self) -> str:
        parts = [self.kind.replace("_", " ")]
        if self.target:
            parts.append(self.target)
        if self.via:
            parts.append(f"via {self.via}")
        return " ".join(parts)

    def to_dict(self) -> dict[str, str | None]:
        return {"actor": self.actor, "kind": self.kind, "target": self.target, "via": self.via}
