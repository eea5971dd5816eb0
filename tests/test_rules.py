"""Each rule of the umpire on its own: what it does, and which way its effects go.

Every test builds the May 2019 world (or a variant through overrides) and calls one rule with a
seeded generator, so a failure points at one rule.
"""

from __future__ import annotations

import numpy as np
import pytest

from agents.units import Tanker
from wargame.core.incidents import Event
from wargame.core.ladder import Rung, outcome_class
from wargame.core.orders import Order
from wargame.core.scenario import load_scenario
from wargame.engine import appraisal
from wargame.engine.legal import legal_orders
from wargame.engine.model import WargameModel
from wargame.engine.rules import (
    attacks,
    diplomacy,
    economy,
    escalation,
    interdiction,
    perception,
    posture,
    proxies,
    sabotage,
    sovereignty,
    strikes,
)


def world(**overrides) -> WargameModel:
    return WargameModel(load_scenario("may2019", overrides), seed=1)


def blind_world() -> WargameModel:
    """May 2019 with every surveillance asset switched off."""
    assets = load_scenario("may2019").spec.isr
    return world(**{f"isr.{a}.detection": 0.0 for a in assets})


def event(model: WargameModel, kind: str, actor: str, target: str, where: str, **extra) -> Event:
    return model.make_event(kind, actor, target, where, "test", **extra)


# ----- perception -----


def test_overt_acts_are_attributed_to_their_doer():
    model = world()
    strike = event(model, "state_strike", "us", "iran", "bandar_abbas")
    for observer in model.actor_list:
        assert perception.attribute(model, strike, observer, np.random.default_rng(0)) == (
            "us",
            1.0,
        )


def test_deniable_acts_are_misattributed_as_often_as_deniability_allows():
    rng = np.random.default_rng(1)
    wrong = {}
    for deniability in (0.0, 0.5, 1.0):
        model = world(**{"actors.quds.deniability": deniability, "actors.us.intel": 0.0})
        attack = event(model, "oil_facility_attack", "quds", "saudi", "abqaiq")
        blamed = [
            perception.attribute(model, attack, model.actors["us"], rng)[0] for _ in range(400)
        ]
        wrong[deniability] = sum(b != "quds" for b in blamed) / len(blamed)
        confidences = [
            perception.attribute(model, attack, model.actors["us"], rng)[1] for _ in range(50)
        ]
        assert all(0.05 <= c <= 0.99 for c in confidences)
    assert wrong[0.0] == 0.0 and wrong[1.0] == 1.0 and 0.35 < wrong[0.5] < 0.65


def test_suspects_are_the_doers_family_able_to_reach_the_place():
    model = world()
    assert perception.suspects(model, model.actors["quds"], "Saudi Arabia") == ["iran", "houthis"]
    assert set(perception.suspects(model, model.actors["pmu"], "Iraq")) == {"iran", "quds"}


def test_an_attack_angers_its_victim_and_the_blame_reaches_the_sponsor():
    model = world()
    us, pmu, iran = (model.actors[a] for a in ("us", "pmu", "iran"))
    before = model.tension[us.index].copy()
    attack = event(model, "base_attack", "pmu", "us", "al_asad", casualties=3)
    perception.learn(model, us, perception.Perceived(attack, "pmu", 0.9, 1))
    after = model.tension[us.index]
    assert after[pmu.index] > before[pmu.index]
    assert after[iran.index] > before[iran.index]  # sponsor_blame 0.8: the sponsor is dragged in
    assert us.beliefs.harm[pmu.index] > 0 and us.beliefs.harm[iran.index] > 0


def test_hitting_back_settles_part_of_the_score():
    model = world()
    us, iran = model.actors["us"], model.actors["iran"]
    before = model.tension[us.index, iran.index]
    strike = event(model, "state_strike", "us", "iran", "bandar_abbas")
    perception.learn(model, us, perception.Perceived(strike, "us", 1.0, 1))
    assert model.tension[us.index, iran.index] < before


@pytest.mark.parametrize(
    ("order", "rule"),
    [
        (Order("us", "ease_sanctions", "oil"), economy.change_sanctions),
        (Order("us", "end_escort", "gulf"), posture.escort),
    ],
)
def test_goodwill_eases_the_grievance_of_those_it_touches(order, rule):
    model = world()
    iran, us = model.actors["iran"], model.actors["us"]
    before = model.tension[iran.index, us.index]
    act = rule(model, order, model.rng)
    assert act.tone == "goodwill"
    perception.learn(model, iran, perception.Perceived(act, "us", 1.0, 1))
    assert model.tension[iran.index, us.index] < before


def test_talks_refused_move_no_one_and_talks_agreed_ease_grievance_against_the_mediator():
    model = world(**{"rules.diplomacy.mediation_success": 0.0})
    us, iraq = model.actors["us"], model.actors["iraq"]
    model.tension[us.index, iraq.index] = 0.3
    offer = Order("iraq", "mediate", "us:iran")
    refused = diplomacy.mediate(model, offer, np.random.default_rng(0))
    assert refused.tone == "neutral"
    perception.learn(model, us, perception.Perceived(refused, "iraq", 1.0, 1))
    assert model.tension[us.index, iraq.index] == 0.3
    agreed = event(model, "mediation", "iraq", "us", "Baghdad", tone="goodwill")
    perception.learn(model, us, perception.Perceived(agreed, "iraq", 1.0, 1))
    assert model.tension[us.index, iraq.index] < 0.3


@pytest.mark.parametrize("gain", [0.5, 5.0, 5000.0])
def test_grievance_stays_between_none_and_all_however_grave_the_blow(gain):
    model = world(**{"rules.escalation.tension_gain": gain})
    us, iran = model.actors["us"], model.actors["iran"]
    strike = event(model, "state_strike", "iran", "us", "al_asad", casualties=500)
    perception.learn(model, us, perception.Perceived(strike, "iran", 1.0, 1))
    assert model.tension[us.index, iran.index] <= 1.0
    answer = event(model, "state_strike", "us", "iran", "bandar_abbas", casualties=500)
    perception.learn(model, us, perception.Perceived(answer, "us", 1.0, 1))  # catharsis
    assert model.tension[us.index, iran.index] >= 0.0
    model.run_for(30)
    assert ((model.tension >= 0.0) & (model.tension <= 1.0)).all()


def test_no_side_blames_itself_for_what_it_did_not_do():
    model = world()
    model.run_for(60)
    for observer in model.actor_list:
        for heard in observer.beliefs.heard:
            mine = observer.aid in (heard.event.actor, heard.event.directed_by)
            assert mine or heard.blamed != observer.aid, (observer.aid, heard.event)


def test_third_parties_hear_late():
    model = world()
    model.step()  # day 1
    attack = event(model, "rocket_attack", "pij", "israel", "tel_aviv")
    heard_before = {a.aid: len(a.beliefs.heard) for a in model.actor_list}
    perception.observe(model, attack, np.random.default_rng(0))
    israel, uk = model.actors["israel"], model.actors["uk"]
    assert len(israel.beliefs.heard) == heard_before["israel"] + 1
    assert len(uk.beliefs.heard) == heard_before["uk"]
    assert any(h.event is attack for _, h in model.news.pending)
    assert attack.blamed == "pij"


# ----- escalation -----


def test_deaths_make_an_incident_more_severe():
    rules = load_scenario("may2019").spec.rules.escalation
    model = world()
    quiet = event(model, "base_attack", "pmu", "us", "al_asad")
    deadly = event(model, "base_attack", "pmu", "us", "al_asad", casualties=10)
    assert escalation.severity(rules, deadly) > escalation.severity(rules, quiet) > 0


def test_the_ladder_remembers_the_worst_of_the_recent_past():
    model = world()
    ladder = escalation.Ladder(model.spec.rules.escalation)
    ladder.note(model, event(model, "rocket_attack", "pmu", "us", "embassy_baghdad", day=1))
    assert ladder.update(1) == Rung.PROXY_VIOLENCE
    assert ladder.update(14) == Rung.PROXY_VIOLENCE
    assert ladder.update(15) == Rung.CALM  # memory_days = 14
    assert (ladder.peak, ladder.peak_day) == (Rung.PROXY_VIOLENCE, 1)


def test_repeated_direct_strikes_become_sustained_then_regional_war():
    model = world()
    rules = model.spec.rules.escalation
    ladder = escalation.Ladder(rules)
    day = 0
    for day in range(1, rules.sustained_days + 1):  # the US and Iran trade strikes
        a, b, site = ("us", "iran", "bandar_abbas") if day % 2 else ("iran", "us", "al_asad")
        ladder.note(model, event(model, "state_strike", a, b, site, day=day))
        expected = Rung.SUSTAINED_DIRECT if day >= rules.sustained_days else Rung.LIMITED_DIRECT
        assert ladder.update(day) == expected
    while day < rules.war_days:  # a third state is drawn in
        day += 1
        ladder.note(model, event(model, "state_strike", "iran", "uk", "uk_bahrain", day=day))
    assert ladder.update(day) == Rung.REGIONAL_WAR
    assert ladder.update(day + rules.memory_days) == Rung.CALM


def test_direct_exchange_is_a_threshold_each_pair_crosses_itself():
    model = world()
    ladder = model.ladder
    ladder.rung = int(Rung.LIMITED_DIRECT)
    assert ladder.base_for(model, "israel", "iran", Rung.LIMITED_DIRECT) == Rung.STRIKES_ON_PROXIES
    ladder.note(model, event(model, "state_strike", "israel", "quds", "quds_albu_kamal", day=1))
    # The Quds Force acts for Iran: Israel and Iran have now exchanged strikes.
    assert ladder.base_for(model, "israel", "iran", Rung.LIMITED_DIRECT) == Rung.LIMITED_DIRECT
    assert ladder.base_for(model, "us", "iran", Rung.LIMITED_DIRECT) == Rung.STRIKES_ON_PROXIES


def test_grievance_fades_toward_lasting_enmity():
    model = world()
    i, j = model.actors["iran"].index, model.actors["us"].index
    model.tension[i, j] = 1.0
    for _ in range(200):
        escalation.relax(model)
    assert model.tension[i, j] == pytest.approx(model.tension_floor[i, j], abs=0.02)
    assert model.tension_floor[i, j] > 0


def test_outcome_classes():
    assert outcome_class(8, True, 8, 0) == "regional_war"
    assert outcome_class(7, True, 4, 3) == "limited_exchange"
    assert outcome_class(6, False, 3, 10) == "de_escalated"  # Israel-Iran only, calm end
    assert outcome_class(5, False, 4, 10) == "contained"  # still violent at the end
    assert outcome_class(5, False, 2, 25) == "contained"  # an armed conflict's toll (UCDP)


# ----- interdiction -----


def test_coverage_comes_from_surveillance_and_surges_raise_it():
    model = world()
    damascus = model.geo.places["Damascus"].cell
    base = model.grid.intel_coverage.data[damascus]
    model.actors["israel"].isr_surge_until = model.day + 10
    interdiction.update_coverage(model)
    assert model.grid.intel_coverage.data[damascus] > base
    assert blind_world().grid.intel_coverage.data.max() == 0.0


def test_chance_of_being_seen_does_not_depend_on_how_many_cells_a_day_crosses():
    coverage = np.full((4, 4), 0.3)
    one_cell = interdiction._seen(coverage, [(0, 0)])
    four_cells = interdiction._seen(coverage, [(0, 0), (1, 1), (2, 2), (3, 3)])
    assert one_cell == pytest.approx(four_cells) == pytest.approx(0.3)


def test_delivered_convoys_strengthen_and_destroyed_ones_weaken_the_recipient():
    model = blind_world()
    hezbollah = model.actors["hezbollah"]
    start = hezbollah.capability
    interdiction.send_convoy(model, Order("quds", "send_convoy", "hezbollah"), model.rng)
    convoy = model.convoys[0]
    for _ in range(30):
        if not model.convoys:
            break
        convoy.passed = convoy.advance()
        interdiction.resolve_convoys(model, np.random.default_rng(0))
    assert not model.convoys and hezbollah.capability > start

    model = world(**{"isr.israel_syria.detection": 1.0, "rules.interdiction.strike_success": 1.0})
    hezbollah = model.actors["hezbollah"]
    start = hezbollah.capability
    interdiction.send_convoy(model, Order("quds", "send_convoy", "hezbollah"), model.rng)
    convoy = model.convoys[0]
    kinds = []
    for _ in range(30):
        if not model.convoys:
            break
        convoy.passed = convoy.advance()
        kinds += [e.kind for e in interdiction.resolve_convoys(model, np.random.default_rng(0))]
    assert "convoy_interdicted" in kinds and "convoy_delivered" not in kinds
    assert hezbollah.capability < start


# ----- sabotage -----


def success_rate(model: WargameModel, order: Order, trials: int = 400) -> float:
    """Share of attempts that succeed against a large Saudi sailing in the gulf lane."""
    lane = model.geo.lanes["gulf"]
    Tanker(model, "gulf", lane, model.shipping.timetables["gulf"], "saudi", ships=10 * trials)
    rng = np.random.default_rng(3)
    results = [sabotage.tanker_action(model, order, rng) for _ in range(trials)]
    return sum(bool(r and r.details["hit"]) for r in results) / trials


@pytest.mark.parametrize("kind", ["attack_tanker", "seize_tanker"])
def test_escorts_foil_attacks_and_seizures_on_tankers(kind):
    order = Order("iran", kind, "gulf")
    open_sea = success_rate(world(), order)
    escorted_world = world()
    escorted_world.actors["uk"].escorts.add("gulf")
    escorted = success_rate(escorted_world, order)
    protection = escorted_world.spec.rules.sabotage.escort_protection
    assert open_sea > 0.4
    assert escorted == pytest.approx(open_sea * (1 - protection), abs=0.07)


def test_oil_facilities_lose_capacity_on_a_hit_and_recover_with_repairs():
    model = world(**{"rules.strikes.hit.attack_oil": 1.0})
    event_ = sabotage.attack_oil(
        model, Order("houthis", "attack_oil", "abqaiq"), np.random.default_rng(0)
    )
    abqaiq = model.sites["abqaiq"]
    assert event_.kind == "oil_facility_attack" and event_.details["hit"]
    lost = abqaiq.offline_mbd
    assert 0 < lost <= abqaiq.spec.capacity_mbd
    economy.update(model)
    assert model.economy.hormuz_mbd < model.spec.rules.economy.hormuz_flow_mbd - 2.0
    days = 4
    for _ in range(days):
        sabotage.repair(model)
    keep = np.exp(-days / model.spec.rules.sabotage.repair_days[abqaiq.kind])
    assert abqaiq.offline_mbd == pytest.approx(lost * keep, rel=1e-6)


def test_a_salvo_reaches_the_owners_other_oil_sites_in_range_and_only_those():
    sure = {"rules.strikes.hit.attack_oil": 1.0, "rules.strikes.air_defence": 0.0}
    alone = world(**sure, **{"rules.sabotage.salvo_extra": 0.0})
    event_ = sabotage.attack_oil(
        alone, Order("houthis", "attack_oil", "abqaiq"), np.random.default_rng(0)
    )
    assert "salvo" not in event_.details
    assert [s.sid for s in alone.oil_sites if s.offline_mbd > 0] == ["abqaiq"]

    full = world(**sure, **{"rules.sabotage.salvo_extra": 1.0})
    event_ = sabotage.attack_oil(
        full, Order("houthis", "attack_oil", "abqaiq"), np.random.default_rng(0)
    )
    reach = full.actors["houthis"].spec.reach
    others = {
        s.sid
        for s in full.oil_sites
        if s.owner == "saudi" and s.country in reach and s.sid != "abqaiq"
    }
    assert others and set(event_.details["salvo"]) == others
    hit = {s.sid for s in full.oil_sites if s.offline_mbd > 0}
    assert len(hit) > 1 and hit <= others | {"abqaiq"}  # each aim is resolved as an attack
    assert event_.rung == attacks.intensity(full, event_.kind, True, event_.casualties)
    total = sum(full.sites[sid].offline_mbd for sid in hit)
    assert event_.details["offline_mbd"] == pytest.approx(total, abs=0.01)


def test_a_terminal_takes_longer_to_repair_than_a_plant():
    days = world().spec.rules.sabotage.repair_days
    assert days["oil_terminal"] > days["oil_facility"]


def test_the_price_answers_covered_losses_gently_and_uncovered_ones_steeply():
    rules = world().spec.rules.economy

    def brent(lost: float, closed: bool = False, days: int = 1) -> float:
        eco = economy.Economy.start(rules, None)
        for _ in range(days):
            usd = economy.price(rules, eco, lost, closed)
        return usd

    p0 = rules.price_usd
    assert brent(0.0) == pytest.approx(p0)
    covered = brent(1.0) / p0 - 1
    assert covered == pytest.approx(
        1.0 / rules.world_supply_mbd / rules.elasticity_covered, rel=0.03
    )
    # Each barrel a day beyond spare capacity costs more than one within it, more so as it grows.
    spare = rules.spare_capacity_mbd
    step_in = np.log(brent(spare) / brent(spare - 1))
    step_out = np.log(brent(spare + 1) / brent(spare))
    step_far = np.log(brent(spare + 6) / brent(spare + 5))
    assert step_out > 2 * step_in and step_far > step_out
    # A closure strands the spare capacity that cannot leave the Gulf.
    assert brent(spare, closed=True) > brent(spare) * 1.03
    # Emergency stocks arrive only after the lag, and then take some of the strain.
    lag = rules.stock_lag_days
    assert brent(spare + 2, days=lag + 2) < brent(spare + 2, days=lag)


def test_tanker_traffic_matches_the_lanes_rates():
    model = world()
    rng = np.random.default_rng(5)
    counts = {"gulf": 0, "red_sea": 0}
    for _ in range(200):
        before = {t.unique_id for t in model.tankers}
        sabotage.spawn_tankers(model, rng)
        for tanker in model.tankers:
            if tanker.unique_id not in before:
                counts[tanker.lane] += tanker.ships
    rates = model.spec.rules.sabotage.tankers_per_day
    for lane, total in counts.items():
        assert total / 200 == pytest.approx(rates[lane], rel=0.1)


# ----- posture -----


def test_higher_posture_lowers_vulnerability_and_costs_readiness():
    model = world()
    us, al_asad = model.actors["us"], model.sites["al_asad"]
    shares = []
    for level in range(5):
        us.posture["Iraq"] = level
        shares.append(posture.vulnerability(model, al_asad))
    assert shares == sorted(shares, reverse=True) and shares[0] > shares[-1]
    us.posture = dict.fromkeys(us.posture, 4)
    for _ in range(30):
        posture.readiness(model)
    worn = us.readiness
    us.posture = dict.fromkeys(us.posture, 0)
    for _ in range(30):
        posture.readiness(model)
    assert worn < 1.0 and us.readiness > worn


def test_evacuated_missions_are_less_exposed():
    model = world()
    embassy = model.sites["embassy_baghdad"]
    embassy.evacuated = False
    full = posture.vulnerability(model, embassy)
    embassy.evacuated = True
    assert posture.vulnerability(model, embassy) < full and embassy.staff < embassy.spec.personnel


def test_allies_follow_the_leader_with_a_lag_and_only_as_far_as_support_allows():
    model = world()
    us, uk = model.actors["us"], model.actors["uk"]
    uk.posture["Iraq"] = 0
    us.posture["Iraq"] = 4
    events = posture.follow(model)  # a step a day, toward the US level of a day ago
    assert (
        uk.posture["Iraq"] == 1 and events[0].kind == "posture_change" and events[0].actor == "uk"
    )
    for _ in range(6):
        model.posture_log.note(model)
        posture.follow(model)
    cap = round(uk.spec.support * posture.TOP)
    assert uk.posture["Iraq"] == cap < us.posture["Iraq"]


def test_deployments_arrive_after_the_transit():
    model = world()
    csg = model.forces["second_csg"]
    event_ = posture.deploy(model, Order("us", "deploy", "second_csg"), model.rng)
    assert event_.kind == "deployment" and not csg.in_theatre
    model.steps += model.spec.rules.posture.deploy_days
    posture.arrivals(model)
    assert csg.in_theatre


# ----- economy -----


def test_sanctions_calibration_and_direction():
    rules = load_scenario("may2019").spec.rules.economy
    full = economy.Economy(
        oil=1.0, shipping=1.0, banking=1.0, waivers=False, price_usd=rules.price_usd
    )
    waived = economy.Economy(
        oil=1.0, shipping=1.0, banking=1.0, waivers=True, price_usd=rules.price_usd
    )
    free = economy.Economy(
        oil=0.0, shipping=0.0, banking=0.0, waivers=False, price_usd=rules.price_usd
    )
    assert economy.exports(rules, full) == pytest.approx(0.4, abs=0.05)  # May 2019 (Reuters)
    assert economy.exports(rules, waived) == pytest.approx(1.1, abs=0.1)  # April 2019
    assert economy.exports(rules, free) == rules.iran_exports_mbd
    for eco in (full, waived, free):
        eco.exports_mbd = economy.exports(rules, eco)
    assert (
        economy.target_pain(rules, full)
        > economy.target_pain(rules, waived)
        > economy.target_pain(rules, free)
    )


def test_sanctions_on_other_exports_add_pain_and_leave_the_us_room_to_tighten():
    model = world()
    rules = model.spec.rules.economy
    us = model.actors["us"]
    legal = {o.target for o in legal_orders(model, us) if o.kind == "tighten_sanctions"}
    assert {"petrochem", "metals"} <= legal and "oil" not in legal  # oil is at its maximum
    before = economy.target_pain(rules, model.economy)
    economy.change_sanctions(model, Order("us", "tighten_sanctions", "petrochem"), model.rng)
    after = economy.target_pain(rules, model.economy)
    step = model.spec.rules.economy.sanction_step
    share = rules.petrochem_share * rules.sector_sanction_cut * step
    whole = 1 + rules.petrochem_share + rules.metals_share
    assert after - before == pytest.approx(share / whole)


def test_steps_back_from_the_nuclear_deal_come_on_a_clock_and_offend_irans_enemies():
    model = world()
    rules = model.spec.rules.diplomacy
    us, israel, iran = (model.actors[a].index for a in ("us", "israel", "iran"))

    def legal() -> set[str]:
        return {o.kind for o in legal_orders(model, model.actors["iran"])}

    # May 2019 begins 13 days after the first step: the next is due 60 days after it.
    assert model.nuclear.steps["iran"] == 1 and "nuclear_step" not in legal()
    assert "nuclear_return" in legal()
    while model.turn - model.nuclear.last_day["iran"] < rules.nuclear_step_days:
        model.step()
    assert "nuclear_step" in legal()
    grudge = model.tension[us, iran], model.tension_floor[israel, iran]
    event_ = diplomacy.nuclear_step(model, Order("iran", "nuclear_step"), model.rng)
    assert event_.kind == "nuclear_step" and model.nuclear.steps["iran"] == 2
    assert model.tension[us, iran] == pytest.approx(min(grudge[0] + rules.nuclear_tension, 1))
    assert model.tension_floor[israel, iran] > grudge[1]
    assert "nuclear_step" not in legal()  # two steps at most, and the clock restarts
    diplomacy.nuclear_step(model, Order("iran", "nuclear_return"), model.rng)
    assert model.nuclear.steps["iran"] == 0
    assert model.tension_floor[israel, iran] < grudge[1]


def test_the_houthis_can_fire_on_us_drones_over_yemen():
    model = world(**{"rules.strikes.hit.shoot_down_drone": 1.0})
    houthis = model.actors["houthis"]
    assert Order("houthis", "shoot_down_drone", "us") in legal_orders(model, houthis)
    event_ = strikes.shoot_down_drone(
        model, Order("houthis", "shoot_down_drone", "us"), np.random.default_rng(0)
    )
    assert event_.kind == "drone_shootdown" and event_.place == "Hodeidah"
    assert event_.details["hit"] == (houthis.readiness > 0)


def test_a_strike_on_commanders_degrades_the_network_it_hits():
    model = world(**{"rules.strikes.hit.target_leaders": 1.0, "rules.strikes.air_defence": 0.0})
    israel = model.actors["israel"]
    legal = {o.target for o in legal_orders(model, israel) if o.kind == "target_leaders"}
    assert "quds" in legal and "hezbollah" in legal and "iran" not in legal  # no state's leaders
    network = [m for m in model.militias if m.spec.sponsor == "quds"]
    before = [(m.capability, m.coordination) for m in network]
    event_ = strikes.target_leaders(model, Order("israel", "target_leaders", "quds"), model.rng)
    assert event_.kind == "leadership_strike" and event_.rung == Rung.LIMITED_DIRECT
    assert event_.details["hit"] and sorted(event_.details["network"]) == sorted(
        m.aid for m in network
    )
    damage = model.spec.rules.strikes.leader_damage
    for militia, (capability, coordination) in zip(network, before, strict=True):
        assert militia.capability == pytest.approx(max(capability - damage, 0.0))
        assert militia.coordination == pytest.approx(max(coordination - damage, 0.0))
    on_militia = strikes.target_leaders(
        model, Order("israel", "target_leaders", "hezbollah"), model.rng
    )
    assert on_militia.rung == Rung.STRIKES_ON_PROXIES  # a militia's commanders: rung 5


def test_iraqs_bill_on_foreign_forces_passes_by_vote_and_ends_their_stay():
    model = world(**{"rules.sovereignty.pass_chance": 1.0})
    rules, bills = model.spec.rules.sovereignty, model.withdrawal
    iraq, us = model.actors["iraq"], model.actors["us"]

    def legal() -> set[tuple[str, str | None]]:
        return {(o.kind, o.target) for o in legal_orders(model, iraq)}

    # May 2019: the draft law against US forces was tabled 91 days before the start.
    assert bills.steps["iraq", "us"] == 1 and ("press_withdrawal", "us") in legal()
    assert ("press_withdrawal", "uk") in legal() and ("drop_withdrawal", "uk") not in legal()
    view = model.view_of("us")
    assert view.bill_against("Iraq") == pytest.approx(1 / rules.max_steps)
    event_ = sovereignty.press_withdrawal(model, Order("iraq", "press_withdrawal", "us"), model.rng)
    assert "passed" in event_.outcome and bills.deadline["iraq", "us"] == rules.withdrawal_days
    assert not legal() & {("press_withdrawal", "us"), ("drop_withdrawal", "us")}  # its pace
    us.interdiction.add("Iraq")
    model.steps = rules.withdrawal_days
    events = sovereignty.deadlines(model)
    assert [e.kind for e in events] == ["deployment"] and "al_asad" in events[0].details["bases"]
    assert model.sites["al_asad"].vacated and model.sites["al_asad"].staff == 0
    assert "Iraq" not in us.interdiction
    assert Order("us", "authorise_interdiction", "Iraq") not in legal_orders(model, us)
    assert not any(o.target == "al_asad" for o in legal_orders(model, model.actors["pmu"]))
    assert "al_asad" not in [s.sid for s in model.strike_sites("iran", "us")]


def test_iraq_presses_as_fighting_on_its_soil_involves_a_foreign_side():
    model = world()
    view = model.view_of("iraq")
    quiet = view.battlefield("uk")
    lag = model.spec.rules.perception.lag_days  # the news reaches Iraq today
    model.emit(event(model, "state_strike", "uk", "pmu", "pmu_baghdad", day=-lag))
    perception.deliver_pending(model)
    model.epoch += 1
    view = model.view_of("iraq")
    assert view.battlefield("uk") > quiet
    press = Order("iraq", "press_withdrawal", "uk")
    assert appraisal.sovereignty(view, press)["security"] > 0.0
    lapse = appraisal.sovereignty(view, Order("iraq", "drop_withdrawal", "uk"))
    assert lapse["security"] < 0.0


def test_a_failed_vote_leaves_the_bill_tabled_and_a_lapse_ends_it():
    model = world(**{"rules.sovereignty.pass_chance": 0.0})
    bills = model.withdrawal
    event_ = sovereignty.press_withdrawal(model, Order("iraq", "press_withdrawal", "us"), model.rng)
    assert "defeated" in event_.outcome and bills.steps["iraq", "us"] == 1
    assert ("iraq", "us") not in bills.deadline
    sovereignty.press_withdrawal(model, Order("iraq", "drop_withdrawal", "us"), model.rng)
    assert bills.steps["iraq", "us"] == 0 and model.view_of("us").bill_against("Iraq") == 0.0


def test_sanctions_orders_move_levels_and_pain_follows():
    model = world()
    economy.change_sanctions(model, Order("us", "ease_sanctions", "oil"), model.rng)
    assert model.economy.oil == 0.75
    event_ = economy.change_sanctions(model, Order("us", "ease_sanctions", "waivers"), model.rng)
    assert model.economy.waivers and event_.kind == "sanctions_change"
    pain = model.economy.pain
    for _ in range(60):
        economy.update(model)
    assert model.economy.pain < pain


def test_closing_the_strait_cuts_the_flow_and_lifts_the_price():
    model = world()
    economy.update(model)
    flow, price = model.economy.hormuz_mbd, model.economy.price_usd
    event_ = economy.close_strait(model, Order("iran", "close_strait"), np.random.default_rng(0))
    assert event_.kind == "closure_attempt" and event_.rung == Rung.SUSTAINED_DIRECT
    economy.update(model)
    assert model.economy.hormuz_mbd < 0.6 * flow and model.economy.price_usd > price * 1.1
    assert model.ladder.closure_active


# ----- proxies, attacks and strikes -----


def test_coordination_multiplies_what_a_militia_can_do():
    model = world()
    pmu = model.actors["pmu"]
    pmu.coordination = 0.0
    alone = attacks.potency(model, pmu)
    proxies.coordinate(model, Order("quds", "coordinate", "pmu"), np.random.default_rng(0))
    assert pmu.coordination > 0 and attacks.potency(model, pmu) > alone
    level = pmu.coordination
    proxies.fade(model)
    assert pmu.coordination < level


def test_higher_posture_means_fewer_deaths_per_attack():
    deaths = {}
    for level in (0, 4):
        model = world(**{"rules.strikes.hit.attack_base": 1.0})
        model.actors["us"].posture["Iraq"] = level
        rng = np.random.default_rng(9)
        pmu, al_asad = model.actors["pmu"], model.sites["al_asad"]
        killed = [attacks.resolve(model, pmu, al_asad, "attack_base", rng)[1] for _ in range(2000)]
        deaths[level] = np.mean(killed)
    assert deaths[4] < 0.5 * deaths[0]


def test_air_defence_intercepts_attacks():
    model = world(**{"rules.strikes.hit.attack_base": 1.0})
    rng = np.random.default_rng(2)
    udeid = model.sites["al_udeid"]  # a Patriot battery stands at Al Udeid
    assert attacks.defended(model, udeid) and not attacks.defended(model, model.sites["al_asad"])
    hits = [
        attacks.resolve(model, model.actors["iran"], udeid, "attack_base", rng)[0]
        for _ in range(500)
    ]
    assert np.mean(hits) == pytest.approx(1 - model.spec.rules.strikes.air_defence, abs=0.06)


def test_strikes_on_militias_weaken_them_and_strikes_on_states_are_direct_exchange():
    model = world(
        **{"rules.strikes.hit.strike_militia": 1.0, "rules.strikes.hit.strike_state": 1.0}
    )
    pmu = model.actors["pmu"]
    start = pmu.capability
    on_militia = strikes.strike(
        model, Order("us", "strike_militia", "pmu"), np.random.default_rng(0)
    )
    assert on_militia.kind == "state_strike" and on_militia.rung == Rung.STRIKES_ON_PROXIES
    assert pmu.capability < start and on_militia.target == "pmu"
    on_state = strikes.strike(model, Order("us", "strike_state", "iran"), np.random.default_rng(0))
    assert on_state.rung == Rung.LIMITED_DIRECT and escalation.is_direct(model, on_state)
    on_state.day = 5
    model.record.add(on_state)
    assert model.record.direct_exchange_day == 5 and model.record.direct_exchange_by == "us"


# ----- diplomacy -----


def test_mediation_that_works_lowers_tension_between_the_parties():
    model = world(
        **{
            "rules.diplomacy.mediation_success": 1.0,
            "actors.us.resolve": 0.0,
            "actors.iran.resolve": 0.0,
        }
    )
    i, j = model.actors["us"].index, model.actors["iran"].index
    before = model.tension[i, j], model.tension[j, i]
    event_ = diplomacy.mediate(model, Order("iraq", "mediate", "us:iran"), np.random.default_rng(0))
    assert event_.details["agreed"]
    assert model.tension[i, j] < before[0] and model.tension[j, i] < before[1]
    assert model.talks.until["us"] > model.day


def test_grievance_makes_talks_less_likely():
    model = world()
    calm = diplomacy.willingness(model, "us", "iran")
    model.tension[model.actors["us"].index, model.actors["iran"].index] = 1.0
    assert diplomacy.willingness(model, "us", "iran") < calm


def test_a_rung_counts_what_an_attack_did():
    """A lone rocket that hits nothing is harassment; one that kills five or more is a step
    above proxy violence; the background wars stay off the ladder unless a blow is deadly."""
    model = world()
    assert attacks.intensity(model, "rocket_attack", False, 0) == Rung.HARASSMENT
    assert attacks.intensity(model, "rocket_attack", True, 1) == Rung.PROXY_VIOLENCE
    deadly = model.spec.rules.escalation.deadly_at
    assert attacks.intensity(model, "base_attack", True, deadly) == Rung.STRIKES_ON_PROXIES
    assert attacks.intensity(model, "tanker_sabotage", True, 9) == Rung.HARASSMENT
    raid = model.make_event(
        "state_strike",
        "saudi",
        "houthis",
        "houthis_sanaa",
        "hit",
        casualties=20,
        order=Order("saudi", "strike_militia", "houthis"),
    )
    assert escalation.background(model, raid)
    before = len(model.ladder.recent)
    model.ladder.note(model, raid)
    assert len(model.ladder.recent) == before  # the Saudi air war is the background
    missile = model.make_event(
        "rocket_attack",
        "houthis",
        "saudi",
        "riyadh",
        "hit",
        rung=attacks.intensity(model, "rocket_attack", True, deadly),
        casualties=deadly,
        order=Order("houthis", "rocket_attack", "riyadh"),
    )
    assert escalation.background(model, missile)
    model.ladder.note(model, missile)
    assert len(model.ladder.recent) == before + 1  # but a deadly blow at a city is a step


def test_grievance_does_not_fall_below_the_start_by_itself():
    """Quiet brings grievance back to the enmity of the start, not below (enmity_floor 1)."""
    model = world()
    us, iran = model.actors["us"].index, model.actors["iran"].index
    start = model.spec.tension["us"]["iran"]
    for _ in range(730):
        escalation.relax(model)
    assert model.tension[us, iran] == pytest.approx(start, abs=1e-3)
    assert (model.tension >= model.tension_floor - 1e-3).all()
