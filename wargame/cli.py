"""The ``wargame`` command: run, validate and list scenarios, serve the dashboard, run batches.

The only module that reads a command line: each command turns its options into plain values
and calls the front end that does the work (imported when the command runs, so ``wargame
--help`` and ``wargame validate`` load no dashboard, batch or engine code). Bad input (a
malformed scenario, an unknown option or key, an unusable output folder) is reported in one line
per problem, with exit code 2 and no traceback, before anything is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from wargame.core import DISCLAIMER, provenance
from wargame.core.ladder import LADDER, OUTCOMES, Rung
from wargame.core.options import (
    RUN,
    UsageError,
    given_by,
    output_folder,
    overrides,
    refuse_made_by,
)
from wargame.core.scenario import ScenarioError, load_scenario, shipped

USAGE_ERROR = 2


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """The scenario overrides a command was given (--set, and --days where it has one)."""
    return overrides(args.set or [], getattr(args, "days", None))


def given_by_args(args: argparse.Namespace) -> dict[str, str]:
    return given_by(getattr(args, "days", None))


def _whole(minimum: int) -> Callable[[str], int]:
    """An argument type: a whole number of at least ``minimum``, or one clear line."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


_positive = _whole(1)
_seed = _whole(0)


def cmd_run(args: argparse.Namespace) -> int:
    from wargame.engine.model import WargameModel

    changes = overrides_from(args)
    loaded = load_scenario(args.scenario, changes, given_by_args(args))
    settings = f"_{loaded.sha256[:8]}" if changes else ""  # other settings, another folder
    out = Path(args.out or f"runs/{loaded.name}_seed{args.seed}{settings}")
    refuse_made_by(out, RUN)
    _refuse_another_run(out, loaded.sha256, args.seed)
    out = output_folder(out)
    model = WargameModel(loaded, seed=args.seed)
    record = model.run()
    record.write(out)
    print(human_summary(record.summary(), out))
    return 0


def _refuse_another_run(folder: Path, sha256: str, seed: int) -> None:
    """Never write over a different run: a folder may hold only this scenario and seed (whose
    files a new run reproduces byte for byte)."""
    path = folder / "summary.json"
    if not path.is_file():
        return
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
        same = held.get("scenario_sha256") == sha256 and held.get("seed") == seed
    except (OSError, ValueError, AttributeError):
        same = False
    if not same:
        raise UsageError(
            f"--out {folder}: holds another run (other settings or seed); choose another "
            "folder, or remove it first"
        )


def human_summary(summary: dict[str, Any], out: Path | None = None) -> str:
    peak = summary["peak_rung"]
    lines = [
        f"{summary['scenario']} (seed {summary['seed']}), {summary['days']} days: "
        f"{summary['outcome']}",
        f"  {OUTCOMES[summary['outcome']]}",
        f"Peak rung {peak} ({LADDER[Rung(peak)].title}) on day {summary['peak_day']}; "
        f"ended at rung {summary['final_rung']}.",
    ]
    counts = {k: v for k, v in summary["incidents"].items() if v}
    if counts:
        lines.append(
            "Incidents: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
        )
    direct = summary["direct_exchange_day"]
    lines.append(f"First direct US-Iran strike: {'day ' + str(direct) if direct else 'none'}.")
    lines.append(
        f"Oil offline at most {summary['oil_offline_max_mbd']:.1f} mb/d; Hormuz flow at least "
        f"{summary['hormuz_flow_min_mbd']:.1f} mb/d; "
        f"Brent at most ${summary['oil_price_max_usd']:.0f}."
    )
    c = summary["convoys"]
    lines.append(
        f"Convoys: {c['sent']} sent, {c['delivered']} delivered, {c['interdicted']} interdicted."
    )
    killed = {k: v for k, v in summary["casualties"].items() if v}
    lines.append(
        "Killed: " + (", ".join(f"{k} {v}" for k, v in killed.items()) if killed else "none")
    )
    if out is not None:
        lines.append(f"Files: {out}/summary.json, events.jsonl, daily.csv, orders.jsonl")
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    loaded = load_scenario(args.scenario, overrides_from(args), given_by_args(args))
    spec = loaded.spec
    print(
        f"{loaded.origin}: valid: {spec.scenario.title}: {len(spec.actors)} sides, "
        f"{len(spec.sites)} sites, {spec.scenario.days} days, {len(loaded.sources)} sourced values."
    )
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    loaded = load_scenario(args.scenario, overrides_from(args), given_by_args(args))
    plain, _, _ = provenance.unwrap(loaded.raw)
    print(provenance.markdown_table(plain, loaded.sources, loaded.spec.references), end="")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name, path in shipped().items():
        try:
            spec = load_scenario(str(path)).spec
            print(f"{name:18} {spec.scenario.title}: {spec.scenario.summary}")
        except ScenarioError as exc:
            print(f"{name:18} INVALID: {exc.lines[0]}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from wargame.dashboard.app import serve_dashboard

    serve_dashboard(
        args.scenario,
        overrides_from(args),
        args.seed,
        args.host,
        args.port,
        args.games,
        args.compare,
    )
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from wargame.batch.design import make_plan
    from wargame.batch.runner import run_batch

    plan = make_plan(
        args.scenario,
        runs=args.runs,
        reps=args.reps,
        overrides=overrides_from(args),
        days=args.days,
        sweeps=args.sweep,
        varies=args.vary,
        points=args.points,
        design=args.design,
        metrics=args.metric,
        seed=args.seed,
        daily=not args.no_daily,
    )
    return run_batch(
        plan, args.out, resume=args.resume, workers=args.workers, scheduler=args.scheduler
    )


def cmd_calibrate(args: argparse.Namespace) -> int:
    from wargame.batch.calibration import Calibration, run_calibration

    if (args.samples or args.waves) and not args.vary:
        raise UsageError("--samples and --waves shape a fit: give the keys to fit with --vary")
    job = Calibration(
        args.scenario,
        Path(args.against),
        args.runs,
        seed=args.seed,
        overrides=overrides_from(args),
        vary=args.vary or [],
        samples=args.samples or 16,
        waves=args.waves or 1,
    )
    return run_calibration(
        job, args.out, resume=args.resume, workers=args.workers, scheduler=args.scheduler
    )


def cmd_report(args: argparse.Namespace) -> int:
    from wargame.batch.discovery import target_metric
    from wargame.reports.report import write_report

    target = target_metric(args.outcome, args.metric)
    print(f"Report: {write_report(Path(args.folder), args.out, target)}")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from wargame.batch.discovery import discover_folder

    print(discover_folder(Path(args.folder), args.outcome, args.metric, args.boxes))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from wargame.batch.export import export_csv

    for path in export_csv(Path(args.folder), args.out):
        print(f"Wrote {path}")
    return 0


def cmd_classroom(args: argparse.Namespace) -> int:
    from wargame.classroom.app import serve_classroom

    teams = [t.strip() for t in args.teams.split(",") if t.strip()] if args.teams else None
    if (args.exercise is None) == (args.resume is None):
        raise UsageError("give an exercise pack to start a game, or --resume GAME_DIR, not both")
    if args.resume is not None and (args.teams or args.out):
        raise UsageError("--resume brings a game back as it was: --teams and --out do not apply")
    serve_classroom(
        args.exercise, args.seed, teams, args.host, args.port, args.out, resume=args.resume
    )
    return 0


def cmd_debrief(args: argparse.Namespace) -> int:
    from wargame.reports.debrief import write_debrief

    written = write_debrief(
        Path(args.folder),
        args.runs,
        args.out,
        what_ifs=args.branches,
        branch_from=args.branch_from,
    )
    print(f"Debrief: {written}")
    return 0


def _scenario_arg(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "scenario",
        nargs=None if required else "?",
        default=None if required else "may2019",
        help="a scenario file, or the name of a shipped scenario (see 'wargame scenarios')",
    )


def _set_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a scenario value, e.g. --set actors.iran.resolve=0.8 (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wargame",
        description="An agent-based wargame of proxy escalation in the Middle East (May 2019).",
        epilog=DISCLAIMER,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a scenario headless and write its record")
    _scenario_arg(run)
    run.add_argument("--days", type=_positive, help="length of the run (default: the scenario's)")
    run.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    _set_arg(run)
    run.add_argument("--out", help="output folder (default runs/SCENARIO_seedS)")
    run.set_defaults(func=cmd_run)

    validate = sub.add_parser("validate", help="check a scenario file and report every problem")
    _scenario_arg(validate)
    _set_arg(validate)
    validate.set_defaults(func=cmd_validate)

    sources = sub.add_parser("sources", help="print every number of a scenario with its source")
    _scenario_arg(sources)
    _set_arg(sources)
    sources.set_defaults(func=cmd_sources)

    scenarios = sub.add_parser("scenarios", help="list the shipped scenarios")
    scenarios.set_defaults(func=cmd_scenarios)

    serve = sub.add_parser("serve", help="open the dashboard in the browser (watch or play a side)")
    _scenario_arg(serve, required=False)
    _listen_args(serve, 8521)
    serve.add_argument("--seed", type=_seed, default=1, help="first seed offered (default 1)")
    serve.add_argument(
        "--games",
        default="runs/dashboard",
        metavar="DIR",
        help="where each game is saved, so a reload or a restart keeps it (default runs/dashboard)",
    )
    serve.add_argument(
        "--compare",
        type=_positive,
        default=100,
        metavar="N",
        help="computer-played games a finished game is compared with (default 100)",
    )
    _set_arg(serve)
    serve.set_defaults(func=cmd_serve)

    batch = sub.add_parser("batch", help="run many seeded runs, locally or on a Dask cluster")
    _scenario_arg(batch)
    batch.add_argument(
        "--runs",
        type=_positive,
        help="runs of each swept combination (grid), or the size of a sampled design",
    )
    batch.add_argument(
        "--reps", type=_positive, help="runs of each design point, each with its own seed"
    )
    batch.add_argument("--days", type=_positive, help="length of each run")
    batch.add_argument("--seed", type=_seed, default=1, help="base seed (default 1)")
    _set_arg(batch)
    batch.add_argument(
        "--sweep",
        action="append",
        metavar="KEY=V1,V2,...",
        help="cross these values of a scenario key (repeatable)",
    )
    batch.add_argument(
        "--vary",
        action="append",
        metavar="KEY=LOW:HIGH",
        help="vary a numeric key over a range, for --design lhs, sobol or morris (repeatable)",
    )
    batch.add_argument("--design", choices=("grid", "lhs", "sobol", "morris"), default="grid")
    batch.add_argument(
        "--points",
        metavar="FILE.csv",
        help="run the parameter sets of a CSV file: a header of keys, a row per point",
    )
    batch.add_argument(
        "--metric",
        action="append",
        metavar="METRIC",
        help="what the sensitivity analysis measures (repeatable), e.g. peak_rung, "
        "outcome=limited_exchange or 'peak_rung>=6' (default: five key outcomes)",
    )
    batch.add_argument("--workers", type=_positive, help="local processes (default: all cores)")
    batch.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask cluster")
    batch.add_argument("--out", help="output folder (default runs/batch_SCENARIO)")
    batch.add_argument("--resume", action="store_true", help="complete an interrupted batch")
    batch.add_argument("--no-daily", action="store_true", help="skip daily.parquet")
    batch.set_defaults(func=cmd_batch)

    calibrate = sub.add_parser(
        "calibrate", help="compare what each side does in the runs with a record of the past"
    )
    _scenario_arg(calibrate)
    calibrate.add_argument(
        "--against",
        required=True,
        metavar="FILE.csv",
        help="a record of incidents (a CSV file or a folder of them), e.g. "
        "configs/data/record_2018_2019.csv",
    )
    calibrate.add_argument(
        "--runs", type=_positive, default=40, help="runs (of each design point when fitting)"
    )
    calibrate.add_argument(
        "--vary",
        action="append",
        metavar="KEY=LOW:HIGH",
        help="fit a numeric key over a range (repeatable), by Latin hypercubes of --samples points",
    )
    calibrate.add_argument(
        "--samples", type=_positive, help="design points of each wave of a fit (default 16)"
    )
    calibrate.add_argument(
        "--waves",
        type=_positive,
        help="waves of a fit, each within the plausible ranges of the last (default 1)",
    )
    calibrate.add_argument("--seed", type=_seed, default=1, help="base seed (default 1)")
    _set_arg(calibrate)
    calibrate.add_argument("--workers", type=_positive, help="local processes (default: all cores)")
    calibrate.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask cluster")
    calibrate.add_argument("--out", help="output folder (default runs/calibrate_SCENARIO)")
    calibrate.add_argument("--resume", action="store_true", help="complete an interrupted run")
    calibrate.set_defaults(func=cmd_calibrate)

    report = sub.add_parser("report", help="write an HTML report of a batch folder")
    report.add_argument("folder", help="a folder written by 'wargame batch'")
    report.add_argument("--out", help="the HTML file (default FOLDER/report.html)")
    _target_args(report, " (default: a direct exchange between the key pair)")
    report.set_defaults(func=cmd_report)

    discover = sub.add_parser(
        "discover", help="find which ranges of the changed keys lead to an outcome (PRIM)"
    )
    discover.add_argument("folder", help="a folder written by 'wargame batch'")
    _target_args(discover, " (default: a direct exchange between the key pair)")
    discover.add_argument(
        "--boxes", type=_positive, default=3, help="boxes to find at most (default 3)"
    )
    discover.set_defaults(func=cmd_discover)

    export = sub.add_parser("export", help="write a batch's tables as CSV, for spreadsheets")
    export.add_argument("folder", help="a folder written by 'wargame batch'")
    export.add_argument("--format", choices=("csv",), default="csv", help="csv (the default)")
    export.add_argument("--out", help="the folder for the CSV files (default FOLDER/csv)")
    export.set_defaults(func=cmd_export)

    classroom = sub.add_parser("classroom", help="run a seminar: one shared game, a link per team")
    classroom.add_argument(
        "exercise",
        nargs="?",
        help="an exercise pack (see docs/teaching.md), e.g. prepare_for_proxy_war",
    )
    _listen_args(classroom, 8541, "; use 0.0.0.0 for a classroom network")
    classroom.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    classroom.add_argument(
        "--teams", help="sides played by teams, comma-separated (default: every playable side)"
    )
    classroom.add_argument("--out", help="game folder (default runs/classroom_EXERCISE_DATE_TIME)")
    classroom.add_argument(
        "--resume",
        metavar="GAME_DIR",
        help="bring back a game from its folder (after a crash): its turn, its links",
    )
    classroom.set_defaults(func=cmd_classroom)

    debrief = sub.add_parser("debrief", help="write the after-action report of a classroom game")
    debrief.add_argument("folder", help="a game folder written by 'wargame classroom'")
    debrief.add_argument(
        "--runs", type=_positive, default=500, help="computer-played games to compare with"
    )
    debrief.add_argument(
        "--branches",
        type=_positive,
        default=50,
        help="what-ifs from each turn: the class's game to its start, then the computer "
        "(default 50)",
    )
    debrief.add_argument(
        "--branch-from",
        type=_positive,
        metavar="TURN",
        help="the what-ifs from this turn only (default: from every turn)",
    )
    debrief.add_argument("--out", help="the HTML file (default FOLDER/debrief.html)")
    debrief.set_defaults(func=cmd_debrief)
    return parser


def _target_args(parser: argparse.ArgumentParser, default: str) -> None:
    """The runs a scenario discovery looks for: an outcome class or a yes-or-no metric."""
    parser.add_argument(
        "--outcome",
        choices=tuple(OUTCOMES),
        help="the runs that end in this class" + default,
    )
    parser.add_argument(
        "--metric",
        metavar="METRIC",
        help="the runs that meet a comparison, e.g. 'peak_rung>=6' or 'direct_exchange_day<=30'",
    )


def _listen_args(parser: argparse.ArgumentParser, port: int, tip: str = "") -> None:
    """Where a server listens: this machine only, unless --host says otherwise."""
    parser.add_argument("--port", type=_port, default=port, help=f"port (default {port})")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help=f"address to listen on (default 127.0.0.1: this machine only{tip})",
    )


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except ScenarioError as exc:
        for line in exc.lines:
            print(f"error: {line}", file=sys.stderr)
        return USAGE_ERROR
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except OSError as exc:  # a file or folder that fails where no check foresaw it
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
