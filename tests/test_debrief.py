"""The debrief tells a class something true about its game: its decisions, what followed, and
where its game falls among computer-played games of the same exercise."""

from __future__ import annotations

import json
import re
from html import escape

import pytest
from conftest import run_cli

from wargame.classroom.game import FACILITATOR, Classroom
from wargame.core.orders import Order
from wargame.core.packs import load_pack
from wargame.engine.exercise import play_by_computer
from wargame.engine.model import WargameModel
from wargame.engine.narrative import Narrator
from wargame.reports.debrief import _decision_text, build, read_game

RUNS = 12


@pytest.fixture(scope="module")
def game_folder(tmp_path_factory):
    """Three turns of 'Prepare for proxy war': the US raises its posture, strikes a militia and
    deploys; Iran threatens to close the strait, then holds, then sends nothing before the
    facilitator resolves the turn."""
    folder = tmp_path_factory.mktemp("class")
    game = Classroom(
        load_pack("prepare_for_proxy_war"), seed=4, teams=["us", "iran"], folder=folder
    )
    us, iran, boss = (game.tokens[r] for r in ("us", "iran", FACILITATOR))
    plans = [("raise_posture", "threaten_closure"), ("strike_militia", "hold"), ("deploy", None)]
    for us_kind, iran_kind in plans:
        order = next(o for o in game.options(us) if o.kind == us_kind)
        game.submit(us, [order], game.turn, f"US means {us_kind} as a signal")
        if iran_kind:
            game.submit(iran, [Order("iran", iran_kind)], game.turn, "<b>keep them guessing</b>")
        else:
            game.advance(boss, game.turn)
    game.end(boss)
    return folder


def test_the_debrief_reports_the_class_decisions_and_a_true_comparison(game_folder):
    html = build(game_folder, RUNS, 4)
    game = read_game(game_folder)
    pack = load_pack("prepare_for_proxy_war")
    # Independently: the same exercise by the computer alone, for the same three turns.
    peaks = [play_by_computer(pack, seed, 3).model.ladder.peak for seed in range(1, RUNS + 1)]
    peak = game.summary["peak_rung"]
    below = sum(p < peak for p in peaks) / RUNS
    sentence = re.search(r"Your game reached rung (\d+)[^;]*; (\d+)% of (\d+)", html)
    assert sentence is not None
    assert (int(sentence[1]), int(sentence[2]), int(sentence[3])) == (
        peak,
        round(100 * below),
        RUNS,
    )
    # Each order in the narrator's words (never raw ids), with what it does.
    narrator = Narrator(WargameModel(pack.scenario, seed=4, days=pack.days))
    orders = [o for d in game.state["decisions"] for o in d["orders"]]
    assert [o["kind"] for o in orders] == [
        "raise_posture",
        "threaten_closure",
        "strike_militia",
        "deploy",
    ]
    for o in orders:
        said = narrator.order(Order(o["actor"], o["kind"], o["target"], o["via"]))
        assert escape(f"{said} — {o['explanation']}") in html
        assert f"{o['kind'].replace('_', ' ')} {o['target']}" not in html
    assert html.count("<b>United States</b> ordered") == 3
    assert "<b>Iran</b> held" in html
    assert "<b>Iran</b> sent no orders before the turn resolved" in html
    for question in pack.spec.debrief.questions:
        assert question.replace("'", "&#x27;") in html
    assert "never a prediction" in html
    assert not re.search(r"(src|href)=['\"]https?://", html)


def test_a_game_saved_before_submissions_were_recorded_reads_without_guessing():
    narrator = Narrator(WargameModel(load_pack("prepare_for_proxy_war").scenario, seed=4))
    old = {"turn": 1, "day": 1, "side": "iran", "orders": []}  # no "submitted": an older game
    assert _decision_text(old, narrator) == "gave no orders"


def test_the_debrief_command(game_folder, tmp_path):
    out = tmp_path / "debrief.html"
    done = run_cli(
        "debrief",
        str(game_folder),
        "--runs",
        "6",
        "--branches",
        "2",
        "--out",
        str(out),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("<!doctype html>")
    # standard error is no terminal here: a line of progress, with the rate, every few percent
    lines = [line for line in done.stderr.splitlines() if line.startswith("computer-played")]
    assert (
        lines[-1].startswith("computer-played games: 6/6 games (100%), ") and "games/s" in lines[-1]
    )
    missing = run_cli("debrief", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no game.json" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_the_game_folder_is_complete_after_every_turn(game_folder):
    saved = json.loads((game_folder / "game.json").read_text())
    assert saved["ended"] and saved["turn"] == 4
    assert {d["turn"] for d in saved["decisions"]} == {1, 2, 3}
    assert (game_folder / "summary.json").exists() and (game_folder / "daily.csv").exists()


BROKEN = {
    "game.json not JSON": ("game.json", "{turn: 4", "cannot be read (JSONDecodeError: "),
    "game.json a list": ("game.json", "[1, 2]", "not a classroom game (expected a table"),
    "game.json without its turn": (
        "game.json",
        '{"pack_folder": "x", "seed": 1, "teams": [], "days_per_turn": 7, "day": 0, '
        '"news": [], "decisions": []}',
        "not a classroom game (turn: required key is missing)",
    ),
    "no events": ("events.jsonl", None, "missing; the game folder is not whole"),
    "an event that is not one": ("events.jsonl", '{"day": 1}\n', "cannot be read (KeyError: "),
    "a daily table of another kind": ("daily.csv", "a,b\n1,2\n", "cannot be read (ValueError: "),
    "a summary that is not one": ("summary.json", "[]", "not a run's summary"),
    "game.json not UTF-8": ("game.json", b"\xff\xfe{}", "cannot be read ("),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_game_folder_is_named_in_one_line(game_folder, tmp_path, capsys, case):
    import shutil

    from wargame.cli import main

    folder = tmp_path / "game"
    shutil.copytree(game_folder, folder)
    name, content, words = BROKEN[case]
    if content is None:
        (folder / name).unlink()
    elif isinstance(content, bytes):
        (folder / name).write_bytes(content)
    else:
        (folder / name).write_text(content)
    assert main(["debrief", str(folder), "--runs", "1"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {folder / name}: {words}"), line
    assert not (folder / "debrief.html").exists()


def test_the_number_of_games_to_compare_is_bounded(game_folder, capsys):
    from wargame.cli import main

    assert main(["debrief", str(game_folder), "--runs", "1000000000"]) == 2
    assert capsys.readouterr().err == (
        "error: --runs 1000000000: at most 10,000 computer-played games to compare\n"
    )


def test_the_debrief_sets_intents_beside_beliefs_and_plays_what_ifs(game_folder):
    from wargame.engine.exercise import plan_from
    from wargame.engine.replay import branches

    html = build(game_folder, 4, 3)
    game = read_game(game_folder)
    # Each intent, as written (escaped), in the table of intents beside what others believed.
    table = html.split("<table class='wg-intents'>")[1].split("</table>")[0]
    assert "US means raise_posture as a signal" in table
    assert escape("<b>keep them guessing</b>") in table and "<b>keep them" not in html
    assert "learned on day" in table and "then:" in table
    # The what-ifs: one row per turn, the shares as the engine's continuations give them.
    plan = plan_from(game.state)
    found = branches(plan, 4, ["us", "iran"], game.state["log"], [2, 3], 3)
    share = sum(g.peak >= 6 for g in found[2]) / 3
    after = sum(g.peak >= 6 for g in found[3]) / 3
    assert (
        f"From where you stood at the start of turn 2, {share:.0%} of 3 continuations reached "
        f"rung 6 (Limited direct exchange); after your turn-2 orders, {after:.0%} of 3" in html
    )
    rows = html.split("<table class='wg-branches'>")[1].split("</table>")[0].count("<tr>")
    assert rows == 1 + 3  # the head and turns 1 to 3
    assert "grievance" in html  # the teams' beliefs over time
    only = build(game_folder, 2, 2, branch_from=2)
    rows = only.split("<table class='wg-branches'>")[1].split("</table>")[0].count("<tr>")
    assert rows == 2


def test_branch_from_a_turn_not_played_is_refused_in_one_line(game_folder, capsys):
    from wargame.cli import main

    assert main(["debrief", str(game_folder), "--runs", "1", "--branch-from", "9"]) == 2
    assert capsys.readouterr().err == "error: --branch-from 9: the game played turns 1 to 3\n"
