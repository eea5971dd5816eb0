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

from pydantic import BaseModel


class ScenarioError(Exception):
    """A scenario cannot be used; ``lines`` holds one message per problem."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines

    def __reduce__(self) -> tuple[type, tuple[list[str]]]:
        """Cross process boundaries (batch workers) with the lines intact."""
        return ScenarioError, (self.lines,)


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; a syntax error gives its line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{path}: cannot read: {exc}"]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{path}: TOML syntax error: {exc}"]) from None


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
