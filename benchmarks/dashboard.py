"""Dashboard frame time: one day played plus everything the page redraws, against Mesa's default
matplotlib space renderer drawing the same grid and agents.

Prints, in one run, the median over the frames of a run of may2019:
- the dashboard's frame: a click on Step, rendered by Solara in-process: one step, then the
  map's overlay (over the cached background), the five charts, the event log and the page's
  widgets, all that the server does for a day (the browser only swaps the new SVG in);
- Mesa's frame: one step, then Mesa's SpaceRenderer (matplotlib backend) drawing the 120 x 112
  grid (its cell structure, the country layer and the sites, forces, convoys and tankers) and
  encoding it as a PNG, as Mesa's SolaraViz does for every frame;
- the ratio of the two.
Targets (issue "Browser dashboard"): at most 150 ms a frame, and at most half of Mesa's frame.

    python benchmarks/dashboard.py [--frames 30] [--days 60]
"""

from __future__ import annotations

import argparse
import io
import itertools
import statistics
import time
import warnings

import ipyvuetify
import solara
from mesa.visualization import SpaceRenderer
from mesa.visualization.components import AgentPortrayalStyle, PropertyLayerStyle

from agents import Convoy, Force, Site, Tanker
from wargame.dashboard.app import Page
from wargame.dashboard.map_drawing import OIL_COLOURS, POSTURE_COLOURS
from wargame.engine.model import WargameModel


def dashboard_frames(days: int, frames: int) -> list[float]:
    """Seconds per frame of the dashboard page, rendered in-process by Solara: a click on Step
    plays the day and re-renders the page (overlay, charts, log, widgets), all but the
    websocket and the browser's paint. Timed after ``days`` days, so the charts have history."""
    _, rc = solara.render(Page(), handle_error=False)
    step = rc.find(ipyvuetify.Btn, class_="wg-step").widget
    for _ in range(days):
        step.click()
    times = []
    for _ in range(frames):
        start = time.perf_counter()
        step.click()
        times.append(time.perf_counter() - start)
    return times


def portrayal(agent) -> AgentPortrayalStyle:
    """The same marks as the dashboard's map, in Mesa's portrayal."""
    model = agent.model
    match agent:
        case Site() if agent.is_oil:
            status = "operating" if agent.offline_mbd <= 0 else "damaged"
            return AgentPortrayalStyle(color=OIL_COLOURS[status], marker="o", size=40)
        case Site():
            level = model.posture_level(agent.owner, agent.country)
            return AgentPortrayalStyle(color=POSTURE_COLOURS[level], marker="s", size=40)
        case Force():
            return AgentPortrayalStyle(color=model.actors[agent.owner].spec.colour, marker="*")
        case Convoy():
            return AgentPortrayalStyle(color="#6a1b9a", marker="s", size=30)
        case Tanker():
            return AgentPortrayalStyle(color="#37474f", marker="o", size=12 + 4 * agent.ships)
    return AgentPortrayalStyle(size=0)


def layer_style(layer) -> PropertyLayerStyle | None:
    """The country layer, shaded as the dashboard's background shades it; no other layer."""
    if layer.name != "country":
        return None
    return PropertyLayerStyle(colormap="tab20", alpha=0.5, colorbar=False)


def mesa_frames(days: int, frames: int) -> list[float]:
    """Seconds per frame of Mesa's SpaceRenderer, as SolaraViz's space component draws it."""
    model = WargameModel("may2019", seed=1)
    for _ in range(days):
        model.step()
    renderer = SpaceRenderer(model, backend="matplotlib")
    renderer.setup_agents(portrayal).setup_propertylayer(layer_style)
    times = []
    for _ in range(frames + 1):  # the first frame builds the figure: not counted
        start = time.perf_counter()
        model.step()
        canvas = renderer.canvas
        for artist in itertools.chain(
            canvas.lines[:], canvas.collections[:], canvas.patches[:], canvas.images[:]
        ):
            artist.remove()
        renderer.draw_structure()
        renderer.draw_agents()
        renderer.draw_propertylayer()
        buffer = io.BytesIO()
        canvas.get_figure().savefig(buffer, format="png", bbox_inches="tight")
        times.append(time.perf_counter() - start)
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--days", type=int, default=60, help="days played before timing")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)  # Mesa: agents without a position

    ours = 1000 * statistics.median(dashboard_frames(args.days, args.frames))
    mesa = 1000 * statistics.median(mesa_frames(args.days, args.frames))
    print(
        f"dashboard frame (step + overlay + charts + log + page render): {ours:.1f} ms "
        f"(target <= 150 ms); median of {args.frames}"
    )
    print(f"Mesa SpaceRenderer frame (step + matplotlib map + PNG): {mesa:.1f} ms")
    print(f"ratio dashboard / Mesa: {ours / mesa:.3f} (target <= 0.5)")


if __name__ == "__main__":
    main()
