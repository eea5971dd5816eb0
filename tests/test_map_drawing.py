"""The dashboard's map and what each viewer may see on it and read in the log."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from wargame.core.incidents import Event
from wargame.core.orders import Order
from wargame.core.scenario import load_scenario
from wargame.dashboard.map_drawing import MapDrawing, background_png
from wargame.dashboard.picture import Picture
from wargame.engine.beliefs import Perceived
from wargame.engine.model import WargameModel
from wargame.engine.narrative import Narrator
from wargame.engine.rules import interdiction


@pytest.fixture
def model() -> WargameModel:
    return WargameModel("may2019", seed=1)


def test_the_background_is_drawn_once_at_eight_pixels_a_cell(model):
    first = background_png(0.25)
    assert background_png(0.25) is first
    image = Image.open(io.BytesIO(first))
    assert image.size == (model.geo.nx * 8, model.geo.ny * 8)


def test_the_overlay_marks_every_site_and_force_and_cell_units(model):
    drawing = MapDrawing(model)
    svg = drawing.overlay(Picture(model, None, Narrator(model)))
    assert svg.startswith("<svg") and f'viewBox="0 0 {model.geo.nx} {model.geo.ny}"' in svg
    assert svg.count("<title>") >= len(model.site_list) + sum(
        f.in_theatre for f in model.forces.values()
    )
    assert "force protection CHARLIE" in svg  # the US in Iraq, May 2019
    assert "wg-coverage" not in svg
    assert "wg-coverage" in drawing.overlay(Picture(model, None, Narrator(model)), coverage=True)


def test_a_side_sees_only_its_own_and_detected_convoys(model):
    interdiction.send_convoy(model, Order("quds", "send_convoy", "hezbollah"), model.rng)
    narrator = Narrator(model)
    drawing = MapDrawing(model)
    assert "wg-convoy" in drawing.overlay(Picture(model, None, narrator))
    assert "wg-convoy" in drawing.overlay(Picture(model, "quds", narrator))
    assert "wg-convoy" not in drawing.overlay(Picture(model, "israel", narrator))
    model.convoys[0].detected_by.add("israel")
    assert "wg-convoy" in drawing.overlay(Picture(model, "israel", narrator))
    # A side's coverage layer is its own surveillance.
    assert Picture(model, "israel", narrator).coverage() is model.surveillance.coverage["israel"]
    assert Picture(model, "saudi", narrator).coverage() is None


def test_a_side_reads_its_own_blame_and_never_the_hidden_doer(model):
    narrator = Narrator(model)
    attack = Event(23, "tanker_sabotage", "quds", "saudi", "Strait of Hormuz", (94, 56),
                   "tanker holed, crew safe", 3, blamed="houthis", confidence=0.55,
                   details={"lane": "gulf"})  # fmt: skip
    heard = Perceived(attack, "iran", 0.6, 24)
    told = narrator.belief(heard, "us")
    assert told.startswith("Day 23: tanker attacked in the Gulf shipping lane")
    assert "Iran blamed, confidence 0.6" in told and "news reached you on day 24" in told
    assert "Quds" not in told
    assert "quds" not in Picture(model, "us", narrator).involved(heard)
    truth = narrator.truth(attack)
    assert "by Quds Force (IRGC)" in truth
    assert "Saudi Arabia blamed Houthis (Ansar Allah) (wrongly), confidence 0.6" in truth
    # The doer knows what it did.
    assert "by Quds Force (IRGC)" in narrator.belief(Perceived(attack, "quds", 1.0, 23), "quds")


def test_the_log_is_newest_first_and_filters(model):
    for _ in range(30):
        model.step()
    picture = Picture(model, None, Narrator(model))
    days = [h.event.day for h in picture.incidents()]
    assert days == sorted(days, reverse=True)
    us_lines = picture.log("us", [])
    assert us_lines and all("United States" in line for line in us_lines)
    posture = picture.log(None, ["posture_change"])
    assert posture and all("force protection changed" in line for line in posture)


def test_a_frame_costs_a_few_milliseconds(model):
    drawing, picture = MapDrawing(model), Picture(model, None, Narrator(model))
    for _ in range(60):
        model.step()
    started = time.perf_counter()
    for _ in range(20):
        drawing.overlay(picture, coverage=True)
    assert (time.perf_counter() - started) / 20 < 0.05


def test_the_observer_reads_why_a_computer_side_acted_and_a_side_does_not():
    """'Israel struck Hezbollah: between the wars +0.80, ...; scored +0.35, holding +0.00'."""
    model = WargameModel(load_scenario("may2019", {"scenario.days": 40}), seed=1)
    model.run()
    narrator = Narrator(model)
    observer = Picture(model, None, narrator).log(None, [])
    explained = [line for line in observer if "Why:" in line]
    assert explained and all("holding +0.00" in line for line in explained)
    first = next(o for o in model.record.orders if "aims" in o and o["kind"] == "strike_militia")
    assert f"scored {first['utility']:+.2f}" in " ".join(explained)
    assert not [line for line in Picture(model, "us", narrator).log(None, []) if "Why:" in line]
