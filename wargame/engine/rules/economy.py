"""Pressure and economy: sanctions, Iran's exports and pain, the oil price, the straits' flow.

Iran's exports are its pre-sanctions level cut by oil sanctions (waivers give part back) and by
shipping sanctions; banking sanctions take a further share of the revenue. Economic pain is the
revenue lost against the pre-sanctions level, smoothed over ``pain_memory_days``: pain erodes
Iran's caution (``pain_sensitivity``), which is how pressure changes its appetite for risk.
Flow through Hormuz is the 2018 flow less Iran's lost exports, Gulf oil knocked offline, and the
share an attempted closure stops while it lasts. The oil price moves with supply lost since the
start (``price_per_mbd``) and a risk premium that each attack or threat on shipping adds.
"""

from __future__ import annotations

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
    exports_mbd: float = 0.0
    start_exports_mbd: float = 0.0
    pain: float = 0.0
    price_usd: float = 0.0
    risk: float = 0.0
    hormuz_mbd: float = 0.0
    red_sea_mbd: float = 0.0
    offline_mbd: float = 0.0
    closure_until: int = -1  # last day of a closure (-1: none yet)

    @classmethod
    def start(cls, rules: EconomyRules, sanctions: Sanctions | None) -> Economy:
        levels = (
            (0.0, 0.0, 0.0, False)
            if sanctions is None
            else (sanctions.oil, sanctions.shipping, sanctions.banking, sanctions.waivers)
        )
        economy = cls(*levels, price_usd=rules.price_usd)
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
    """Share of Iran's pre-sanctions oil revenue that sanctions and closure take away."""
    revenue = eco.exports_mbd * eco.price_usd * (1.0 - rules.banking_sanction_cut * eco.banking)
    return float(np.clip(1.0 - revenue / (rules.iran_exports_mbd * rules.price_usd), 0.0, 1.0))


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
    eco.price_usd = (
        rules.price_usd * max(1.0 + rules.price_per_mbd * supply_lost, 0.2) * (1.0 + eco.risk)
    )
    eco.pain += (target_pain(rules, eco) - eco.pain) / rules.pain_memory_days


def add_risk(model: World, share: float = 1.0) -> None:
    """Attacks on shipping raise the risk premium on oil."""
    model.economy.risk += share * model.spec.rules.economy.risk_premium
