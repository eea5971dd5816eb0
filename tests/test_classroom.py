"""Exercise packs and the classroom game, without a browser: packs are checked like scenarios,
tokens decide who may do what, turns resolve, injects fire."""

from __future__ import annotations

import dataclasses
import json
import textwrap

import pytest
from conftest import run_cli

from wargame.classroom.game import FACILITATOR, Classroom, Refused
from wargame.core.options import UsageError
from wargame.core.orders import STANDING, Order
from wargame.core.packs import load_pack, shipped_packs
from wargame.core.validation import ScenarioError
from wargame.engine.exercise import play_by_computer
from wargame.engine.policy import OrderRefused


@pytest.mark.parametrize("name", sorted(shipped_packs()))
def test_shipped_packs_load_with_a_briefing_for_every_playable_side(name):
    pack = load_pack(name)
    info = pack.spec.exercise
    assert set(info.playable) <= set(pack.briefings) and FACILITATOR in pack.briefings
    assert all(text.startswith("# ") for text in pack.briefings.values())
    assert info.objectives and pack.spec.debrief.questions
    assert pack.days <= pack.scenario.spec.scenario.days


def test_a_malformed_pack_is_reported_line_by_line(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "pack.toml").write_text(
        textwrap.dedent(
            """
            [exercise]
            name = "bad"
            title = "Bad"
            summary = "x"
            scenario = "may2019"
            duration_minutes = 60
            days_per_turn = 7
            turns = 100
            objectives = ["x"]
            playable = ["usa"]
            [briefings]
            usa = "missing.md"
            [[injects]]
            when = "explosion"
            text = "boom"
            [debrief]
            questions = ["why?"]
            """
        )
    )
    with pytest.raises(ScenarioError) as caught:
        load_pack(folder)
    text = "\n".join(caught.value.lines)
    assert "exercise.turns: 700 days of play, but the scenario lasts 365" in text
    assert "exercise.playable[0]: unknown side 'usa'" in text
    assert "briefings.usa: no such file 'missing.md'" in text
    assert "injects[0].when: unknown incident kind 'explosion'" in text
    assert all(line.startswith(str(folder / "pack.toml")) for line in caught.value.lines)


def game(tmp_path=None, **kwargs) -> Classroom:
    return Classroom(
        load_pack("prepare_for_proxy_war"), seed=3, teams=["us", "iran"], folder=tmp_path, **kwargs
    )


def test_tokens_are_unguessable_and_decide_the_role():
    classroom = game()
    tokens = classroom.tokens
    assert set(tokens) == {FACILITATOR, "us", "iran"}
    assert len(set(tokens.values())) == 3 and all(len(t) >= 20 for t in tokens.values())
    assert classroom.role(tokens["us"]) == "us"
    assert (
        classroom.role(tokens["us"] + "x") is None
        and classroom.role("") is None
        and classroom.role(None) is None
    )


def test_a_token_that_is_not_valid_text_belongs_to_no_role():
    classroom = game()
    for token in ("\ud800", tokens_of(classroom)["us"][:-1] + "\udcff", b"bytes", 7, ["x"]):
        assert classroom.role(token) is None, token
    with pytest.raises(Refused):
        classroom.advance("\ud800", 1)


def tokens_of(classroom: Classroom) -> dict[str, str]:
    return classroom.tokens


def test_a_team_orders_only_for_its_side_and_only_legal_orders():
    classroom = game()
    us = classroom.tokens["us"]
    options = classroom.options(us)
    assert options and all(o.actor == "us" for o in options)
    with pytest.raises(Refused):
        classroom.submit(us, [Order("iran", "threaten_closure")], 1)
    with pytest.raises(Refused):
        classroom.submit("forged", [options[1]], 1)
    with pytest.raises(OrderRefused):
        classroom.submit(us, [Order("us", "strike_state", "atlantis")], 1)
    with pytest.raises(Refused):
        classroom.advance(us, 1)  # only the facilitator advances
    with pytest.raises(Refused):
        classroom.options(classroom.tokens[FACILITATOR])  # the facilitator holds no side


def test_a_turn_resolves_when_all_teams_submit_or_the_facilitator_advances(tmp_path):
    classroom = game(tmp_path)
    us, iran, boss = (classroom.tokens[r] for r in ("us", "iran", FACILITATOR))
    standing = next(o for o in classroom.options(us) if o.kind in STANDING)
    classroom.submit(us, [standing], 1)
    assert classroom.waiting == ["iran"] and classroom.turn == 1
    classroom.submit(iran, [Order("iran", "hold")], 1)  # the last team resolves the turn
    days = classroom.pack.spec.exercise.days_per_turn
    assert classroom.turn == 2 and classroom.model.day == days
    assert {**standing.to_dict(), "day": 1, "by": "HumanPolicy"} in classroom.model.record.orders
    # Turn 2: the facilitator moves on without Iran; Iran holds.
    classroom.advance(boss, 2)
    assert classroom.model.day == 2 * days
    assert not [
        o for o in classroom.model.record.orders if o["actor"] in ("us", "iran") and o["day"] > 1
    ]
    saved = json.loads((tmp_path / "game.json").read_text())
    assert saved["turn"] == 3 and saved["decisions"][0]["orders"][0]["kind"] == standing.kind
    assert (tmp_path / "events.jsonl").exists() and "tokens" not in saved
    # Iran held on turn 1 and sent nothing on turn 2: the debrief tells the two apart.
    submitted = {(d["turn"], d["side"]): d["submitted"] for d in saved["decisions"]}
    assert submitted == {(1, "us"): True, (1, "iran"): True, (2, "us"): False, (2, "iran"): False}


def test_an_action_for_a_resolved_turn_is_refused_and_changes_nothing():
    """A double-click on Advance resolves one turn, not two; orders chosen for a turn that
    resolved without them do not apply to the next."""
    classroom = game()
    iran, boss = classroom.tokens["iran"], classroom.tokens[FACILITATOR]
    threat = next(o for o in classroom.options(iran) if o.kind == "threaten_closure")
    classroom.advance(boss, 1)
    day = classroom.model.day
    with pytest.raises(Refused, match="turn 1 has already been resolved"):
        classroom.advance(boss, 1)
    late = r"turn 1 has resolved without these orders \(your side held\); choose again for turn 2"
    with pytest.raises(Refused, match=late):
        classroom.submit(iran, [threat], 1)
    with pytest.raises(Refused, match="turn 3 has not begun"):
        classroom.advance(boss, 3)
    assert (
        classroom.turn == 2 and classroom.model.day == day and classroom.waiting == ["us", "iran"]
    )
    classroom.submit(iran, [threat], 2)
    assert classroom.submitted == {"iran": [threat]}


def test_the_facilitator_controls_the_game():
    classroom = game()
    boss = classroom.tokens[FACILITATOR]
    classroom.pause(boss)
    with pytest.raises(Refused):
        classroom.advance(boss, 1)
    for team in classroom.teams:  # submitted while paused: the turn waits for the facilitator
        classroom.submit(classroom.tokens[team], [], 1)
    assert classroom.turn == 1
    classroom.pause(boss, False)
    assert classroom.turn == 2
    classroom.reveal(boss)
    assert classroom.revealed
    with pytest.raises(Refused):
        classroom.reveal(classroom.tokens["us"])
    index = next(i for i, inj in enumerate(classroom.pack.spec.injects) if inj.order is not None)
    classroom.fire(boss, index)
    assert classroom.news[-1]["text"] == classroom.pack.spec.injects[index].text
    with pytest.raises(Refused, match="already been fired"):
        classroom.fire(boss, index)  # a double click fires it once
    assert [n["text"] for n in classroom.news].count(classroom.news[-1]["text"]) == 1
    day = classroom.model.day
    classroom.advance(boss, 2)
    mediation = [
        e for e in classroom.model.record.events if e.kind == "mediation" and e.day == day + 1
    ]
    assert mediation and mediation[0].actor == classroom.pack.spec.injects[index].order.actor
    classroom.end(boss)
    assert classroom.ended
    with pytest.raises(Refused):
        classroom.advance(boss, 3)


def test_scheduled_and_triggered_injects_fire_once():
    played = play_by_computer(load_pack("prepare_for_proxy_war"), seed=1)
    assert played.ended and played.model.day == played.pack.days
    texts = [n["text"] for n in played.news]
    assert len(texts) == len(set(texts))
    injects = played.pack.spec.injects
    assert texts[0] == injects[0].text and played.news[0]["turn"] == 1
    scheduled = {inj.text: inj.turn for inj in injects if inj.turn}
    for item in played.news:
        if item["text"] in scheduled:
            assert item["turn"] == scheduled[item["text"]]
    triggered = [inj for inj in injects if inj.when]
    for inj in triggered:
        happened = [
            e
            for e in played.model.record.events
            if e.day >= 1
            and e.kind == inj.when
            and (inj.actor is None or e.actor == inj.actor)
            and (inj.target is None or e.target == inj.target)
        ]
        assert (inj.text in texts) == bool(happened)


def test_computer_games_of_an_exercise_are_reproducible():
    pack = load_pack("the_strait")
    first, second = play_by_computer(pack, 7), play_by_computer(pack, 7)
    assert first.model.record.events_jsonl() == second.model.record.events_jsonl()


def pack_folder(tmp_path, briefing: str, scenario: str = "may2019"):
    """A copy of a shipped pack whose US briefing and scenario are named as given."""
    import shutil

    folder = tmp_path / "pack"
    shutil.copytree(shipped_packs()["prepare_for_proxy_war"].parent, folder)
    text = (folder / "pack.toml").read_text(encoding="utf-8")
    text = text.replace('us = "briefings/us.md"', f'us = "{briefing}"')
    text = text.replace('scenario = "may2019"', f'scenario = "{scenario}"')
    (folder / "pack.toml").write_text(text, encoding="utf-8")
    return folder


def test_pack_files_stay_inside_the_pack_folder(tmp_path):
    """A briefing or a scenario named by a pack is a file in its folder (or below it): a path
    out of it, an absolute path or a link out of it is refused, never read or served."""
    secret = tmp_path / "secret.txt"
    secret.write_text("the host's secret")
    scenario = tmp_path / "elsewhere.toml"
    scenario.write_text('[scenario]\nextends = "may2019"\n')
    assert load_pack(pack_folder(tmp_path, "briefings/us.md")).briefings["us"].startswith("# ")
    for ref in ("../secret.txt", "../../secret.txt", str(secret), "link.md"):
        folder = pack_folder(tmp_path / ref.replace("/", "_"), ref)
        (folder / "link.md").symlink_to(secret)
        with pytest.raises(ScenarioError) as caught:
            load_pack(folder)
        assert caught.value.lines == [
            f"{folder / 'pack.toml'}: briefings.us: '{ref}' is outside the pack's folder"
        ]
    for ref in ("../elsewhere.toml", str(scenario)):
        folder = pack_folder(tmp_path / ref.replace("/", "_"), "briefings/us.md", ref)
        with pytest.raises(ScenarioError) as caught:
            load_pack(folder)
        (line,) = caught.value.lines
        assert line.startswith(f"{folder / 'pack.toml'}: exercise.scenario: '{ref}' is outside")


def test_a_briefing_that_is_not_utf8_is_named_in_one_line(tmp_path):
    folder = pack_folder(tmp_path, "briefings/us.md")
    (folder / "briefings" / "us.md").write_bytes(b"# Briefing\n\xff\xfe caf\xe9\n")
    with pytest.raises(ScenarioError) as caught:
        load_pack(folder)
    assert caught.value.lines == [
        f"{folder / 'pack.toml'}: briefings.us: {(folder / 'briefings' / 'us.md').resolve()}: "
        "not UTF-8 text (byte 11 is not)"
    ]


def test_a_side_is_played_by_one_team_only():
    done = run_cli("classroom", "prepare_for_proxy_war", "--teams", "us,iran,us", "--port", "1")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == "error: --teams: us given more than once; name each side once\n"
    with pytest.raises(ValueError, match="more than one team"):
        Classroom(load_pack("prepare_for_proxy_war"), teams=["us", "us"])


def test_a_game_is_brought_back_from_its_folder_at_its_turn_with_its_tokens(tmp_path):
    """After a crash the folder is the game: the seed, the pack and the log replay it, the
    tokens (readable by their owner only) are the same, and so are what teams had submitted
    for the turn in play, the notes and the clock."""
    import os
    import stat

    classroom = game(tmp_path)
    us, iran, boss = (classroom.tokens[r] for r in ("us", "iran", FACILITATOR))
    raise_posture = next(o for o in classroom.options(us) if o.kind == "raise_posture")
    classroom.submit(us, [raise_posture], 1, "reassure the embassy")
    classroom.submit(iran, [Order("iran", "threaten_closure")], 1, "deter, not fight")
    classroom.fire(boss, 5)  # due on turn 7: fired early, by hand
    classroom.say(boss, "<script>alert(1)</script> Talks   rumoured")
    classroom.note(boss, 2, "Ask Iran why it threatened.")
    classroom.set_clock(boss, 5, True)
    classroom.submit(us, [], 2, "wait and see")
    tokens = dict(classroom.tokens)
    mode = stat.S_IMODE((tmp_path / "tokens.json").stat().st_mode)
    assert mode == 0o600
    assert not set(tokens.values()) & set((tmp_path / "game.json").read_text().split('"'))

    back = Classroom.resume(tmp_path)
    assert back.tokens == tokens and back.turn == 2 and back.model.day == classroom.model.day
    assert back.model.record.events_jsonl() == classroom.model.record.events_jsonl()
    assert back.news == classroom.news and back.news[-1]["text"].endswith("Talks rumoured")
    assert back.submitted == {"us": []} and back.intents == {"us": "wait and see"}
    assert back.notes == {2: "Ask Iran why it threatened."}
    assert (back.minutes, back.auto) == (5.0, True) and 0 < back.seconds_left() <= 300
    # The class carries on: Iran's submission resolves turn 2 as it would have.
    back.submit(back.tokens["iran"], [], 2)
    classroom.submit(iran, [], 2)
    assert back.turn == classroom.turn == 3
    assert back.model.record.events_jsonl() == classroom.model.record.events_jsonl()

    os.chmod(tmp_path / "tokens.json", 0o644)
    with pytest.raises(UsageError, match="others may read it"):
        Classroom.resume(tmp_path)
    os.chmod(tmp_path / "tokens.json", 0o600)
    with pytest.raises(UsageError, match=r"game\.json: missing"):
        Classroom.resume(tmp_path / "nowhere")


def test_the_clock_advances_a_turn_whose_time_is_up_only_when_told():
    classroom = game()
    boss = classroom.tokens[FACILITATOR]
    classroom.set_clock(boss, 1, False)
    late = classroom.deadline + 1
    assert not classroom.tick(late) and classroom.turn == 1
    classroom.set_clock(boss, 1, True)
    assert not classroom.tick(classroom.deadline - 1)
    classroom.pause(boss)
    assert not classroom.tick(classroom.deadline + 1)
    classroom.pause(boss, False)
    assert classroom.tick(classroom.deadline + 1) and classroom.turn == 2
    with pytest.raises(Refused, match="0 to 120 minutes"):
        classroom.set_clock(boss, 500, True)
    with pytest.raises(Refused):
        classroom.set_clock(classroom.tokens["us"], 5, True)


def test_news_and_notes_from_the_facilitator_are_bounded_and_the_facilitators_own():
    classroom = game()
    boss, us = classroom.tokens[FACILITATOR], classroom.tokens["us"]
    with pytest.raises(Refused):
        classroom.say(us, "fake news")
    with pytest.raises(Refused, match="at most 500"):
        classroom.say(boss, "x" * 501)
    with pytest.raises(Refused, match="write the news first"):
        classroom.say(boss, "   ")
    with pytest.raises(Refused, match="turn 3 has not begun"):
        classroom.note(boss, 3, "later")
    classroom.end(boss)
    assert classroom.waiting == []  # after the end no team is waited for
    with pytest.raises(Refused, match="ended"):
        classroom.say(boss, "too late")


@pytest.mark.parametrize("name", sorted(shipped_packs()))
def test_a_briefing_offers_a_standing_policy_only_to_a_side_that_has_one(name):
    """The briefing and the page agree: a side without standing policies (Iran's threats and
    closures are reactions) is not promised a change of one."""
    pack = load_pack(name)
    for side in pack.spec.exercise.playable:
        has = bool(set(pack.scenario.spec.actors[side].orders) & STANDING)
        text = " ".join(pack.briefings[side].split())
        if has:
            assert "change of standing policy" in text, side
        else:
            assert "no standing policy to change" in text and "change of standing" not in text, side


def test_blame_of_the_sponsor_that_directed_an_attack_is_right():
    from wargame.core.incidents import Event
    from wargame.engine.model import WargameModel
    from wargame.engine.narrative import Narrator

    attack = Event(
        day=3, kind="rocket_attack", actor="pmu", target="us", place="Baghdad", cell=(0, 0),
        outcome="2 rockets", rung=4, directed_by="quds", blamed="quds", confidence=0.7,
    )  # fmt: skip
    narrator = Narrator(WargameModel("may2019", seed=1, days=1))
    assert "blamed Quds Force (IRGC)," in narrator.truth(attack)
    assert "wrongly" not in narrator.truth(attack)
    wrong = dataclasses.replace(attack, blamed="hezbollah")
    assert "blamed Hezbollah (wrongly)" in narrator.truth(wrong)
