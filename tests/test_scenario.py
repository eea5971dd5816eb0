"""Scenario files: validation with clear errors, overrides, inheritance and provenance."""

from __future__ import annotations

import pytest
from conftest import REPO, run_cli

from wargame.core.provenance import ASSUMPTION, numeric_leaves, unwrap
from wargame.core.scenario import ScenarioError, load_scenario, shipped

EXTENDS = '[scenario]\nextends = "may2019"\n'


def errors_of(path, overrides=None) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(str(path), overrides)
    return caught.value.lines


def test_may2019_loads_with_its_facts():
    loaded = load_scenario("may2019")
    spec = loaded.spec
    assert spec.scenario.start_date.isoformat() == "2019-05-21"
    sides = {"us", "iran", "israel", "saudi", "uae", "uk", "iraq", "quds", "pmu", "hezbollah"}
    assert sides | {"houthis", "pij"} <= set(spec.actors)
    assert spec.rules.economy.hormuz_flow_mbd == 21.0
    assert loaded.sources["rules.economy.hormuz_flow_mbd"].ref == "eia_hormuz_2019"
    # May 2019 is not scripted: nothing is scheduled after the start.
    assert spec.injects == []


@pytest.mark.parametrize("name", sorted(shipped()))
def test_every_number_in_a_shipped_scenario_has_a_provenance(name):
    loaded = load_scenario(name)
    plain, _, _ = unwrap(loaded.raw)
    covered = set(loaded.sources)
    missing = []
    for key in numeric_leaves(plain):
        if key in covered or key.startswith("history["):  # a history entry cites its own source
            continue
        missing.append(key)
    assert missing == [], f"{name}: numbers without a source: {missing}"
    for key, source in loaded.sources.items():
        assert source.ref == ASSUMPTION or source.ref in loaded.spec.references, key
        if source.ref == ASSUMPTION:
            continue
        assert source.note or source.ref, key


def test_unknown_key_is_named_with_a_suggestion(scenario_file):
    path = scenario_file(EXTENDS + "[actors.iran]\nresolvee = 0.8\n")
    (line,) = errors_of(path)
    assert str(path) in line and "actors.iran.resolvee" in line and "did you mean 'resolve'" in line


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        ('[actors.iran]\nresolve = "high"\n', "actors.iran.resolve", "valid number"),
        ("[actors.iran]\nresolve = 1.5\n", "actors.iran.resolve", "less than or equal to 1"),
        ("[actors.iran]\nresolve = nan\n", "actors.iran.resolve", "finite"),
        ("[sites.abqaiq]\ncapacity_mbd = inf\n", "sites.abqaiq.capacity_mbd", "finite"),
        ("[rules.escalation]\nmemory_days = 0\n", "rules.escalation.memory_days", "or equal to 1"),
        ('[actors.pmu]\nsponsor = "qods"\n', "actors.pmu.sponsor", "did you mean 'quds'"),
        ('[actors.pmu]\nsponsor = "pmu"\n', "actors.pmu.sponsor", "cannot name itself"),
        ('[actors.us]\nallies = ["uk", "iran"]\n', "actors.us.allies[1]", "also an adversary"),
        ('[actors.iran]\norders = ["hold", "nuke"]\n', "actors.iran.orders[1]", "order 'nuke'"),
        (
            '[sites.far]\nname = "Far"\nkind = "base"\nowner = "us"\nlat = 60.0\nlon = 10.0\n',
            "sites.far.lat",
            "off the map",
        ),
        (
            '[[injects]]\nday = 400\nkind = "note"\ntext = "too late"\n',
            "injects[0].day",
            "after the run's last day",
        ),
        ('[sites.al_asad]\nplace = "Atlantis"\n', "sites.al_asad.place", "unknown place"),
        ("[map]\nresolution_deg = 0.5\n", "map.resolution_deg", "0.25"),
        (
            "[policies.iraq.withdrawal.usa]\nsteps = 1\nday = -10\n",
            "policies.iraq.withdrawal.usa",
            "did you mean 'us'",
        ),
        (
            "[policies.iraq.withdrawal.uk]\nsteps = 2\nday = -10\n",
            "policies.iraq.withdrawal.uk.steps",
            "starts tabled",
        ),
        (
            '[actors.iran]\nresolve = { value = 0.5, source = "nobody" }\n',
            "actors.iran.resolve",
            "not in [references]",
        ),
    ],
)
def test_each_problem_is_one_clear_line(scenario_file, body, key, words):
    path = scenario_file(EXTENDS + body)
    lines = errors_of(path)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: {key}: ")
    assert words in lines[0]


def test_a_run_needs_two_different_sides_at_its_heart(scenario_file):
    path = scenario_file(EXTENDS + 'key_pair = ["us", "us"]\n')
    assert errors_of(path) == [f"{path}: scenario.key_pair: needs two different actors"]


def test_a_section_that_is_not_a_table_is_named(scenario_file):
    path = scenario_file('scenario = "x"\n')
    lines = errors_of(path)
    assert lines[0] == f"{path}: scenario: must be a table, like [scenario] (got 'x')"


def test_a_problem_inherited_through_extends_names_the_file_it_is_in(scenario_file):
    parent = scenario_file(EXTENDS + "[actors.iran]\nresolve = 7.0\n", "parent.toml")
    child = scenario_file('[scenario]\nextends = "parent.toml"\nname = "child"\n', "child.toml")
    assert errors_of(child) == [
        f"{parent}: actors.iran.resolve: input should be less than or equal to 1 (got 7.0)"
    ]


def test_a_new_actor_missing_keys_lists_them_all(scenario_file):
    path = scenario_file(EXTENDS + '[actors.hamas]\nname = "Hamas"\nkind = "militia"\n')
    lines = errors_of(path)
    assert len(lines) >= 5
    assert any("actors.hamas.colour: required key is missing" in line for line in lines)
    assert all(line.startswith(f"{path}: actors.hamas.") for line in lines)


def test_toml_syntax_errors_give_line_and_column(scenario_file):
    path = scenario_file('[scenario]\nname = "x"\ndays = = 3\n')
    (line,) = errors_of(path)
    assert "TOML syntax error" in line and "line 3" in line and "column" in line


def test_extends_cycles_are_reported(scenario_file, tmp_path):
    scenario_file('[scenario]\nextends = "b.toml"\n', "a.toml")
    scenario_file('[scenario]\nextends = "a.toml"\n', "b.toml")
    (line,) = errors_of(tmp_path / "a.toml")
    assert "circular" in line


def test_overrides_change_values_and_record_their_source():
    loaded = load_scenario("may2019", {"actors.iran.resolve": 0.9, "scenario.days": 30})
    assert loaded.spec.actors["iran"].resolve == 0.9
    assert loaded.spec.scenario.days == 30
    assert loaded.sources["actors.iran.resolve"].ref == "override"
    assert loaded.sha256 != load_scenario("may2019").sha256


def test_a_file_is_read_anew_when_it_changes_and_no_load_sees_another_s_overrides(
    scenario_file,
):
    """Parsed files are kept for the next load (a sensitivity design loads once per point),
    but an edit of the same size within the same tick is seen, and overrides stay their own."""
    path = scenario_file('[scenario]\nextends = "may2019"\ndays = 30\n')
    assert load_scenario(path, {"actors.iran.resolve": 0.9}).spec.actors["iran"].resolve == 0.9
    assert load_scenario(path).spec.actors["iran"].resolve != 0.9
    path.write_text('[scenario]\nextends = "may2019"\ndays = 40\n', encoding="utf-8")
    assert load_scenario(path).spec.scenario.days == 40


def test_an_unknown_override_key_is_refused_by_name():
    lines = errors_of("may2019", {"actors.iran.resolvee": 0.9})
    assert lines == ["--set actors.iran.resolvee: unknown key; did you mean 'resolve'?"]


def test_an_override_cannot_invent_a_side():
    lines = errors_of("may2019", {"actors.irann.resolve": 0.5})
    assert lines == ["--set actors.irann.resolve: unknown actor 'irann'; did you mean 'iran'?"]


def test_an_override_below_a_value_is_refused():
    lines = errors_of("may2019", {"actors.iran.resolve.deep": 1})
    assert len(lines) == 1 and "is a value, not a table" in lines[0]


def test_unknown_scenario_name_suggests_a_shipped_one():
    lines = errors_of("may2020")
    assert "did you mean 'may2019'" in lines[0]


def test_cli_reports_errors_without_traceback_and_writes_nothing(scenario_file, tmp_path):
    path = scenario_file(EXTENDS + "[actors.iran]\nresolve = 2\nresolvee = 1\n")
    out = tmp_path / "out"
    done = run_cli("run", str(path), "--out", str(out))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 2
    assert "actors.iran.resolve:" in done.stderr and "actors.iran.resolvee:" in done.stderr
    assert not out.exists()


def test_cli_refuses_bad_options_with_exit_2(tmp_path):
    out = str(tmp_path / "o")
    bad_set = run_cli("run", "may2019", "--set", "actors.iran.resolvee=0.8", "--out", out)
    assert bad_set.returncode == 2 and "did you mean 'resolve'" in bad_set.stderr
    assert "Traceback" not in bad_set.stderr
    bad_days = run_cli("run", "may2019", "--days", "zero")
    assert bad_days.returncode == 2 and "--days" in bad_days.stderr
    assert "Traceback" not in bad_days.stderr
    too_long = run_cli("run", "may2019", "--days", "100000", "--out", out)
    assert too_long.returncode == 2 and too_long.stderr.startswith("error: --days: ")
    bad_out = tmp_path / "file"
    bad_out.write_text("x")
    refused = run_cli("run", "may2019", "--days", "2", "--out", str(bad_out))
    assert refused.returncode == 2 and "not a folder" in refused.stderr


def test_a_run_never_writes_over_a_different_run(tmp_path):
    out = tmp_path / "o"
    assert run_cli("run", "may2019", "--days", "5", "--out", str(out)).returncode == 0
    kept = (out / "events.jsonl").read_bytes()
    again = run_cli("run", "may2019", "--days", "5", "--out", str(out))  # the same run: fine
    assert again.returncode == 0 and (out / "events.jsonl").read_bytes() == kept
    other = run_cli("run", "may2019", "--days", "6", "--out", str(out))
    assert other.returncode == 2 and "holds another run" in other.stderr
    assert (out / "events.jsonl").read_bytes() == kept


def test_validate_and_scenarios_commands():
    ok = run_cli("validate", "may2019")
    assert ok.returncode == 0 and "valid" in ok.stdout
    listing = run_cli("scenarios")
    assert listing.returncode == 0
    names = [line.split()[0] for line in listing.stdout.splitlines()]
    assert names == sorted(shipped()) and "may2019" in names
    assert "INVALID" not in listing.stdout


def test_infinite_literals_are_caught_anywhere(scenario_file):
    path = scenario_file(EXTENDS + "[rules.economy]\nprice_usd = -inf\n")
    (line,) = errors_of(path)
    assert "rules.economy.price_usd" in line and "finite" in line


def test_the_parameter_table_in_the_model_documentation_is_current():
    done = run_cli("sources", "may2019")
    assert done.returncode == 0
    text = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
    start, end = "<!-- parameters:start -->\n", "<!-- parameters:end -->"
    documented = text[text.index(start) + len(start) : text.index(end)]
    assert documented == done.stdout, "regenerate it: wargame sources may2019"


def test_the_record_of_the_year_before_the_start_is_sourced_and_ends_before_it():
    """configs/data/record_2018_2019.csv: every row inside 21 May 2018 - 20 May 2019, with a
    source and a quote, sides and incident kinds of the model."""
    import csv

    from wargame.core.incidents import INCIDENTS

    spec = load_scenario("may2019").spec
    path = REPO / "configs" / "data" / "record_2018_2019.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) > 100
    for row in rows:
        assert not row["date"] or "2018-05-21" <= row["date"] <= "2019-05-20", row
        assert "2018-05" <= row["month"] <= "2019-05", row
        assert row["source"] and row["quote"], row
        assert row["actor"] in spec.actors and row["kind"] in INCIDENTS, row
        assert row["target"] in spec.actors or row["target"].startswith("other:"), row
        assert int(row["count"]) >= 0


def test_extends_names_a_shipped_scenario_or_a_file_in_its_folder(tmp_path):
    """A scenario may extend a shipped scenario or a file beside or below it; never a file
    elsewhere on the machine, by a relative path, an absolute one, or a link."""
    outside = tmp_path / "outside.toml"
    outside.write_text(EXTENDS + 'name = "outside"\n')
    folder = tmp_path / "mine"
    (folder / "parts").mkdir(parents=True)
    (folder / "parts" / "base.toml").write_text(EXTENDS + 'name = "base"\n')
    (folder / "link.toml").symlink_to(outside)
    below = folder / "below.toml"
    below.write_text('[scenario]\nextends = "parts/base.toml"\n')
    assert load_scenario(str(below)).name == "base"
    for ref in ("../outside.toml", str(outside), "link.toml", "/etc/passwd"):
        path = folder / "child.toml"
        path.write_text(f'[scenario]\nextends = "{ref}"\n')
        (line,) = errors_of(path)
        assert line == (
            f"{path}: scenario.extends: '{ref}' is outside this file's folder; name a shipped "
            "scenario or a file beside this one (or below it)"
        )


def test_a_misspelt_parent_is_named_with_a_suggestion(scenario_file):
    path = scenario_file('[scenario]\nextends = "may2018"\n')
    (line,) = errors_of(path)
    assert line.startswith(f"{path}: scenario.extends: no such file") and "'may2019'" in line


def deep_toml(levels: int, tables: bool) -> str:
    if tables:
        return "[" + ".".join(["a"] * levels) + "]\nx = 1\n"
    return "x = " + "[" * levels + "]" * levels + "\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (deep_toml(5000, tables=False), "nested more than 32 levels deep"),
        (deep_toml(200, tables=False), "nested more than 32 levels deep"),
        (deep_toml(20000, tables=True), "nested more than 32 levels deep"),
        ("".join(f"k{i} = {i}\n" for i in range(1_000_000)), "too large"),
        ("".join(f"k{i} = 1\n" for i in range(30_000)), "more than 20,000 keys and items"),
        ("x = 'a'\n" * 1 + "y = '" + "a" * (2 << 20) + "'\n", "too large"),
    ],
    ids=["arrays", "arrays-200", "tables", "a-million-keys", "many-keys", "a-long-string"],
)
def test_a_file_too_deep_or_too_large_is_refused_in_one_line(scenario_file, text, words):
    path = scenario_file(text)
    (line,) = errors_of(path)
    assert line.startswith(f"{path}: ") and words in line


def test_a_long_chain_of_extends_is_refused_in_one_line(tmp_path):
    (tmp_path / "s0.toml").write_text(EXTENDS)
    for i in range(1, 1500):
        (tmp_path / f"s{i}.toml").write_text(f'[scenario]\nextends = "s{i - 1}.toml"\n')
    (line,) = errors_of(tmp_path / "s1499.toml")
    assert "scenario.extends: a chain of more than 16 files" in line


def test_a_scenario_with_many_problems_reports_a_bounded_number_of_lines(scenario_file):
    path = scenario_file(EXTENDS + "[actors.iran]\n" + "".join(f"k{i} = 1\n" for i in range(500)))
    lines = errors_of(path)
    assert len(lines) == 51 and lines[-1] == "... and 450 more problems"


@pytest.mark.parametrize(
    "setting",
    [
        ".".join(["a"] * 3000) + "=1",
        "actors.iran." + "x" * 5000 + "=1",
        "actors.iran.resolve=" + "[" * 5000 + "]" * 5000,
        "actors.iran.resolve=" + "[" * 100 + "]" * 100,
    ],
    ids=["many-parts", "long-part", "deep-value", "deepish-value"],
)
def test_a_huge_override_is_refused_in_one_line(setting):
    done = run_cli("validate", "may2019", "--set", setting)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: --set ") and len(line) < 300
    assert "at most 200 characters and 32 parts" in line or "32 levels deep" in line


def test_the_model_documentation_defines_every_outcome_and_rung_as_the_code_does():
    from wargame.core.ladder import LADDER, OUTCOMES

    text = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
    for name, definition in OUTCOMES.items():
        assert f"(`{name}`) | {definition} |" in text, name
    for rung, info in LADDER.items():
        assert f"| {int(rung)} | {info.title} | {info.definition} |" in text, rung
