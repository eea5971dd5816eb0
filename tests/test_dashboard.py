"""The dashboard in a real browser: headless Chromium, driven by Playwright, against
`wargame serve` in a subprocess, with every request off this machine blocked (the offline proof).

It loads the page, steps days and checks that the map, a chart and the event log change; plays
a side through a three-day game (the record is offered only at its end) and replays the
downloaded record; plays Iran for 30 days in weekly turns to the verdict; checks that two tabs
play two games, and that a reload, a link in another browser and a server restarted on the same
games folder bring a game back where it was.
The command line's refusals are checked without a browser. Where no Chromium can be found the
browser tests skip, saying how to get one.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import chromium, free_port, offline, serving
from conftest import run_cli

from wargame.core.scenario import load_scenario
from wargame.engine.replay import read, replay


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def games(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("games")


def serve(games: Path, *more: str):
    """`wargame serve may2019` saving its games in ``games``, comparing with 20 games."""
    return serving("serve", "may2019", "--games", str(games), "--compare", "20", *more)


@pytest.fixture(scope="module")
def server(browser, games) -> Iterator[str]:
    with serve(games) as served:
        yield served.url


@pytest.fixture(scope="module")
def three_days(browser, games) -> Iterator[str]:
    """A game that ends after three days: only then may a person playing a side download the
    record, which holds the whole truth."""
    with serve(games, "--set", "scenario.days=3") as served:
        yield served.url


GAME_ADDRESS = re.compile(r"\?game=[\w-]+$")  # a page's address once it names its game


class Tab:
    """One browser tab on the dashboard, offline: requests off this machine are aborted."""

    def __init__(self, context, url: str) -> None:
        self.blocked: list[str] = []
        self.page = context.new_page()
        offline(self.page, self.blocked)
        self.page.goto(url)
        self.page.wait_for_selector(".wg-overlay", timeout=60_000)

    @property
    def day(self) -> int:
        return int(self.page.locator(".wg-day").get_attribute("data-day") or -1)

    def wait_day(self, day: int, timeout: float = 30_000) -> None:
        self.page.wait_for_function(
            "d => Number(document.querySelector('.wg-day').dataset.day) >= d",
            arg=day,
            timeout=timeout,
        )

    def step(self) -> None:
        day = self.day
        self.page.locator(".wg-step").click()
        self.wait_day(day + 1)

    def html(self, selector: str) -> str:
        return self.page.locator(selector).first.inner_html()

    def pick(self, select: str, option: str) -> None:
        """Choose an option of a drop-down list."""
        self.page.locator(select).click()
        self.page.get_by_role("option", name=option, exact=True).click()

    def type_number(self, field: str, value: int) -> None:
        """Type a number into a field; it counts once the field is left."""
        box = self.page.locator(f"{field} input")
        box.fill(str(value))
        box.press("Tab")

    def end_turn(self, button: str = ".wg-end-turn") -> int:
        """End the turn (or play it until news); the days it played."""
        # A new game's address is set after Reset or its first turn, and the page redraws: a
        # click while it does might be lost.
        self.page.wait_for_url(GAME_ADDRESS)
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        day = self.day
        heading = self.page.locator(".wg-orders h3").inner_text()
        for _ in range(3):
            # Now and then, right after a long turn, a click never reaches the server (as a
            # person would, click again: a click stamped with a turn already played is dropped,
            # so at most one turn is played).
            self.page.locator(f".wg-orders {button}").click()
            try:
                self.wait_day(day + 1, timeout=8_000)
                break
            except PlaywrightTimeout:
                continue
        self.wait_day(day + 1)
        # The orders card redraws after the header, with a new button: a click on the old one
        # would be dropped (as the second click of a double-click is).
        self.page.wait_for_function(
            "h => document.querySelector('.wg-orders h3').innerText !== h", arg=heading
        )
        self.settle()
        return self.day - day

    def settle(self) -> None:
        """Let the page finish redrawing after a turn: a choice clicked while the last of a
        turn's updates still arrive was seen to be lost (under load; cause not found yet)."""
        self.page.wait_for_timeout(1000)


@pytest.fixture
def context(browser, server):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    yield ctx
    ctx.close()


def test_the_page_works_offline_and_days_change_the_map_charts_and_log(context, server):
    tab = Tab(context, server)
    page = tab.page
    assert page.locator(".wg-map img").evaluate("img => img.naturalWidth") > 500
    assert page.locator(".wg-overlay rect, .wg-overlay polygon").count() > 10
    assert page.locator(".wg-legend-row").count() >= 8
    assert "never a prediction" in page.locator(".wg-header").inner_text()
    # Each parameter shows its unit and explains itself on hover.
    labels = page.locator(".wg-param-label").all_inner_texts()
    assert len(labels) == 5 and all("(" in label for label in labels)
    page.locator(".wg-param-label").first.hover()
    assert "Scenario value" in page.locator(".v-tooltip__content").first.inner_text()
    before = {s: tab.html(s) for s in (".wg-map-overlay", ".wg-card .wg-rung", ".wg-log")}
    for _ in range(3):
        tab.step()
    assert tab.day == 3
    assert tab.html(".wg-map-overlay") != before[".wg-map-overlay"]
    assert tab.html(".wg-card .wg-rung") != before[".wg-card .wg-rung"]
    while tab.html(".wg-log") == before[".wg-log"] and tab.day < 30:
        tab.step()
    assert "Day " in page.locator(".wg-log li").first.inner_text()
    assert tab.html(".wg-log") != before[".wg-log"]

    # Watching, the record may be downloaded at any time.
    assert "download the record" in page.locator(".wg-downloads").inner_text().lower()

    # Play runs the clock until Pause.
    day = tab.day
    page.locator(".wg-play").click()
    tab.wait_day(day + 3)
    page.locator(".wg-pause").click()
    page.wait_for_selector(".wg-step:not([disabled])")
    paused = tab.day
    page.wait_for_timeout(1200)
    assert tab.day == paused

    # The log filters by kind; the coverage layer switches on and off.
    tab.pick(".wg-log-kinds", "force protection changed")
    page.keyboard.press("Escape")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.wg-log li')].every("
        "li => li.textContent.includes('force protection changed'))"
    )
    page.locator(".wg-coverage").click()
    page.wait_for_selector(".wg-overlay image")
    # Nothing needed the internet (at most an analytics ping was refused).
    assert [u for u in tab.blocked if "solara.dev" not in u] == []


def test_a_side_played_for_three_turns_is_recorded_and_replays(context, three_days, tmp_path):
    tab = Tab(context, three_days)
    page = tab.page
    tab.pick(".wg-side", "United States")
    page.locator(".wg-reset").click()
    page.wait_for_selector(".wg-orders")
    assert "You play United States" in page.locator(".wg-header").inner_text()

    # Only the held side's orders are offered.
    offered = {
        c.split("wg-kind-")[1].split()[0]
        for c in page.locator(".wg-orders .wg-kind").evaluate_all(
            "els => els.map(e => e.className)"
        )
    }
    us_orders = set(load_scenario("may2019").spec.actors["us"].orders)
    assert offered and offered <= us_orders | {"keep"}
    assert "send_convoy" not in offered and "attack_tanker" not in offered

    turns = [("wg-kind-raise_posture", "Raise posture"), ("wg-kind-deploy", "Deploy"),
             ("wg-kind-lower_posture", "Lower posture")]  # fmt: skip
    for turn, (radio, title) in enumerate(turns, start=1):
        assert f"for turn {turn} (day {turn})" in page.locator(".wg-orders h3").inner_text()
        record = page.locator(".wg-downloads").inner_text().lower()
        assert "download the record" not in record and "download it when the game ends" in record
        page.locator(f".wg-orders .{radio}").click()
        if turn == 1:  # a double-click ends one turn, never the next as a hold
            page.locator(".wg-end-turn").dblclick()
        else:
            page.locator(".wg-end-turn").click()
        tab.wait_day(turn)
        page.wait_for_selector(f".wg-your-orders li:has-text('Day {turn}: {title}')")
        tab.settle()
    assert tab.day == 3 and "The game is over" in page.locator(".wg-finished").inner_text()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the record").click()
    saved = tmp_path / "record.zip"
    download.value.save_as(saved)
    game, orders, events = read(saved)
    assert game["sides"] == ["us"] and game["days_played"] == 3
    people = [(o["day"], o["kind"]) for o in orders if o["by"] == "HumanPolicy"]
    assert people == [(1, "raise_posture"), (2, "deploy"), (3, "lower_posture")]
    # The same seed and orders give the same game.
    assert replay(saved).record.events_jsonl() == events


def test_a_student_plays_thirty_days_in_weekly_turns_and_sees_the_verdict(context, server, games):
    tab = Tab(context, server)
    page = tab.page
    tab.pick(".wg-side", "Iran")
    tab.type_number(".wg-length", 30)
    tab.type_number(".wg-per-turn", 7)
    page.locator(".wg-reset").click()
    page.wait_for_selector(".wg-orders h3:has-text('turn 1 (days 1 to 7)')")
    header = page.locator(".wg-header").inner_text()
    assert "You play Iran" in header and "Turns of 7 days" in header
    # Iran's briefing and aims; its panel offers reactions and its one standing policy, its
    # steps back from the nuclear deal (the next is not due yet: only a return is offered).
    assert "Your aims" in page.locator(".wg-briefing").inner_text()
    panel = page.locator(".wg-orders").inner_text()
    assert "one change of standing policy" in panel and "wg-standing" in tab.html(".wg-orders")
    assert page.locator(".wg-orders .wg-standing .wg-kind-nuclear_return").count() == 1
    assert page.locator(".wg-orders .wg-kind-nuclear_step").count() == 0
    # An order is labelled by what it is; the rung it would move the crisis to is a fact about it.
    closure = page.locator(".wg-orders .wg-kind-threaten_closure").inner_text()
    assert closure.startswith("Threaten closure")
    assert "rung 2 (Show of force): at or below" in closure
    strike = page.locator(".wg-orders .wg-kind-strike_state").inner_text()
    assert "moves the crisis to rung" in strike

    page.locator(".wg-orders .wg-kind-threaten_closure").click()
    page.wait_for_selector(".wg-orders .wg-kind-threaten_closure.v-item--active")
    assert tab.end_turn() == 7
    assert 1 <= tab.end_turn(".wg-until-news") <= 7  # until Iran hears of an incident
    while tab.day + 7 < 30:  # whole turns while they fit, then the shorter last one
        assert tab.end_turn() == 7
    last = page.locator(".wg-orders h3").inner_text()
    assert f"(days {tab.day + 1} to 30)" in last or tab.day == 29
    tab.end_turn()
    assert tab.day == 30 and "The game is over" in page.locator(".wg-finished").inner_text()

    # The verdict: the game against 20 computer-played games of 30 days.
    page.wait_for_selector(".wg-verdict-peak", timeout=180_000)
    verdict = page.locator(".wg-verdict").inner_text()
    assert "of 20 computer-played games" in verdict and "30 days each" in verdict
    assert page.locator(".wg-outcomes tr.wg-ours").count() == 1
    assert "download the record" in page.locator(".wg-downloads").inner_text().lower()
    game_id = page.url.split("game=")[1]
    saved = json.loads((games / game_id / "game.json").read_text())
    assert saved["side"] == "iran" and saved["day"] == 30 and saved["ended"]
    assert (games / game_id / "summary.json").exists()
    # A reload shows the ended game and its verdict (saved, not played again).
    page.reload()
    page.wait_for_selector(".wg-verdict-peak")
    assert tab.day == 30 and page.locator(".wg-verdict").inner_text() == verdict


def test_two_tabs_play_two_games_and_a_reload_keeps_each(context, server):
    first, second = Tab(context, server), Tab(context, server)
    first.step()
    first.step()
    second.step()
    assert (first.day, second.day) == (2, 1)
    for tab in (first, second):  # the address names the game once a turn is played
        tab.page.wait_for_url(GAME_ADDRESS)
    second.page.reload()
    second.page.wait_for_selector(".wg-overlay")
    assert (first.day, second.day) == (2, 1)
    assert first.page.url != second.page.url


def test_a_played_side_survives_a_reload_and_a_server_restart(browser, games):
    with serve(games) as served:
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        tab = Tab(context, served.url)
        tab.pick(".wg-side", "United States")
        tab.page.locator(".wg-reset").click()
        tab.page.wait_for_selector(".wg-orders")
        tab.page.locator(".wg-orders .wg-kind-raise_posture").click()
        tab.page.wait_for_selector(".wg-orders .wg-kind-raise_posture.v-item--active")
        tab.end_turn()
        tab.end_turn()
        link = tab.page.url
        tab.page.reload()
        tab.page.wait_for_selector(".wg-your-orders li:has-text('Day 1: Raise posture')")
        assert tab.day == 2 and "You play United States" in tab.page.inner_text(".wg-header")
        context.close()
    with serve(games) as again:  # the server died and came back on the same folder
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        tab = Tab(context, again.url + "?" + link.split("?")[1])
        tab.page.wait_for_selector(".wg-your-orders li:has-text('Day 1: Raise posture')")
        assert tab.day == 2 and "turn 3 (day 3)" in tab.page.inner_text(".wg-orders h3")
        tab.end_turn()
        assert tab.day == 3
        context.close()


def test_serve_refuses_a_bad_scenario_in_one_line():
    result = run_cli("serve", "no_such_scenario", "--port", str(free_port()))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no_such_scenario" in lines[0]


def test_serve_refuses_a_port_in_use_in_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "may2019", "--port", str(port), timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "in use" in lines[0] and str(port) in lines[0]


def test_serve_takes_a_date_as_run_and_batch_do(browser, games):
    """A date given with --set reaches the page (and the saved game) as a date."""
    args = ("--set", "scenario.start_date=2019-06-01", "--set", "scenario.days=3")
    with serve(games, *args) as served:
        ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
        tab = Tab(ctx, served.url)
        assert "1 June 2019" in tab.page.inner_text(".wg-header")
        tab.step()
        assert "2 June 2019" in tab.page.inner_text(".wg-header")
        ctx.close()
