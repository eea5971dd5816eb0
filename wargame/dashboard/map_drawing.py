"""The dashboard's map: a background drawn once per map, and a light overlay drawn each frame.

The background (countries shaded with borders and names, the sea, the corridor, the shipping
lanes, place names) never changes during a game, so it is drawn once with matplotlib, encoded
as a PNG and cached for every browser tab of the process. Each frame only the things that move
or change state are drawn, as a small SVG laid over the picture in the map's own cell units:
sites by force protection or oil status, forces, convoys, tankers, recent incidents and, when
asked, the surveillance coverage. Every mark carries a tooltip.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from wargame.core.geography import Geography, Path, load_geography
from wargame.core.schema import POSTURE_LEVELS

if TYPE_CHECKING:
    from wargame.dashboard.picture import Picture
    from wargame.engine.model import WargameModel

PIXELS_PER_CELL = 8
SEA = "#cfe2ef"
COAST = "#5b6f80"
BORDER = "#8a8a8a"
LAND_TONES = ("#efe6d2", "#e4ead3", "#eadfd6", "#e2e2e2", "#ece3c4", "#dde6de")
CORRIDOR = "#8e24aa"
LANE = "#1f5f99"
# Force protection colours, from routine to an attack under way.
POSTURE_COLOURS = dict(
    zip(POSTURE_LEVELS, ("#2e7d32", "#9ccc65", "#fbc02d", "#ef6c00", "#c62828"), strict=True)
)
OIL_COLOURS = {"operating": "#2e7d32", "damaged": "#ef6c00", "offline": "#c62828"}
INCIDENT = "#d32f2f"
CONVOY = "#6a1b9a"
TANKER = "#37474f"
INCIDENT_DAYS = 7  # incidents stay on the map this long, fading
# Names of the seas (lat, lon), which the country grid does not carry.
SEAS = (
    ("Mediterranean\nSea", 33.4, 33.3),
    ("Persian Gulf", 27.2, 51.0),
    ("Gulf of Oman", 24.6, 58.6),
    ("Arabian Sea", 17.5, 59.5),
    ("Red Sea", 20.5, 38.6),
    ("Gulf of Aden", 12.6, 47.5),
    ("Caspian Sea", 39.2, 51.3),
)
# Places named on the map, the most important first (they get the room when names collide).
PLACE_KINDS = ("capital", "chokepoint", "border crossing", "port", "oil terminal", "city")
PLACE_LABELS = {"Al-Qaim/Albu Kamal crossing": "Al-Qaim crossing"}
SITE_SHAPES = {
    "base": "square",
    "military_site": "square",
    "embassy": "diamond",
    "consulate": "diamond",
    "oil_facility": "circle",
    "oil_terminal": "circle",
    "militia_site": "triangle",
    "city": "dot",
}


def _smooth(points: np.ndarray, window: int = 5) -> np.ndarray:
    """A path of cell centres, its corners rounded by a moving average (ends kept)."""
    if len(points) <= window:
        return points
    kernel = np.ones(window) / window
    pad = window // 2
    padded = np.pad(points, ((pad, pad), (0, 0)), mode="edge")
    out = np.column_stack([np.convolve(padded[:, i], kernel, mode="valid") for i in range(2)])
    out[0], out[-1] = points[0], points[-1]
    return out


def path_points(path: Path) -> np.ndarray:
    """A path's cells as (x, y) map coordinates of their centres, y to the north."""
    return _smooth(np.array(path.cells, dtype=float) + 0.5)


def _interior_point(mask: np.ndarray) -> tuple[float, float]:
    """A point deep inside a country, where its name reads best: the centre of what is left
    after eroding the country as far as it goes."""
    core = mask
    while True:
        inner = core.copy()
        inner[1:, :] &= core[:-1, :]
        inner[:-1, :] &= core[1:, :]
        inner[:, 1:] &= core[:, :-1]
        inner[:, :-1] &= core[:, 1:]
        if not inner.any():
            break
        core = inner
    xs, ys = np.nonzero(core)
    return float(xs.mean()) + 0.5, float(ys.mean()) + 0.5


def _free_spot(
    name: str, x: float, y: float, taken: list[tuple[float, float, float, float]], nx: int
) -> tuple[float, float, float, float] | None:
    """Where a place's name fits (to the right of its dot, else to the left) without covering a
    name already placed: its box (left, bottom, right, top) in cells, or None."""
    width, height = 0.68 * len(name), 1.4
    for left in (x + 0.8, x - 0.8 - width):
        box = (left, y - height / 2, left + width, y + height / 2)
        inside = box[0] >= 0 and box[2] <= nx
        if inside and not any(
            box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in taken
        ):
            return box
    return None


def _tones(geo: Geography) -> dict[int, str]:
    """A land tone per country, neighbours told apart (greedy colouring of the border graph)."""
    c = geo.country
    pairs = set()
    for a, b in ((c[1:, :], c[:-1, :]), (c[:, 1:], c[:, :-1])):
        touching = (a != b) & (a > 0) & (b > 0)
        pairs |= {(int(x), int(y)) for x, y in zip(a[touching], b[touching], strict=True)}
    neighbours: dict[int, set[int]] = {}
    for x, y in pairs:
        neighbours.setdefault(x, set()).add(y)
        neighbours.setdefault(y, set()).add(x)
    ids = sorted(set(np.unique(c).tolist()) - {0}, key=lambda k: -int((c == k).sum()))
    tone: dict[int, int] = {}
    for k in ids:
        used = {tone[n] for n in neighbours.get(k, ()) if n in tone}
        tone[k] = next(i for i in range(len(LAND_TONES)) if i not in used)
    return {k: LAND_TONES[i] for k, i in tone.items()}


@cache
def background_png(resolution_deg: float) -> bytes:
    """The map's static picture as PNG bytes, drawn once per map and process."""
    from matplotlib.figure import Figure

    geo = load_geography(resolution_deg)
    scale = PIXELS_PER_CELL * 0.25 / geo.resolution_deg
    fig = Figure(figsize=(geo.nx * scale / 100, geo.ny * scale / 100), dpi=100, facecolor=SEA)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, geo.nx)
    ax.set_ylim(0, geo.ny)
    ax.set_axis_off()
    ax.set_facecolor(SEA)
    _draw_countries(ax, geo)
    _draw_routes(ax, geo)
    _draw_places(ax, geo)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, facecolor=SEA)
    return buffer.getvalue()


def _halo() -> list:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.5, foreground="white", alpha=0.85)]


def _draw_countries(ax, geo: Geography) -> None:
    """Countries shaded and outlined, the coast darker, and the names of countries and seas."""
    # Contours on cell centres, the grid padded by a cell so that land reaches the edges.
    padded = np.pad(geo.country, 1, mode="edge").T
    xs, ys = np.arange(-1, geo.nx + 1) + 0.5, np.arange(-1, geo.ny + 1) + 0.5
    tones = _tones(geo)
    for k, tone in tones.items():
        mask = (padded == k).astype(float)
        ax.contourf(xs, ys, mask, levels=[0.5, 1.5], colors=[tone], antialiased=True)
        ax.contour(xs, ys, mask, levels=[0.5], colors=[BORDER], linewidths=0.6)
    ax.contour(xs, ys, (padded > 0).astype(float), levels=[0.5], colors=[COAST], linewidths=0.9)
    for k in tones:
        mask = geo.country == k
        if mask.sum() < 60:
            continue  # too small to name without covering its neighbours
        name = geo.countries[k].upper()
        x, y = _on_map(*_interior_point(mask), name, geo)
        ax.text(x, y, name, ha="center", va="center", fontsize=8.5, color="#7a7060",
                fontweight="bold", alpha=0.8, path_effects=_halo())  # fmt: skip
    for name, lat, lon in SEAS:
        x, y = (lon - geo.lon_min) / geo.resolution_deg, (lat - geo.lat_min) / geo.resolution_deg
        x, y = _on_map(x, y, name, geo)
        ax.text(x, y, name, ha="center", va="center", fontsize=8.5, color="#3c6f96",
                style="italic", alpha=0.9)  # fmt: skip


def _on_map(x: float, y: float, name: str, geo: Geography) -> tuple[float, float]:
    """Move a centred name just enough for all of it to show (sizes in cells, 8.5 pt)."""
    half_width = 0.56 * max(len(line) for line in name.split("\n")) + 0.5
    half_height = 0.9 * (name.count("\n") + 1)
    return (
        min(max(x, half_width), geo.nx - half_width),
        min(max(y, half_height), geo.ny - half_height),
    )


def _draw_routes(ax, geo: Geography) -> None:
    """The land corridor (dashed) and the shipping lanes (dotted)."""
    ax.plot(*path_points(geo.corridor).T, color=CORRIDOR, lw=2.2, ls=(0, (4, 2)), alpha=0.75)
    for lane in geo.lanes.values():
        ax.plot(*path_points(lane).T, color=LANE, lw=1.6, ls=(0, (1, 1.6)), alpha=0.8)


def _draw_places(ax, geo: Geography) -> None:
    """Named places as dots, the most important named first where names would collide."""
    rank = {kind: i for i, kind in enumerate(PLACE_KINDS)}
    taken: list[tuple[float, float, float, float]] = []
    for place in sorted(geo.places.values(), key=lambda p: rank.get(p.kind, len(rank))):
        if place.kind not in rank:
            continue
        name = PLACE_LABELS.get(place.name, place.name)
        x, y = place.cell[0] + 0.5, place.cell[1] + 0.5
        ax.plot(x, y, "o", ms=2.6, color="#333333", zorder=4)
        box = _free_spot(name, x, y, taken, geo.nx)
        if box is not None:
            taken.append(box)
            ax.text(box[0], y + 0.2, name, ha="left", va="center", fontsize=7, color="#222222",
                    zorder=5, path_effects=_halo())  # fmt: skip


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def coverage_png(coverage: np.ndarray) -> bytes:
    """Surveillance coverage as a translucent teal layer, one pixel per cell."""
    share = np.clip(coverage.T[::-1], 0.0, 1.0)  # rows from the north
    rgba = np.zeros((*share.shape, 4), dtype=np.uint8)
    rgba[..., :3] = (0, 121, 107)
    rgba[..., 3] = (np.sqrt(share) * 190).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


def _shape(shape: str, x: float, y: float, r: float, style: str, title: str) -> str:
    tip = f"<title>{escape(title)}</title>"
    match shape:
        case "square":
            return (
                f'<rect x="{x - r:.2f}" y="{y - r:.2f}" width="{2 * r:.2f}" height="{2 * r:.2f}" '
                f"{style}>{tip}</rect>"
            )
        case "diamond":
            pts = f"{x:.2f},{y - r * 1.3:.2f} {x + r:.2f},{y:.2f} {x:.2f},{y + r * 1.3:.2f} "
            pts += f"{x - r:.2f},{y:.2f}"
            return f'<polygon points="{pts}" {style}>{tip}</polygon>'
        case "triangle":
            pts = f"{x:.2f},{y - r * 1.2:.2f} {x + r:.2f},{y + r * 0.8:.2f} "
            pts += f"{x - r:.2f},{y + r * 0.8:.2f}"
            return f'<polygon points="{pts}" {style}>{tip}</polygon>'
        case "star":
            angles = np.arange(10) * np.pi / 5 - np.pi / 2
            radii = np.where(np.arange(10) % 2 == 0, r * 1.3, r * 0.55)
            pts = " ".join(
                f"{x + rr * np.cos(a):.2f},{y + rr * np.sin(a):.2f}"
                for a, rr in zip(angles, radii, strict=True)
            )
            return f'<polygon points="{pts}" {style}>{tip}</polygon>'
        case _:
            return f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r:.2f}" {style}>{tip}</circle>'


@dataclass
class MapDrawing:
    """Draws one model's map for one viewer; the background is shared, the overlay per frame."""

    model: WargameModel

    def __post_init__(self) -> None:
        geo = self.model.geo
        self.nx, self.ny = geo.nx, geo.ny
        self.cell = 0.25 / geo.resolution_deg  # marks keep their size on a finer map
        self._coverage_key: tuple[str | None, frozenset[str]] | None = None
        self._coverage_url = ""

    @property
    def background(self) -> bytes:
        return background_png(self.model.geo.resolution_deg)

    def xy(self, cell: tuple[int, int]) -> tuple[float, float]:
        """SVG coordinates (x to the east, y down) of a cell's centre."""
        return cell[0] + 0.5, self.ny - cell[1] - 0.5

    def overlay(self, picture: Picture, coverage: bool = False) -> str:
        """The frame's SVG: what changes, over the cached background."""
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.nx} {self.ny}" '
            'preserveAspectRatio="none" class="wg-overlay" '
            'style="position:absolute;left:0;top:0;width:100%;height:100%">'
        ]
        if coverage:
            parts.append(self._coverage(picture))
        parts += self._sites()
        parts += self._forces()
        parts += self._tankers()
        parts += self._convoys(picture)
        parts += self._incidents(picture)
        parts.append("</svg>")
        return "".join(parts)

    def _coverage(self, picture: Picture) -> str:
        field = picture.coverage()
        if field is None:
            return ""
        # The field changes only when a side's surveillance surge starts or ends.
        key = (picture.side, frozenset(self.model.surveillance.surges))
        if key != self._coverage_key:
            self._coverage_url = _data_url(coverage_png(field))
            self._coverage_key = key
        return (
            f'<image href="{self._coverage_url}" x="0" y="0" width="{self.nx}" '
            f'height="{self.ny}" preserveAspectRatio="none" class="wg-coverage"/>'
        )

    def _sites(self) -> list[str]:
        m, r = self.model, 0.95 * self.cell
        out = []
        for site in m.site_list:
            x, y = self.xy(site.cell.coordinate)
            owner = m.actors[site.owner]
            shape = SITE_SHAPES.get(site.kind, "circle")
            title = f"{site.name} ({owner.name})"
            if site.spec.personnel:
                title += f", {site.staff:,} people"
            if site.is_oil:
                status = (
                    "operating"
                    if site.offline_mbd <= 0
                    else "offline"
                    if site.offline_mbd >= site.spec.capacity_mbd
                    else "damaged"
                )
                fill = OIL_COLOURS[status]
                title += (
                    f": {status}, {site.offline_mbd:.1f} of {site.spec.capacity_mbd:.1f} mb/d out"
                )
            elif owner.posture and site.kind in ("base", "embassy", "consulate", "military_site"):
                level = m.posture_level(site.owner, site.country)
                fill = POSTURE_COLOURS[level]
                title += f": force protection {level}"
                if site.evacuated:
                    title += ", non-essential staff evacuated"
            else:
                fill = owner.spec.colour
            if site.kind == "city":
                style = f'fill="{owner.spec.colour}" stroke="white" stroke-width="{0.2 * r:.2f}"'
                out.append(_shape("dot", x, y, 0.5 * r, style, title))
                continue
            hollow = site.evacuated and site.is_mission
            style = (
                f'fill="{"white" if hollow else fill}" stroke="{owner.spec.colour}" '
                f'stroke-width="{0.35 * r:.2f}"'
            )
            out.append(_shape(shape, x, y, r, style, title))
        return out

    def _forces(self) -> list[str]:
        m, r = self.model, 1.05 * self.cell
        out = []
        for force in m.forces.values():
            if not force.in_theatre:
                continue
            x, y = self.xy(force.station)
            style = f'fill="{m.actors[force.owner].spec.colour}" stroke="white" stroke-width="0.3"'
            title = f"{force.name}: deployed"
            out.append(_shape("star", x + 1.4 * r, y - 1.4 * r, r, style, title))
        return out

    def _tankers(self) -> list[str]:
        m = self.model
        out = []
        for tanker in m.tankers:
            x, y = self.xy(tanker.cell.coordinate)
            w = (0.6 + 0.12 * min(tanker.ships, 8)) * self.cell
            title = f"{tanker.ships} tanker(s) carrying {m.actors[tanker.owner].name} oil"
            out.append(
                f'<ellipse cx="{x:.2f}" cy="{y:.2f}" rx="{w:.2f}" ry="{0.45 * self.cell:.2f}" '
                f'fill="{TANKER}" stroke="white" stroke-width="0.2" class="wg-tanker">'
                f"<title>{escape(title)}</title></ellipse>"
            )
        return out

    def _convoys(self, picture: Picture) -> list[str]:
        m, r = self.model, 0.8 * self.cell
        out = []
        for convoy in picture.convoys():
            x, y = self.xy(convoy.cell.coordinate)
            title = f"Missile convoy for {m.actors[convoy.recipient].name}"
            if picture.side is None:
                seen = ", ".join(m.actors[a].name for a in sorted(convoy.detected_by))
                title += f", sent on day {convoy.sent_on}; spotted by {seen or 'nobody'}"
            elif picture.side == convoy.owner:
                title += f", sent on day {convoy.sent_on}"  # whether it was seen, it cannot know
            else:
                title += ", spotted by your surveillance"
            out.append(
                f'<rect x="{x - r:.2f}" y="{y - 0.7 * r:.2f}" width="{2 * r:.2f}" '
                f'height="{1.4 * r:.2f}" rx="0.3" fill="{CONVOY}" stroke="white" '
                f'stroke-width="0.25" class="wg-convoy"><title>{escape(title)}</title></rect>'
            )
        return out

    def _incidents(self, picture: Picture) -> list[str]:
        day, r = self.model.day, 1.6 * self.cell
        out = []
        for heard in picture.recent(INCIDENT_DAYS):
            event = heard.event
            x, y = self.xy(event.cell)
            fade = 1.0 - (day - event.day) / INCIDENT_DAYS
            out.append(
                f'<g class="wg-incident" opacity="{0.35 + 0.65 * fade:.2f}">'
                f"<title>{escape(picture.sentence(heard))}</title>"
                f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r:.2f}" fill="none" stroke="{INCIDENT}" '
                f'stroke-width="0.45"/>'
                f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{0.45 * r:.2f}" fill="{INCIDENT}"/></g>'
            )
        return out


def legend_html() -> str:
    """The map's key, as HTML with small SVG symbols."""

    def icon(inner: str, width: int = 16) -> str:
        box = f"-1.6 -1.6 {width / 5:.1f} 3.2"
        return f'<svg width="{width}" height="16" viewBox="{box}">{inner}</svg>'

    def symbol(shape: str, fill: str, stroke: str = "#555") -> str:
        style = f'fill="{fill}" stroke="{stroke}" stroke-width="0.35"'
        return icon(_shape(shape, 0, 0, 1.0, style, ""))

    line = (
        '<line x1="-1.6" y1="0" x2="5" y2="0" stroke="{}" stroke-width="{}" stroke-dasharray="{}"/>'
    )
    rows = [
        (
            "Base: force protection NORMAL, ALPHA, BRAVO, CHARLIE, DELTA",
            "".join(symbol("square", c) for c in POSTURE_COLOURS.values()),
        ),
        ("Embassy or consulate (hollow: staff evacuated)", symbol("diamond", "white", "#1f4e99")),
        (
            "Oil facility: operating, damaged, offline",
            "".join(symbol("circle", c) for c in OIL_COLOURS.values()),
        ),
        ("Militia site (in the militia's colour)", symbol("triangle", "#8e24aa")),
        ("Deployed force (in its owner's colour)", symbol("star", "#1f4e99", "white")),
        ("Missile convoy on the corridor", symbol("square", CONVOY, "white")),
        ("Tankers at sea", icon(f'<ellipse rx="1.3" ry="0.6" fill="{TANKER}"/>')),
        (
            f"Incident in the last {INCIDENT_DAYS} days (fading with age)",
            icon(
                f'<circle r="1.4" fill="none" stroke="{INCIDENT}" stroke-width="0.35"/>'
                f'<circle r="0.6" fill="{INCIDENT}"/>'
            ),
        ),
        ("Land corridor, Tehran to Beirut", icon(line.format(CORRIDOR, 0.5, "1 0.4"), 33)),
        ("Shipping lane", icon(line.format(LANE, 0.4, "0.3 0.5"), 33)),
        ("Surveillance coverage (switch above)", symbol("square", "#4da197", "#4da197")),
    ]
    items = "".join(
        f'<div class="wg-legend-row"><span class="wg-legend-sym">{sym}</span>'
        f"<span>{escape(text)}</span></div>"
        for text, sym in rows
    )
    return f'<div class="wg-legend">{items}</div>'
