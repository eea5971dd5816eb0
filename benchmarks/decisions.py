"""Do the computer players act for reasons? Measured on year-long runs of a scenario.

Prints, over ``--runs`` seeds:
- the share of hostile orders (rung 3 and above) given by computer sides whose utility beat
  holding on the day they were given (target: at least 0.75);
- each side's share of all orders (target: none above a third), and its orders a year by kind;
- for each militia, its attacks a year on its own and at its sponsor's direction (the directed
  ones it agreed to), and how often it declined;
- incidents a year by kind, and the outcome classes.

    python benchmarks/decisions.py [--scenario may2019] [--runs 50] [--days 365] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from wargame.core.scenario import load_scenario
from wargame.engine.model import WargameModel

HOSTILE_RUNG = 3
COMPUTER = "ComputerPolicy"
ATTACKS = ("rocket_attack", "base_attack", "oil_facility_attack", "tanker_sabotage")


def one_run(job: tuple[str, int, int]) -> dict[str, Any]:
    scenario, seed, days = job
    model = WargameModel(load_scenario(scenario, {"scenario.days": days}), seed=seed)
    record = model.run()
    militias = {m.aid for m in model.militias}
    own: Counter[str] = Counter()
    directed: Counter[str] = Counter()
    declined: Counter[str] = Counter()
    for event in record.events:
        if event.day < 1 or event.actor not in militias:
            continue
        if event.kind == "proxy_refusal":
            declined[event.actor] += 1
        elif event.kind in ATTACKS:
            (directed if event.directed_by else own)[event.actor] += 1
    return {
        "orders": [
            (o["actor"], o["kind"], o.get("rung"), o.get("utility"), o.get("hold"), o["by"])
            for o in record.orders
        ],
        "incidents": {k: v for k, v in record.totals.items() if v},
        "outcome": model.outcome(),
        "own": own,
        "directed": directed,
        "declined": declined,
    }


def measure(scenario: str, runs: int, days: int, workers: int) -> dict[str, Any]:
    jobs = [(scenario, seed, days) for seed in range(1, runs + 1)]
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        results = list(pool.map(one_run, jobs))
    years = runs * days / 365.0
    by_side: dict[str, Counter[str]] = defaultdict(Counter)
    hostile = above = 0
    side_hostile: Counter[str] = Counter()
    side_above: Counter[str] = Counter()
    incidents: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    own: Counter[str] = Counter()
    directed: Counter[str] = Counter()
    declined: Counter[str] = Counter()
    for result in results:
        for actor, kind, rung, utility, hold, by in result["orders"]:
            by_side[actor][kind] += 1
            if by == COMPUTER and rung is not None and rung >= HOSTILE_RUNG:
                hostile += 1
                side_hostile[actor] += 1
                if utility > hold:
                    above += 1
                    side_above[actor] += 1
        incidents.update(result["incidents"])
        outcomes[result["outcome"]] += 1
        own.update(result["own"])
        directed.update(result["directed"])
        declined.update(result["declined"])
    return {
        "years": years,
        "by_side": by_side,
        "share_above": above / hostile if hostile else float("nan"),
        "hostile": hostile,
        "side_hostile": side_hostile,
        "side_above": side_above,
        "incidents": incidents,
        "outcomes": outcomes,
        "own": own,
        "directed": directed,
        "declined": declined,
        "runs": runs,
    }


def report(m: dict[str, Any]) -> str:
    years = m["years"]
    total = sum(sum(c.values()) for c in m["by_side"].values())
    lines = [
        f"{m['runs']} runs ({years:.0f} run-years).",
        f"Hostile computer orders (rung >= {HOSTILE_RUNG}) scoring above holding: "
        f"{m['share_above']:.3f} of {m['hostile']} (target >= 0.75)",
        "",
        "Orders a year by side (share of all orders; hostile orders above holding), by kind:",
    ]
    for side, kinds in sorted(m["by_side"].items(), key=lambda kv: -sum(kv[1].values())):
        n = sum(kinds.values())
        hostile = m["side_hostile"][side]
        above = f"{m['side_above'][side] / hostile:.2f}" if hostile else "-"
        detail = ", ".join(f"{k} {v / years:.1f}" for k, v in kinds.most_common())
        lines.append(
            f"  {side:10} {n / years:6.1f}/yr ({n / total:5.1%}; above holding {above}): {detail}"
        )
    lines.append("")
    lines.append(
        "Militia attacks a year: on their own, directed by the sponsor (agreed), declined:"
    )
    for side in sorted(set(m["own"]) | set(m["directed"]) | set(m["declined"])):
        own, directed = m["own"][side] / years, m["directed"][side] / years
        share = own / (own + directed) if own + directed else float("nan")
        lines.append(
            f"  {side:10} own {own:5.1f}, directed {directed:5.1f} (own share {share:.2f}), "
            f"declined {m['declined'][side] / years:5.1f}"
        )
    lines.append("")
    lines.append(
        "Incidents a year: "
        + ", ".join(f"{k} {v / years:.1f}" for k, v in m["incidents"].most_common())
    )
    lines.append(
        "Outcomes: " + ", ".join(f"{k} {v / m['runs']:.0%}" for k, v in m["outcomes"].most_common())
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="may2019")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(report(measure(args.scenario, args.runs, args.days, args.workers)))


if __name__ == "__main__":
    main()
