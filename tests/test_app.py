"""The dashboard's page in-process (Solara's test renderer, no browser): a failing day shows a
banner and Reset recovers; a person's orders are checked against the held side's; a game is
saved in its folder and loads again, as a reload or a restart finds it."""

from __future__ import annotations

import json

import ipyvue
import ipyvuetify as v
import pytest
import solara
import solara.routing
import solara.widgets

from wargame.core.options import UsageError
from wargame.core.orders import Order
from wargame.dashboard import app
from wargame.dashboard.app import Page
from wargame.dashboard.session import GAME_FILE, Game
from wargame.engine.model import WargameModel
from wargame.engine.policy import OrderRefused


@pytest.fixture(autouse=True)
def games(tmp_path, monkeypatch):
    """Each test's games in a folder of its own, as ``wargame serve --games`` names it."""
    monkeypatch.setenv(app.ENV_GAMES, str(tmp_path))
    return tmp_path


@solara.component
def Routed(address: str = "/"):
    """The page with an address bar, as the server gives it one."""
    path = solara.use_reactive(address)
    solara.routing.router_context.provide(solara.routing.Router(path.value, [], path.set))
    return Page()


def header(rc) -> str:
    return next(
        w.unsafe_innerHTML
        for w in rc.find(solara.widgets.HTML).widgets
        if "wg-day" in (w.unsafe_innerHTML or "")
    )


def click(rc, css: str) -> None:
    rc.find(v.Btn, class_=css).widget.click()


def test_a_failing_day_shows_a_banner_and_reset_starts_again(monkeypatch):
    _, rc = solara.render(Routed(), handle_error=False)

    def broken_umpire(self):
        raise RuntimeError("the umpire fell over")

    with monkeypatch.context() as patch:
        patch.setattr(WargameModel, "_move", broken_umpire)
        click(rc, "wg-step")
    banner = rc.find(v.Alert).widget
    assert "Day 1 could not be played" in str(banner.children)
    assert "the umpire fell over" in str(banner.children)
    assert rc.find(v.Btn, class_="wg-step").widget.disabled
    click(rc, "wg-reset")
    assert not rc.find(v.Alert).widgets
    click(rc, "wg-step")
    assert 'data-day="1"' in header(rc)


def test_a_person_may_only_give_the_held_sides_legal_orders():
    game = Game("may2019", {}, seed=1, side="us")
    with pytest.raises(OrderRefused):
        game.play([Order("iran", "attack_tanker", "gulf")])
    with pytest.raises(OrderRefused):
        game.play([Order("us", "raise_posture", "Iraq"), Order("us", "lower_posture", "Qatar")])
    assert game.model.day == 0
    game.play([Order("us", "raise_posture", "Iraq")])
    assert game.model.day == 1
    assert game.people_orders() == [(1, Order("us", "raise_posture", "Iraq"))]


def test_parameters_and_the_side_apply_on_reset(monkeypatch):
    games: list[Game] = []

    def new_game(*args, **kwargs) -> Game:
        games.append(Game(*args, **kwargs))
        return games[-1]

    monkeypatch.setattr(app, "Game", new_game)
    _, rc = solara.render(Routed(), handle_error=False)
    assert games[-1].model.spec.actors["iran"].resolve == 0.7
    settings = rc.find(ipyvue.Html, class_="wg-card wg-settings")
    settings.find(v.Slider).widgets[0].v_model = 0.2  # Iran's resolve, the first parameter
    rc.find(v.Select, class_="wg-side").widget.v_model = "iran"
    assert len(games) == 1  # nothing applies before Reset
    click(rc, "wg-reset")
    game = games[-1]
    assert game.overrides == {"actors.iran.resolve": 0.2}
    assert game.model.spec.actors["iran"].resolve == 0.2
    assert game.side == "iran" and rc.find(v.Btn, class_="wg-end-turn").widgets


def test_a_negative_seed_is_refused_in_one_line_without_a_traceback(caplog):
    _, rc = solara.render(Routed(), handle_error=False)
    seed = rc.find(v.TextField, class_="wg-seed").widget
    seed.v_model = "-1"
    seed.fire_event("focusout", None)
    click(rc, "wg-reset")
    banner = str(rc.find(v.Alert).widget.children)
    assert "the seed must be 0 or more, not -1" in banner and "ValueError" not in banner
    assert not [r for r in caplog.records if r.levelname == "ERROR" or r.exc_info]
    assert 'data-day="0"' in header(rc)  # the game on the page is the one before


def test_a_game_started_on_another_date_is_saved_and_replays():
    import datetime as dt

    from wargame.engine.replay import read, replay

    game = Game("may2019", {"scenario.start_date": dt.date(2019, 6, 1), "scenario.days": 3}, 2)
    game.play()
    saved, _, _ = read(game.archive())
    assert saved["overrides"]["scenario.start_date"] == dt.date(2019, 6, 1)
    again = replay(game.archive())
    assert again.start_date == dt.date(2019, 6, 1) and again.day == 1


def test_a_game_in_weekly_turns_is_saved_and_loads_again_at_its_turn(games):
    game = Game("may2019", {}, 3, "iran", days=30, days_per_turn=7, folder=games)
    assert (game.plan.days, game.plan.days_per_turn) == (30, 7)
    assert game.play([Order("iran", "threaten_closure", None)], "to be heard") == 7
    game.play()
    again = Game.load(games, game.id)
    assert (again.model.day, again.exercise.turn, again.side) == (14, 3, "iran")
    assert again.model.record.events_jsonl() == game.model.record.events_jsonl()
    assert again.people_orders() == game.people_orders()
    while not again.over:
        again.play()
    assert again.model.day == 30 and (games / game.id / "events.jsonl").exists()
    assert Game.load(games, game.id).over


def test_a_game_that_is_not_there_or_not_an_id_is_refused_in_one_line(games):
    for wanted in ("../../etc", "x" * 16):
        with pytest.raises(UsageError) as refused:
            Game.load(games, wanted)
        assert "no saved game" in str(refused.value)
    game = Game("may2019", {}, 1, folder=games)
    (games / game.id / GAME_FILE).write_text("{not json")
    with pytest.raises(UsageError) as refused:
        Game.load(games, game.id)
    assert "cannot be played again" in str(refused.value)


def test_the_address_brings_a_game_back_and_a_bad_one_says_so(games):
    game = Game("may2019", {}, 1, folder=games)
    game.play()
    game.play()
    _, rc = solara.render(Routed(f"/?game={game.id}"), handle_error=False)
    assert 'data-day="2"' in header(rc)
    _, rc = solara.render(Routed("/?game=nosuchgame12345"), handle_error=False)
    banner = str(rc.find(v.Alert).widget.children)
    assert "no saved game" in banner and "A new game has started" in banner
    assert 'data-day="0"' in header(rc)


def test_a_game_ended_early_unlocks_its_record_and_says_when(games):
    _, rc = solara.render(Routed(), handle_error=False)
    rc.find(v.Select, class_="wg-side").widget.v_model = "us"
    click(rc, "wg-reset")
    assert "download it when the game ends" in str(
        rc.find(ipyvue.Html, class_="wg-card wg-downloads").widget.children
    )
    click(rc, "wg-end-turn")
    click(rc, "wg-end-game")
    finished = rc.find(v.Alert, class_="wg-finished").widget
    assert "ended on day 1 of 365" in str(finished.children)
    downloads = rc.find(ipyvue.Html, class_="wg-card wg-downloads")
    assert "replay(path)" in str(downloads.widget.children)
    (saved,) = [p for p in games.iterdir() if (p / "summary.json").exists()]
    assert json.loads((saved / GAME_FILE).read_text())["ended"]
