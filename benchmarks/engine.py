"""Engine speed: CPU ms per simulated day of may2019 against Mesa's WolfSheep, and how it scales.

Everything is measured in CPU time (``time.process_time``), in one run, and printed as ratios:
the machines are shared and wall-clock figures swing threefold.

Prints, in one run:
- CPU ms per day of may2019 (data collection included, construction excluded), over seeds;
- CPU ms per step of Mesa's WolfSheep example at its default size, over steps 1-25 of fresh
  models seeded 1, 2, ... (a populated model: left to run, it loses every sheep by about step
  35, and a step then costs a fifth as much), and the ratio of the two (target <= 0.5, issue
  "Speed");
- where a day goes: each phase's share; the CPU ms per day when every player only holds, and
  when the players' choices cost nothing (``deciding_free_ms_per_day``: the same games, their
  choices given back), with the ratio to WolfSheep and the year-long runs per CPU-second that
  this leaves at best: what faster players alone could reach;
- CPU ms per day with more moving units (extra tanker sailings launched every day), with the
  average number of units afloat, as ratios to the plain scenario;
- CPU ms per day on the 0.125-degree map (4x the cells), as a ratio to the 0.25-degree map.
- CPU seconds of ``wargame --help``, ``wargame scenarios`` and ``wargame validate may2019``,
  each in a fresh interpreter as a user starts it (bytecode cached), the median of 5 (target
  for ``validate``: at most 0.5 s; tests/test_layout.py checks that none imports Mesa, pandas
  or pyarrow).
Earlier targets (issue "The world and the turn engine"): 365 days in at most 0.25 s; cost
growing at most linearly with moving units; at most 1.2x on the map with 4x the cells.

With ``--against REV`` it also measures, in the same run, the CPU ms per simulated day of
may2019 with the code of an earlier commit (checked out in a temporary worktree, with its own
scenarios and map), alternating the two, and prints the ratio of this code to that one.

    python benchmarks/engine.py [--seeds 5] [--against REV]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mesa.examples.advanced.wolf_sheep.model import WolfSheep, WolfSheepScenario

from agents.actors import Actor
from agents.units import Tanker
from wargame.core.orders import Order
from wargame.core.scenario import load_scenario
from wargame.engine import model as engine_model
from wargame.engine.model import WargameModel
from wargame.engine.policy import ComputerPolicy, Consent, ReplayPolicy
from wargame.engine.view import SideView


def ms_per_day(overrides: dict, seeds: int, days: int = 365) -> tuple[float, float]:
    """Median CPU ms per day and for the whole run (construction excluded)."""
    loaded = load_scenario("may2019", {"scenario.days": days, **overrides})
    runs = []
    for seed in range(1, seeds + 1):
        model = WargameModel(loaded, seed=seed)
        gc.collect()  # every timed run starts from the same heap, whatever ran before
        start = time.process_time()
        model.run()
        runs.append(time.process_time() - start)
    whole = statistics.median(runs)
    return 1000 * whole / days, 1000 * whole


PHASES = {  # what each phase of a day is, as the functions that make it up
    "players": (Actor, "decide"),  # its view brought up to date, and its choice
    "legality": (engine_model, "legal_orders"),
    "movement": (WargameModel, "_move"),
    "umpire": (WargameModel, "_adjudicate"),
    "consequences": (WargameModel, "_consequences"),
}


def phases(seeds: int, days: int = 365) -> tuple[float, dict[str, float]]:
    """CPU ms per day of may2019 with each phase's CPU counted apart (``PHASES``, and the
    record's collection), as shares of the day; counting adds a little to each."""
    spent: dict[str, float] = dict.fromkeys([*PHASES, "record"], 0.0)

    def counted(name: str, fn):
        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - start

        return wrapper

    originals = {name: getattr(owner, attr) for name, (owner, attr) in PHASES.items()}
    for name, (owner, attr) in PHASES.items():
        setattr(owner, attr, counted(name, originals[name]))
    try:
        loaded, whole = load_scenario("may2019", {"scenario.days": days}), 0.0
        for seed in range(1, seeds + 1):
            model = WargameModel(loaded, seed=seed)
            model.datacollector.collect = counted("record", model.datacollector.collect)
            gc.collect()
            start = time.process_time()
            model.run()
            whole += time.process_time() - start
    finally:
        for name, (owner, attr) in PHASES.items():
            setattr(owner, attr, originals[name])
    return 1000 * whole / (seeds * days), {name: t / whole for name, t in spent.items()}


def holding_ms_per_day(seeds: int, days: int = 365) -> float:
    """CPU ms per day of may2019 when every computer player only holds (drawing from its
    stream as it would): what the engine costs without the players' decisions."""
    decide = ComputerPolicy.decide

    def hold(self: ComputerPolicy, view: object, options: object) -> list:
        self.rng.random()  # the draw of its pick
        return []

    ComputerPolicy.decide = hold
    try:
        return ms_per_day({}, seeds, days)[0]
    finally:
        ComputerPolicy.decide = decide


class Replayed(ReplayPolicy):
    """A recorded side's orders given back day by day (``ReplayPolicy``), and its militia's
    consents to its sponsor's directions too: the game its computer player played."""

    def __init__(self, orders_by_day: dict[int, list[Order]], consents: list[Consent]) -> None:
        super().__init__(orders_by_day)
        self.consents = iter(consents)

    def consent(self, view: SideView, order: Order) -> Consent:
        return next(self.consents)


def deciding_free_ms_per_day(seeds: int, days: int = 365) -> float:
    """CPU ms per day of may2019 when the computer players' choices cost nothing: each seed is
    played once by the computer players, whose choices are kept, then again by players that
    give those choices back (``Replayed``), and only the second is counted. The views are still
    brought up to date and every rule adjudicates as before; the game is checked to be the same,
    incident for incident. What is left is what no way of deciding can take away."""
    decide, consent = ComputerPolicy.decide, ComputerPolicy.consent
    kept: dict[int, tuple[dict[int, list[Order]], list[Consent]]] = {}  # by player

    def deciding(self: ComputerPolicy, view: SideView, options: list[Order]) -> list[Order]:
        orders = kept.setdefault(id(self), ({}, []))[0][view.day] = decide(self, view, options)
        return orders

    def consenting(self: ComputerPolicy, view: SideView, order: Order) -> Consent:
        answer = consent(self, view, order)
        kept.setdefault(id(self), ({}, []))[1].append(answer)
        return answer

    loaded = load_scenario("may2019", {"scenario.days": days})
    spent = 0.0
    for seed in range(1, seeds + 1):
        kept.clear()
        ComputerPolicy.decide, ComputerPolicy.consent = deciding, consenting
        try:
            played = WargameModel(loaded, seed=seed)
            played.run()
        finally:
            ComputerPolicy.decide, ComputerPolicy.consent = decide, consent
        players = {a.aid: Replayed(*kept.get(id(a.policy), ({}, []))) for a in played.actor_list}
        model = WargameModel(loaded, seed=seed, players=players)
        gc.collect()
        start = time.process_time()
        model.run()
        spent += time.process_time() - start
        if (model.record.events_jsonl(), model.record.daily_csv()) != (
            played.record.events_jsonl(),
            played.record.daily_csv(),
        ):
            raise SystemExit(f"seed {seed}: the replayed game differs from the game played")
    return 1000 * spent / (seeds * days)


def wolf_sheep_ms_per_step(seeds: int, steps: int = 25) -> float:
    """CPU ms per step over steps 1-``steps`` of fresh WolfSheep models (default size) seeded
    1, 2, ...: while sheep and wolves are still many."""
    spent = 0.0
    for seed in range(1, seeds + 1):
        model = WolfSheep(WolfSheepScenario(rng=seed))
        gc.collect()
        start = time.process_time()
        for _ in range(steps):
            model.step()
        spent += time.process_time() - start
    return 1000 * spent / (seeds * steps)


def with_extra_units(extra: int, seeds: int, days: int = 365) -> tuple[float, float]:
    """Median CPU ms per day when ``extra`` more sailings enter the lanes every day, and the
    average number of moving units afloat."""
    loaded = load_scenario("may2019", {"scenario.days": days})
    times, afloat = [], []
    for seed in range(1, seeds + 1):
        model = WargameModel(loaded, seed=seed)
        lanes = list(model.geo.lanes)
        count = 0
        start = time.process_time()
        while not model.finished:
            for i in range(extra):
                lane = lanes[i % len(lanes)]
                Tanker(
                    model, lane, model.geo.lanes[lane], model.shipping.timetables[lane], "iraq", 1
                )
            model.step()
            count += len(model.tankers) + model.convoy_count
        times.append(time.process_time() - start)
        afloat.append(count / days)
    return 1000 * statistics.median(times) / days, statistics.mean(afloat)


# Run in a fresh interpreter on a given tree: CPU ms per simulated day of may2019.
CPU_PER_DAY = """
import gc, sys, time
from wargame.core.scenario import load_scenario
from wargame.engine.model import WargameModel
seeds, days = int(sys.argv[1]), int(sys.argv[2])
loaded = load_scenario("may2019", {"scenario.days": days})
spent = 0.0
for seed in range(1, seeds + 1):
    model = WargameModel(loaded, seed=seed)
    gc.collect()
    start = time.process_time()
    model.run()
    spent += time.process_time() - start
print(1000 * spent / (seeds * days))
"""
REPO = Path(__file__).resolve().parents[1]


def cpu_ms_per_day(tree: Path, seeds: int, days: int = 365) -> float:
    """CPU ms per day of may2019 with the code (and scenarios and map) of ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CPU_PER_DAY, str(seeds), str(days)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )
    return float(done.stdout.strip().splitlines()[-1])


def against(rev: str, seeds: int, rounds: int = 3) -> tuple[float, float]:
    """Median CPU ms per day of this tree and of ``rev``, measured alternately."""
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(old), rev], check=True
        )
        try:
            # The package's data folders, where an installed copy would have them.
            (old / "wargame" / "configs").symlink_to(old / "configs")
            (old / "wargame" / "maps").symlink_to(old / "maps")
            new_ms, old_ms = [], []
            for _ in range(rounds):
                new_ms.append(cpu_ms_per_day(REPO, seeds))
                old_ms.append(cpu_ms_per_day(old, seeds))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)])
    return statistics.median(new_ms), statistics.median(old_ms)


QUICK = (["--help"], ["scenarios"], ["validate", "may2019"])
WARGAME = [str(Path(sys.executable).parent / "wargame")]  # the command a user runs


def start_cpu_s(command: list[str], times: int = 5) -> float:
    """Median CPU seconds (user and system) of a command in a fresh interpreter, after a first
    run that leaves its bytecode cached, as it is on a user's machine after the first start."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([*WARGAME, *command], env=env, capture_output=True, check=True, cwd=REPO)
    spent = []
    for _ in range(times):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([*WARGAME, *command], env=env, capture_output=True, check=True, cwd=REPO)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="compare with an earlier commit")
    args = parser.parse_args()
    if args.against:
        new_ms, old_ms = against(args.against, args.seeds)
        print(
            f"CPU ms per simulated day of may2019: {new_ms:.3f} now, {old_ms:.3f} at "
            f"{args.against}: ratio {new_ms / old_ms:.2f}"
        )

    wolf_ms = wolf_sheep_ms_per_step(2 * args.seeds)
    day_ms, year_ms = ms_per_day({}, args.seeds)
    wolf_ms = (wolf_ms + wolf_sheep_ms_per_step(2 * args.seeds)) / 2  # before and after
    fine, _ = ms_per_day({"map.resolution_deg": 0.125}, args.seeds)  # right after, like for like
    print("CPU time (time.process_time), measured in this one run:")
    print(
        f"may2019: {day_ms:.3f} CPU ms per simulated day; "
        f"a 365-day run takes {year_ms:.0f} CPU ms (target <= 250)"
    )
    print(
        f"Mesa WolfSheep (default size, steps 1-25 of fresh models seeded 1-{2 * args.seeds}): "
        f"{wolf_ms:.3f} CPU ms per step"
    )
    print(f"ratio may2019 day / populated WolfSheep step: {day_ms / wolf_ms:.2f} (target <= 0.5)")
    print(
        f"map with 4x the cells (0.125 deg): {fine:.3f} ms/day, "
        f"{fine / day_ms:.2f}x the 0.25-degree map (target <= 1.2x)"
    )

    counted_ms, shares = phases(args.seeds)
    print(f"where a day goes ({counted_ms:.3f} CPU ms a day with each phase counted):")
    shares["the rest (the day's loop, Mesa's clock, the counting)"] = 1 - sum(shares.values())
    print("  " + ", ".join(f"{name} {share:.0%}" for name, share in shares.items()))
    held = holding_ms_per_day(args.seeds)
    print(
        f"  with every player only holding: {held:.3f} CPU ms a day "
        f"({held / day_ms:.2f} of a day with the players deciding)"
    )

    free = deciding_free_ms_per_day(args.seeds)
    print(
        f"  with the players' choices costing nothing (the same games replayed): {free:.3f} CPU "
        f"ms a day, {free / day_ms:.2f} of a day; ratio to populated WolfSheep {free / wolf_ms:.2f}"
        f"; at most {1000 / (365 * free):.1f} year-long runs per CPU-second however fast they "
        "decide (construction and writing not counted)"
    )

    print("start, CPU s in a fresh interpreter (median of 5):")
    for command in QUICK:
        target = " (target <= 0.5)" if command[0] == "validate" else ""
        print(f"  wargame {' '.join(command)}: {start_cpu_s(command):.2f} s{target}")

    print("moving units (extra sailings a day -> units afloat, cost):")
    base_ms, base_units = with_extra_units(0, args.seeds)
    for extra in (0, 10, 30):
        ms, units = with_extra_units(extra, args.seeds) if extra else (base_ms, base_units)
        print(
            f"  +{extra:2d}/day: {units:6.1f} units afloat ({units / base_units:4.1f}x), "
            f"{ms:.3f} ms/day ({ms / base_ms:.2f}x)"
        )


if __name__ == "__main__":
    main()
