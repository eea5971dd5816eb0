"""Take the dashboard's screenshots in docs/img/ from the real page, offline, the way the browser
tests drive it.

Starts `wargame serve may2019 --seed 7` (its games in a temporary folder), plays Iran in a
30-day game in weekly turns: after two turns it saves the window at 1400x900 and at 1024x768,
and the whole page 1024 px wide (the columns stack below about 1200 px); then it plays to the
end and saves the verdict at 1400x900.

    python docs/screenshot.py [--seed 7] [--out docs/img]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from browser import CHROMIUM_ARGS, HOW_TO_GET_ONE, find_chromium, serving  # noqa: E402
from test_dashboard import Tab  # noqa: E402

SIZES = ((1400, 900), (1024, 768))


def shot(page, width: int, height: int, path: Path) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(1500)  # the layout and the charts settle
    page.screenshot(path=str(path))
    print(f"saved {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "img")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        print(HOW_TO_GET_ONE, file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as games,
        serving("serve", "may2019", "--seed", str(args.seed), "--games", games) as served,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
        tab = Tab(context, served.url)
        page = tab.page
        tab.pick(".wg-side", "Iran")
        tab.type_number(".wg-length", 30)
        tab.type_number(".wg-per-turn", 7)
        page.locator(".wg-reset").click()
        page.wait_for_selector(".wg-orders h3:has-text('turn 1')")
        page.locator(".wg-orders .wg-kind-threaten_closure").click()
        page.wait_for_selector(".wg-orders .wg-kind-threaten_closure.v-item--active")
        tab.end_turn()
        tab.end_turn()
        for width, height in SIZES:
            shot(page, width, height, args.out / f"dashboard-{width}x{height}.png")
        whole = page.locator(".wg-page").evaluate("e => e.scrollHeight")
        shot(page, 1024, whole + 16, args.out / "dashboard-1024-whole.png")
        page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        while page.locator(".wg-orders .wg-end-turn").count():
            tab.end_turn()
        page.wait_for_selector(".wg-verdict-peak", timeout=600_000)
        page.locator(".wg-verdict").scroll_into_view_if_needed()
        shot(page, *SIZES[0], args.out / "verdict-1400x900.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
