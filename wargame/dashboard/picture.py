"""What one viewer of the dashboard may see: the whole truth, or one side's picture.

The observer (an instructor or an analyst watching a run) sees everything the record holds. A
person playing a side sees what that side knows and the public facts, as a computer player does
(wargame/engine/view.py): the incidents it has heard of, with its own blame; its own convoys and
those it has detected; its own surveillance; its own grievances and fears; and the rung, the oil
market, deployments and force protection, which are public.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import DENIABLE_KINDS
from wargame.engine.beliefs import Perceived
from wargame.engine.narrative import Narrator

if TYPE_CHECKING:
    from agents import Convoy
    from wargame.engine.model import WargameModel

CONVOY_TALLIES = ("sent", "delivered", "interdicted")
# A side counts the convoys it knows of: spotted, heard to have arrived, seen destroyed.
KNOWN_TALLIES = ("spotted", "delivered", "destroyed")
KNOWN_CONVOY = {"convoy_detected": 0, "convoy_delivered": 1, "convoy_interdicted": 2}


class Picture:
    """The dashboard's window on a model, for the observer (``side`` None) or one side."""

    def __init__(self, model: WargameModel, side: str | None, narrator: Narrator) -> None:
        self.model = model
        self.side = side
        self.narrator = narrator

    # ----- incidents -----
    def incidents(self) -> list[Perceived]:
        """Every incident this viewer knows of, newest first, with the blame it holds: for the
        observer, the victim's blame; for a side, its own."""
        if self.side is None:
            return [
                Perceived(e, e.blamed, e.confidence, max(e.day, 0))
                for e in reversed(self.model.record.events)
            ]
        return self.model.actors[self.side].beliefs.heard[::-1]

    def sentence(self, heard: Perceived, reasons: dict[tuple, dict] | None = None) -> str:
        """The log's sentence; the observer also reads why a computer side acted."""
        if self.side is not None:
            return self.narrator.belief(heard, self.side)
        text = self.narrator.truth(heard.event)
        event = heard.event
        why = (reasons or {}).get((event.day, event.directed_by or event.actor, event.order))
        return f"{text} Why: {self.narrator.why(why)}." if why else text

    def reasons(self) -> dict[tuple, dict]:
        """The computer sides' reasons for their orders, by (day, side, order kind): one
        reaction and one change of standing policy a day, so the triple is unique."""
        return {
            (o["day"], o["actor"], o["kind"]): o for o in self.model.record.orders if "aims" in o
        }

    def involved(self, heard: Perceived) -> set[str]:
        """The sides an incident names in this viewer's sentence (for the log's filter)."""
        event = heard.event
        named = {event.target, heard.blamed}
        hidden = (
            self.side is not None
            and event.kind in DENIABLE_KINDS
            and self.side not in (event.actor, event.directed_by)
        )
        if not hidden:
            named |= {event.actor, event.directed_by}
        return {aid for aid in named if aid}

    def log(self, actor: str | None, kinds: list[str], limit: int = 200) -> list[str]:
        """Sentences for the event log, newest first, filtered by a side named and by kinds."""
        lines = []
        reasons = self.reasons() if self.side is None else None
        for heard in self.incidents():
            if kinds and heard.event.kind not in kinds:
                continue
            if actor and actor not in self.involved(heard):
                continue
            lines.append(self.sentence(heard, reasons))
            if len(lines) >= limit:
                break
        return lines

    def recent(self, days: int) -> list[Perceived]:
        """Incidents of the last ``days`` days that this viewer knows of, for the map."""
        since = self.model.day - days
        return [h for h in self.incidents() if h.event.day > since and h.event.day >= 1]

    # ----- the map -----
    def convoys(self) -> list[Convoy]:
        convoys = self.model.convoys
        if self.side is None:
            return convoys
        return [c for c in convoys if c.owner == self.side or self.side in c.detected_by]

    def coverage(self) -> np.ndarray | None:
        """Surveillance coverage: everyone's for the observer, a side's own for a side."""
        if self.side is None:
            return self.model.grid.intel_coverage.data
        return self.model.surveillance.coverage.get(self.side)

    # ----- the charts -----
    def convoy_tallies(self) -> np.ndarray:
        """Convoys by day (rows) and tally, cumulative: sent, delivered and interdicted for the
        observer; for a side, those it knows were spotted, delivered or destroyed."""
        if self.side is None:
            return np.array(self.model.datacollector.model_vars["convoys"], dtype=float)
        days = self.model.day + 1
        daily = np.zeros((days, 3))
        for heard in self.model.actors[self.side].beliefs.heard:
            event = heard.event
            column = KNOWN_CONVOY.get(event.kind)
            if column is None or event.day < 1:
                continue
            if event.kind == "convoy_interdicted" and not event.details.get("destroyed"):
                continue
            daily[min(heard.learned_on, days - 1), column] += 1
        return np.cumsum(daily, axis=0)

    def casualties(self) -> dict[str, int]:
        """People killed so far, by the side they belonged to (a side counts what it heard)."""
        if self.side is None:
            return {a.aid: a.casualties for a in self.model.actor_list}
        killed = dict.fromkeys(self.model.actors, 0)
        for heard in self.model.actors[self.side].beliefs.heard:
            if heard.event.day >= 1:
                killed[heard.event.target] += heard.event.casualties
        return killed

    def tension(self) -> tuple[list[str], list[str], np.ndarray]:
        """Row labels, column ids and values for the tension heat map: the observer sees every
        side's grievance against every other; a side sees its own grievance and fear."""
        ids = [a.aid for a in self.model.actor_list]
        if self.side is None:
            return [self.narrator.name(a) for a in ids], ids, self.model.tension.copy()
        view = self.model.view_of(self.side)
        others = [a for a in ids if a != self.side]
        values = np.array([[view.grievance(a) for a in others], [view.threat(a) for a in others]])
        return ["Your grievance", "Your fear"], others, values
