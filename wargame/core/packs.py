"""Exercise packs: a scenario dressed for a seminar.

A pack (``configs/exercises/NAME/pack.toml``) names its scenario and adds what an instructor needs:
a briefing per playable side (Markdown files beside the pack), learning objectives, the sides
people may take, the length of a turn and the number of turns, injects (at the start of a turn,
or the first time an incident of some kind happens) each with a narrative text, and debrief
questions. Packs are data, checked on load like scenarios: one line per problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from wargame.core.incidents import INCIDENTS
from wargame.core.orders import CATALOGUE
from wargame.core.scenario import (
    LoadedScenario,
    beside,
    load_scenario,
    shipped,
    target_names,
)
from wargame.core.schema import Identifier, Strict
from wargame.core.validation import ScenarioError, describe, inside, read_text, read_toml


class ExerciseInfo(Strict):
    name: Identifier
    title: str
    summary: str
    scenario: str  # a shipped scenario's name, or a path relative to the pack
    duration_minutes: Annotated[int, Field(ge=15, le=600)]
    days_per_turn: Annotated[int, Field(ge=1, le=60)]
    turns: Annotated[int, Field(ge=1, le=100)]
    objectives: Annotated[list[str], Field(min_length=1)]
    playable: Annotated[list[str], Field(min_length=1)]  # sides people may take


class ForcedOrder(Strict):
    actor: str
    order: str
    target: str | None = None
    via: str | None = None


class PackInject(Strict):
    """Narrative news for everyone, at the start of a turn or when an incident first happens;
    it may force an order on the next day."""

    text: str
    turn: Annotated[int, Field(ge=1)] | None = None
    when: str | None = None  # an incident kind
    actor: str | None = None  # only incidents by this side
    target: str | None = None  # only incidents against this side
    order: ForcedOrder | None = None


class Debrief(Strict):
    questions: Annotated[list[str], Field(min_length=1)]


class Pack(Strict):
    exercise: ExerciseInfo
    briefings: dict[str, str]  # side (or "facilitator") -> Markdown file beside the pack
    injects: list[PackInject] = Field(default_factory=list)
    debrief: Debrief


@dataclass
class LoadedPack:
    spec: Pack
    folder: Path
    scenario: LoadedScenario
    briefings: dict[str, str]  # role -> Markdown text

    @property
    def name(self) -> str:
        return self.spec.exercise.name

    @property
    def days(self) -> int:
        return self.spec.exercise.turns * self.spec.exercise.days_per_turn


def shipped_packs() -> dict[str, Path]:
    """The exercise packs that come with the package, by name."""
    folder = resources.files("wargame.configs") / "exercises"
    return {
        entry.name: Path(str(entry)) / "pack.toml"
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if (entry / "pack.toml").is_file()
    }


def load_pack(ref: str | Path) -> LoadedPack:
    """Load and check an exercise pack: a folder, its pack.toml, or a shipped pack's name."""
    path = Path(ref)
    if path.is_dir():
        path = path / "pack.toml"
    if not path.is_file():
        packs = shipped_packs()
        if str(ref) not in packs:
            raise ScenarioError([f"{ref}: no such exercise pack (shipped: {', '.join(packs)})"])
        path = packs[str(ref)]
    raw = read_toml(path)
    try:
        spec = Pack.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: {key}: {message}" for key, message in map(describe_pack, exc.errors())]
        raise ScenarioError(lines) from None
    ref = spec.exercise.scenario
    found = beside(path, ref, "exercise.scenario")
    try:
        scenario = load_scenario(ref if shipped().get(ref) == found else found)
    except ScenarioError as exc:
        raise ScenarioError([f"{path}: exercise.scenario: {line}" for line in exc.lines]) from None
    briefings: dict[str, str] = {}
    problems = _check(spec, scenario, path.parent, briefings)
    if problems:
        raise ScenarioError([f"{path}: {key}: {message}" for key, message in problems])
    return LoadedPack(spec=spec, folder=path.parent, scenario=scenario, briefings=briefings)


def describe_pack(error: dict) -> tuple[str, str]:
    return describe(Pack, error)


def _check(
    pack: Pack, scenario: LoadedScenario, folder: Path, briefings: dict[str, str]
) -> list[tuple[str, str]]:
    """What the schema cannot see: sides, files, incident kinds and orders that must exist.
    Each briefing found is read into ``briefings``: a file in the pack's folder (or below it),
    never one elsewhere on the machine."""
    spec = scenario.spec
    sides = set(spec.actors)
    problems: list[tuple[str, str]] = []
    days = pack.exercise.turns * pack.exercise.days_per_turn
    if days > spec.scenario.days:
        lasts = spec.scenario.days
        problems.append(("exercise.turns", f"{days} days of play, but the scenario lasts {lasts}"))
    for i, side in enumerate(pack.exercise.playable):
        if side not in sides:
            problems.append((f"exercise.playable[{i}]", f"unknown side '{side}'"))
        elif side not in pack.briefings:
            problems.append(("briefings", f"no briefing for the playable side '{side}'"))
    for role, file in pack.briefings.items():
        if role != "facilitator" and role not in sides:
            problems.append((f"briefings.{role}", f"unknown side '{role}'"))
        found = inside(folder, file)
        if found is None:
            problems.append((f"briefings.{role}", f"'{file}' is outside the pack's folder"))
        elif not found.is_file():
            problems.append((f"briefings.{role}", f"no such file '{file}' beside the pack"))
        else:
            try:
                briefings[role] = read_text(found)
            except ScenarioError as exc:
                problems.append((f"briefings.{role}", exc.lines[0]))
    for i, inject in enumerate(pack.injects):
        key = f"injects[{i}]"
        if (inject.turn is None) == (inject.when is None):
            problems.append((key, "give either 'turn' or 'when'"))
        if inject.turn is not None and inject.turn > pack.exercise.turns:
            last = pack.exercise.turns
            problems.append((f"{key}.turn", f"turn {inject.turn} is after the last ({last})"))
        if inject.when is not None and inject.when not in INCIDENTS:
            problems.append((f"{key}.when", f"unknown incident kind '{inject.when}'"))
        for field in ("actor", "target"):
            value = getattr(inject, field)
            if value is not None and value not in sides:
                problems.append((f"{key}.{field}", f"unknown side '{value}'"))
        order = inject.order
        if order is not None:
            if order.actor not in sides:
                problems.append((f"{key}.order.actor", f"unknown side '{order.actor}'"))
            elif order.order not in spec.actors[order.actor].orders:
                wrong = f"'{order.order}' is not an order of {order.actor}"
                problems.append((f"{key}.order.order", wrong))
            elif order.target is not None:
                allowed = target_names(spec, scenario.geography, CATALOGUE[order.order].target)
                if order.target not in allowed:
                    problems.append((f"{key}.order.target", f"unknown target '{order.target}'"))
    return problems
