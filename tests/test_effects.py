"""Directional effects over fixed seeds: deterministic, so a failure is a change in the model.

Each comparison runs the same seeds under two settings and checks that the effect goes the way
the rule (and the article) says, by a margin.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from functools import cache
from multiprocessing import get_context
from typing import Any

import pytest

from wargame.core.scenario import load_scenario
from wargame.engine.model import WargameModel

pytestmark = pytest.mark.slow  # many year-long runs: `make test-fast` skips them

MILITIA_ATTACKS = ("rocket_attack", "base_attack", "oil_facility_attack", "tanker_sabotage")


def measure(job: tuple[str, tuple[tuple[str, Any], ...], int, int]) -> dict[str, float]:
    """Run one seed and keep what the tests compare."""
    scenario, overrides, seed, days = job
    settings = {key: list(v) if isinstance(v, tuple) else v for key, v in overrides}
    model = WargameModel(load_scenario(scenario, {"scenario.days": days, **settings}), seed=seed)
    record = model.run()
    summary = record.summary()
    run = [e for e in record.events if e.day >= 1]
    militias = {m.aid for m in model.militias}
    by_militia = [e for e in run if e.kind in MILITIA_ATTACKS and e.actor in militias]
    on_us = [e for e in run if e.target == "us" and e.kind in ("base_attack", "rocket_attack")]
    at_sea = ("closure_threat", "tanker_sabotage", "tanker_seizure")
    return {
        "peak": summary["peak_rung"],
        "key_tension_end": summary["key_tension"]["end"],
        "iran_at_sea": sum(e.actor == "iran" and e.kind in at_sea for e in run),
        "outcome_" + summary["outcome"]: 1.0,
        "direct": float(summary["direct_exchange_day"] is not None),
        "sent": summary["convoys"]["sent"],
        "delivered": summary["convoys"]["delivered"],
        "militia_attacks": len(by_militia),
        "militia_hits": sum(bool(e.details.get("hit")) for e in by_militia),
        "us_attacks": len(on_us),
        "us_hits": sum(bool(e.details.get("hit")) for e in on_us),
        "us_killed": sum(e.casualties for e in on_us),
        "killed": sum(summary["casualties"].values()),
        "hormuz_min": summary["hormuz_flow_min_mbd"],
        "price_max": summary["oil_price_max_usd"],
        "tanker_incidents": summary["incidents"]["tanker_sabotage"]
        + summary["incidents"]["tanker_seizure"],
    }


@cache
def totals(
    scenario: str, overrides: tuple[tuple[str, Any], ...], seeds: int, days: int
) -> dict[str, float]:
    """Sum of each measure over seeds 1..seeds (two worker processes; overrides are a tuple of
    pairs, lists written as tuples, so that results can be cached)."""
    jobs = [(scenario, overrides, seed, days) for seed in range(1, seeds + 1)]
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        results = list(pool.map(measure, jobs))
    keys = {k for r in results for k in r}
    return {k: sum(r.get(k, 0.0) for r in results) for k in keys} | {"runs": float(seeds)}


def test_more_intelligence_coverage_means_fewer_deliveries():
    assets = load_scenario("may2019").spec.isr
    scaled = {
        factor: totals(
            "may2019",
            tuple(
                (f"isr.{a}.detection", min(asset.detection * factor, 1.0))
                for a, asset in assets.items()
            ),
            16,
            240,
        )
        for factor in (0.2, 1.6)
    }
    low, high = (scaled[f]["delivered"] / scaled[f]["sent"] for f in (0.2, 1.6))
    assert high < low - 0.15


def test_higher_posture_means_fewer_casualties_per_attack():
    """The US keeps one force-protection level everywhere (posture orders removed); the PMU's
    campaign against US forces is made weekly, so that enough attacks land to compare."""
    orders = [o for o in load_scenario("may2019").spec.actors["us"].orders if "posture" not in o]
    runs = {}
    for level in ("NORMAL", "DELTA"):
        levels = {
            f"policies.us.posture.{c}": level
            for c in ("Iraq", "Qatar", "United Arab Emirates", "Bahrain")
        }
        often = ("actors.pmu.campaigns.us_out_of_iraq.every_days", 7)
        runs[level] = totals(
            "may2019", (("actors.us.orders", tuple(orders)), often, *levels.items()), 24, 365
        )
    per_hit = {level: r["us_killed"] / max(r["us_hits"], 1) for level, r in runs.items()}
    assert runs["NORMAL"]["us_hits"] >= 10 and runs["DELTA"]["us_hits"] >= 10
    assert per_hit["DELTA"] < 0.6 * per_hit["NORMAL"]


def test_more_coordination_means_more_capable_militia_operations():
    """The Quds Force's central claim: coordinated militias hit more often."""
    militias = ("pmu", "hezbollah", "houthis", "pij")
    runs = {}
    for level in (0.0, 1.0):
        settings = [(f"actors.quds.coordination.{m}", level) for m in militias]
        settings.append(("rules.proxies.coordination_decay", 0.0))
        settings.append(("actors.quds.orders", ("hold", "send_convoy", "restrain")))
        runs[level] = totals("may2019", tuple(settings), 24, 365)
    rate = {level: r["militia_hits"] / max(r["militia_attacks"], 1) for level, r in runs.items()}
    assert runs[1.0]["militia_hits"] > runs[0.0]["militia_hits"]
    assert rate[1.0] > rate[0.0] + 0.1


SEEDS = 24


@pytest.fixture(scope="module")
def scenarios() -> dict[str, dict[str, float]]:
    return {
        name: totals(name, (), SEEDS, 365)
        for name in ("may2019", "jcpoa_restored", "no_coordination", "hormuz_closure")
    }


def share(runs: dict[str, float], key: str) -> float:
    return runs.get(key, 0.0) / runs["runs"]


def test_restoring_the_deal_ends_iran_s_pressure_at_sea_and_eases_the_key_pair(scenarios):
    """Without economic pain, Iran's red line of strangled exports is never crossed: no threats
    to close the strait, no harassment of tankers; the US and Iran end the year less hostile,
    and the crisis peaks lower."""
    base, deal = scenarios["may2019"], scenarios["jcpoa_restored"]
    assert deal["key_tension_end"] < base["key_tension_end"]
    assert deal["peak"] < base["peak"]
    assert deal["iran_at_sea"] < 0.3 * base["iran_at_sea"]


def test_without_coordination_militias_hit_less_and_us_bases_are_spared(scenarios):
    """Through the mechanism, not the menu: the militias keep their own aims and capacity to
    act, but without the Quds Force's coordination they hit less often, and the attacks it
    directs at US bases and missions do not come."""
    base, alone = scenarios["may2019"], scenarios["no_coordination"]
    assert alone["militia_attacks"] > 0.7 * base["militia_attacks"]  # their own wars go on
    rate = {
        k: r["militia_hits"] / max(r["militia_attacks"], 1) for k, r in (("b", base), ("a", alone))
    }
    assert rate["a"] < 0.85 * rate["b"]  # coordination multiplies potency: a sixth less at least
    assert alone["us_hits"] < base["us_hits"]


def test_closing_hormuz_cuts_the_flow_lifts_the_price_and_escalates(scenarios):
    base, closure = scenarios["may2019"], scenarios["hormuz_closure"]
    runs = closure["runs"]
    assert closure["hormuz_min"] / runs < base["hormuz_min"] / runs - 5.0
    assert closure["price_max"] / runs > base["price_max"] / runs + 10.0
    assert share(closure, "direct") > share(base, "direct") + 0.3
