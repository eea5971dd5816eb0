"""The layout holds: imports run one way, and every kind has every entry it needs.

The import check parses every module with ``ast`` (imports inside ``if TYPE_CHECKING:`` are for
type checkers only and do not count) and builds the graph of the project's own imports.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from wargame.core.incidents import INCIDENTS
from wargame.core.orders import CATALOGUE, Target
from wargame.core.scenario import load_scenario
from wargame.core.schema import SiteKind
from wargame.engine import appraisal, legal, umpire
from wargame.engine.model import WargameModel

REPO = Path(__file__).resolve().parents[1]
ROOTS = ("wargame", "agents")
FRONT_ENDS = ("dashboard", "classroom", "batch", "reports")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for root in ROOTS
    for path in sorted((REPO / root).rglob("*.py"))
    if "__pycache__" not in path.parts
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> set[str]:
    """The project modules a module imports at run time (lazy imports in functions count)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.add(whole if whole in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES}


def _room(module: str) -> str:
    """core, engine (the agents are the engine's), a front end, cli, or the package itself."""
    if module.startswith("agents"):
        return "engine"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "wargame"


def test_the_import_graph_has_no_cycle() -> None:
    done: set[str] = set()

    def walk(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for imported in sorted(GRAPH[module]):
            walk(imported, [*path, module])
        done.add(module)

    for module in sorted(GRAPH):
        walk(module, [])


def test_nothing_imports_the_command_line() -> None:
    importers = [m for m, imported in GRAPH.items() if "wargame.cli" in imported]
    assert importers == ["wargame.__main__"]  # the ``python -m wargame`` entry point only


def test_imports_run_from_front_ends_to_engine_to_core() -> None:
    allowed = {
        "core": {"core", "wargame"},
        "engine": {"core", "engine", "wargame"},
        **{front: {"core", "engine", "wargame", front} for front in FRONT_ENDS},
    }
    # A team's page reuses the dashboard's panels; the facilitator's writes the debrief.
    allowed["classroom"] |= {"dashboard", "reports"}
    allowed["reports"] |= {"batch"}  # a report reads a batch's design and tables
    wrong = [
        f"{module} -> {imported}"
        for module, imports in GRAPH.items()
        if _room(module) in allowed
        for imported in imports
        if _room(imported) not in allowed[_room(module)]
    ]
    assert not wrong


def test_reports_read_finished_folders_never_the_runner() -> None:
    assert not [
        m for m in GRAPH if m.startswith("wargame.reports") and "wargame.batch.runner" in GRAPH[m]
    ]


def test_agents_and_rules_never_import_the_model() -> None:
    typed_against_world = [
        m
        for m in GRAPH
        if m.startswith(("agents", "wargame.engine.rules")) and "wargame.engine.model" in GRAPH[m]
    ]
    assert not typed_against_world


def test_the_core_imports_no_mesa() -> None:
    for module, path in MODULES.items():
        if _room(module) == "core":
            assert "mesa" not in path.read_text(encoding="utf-8"), module


# ----- one table per kind -----
SITE_KINDS = set(typing.get_args(SiteKind))


# Run a command of the wargame CLI and print the top-level packages it imported.
IMPORTED = """
import sys
from wargame.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # argparse's, after --help
    code = exc.code
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize("command", [["--help"], ["scenarios"], ["validate", "may2019"]])
def test_the_quick_commands_import_no_mesa_pandas_or_pyarrow(command: list[str]) -> None:
    """``wargame --help``, ``scenarios`` and ``validate`` start fast: they load no engine,
    tables or batch libraries (benchmarks/engine.py measures how fast)."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED, *command], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 0 and done.stdout, done.stderr
    imported = set(done.stderr.split())
    assert "wargame" in imported
    assert not imported & {"mesa", "pandas", "pyarrow", "scipy", "networkx", "solara"}


@pytest.mark.parametrize("kind", [k for k in CATALOGUE if k != "hold"])
def test_every_order_kind_has_every_entry_it_needs(kind: str) -> None:
    spec = CATALOGUE[kind]
    assert kind in umpire.HANDLERS, f"{kind}: no rule adjudicates it"
    assert spec.appraisal in appraisal.APPRAISALS, f"{kind}: no appraisal '{spec.appraisal}'"
    assert spec.incident is None or spec.incident in INCIDENTS
    assert spec.reverses is None or spec.reverses in CATALOGUE
    assert all(set(group) <= SITE_KINDS for group in spec.site_kinds)
    assert spec.attacks_site == (spec.victim == "site_owner")
    assert not spec.through_proxy or spec.attacks_site


def test_the_umpire_settles_orders_in_catalogue_order() -> None:
    assert [kind for kind, _ in umpire.UMPIRE] == [k for k in CATALOGUE if k != "hold"]


def test_an_order_naming_a_rule_that_does_not_exist_is_caught() -> None:
    with pytest.raises(LookupError, match=r"no rule 'posture\.nowhere'"):
        umpire._handler("raise_posture", "posture.nowhere")


def test_every_order_kind_says_what_it_may_target() -> None:
    """Every kind has its targets, for every side that might list it."""
    model = WargameModel(load_scenario("may2019", {"scenario.days": 2}), seed=1)
    for kind, spec in CATALOGUE.items():
        for actor in model.actor_list:
            targets = list(legal._targets(model, actor, kind))
            if spec.target is Target.NONE:
                assert targets in ([], [(None, None)]), kind
            else:
                assert all(t is not None for t, _ in targets), kind


def test_every_incident_kind_is_told_in_words() -> None:
    for name, kind in INCIDENTS.items():
        assert kind.what and kind.name == name
        assert not (kind.covert and kind.hostile), name


def test_every_legality_check_is_of_an_order_kind() -> None:
    """A check under a misspelt kind would leave the kind always legal, silently; holding is
    always legal, so it has none."""
    assert set(legal.CHECKS) <= set(CATALOGUE) - {"hold"}
