"""The shape of a scenario file, checked on load.

Every table refuses unknown keys, every number refuses NaN and infinity, and every bound is
stated here once. Cross-references (actors named by other actors, sites on the map, injects
inside the run) are checked by ``wargame.core.scenario.check_references`` after this schema.
The meaning of each parameter is in docs/model.md; where it comes from is in the scenario file.
"""

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Prob = Annotated[float, Field(ge=0, le=1)]
NonNeg = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Count = Annotated[int, Field(ge=0)]
Days = Annotated[int, Field(ge=0, le=3650)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]

POSTURE_LEVELS = ("NORMAL", "ALPHA", "BRAVO", "CHARLIE", "DELTA")
Posture = Literal["NORMAL", "ALPHA", "BRAVO", "CHARLIE", "DELTA"]
ActorKind = Literal["state", "bloc", "force", "militia"]
SiteKind = Literal[
    "base",
    "embassy",
    "consulate",
    "oil_facility",
    "oil_terminal",
    "military_site",
    "militia_site",
    "city",
    "chokepoint",
]
UnitKind = Literal["carrier_group", "bomber_task_force", "escort_group", "patriot_battery"]
Lane = Literal["gulf", "red_sea"]


Rationality = Annotated[float, Field(gt=0, le=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class Info(Strict):
    name: Identifier
    title: str
    summary: str
    start_date: dt.date
    days: Annotated[int, Field(ge=1, le=3650)]
    key_pair: Annotated[list[str], Field(min_length=2, max_length=2)]  # the dyad whose direct
    # exchange and tension define the outcome of a run
    extends: str | None = None


class MapSpec(Strict):
    resolution_deg: Literal[0.25, 0.125]


class Goals(Strict):
    """How much an actor cares about each aim (0 = not at all); absent aims weigh 0."""

    security: NonNeg = 0.0  # its forces, people and assets unharmed
    deterrence: NonNeg = 0.0  # answering attacks so that they stop
    pressure: NonNeg = 0.0  # coercing an adversary economically
    economy: NonNeg = 0.0  # its own revenue and the flow of oil
    influence: NonNeg = 0.0  # reach through proxies and the corridor
    restraint: NonNeg = 0.0  # staying off the higher rungs
    alliance: NonNeg = 0.0  # standing with its leader or sponsor


class Campaign(Strict):
    """A standing intention: a routine campaign a side keeps up against its enemies whatever the
    crisis does (Israel's strikes on weapons bound for Hezbollah, the Houthis' war with Saudi
    Arabia). An order of the campaign against one of its enemies is worth ``weight`` times how
    due the campaign is there: 1 - exp(-days since its last such act / every_days)."""

    against: Annotated[list[str], Field(min_length=1)]
    orders: Annotated[list[str], Field(min_length=1)]
    every_days: Annotated[float, Field(gt=0, le=3650)]  # the tempo it keeps up
    weight: NonNeg
    # A background to the crisis (a war or campaign that went on before it and goes on whatever
    # it does): its acts do not move the crisis up the ladder (rules/escalation.py).
    background: bool = False


RedLineTrigger = Literal["attacked", "killed", "struck", "pain"]


class RedLine(Strict):
    """What makes a side answer: an attack on it (or on its friends), its people killed, a
    direct strike by a state, or economic pain past ``threshold``. Once crossed, an ``answer``
    order against the side it blames is worth ``weight``, fading over ``days``, until it has
    answered."""

    trigger: RedLineTrigger
    answer: Annotated[list[str], Field(min_length=1)]
    days: Annotated[int, Field(ge=1, le=365)]
    weight: NonNeg
    friends: bool = False  # also when its allies, sponsor or proxies are hit
    threshold: Prob = 0.0  # the economic pain that crosses a "pain" line


class Actor(Strict):
    name: str
    kind: ActorKind
    colour: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
    home: str | None = None  # a site or place where it is based, if on the map
    orders: list[str]
    reach: list[str] = []  # countries and shipping lanes it can strike
    goals: Goals
    adversaries: list[str] = []
    allies: list[str] = []
    resolve: Prob
    caution: Prob
    rationality: Rationality | None = None  # its own, when not the scenario's (rules.decisions)
    intel: Prob  # how often it attributes a deniable act correctly
    deniability: Prob  # how hard its own covert acts are to attribute
    sponsor_blame: Prob  # share of a proxy's blame it passes on to the sponsor
    sponsor: str | None = None
    follows: str | None = None  # a leader whose posture it follows
    support: Prob | None = None  # support for the leader's policy, caps the following
    follow_lag_days: Days | None = None
    pain_sensitivity: Prob = 0.0  # how much economic pain erodes caution
    # Militias
    capability: Prob | None = None
    dependence: Prob | None = None
    autonomy: Prob | None = None
    # The Quds Force
    coordination: dict[str, Prob] = {}
    # Doctrine: routine campaigns, red lines, and the pairs of sides it can bring to talks.
    campaigns: dict[Identifier, Campaign] = {}
    red_lines: dict[Identifier, RedLine] = {}
    mediates: list[Annotated[list[str], Field(min_length=2, max_length=2)]] = []


class Site(Strict):
    name: str
    kind: SiteKind
    owner: str
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    personnel: Count = 0
    nonessential: Count = 0
    evacuated: bool = False
    capacity_mbd: NonNeg = 0.0
    exports_via: Lane | None = None


class Unit(Strict):
    name: str
    kind: UnitKind
    owner: str
    status: Literal["deployed", "reserve"]
    place: str | None = None  # where it stands when deployed
    lat: float | None = None
    lon: float | None = None


class IsrAsset(Strict):
    owner: str
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: Positive
    detection: Prob  # chance a day that a convoy at the centre is seen


class Sanctions(Strict):
    target: str
    oil: Prob
    shipping: Prob
    banking: Prob
    petrochem: Prob  # Iran's exports besides oil: petrochemicals, then metals
    metals: Prob
    waivers: bool


class Bill(Strict):
    """A host's bill against a foreign side's forces, as it stands at the start."""

    steps: Annotated[int, Field(ge=1, le=10)]
    day: int  # the day of its last step (before the start: negative)


class Policy(Strict):
    """An actor's standing choices at the start."""

    posture: dict[str, Posture] = {}  # country -> force protection level
    interdiction: list[str] = []  # countries where detected convoys may be struck
    escorts: list[Lane] = []
    sanctions: Sanctions | None = None  # the sanctions it imposes on Iran
    nuclear_steps: Annotated[int, Field(ge=0, le=10)] = 0  # steps back from the deal's limits
    nuclear_step_day: int | None = None  # the day of the last one (before the start: negative)
    withdrawal: dict[str, Bill] = {}  # foreign side -> this host's bill against its forces


class PerLevel(Strict):
    NORMAL: NonNeg
    ALPHA: NonNeg
    BRAVO: NonNeg
    CHARLIE: NonNeg
    DELTA: NonNeg


class PerceptionRules(Strict):
    lag_days: Days  # third parties learn of an incident this many days later
    ally_share: Prob  # how much an attack on an ally, proxy or sponsor angers a side
    confidence_noise: Prob  # spread of stated confidence around the true chance of being right


class EscalationRules(Strict):
    memory_days: Annotated[int, Field(ge=1, le=365)]
    tension_gain: Positive
    tension_decay: Prob
    sustained_days: Annotated[int, Field(ge=2)]
    war_days: Annotated[int, Field(ge=2)]
    war_states: Annotated[int, Field(ge=3)]
    severity: dict[str, NonNeg]  # incident kind -> how much it angers the victim
    casualty_weight: NonNeg  # extra severity per log(1 + killed)
    enmity_floor: Prob  # share of the starting tension that never fades by itself
    deadly_at: Annotated[int, Field(ge=1)]  # killed that make an attack deadly (a rung higher)
    catharsis: Prob  # share of a grievance that hitting back settles, per unit of severity


class InterdictionRules(Strict):
    convoy_km_per_day: Positive
    convoy_cargo: Prob  # capability a delivered convoy adds to its recipient
    loss_penalty: Prob  # capability the recipient loses when a convoy is destroyed
    strike_success: Prob
    isr_surge_factor: Annotated[float, Field(ge=1, le=10)]
    isr_surge_days: Days
    max_convoys: Annotated[int, Field(ge=1, le=100)]


class SabotageRules(Strict):
    tanker_hit: Prob
    tanker_seize: Prob
    escort_protection: Prob  # share of attacks and seizures an escort foils
    oil_damage: Prob  # mean share of a facility's capacity knocked offline
    # Time constant of repairs, by kind of oil site (a plant or pipeline, a terminal).
    repair_days: dict[Literal["oil_facility", "oil_terminal"], Positive]
    salvo_extra: Prob  # chance that a salvo also aims at each other oil site of the owner in reach
    tankers_per_day: dict[Lane, NonNeg]
    tanker_owners: dict[Lane, dict[str, Positive]]  # whose oil the tankers carry, by weight
    tanker_km_per_day: Positive


class PostureRules(Strict):
    vulnerability: PerLevel  # share of an attack's harm that lands, per level
    readiness_cost: PerLevel  # readiness lost a day, per level
    readiness_recovery: Prob
    deploy_days: Days  # from the order to arrival in theatre


class EconomyRules(Strict):
    hormuz_flow_mbd: Positive
    bab_el_mandeb_flow_mbd: Positive
    iran_exports_mbd: Positive  # before sanctions
    oil_sanction_cut: Prob  # share of exports that full oil sanctions stop
    waiver_relief: Prob  # share of that cut that waivers give back
    shipping_sanction_cut: Prob
    banking_sanction_cut: Prob  # share of revenue lost to blocked payments
    # Iran's other exports, as shares of its oil revenue before sanctions, and the share of a
    # sector's revenue that full sanctions on it take away.
    petrochem_share: NonNeg
    metals_share: NonNeg
    sector_sanction_cut: Prob
    price_usd: Positive
    world_supply_mbd: Positive
    spare_capacity_mbd: NonNeg  # other producers' spare, within weeks
    bypass_mbd: NonNeg  # the spare of the pipelines around Hormuz: the cover while it is closed
    stock_release_mbd: NonNeg  # emergency stocks released in a long shortfall
    stock_lag_days: Annotated[int, Field(ge=0, le=365)]  # shortfall before stocks are released
    elasticity_covered: Positive  # price response to a loss that others make good
    elasticity_uncovered: Positive  # price response to a loss that no one makes good
    risk_premium: NonNeg  # price premium per tanker incident, in log points
    risk_decay: Prob
    pain_memory_days: Annotated[int, Field(ge=1, le=365)]
    closure_cut: Prob  # share of Hormuz flow an attempted closure stops
    closure_days: Positive  # mean time to clear the strait
    sanction_step: Prob


class ProxyRules(Strict):
    coordination_bonus: NonNeg  # full coordination multiplies a militia's effect by 1 + this
    coordination_gain: Prob
    coordination_decay: Prob
    restraint_days: Days
    capability_decay: Prob  # a militia's capability lost a day without resupply


class StrikeRules(Strict):
    hit: dict[str, Prob]  # order kind -> chance of a hit before defences
    casualties: dict[str, NonNeg]  # order kind -> mean killed at a fully exposed target
    militia_damage: Prob  # capability a hit on a militia removes
    leader_damage: Prob  # capability and coordination a hit on commanders removes
    air_defence: Prob  # share of attacks on a defended site that a Patriot battery stops


class DiplomacyRules(Strict):
    mediation_success: Prob
    mediation_effect: Prob
    talks_days: Days
    nuclear_step_days: Days  # the least time between two steps back from the nuclear deal
    nuclear_max_steps: Annotated[int, Field(ge=0, le=10)]
    nuclear_tension: Prob  # grievance each step adds in the sides that count the stepper an enemy


class SovereigntyRules(Strict):
    step_days: Days  # the least time between two steps of a bill against foreign forces
    max_steps: Annotated[int, Field(ge=1, le=10)]  # the step that puts it to a vote
    pass_chance: Prob  # the chance that the vote passes it
    withdrawal_days: Days  # the time a passed bill gives foreign forces to leave


class DecisionRules(Strict):
    rationality: Rationality  # every side's logit precision, unless a side sets its own
    action_cost: NonNeg  # what any order but 'hold' must be worth to be chosen
    rung_cost: NonNeg  # disutility of each rung an order climbs above today's
    retaliation_fear: NonNeg  # disutility of provoking a resolute, present adversary
    memory_days: Annotated[int, Field(ge=1, le=365)]  # how long an actor remembers an attack
    review_days: Annotated[int, Field(ge=1, le=90)]  # how often a side reviews standing policies
    # What a side believes of another's resolve before it has seen it answer (or not) a blow:
    # the mean of a beta prior and its weight in observations.
    resolve_prior: Prob
    resolve_prior_weight: Positive


class Rules(Strict):
    perception: PerceptionRules
    escalation: EscalationRules
    interdiction: InterdictionRules
    sabotage: SabotageRules
    posture: PostureRules
    economy: EconomyRules
    proxies: ProxyRules
    strikes: StrikeRules
    diplomacy: DiplomacyRules
    sovereignty: SovereigntyRules
    decisions: DecisionRules


class Inject(Strict):
    """An event the scenario schedules: an order forced on a side, or a narrative note."""

    day: Annotated[int, Field(ge=1)]
    kind: Literal["order", "note"]
    text: str = ""
    actor: str | None = None
    order: str | None = None
    target: str | None = None
    via: str | None = None


class History(Strict):
    """An incident before the start, as reported; it sets the actors' first beliefs."""

    date: dt.date
    kind: str
    actor: str
    target: str
    place: str
    outcome: str
    blamed: str | None = None
    confidence: Prob = 0.0
    casualties: Count = 0
    order: str | None = None  # the order it answered to, so the side remembers giving it
    source: str
    note: str = ""


class Scenario(Strict):
    scenario: Info
    map: MapSpec
    references: dict[str, str]
    actors: dict[Identifier, Actor]
    tension: dict[str, dict[str, Prob]] = {}
    sites: dict[Identifier, Site]
    units: dict[Identifier, Unit] = {}
    isr: dict[Identifier, IsrAsset] = {}
    policies: dict[str, Policy] = {}
    rules: Rules
    injects: list[Inject] = []
    history: list[History] = []
