"""The classroom in real browsers: a facilitator and two teams, each in a browser context of its
own, play three turns of an exercise; a tampered link is refused and changes nothing."""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from browser import chromium, offline, serving

from wargame.core.scenario import load_scenario


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def classroom(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("game")
    args = ("classroom", "prepare_for_proxy_war", "--teams", "us,iran", "--out", str(folder))
    with serving(*args) as served:
        deadline = time.monotonic() + 30
        links: dict[str, str] = {}
        while len(links) < 3 and time.monotonic() < deadline:
            links = dict(re.findall(r"^\s+(\w+):?\s+(http://\S+)$", "\n".join(served.output), re.M))
            time.sleep(0.2)
        assert set(links) == {"facilitator", "us", "iran"}, served.output
        yield links, folder


class Seat:
    """One role's page in its own browser context, offline."""

    def __init__(self, browser, link: str) -> None:
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": 1500, "height": 1100})
        self.page = self.context.new_page()
        offline(self.page, self.blocked)
        self.page.goto(link)
        self.page.wait_for_selector(".wg-overlay", timeout=60_000)

    def wait_turn(self, turn: int) -> None:
        self.page.wait_for_selector(f".wg-turn[data-turn='{turn}']", timeout=30_000)

    def order(self, group: str, kind: str) -> None:
        self.page.locator(f".wg-orders .{group} .wg-kind-{kind}").click()
        # The choice counts once the server has taken it (and drawn its targets, if any).
        self.page.wait_for_selector(f".wg-orders .{group} .wg-kind-{kind}.v-item--active")

    def chosen(self, group: str) -> str:
        """The kind of order selected in a group (the reaction, or the standing policy)."""
        classes = self.page.locator(f".wg-orders .{group} .wg-kind.v-item--active").get_attribute(
            "class"
        )
        return (classes or "").split("wg-kind-")[1].split()[0]

    def submit(self, resolves: int | None = None) -> None:
        """Submit the chosen orders; the last team's submission resolves the turn."""
        self.page.locator(".wg-end-turn").click()
        if resolves is None:
            self.page.wait_for_selector(".wg-submitted:has-text('Submitted')", timeout=30_000)
        else:
            self.wait_turn(resolves)

    def offered(self) -> set[str]:
        classes = self.page.locator(".wg-orders .wg-kind").evaluate_all(
            "es => es.map(e => e.className)"
        )
        return {c.split("wg-kind-")[1].split()[0] for c in classes}


def test_three_turns_with_a_facilitator_and_two_teams(browser, classroom):
    links, folder = classroom
    boss, us, iran = (Seat(browser, links[r]) for r in ("facilitator", "us", "iran"))
    spec = load_scenario("may2019").spec
    assert us.offered() - {"keep"} <= set(spec.actors["us"].orders)
    assert iran.offered() - {"keep"} <= set(spec.actors["iran"].orders)
    assert "Your briefing" in us.page.inner_text(".wg-page")
    assert "reveal to all" in boss.page.inner_text(".wg-controls").lower()

    # Turn 1: the US raises its posture; the facilitator sees it submitted; Iran's order
    # (a threat to close the strait) is the last, and resolves the turn for everyone.
    us.order("wg-reaction", "raise_posture")
    us.submit()
    boss.page.wait_for_selector(".wg-team-us:has-text('submitted')")
    assert "waiting" in boss.page.inner_text(".wg-team-iran")
    iran.order("wg-reaction", "threaten_closure")
    iran.submit(resolves=2)
    for seat in (boss, us):
        seat.wait_turn(2)

    # Turn 2: the US deploys a reserve force; Iran holds.
    us.order("wg-standing", "deploy")
    us.submit()
    iran.submit(resolves=3)
    for seat in (boss, us):
        seat.wait_turn(3)

    # Turn 3: the US lowers its posture; Iran is still thinking (it has chosen a strike, and
    # its target list is drawn) when the facilitator moves on, with a double-click: one turn
    # resolves, and Iran's choice does not carry over to turn 4.
    us.order("wg-reaction", "lower_posture")
    us.submit()
    iran.order("wg-reaction", "strike_state")
    iran.page.wait_for_selector(".wg-reaction-target")
    boss.page.locator(".wg-advance").dblclick()
    for seat in (boss, us, iran):
        seat.wait_turn(4)
    iran.page.wait_for_selector(".wg-reaction-target", state="detached")
    assert iran.chosen("wg-reaction") == "hold"
    # A double-click on Pause leaves the game paused. Messages from one page are handled in
    # order, so once Reveal (clicked after both) shows, both double-clicks have been handled.
    boss.page.locator(".wg-pause").dblclick()
    boss.page.locator(".wg-reveal").click()
    boss.page.wait_for_selector(".wg-reveal:has-text('Hide the picture')")
    assert boss.page.locator(".wg-pause").inner_text().strip().lower() == "resume"
    assert boss.page.locator(".wg-turn").get_attribute("data-turn") == "4"

    saved = json.loads((folder / "game.json").read_text())
    assert saved["turn"] == 4 and saved["day"] == 21
    given = {(d["turn"], d["side"]): [o["kind"] for o in d["orders"]] for d in saved["decisions"]}
    assert given[1, "us"] == ["raise_posture"] and given[1, "iran"] == ["threaten_closure"]
    assert given[2, "us"] == ["deploy"] and given[2, "iran"] == []
    assert given[3, "us"] == ["lower_posture"] and given[3, "iran"] == []
    orders = [json.loads(line) for line in (folder / "orders.jsonl").read_text().splitlines()]
    people = [(o["day"], o["actor"], o["kind"]) for o in orders if o["by"] == "HumanPolicy"]
    assert people == [
        (1, "us", "raise_posture"),
        (1, "iran", "threaten_closure"),
        (8, "us", "deploy"),
        (15, "us", "lower_posture"),
    ]
    threats = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    assert any(
        e["kind"] == "closure_threat" and e["actor"] == "iran" and e["day"] == 1 for e in threats
    )
    assert not any(
        seat.blocked
        for seat in (boss, us, iran)
        if [u for u in seat.blocked if "solara.dev" not in u]
    )

    # A tampered link is refused (HTTP 403) and changes nothing.
    before = (folder / "game.json").read_text()
    tampered = links["us"][:-1] + ("A" if links["us"][-1] != "A" else "B")
    intruder = browser.new_context().new_page()
    response = intruder.goto(tampered)
    assert response is not None and response.status == 403
    assert "does not open this game" in intruder.inner_text("body")
    no_token = intruder.goto(links["us"].split("?")[0])
    assert no_token is not None and no_token.status == 403
    boss.page.wait_for_timeout(1500)
    assert (folder / "game.json").read_text() == before
    assert boss.page.locator(".wg-turn").get_attribute("data-turn") == "4"


def test_every_path_that_serves_the_page_needs_a_valid_token(classroom):
    """Solara serves its page at any path it has no other route for: a token is needed at all of
    them, while its health check (like its assets and websocket) needs none."""
    links, _ = classroom
    address = urlsplit(links["us"])

    def get(path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    for path in ("//", "/%2F", "//?token=wrong", "/anything?token=wrong", "/static"):
        status, body = get(path)
        assert status == 403 and "does not open this game" in body, path
    assert get("/readyz")[0] == 200
    assert get(f"/?{address.query}")[0] == 200
