"""The dashboard's page in-process (Solara's test renderer, no browser): a failing day shows a
banner and Reset recovers; a person's orders are checked against the held side's."""

from __future__ import annotations

import ipyvue
import ipyvuetify as v
import pytest
import solara
import solara.widgets

from wargame.core.orders import Order
from wargame.dashboard import app
from wargame.dashboard.app import Page
from wargame.dashboard.session import Game
from wargame.engine.model import WargameModel
from wargame.engine.policy import OrderRefused


def header(rc) -> str:
    return next(
        w.unsafe_innerHTML
        for w in rc.find(solara.widgets.HTML).widgets
        if "wg-day" in (w.unsafe_innerHTML or "")
    )


def click(rc, css: str) -> None:
    rc.find(v.Btn, class_=css).widget.click()


def test_a_failing_day_shows_a_banner_and_reset_starts_again(monkeypatch):
    _, rc = solara.render(Page(), handle_error=False)

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
        game.step([Order("iran", "attack_tanker", "gulf")])
    with pytest.raises(OrderRefused):
        game.step([Order("us", "raise_posture", "Iraq"), Order("us", "lower_posture", "Qatar")])
    assert game.model.day == 0
    game.step([Order("us", "raise_posture", "Iraq")])
    assert game.model.day == 1
    assert game.people_orders() == [(1, Order("us", "raise_posture", "Iraq"))]


def test_parameters_and_the_side_apply_on_reset(monkeypatch):
    games: list[Game] = []

    def new_game(*args, **kwargs) -> Game:
        games.append(Game(*args, **kwargs))
        return games[-1]

    monkeypatch.setattr(app, "Game", new_game)
    _, rc = solara.render(Page(), handle_error=False)
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
    _, rc = solara.render(Page(), handle_error=False)
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
    game.step()
    saved, _, _ = read(game.archive())
    assert saved["overrides"]["scenario.start_date"] == dt.date(2019, 6, 1)
    again = replay(game.archive())
    assert again.start_date == dt.date(2019, 6, 1) and again.day == 1
