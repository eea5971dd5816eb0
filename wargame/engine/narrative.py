"""Plain words for the dashboard: one sentence per incident, and readable orders and targets.

An incident can be told two ways. The observer (an instructor, an analyst) is told the truth:
who really did it, and whom the victim blamed. A side is told only what it believes: whom it
blames and how sure it is, and when the news reached it. Blame is worth telling only for the
deniable acts (sabotage, unclaimed rockets, drones and bombs); everything else is done openly.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from wargame.core.incidents import DENIABLE_KINDS, HOSTILE_KINDS, INCIDENTS
from wargame.core.ladder import LADDER, Rung
from wargame.core.orders import CATALOGUE, Order
from wargame.engine.beliefs import Perceived

if TYPE_CHECKING:
    from wargame.core.incidents import Event
    from wargame.engine.model import WargameModel

LANES = {"gulf": "the Gulf shipping lane", "red_sea": "the Red Sea shipping lane"}
SECTORS = {
    "oil": "oil sanctions",
    "shipping": "shipping sanctions",
    "banking": "banking sanctions",
    "petrochem": "petrochemical sanctions",
    "metals": "metals sanctions",
    "waivers": "oil waivers",
}


def kind_title(kind: str) -> str:
    """An order or incident kind as a title: 'raise_posture' -> 'Raise posture'."""
    text = kind.replace("_", " ")
    return (text[:1].upper() + text[1:]).replace("Isr ", "ISR ")


def blamed_rightly(event: Event, blamed: str | None) -> bool:
    """Blame is right when it names the doer, or the sponsor that directed it."""
    return blamed is not None and blamed in (event.actor, event.directed_by)


def rung_title(rung: int) -> str:
    return f"rung {rung}, {LADDER[Rung(rung)].title}"


class Narrator:
    """Tells a model's incidents and orders in plain words (names resolved once per model)."""

    def __init__(self, model: WargameModel) -> None:
        self.start: dt.date = model.start_date
        self.names = {aid: a.name for aid, a in model.actors.items()}
        self.sites = {sid: s.name for sid, s in model.sites.items()}
        self.units = {uid: f.name for uid, f in model.forces.items()}

    def name(self, aid: str | None) -> str:
        return self.names.get(aid or "", aid or "unknown")

    def when(self, day: int) -> str:
        if day >= 1:
            return f"Day {day}"
        date = self.start + dt.timedelta(days=day)
        return f"{date.day} {date:%b %Y} (before the start)"

    def where(self, event: Event) -> str:
        if event.place in self.sites:
            return f"at {self.sites[event.place]}"
        near = f"the {event.place}" if event.place.startswith(("Strait ", "Gulf ")) else event.place
        lane = event.details.get("lane")
        if lane:
            return f"in {LANES.get(lane, lane)}, near {near}"
        return f"near {near}"

    def _outcome(self, event: Event) -> str:
        # Attacks name the site they hit; the sentence already says where.
        text = event.outcome.removesuffix(f", {self.sites.get(event.place, '')}")
        if event.casualties:
            text += f", {event.casualties} killed"
        return text

    def _doer(self, event: Event) -> str:
        who = self.name(event.actor)
        if event.directed_by:
            who += f", directed by {self.name(event.directed_by)}"
        return who

    def _aim(self, event: Event) -> str:
        """Whom an act was aimed at, where that is another side."""
        if event.target in (event.actor, event.directed_by):
            return ""
        word = "against" if event.kind in HOSTILE_KINDS else INCIDENTS[event.kind].aimed
        return f" {word} {self.name(event.target)}"

    def _head(self, event: Event) -> str:
        what = INCIDENTS[event.kind].what
        return f"{self.when(event.day)}: {what} {self.where(event)} ({self._outcome(event)})"

    def truth(self, event: Event) -> str:
        """The observer's sentence: what happened, who really did it, whom the victim blamed."""
        text = f"{self._head(event)}; by {self._doer(event)}{self._aim(event)}"
        if event.kind in DENIABLE_KINDS and event.blamed:
            wrong = "" if blamed_rightly(event, event.blamed) else " (wrongly)"
            text += (
                f"; {self.name(event.target)} blamed {self.name(event.blamed)}{wrong}, "
                f"confidence {event.confidence:.1f}"
            )
        return text + "."

    def belief(self, heard: Perceived, side: str) -> str:
        """A side's sentence: what it heard, with its own blame, never the hidden truth."""
        event = heard.event
        text = self._head(event)
        if event.kind in DENIABLE_KINDS and side not in (event.actor, event.directed_by):
            text += f"; against {self.name(event.target)}"
            text += f"; {self.name(heard.blamed)} blamed, confidence {heard.confidence:.1f}"
        else:
            text += f"; by {self._doer(event)}{self._aim(event)}"
        if heard.learned_on > event.day:
            text += f"; news reached you on day {heard.learned_on}"
        return text + "."

    def why(self, reasons: dict[str, Any]) -> str:
        """A computer side's reasons for an order, in a line: what each aim and cost added,
        largest first, then its score against holding's."""
        aims = sorted(reasons["aims"].items(), key=lambda kv: -abs(kv[1]))
        parts = ", ".join(f"{aim.replace('_', ' ')} {value:+.2f}" for aim, value in aims)
        return f"{parts}; scored {reasons['utility']:+.2f}, holding {reasons['hold']:+.2f}"

    def target(self, order: Order) -> str:
        """What an order is aimed at, in words."""
        target = order.target
        if target is None:
            return ""
        if ":" in target:
            first, second = target.split(":")
            text = f"{self.name(first)} and {self.name(second)}"
        elif target in self.sites:
            text = self.sites[target]
        elif target in self.units:
            text = self.units[target]
        elif target in self.names:
            text = self.names[target]
        elif target in LANES:
            text = LANES[target]
        elif order.kind in ("tighten_sanctions", "ease_sanctions"):
            text = SECTORS.get(target, target)
        else:
            text = target
        if order.via:
            text += f", by {self.name(order.via)}"
        return text

    def order(self, order: Order) -> str:
        """An order as a short phrase: 'Raise posture: Iraq (rung 2, Show of force)'."""
        aim = self.target(order)
        head = kind_title(order.kind) + (f": {aim}" if aim else "")
        return f"{head} ({rung_title(CATALOGUE[order.kind].rung)})"
