"""From a data file to clear errors: reading TOML and turning schema errors into one line each.

Scenario files and exercise packs share this: every problem is reported as ``file: key: what is
wrong``, with a suggestion for a misspelt key, so a user can fix the file without a traceback.
"""

from __future__ import annotations

import difflib
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError


class ScenarioError(Exception):
    """A scenario cannot be used; ``lines`` holds one message per problem."""

    def __init__(self, lines: list[str]):
        lines = bounded(lines)
        super().__init__("\n".join(lines))
        self.lines = lines

    def __reduce__(self) -> tuple[type, tuple[list[str]]]:
        """Cross process boundaries (batch workers) with the lines intact."""
        return ScenarioError, (self.lines,)


# Bounds on what a data file may hold, far above any real one (may2019.toml: 54 kB, nested 6
# deep, 2,000 keys and items), so that a hostile or broken file is refused in one line instead of
# exhausting the stack, the memory or the user's patience.
MAX_FILE_BYTES = 1 << 20
MAX_DEPTH = 32  # tables and lists inside one another
MAX_ENTRIES = 20_000  # keys and list items in one file
MAX_PROBLEMS = 50  # lines reported for one file; the rest are counted


def read_text(path: Path) -> str:
    """A data file's text (a scenario, a pack, a briefing), at most ``MAX_FILE_BYTES`` of
    UTF-8, or one line naming the file and saying what is wrong."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError([f"{path}: too large (more than {MAX_FILE_BYTES:,} bytes)"])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([f"{path}: not UTF-8 text (byte {exc.start} is not)"]) from None


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; a syntax error gives its line and column."""
    return parse_toml(read_text(path), str(path))


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """TOML text as a dict, within the bounds of depth and size; ``where`` names it in errors."""
    try:
        tree = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{where}: TOML syntax error: {exc}"]) from None
    except RecursionError:
        raise ScenarioError([f"{where}: nested more than {MAX_DEPTH} levels deep"]) from None
    check_bounds(tree, where)
    return tree


def check_bounds(tree: Any, where: str) -> None:
    """Refuse a tree nested more than ``MAX_DEPTH`` deep or holding more than ``MAX_ENTRIES``
    keys and items (walked without recursion, so any tree can be measured)."""
    stack = [(tree, 1)] if isinstance(tree, dict | list) else []
    entries = 0
    while stack:
        node, depth = stack.pop()
        children = list(node.values()) if isinstance(node, dict) else node
        entries += len(children)
        if depth > MAX_DEPTH:
            raise ScenarioError([f"{where}: nested more than {MAX_DEPTH} levels deep"])
        if entries > MAX_ENTRIES:
            raise ScenarioError([f"{where}: more than {MAX_ENTRIES:,} keys and items"])
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def bounded(lines: list[str]) -> list[str]:
    """At most ``MAX_PROBLEMS`` problems, the rest counted in a last line."""
    if len(lines) <= MAX_PROBLEMS:
        return lines
    return [*lines[:MAX_PROBLEMS], f"... and {len(lines) - MAX_PROBLEMS:,} more problems"]


def inside(folder: Path, ref: str) -> Path | None:
    """The file ``ref`` names relative to ``folder`` if it is in the folder or below it (after
    following links), else None: a data file may name files beside it, never elsewhere."""
    base = folder.resolve()
    target = (base / ref).resolve()
    return target if target.is_relative_to(base) and target != base else None


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema class that holds the key at ``loc``, to suggest names for unknown keys."""
    current: Any = root
    for part in loc:
        current = _strip(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return None
            current = info.annotation
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
        else:
            return None
    current = _strip(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _strip(tp: Any) -> Any:
    """Remove Annotated and Optional wrappers from a type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def describe(root: type[BaseModel], error: dict[str, Any]) -> tuple[str, str]:
    """A pydantic error as (dotted key, message), with a suggestion for an unknown key."""
    loc = tuple(error["loc"])
    key = _dotted(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        names = list(parent.model_fields) if parent else []
        hint = difflib.get_close_matches(str(loc[-1]), names, n=1)
        tip = (
            f"; did you mean '{hint[0]}'?"
            if hint
            else (f"; allowed: {', '.join(names)}" if names else "")
        )
        return key, f"unknown key{tip}"
    if kind == "missing":
        return key, "required key is missing"
    got = error.get("input")
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return key, f"must be a table, like [{key}] (got {shown})"
    return key, f"{error['msg'][0].lower()}{error['msg'][1:]} (got {shown})"


def shape_problem(model: type[BaseModel], data: Any) -> str | None:
    """What is wrong with data read from a file (JSON) for ``model``, in a few words, or None."""
    if not isinstance(data, dict):
        return f"expected a table of keys, got {type(data).__name__}"
    try:
        model.model_validate(data)
    except ValidationError as exc:
        key, message = describe(model, exc.errors()[0])
        more = len(exc.errors()) - 1
        return f"{key}: {message}" + (f" (and {more} more problems)" if more else "")
    return None
