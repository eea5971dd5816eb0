"""Take docs/screenshot.png from the real page, offline, the way the browser tests drive it.

Starts `wargame serve may2019 --seed 7`, plays the clock to day 45 in headless Chromium, switches
the surveillance layer on and saves the whole page.

    python docs/screenshot.py [--day 45] [--seed 7] [--out docs/screenshot.png]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from browser import CHROMIUM_ARGS, HOW_TO_GET_ONE, find_chromium, serving  # noqa: E402
from test_dashboard import Tab  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--day", type=int, default=45)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "screenshot.png")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        print(HOW_TO_GET_ONE, file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with serving("serve", "may2019", "--seed", str(args.seed)) as served, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        tab = Tab(context, served.url)
        page = tab.page
        page.locator(".wg-play").click()
        tab.wait_day(args.day)
        page.locator(".wg-pause").click()
        page.wait_for_selector(".wg-step:not([disabled])")
        page.locator(".wg-coverage").click()
        page.wait_for_selector(".wg-overlay image")
        height = page.locator(".wg-page").evaluate("e => e.scrollHeight")
        page.set_viewport_size({"width": 1600, "height": height + 16})
        page.screenshot(path=str(args.out))
        print(f"saved {args.out} (day {tab.day}, seed {args.seed})")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
