"""Perception: who learns of an incident, when, and whom they blame.

Summary of rule: the victim and the doer know at once and everyone else a little later; a
deniable act is pinned on its doer with ``1 - deniability * (1 - intel)``, else on a plausible
suspect, and what a side believes moves its grievance and its fear.

The victim and the doer know at once; every other side hears after ``lag_days``. Deniable acts
(sabotage, unclaimed rockets, drones and bombs) are attributed correctly with probability
``1 - deniability(doer) * (1 - intel(observer))``; otherwise the observer blames a plausible
suspect from the doer's family (a proxy's sponsor, a sponsor's proxy). The stated confidence is
that probability plus noise, so a side can be sure and wrong. What a side believes moves its
grievance (the tension matrix) and its fear (beliefs.harm); a proxy's blame is passed on to its
sponsors in the share ``sponsor_blame`` of the observer, which is how a sponsor is dragged in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import DENIABLE_KINDS, HOSTILE_KINDS, Event
from wargame.engine.beliefs import Blow, Perceived, Test
from wargame.engine.rules import escalation

if TYPE_CHECKING:
    from agents.actors import Actor
    from wargame.engine.world import World


@dataclass
class News:
    """Incidents on their way to the sides that will hear of them after the lag."""

    pending: list[tuple[Actor, Perceived]] = field(default_factory=list)


def suspects(model: World, doer: Actor, where: str) -> list[str]:
    """Sides that could plausibly be blamed for what ``doer`` did at ``where`` (a country or a
    lane): its sponsors and their proxies that can reach the place; where none of them can, the
    doer's patron at the top (a hand from afar is pinned on whoever sends it)."""
    top = doer.sponsors()[-1] if doer.sponsors() else doer.aid
    family = [
        a for a in model.actor_list if a.aid != doer.aid and (a.aid == top or top in a.sponsors())
    ]
    able = [a.aid for a in family if where in a.spec.reach]
    return able or ([top] if top != doer.aid else [])


def attribute(
    model: World, event: Event, observer: Actor, rng: np.random.Generator
) -> tuple[str, float]:
    """Whom ``observer`` blames for ``event``, and how sure it says it is."""
    if event.kind not in DENIABLE_KINDS or observer.aid in (event.actor, event.directed_by):
        return event.actor, 1.0
    doer = model.actors[event.actor]
    p_right = 1.0 - doer.spec.deniability * (1.0 - observer.spec.intel)
    noise = model.spec.rules.perception.confidence_noise
    right = rng.random() < p_right
    confidence = min(max(float(rng.normal(p_right, noise)), 0.05), 0.99)
    where = event.details.get("lane") or model.geo.country_of(event.cell) or ""
    others = [s for s in suspects(model, doer, where) if s != observer.aid]  # it knows its hand
    if right or not others:
        return event.actor, confidence
    return others[int(rng.integers(len(others)))], confidence


def as_reported(
    observer: Actor, event: Event, blamed: str | None, confidence: float | None
) -> tuple[str, float]:
    """Whom ``observer`` blames for an incident before the start, told as it was reported: the
    doer and its director know the truth, and a side named for what it did not do knows better
    (it blames the doer); every other side holds the reported blame."""
    if observer.aid in (event.actor, event.directed_by) or blamed == observer.aid:
        return event.actor, 1.0
    return blamed or event.actor, confidence or 1.0


def stake(model: World, observer: Actor, target: str) -> float:
    """How much an attack on ``target`` touches ``observer``: fully if it is the target,
    in part if the target is an ally, a proxy or a sponsor."""
    if observer.aid == target:
        return 1.0
    victim = model.actors[target]
    friends = (
        target in observer.spec.allies
        or observer.aid in victim.spec.allies
        or observer.aid in victim.sponsors()
        or target in observer.sponsors()
    )
    return model.spec.rules.perception.ally_share if friends else 0.0


def observe(model: World, event: Event, rng: np.random.Generator) -> None:
    """Deliver a new incident to every side that will hear of it (now or after the lag)."""
    lag = model.spec.rules.perception.lag_days
    for observer in model.actor_list:
        first_hand = observer.aid in (event.actor, event.target, event.directed_by)
        if event.covert and not (first_hand or observer.aid in event.details.get("seen_by", ())):
            continue
        blamed, confidence = attribute(model, event, observer, rng)
        if observer.aid == event.target:
            event.blamed, event.confidence = blamed, confidence
        heard = Perceived(event, blamed, confidence, event.day if first_hand else event.day + lag)
        if first_hand or lag == 0:
            learn(model, observer, heard)
        else:
            model.news.pending.append((observer, heard))


def learn(model: World, observer: Actor, heard: Perceived) -> None:
    """A side takes in an incident: grievance and fear rise (or ease, for goodwill); a side that
    hit back settles part of its score; a hostile act teaches it about the others."""
    observer.beliefs.heard.append(heard)
    event = heard.event
    severity = model.severity(event)
    if event.kind in HOSTILE_KINDS and event.tone == "hostile" and heard.blamed is not None:
        _witness(model, observer, heard, severity)
    if severity <= 0.0 or heard.blamed is None or event.tone == "neutral":
        return
    rules = model.spec.rules.escalation
    row = model.tension[observer.index]
    if observer.aid in (event.actor, event.directed_by):
        if event.kind in HOSTILE_KINDS and event.target != observer.aid:
            victim = model.actors[event.target].index
            _move(row, victim, 0.0, rules.catharsis * severity)
        return
    if observer.aid in event.details.get("threatens", ()):
        # A warning, not a blow: fear of the doer and of the side it armed or coordinated.
        for aid in (event.actor, event.target):
            observer.beliefs.harm[model.actors[aid].index] += severity * heard.confidence
    share = stake(model, observer, event.target) * heard.confidence
    if share <= 0.0 or heard.blamed == observer.aid:
        return
    blamed = model.actors[heard.blamed]
    if event.tone == "goodwill":  # it eases the grievance, and the enmity under it
        rate = rules.tension_gain * severity * share
        _move(row, blamed.index, 0.0, rate)
        _move(model.tension_floor[observer.index], blamed.index, 0.0, rate)
        return
    targets = [(blamed.index, 1.0)] + [
        (model.actors[s].index, observer.spec.sponsor_blame) for s in blamed.sponsors()
    ]
    for index, weight in targets:
        _move(row, index, 1.0, rules.tension_gain * severity * share * weight)
        observer.beliefs.harm[index] += severity * share * weight
    if "lane" in event.details:
        lane = event.details["lane"]
        observer.beliefs.lane_trouble[lane] = observer.beliefs.lane_trouble.get(lane, 0.0) + share


def _witness(model: World, observer: Actor, heard: Perceived, severity: float) -> None:
    """What a hostile act teaches the side that hears of it: how hostile the doer it blames is
    to the victim; whether the doer was answering a blow it took (its resolve); and, when the
    act hit the side or a friend of it, a blow its red lines may call for answering."""
    event, beliefs = heard.event, observer.beliefs
    doer, victim = model.actors[heard.blamed or ""], model.actors[event.target]
    beliefs.heat[doer.index, victim.index] += severity * heard.confidence
    beliefs.answer(doer.index, victim.kin(), event.day)
    if victim.aid != observer.aid and doer.aid != observer.aid:
        beliefs.tests.append(Test(event.day, victim.index, doer.index))
    own = victim.aid == observer.aid
    if doer.aid != observer.aid and (own or stake(model, observer, victim.aid) > 0.0):
        where = "sea" if "lane" in event.details else model.geo.country_of(event.cell) or "sea"
        direct = escalation.is_direct(model, event)
        beliefs.blows.append(
            Blow(event.day, doer.aid, event.kind, event.rung, where, event.casualties, direct, own)
        )


def _move(row: np.ndarray, index: int, goal: float, rate: float) -> None:
    """Move a grievance a share ``rate`` of the way to ``goal`` (0 or 1), never past it: a
    grave enough blow fills the room left, it does not overflow it."""
    row[index] += min(rate, 1.0) * (goal - row[index])


def deliver_pending(model: World) -> None:
    """Hand over the incidents whose news arrives today."""
    news, today = model.news, model.day
    due = [(o, h) for o, h in news.pending if h.learned_on <= today]
    news.pending = [(o, h) for o, h in news.pending if h.learned_on > today]
    for observer, heard in due:
        learn(model, observer, heard)
