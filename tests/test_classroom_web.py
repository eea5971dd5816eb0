"""The classroom in real browsers: a facilitator and two teams, each in a browser context of its
own, play three turns of an exercise (a team's half-made choice is not sent as Hold when the
facilitator moves on); a tampered link is refused and changes nothing; a classroom killed with
kill -9 comes back with --resume at its turn, with the same links; the debrief of a game shows
the teams' intents and the what-ifs from each turn."""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import chromium, free_port, offline, serving
from conftest import run_cli

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
        yield links_of(served), folder


def links_of(served, roles: tuple[str, ...] = ("facilitator", "us", "iran")) -> dict[str, str]:
    """The link of each role, as the server printed them."""
    deadline = time.monotonic() + 30
    links: dict[str, str] = {}
    while len(links) < len(roles) and time.monotonic() < deadline:
        links = dict(re.findall(r"^\s+(\w+):?\s+(http://\S+)$", "\n".join(served.output), re.M))
        time.sleep(0.2)
    assert set(links) == set(roles), served.output
    return links


class Seat:
    """One role's page in its own browser context, offline."""

    def __init__(self, browser, link: str) -> None:
        self.blocked: list[str] = []
        self.missing: list[str] = []  # what the page asked this server for and did not get
        self.context = browser.new_context(viewport={"width": 1500, "height": 1100})
        self.page = self.context.new_page()
        offline(self.page, self.blocked)
        self.page.on("response", lambda r: self.missing.append(r.url) if r.status >= 400 else None)
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
    assert not [s.page.url for s in (boss, us, iran) if "token" in s.page.url]  # in cookies now
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
    iran.page.locator(".wg-intent input").fill("Make them pay for the posture")
    boss.page.locator(".wg-advance").dblclick()
    for seat in (boss, us, iran):
        seat.wait_turn(4)
    # Iran's half-made choice was not sent as Hold: it stays on its page, said to be not sent.
    iran.page.wait_for_selector(".wg-unsent:has-text('Not sent: turn 3 resolved')")
    assert iran.chosen("wg-reaction") == "strike_state"
    assert iran.page.locator(".wg-reaction-target").count() == 1
    # Sent late, it is refused with a message; sent again, it would be for turn 4.
    iran.page.locator(".wg-end-turn").click()
    iran.page.wait_for_selector(".wg-refusal:has-text('turn 3 has resolved without these orders')")
    iran.page.wait_for_selector(".wg-unsent", state="detached")
    assert iran.chosen("wg-reaction") == "strike_state"
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
    sent = {(d["turn"], d["side"]): d["submitted"] for d in saved["decisions"]}
    assert sent[2, "iran"] and not sent[3, "iran"]  # held on turn 2; sent nothing on turn 3
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
    assert [u for seat in (boss, us, iran) for u in seat.missing] == []  # no KaTeX 404s

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


def request(link: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    """A GET as a client other than a browser sends it, with the path as given."""
    address = urlsplit(link)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace"), response
    finally:
        connection.close()


def test_every_route_needs_a_valid_token_or_is_off(classroom):
    """Solara serves its page at any path it has no other route for: a token is needed at all of
    them, and its assets and API need the cookie a page with a valid link sets; its health
    checks, which tell the host's CPU and memory, are off even with a token."""
    links, _ = classroom
    query = urlsplit(links["us"]).query
    for path in ("//", "/%2F", "//?token=wrong", "/anything?token=wrong", "/static", "/"):
        status, body, _ = request(links["us"], path)
        assert status == 403 and "does not open this game" in body, path
    # A valid link sends the browser on to the role's page, its token moved into a cookie that
    # no script reads: the address bar (a projected screen) no longer shows it.
    status, _, page = request(links["us"], f"/?{query}")
    assert status == 303 and page.getheader("location") == "/us"
    (ours,) = [c for c in page.msg.get_all("set-cookie") if c.startswith("wargame-classroom-")]
    assert "HttpOnly" in ours and "SameSite=Lax" in ours
    cookie = ours.split(";")[0]
    assert request(links["us"], "/us", {"Cookie": cookie})[0] == 200
    assert request(links["us"], "/us")[0] == 403
    assert request(links["us"], "/iran", {"Cookie": cookie})[0] == 403
    asset = "/static/highlight.css"
    assert request(links["us"], asset)[0] == 403
    assert request(links["us"], asset, {"Cookie": "wargame-classroom-1=x; " + cookie})[0] == 200
    forged = cookie.split("=")[0] + "=forged"
    assert request(links["us"], asset, {"Cookie": forged})[0] == 403
    for path in ("/resourcez", "/readyz", f"/resourcez?{query}", f"/readyz?{query}"):
        status, body, _ = request(links["us"], path, {"Cookie": cookie})
        assert status == 404 and "cpu" not in body.lower(), path


def raw(link: str, request: bytes) -> bytes:
    """What the server answers to a request sent as these bytes, as far as its first line."""
    address = urlsplit(link)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(request)
        return sock.makefile("rb").readline()


def test_a_token_that_is_not_text_is_refused(classroom):
    """A link whose token is bytes that are not text, or text that is not a token, is refused
    like any wrong token, not answered with a server error."""
    links, _ = classroom
    for path in (b"/?token=\xff\xfe", b"/?token=%ED%A0%80", b"/?token=%00", b"/?token=%FF"):
        line = raw(links["us"], b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert line.split()[1] in (b"400", b"403"), (path, line)  # raw bytes are not even HTTP


def test_a_websocket_without_the_cookie_is_closed_before_it_opens(classroom):
    links, _ = classroom
    upgrade = (
        b"GET /jupyter/api/kernels/k/channels?session_id=s HTTP/1.1\r\nHost: x\r\n"
        b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    )
    assert raw(links["us"], upgrade + b"\r\n").split()[1] == b"403"
    forged = b"Cookie: wargame-classroom-1=x; wargame-classroom-2=y\r\n\r\n"
    assert raw(links["us"], upgrade + forged).split()[1] == b"403"


HOSTILE = '<img src=x onerror="window.__pwned = 1"> {{ 7 * 191 }} <b>bold</b>'


def test_text_from_a_pack_is_shown_as_text_never_run(browser, tmp_path):
    """A briefing, an inject's news and a title with HTML and a Vue template in them are shown
    as written, in a real browser: no script runs, no template is evaluated."""
    import shutil

    from wargame.core.packs import shipped_packs

    folder = tmp_path / "pack"
    shutil.copytree(shipped_packs()["prepare_for_proxy_war"].parent, folder)
    pack = (folder / "pack.toml").read_text(encoding="utf-8")
    pack = pack.replace('title = "Prepare for proxy war"', f"title = '{HOSTILE}'", 1)
    pack = re.sub(r'^text = "The Guardian.*$', f"text = '{HOSTILE}'", pack, count=1, flags=re.M)
    (folder / "pack.toml").write_text(pack, encoding="utf-8")
    (folder / "briefings" / "us.md").write_text(f"# Briefing\n\n{HOSTILE}\n\n**plain**\n")
    args = ("classroom", str(folder), "--teams", "us", "--out", str(tmp_path / "game"))
    with serving(*args) as served:
        deadline = time.monotonic() + 30
        link = None
        while link is None and time.monotonic() < deadline:
            found = re.findall(r"^\s+us\s+(http://\S+)$", "\n".join(served.output), re.M)
            link = found[0] if found else None
            time.sleep(0.2)
        assert link, served.output
        seat = Seat(browser, link)
        page = seat.page
        page.wait_for_timeout(1000)
        assert page.evaluate("window.__pwned") is None
        text = page.inner_text(".wg-page")
        assert "1337" not in text
        assert text.count("{{ 7 * 191 }}") >= 3  # the title, the news and the briefing
        assert text.count('<img src=x onerror="window.__pwned = 1">') >= 3
        assert page.locator(".wg-page img[onerror]").count() == 0
        assert page.locator(".wg-briefing strong").inner_text() == "plain"  # Markdown still works


def test_a_classroom_killed_with_kill_9_comes_back_at_its_turn_with_its_links(browser, tmp_path):
    folder = tmp_path / "game"
    port = free_port()
    args = ("classroom", "prepare_for_proxy_war", "--teams", "us,iran", "--out", str(folder))
    with serving(*args, port=port) as served:
        links = links_of(served)
        boss, us, iran = (Seat(browser, links[r]) for r in ("facilitator", "us", "iran"))
        us.order("wg-reaction", "raise_posture")
        us.page.locator(".wg-intent input").fill("Show we are ready")
        us.submit()
        iran.submit(resolves=2)
        boss.wait_turn(2)
        us.order("wg-standing", "deploy")
        us.submit()
        served.process.kill()  # kill -9: no chance to save anything more
        served.process.wait()
    for seat in (boss, us, iran):
        seat.context.close()

    with serving("classroom", "--resume", str(folder), port=port) as again:
        assert links_of(again) == links  # the same links, with the same tokens
        boss, us, iran = (Seat(browser, links[r]) for r in ("facilitator", "us", "iran"))
        for seat in (boss, us, iran):
            seat.wait_turn(2)
        # The submission of turn 2 was saved as it was made, and survives the crash.
        boss.page.wait_for_selector(".wg-team-us:has-text('submitted')")
        assert "waiting" in boss.page.inner_text(".wg-team-iran")
        iran.order("wg-reaction", "threaten_closure")
        iran.submit(resolves=3)
        us.wait_turn(3)
        saved = json.loads((folder / "game.json").read_text())
        assert saved["turn"] == 3
        given = {(d["turn"], d["side"]): d for d in saved["decisions"]}
        assert [o["kind"] for o in given[2, "us"]["orders"]] == ["deploy"]
        assert given[1, "us"]["intent"] == "Show we are ready"
        boss.page.locator(".wg-end").click()
        boss.page.wait_for_selector(".wg-status:has-text('no turn is awaited')")
        for seat in (boss, us, iran):
            seat.context.close()

    # The debrief of that game: the intents beside what the others believed, and what-ifs.
    result = run_cli("debrief", str(folder), "--runs", "10", "--branches", "4", timeout=600)
    assert result.returncode == 0, result.stderr
    page = browser.new_context().new_page()
    page.goto((folder / "debrief.html").as_uri())
    intents = page.locator("table.wg-intents")
    assert "Show we are ready" in intents.inner_text()
    branches = page.locator("table.wg-branches tr")
    assert branches.count() >= 3  # a heading and a row for each turn played
    assert "From where you stood at the start of turn 1" in page.inner_text("body")
    assert "of 4 continuations" in page.inner_text("table.wg-branches + ul")
    page.context.close()
