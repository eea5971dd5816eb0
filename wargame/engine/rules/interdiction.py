"""Interdiction: missile convoys on the corridor, seen by intelligence and struck.

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

from typing import TYPE_CHECKING

import numpy as np

from agents.units import Convoy
from wargame.core.incidents import Event

if TYPE_CHECKING:
    from wargame.core.orders import Order
    from wargame.engine.model import WargameModel


def owner_coverage(model: WargameModel) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per owner, its coverage without and with a surge, worked out once per model: a surge
    then changes the map by a choice between the two, not a pass over every asset."""
    factor = model.spec.rules.interdiction.isr_surge_factor
    unseen: dict[str, np.ndarray] = {}
    for asset in model.spec.isr.values():
        lat, lon = model.locate(asset.place, asset.lat, asset.lon)
        distance = model.geo.distance_field_km(lat, lon)
        field = asset.detection * np.exp(-((distance / asset.radius_km) ** 2))
        unseen[asset.owner] = unseen.get(asset.owner, 1.0) * (1.0 - field)
    return {owner: (1.0 - u, 1.0 - u**factor) for owner, u in unseen.items()}


def surging(model: WargameModel) -> set[str]:
    return {o for o in model.isr_coverage if model.actors[o].isr_surge_until >= model.day}


def update_coverage(model: WargameModel) -> None:
    """Set each owner's coverage and the combined ``intel_coverage`` layer for today's surges."""
    model.coverage_surges = surging(model)
    unseen_total = np.ones((model.geo.nx, model.geo.ny))
    for owner, (normal, surged) in model.isr_coverage.items():
        model.coverage[owner] = surged if owner in model.coverage_surges else normal
        unseen_total *= 1.0 - model.coverage[owner]
    model.grid.intel_coverage.data[:] = 1.0 - unseen_total


def surge(model: WargameModel, order: Order) -> None:
    """Surveillance surges are secret: no incident is recorded."""
    model.actors[order.actor].isr_surge_until = (
        model.day + model.spec.rules.interdiction.isr_surge_days
    )
    update_coverage(model)


def send_convoy(model: WargameModel, order: Order) -> None:
    """Dispatch a convoy from the corridor's start toward the recipient's stop on it."""
    rules = model.spec.rules.interdiction
    path = model.geo.corridor
    Convoy(
        model,
        path,
        model.corridor_timetable,
        owner=order.actor,
        recipient=order.target or "",
        cargo=rules.convoy_cargo,
        destination_index=model.convoy_stop(order.target or ""),
    )
    model.counters["convoys_sent"] += 1


def _seen(coverage: np.ndarray, cells: list[tuple[int, int]]) -> float:
    """Chance of being seen in a day spread evenly over ``cells``."""
    xs, ys = zip(*cells, strict=True)
    unseen = np.prod(1.0 - coverage[list(xs), list(ys)]) ** (1.0 / len(cells))
    return 1.0 - float(unseen)


def resolve_convoys(model: WargameModel, rng: np.random.Generator) -> list[Event]:
    """After today's movement: detect, strike or deliver each convoy."""
    rules = model.spec.rules.interdiction
    events: list[Event] = []
    for convoy in model.convoys:
        cells = [convoy.path.cells[i] for i in convoy.passed]
        here = convoy.path.cells[convoy.index]
        country = model.geo.country_of(here) or "sea"
        for owner, coverage in model.coverage.items():
            if owner not in convoy.detected_by and rng.random() < _seen(coverage, cells):
                convoy.detected_by.add(owner)
                friends = [owner, *model.actors[owner].spec.allies]
                events.append(
                    model.make_event(
                        "convoy_detected",
                        owner,
                        convoy.owner,
                        here,
                        f"convoy bound for {model.actors[convoy.recipient].name} seen in {country}",
                        details={"seen_by": friends, "recipient": convoy.recipient},
                    )
                )
        striker = next(
            (o for o in sorted(convoy.detected_by) if country in model.actors[o].interdiction), None
        )
        if striker is not None:
            hit = rng.random() < rules.strike_success * model.actors[striker].readiness
            events.append(
                model.make_event(
                    "convoy_interdicted",
                    striker,
                    convoy.owner,
                    here,
                    "convoy destroyed" if hit else "strike missed; convoy went on",
                    details={"recipient": convoy.recipient, "destroyed": hit},
                )
            )
            if hit:
                recipient = model.actors[convoy.recipient]
                recipient.capability = max(recipient.capability - rules.loss_penalty, 0.0)
                model.counters["convoys_interdicted"] += 1
                convoy.remove()
                continue
        if convoy.arrived:
            recipient = model.actors[convoy.recipient]
            recipient.capability = min(recipient.capability + convoy.cargo, 1.0)
            model.counters["convoys_delivered"] += 1
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
