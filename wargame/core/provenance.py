"""Where a scenario's numbers come from.

In a scenario file any value may be written as ``{ value = ..., source = "...", note = "..." }``.
``source`` names an entry of the file's ``[references]`` table (the article, a cited public
fact) or is ``"assumption"``; ``note`` holds the quote or the reasoning. The loader strips
these wrappers before validation, so the rules read plain numbers, and keeps the sources here
for the documentation and the provenance tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ASSUMPTION = "assumption"
OVERRIDE = "override"
WRAPPER_KEYS = frozenset({"value", "source", "note"})


@dataclass(frozen=True, slots=True)
class Source:
    """The provenance of one value: a reference key (or assumption/override) and a note."""

    ref: str
    note: str = ""


def is_wrapper(node: Any) -> bool:
    """A table is a provenance wrapper when it has ``value`` and only wrapper keys."""
    return isinstance(node, dict) and "value" in node and set(node) <= WRAPPER_KEYS


def unwrap(node: Any, path: str = "") -> tuple[Any, dict[str, Source], list[tuple[str, str]]]:
    """Replace provenance wrappers by their values.

    Returns the plain tree, the sources by dotted key, and problems as (key, message).
    """
    sources: dict[str, Source] = {}
    problems: list[tuple[str, str]] = []

    def walk(item: Any, key: str) -> Any:
        if is_wrapper(item):
            ref = item.get("source")
            note = item.get("note", "")
            if not isinstance(ref, str) or not ref:
                problems.append((key, "a value with provenance needs a 'source' string"))
            elif not isinstance(note, str):
                problems.append((f"{key}.note", "must be a string"))
            else:
                sources[key] = Source(ref, note)
            return walk(item["value"], key)
        if isinstance(item, dict):
            return {k: walk(v, f"{key}.{k}" if key else str(k)) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v, f"{key}[{i}]") for i, v in enumerate(item)]
        return item

    return walk(node, path), sources, problems


def numeric_leaves(node: Any, path: str = "") -> list[str]:
    """Dotted keys of every number in a plain tree (booleans are not numbers here)."""
    if isinstance(node, dict):
        return [
            leaf
            for k, v in node.items()
            for leaf in numeric_leaves(v, f"{path}.{k}" if path else str(k))
        ]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in numeric_leaves(v, f"{path}[{i}]")]
    if isinstance(node, int | float) and not isinstance(node, bool):
        return [path]
    return []


def markdown_table(
    values: dict[str, Any], sources: dict[str, Source], references: dict[str, str]
) -> str:
    """Every number of a scenario with its provenance, as Markdown (for docs/model.md)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| Parameter | Value | Source | Note |", "|---|---|---|---|"]
    for key in numeric_leaves(values):
        if key.startswith("history["):
            continue
        source = sources.get(key, Source("(none)"))
        value = _lookup(values, key)
        lines.append(f"| `{key}` | {value:g} | {cell(source.ref)} | {cell(source.note)} |")
    lines += ["", "| Reference | Citation |", "|---|---|"]
    lines += [f"| {cell(key)} | {cell(text)} |" for key, text in references.items()]
    return "\n".join(lines) + "\n"


def _lookup(tree: Any, dotted: str) -> Any:
    node = tree
    for part in dotted.replace("[", ".").replace("]", "").split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node
