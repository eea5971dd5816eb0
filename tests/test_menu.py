"""The computer players decide over tables of their candidates (engine/menu.py) exactly as the
reference, ``policy.Judge``, decides order by order: the same choices for the same reasons,
given the same stream, on many seeded days."""

from __future__ import annotations

import copy

import pytest

from wargame.core.orders import CATALOGUE, Order
from wargame.core.scenario import load_scenario
from wargame.engine import menu
from wargame.engine.model import WargameModel
from wargame.engine.policy import ComputerPolicy, Scored


def _same(fast: Scored, ref: Scored) -> None:
    assert fast.order == ref.order
    assert fast.utility == pytest.approx(ref.utility, rel=1e-12, abs=1e-12)
    assert fast.values.keys() == ref.values.keys()
    for aim, value in ref.values.items():
        assert fast.values[aim] == pytest.approx(value, rel=1e-12, abs=1e-12), aim


def shadowed(model: WargameModel) -> list[tuple[int, str, list[Order]]]:
    """Give every computer side a reference twin that decides first from the same stream
    state, and check each of its choices against the side's own; return the choices."""
    choices: list[tuple[int, str, list[Order]]] = []
    for actor in model.actor_list:
        fast = actor.policy
        ref = ComputerPolicy(copy.deepcopy(fast.rng), reference=True)
        decide = fast.decide

        def both(view, options, fast=fast, ref=ref, decide=decide):
            ref.rng.bit_generator.state = fast.rng.bit_generator.state
            expected = ref.decide(view, options)
            got = decide(view, options)
            assert got == expected, (view.day, view.aid)
            for order in got:
                _same(fast.chosen[order], ref.chosen[order])
                assert fast.reasons(order) == ref.reasons(order)
            assert fast.rng.bit_generator.state == ref.rng.bit_generator.state
            ranked = {s.order: s for s in fast.ranked(1000)}
            assert ranked.keys() == {s.order for s in ref.ranked(1000)}
            for scored in ref.ranked(1000):
                _same(ranked[scored.order], scored)
            choices.append((view.day, view.aid, got))
            return got

        fast.decide = both
    return choices


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_tables_choose_as_the_reference_on_seeded_days(seed: int) -> None:
    model = WargameModel(load_scenario("may2019", {"scenario.days": 150}), seed=seed)
    choices = shadowed(model)
    model.run()
    given = [order for _, _, orders in choices for order in orders]
    assert len(choices) == 150 * len(model.actor_list)
    # The days checked include hostile orders of every kind of reason, not only holding.
    assert {o.kind for o in given} & {"rocket_attack", "attack_oil", "strike_militia"}
    assert any(CATALOGUE[o.kind].standing for o in given)


def test_an_appraisal_not_known_to_need_doctrine_is_weighed_order_by_order(monkeypatch):
    """A new kind of order whose appraisal is not listed in DOCTRINE_ONLY is let through as the
    reference lets it through, and its own appraisal decides: the same choices still."""
    monkeypatch.setattr(menu, "DOCTRINE_ONLY", frozenset())
    model = WargameModel(load_scenario("may2019", {"scenario.days": 90}), seed=5)
    shadowed(model)
    model.run()


def test_the_same_seed_gives_the_same_record() -> None:
    def record(seed: int) -> tuple[str, list[dict]]:
        model = WargameModel(load_scenario("may2019", {"scenario.days": 120}), seed=seed)
        model.run()
        return model.record.events_jsonl(), model.record.orders

    assert record(8) == record(8)
