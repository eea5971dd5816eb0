"""The catalogue of orders a side can give: one entry per kind, holding every fact about it.

Every player, computer or human, chooses from this one catalogue, and only from the entries
its scenario lists under ``actors.<id>.orders``. An entry says what the order targets, the rung
of the escalation ladder it belongs to, what it does in one line (the dashboard shows it),
whether it is a standing policy or a reaction, which rule adjudicates it and which appraisal a
computer player weighs it with (named, so that the core imports no engine code), whom it hurts,
the order it undoes, the incident it usually produces, and the kinds of site it may strike.
Entries are listed in the order the umpire adjudicates them within a day (engine/umpire.py):
pressure and diplomacy, posture, surveillance, the proxies, attacks, strikes, then closure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NamedTuple

from wargame.core.ladder import Rung


class Target(StrEnum):
    """What an order is aimed at; engine/legal.py lists the legal targets of each."""

    NONE = "none"
    COUNTRY = "country"  # a country where the side has sites
    SITE = "site"  # a site on the map (base, embassy, oil facility, city)
    UNIT = "unit"  # one of the side's own forces
    ACTOR = "actor"  # another side
    MILITIA = "militia"
    PAIR = "pair"  # two sides, written "a:b"
    SECTOR = "sector"  # a sanctions sector
    LANE = "lane"  # a shipping lane


# Whom a hostile order hurts, for the fear of its retaliation: the owner of the site it
# strikes, the side it names, or the side's first adversary (shipping, the strait).
Victim = Literal["site_owner", "target", "first_adversary"]

CITIES = ("city", "embassy", "consulate")
BASES = ("base", "military_site")
OIL = ("oil_facility", "oil_terminal")


@dataclass(frozen=True, slots=True)
class OrderKind:
    name: str
    rung: Rung
    target: Target
    explanation: str
    rule: str | None  # "module.function" under engine/rules that adjudicates it
    appraisal: str  # the function of engine/appraisal.py that weighs it
    standing: bool = False  # a standing policy (reviewed on a cycle), not a reaction (any day)
    victim: Victim | None = None
    reverses: str | None = None  # the order it undoes: for repeats they count as one
    incident: str | None = None  # the incident it usually produces
    # The kinds of site it may strike (attacks on sites), in groups that the menu lists in turn.
    site_kinds: tuple[tuple[str, ...], ...] = ()
    through_proxy: bool = False  # carried out by a militia the side sponsors (the order's via)

    @property
    def attacks_site(self) -> bool:
        return bool(self.site_kinds)

    @property
    def about_nothing(self) -> bool:
        """Orders about the crisis as a whole (pressure, talks, the strait, surveillance): for
        repeats, one such order counts as any other of its kind."""
        return self.target in (Target.NONE, Target.SECTOR, Target.PAIR)


def _catalogue(*kinds: OrderKind) -> dict[str, OrderKind]:
    return {kind.name: kind for kind in kinds}


CATALOGUE: dict[str, OrderKind] = _catalogue(
    OrderKind("hold", Rung.CALM, Target.NONE, "Take no new action today.", None, "hold"),
    # Pressure and diplomacy
    OrderKind(
        "tighten_sanctions",
        Rung.GESTURES,
        Target.SECTOR,
        "Tighten sanctions on Iran's oil, shipping, banking, petrochemicals or metals, or end "
        "the oil waivers.",
        "economy.change_sanctions",
        "sanctions",
        standing=True,
        incident="sanctions_change",
    ),
    OrderKind(
        "ease_sanctions",
        Rung.GESTURES,
        Target.SECTOR,
        "Ease sanctions on one sector of Iran's economy, or grant oil waivers.",
        "economy.change_sanctions",
        "sanctions",
        standing=True,
        reverses="tighten_sanctions",
        incident="sanctions_change",
    ),
    OrderKind(
        "mediate",
        Rung.GESTURES,
        Target.PAIR,
        "Offer to mediate between two sides: if it works, tension between them falls.",
        "diplomacy.mediate",
        "mediation",
        standing=True,
        incident="mediation",
    ),
    OrderKind(
        "nuclear_step",
        Rung.GESTURES,
        Target.NONE,
        "Step further back from the nuclear deal's limits: leverage against sanctions, which "
        "the sides that count you an enemy resent.",
        "diplomacy.nuclear_step",
        "nuclear",
        standing=True,
        incident="nuclear_step",
    ),
    OrderKind(
        "nuclear_return",
        Rung.CALM,
        Target.NONE,
        "Return to the nuclear deal's limits, undoing every step taken.",
        "diplomacy.nuclear_step",
        "nuclear",
        standing=True,
        reverses="nuclear_step",
        incident="nuclear_step",
    ),
    OrderKind(
        "press_withdrawal",
        Rung.GESTURES,
        Target.ACTOR,
        "Back parliament's bill setting a foreign side's forces a deadline to leave: a first step "
        "tables it, a second passes it, and forces still there at the deadline must go.",
        "sovereignty.press_withdrawal",
        "sovereignty",
        standing=True,
        incident="withdrawal_pressure",
    ),
    OrderKind(
        "drop_withdrawal",
        Rung.CALM,
        Target.ACTOR,
        "Let the bill on a foreign side's forces lapse, and its deadline with it.",
        "sovereignty.press_withdrawal",
        "sovereignty",
        standing=True,
        reverses="press_withdrawal",
        incident="withdrawal_pressure",
    ),
    OrderKind(
        "threaten_closure",
        Rung.SHOW_OF_FORCE,
        Target.NONE,
        "Threaten to close the Strait of Hormuz: oil prices rise, so does tension.",
        "economy.threaten_closure",
        "closure",
        incident="closure_threat",
    ),
    # Threat posture
    OrderKind(
        "raise_posture",
        Rung.SHOW_OF_FORCE,
        Target.COUNTRY,
        "Raise force protection one level at your sites in a country: less exposed, less ready.",
        "posture.change_posture",
        "posture",
        incident="posture_change",
    ),
    OrderKind(
        "lower_posture",
        Rung.CALM,
        Target.COUNTRY,
        "Lower force protection one level in a country: readiness recovers, sites more exposed.",
        "posture.change_posture",
        "posture",
        reverses="raise_posture",
        incident="posture_change",
    ),
    OrderKind(
        "evacuate",
        Rung.SHOW_OF_FORCE,
        Target.SITE,
        "Send non-essential staff home from an embassy or consulate.",
        "posture.evacuate",
        "evacuation",
        incident="evacuation",
    ),
    OrderKind(
        "return_staff",
        Rung.CALM,
        Target.SITE,
        "Bring evacuated staff back to a mission.",
        "posture.evacuate",
        "evacuation",
        reverses="evacuate",
        incident="evacuation",
    ),
    OrderKind(
        "deploy",
        Rung.SHOW_OF_FORCE,
        Target.UNIT,
        "Send a reserve force (carrier group, bombers, escorts) to the theatre: deters, provokes.",
        "posture.deploy",
        "deployment",
        standing=True,
        incident="deployment",
    ),
    OrderKind(
        "withdraw",
        Rung.CALM,
        Target.UNIT,
        "Bring a deployed force home.",
        "posture.deploy",
        "deployment",
        standing=True,
        reverses="deploy",
        incident="deployment",
    ),
    OrderKind(
        "escort",
        Rung.SHOW_OF_FORCE,
        Target.LANE,
        "Escort tankers in a shipping lane: attacks and seizures there become harder.",
        "posture.escort",
        "escort",
        standing=True,
        incident="deployment",
    ),
    OrderKind(
        "end_escort",
        Rung.CALM,
        Target.LANE,
        "Stop escorting tankers in a lane.",
        "posture.escort",
        "escort",
        standing=True,
        reverses="escort",
        incident="deployment",
    ),
    # Intelligence and interdiction
    OrderKind(
        "isr_surge",
        Rung.CALM,
        Target.NONE,
        "Surge surveillance over the corridor for two weeks: more convoys seen, less readiness.",
        "interdiction.surge",
        "surveillance",
        standing=True,
    ),
    OrderKind(
        "authorise_interdiction",
        Rung.GESTURES,
        Target.COUNTRY,
        "Allow strikes on convoys detected in a country.",
        "posture.set_interdiction",
        "interdiction",
        standing=True,
    ),
    OrderKind(
        "suspend_interdiction",
        Rung.CALM,
        Target.COUNTRY,
        "Stop striking convoys detected in a country.",
        "posture.set_interdiction",
        "interdiction",
        standing=True,
        reverses="authorise_interdiction",
    ),
    # The Quds Force and the militias
    OrderKind(
        "coordinate",
        Rung.HARASSMENT,
        Target.MILITIA,
        "Meet a militia's leaders and plan together: its operations become more capable.",
        "proxies.coordinate",
        "coordination",
        standing=True,
        incident="coordination",
    ),
    OrderKind(
        "restrain",
        Rung.CALM,
        Target.MILITIA,
        "Tell a militia to stand down: it attacks less on its own for a while.",
        "proxies.restrain",
        "restraint",
        standing=True,
    ),
    OrderKind(
        "send_convoy",
        Rung.SHOW_OF_FORCE,
        Target.MILITIA,
        "Send a missile convoy along the land corridor to a militia.",
        "interdiction.send_convoy",
        "convoy",
    ),
    # Shipping
    OrderKind(
        "seize_tanker",
        Rung.HARASSMENT,
        Target.LANE,
        "Seize a tanker in a shipping lane.",
        "sabotage.tanker_action",
        "tanker",
        victim="first_adversary",
        incident="tanker_seizure",
    ),
    OrderKind(
        "attack_tanker",
        Rung.HARASSMENT,
        Target.LANE,
        "Damage a tanker in a shipping lane (limpet mines, drones, missiles).",
        "sabotage.tanker_action",
        "tanker",
        victim="first_adversary",
        incident="tanker_sabotage",
    ),
    # Attacks on sites
    OrderKind(
        "attack_oil",
        Rung.PROXY_VIOLENCE,
        Target.SITE,
        "Attack an oil facility with drones or missiles: capacity goes offline until repaired.",
        "sabotage.attack_oil",
        "attack",
        victim="site_owner",
        incident="oil_facility_attack",
        site_kinds=(OIL,),
    ),
    OrderKind(
        "rocket_attack",
        Rung.PROXY_VIOLENCE,
        Target.SITE,
        "Fire rockets at a city or a diplomatic compound.",
        "attacks.attack_site",
        "attack",
        victim="site_owner",
        incident="rocket_attack",
        site_kinds=(CITIES,),
    ),
    OrderKind(
        "attack_base",
        Rung.PROXY_VIOLENCE,
        Target.SITE,
        "Attack a military base with rockets, drones or bombs.",
        "attacks.attack_site",
        "attack",
        victim="site_owner",
        incident="base_attack",
        site_kinds=(BASES,),
    ),
    OrderKind(
        "direct_attack",
        Rung.PROXY_VIOLENCE,
        Target.SITE,
        "Direct a militia (the order's 'via') to attack a site of an adversary.",
        "proxies.direct_attack",
        "attack",
        victim="site_owner",
        incident="base_attack",
        site_kinds=(CITIES, BASES, OIL),
        through_proxy=True,
    ),
    # Strikes by states
    OrderKind(
        "shoot_down_drone",
        Rung.STRIKES_ON_PROXIES,
        Target.ACTOR,
        "Shoot down a surveillance drone of another side.",
        "strikes.shoot_down_drone",
        "strike",
        victim="target",
        incident="drone_shootdown",
    ),
    OrderKind(
        "strike_militia",
        Rung.STRIKES_ON_PROXIES,
        Target.MILITIA,
        "Strike a militia's depots and commanders: weakens it, angers it and its sponsor.",
        "strikes.strike",
        "strike",
        victim="target",
        incident="state_strike",
    ),
    OrderKind(
        "target_leaders",
        Rung.STRIKES_ON_PROXIES,
        Target.ACTOR,
        "Kill a militia's or the Quds Force's commanders in a targeted strike: the network loses "
        "capability and coordination for a while, and its members want revenge.",
        "strikes.target_leaders",
        "strike",
        victim="target",
        incident="leadership_strike",
    ),
    OrderKind(
        "strike_state",
        Rung.LIMITED_DIRECT,
        Target.ACTOR,
        "Strike another state's forces directly.",
        "strikes.strike",
        "strike",
        victim="target",
        incident="state_strike",
    ),
    # The strait
    OrderKind(
        "close_strait",
        Rung.SUSTAINED_DIRECT,
        Target.NONE,
        "Try to close the Strait of Hormuz with mines and fast boats.",
        "economy.close_strait",
        "closure",
        victim="first_adversary",
        incident="closure_attempt",
    ),
)

STANDING = frozenset(name for name, kind in CATALOGUE.items() if kind.standing)
SITE_ATTACKS = frozenset(name for name, kind in CATALOGUE.items() if kind.attacks_site)


def victim_of(
    order: Order, site_owner: Callable[[str], str | None], adversaries: list[str]
) -> str | None:
    """The side a hostile order hurts, as its catalogue entry says: the owner of the site it
    strikes, the side it names, or the giver's first adversary (shipping, the strait)."""
    match CATALOGUE[order.kind].victim:
        case "site_owner":
            return site_owner(order.target or "")
        case "target":
            return order.target
        case "first_adversary":
            return adversaries[0] if adversaries else None
    return None


# Sanctions sectors: the three of the oil trade, two of Iran's other exports, and the waivers.
SECTORS = ("oil", "shipping", "banking", "petrochem", "metals", "waivers")


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
