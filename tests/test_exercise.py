"""Exercises as logs: the same plan, seed and log give the same game; a turn may last until news;
what-ifs continue from where the players stood with fresh streams, reproducibly."""

from __future__ import annotations

import pytest

from wargame.core.orders import Order
from wargame.core.packs import load_pack
from wargame.engine.exercise import Exercise, Plan, plan_from, play_by_computer
from wargame.engine.replay import branches, continue_by_computer, stood_at


def played(seed: int = 3) -> Exercise:
    """Three turns of a pack with two teams, an inject fired by hand and a line of news."""
    game = Exercise(load_pack("prepare_for_proxy_war"), seed=seed, teams=["us", "iran"])
    raise_posture = next(o for o in game.model.options_for("us") if o.kind == "raise_posture")
    game.resolve(
        {"us": [raise_posture], "iran": [Order("iran", "threaten_closure")]},
        {"us": "  show   resolve\nwithout a shot "},
    )
    game.fire(2, by_hand=True)
    game.say("<b>A rumour</b> of talks")
    game.resolve({"us": []})
    game.resolve({})
    return game


def test_the_log_replays_the_game_incident_for_incident():
    game = played()
    again = Exercise.replay(plan_from(game.plan.describe()), 3, ["us", "iran"], game.log)
    assert again.model.record.events_jsonl() == game.model.record.events_jsonl()
    assert again.model.record.notes == game.model.record.notes
    assert (again.turn, again.news, again.decisions) == (game.turn, game.news, game.decisions)
    # The intent is kept as one line; a team that sent nothing and one that held differ.
    first = {d["side"]: d for d in game.decisions if d["turn"] == 1}
    assert first["us"]["intent"] == "show resolve without a shot"
    second = {d["side"]: d["submitted"] for d in game.decisions if d["turn"] == 2}
    assert second == {"us": True, "iran": False}
    # A log that does not fit the game is refused, not played on.
    with pytest.raises(ValueError, match="the log says turn 5"):
        again.redo({"act": "resolve", "turn": 5, "days": 7, "orders": [], "intents": {}})


def test_a_free_plan_has_its_own_length_and_turns():
    plan = Plan.free("may2019", {}, 30, 7)
    game = play_by_computer(plan, 1)
    assert game.ended and game.model.day == 30 and game.turn == 6  # 4 weeks and 2 days
    with pytest.raises(ValueError, match="lasts 1 to 365 days"):
        Plan.free("may2019", {}, 400, 7)
    with pytest.raises(ValueError, match="a turn lasts 1 to 30 days"):
        Plan.free("may2019", {}, 30, 31)


def test_a_turn_until_news_stops_on_the_first_incident_the_side_hears_of():
    plan = Plan.free("may2019", {}, 120, 7)
    game = Exercise(plan, seed=2, teams=["us"])
    heard = len(game.model.actors["us"].beliefs.heard)
    days = game.resolve({}, until_news="us")
    news = game.model.actors["us"].beliefs.heard[heard:]
    assert days >= 1 and game.model.day == days
    assert any("us" not in (h.event.actor, h.event.directed_by) for h in news)
    # The day before it stopped, nothing new had reached the US.
    again = Exercise(plan, seed=2, teams=["us"])
    if days > 1:
        again.resolve({}, days=days - 1)
    before = again.model.actors["us"].beliefs.heard[heard:]
    assert not any("us" not in (h.event.actor, h.event.directed_by) for h in before)
    # Replayed from the log, the turn lasts as long.
    replayed = Exercise.replay(plan, 2, ["us"], game.log)
    assert replayed.model.day == days


def test_continuations_start_where_the_players_stood_and_differ_by_stream():
    game = played()
    plan = game.plan
    start = stood_at(plan, 3, ["us", "iran"], game.log, 2)
    # Turn 2 begins after turn 1, with the inject fired by hand and the news said in it.
    assert start.model.day == 7 and start.turn == 2
    assert [n["text"] for n in start.news][-1] == "<b>A rumour</b> of talks"
    first = continue_by_computer(start, 1)
    assert len(first.rungs) == plan.days + 1  # played on to the plan's end
    again = continue_by_computer(stood_at(plan, 3, ["us", "iran"], game.log, 2), 1)
    assert again == first
    others = [
        continue_by_computer(stood_at(plan, 3, ["us", "iran"], game.log, 2), k) for k in (2, 3, 4)
    ]
    assert any(o.rungs != first.rungs for o in others)
    # The first 7 days are the class's own, in every continuation.
    class_rungs = [int(r) for r in game.model.datacollector.model_vars["rung"]][:8]
    assert all(o.rungs[:8] == class_rungs for o in [first, *others])
    with pytest.raises(ValueError, match="turn 9 was not reached"):
        stood_at(plan, 3, ["us", "iran"], game.log, 9)


def test_branches_from_several_turns_on_local_processes():
    game = played()
    found = branches(game.plan, 3, ["us", "iran"], game.log, [1, 3], 3)
    assert list(found) == [1, 3] and all(len(v) == 3 for v in found.values())
    alone = continue_by_computer(stood_at(game.plan, 3, ["us", "iran"], game.log, 3), 2)
    assert found[3][1] == alone
