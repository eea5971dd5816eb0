"""The computer players: noisy best response to their own picture, held to the same orders as a
person."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wargame.core.orders import STANDING, Order
from wargame.core.scenario import load_scenario
from wargame.engine.menu import logit_pick
from wargame.engine.model import WargameModel
from wargame.engine.policy import (
    HumanPolicy,
    Judge,
    OrderRefused,
    climb_cost,
    reviews_today,
)
from wargame.engine.rules import perception


def world(**overrides) -> WargameModel:
    return WargameModel(load_scenario("may2019", overrides), seed=1)


def test_each_rung_climbed_costs_more_than_the_one_below():
    assert climb_cost(4, 4, 0.15) == 0.0 and climb_cost(6, 4, 0.15) == 0.0
    assert climb_cost(5, 6, 0.15) == pytest.approx(0.9)
    assert climb_cost(4, 6, 0.15) == pytest.approx(0.15 * (5 + 6))
    assert climb_cost(5, 6, 1.0) == 2 * climb_cost(2, 3, 1.0)


def test_the_logit_choice_follows_its_formula():
    rng = np.random.default_rng(0)
    utilities, precision = [0.0, -0.1, -0.3], 10.0
    picks = np.bincount([logit_pick(utilities, precision, rng) for _ in range(20000)], minlength=3)
    expected = np.exp(precision * np.array(utilities))
    assert picks / picks.sum() == pytest.approx(expected / expected.sum(), abs=0.01)


def test_a_repeated_order_loses_value_and_recovers():
    model = world()
    view = model.view_of("iran")
    order = Order("iran", "threaten_closure")
    model.actors["iran"].last_order_day[model.repeat_key(order)] = model.day
    assert view.novelty(order) == 0.0
    model.steps += 30
    assert view.novelty(order) == pytest.approx(1 - math.exp(-1))


def utility_of(order: Order, **overrides) -> float:
    """An order's score on a day its side's campaign has an opportunity."""
    model = world(**overrides)
    model.opportunities.today = {order.actor: set(model.actors[order.actor].spec.campaigns)}
    scored = Judge(model.view_of(order.actor)).score(order)
    assert scored is not None
    return scored.utility


def test_deniability_lowers_the_fear_of_retaliation():
    attack = Order("pmu", "attack_base", "al_asad")
    plain = utility_of(attack, **{"actors.pmu.deniability": 0.0})
    assert utility_of(attack, **{"actors.pmu.deniability": 0.9}) > plain


def test_a_hostile_order_with_no_reason_is_not_weighed() -> None:
    """No campaign's opportunity, no red line crossed: the side does not even consider it."""
    model = world()
    assert Judge(model.view_of("pmu")).score(Order("pmu", "attack_base", "al_asad")) is None


def test_economic_pain_erodes_iranian_caution():
    model = world()
    view = model.view_of("iran")
    model.economy.pain = 0.0
    calm = view.caution()
    model.economy.pain = 0.9
    assert view.caution() < calm
    assert model.view_of("us").caution() == model.actors["us"].spec.caution


def test_each_side_reviews_standing_policies_on_a_day_of_its_own():
    model = world()
    every = model.spec.rules.decisions.review_days
    review_days: dict[str, list[int]] = {a.aid: [] for a in model.actor_list}
    for day in range(1, 2 * every + 1):
        model.steps = day
        for actor in model.actor_list:
            if reviews_today(model.view_of(actor.aid)):
                review_days[actor.aid].append(day)
    for days in review_days.values():
        assert len(days) == 2 and days[1] - days[0] == every
    assert {"deploy", "tighten_sanctions", "mediate"} <= STANDING and "attack_base" not in STANDING


def test_a_person_gives_at_most_one_reaction_and_one_standing_change_a_day():
    model = world()
    human = HumanPolicy()
    options = model.options_for("us")
    reactions = [o for o in options if o.kind not in STANDING and o.kind != "hold"]
    policies = [o for o in options if o.kind in STANDING]
    human.submit([reactions[0], policies[0]], options)
    assert human.pending == [reactions[0], policies[0]]
    with pytest.raises(OrderRefused):
        human.submit(reactions[:2], options)


def test_a_side_decides_from_its_beliefs_not_the_truth():
    model = world(**{"actors.quds.deniability": 1.0, "actors.us.intel": 0.0})
    model.step()
    attack = model.make_event("oil_facility_attack", "quds", "saudi", "abqaiq", "hit")
    perception.observe(model, attack, np.random.default_rng(4))
    for _ in range(2):
        model.step()
    heard = [h for h in model.view_of("us").known(500) if h.event is attack]
    assert heard and heard[0].blamed != "quds"  # never attributable: always someone else


def test_choices_are_seeded_not_scripted():
    def orders(seed: int) -> list[tuple]:
        model = WargameModel("may2019", seed=seed)
        model.run_for(60)
        return [(o["day"], o["actor"], o["kind"], o["target"]) for o in model.record.orders]

    assert orders(3) == orders(3)
    assert orders(3) != orders(4)


def test_a_human_side_does_not_change_the_others_dice():
    """Each computer side draws from its own stream: a person taking Iran leaves the others'
    draws as they were (their choices still react to what Iran does)."""
    computer = WargameModel("may2019", seed=5)
    human = HumanPolicy()
    played = WargameModel("may2019", seed=5, players={"iran": human})
    ours = computer.actors["us"].policy.rng.bit_generator.state
    theirs = played.actors["us"].policy.rng.bit_generator.state
    assert ours == theirs
