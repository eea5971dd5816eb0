"""The computer players reason: doctrine from the scenario, red lines that call for answers,
militias that consent, a fog of war that holds, and reasons kept on the record."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from wargame.core.incidents import HOSTILE_KINDS
from wargame.core.orders import Order
from wargame.core.scenario import load_scenario
from wargame.engine import appraisal
from wargame.engine.beliefs import Blow
from wargame.engine.model import WargameModel
from wargame.engine.rules import perception

REPO = Path(__file__).resolve().parents[1]
SEEDS = range(1, 41)


def world(days: int = 30, **overrides) -> WargameModel:
    return WargameModel(load_scenario("may2019", {"scenario.days": days, **overrides}), seed=1)


def struck_within(overrides: dict, actor: str, target: str, days: int) -> float:
    """Share of seeds in which ``actor`` strikes ``target``'s state within ``days`` of day 1."""
    loaded = load_scenario("may2019", {"scenario.days": days + 1, **overrides})
    hits = 0
    for seed in SEEDS:
        model = WargameModel(loaded, seed=seed)
        model.run()
        hits += any(
            e.kind == "state_strike"
            and e.actor == actor
            and model.actors[e.target].state() == target
            and e.day > 1
            for e in model.record.events
        )
    return hits / len(SEEDS)


# ----- the fog of war holds -----
PLAYERS = ("wargame/engine/policy.py", "wargame/engine/menu.py", "wargame/engine/appraisal.py")


@pytest.mark.parametrize("path", PLAYERS)
def test_the_players_read_their_view_and_nothing_else(path: str) -> None:
    """The players' code never reaches the model: no ``.model``, no private part of a view, no
    import of the model or of any rule but the pure constants and formulas they share."""
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    reached = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and (node.attr == "model" or (node.attr.startswith("_") and not node.attr.startswith("__")))
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
    }
    assert not reached, f"{path} reaches {sorted(reached)}"
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wargame")
    }
    assert "wargame.engine.model" not in imported
    assert imported <= {
        "wargame.core",
        "wargame.core.incidents",
        "wargame.core.ladder",
        "wargame.core.orders",
        "wargame.core.schema",
        "wargame.engine",
        "wargame.engine.beliefs",  # the shapes of beliefs, for type hints
        "wargame.engine.menu",  # the players' tables of their candidates
        "wargame.engine.rules.posture",  # the number of force-protection levels
        "wargame.engine.view",
    }


def test_a_view_offers_no_route_to_the_model() -> None:
    view = world().view_of("iran")
    assert not hasattr(view, "model")
    public = {name for name in dir(view) if not name.startswith("_")}
    assert not public & {"model", "actors", "me", "world"}
    with pytest.raises(PermissionError):
        view.proxy_capability("hezbollah")  # Iran's Quds Force sponsors it, not Iran itself


def test_what_a_side_cannot_see_it_estimates_from_what_it_saw() -> None:
    """Another side's resolve: the prior, then up when the side is seen to answer a blow."""
    model = world()
    view = model.view_of("saudi")
    prior = model.spec.rules.decisions.resolve_prior
    assert view.resolve_of("saudi") == model.spec.actors["saudi"].resolve  # its own it knows
    before = view.resolve_of("israel")
    assert before != model.spec.actors["israel"].resolve or before == prior
    saudi = model.actors["saudi"]
    for day in (1, 2):
        blow = model.make_event("rocket_attack", "pij", "israel", "tel_aviv", "hit", day=day)
        perception.learn(model, saudi, perception.Perceived(blow, "pij", 1.0, day))
        answer = model.make_event("state_strike", "israel", "pij", "pij_gaza", "hit", day=day + 1)
        perception.learn(model, saudi, perception.Perceived(answer, "israel", 1.0, day + 1))
    model.epoch += 1
    assert model.view_of("saudi").resolve_of("israel") > before
    assert model.view_of("saudi").heat("pij", "israel") > 0


# ----- doctrine -----
def test_a_hostile_act_needs_a_reason_of_doctrine() -> None:
    """With no campaign's opportunity and no red line crossed, an attack is worth nothing to
    the side, whatever its grudges: the US does not strike Iran out of the blue."""
    model = world()
    view = model.view_of("us")
    strike = Order("us", "strike_state", "iran")
    assert appraisal.strike(view, strike) == {}
    us = model.actors["us"]
    us.beliefs.blows.append(Blow(0, "pmu", "base_attack", 4, "Iraq", 2, direct=False, own=True))
    model.epoch += 1
    view = model.view_of("us")
    values = appraisal.strike(view, strike)
    assert values["americans_harmed"] == pytest.approx(model.spec.actors["us"].sponsor_blame)
    assert appraisal.strike(view, Order("us", "strike_militia", "pmu"))["americans_harmed"] == 1.0


def test_a_blow_is_answered_once() -> None:
    model = world()
    us = model.actors["us"]
    us.beliefs.blows.append(Blow(0, "pmu", "base_attack", 4, "Iraq", 2, direct=False, own=True))
    us.last_against[("strike_militia", "pmu")] = 0  # the US answered it the same day
    model.epoch += 1
    view = model.view_of("us")
    assert "americans_harmed" not in appraisal.strike(view, Order("us", "strike_state", "iran"))


def test_an_answer_to_ones_own_blow_calls_for_no_new_answer() -> None:
    """PIJ fired first; Israel's strike back does not cross PIJ's red line: the score is even."""
    model = world()
    pij = model.actors["pij"]
    pij.last_against[("rocket_attack", "israel")] = 0
    pij.beliefs.blows.append(Blow(1, "israel", "state_strike", 5, "Palestine", 3, False, True))
    model.epoch += 1
    view = model.view_of("pij")
    assert "struck" not in appraisal.attack(view, Order("pij", "rocket_attack", "tel_aviv"))


def test_a_us_death_raises_the_chance_of_a_us_strike_within_14_days() -> None:
    blow = {
        "injects": [
            {"day": 1, "kind": "order", "actor": "pmu", "order": "attack_base", "target": "al_asad"}
        ],
        "rules.strikes.hit.attack_base": 1.0,
    }
    deadly = struck_within({**blow, "rules.strikes.casualties.attack_base": 20.0}, "us", "pmu", 14)
    harmless = struck_within({**blow, "rules.strikes.casualties.attack_base": 0.0}, "us", "pmu", 14)
    assert deadly > harmless + 0.3


def test_a_direct_strike_on_iran_raises_the_chance_iran_strikes_back_within_30_days() -> None:
    strike = {
        "injects": [
            {"day": 1, "kind": "order", "actor": "us", "order": "strike_state", "target": "iran"}
        ]
    }
    struck = struck_within(strike, "iran", "us", 30)
    quiet = struck_within({}, "iran", "us", 30)
    assert struck > quiet + 0.3


def test_a_more_cautious_militia_consents_to_fewer_directed_attacks() -> None:
    order = Order("quds", "direct_attack", "al_asad", "pmu")
    odds = {}
    for caution in (0.2, 0.9):
        model = world(**{"actors.pmu.caution": caution})
        pmu = model.actors["pmu"]
        pmu.beliefs.blows.append(Blow(0, "us", "state_strike", 5, "Iraq", 5, False, True))
        model.epoch += 1
        odds[caution] = pmu.policy.consent(model.view_of("pmu"), order).p
    assert odds[0.9] < odds[0.2]


def test_a_side_a_person_plays_never_acts_on_another_sides_direction() -> None:
    from wargame.engine.policy import HumanPolicy

    model = WargameModel(load_scenario("may2019"), seed=1, players={"pmu": HumanPolicy()})
    answer = model.actors["pmu"].consents(Order("quds", "direct_attack", "al_asad", "pmu"))
    assert not answer.agreed


def test_campaigns_strike_on_opportunities_and_keep_their_tempo() -> None:
    """Israel's campaign between the wars: about one strike per opportunity (its tempo), each
    worth more than holding. (Its strikes in Gaza, a campaign of lower weight, are left out.)"""
    model = world(days=120)
    model.run()
    campaign = model.spec.actors["israel"].campaigns["between_the_wars"]
    strikes = [
        o
        for o in model.record.orders
        if o["actor"] == "israel"
        and o["kind"] == "strike_militia"
        and o["target"] in campaign.against
    ]
    every = campaign.every_days
    assert 0.5 * 120 / every < len(strikes) < 1.5 * 120 / every
    assert all(o["utility"] > o["hold"] for o in strikes)


# ----- reach and attribution -----
def test_suspects_are_those_who_could_have_done_it() -> None:
    """A Quds Force sabotage at sea off Fujairah is pinned on someone who can reach the Gulf,
    never on Hezbollah or PIJ; a hand from afar is pinned on whoever sends it."""
    model = world()
    quds = model.actors["quds"]
    assert set(perception.suspects(model, quds, "gulf")) <= {"iran"}
    assert perception.suspects(model, model.actors["pij"], "Yemen") == ["iran"]


def test_only_the_pairs_a_side_can_bring_to_talks_are_offered() -> None:
    model = world()
    for mediator in ("iraq", "europe", "uk"):
        talks = [o.target for o in model.options_for(mediator) if o.kind == "mediate"]
        assert talks == ["us:iran"], mediator
    assert not [o for o in model.options_for("uae") if o.kind == "mediate"]


def test_staff_do_not_return_while_rockets_fall() -> None:
    model = world(**{"sites.embassy_baghdad.evacuated": True})
    us = model.actors["us"]
    us.beliefs.blows.append(Blow(0, "pmu", "rocket_attack", 4, "Iraq", 0, False, True))
    model.epoch += 1
    back = appraisal.evacuation(model.view_of("us"), Order("us", "return_staff", "embassy_baghdad"))
    assert back["security"] == -1.0


# ----- reasons on the record -----
def test_every_computer_order_carries_its_reasons_and_every_incident_its_odds() -> None:
    model = world(days=60)
    model.run()
    computer = [o for o in model.record.orders if o["by"] == "ComputerPolicy"]
    assert computer
    for order in computer:
        assert {"utility", "hold", "rung", "aims"} <= set(order)
        assert sum(order["aims"].values()) == pytest.approx(order["utility"], abs=1e-3)
        assert order["hold"] == 0.0
    for event in model.record.events:
        assert "p" in event.details and "roll" in event.details, event.kind
        if event.details["roll"] is not None and event.kind in HOSTILE_KINDS:
            assert 0.0 <= event.details["roll"] < 1.0
