"""Pressure and economy: sanctions, Iran's exports and pain, the oil price, the straits' flow.

Iran's exports are its pre-sanctions level cut by oil sanctions (waivers give part back) and by
shipping sanctions; banking sanctions take a further share of the revenue, and sanctions on its
other exports (petrochemicals, metals) take ``sector_sanction_cut`` of theirs. Economic pain is the
revenue lost against the pre-sanctions level, smoothed over ``pain_memory_days``: pain erodes
Iran's caution (``pain_sensitivity``), which is how pressure changes its appetite for risk.
Flow through Hormuz is the 2018 flow less Iran's lost exports, Gulf oil knocked offline, and the
share an attempted closure stops while it lasts.

The oil price answers the supply lost since the start in two tiers. The part that other
producers' spare capacity (only the pipelines' spare that bypasses the strait while it is
closed) and, after ``stock_lag_days`` of shortfall, emergency stocks make good moves the price
with the market's combined elasticity (``elasticity_covered``); the rest, uncovered, moves it
with the short-run elasticity of demand alone (``elasticity_uncovered``), through a logarithm
that steepens as the loss grows: ln(P/P0) = C/D / e_c - ln(1 - N/D) / e_u + risk, with D the
world's supply. Each attack or threat on shipping adds to the risk premium, which fades.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from wargame.core.incidents import Event
from wargame.core.ladder import Rung

if TYPE_CHECKING:
    from wargame.core.orders import Order
    from wargame.core.schema import EconomyRules, Sanctions
    from wargame.engine.world import World


@dataclass
class Economy:
    oil: float
    shipping: float
    banking: float
    waivers: bool
    petrochem: float = 0.0  # Iran's other exports
    metals: float = 0.0
    exports_mbd: float = 0.0
    start_exports_mbd: float = 0.0
    pain: float = 0.0
    price_usd: float = 0.0
    risk: float = 0.0
    hormuz_mbd: float = 0.0
    red_sea_mbd: float = 0.0
    offline_mbd: float = 0.0
    closure_until: int = -1  # last day of a closure (-1: none yet)
    short_days: int = 0  # days in a row that the loss has exceeded spare capacity

    @classmethod
    def start(cls, rules: EconomyRules, sanctions: Sanctions | None) -> Economy:
        levels = (
            {"oil": 0.0, "shipping": 0.0, "banking": 0.0, "petrochem": 0.0, "metals": 0.0}
            if sanctions is None
            else sanctions.model_dump(exclude={"target", "waivers"})
        )
        waivers = sanctions.waivers if sanctions else False
        economy = cls(**levels, waivers=waivers, price_usd=rules.price_usd)
        economy.exports_mbd = economy.start_exports_mbd = exports(rules, economy)
        economy.pain = target_pain(rules, economy)
        economy.hormuz_mbd = rules.hormuz_flow_mbd - (rules.iran_exports_mbd - economy.exports_mbd)
        economy.red_sea_mbd = rules.bab_el_mandeb_flow_mbd
        return economy

    def level(self, sector: str) -> float:
        return float(self.waivers) if sector == "waivers" else getattr(self, sector)


def exports(rules: EconomyRules, eco: Economy) -> float:
    """Iran's oil exports, mb/d, under the current sanctions."""
    oil_cut = rules.oil_sanction_cut * eco.oil * (1.0 - rules.waiver_relief * eco.waivers)
    return (
        rules.iran_exports_mbd
        * (1.0 - oil_cut)
        * (1.0 - rules.shipping_sanction_cut * eco.shipping)
    )


def target_pain(rules: EconomyRules, eco: Economy) -> float:
    """Share of Iran's pre-sanctions export revenue (oil, petrochemicals, metals) that
    sanctions and closure take away; revenue is counted in units of the oil revenue."""
    oil = eco.exports_mbd * eco.price_usd / (rules.iran_exports_mbd * rules.price_usd)
    others = (
        (rules.petrochem_share, eco.petrochem),
        (rules.metals_share, eco.metals),
    )
    revenue = oil * (1.0 - rules.banking_sanction_cut * eco.banking) + sum(
        share * (1.0 - rules.sector_sanction_cut * level) for share, level in others
    )
    whole = 1.0 + sum(share for share, _ in others)
    return float(min(max(1.0 - revenue / whole, 0.0), 1.0))


def change_sanctions(model: World, order: Order, rng: np.random.Generator) -> Event:
    """Tighten or ease one sector by ``sanction_step`` (waivers are granted or ended)."""
    eco, step = model.economy, model.spec.rules.economy.sanction_step
    tighten = order.kind == "tighten_sanctions"
    sector = order.target or "oil"
    if sector == "waivers":
        eco.waivers = not tighten
        level = "ended" if tighten else "granted"
    else:
        value = float(np.clip(getattr(eco, sector) + (step if tighten else -step), 0.0, 1.0))
        setattr(eco, sector, value)
        level = f"{value:.2f}"
    target = "iran"
    return model.make_event(
        "sanctions_change",
        order.actor,
        target,
        model.capital(target),
        f"{'tightened' if tighten else 'eased'} {sector}: {level}",
        rung=Rung.GESTURES if tighten else Rung.CALM,
        order=order,
        tone="hostile" if tighten else "goodwill",
    )


def threaten_closure(model: World, order: Order, rng: np.random.Generator) -> Event:
    model.economy.risk += model.spec.rules.economy.risk_premium
    return model.make_event(
        "closure_threat",
        order.actor,
        model.closure_target(order.actor),
        "Strait of Hormuz",
        "threatened to close the strait",
        order=order,
    )


def close_strait(model: World, order: Order, rng: np.random.Generator) -> Event:
    """An attempt to close Hormuz; adversaries' navies in theatre clear it faster."""
    rules, eco = model.spec.rules.economy, model.economy
    doer = model.actors[order.actor]
    navies = sum(
        1
        for f in model.forces.values()
        if f.in_theatre
        and f.kind in ("carrier_group", "escort_group")
        and f.owner in doer.spec.adversaries
    )
    days = max(1, round(rng.exponential(rules.closure_days) / (1.0 + navies)))
    eco.closure_until = model.day + days
    eco.risk += 3 * rules.risk_premium
    model.ladder.closure_active = True
    return model.make_event(
        "closure_attempt",
        order.actor,
        model.closure_target(order.actor),
        "Strait of Hormuz",
        f"strait closed for about {days} day{'' if days == 1 else 's'}",
        order=order,
        details={"days": days},
    )


def update(model: World) -> None:
    """Daily consequences: exports, pain, flows and price."""
    rules, eco = model.spec.rules.economy, model.economy
    closed = eco.closure_until >= model.day
    model.ladder.closure_active = closed
    cut = rules.closure_cut if closed else 0.0
    sanctioned = exports(rules, eco)
    eco.exports_mbd = sanctioned * (1.0 - cut)
    offline = {"gulf": 0.0, "red_sea": 0.0, None: 0.0}
    for site in model.oil_sites:
        offline[site.spec.exports_via] += site.offline_mbd
    eco.offline_mbd = sum(offline.values())
    lost_to_sanctions = rules.iran_exports_mbd - sanctioned
    open_flow = max(rules.hormuz_flow_mbd - lost_to_sanctions - offline["gulf"], 0.0)
    eco.hormuz_mbd = open_flow * (1.0 - cut)
    eco.red_sea_mbd = max(rules.bab_el_mandeb_flow_mbd - offline["red_sea"], 0.0)
    supply_lost = eco.offline_mbd + (eco.start_exports_mbd - sanctioned) + cut * open_flow
    eco.risk *= 1.0 - rules.risk_decay
    eco.price_usd = price(rules, eco, supply_lost, closed)
    eco.pain += (target_pain(rules, eco) - eco.pain) / rules.pain_memory_days


MAX_UNCOVERED = 0.25  # beyond a quarter of world supply no elasticity holds: rationing does


def price(rules: EconomyRules, eco: Economy, lost_mbd: float, closed: bool) -> float:
    """Brent in USD, for a loss of ``lost_mbd`` since the start (negative: supply regained)."""
    spare = rules.bypass_mbd if closed else rules.spare_capacity_mbd
    eco.short_days = eco.short_days + 1 if lost_mbd > spare else 0
    stocks = rules.stock_release_mbd if eco.short_days > rules.stock_lag_days else 0.0
    covered = min(lost_mbd, spare + stocks)
    uncovered = min(max(lost_mbd - covered, 0.0) / rules.world_supply_mbd, MAX_UNCOVERED)
    log_change = (
        covered / rules.world_supply_mbd / rules.elasticity_covered
        - math.log1p(-uncovered) / rules.elasticity_uncovered
        + eco.risk
    )
    return rules.price_usd * math.exp(log_change)


def add_risk(model: World, share: float = 1.0) -> None:
    """Attacks on shipping raise the risk premium on oil (in log points of the price)."""
    model.economy.risk += share * model.spec.rules.economy.risk_premium
