"""The dashboard's charts of one viewer's picture: the rung over time, tension, oil, convoys and
casualties. Public facts (the rung, the oil market) are the same for everyone; the rest is drawn
from what the viewer may know (wargame/dashboard/picture.py)."""

from __future__ import annotations

import numpy as np

from wargame.core.ladder import LADDER
from wargame.dashboard.charts import Series, bar_chart, heatmap, line_chart
from wargame.dashboard.picture import CONVOY_TALLIES, KNOWN_TALLIES, Picture

CONVOY_COLOURS = ("#6a1b9a", "#2e7d32", "#c62828")


def short(aid: str) -> str:
    """A side's id as a short column label: 'us' -> 'US', 'hezbollah' -> 'Hezbollah'."""
    return aid.upper() if len(aid) <= 4 else aid.capitalize()


def rung_chart(picture: Picture) -> str:
    data = picture.model.datacollector.model_vars
    return line_chart(
        data["day"],
        [Series("Escalation rung", "#b71c1c", data["rung"])],
        title="Escalation ladder",
        unit="rung (Kahn, condensed)",
        y_labels={int(r): info.title for r, info in LADDER.items()},
        steps=True,
        css="wg-rung",
    )


def oil_chart(picture: Picture) -> str:
    data = picture.model.datacollector.model_vars
    economy = np.asarray(data["economy"])
    return line_chart(
        data["day"],
        [
            Series("Hormuz flow", "#1f5f99", np.round(economy[:, 1], 2)),
            Series("Oil offline", "#ef6c00", np.round(economy[:, 0], 2)),
        ],
        title="Oil: flow through Hormuz and capacity knocked out",
        unit="million barrels a day",
        css="wg-oil",
    )


def convoy_chart(picture: Picture) -> str:
    tallies = picture.convoy_tallies()
    names = CONVOY_TALLIES if picture.side is None else KNOWN_TALLIES
    return line_chart(
        picture.model.datacollector.model_vars["day"],
        [
            Series(n, c, tallies[:, i])
            for i, (n, c) in enumerate(zip(names, CONVOY_COLOURS, strict=True))
        ],
        title="Missile convoys on the corridor"
        + ("" if picture.side is None else " (known to you)"),
        unit="convoys, cumulative",
        css="wg-convoys",
    )


def casualty_chart(picture: Picture) -> str:
    killed = {aid: n for aid, n in picture.casualties().items() if n}
    actors = picture.model.actors
    return bar_chart(
        [actors[a].name for a in killed],
        list(killed.values()),
        [actors[a].spec.colour for a in killed],
        title="Killed since the start" + ("" if picture.side is None else " (known)"),
        unit="people",
        css="wg-casualties",
    )


def tension_chart(picture: Picture) -> str:
    rows, columns, values = picture.tension()
    names = picture.narrator.names
    if picture.side is None:
        ids = columns
        tips = [
            [f"{names[a]} against {names[b]}: {values[i, j]:.2f}" for j, b in enumerate(ids)]
            for i, a in enumerate(ids)
        ]
        return heatmap(
            [short(a) for a in ids],
            [short(a) for a in ids],
            values,
            title="Tension today: each row's grievance against each column (0 to 1)",
            tips=tips,
            css="wg-tension",
        )
    tips = [
        [f"{row} toward {names[b]}: {values[i, j]:.2f}" for j, b in enumerate(columns)]
        for i, row in enumerate(rows)
    ]
    return heatmap(
        rows,
        [short(a) for a in columns],
        values,
        title="Your grievance and fear toward each side (0 to 1)",
        tips=tips,
        css="wg-tension",
    )
