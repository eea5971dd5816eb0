"""Load a scenario: read the TOML, follow ``extends``, apply overrides, validate.

Scenario files are data, never code. Every problem is reported as one line naming the file,
the dotted key and what is wrong; all problems are gathered before anything runs, so a
malformed scenario stops the command with exit code 2 and writes nothing.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import pickle
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wargame.core import provenance
from wargame.core.geography import Geography, load_geography
from wargame.core.incidents import INCIDENTS
from wargame.core.orders import CATALOGUE, SECTORS, Target
from wargame.core.schema import Scenario
from wargame.core.validation import (
    MAX_DEPTH,
    ScenarioError,
    check_bounds,
    describe,
    inside,
    parse_toml,
    read_text,
)

COMMAND_LINE = "--set"
MAX_EXTENDS = 16  # files in a chain of extends; the shipped ones use 2
MAX_KEY_LENGTH = 200  # characters of a dotted key given as an override


@dataclass
class LoadedScenario:
    """A validated scenario with where it came from and where its numbers came from."""

    spec: Scenario
    origin: str  # the file, or the shipped name
    sources: dict[str, provenance.Source]
    raw: dict[str, Any] = field(repr=False)  # the effective tree, provenance included

    @property
    def name(self) -> str:
        return self.spec.scenario.name

    @property
    def sha256(self) -> str:
        """Identity of the effective scenario (after extends and overrides)."""
        text = json.dumps(self.raw, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def geography(self) -> Geography:
        return load_geography(self.spec.map.resolution_deg)


def shipped() -> dict[str, Path]:
    """The scenarios that come with the package, by name."""
    folder = resources.files("wargame.configs")
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    }


def resolve_path(ref: str) -> Path:
    """A scenario reference is a path to a file or the name of a shipped scenario."""
    candidate = Path(ref)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise ScenarioError([f"{ref}: no such scenario file"])
        return candidate
    known = shipped()
    if ref in known:
        return known[ref]
    raise ScenarioError([f"{ref}: no such scenario file or shipped scenario{_hint(ref)}"])


def _hint(ref: str) -> str:
    """The shipped scenario a misspelt name may mean, or the list of them."""
    known = list(shipped())
    hint = difflib.get_close_matches(ref, known, n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else f" (shipped: {', '.join(known)})"


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child tables merge into the parent's; values, wrappers and lists replace."""
    out = dict(base)
    for key, value in child.items():
        old = out.get(key)
        mergeable = isinstance(old, dict) and not provenance.is_wrapper(old)
        if mergeable and isinstance(value, dict) and not provenance.is_wrapper(value):
            out[key] = _merge(old, value)
        else:
            out[key] = value
    return out


Layer = tuple[Path, dict[str, Any]]  # a file and what it says, before merging


def _read_with_parents(path: Path) -> list[Layer]:
    """The file and the files it extends, the file itself first. A file extends a shipped
    scenario or a file beside it or below it, never any other file on the machine."""
    layers: list[Layer] = []
    seen: list[Path] = []
    while True:
        if path.resolve() in seen:
            chain = " -> ".join(str(p) for p in (*seen, path.resolve()))
            raise ScenarioError([f"{path}: scenario.extends: circular: {chain}"])
        if len(seen) == MAX_EXTENDS:
            raise ScenarioError(
                [f"{path}: scenario.extends: a chain of more than {MAX_EXTENDS} files"]
            )
        raw = _read_parsed(path)
        layers.append((path, raw))
        seen.append(path.resolve())
        info = raw.get("scenario")
        parent_ref = info.get("extends") if isinstance(info, dict) else None
        if parent_ref is None:
            return layers
        path = beside(path, parent_ref)


_PARSED: dict[Path, tuple[str, bytes]] = {}  # by file: its text, and its tree pickled
PARSED_KEPT = 32  # files kept (a server loading many uploaded packs must not grow for ever)


def _read_parsed(path: Path) -> dict[str, Any]:
    """A scenario file's tree, parsed once per process while its text is unchanged: a
    sensitivity design loads the scenario anew for each of its points, and parsing the TOML
    took nearly all of a load (41 of 42 CPU ms for may2019; a copy out of the cache takes 1.4).
    Each call gets a tree of its own, which overrides may change."""
    text, key = read_text(path), path.resolve()
    found = _PARSED.get(key)
    if found is None or found[0] != text:
        if len(_PARSED) >= PARSED_KEPT:
            _PARSED.clear()
        found = _PARSED[key] = text, pickle.dumps(parse_toml(text, str(path)))
    return pickle.loads(found[1])


def beside(path: Path, ref: Any, key: str = "scenario.extends") -> Path:
    """The scenario that the file ``path`` names at ``key``: a file in its folder (or below
    it), or a shipped scenario's name; never any other file on the machine."""
    if not isinstance(ref, str):
        raise ScenarioError([f"{path}: {key}: must be a scenario name or path"])
    local = inside(path.parent, ref)
    if local is not None and local.is_file():
        return local
    if ref in shipped():
        return shipped()[ref]
    if local is None:
        raise ScenarioError(
            [
                f"{path}: {key}: '{ref}' is outside this file's folder; name a shipped scenario "
                "or a file beside this one (or below it)"
            ]
        )
    raise ScenarioError(
        [f"{path}: {key}: no such file beside this one, nor shipped scenario '{ref}'{_hint(ref)}"]
    )


def _merged(layers: list[Layer]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for _, raw in reversed(layers):
        tree = _merge(tree, raw)
    info = tree.get("scenario")
    if isinstance(info, dict):
        info.pop("extends", None)
    return tree


def _depth_in(raw: Any, key: str) -> int:
    """How many parts of a dotted key (``actors.us.allies[0]``) a file's tree holds."""
    parts = key.replace("[", ".").replace("]", "").split(".")
    for depth, part in enumerate(parts):
        if isinstance(raw, dict) and part in raw:
            raw = raw[part]
        elif isinstance(raw, list) and part.isdigit() and int(part) < len(raw):
            raw = raw[int(part)]
        else:
            return depth
    return len(parts)


def _file_of(layers: list[Layer], key: str) -> Path:
    """The file a problem at ``key`` comes from: the one that says most of it (the most
    derived file on a tie), so an error inherited through ``extends`` names the parent."""
    return max(layers, key=lambda layer: _depth_in(layer[1], key))[0]


def parse_override(text: str) -> tuple[str, Any]:
    """``key=value`` from the command line; the value is read as TOML, else as a string."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(
            [f"{COMMAND_LINE} {text[:60]}: expected KEY=VALUE, e.g. actors.iran.resolve=0.8"]
        )
    check_key(key, f"{COMMAND_LINE} {_short(key)}")
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return key, value.strip()
    except RecursionError:
        raise ScenarioError(
            [f"{COMMAND_LINE} {_short(key)}: nested more than {MAX_DEPTH} levels deep"]
        ) from None
    check_bounds(parsed, f"{COMMAND_LINE} {_short(key)}")
    return key, parsed


def check_key(key: str, name: str) -> None:
    """An override's dotted key: at most ``MAX_KEY_LENGTH`` characters and ``MAX_DEPTH`` parts."""
    if len(key) > MAX_KEY_LENGTH or key.count(".") >= MAX_DEPTH:
        raise ScenarioError(
            [
                f"{name}: a key has at most {MAX_KEY_LENGTH} characters and {MAX_DEPTH} parts "
                f"(this one: {len(key):,} characters, {key.count('.') + 1:,} parts)"
            ]
        )


def _short(key: str) -> str:
    return key if len(key) <= 60 else key[:57] + "..."


# Tables of named entities (actors, sites, ...): an override may change one, never invent one.
ENTITIES = frozenset(
    name
    for name, spec in Scenario.model_fields.items()
    if typing.get_origin(spec.annotation) is dict and typing.get_args(spec.annotation)[0] is not str
)


def _apply_override(raw: dict[str, Any], key: str, value: Any, name: str) -> None:
    """Set ``key`` in the tree; ``name`` is how it was given (``--set KEY``, ``--days``...)."""
    parts = key.split(".")
    node: Any = raw
    for depth, part in enumerate(parts[:-1]):
        here = ".".join(parts[: depth + 1])
        if depth == 1 and parts[0] in ENTITIES and part not in node:
            what = parts[0].rstrip("s") if parts[0] != "isr" else "surveillance asset"
            raise ScenarioError([f"{name}: {_unknown(part, node, what)}"])
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and not provenance.is_wrapper(node):
            node = node.setdefault(part, {})
        else:
            raise ScenarioError([f"{name}: '{here}' is not a table"])
        if provenance.is_wrapper(node):
            raise ScenarioError([f"{name}: '{here}' is a value, not a table"])
    leaf = parts[-1]
    if isinstance(node, list):
        if not (leaf.isdigit() and int(leaf) < len(node)):
            raise ScenarioError([f"{name}: no item {leaf} in the list"])
        node[int(leaf)] = value
    elif not isinstance(node, dict):
        raise ScenarioError([f"{name}: the parent is not a table"])
    elif provenance.is_wrapper(node.get(leaf)):
        node[leaf] = {
            "value": value,
            "source": provenance.OVERRIDE,
            "note": "set on the command line",
        }
    else:
        node[leaf] = value


def load_scenario(
    ref: str | Path,
    overrides: dict[str, Any] | None = None,
    given: Mapping[str, str] | None = None,
) -> LoadedScenario:
    """Load, merge, override and validate a scenario; raise ScenarioError with every problem.
    ``given`` says how an override was given, for its error lines (``--days`` for
    ``scenario.days``, ``--sweep KEY``); any other is named ``--set KEY``."""
    path = resolve_path(str(ref))
    by_path = Path(str(ref)).suffix == ".toml" or Path(str(ref)).exists()
    origin = str(path) if by_path else str(ref)
    layers = _read_with_parents(path)
    raw = _merged(layers)
    names = {
        key: (given or {}).get(key, f"{COMMAND_LINE} {_short(key)}") for key in overrides or {}
    }
    for key, name in names.items():
        check_key(key, name)
    for key, value in (overrides or {}).items():
        _apply_override(raw, key, value, names[key])

    def where(key: str) -> str:
        for o, name in names.items():
            if key == o or key.startswith(o + "."):
                return name + key[len(o) :]  # the override, or a key inside it
            if o.startswith(key + "."):
                return name
        found = _file_of(layers, key)
        return f"{origin if found == path else found}: {key}"

    plain, sources, problems = provenance.unwrap(raw)
    lines = [f"{where(k)}: {msg}" for k, msg in problems]
    try:
        spec = Scenario.model_validate(plain)
    except ValidationError as exc:
        for error in exc.errors():
            key, message = describe(Scenario, error)
            lines.append(f"{where(key)}: {message}")
        raise ScenarioError(lines) from None
    references = set(spec.references) | {provenance.ASSUMPTION, provenance.OVERRIDE}
    for key, source in sources.items():
        if source.ref not in references:
            lines.append(
                f"{where(key)}: source '{source.ref}' is not in [references] or 'assumption'"
            )
    lines += [f"{where(k)}: {msg}" for k, msg in check_references(spec)]
    if lines:
        raise ScenarioError(lines)
    return LoadedScenario(spec=spec, origin=origin, sources=sources, raw=raw)


def _unknown(value: str, known: typing.Iterable[str], what: str) -> str:
    known = sorted(known)
    hint = difflib.get_close_matches(value, known, n=1)
    tip = f"; did you mean '{hint[0]}'?" if hint else ""
    return f"unknown {what} '{value}'{tip}"


def target_names(spec: Scenario, geo: Geography, target: Target) -> set[str]:
    """Every name an order of this target type could aim at, for static checks."""
    militias = {k for k, a in spec.actors.items() if a.kind == "militia"}
    return {
        Target.NONE: set(),
        Target.COUNTRY: set(geo.countries[1:]),
        Target.SITE: set(spec.sites),
        Target.UNIT: set(spec.units),
        Target.ACTOR: set(spec.actors),
        Target.MILITIA: militias,
        Target.PAIR: {f"{a}:{b}" for a in spec.actors for b in spec.actors if a != b},
        Target.SECTOR: set(SECTORS),
        Target.LANE: set(geo.lanes),
    }[target]


def _doctrine_problems(key: str, aid: str, actor: Any, actors: set[str]) -> list[tuple[str, str]]:
    """A side's campaigns and red lines name orders of the catalogue (one the side cannot give,
    as in a counterfactual that takes it away, stays inert), its enemies, and aims of their
    own; the pairs it mediates between are two other sides."""
    problems: list[tuple[str, str]] = []
    goals = set(type(actor.goals).model_fields)
    for table in ("campaigns", "red_lines"):
        for name, entry in getattr(actor, table).items():
            where = f"{key}.{table}.{name}"
            if name in goals or (table == "red_lines" and name in actor.campaigns):
                problems.append((where, f"'{name}' is already the name of an aim of {aid}"))
            kinds = entry.orders if table == "campaigns" else entry.answer
            field = "orders" if table == "campaigns" else "answer"
            for i, kind in enumerate(kinds):  # an order the side cannot give stays inert
                if kind not in CATALOGUE:
                    problems.append((f"{where}.{field}[{i}]", _unknown(kind, CATALOGUE, "order")))
            for i, enemy in enumerate(getattr(entry, "against", [])):
                if enemy not in actor.adversaries:
                    problems.append(
                        (f"{where}.against[{i}]", f"'{enemy}' is not an adversary of {aid}")
                    )
    for i, pair in enumerate(actor.mediates):
        for j, side in enumerate(pair):
            if side not in actors or side == aid:
                problems.append((f"{key}.mediates[{i}][{j}]", f"'{side}' is not another side"))
    return problems


def check_references(spec: Scenario) -> list[tuple[str, str]]:
    """Cross-references the schema cannot see: names that must exist, places on the map."""
    geo = load_geography(spec.map.resolution_deg)
    actors = set(spec.actors)
    problems: list[tuple[str, str]] = []

    def need(key: str, value: str | None, known: typing.Iterable[str], what: str) -> None:
        if value is not None and value not in known:
            problems.append((key, _unknown(value, known, what)))

    def need_other(key: str, value: str | None, aid: str) -> None:
        """An actor named by another (an ally, a sponsor...): it must exist and not be itself."""
        if value == aid:
            problems.append((key, f"'{aid}' cannot name itself here"))
        else:
            need(key, value, actors, "actor")

    def locate(key: str, place: str | None, lat: float | None, lon: float | None) -> None:
        if place is not None and (lat is not None or lon is not None):
            problems.append((key, "give either 'place' or 'lat' and 'lon', not both"))
        elif place is not None:
            need(f"{key}.place", place, geo.places, "place")
        elif lat is None or lon is None:
            problems.append((key, "needs a 'place' or both 'lat' and 'lon'"))
        elif not geo.contains(lat, lon):
            problems.append(
                (
                    f"{key}.lat",
                    f"({lat}, {lon}) is off the map (lat {geo.lat_min}-{geo.lat_max}, "
                    f"lon {geo.lon_min}-{geo.lon_max})",
                )
            )

    for i, aid in enumerate(spec.scenario.key_pair):
        need(f"scenario.key_pair[{i}]", aid, actors, "actor")
    if len(set(spec.scenario.key_pair)) < len(spec.scenario.key_pair):
        problems.append(("scenario.key_pair", "needs two different actors"))
    reachable = set(geo.countries[1:]) | set(geo.lanes)
    for aid, actor in spec.actors.items():
        key = f"actors.{aid}"
        need(f"{key}.home", actor.home, set(spec.sites) | set(geo.places), "site or place")
        for i, name in enumerate(actor.reach):
            need(f"{key}.reach[{i}]", name, reachable, "country or lane")
        for i, order in enumerate(actor.orders):
            need(f"{key}.orders[{i}]", order, CATALOGUE, "order")
        for group in ("adversaries", "allies"):
            for i, other in enumerate(getattr(actor, group)):
                need_other(f"{key}.{group}[{i}]", other, aid)
        for i, other in enumerate(actor.allies):
            if other in actor.adversaries:
                problems.append((f"{key}.allies[{i}]", f"'{other}' is also an adversary"))
        need_other(f"{key}.sponsor", actor.sponsor, aid)
        need_other(f"{key}.follows", actor.follows, aid)
        if actor.follows and (actor.support is None or actor.follow_lag_days is None):
            problems.append(
                (key, "an actor that follows another needs 'support' and 'follow_lag_days'")
            )
        if actor.kind in ("militia", "force") and actor.sponsor is None:
            problems.append((f"{key}.sponsor", f"required for a {actor.kind}"))
        if actor.kind == "militia":
            for name in ("capability", "dependence", "autonomy"):
                if getattr(actor, name) is None:
                    problems.append((f"{key}.{name}", "required for a militia"))
        for militia in actor.coordination:
            if spec.actors.get(militia, actor).kind != "militia":
                problems.append((f"{key}.coordination.{militia}", "not a militia of this scenario"))
        problems += _doctrine_problems(key, aid, actor, actors)
    for aid, row in spec.tension.items():
        need(f"tension.{aid}", aid, actors, "actor")
        for other in row:
            need_other(f"tension.{aid}.{other}", other, aid)
    for sid, site in spec.sites.items():
        need(f"sites.{sid}.owner", site.owner, actors, "actor")
        locate(f"sites.{sid}", site.place, site.lat, site.lon)
    for uid, unit in spec.units.items():
        need(f"units.{uid}.owner", unit.owner, actors, "actor")
        locate(f"units.{uid}", unit.place, unit.lat, unit.lon)
    for iid, asset in spec.isr.items():
        need(f"isr.{iid}.owner", asset.owner, actors, "actor")
        locate(f"isr.{iid}", asset.place, asset.lat, asset.lon)
    for aid, policy in spec.policies.items():
        need(f"policies.{aid}", aid, actors, "actor")
        for country in policy.posture:
            need(f"policies.{aid}.posture.{country}", country, geo.countries[1:], "country")
        for i, country in enumerate(policy.interdiction):
            need(f"policies.{aid}.interdiction[{i}]", country, geo.countries[1:], "country")
        if policy.sanctions is not None:
            need_other(f"policies.{aid}.sanctions.target", policy.sanctions.target, aid)
        for guest, bill in policy.withdrawal.items():
            key = f"policies.{aid}.withdrawal.{guest}"
            need_other(key, guest, aid)
            if bill.steps >= spec.rules.sovereignty.max_steps:
                problems.append(
                    (f"{key}.steps", "a bill starts tabled, below rules.sovereignty.max_steps")
                )
    for lane, owners in spec.rules.sabotage.tanker_owners.items():
        for owner in owners:
            need(f"rules.sabotage.tanker_owners.{lane}.{owner}", owner, actors, "actor")
    for kind in spec.rules.escalation.severity:
        need(f"rules.escalation.severity.{kind}", kind, INCIDENTS, "incident kind")
    for table in ("hit", "casualties"):
        for kind in getattr(spec.rules.strikes, table):
            need(f"rules.strikes.{table}.{kind}", kind, CATALOGUE, "order")
    for i, inject in enumerate(spec.injects):
        key = f"injects[{i}]"
        if inject.day > spec.scenario.days:
            problems.append(
                (
                    f"{key}.day",
                    f"day {inject.day} is after the run's last day ({spec.scenario.days})",
                )
            )
        if inject.kind == "order":
            if inject.actor is None or inject.order is None:
                problems.append((key, "an order inject needs 'actor' and 'order'"))
                continue
            need(f"{key}.actor", inject.actor, actors, "actor")
            if inject.actor in spec.actors:
                need(
                    f"{key}.order",
                    inject.order,
                    spec.actors[inject.actor].orders,
                    "order for this actor",
                )
            if inject.order in CATALOGUE:
                allowed = target_names(spec, geo, CATALOGUE[inject.order].target)
                if allowed and inject.target is None:
                    problems.append((f"{key}.target", f"'{inject.order}' needs a target"))
                elif allowed:
                    need(f"{key}.target", inject.target, allowed, "target")
            need(f"{key}.via", inject.via, actors, "actor")
        elif not inject.text:
            problems.append((f"{key}.text", "a note inject needs a text"))
    for i, item in enumerate(spec.history):
        key = f"history[{i}]"
        if item.date >= spec.scenario.start_date:
            problems.append((f"{key}.date", "history must come before the start date"))
        need(f"{key}.kind", item.kind, INCIDENTS, "incident kind")
        need(f"{key}.actor", item.actor, actors, "actor")
        need(f"{key}.target", item.target, actors, "actor")
        need(f"{key}.blamed", item.blamed, actors, "actor")
        need(f"{key}.place", item.place, set(spec.sites) | set(geo.places), "site or place")
        need(f"{key}.source", item.source, spec.references, "reference")
        need(f"{key}.order", item.order, CATALOGUE, "order")
    return problems
