"""A side's picture of the crisis: its own state, its doctrine, its beliefs, and what is public.

Computer players decide from this view only, and the dashboard shows a human player this view,
so no side acts on truths it could not know: who really sabotaged a tanker, where an unseen
convoy is, what another side ordered today, another side's resolve or grudges. The view keeps
the model to itself and answers questions: its own forces and proxies, which it knows; public
facts (the rung, the market, sanctions, deployments, force protection, the map, the traffic in
the lanes); and its beliefs, including its estimates of what it cannot see (another side's
resolve, how hostile two others are to each other), which may be wrong.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from wargame.core.incidents import HOSTILE_KINDS
from wargame.core.ladder import Rung
from wargame.core.orders import CATALOGUE, Order
from wargame.engine.beliefs import Blow, Perceived
from wargame.engine.rules.attacks import potency

if TYPE_CHECKING:
    from collections.abc import Callable

    from agents.units import Force
    from wargame.core.schema import Actor as ActorSpec
    from wargame.core.schema import DecisionRules
    from wargame.engine.model import WargameModel


CONVOY_KINDS = frozenset({"convoy_detected", "convoy_delivered", "convoy_interdicted"})


class SiteInfo(NamedTuple):
    """What anyone can know of a site: it is on the map."""

    sid: str
    name: str
    kind: str
    owner: str
    country: str
    is_oil: bool


class SideView:
    def __init__(self, model: WargameModel, aid: str) -> None:
        self._model = model
        self._me = model.actors[aid]
        self.aid = aid
        self.spec: ActorSpec = self._me.spec  # its own doctrine: data, no route to the world
        self.rules: DecisionRules = model.spec.rules.decisions
        # Its orders that hurt another side (rung 3 and up, with a victim): what it hits with.
        self.hostile_kinds = [
            k
            for k in self.spec.orders
            if CATALOGUE[k].victim and CATALOGUE[k].rung >= Rung.HARASSMENT
        ]
        self._index = {a: actor.index for a, actor in model.actors.items()}
        self._sponsors = {a: tuple(actor.sponsors()) for a, actor in model.actors.items()}
        self._specs = {a: actor.spec for a, actor in model.actors.items()}
        # What each aim weighs: the goals', each campaign's and red line's own weight.
        self.weights: dict[str, float] = {
            **self.spec.goals.model_dump(),
            **{name: c.weight for name, c in self.spec.campaigns.items()},
            **{name: line.weight for name, line in self.spec.red_lines.items()},
        }
        self._background = {
            (kind, enemy)
            for c in self.spec.campaigns.values()
            if c.background
            for kind in c.orders
            for enemy in c.against
        }
        self.sites = {
            s.sid: SiteInfo(s.sid, s.name, s.kind, s.owner, s.country, s.is_oil)
            for s in model.site_list
        }
        self._reaching: dict[str, list[str]] = {}  # the adversaries that reach a country
        self._forces: dict[str, list[Force]] = {}  # the forces of a side and its allies
        self._hosts: dict[str | None, list[str]] | None = None
        self._epoch = -1
        self.refresh()

    def refresh(self) -> None:
        """Copy this side's beliefs into plain lists once per phase of the day (the model's
        ``epoch``): decisions read them thousands of times a day, and plain lists are fastest
        to read. ``model.view_of`` refreshes before handing a view out."""
        if self._epoch == self._model.epoch:
            return
        self._epoch = self._model.epoch
        i = self._me.index
        self._grievance = self._model.tension[i].tolist()
        self._floor = self._model.tension_floor[i].tolist()
        self._threat: list[float] | None = None  # worked out when first asked, this phase
        self._resolve: dict[int, float] = {}
        self._presence: dict[str, float] = {}
        self.memo: dict[object, float] = {}  # per-phase answers (appraisal.py)

    # ----- who is who (public) -----
    @property
    def rationality(self) -> float:
        """Its logit precision: its own, or the scenario's."""
        return self.spec.rationality or self.rules.rationality

    @property
    def index(self) -> int:
        return self._me.index

    @property
    def is_militia(self) -> bool:
        return self._me.is_militia

    def index_of(self, aid: str) -> int:
        """A side's place in the scenario's list of sides."""
        return self._index[aid]

    def everyone(self) -> list[str]:
        """Every side of the crisis (who takes part is public)."""
        return list(self._specs)

    def candidates(self) -> list[Order]:
        """Every order this side could ever give (its catalogue entries and their targets)."""
        return self._model.candidates[self.aid]

    def sponsors(self, aid: str) -> tuple[str, ...]:
        """The chain of sponsors above a side: who arms and pays whom is public."""
        return self._sponsors[aid]

    def allies_of(self, aid: str) -> list[str]:
        return self._specs[aid].allies

    def adversaries_of(self, aid: str) -> list[str]:
        """Whom a side counts as its enemies: declared, hence public."""
        return self._specs[aid].adversaries

    def proxies(self) -> list[str]:
        """The militias this side sponsors."""
        return [a for a, spec in self._specs.items() if spec.sponsor == self.aid]

    def name(self, aid: str) -> str:
        return self._specs[aid].name

    # ----- public facts -----
    @property
    def day(self) -> int:
        return self._model.day

    @property
    def rung(self) -> int:
        return self._model.ladder.rung

    def climb_base(self, victim: str | None, rung: int) -> int:
        """The rung an order climbs from. Direct exchange is a threshold each pair of states
        crosses for itself (escalation.Ladder.base_for): public, since strikes are open."""
        return self._model.ladder.base_for(self._model, self.aid, victim, rung)

    def in_talks(self) -> bool:
        return self._model.talks.open(self.aid, self._model.day)

    def presence(self, aid: str) -> float:
        """Share of a side's (and its allies') forces in theatre: what deters its enemies."""
        if aid not in self._presence:
            forces = self._forces.get(aid)
            if forces is None:  # whose forces are whose never changes
                friends = {aid, *self._specs[aid].allies}
                forces = self._forces[aid] = [
                    f for f in self._model.forces.values() if f.owner in friends
                ]
            self._presence[aid] = sum(f.in_theatre for f in forces) / len(forces) if forces else 0.0
        return self._presence[aid]

    def lane_owners(self, lane: str) -> frozenset[str]:
        """Whose tankers sail in a lane today (shipping is tracked in the open)."""
        return self._model.shipping.owners.get(lane, frozenset())

    @property
    def sanctioner(self) -> str | None:
        return self._model.sanctioner

    @property
    def sanctioned(self) -> str | None:
        return self._model.sanctioned

    def sanctions_level(self, sector: str) -> float:
        return self._model.economy.level(sector)

    def bill_against(self, country: str) -> float:
        """How far the host of a country has gone with a bill against this side's forces there
        (0: none, 1: passed): parliaments debate in public."""
        if self._hosts is None:  # who is at home where never changes
            self._hosts = {}
            for aid in self._specs:
                self._hosts.setdefault(self._model.home_country(aid), []).append(aid)
        return max((self.bill(h, self.aid) for h in self._hosts.get(country, ())), default=0.0)

    def bill(self, host: str, guest: str) -> float:
        """How far a host's bill against a side's forces has gone (0: none, 1: passed)."""
        max_steps = self._model.spec.rules.sovereignty.max_steps
        return self._model.withdrawal.pressure(host, guest, max_steps)

    def in_camp(self, aid: str) -> bool:
        """Whether ``aid`` is the sanctioning side or one of its allies."""
        sanctioner = self._model.sanctioner
        return sanctioner is not None and (
            aid == sanctioner or aid in self._specs[sanctioner].allies
        )

    # ----- its own state -----
    def posture_level(self, country: str) -> int:
        return self._me.posture.get(country, 0)

    def own_presence(self) -> float:
        forces = [f for f in self._model.forces.values() if f.owner == self.aid]
        return sum(f.deployed or f.arrives_on > 0 for f in forces) / len(forces) if forces else 0.0

    def pain(self) -> float:
        """Economic pain, felt by the sanctioned state and the forces it pays for."""
        return self._model.economy.pain if self._me.state() == self._model.sanctioned else 0.0

    def caution(self) -> float:
        return self.spec.caution * (1.0 - self.spec.pain_sensitivity * self.pain())

    def effect(self, doer: str | None = None) -> float:
        """The share of an act's nominal effect the side, or a militia it sponsors, can
        deliver (at most all of it): a sponsor knows its proxies' strength."""
        key = ("effect", doer)
        if key not in self.memo:
            actor = self._own_proxy(doer) if doer else self._me
            self.memo[key] = min(potency(self._model, actor), 1.0)
        return self.memo[key]

    def deniability_of(self, aid: str) -> float:
        """How hard this side's (or its proxy's) covert acts are to pin on the doer."""
        return self._own_proxy(aid).spec.deniability

    def proxy_capability(self, militia: str) -> float:
        return self._own_proxy(militia).capability

    def proxy_coordination(self, militia: str) -> float:
        """Coordination with a militia: its sponsor's and its own knowledge."""
        return self._own_proxy(militia).coordination

    def restrained(self) -> bool:
        """Whether this militia's sponsor has told it to stand down, for now."""
        return self._me.restrained_until >= self._model.day

    def _own_proxy(self, militia: str):
        actor = self._model.actors[militia]
        if militia != self.aid and actor.spec.sponsor != self.aid:
            raise PermissionError(f"{self.aid} does not know the state of {militia}")
        return actor

    # ----- its memory of its own orders -----
    def last_against(self, kinds: list[str], victims: list[str]) -> int | None:
        """The last day this side gave an order of one of ``kinds`` that hurt one of
        ``victims``."""
        memory = self._me.last_against
        days = [d for k in kinds for v in victims if (d := memory.get((k, v))) is not None]
        return max(days, default=None)

    def background(self, kind: str, victim: str | None) -> bool:
        """Whether an order against ``victim`` belongs to one of this side's background
        campaigns, whose acts do not climb the crisis's ladder (rules/escalation.py)."""
        return (kind, victim) in self._background

    def may_hit(self) -> set[tuple[str, str]]:
        """The (order kind, victim) pairs that some reason of doctrine may make worth giving
        today: a campaign's opportunity, a blow its red lines may answer, a pressure line's
        opportunity. A superset of what the appraisals find (they check the details), so that
        the players need not weigh the hostile orders no reason could serve."""
        if "may_hit" not in self.memo:
            found: set[tuple[str, str]] = set()
            for name, campaign in self.spec.campaigns.items():
                if self.opportunity(name):
                    found |= {(k, v) for k in campaign.orders for v in campaign.against}
            for name, line in self.spec.red_lines.items():
                if line.trigger == "pain":
                    if self.opportunity(name):
                        camp = [a for a in self._specs if self.in_camp(a)]
                        found |= {(k, v) for k in line.answer for v in camp}
                    continue
                for blow in self.blows(line.days):
                    found |= {
                        (k, v) for k in line.answer for v in (blow.by, *self.sponsors(blow.by))
                    }
            self.memo["may_hit"] = found  # type: ignore[assignment]
        return self.memo["may_hit"]  # type: ignore[return-value]

    def opportunity(self, name: str) -> bool:
        """Whether a campaign (or a red line of economic pain) of this side sees an opportunity
        today: a target located, a launcher ready, a ship in reach (rules/opportunity.py)."""
        return name in self._model.opportunities.today.get(self.aid, ())

    def novelty(self, order: Order) -> float:
        """A repeated act loses force: near 0 the day after the same order about the same side
        (or country, militia, unit), back toward 1 over ``memory_days``."""
        if not self._me.last_order_day:
            return 1.0
        last = self._me.last_order_day.get(self._model.repeat_key(order))
        if last is None:
            return 1.0
        return float(1.0 - math.exp(-(self.day - last) / self.rules.memory_days))

    # ----- beliefs -----
    def grievance(self, other: str) -> float:
        return self._grievance[self._index[other]]

    def threat(self, other: str) -> float:
        """Fear: how likely ``other`` seems to strike soon, from recent harm it is blamed for."""
        if self._threat is None:
            self._threat = (1.0 - np.exp(-self._me.beliefs.harm)).tolist()
        return self._threat[self._index[other]]

    def grudge(self, other: str) -> float:
        """Grievance beyond lasting enmity, as a share of the room above it (0 to 1): what
        recent wrongs, real or believed, have added."""
        j = self._index[other]
        floor = self._floor[j]
        room = 1.0 - floor
        return max(self._grievance[j] - floor, 0.0) / room if room > 0.0 else 0.0

    def resolve_of(self, other: str) -> float:
        """How resolute ``other`` seems: its own resolve it knows; another's it estimates from
        the blows it has seen that side take and answer (or not)."""
        if other == self.aid:
            return self.spec.resolve
        j = self._index[other]
        if j not in self._resolve:  # one side at a time: a side asks of a few others a day
            beliefs, prior = self._me.beliefs, self.rules.resolve_prior
            weight = self.rules.resolve_prior_weight
            answered, tested = float(beliefs.answered[j]), float(beliefs.tested[j])
            self._resolve[j] = (prior * weight + answered) / (weight + tested)
        return self._resolve[j]

    def heat(self, doer: str, victim: str) -> float:
        """How hostile ``doer`` has lately seemed to ``victim``, from the incidents between them
        this side heard of (0 to 1)."""
        return 1.0 - math.exp(-self._me.beliefs.heat[self._index[doer], self._index[victim]])

    def threat_in(self, country: str) -> float:
        """The greatest threat from an adversary that can reach a country (kept for the phase:
        posture and evacuations ask it of the same countries)."""
        key = ("threat_in", country)
        if key not in self.memo:
            able = self._reaching.get(country)
            if able is None:  # who can reach where never changes
                specs = self._specs
                able = self._reaching[country] = [
                    a for a in self.spec.adversaries if country in specs[a].reach
                ]
            self.memo[key] = max((self.threat(a) for a in able), default=0.0)
        return self.memo[key]

    def max_threat(self) -> float:
        return max((self.threat(a) for a in self.spec.adversaries), default=0.0)

    def max_grudge(self, among: list[str] | None = None) -> float:
        return max((self.grudge(a) for a in (among or self.spec.adversaries)), default=0.0)

    def blows(self, since_days: int) -> list[Blow]:
        """The blows against this side and its friends that it knows of, of the last days:
        kept while no blow is added (the red lines ask for the same few spans again and again;
        a blow learnt during the umpire's phase, before a militia's consent, counts at once)."""
        blows = self._me.beliefs.blows
        key = ("blows", since_days, len(blows))
        if key not in self.memo:
            horizon = self.day - since_days
            self.memo[key] = [b for b in blows if b.day > horizon]  # type: ignore[assignment]
        return self.memo[key]  # type: ignore[return-value]

    def lane_risk(self, lane: str) -> float:
        return float(1.0 - math.exp(-self._me.beliefs.lane_trouble.get(lane, 0.0)))

    def convoy_concern(self) -> float:
        """How much convoy traffic this side has seen lately (detections and deliveries)."""
        if "convoys" not in self.memo:
            self.memo["convoys"] = self._lately(lambda heard: heard.event.kind in CONVOY_KINDS)
        return self.memo["convoys"]

    def battlefield(self, guest: str) -> float:
        """How much a foreign side has lately fought on this side's soil, by it or against it,
        from the hostile incidents there this side heard of (0 to 1)."""
        key = ("battlefield", guest)
        if key not in self.memo:
            home, country_of = self._model.home_country(self.aid), self._model.geo.country_of
            self.memo[key] = self._lately(
                lambda heard: (
                    heard.event.kind in HOSTILE_KINDS
                    and guest in (heard.blamed, heard.event.target)
                    and country_of(heard.event.cell) == home
                )
            )
        return self.memo[key]

    def _lately(self, counts: Callable[[Perceived], bool]) -> float:
        """How much this side has lately heard of incidents that ``counts``: of those of the last
        ``memory_days``, as 1 - exp(-n / 2) (0 to 1: two incidents make about 0.63)."""
        horizon, seen = self.day - self.rules.memory_days, 0
        for heard in reversed(self._me.beliefs.heard):
            if heard.learned_on <= horizon:
                break
            if heard.event.day > horizon and counts(heard):
                seen += 1
        return float(1.0 - math.exp(-seen / 2.0))

    def known(self, limit: int = 50) -> list[Perceived]:
        """The latest incidents this side has heard of, newest first."""
        return self._me.beliefs.heard[::-1][:limit]
