"""The wargame model: one step is one day of the crisis.

A day runs in the shape of a wargame turn:
1. injects: the scenario's scheduled orders and notes for the day;
2. players: each side sees its own picture and gives orders from the catalogue;
3. movement: convoys, tankers and deployed forces move;
4. umpire: the rules adjudicate the orders and the movement, in a fixed order, with the
   model's seeded generator, and produce incidents;
5. consequences: repairs, economy, fading grievances, news reaching third parties, the rung;
6. record: the DataCollector collects the day's metrics; the event log already holds the day.
All randomness comes from ``model.rng``: the umpire draws from it directly, and each side's
computer player from its own stream spawned from it, so a human taking one side does not change
the dice of the others.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import mesa
import numpy as np

from agents import Actor, Convoy, Force, Site, Tanker
from wargame.core.geography import Cell
from wargame.core.incidents import INCIDENTS, Event, Tone
from wargame.core.ladder import outcome_class
from wargame.core.orders import CATALOGUE, Order, victim_of
from wargame.core.scenario import LoadedScenario, load_scenario
from wargame.core.schema import POSTURE_LEVELS
from wargame.engine import umpire
from wargame.engine.grid import build_grid
from wargame.engine.legal import candidates, checked, legal_orders
from wargame.engine.policy import ComputerPolicy, Policy
from wargame.engine.record import DailyCollector, Record
from wargame.engine.rules import (
    diplomacy,
    economy,
    escalation,
    interdiction,
    opportunity,
    perception,
    posture,
    proxies,
    sabotage,
    sovereignty,
)
from wargame.engine.view import SideView


class WargameModel(mesa.Model):
    """The crisis on the regional map. Parameters come from a scenario (see configs/)."""

    def __init__(
        self,
        scenario: LoadedScenario | str = "may2019",
        *,
        seed: int = 1,
        days: int | None = None,
        players: dict[str, Policy] | None = None,
    ) -> None:
        super().__init__(rng=seed)
        self.loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
        self.spec = spec = self.loaded.spec
        self.seed = seed
        self.days = days or spec.scenario.days
        self.start_date = spec.scenario.start_date
        self.geo = self.loaded.geography
        self.grid = build_grid(self.geo, self.random)

        # The sides and their relations.
        self.n_actors = len(spec.actors)
        self.actors: dict[str, Actor] = {}
        for index, (aid, actor_spec) in enumerate(spec.actors.items()):
            self.actors[aid] = Actor(self, aid, actor_spec, index)
        self.actor_list = list(self.actors.values())
        self.militias = [a for a in self.actor_list if a.is_militia]
        self.followers = [a for a in self.actor_list if a.spec.follows]
        self.posture_holders = [a for a in self.actor_list if a.posture]
        for actor in self.actor_list:
            for militia, level in actor.spec.coordination.items():
                self.actors[militia].coordination = level
        self.tension = np.zeros((self.n_actors, self.n_actors))
        for aid, row in spec.tension.items():
            for other, value in row.items():
                self.tension[self.actors[aid].index, self.actors[other].index] = value
        self.tension_floor = spec.rules.escalation.enmity_floor * self.tension
        self.key_pair = spec.scenario.key_pair
        # Pairs of states at odds (the Quds Force counted as Iran): whom a mediator can bring
        # to talks.
        self.rival_pairs = sorted(
            {
                tuple(
                    sorted((a.state(), self.actors[b].state()), key=lambda x: self.actors[x].index)
                )
                for a in self.actor_list
                for b in a.spec.adversaries
                if self.actors[a.state()].kind == "state"
                and self.actors[self.actors[b].state()].kind == "state"
            },
            key=lambda p: (self.actors[p[0]].index, self.actors[p[1]].index),
        )
        self.talks = diplomacy.Talks()
        self.nuclear = diplomacy.Nuclear.start(spec)
        self.withdrawal = sovereignty.Withdrawal.start(spec)
        self.epoch = 0  # bumped whenever beliefs may have changed, so views re-read them
        self._stepping = False
        self._repeat_keys: dict[Order, tuple[str, str | None]] = {}
        self._severity: dict[tuple[str, int], float] = {}

        # The map's contents.
        self.sites: dict[str, Site] = {}
        for sid, site_spec in spec.sites.items():
            self.sites[sid] = Site(
                self,
                sid,
                site_spec,
                self.grid[self.cell_at(site_spec.place, site_spec.lat, site_spec.lon)],
            )
        self.site_list = list(self.sites.values())
        self.oil_sites = [s for s in self.site_list if s.is_oil]
        self.forces: dict[str, Force] = {}
        for uid, unit_spec in spec.units.items():
            self.forces[uid] = Force(
                self, uid, unit_spec, self.cell_at(unit_spec.place, unit_spec.lat, unit_spec.lon)
            )
        self.corridor = interdiction.Corridor.start(self)
        self.shipping = sabotage.Shipping.start(self)
        self.surveillance = interdiction.Surveillance.start(self)
        interdiction.update_coverage(self)

        # Pressure, escalation and the record.
        sanctioner = next(
            ((aid, p.sanctions) for aid, p in spec.policies.items() if p.sanctions), (None, None)
        )
        self.sanctioner, sanctions = sanctioner
        self.sanctioned = sanctions.target if sanctions else None
        self.economy = economy.Economy.start(spec.rules.economy, sanctions)
        self.ladder = escalation.Ladder(spec.rules.escalation)
        self.news = perception.News()
        self.opportunities = opportunity.Opportunities.start(self)
        self.posture_log = posture.PostureLog()
        self._views: dict[str, SideView] = {}
        self.injects: dict[int, list[Any]] = {}
        for inject in spec.injects:
            self.injects.setdefault(inject.day, []).append(inject)
        self.record = Record(self)
        streams = self.rng.spawn(self.n_actors)
        for actor, stream in zip(self.actor_list, streams, strict=True):
            actor.policy = (players or {}).get(actor.aid) or ComputerPolicy(stream)
        self.candidates = {a.aid: candidates(self, a) for a in self.actor_list}
        self.checks = {aid: checked(orders) for aid, orders in self.candidates.items()}
        self._apply_history()
        self._tension_start = self.key_tension()  # on the start date, history included
        self.ladder.update(0)
        self.posture_log.note(self)
        self.datacollector = DailyCollector(model_reporters=self.record.reporters())
        self.datacollector.collect(self)

    # ----- time -----
    @property
    def day(self) -> int:
        return self.steps

    @property
    def turn(self) -> int:
        """The day whose orders are being chosen: today during a step, tomorrow between steps
        (when a human is choosing orders for the coming day)."""
        return self.steps if self._stepping else self.steps + 1

    @property
    def date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.day)

    @property
    def finished(self) -> bool:
        return self.day >= self.days

    # ----- the day -----
    def run_for(self, duration: float | int) -> None:
        """Play ``duration`` days, or up to the run's end if it comes first."""
        remaining = self.days - self.day
        if remaining > 0:
            super().run_for(min(duration, remaining))

    def step(self) -> None:
        day = self.day
        if day > self.days:  # Mesa counts the day before calling this: undo it
            self.steps -= 1
            raise RuntimeError(f"the run has ended: day {self.days} was its last")
        self._stepping = True
        self.epoch += 1
        self.record.start_day()
        orders: list[Order] = []
        forced = self._injects_for(day)
        opportunity.draw(self, self.rng)
        for actor in self.actor_list:
            options = legal_orders(self, actor)
            if actor.aid in forced:
                chosen, by = [o for o in forced[actor.aid] if o in options], "inject"
                reasons = None
            else:
                chosen, by = actor.decide(options), type(actor.policy).__name__
                reasons = actor.policy.reasons
            self.record.log_orders(day, chosen, by, reasons)
            for order in chosen:
                self._remember(order, day)
            orders.extend(chosen)
        self._move()
        self._adjudicate(orders)
        self._consequences()
        self.epoch += 1
        self._stepping = False
        self.datacollector.collect(self)
        if self.finished:
            self.running = False

    def _injects_for(self, day: int) -> dict[str, list[Order]]:
        forced: dict[str, list[Order]] = {}
        for inject in self.injects.get(day, []):
            if inject.kind == "note":
                self.record.note(day, inject.text)
            else:
                order = Order(inject.actor, inject.order, inject.target, inject.via)
                forced.setdefault(inject.actor, []).append(order)
                if inject.text:
                    self.record.note(day, inject.text)
        return forced

    def _move(self) -> None:
        sabotage.spawn_tankers(self, self.rng)
        sabotage.advance_tankers(self)
        for convoy in self.convoys:
            convoy.passed = convoy.advance()
        posture.arrivals(self)

    def _adjudicate(self, orders: list[Order]) -> None:
        for event in umpire.adjudicate(self, orders, self.rng):
            self.emit(event)
        for event in interdiction.resolve_convoys(self, self.rng):
            self.emit(event)

    def _consequences(self) -> None:
        for event in [*posture.follow(self), *sovereignty.deadlines(self)]:
            self.emit(event)
        posture.readiness(self)
        sabotage.repair(self)
        economy.update(self)
        proxies.fade(self)
        perception.deliver_pending(self)
        memory, today = self.spec.rules.decisions.memory_days, self.day
        for actor in self.actor_list:
            actor.beliefs.forget(memory, today)
        escalation.relax(self)
        if interdiction.surging(self) != self.surveillance.surges:
            interdiction.update_coverage(self)
        self.ladder.update(self.day)
        self.posture_log.note(self)

    def emit(self, event: Event) -> None:
        """An incident happened: record it, move the ladder, let the sides perceive it."""
        self.record.add(event)
        if not event.covert:
            self.ladder.note(self, event)
        perception.observe(self, event, self.rng)

    # ----- events and places -----
    def make_event(
        self,
        kind: str,
        actor: str,
        target: str,
        where: str | Cell,
        outcome: str,
        *,
        rung: int | None = None,
        casualties: int = 0,
        order: Order | None = None,
        directed_by: str | None = None,
        details: dict[str, Any] | None = None,
        day: int | None = None,
        tone: Tone = "hostile",
    ) -> Event:
        """An event (of today, unless ``day`` says) at a site, a named place or a cell."""
        if isinstance(where, tuple):
            cell, place = where, self.nearest_place(where)
        elif where in self.sites:
            cell, place = self.sites[where].cell.coordinate, where
        else:
            cell, place = self.geo.places[where].cell, where
        return Event(
            day=self.day if day is None else day,
            kind=kind,
            actor=actor,
            target=target,
            place=place,
            cell=cell,
            outcome=outcome,
            rung=int(INCIDENTS[kind].rung if rung is None else rung),
            casualties=casualties,
            directed_by=directed_by,
            order=order.kind if order else None,
            details={"p": 1.0, "roll": None, **(details or {})},  # what no die decided is sure
            tone=tone,
        )

    def _remember(self, order: Order, day: int) -> None:
        """The side that gave an order remembers the day: for repeats, and against whom."""
        actor = self.actors[order.actor]
        actor.last_order_day[self.repeat_key(order)] = day
        victim = victim_of(order, self.site_owner, actor.spec.adversaries)
        if victim is not None:
            actor.last_against[(order.kind, victim)] = day

    def repeat_key(self, order: Order) -> tuple[str, str | None]:
        """What an order counts as, for remembering repeats: its kind (an order and its reverse
        count as one, so a side does not undo a fresh decision) and what it is about (the side
        it hurts, the country, militia or unit it concerns; diplomacy and pressure as one)."""
        key = self._repeat_keys.get(order)
        if key is None:
            spec = CATALOGUE[order.kind]
            kind = spec.reverses or order.kind
            if spec.attacks_site:
                site = self.sites.get(order.target or "")
                key = kind, site.owner if site else order.target
            elif spec.about_nothing:
                key = kind, None
            else:
                key = kind, order.target
            self._repeat_keys[order] = key
        return key

    def severity(self, event: Event) -> float:
        """An incident's severity, by its kind and deaths: every side that hears of it asks."""
        key = event.kind, event.casualties
        if key not in self._severity:
            self._severity[key] = escalation.severity(self.spec.rules.escalation, event)
        return self._severity[key]

    def nearest_place(self, cell: Cell) -> str:
        return min(
            self.geo.places.values(),
            key=lambda p: (p.cell[0] - cell[0]) ** 2 + (p.cell[1] - cell[1]) ** 2,
        ).name

    def locate(
        self, place: str | None, lat: float | None, lon: float | None
    ) -> tuple[float, float]:
        if place is not None:
            found = self.geo.places[place]
            return found.lat, found.lon
        assert lat is not None and lon is not None
        return lat, lon

    def cell_at(self, place: str | None, lat: float | None, lon: float | None) -> Cell:
        if place is not None:
            return self.geo.places[place].cell
        return self.geo.cell_of(*self.locate(None, lat, lon))

    def capital(self, aid: str) -> str | None:
        return self.actors[aid].spec.home

    def home_country(self, aid: str) -> str | None:
        home = self.actors[aid].spec.home
        if home is None:
            return None
        return self.geo.country_of(
            self.sites[home].cell.coordinate if home in self.sites else self.geo.places[home].cell
        )

    def closure_target(self, aid: str) -> str:
        """A closure of the strait is aimed at the side's first adversary."""
        adversaries = self.actors[aid].spec.adversaries
        return adversaries[0] if adversaries else aid

    def drone_area(self, shooter: str, target: str) -> str:
        """Where a drone of ``target`` flies near ``shooter``: the place of its surveillance
        asset over the shooter's home country, else its first asset's."""
        places = [a.place for a in self.spec.isr.values() if a.owner == target and a.place]
        home = self.home_country(shooter)
        over_home = [p for p in places if self.geo.country_of(self.geo.places[p].cell) == home]
        if over_home or places:
            return (over_home or places)[0]
        return self.capital(shooter) or "Strait of Hormuz"

    def site_owner(self, sid: str) -> str | None:
        site = self.sites.get(sid)
        return site.owner if site else None

    def sites_of(self, aid: str) -> list[Site]:
        return [s for s in self.site_list if s.owner == aid]

    def strike_sites(self, striker: str, target: str) -> list[Site]:
        """The target's sites a striker can hit: militia sites, or bases and military sites."""
        reach = self.actors[striker].spec.reach
        kinds = ("militia_site",) if self.actors[target].is_militia else ("base", "military_site")
        return [
            s
            for s in self.site_list
            if s.owner == target and s.kind in kinds and s.country in reach and not s.vacated
        ]

    # ----- agents by kind -----
    @property
    def convoys(self) -> list[Convoy]:
        return list(self.agents_by_type.get(Convoy, []))

    @property
    def tankers(self) -> list[Tanker]:
        return list(self.agents_by_type.get(Tanker, []))

    @property
    def convoy_count(self) -> int:
        return len(self.agents_by_type.get(Convoy, ()))

    # ----- views and records -----
    def view_of(self, aid: str) -> SideView:
        """A side's picture, up to date with the current phase of the day."""
        view = self._views.get(aid)
        if view is None:
            view = self._views[aid] = SideView(self, aid)
        view.refresh()
        return view

    def options_for(self, aid: str) -> list[Order]:
        """The orders a side may give on the day being decided (see ``turn``)."""
        return legal_orders(self, self.actors[aid])

    def key_tension(self) -> float:
        a, b = (self.actors[x].index for x in self.key_pair)
        return float((self.tension[a, b] + self.tension[b, a]) / 2.0)

    def _apply_history(self) -> None:
        """Incidents before the start, as reported, replayed day by day up to the start: every
        side learns each as told, and fears and grievances fade in between as they would."""
        day = (
            min((item.date - self.start_date).days for item in self.spec.history)
            if self.spec.history
            else 0
        )
        for item in sorted(self.spec.history, key=lambda h: h.date):
            when = (item.date - self.start_date).days
            day = self._fade_until(day, when)
            event = self.make_event(
                item.kind,
                item.actor,
                item.target,
                item.place,
                item.outcome,
                casualties=item.casualties,
                details={"source": item.source, "note": item.note},
                day=when,
            )
            event.blamed, event.confidence = item.blamed, item.confidence
            self.record.add(event)
            self.ladder.note(self, event)
            if item.order:
                order = Order(
                    item.actor, item.order, item.place if item.place in self.sites else item.target
                )
                self._remember(order, when)
            for observer in self.actor_list:
                blamed, sure = perception.as_reported(observer, event, item.blamed, item.confidence)
                perception.learn(self, observer, perception.Perceived(event, blamed, sure, when))
        self._fade_until(day, 0)

    def _fade_until(self, day: int, until: int) -> int:
        memory = self.spec.rules.decisions.memory_days
        for today in range(day, until):
            for actor in self.actor_list:
                actor.beliefs.forget(memory, today)
            escalation.relax(self)
        return max(day, until)

    def run(self) -> Record:
        """Run to the scenario's end (or ``days``) and return the record."""
        while not self.finished:
            self.step()
        return self.record

    def posture_level(self, aid: str, country: str) -> str:
        return POSTURE_LEVELS[self.actors[aid].posture.get(country, 0)]

    def outcome(self) -> str:
        struck = self.record.direct_exchange_day is not None
        return outcome_class(self.ladder.peak, struck, self.ladder.rung, self.ladder.crisis_killed)
