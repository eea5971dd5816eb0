"""Interdiction: missile convoys on the corridor, seen by intelligence and struck.

Summary of rule: a convoy is seen with the surveillance coverage of the cells it crosses, a
side that has seen it strikes it where its rules of engagement allow, and what gets through
strengthens the militia it was sent to.

Each surveillance asset (Israeli and US) covers the cells around it: the chance a day that a
convoy in a cell is seen falls off with distance as ``detection * exp(-(d / radius_km)^2)``,
and a surge raises it to ``1 - (1 - p)^isr_surge_factor``. The grid's ``intel_coverage``
property layer holds the combined chance, ``1 - prod(1 - p_owner)``, and is recomputed only
when a surge starts or ends. A convoy that crosses n cells in a day spends 1/n of the day in
each, so the chance it is seen that day is ``1 - prod(1 - p_i)^(1/n)``: the same at any map
resolution. A side that has seen a convoy strikes it, with ``strike_success`` times its
readiness, in any country where its rules of engagement allow (``policies.<side>.interdiction``).
A delivered convoy adds ``convoy_cargo`` to the recipient's capability; a destroyed one costs it
``loss_penalty``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agents.units import Convoy, timetable
from wargame.core.incidents import Event
from wargame.engine.rules.odds import roll

if TYPE_CHECKING:
    from wargame.core.orders import Order
    from wargame.engine.world import World


@dataclass
class Surveillance:
    """Per owner, its coverage without and with a surge (worked out once: a surge then changes
    the map by a choice between the two, not a pass over every asset), and today's coverage."""

    base: dict[str, tuple[np.ndarray, np.ndarray]]
    coverage: dict[str, np.ndarray] = field(default_factory=dict)
    surges: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, world: World) -> Surveillance:
        factor = world.spec.rules.interdiction.isr_surge_factor
        unseen: dict[str, np.ndarray] = {}
        for asset in world.spec.isr.values():
            lat, lon = world.locate(asset.place, asset.lat, asset.lon)
            distance = world.geo.distance_field_km(lat, lon)
            seen = asset.detection * np.exp(-((distance / asset.radius_km) ** 2))
            unseen[asset.owner] = unseen.get(asset.owner, 1.0) * (1.0 - seen)
        return cls({owner: (1.0 - u, 1.0 - u**factor) for owner, u in unseen.items()})


@dataclass
class Corridor:
    """The land corridor's timetable, where on it convoys may be struck and where each
    militia's convoys end, and the tallies of convoys sent, delivered and destroyed."""

    timetable: tuple[int, ...]
    countries: list[str]  # beyond the sender's own territory
    stops: dict[str, int]  # militia -> index of its stop on the corridor (0: none)
    sent: int = 0
    delivered: int = 0
    interdicted: int = 0

    @classmethod
    def start(cls, world: World) -> Corridor:
        path = world.geo.corridor
        origin = world.geo.country_of(path.cells[0])
        countries = {c for cell in path.cells if (c := world.geo.country_of(cell))} - {origin}
        stops = {}
        for militia in world.militias:
            cells = [
                s.cell.coordinate for s in world.sites_of(militia.aid) if s.kind == "militia_site"
            ]
            stops[militia.aid] = max((i for i, c in enumerate(path.cells) if c in cells), default=0)
        speed = world.spec.rules.interdiction.convoy_km_per_day
        return cls(timetable(world.geo.path_km(path), speed), sorted(countries), stops)


def surging(model: World) -> set[str]:
    return {o for o in model.surveillance.base if model.actors[o].isr_surge_until >= model.day}


def update_coverage(model: World) -> None:
    """Set each owner's coverage and the combined ``intel_coverage`` layer for today's surges."""
    isr = model.surveillance
    isr.surges = surging(model)
    unseen_total = np.ones((model.geo.nx, model.geo.ny))
    for owner, (normal, surged) in isr.base.items():
        isr.coverage[owner] = surged if owner in isr.surges else normal
        unseen_total *= 1.0 - isr.coverage[owner]
    model.grid.intel_coverage.data[:] = 1.0 - unseen_total


def surge(model: World, order: Order, rng: np.random.Generator) -> None:
    """Surveillance surges are secret: no incident is recorded."""
    model.actors[order.actor].isr_surge_until = (
        model.day + model.spec.rules.interdiction.isr_surge_days
    )
    update_coverage(model)


def send_convoy(model: World, order: Order, rng: np.random.Generator) -> None:
    """Dispatch a convoy from the corridor's start toward the recipient's stop on it."""
    rules = model.spec.rules.interdiction
    path = model.geo.corridor
    Convoy(
        model,
        path,
        model.corridor.timetable,
        owner=order.actor,
        recipient=order.target or "",
        cargo=rules.convoy_cargo,
        destination_index=model.corridor.stops[order.target or ""],
    )
    model.corridor.sent += 1


def _seen(coverage: np.ndarray, cells: list[tuple[int, int]]) -> float:
    """Chance of being seen in a day spread evenly over ``cells``."""
    xs, ys = zip(*cells, strict=True)
    unseen = np.prod(1.0 - coverage[list(xs), list(ys)]) ** (1.0 / len(cells))
    return 1.0 - float(unseen)


def resolve_convoys(model: World, rng: np.random.Generator) -> list[Event]:
    """After today's movement: detect, strike or deliver each convoy."""
    rules = model.spec.rules.interdiction
    events: list[Event] = []
    for convoy in model.convoys:
        cells = [convoy.path.cells[i] for i in convoy.passed]
        here = convoy.path.cells[convoy.index]
        country = model.geo.country_of(here) or "sea"
        for owner, coverage in model.surveillance.coverage.items():
            if owner in convoy.detected_by:
                continue
            seen, odds = roll(rng, _seen(coverage, cells))
            if seen:
                convoy.detected_by.add(owner)
                friends = [owner, *model.actors[owner].spec.allies]
                events.append(
                    model.make_event(
                        "convoy_detected",
                        owner,
                        convoy.owner,
                        here,
                        f"convoy bound for {model.actors[convoy.recipient].name} seen in {country}",
                        details={"seen_by": friends, "recipient": convoy.recipient, **odds},
                    )
                )
        striker = next(
            (o for o in sorted(convoy.detected_by) if country in model.actors[o].interdiction), None
        )
        if striker is not None:
            hit, odds = roll(rng, rules.strike_success * model.actors[striker].readiness)
            events.append(
                model.make_event(
                    "convoy_interdicted",
                    striker,
                    convoy.owner,
                    here,
                    "convoy destroyed" if hit else "strike missed; convoy went on",
                    details={"recipient": convoy.recipient, "destroyed": hit, **odds},
                )
            )
            if hit:
                recipient = model.actors[convoy.recipient]
                recipient.capability = max(recipient.capability - rules.loss_penalty, 0.0)
                model.corridor.interdicted += 1
                convoy.remove()
                continue
        if convoy.arrived:
            recipient = model.actors[convoy.recipient]
            recipient.capability = min(recipient.capability + convoy.cargo, 1.0)
            model.corridor.delivered += 1
            events.append(
                model.make_event(
                    "convoy_delivered",
                    convoy.owner,
                    convoy.recipient,
                    here,
                    f"missiles delivered after {model.day - convoy.sent_on + 1} days",
                    details={"seen_by": [convoy.recipient]},
                )
            )
            convoy.remove()
    return events
