"""An exercise played turn by turn: the model, the injects, the people's decisions.

A turn lasts ``days_per_turn`` days (or, when a person asks, until their side hears of an
incident): the people's orders apply on its first day, and their sides hold for the rest of the
turn. Injects (a pack's) fire once each, at the start of their turn or on the first incident that
matches them; an inject with an order forces it on the next day. The classroom plays a pack with
teams and a facilitator (wargame/classroom); the dashboard plays a scenario with one person, or
none; the debrief plays the same exercise with the computer on every side, to compare the
class's game with those.

Everything people do to an exercise (a turn resolved with their orders, an inject fired by hand,
a line of news typed in, an early end) goes into its ``log``: with the seed and the plan, the log
is the whole game, so ``Exercise.replay`` rebuilds it incident for incident, after a reload, a
server restart or a crash, and the what-ifs (wargame/engine/replay.py) start from any turn of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

from wargame.core.incidents import Event
from wargame.core.ladder import LADDER, OUTCOMES, Rung
from wargame.core.orders import CATALOGUE, Order
from wargame.core.packs import LoadedPack, PackInject, load_pack
from wargame.core.scenario import LoadedScenario, load_scenario
from wargame.core.schema import Inject
from wargame.engine.model import WargameModel
from wargame.engine.policy import HumanPolicy

MAX_INTENT = 200  # characters of an intent: one line


@dataclass(frozen=True)
class Plan:
    """What is played: the scenario, how long, in turns of how many days, with which injects,
    and which sides people may take (empty: any). A pack makes one; the dashboard another."""

    scenario: LoadedScenario
    days: int
    days_per_turn: int
    turns: int
    injects: tuple[PackInject, ...] = ()
    playable: tuple[str, ...] = ()
    pack: LoadedPack | None = None
    ref: str = ""  # the scenario as named (a shipped name or a file), without a pack
    overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of_pack(cls, pack: LoadedPack) -> Plan:
        info = pack.spec.exercise
        return cls(
            pack.scenario,
            pack.days,
            info.days_per_turn,
            info.turns,
            tuple(pack.spec.injects),
            tuple(info.playable),
            pack,
        )

    @classmethod
    def free(
        cls, ref: str, overrides: dict[str, Any], days: int | None, days_per_turn: int
    ) -> Plan:
        """A game of a scenario (``ref`` with ``overrides``; ScenarioError if bad) lasting
        ``days`` days (all of the scenario's if None) in turns of ``days_per_turn``; the last
        turn may be shorter, and so may one played until news, so there are as many turns as
        days at most."""
        scenario = load_scenario(ref, overrides)
        longest = scenario.spec.scenario.days
        days = longest if days is None else days
        if not 1 <= days <= longest:
            raise ValueError(f"a game of {scenario.name} lasts 1 to {longest} days, not {days}")
        if not 1 <= days_per_turn <= days:
            raise ValueError(f"a turn lasts 1 to {days} days, not {days_per_turn}")
        return cls(scenario, days, days_per_turn, days, ref=ref, overrides=dict(overrides))

    def describe(self) -> dict[str, Any]:
        """The plan as game.json keeps it, to load it again (see ``plan_from``)."""
        if self.pack is not None:
            return {"pack_folder": str(self.pack.folder)}
        return {
            "scenario": self.ref,
            "overrides": self.overrides,
            "days": self.days,
            "days_per_turn": self.days_per_turn,
        }


def plan_from(saved: dict[str, Any]) -> Plan:
    """The plan a game.json describes (ScenarioError if its pack or scenario is bad)."""
    if "pack_folder" in saved:
        return Plan.of_pack(load_pack(saved["pack_folder"]))
    return Plan.free(saved["scenario"], saved["overrides"], saved["days"], saved["days_per_turn"])


class Exercise:
    def __init__(
        self, plan: Plan | LoadedPack, *, seed: int = 1, teams: Iterable[str] = ()
    ) -> None:
        self.plan = plan if isinstance(plan, Plan) else Plan.of_pack(plan)
        self.pack = self.plan.pack
        self.seed = seed
        self.teams = list(teams)
        sides = self.plan.playable or tuple(self.plan.scenario.spec.actors)
        unknown = [t for t in self.teams if t not in sides]
        if unknown:
            where = self.pack.name if self.pack else self.plan.scenario.name
            raise ValueError(
                f"not playable in {where}: {', '.join(unknown)} (playable: {', '.join(sides)})"
            )
        if len(set(self.teams)) < len(self.teams):
            raise ValueError(f"a side is given to more than one team: {', '.join(self.teams)}")
        self.players = {side: HumanPolicy() for side in self.teams}
        self.model = WargameModel(
            self.plan.scenario, seed=seed, days=self.plan.days, players=self.players
        )
        self.turn = 1
        self.ended = False
        self.news: list[dict[str, Any]] = []  # injects as shown to everyone
        self.decisions: list[dict[str, Any]] = []  # what each team ordered, turn by turn
        self.fired: set[int] = set()
        self.log: list[dict[str, Any]] = []  # what people did, in order: the game, with the seed
        self._fire_scheduled()

    @classmethod
    def replay(
        cls, plan: Plan, seed: int, teams: Iterable[str], log: list[dict[str, Any]]
    ) -> Exercise:
        """The exercise as its log left it: the same seed, plan and acts give the same game."""
        game = cls(plan, seed=seed, teams=teams)
        for act in log:
            game.redo(act)
        return game

    def redo(self, act: dict[str, Any]) -> None:
        """Do again one act of a log."""
        if act["turn"] != self.turn:
            raise ValueError(f"the log says turn {act['turn']} where the game is at {self.turn}")
        if act["act"] == "resolve":
            orders = {side: [Order(**o) for o in given] for side, given in act["orders"]}
            self.resolve(dict(orders), act.get("intents") or {}, days=act["days"])
        elif act["act"] == "fire":
            self.fire(act["index"], by_hand=True)
        elif act["act"] == "say":
            self.say(act["text"])
        elif act["act"] == "end":
            self.end()
        else:
            raise ValueError(f"the log holds an unknown act '{act['act']}'")

    @property
    def days_left(self) -> int:
        return self.plan.days - self.model.day

    def resolve(
        self,
        submitted: dict[str, list[Order]],
        intents: dict[str, str] | None = None,
        *,
        until_news: str | None = None,
        days: int | None = None,
    ) -> int:
        """Play the turn in play with the teams' orders (a team that sent none holds); each
        team may say in a line what it meant (its intent, for the debrief). The turn lasts its
        days, or ``days``, or until the side ``until_news`` hears of an incident it did not
        cause. Returns the days played. An order a side may not give raises OrderRefused, and
        nothing is played."""
        if self.ended:
            raise ValueError("the game has ended")
        for side in self.teams:
            self.players[side].submit(submitted.get(side, []), self.model.options_for(side))
        intents = {s: one_line(t) for s, t in (intents or {}).items() if one_line(t)}
        first = self.model.turn
        for side in self.teams:
            self.decisions.append(
                {
                    "turn": self.turn,
                    "day": first,
                    "side": side,
                    # A team that held and one that sent nothing read differently in the debrief.
                    "submitted": side in submitted,
                    "orders": [described(o) for o in submitted.get(side, []) if o.kind != "hold"],
                    "intent": intents.get(side, ""),
                }
            )
        length = days or (self.days_left if until_news else self.plan.days_per_turn)
        played = 0
        while played < length and not self.model.finished:
            heard = len(self.model.actors[until_news].beliefs.heard) if until_news else 0
            self.model.step()
            played += 1
            self._fire_triggered([e for e in self.model.record.events if e.day == self.model.day])
            if until_news and days is None and self._news_since(until_news, heard):
                break
        self.log.append(
            {
                "act": "resolve",
                "turn": self.turn,
                "days": played,
                "orders": [
                    [side, [o.to_dict() for o in submitted[side] if o.kind != "hold"]]
                    for side in self.teams
                    if side in submitted
                ],
                "intents": intents,
            }
        )
        self.turn += 1
        if self.turn > self.plan.turns or self.model.finished:
            self.ended = True
        else:
            self._fire_scheduled()
        return played

    def _news_since(self, side: str, count: int) -> bool:
        """Whether ``side`` heard of an incident it neither did nor directed."""
        return any(
            side not in (h.event.actor, h.event.directed_by)
            for h in self.model.actors[side].beliefs.heard[count:]
        )

    def fire(self, index: int, *, by_hand: bool = False) -> None:
        """Fire an inject now: its text is news to all, its order (if any) comes tomorrow."""
        inject = self.plan.injects[index]
        self.fired.add(index)
        if by_hand:
            self.log.append({"act": "fire", "turn": self.turn, "index": index})
        self._tell(inject.text)
        day = self.model.day
        if inject.order is not None and not self.model.finished:
            order = inject.order
            forced = Inject(
                day=day + 1,
                kind="order",
                actor=order.actor,
                order=order.order,
                target=order.target,
                via=order.via,
            )
            self.model.injects.setdefault(day + 1, []).append(forced)

    def say(self, text: str) -> None:
        """News written by the facilitator in the game: told to all, noted in the record."""
        self.log.append({"act": "say", "turn": self.turn, "text": text})
        self._tell(text)

    def _tell(self, text: str) -> None:
        self.news.append({"turn": self.turn, "day": self.model.day, "text": text})
        self.model.record.note(self.model.day, text)

    def end(self) -> None:
        """End the game before its last turn."""
        if not self.ended:
            self.log.append({"act": "end", "turn": self.turn})
            self.ended = True

    def _fire_scheduled(self) -> None:
        for index, inject in enumerate(self.plan.injects):
            if inject.turn == self.turn and index not in self.fired:
                self.fire(index)

    def _fire_triggered(self, today: list[Event]) -> None:
        for index, inject in enumerate(self.plan.injects):
            if (
                inject.when is not None
                and index not in self.fired
                and any(_matches(inject, e) for e in today)
            ):
                self.fire(index)


def one_line(text: object) -> str:
    """An intent as one line of at most MAX_INTENT characters."""
    return " ".join(str(text or "").split())[:MAX_INTENT]


def described(order: Order) -> dict[str, Any]:
    kind = CATALOGUE[order.kind]
    return {**order.to_dict(), "explanation": kind.explanation, "rung": int(kind.rung)}


def _matches(inject: PackInject, event: Event) -> bool:
    return (
        event.kind == inject.when
        and (inject.actor is None or event.actor == inject.actor)
        and (inject.target is None or event.target == inject.target)
    )


def play_by_computer(
    plan: Plan | LoadedPack, seed: int, turns: int | None = None, days: int | None = None
) -> Exercise:
    """The exercise played by the computer alone, for ``turns`` turns, or ``days`` days, or to
    its end (a class's or a player's game is compared with these, over as long as it lasted)."""
    game = Exercise(plan, seed=seed)
    while not game.ended and (turns is None or game.turn <= turns):
        if days is not None and game.model.day >= days:
            break
        left = None if days is None else min(game.plan.days_per_turn, days - game.model.day)
        game.resolve({}, days=left)
    return game


# ----- computer-played games, to compare a game with -----
@dataclass(frozen=True)
class Played:
    """What the comparison needs of one game."""

    peak: int
    outcome: str
    rungs: list[int]  # the rung of each day, day 0 first
    direct: bool
    killed: int


def summarise(model: WargameModel) -> Played:
    summary = model.record.summary()
    return Played(
        summary["peak_rung"],
        summary["outcome"],
        [int(r) for r in model.datacollector.model_vars["rung"]],
        summary["direct_exchange_day"] is not None,
        sum(summary["casualties"].values()),
    )


def _played(job: tuple[dict[str, Any], int, int]) -> Played:
    described_plan, seed, days = job
    return summarise(play_by_computer(plan_from(described_plan), seed, days=days).model)


Progress = Callable[[int, int], None]  # (done, of)


def computer_games(
    plan: Plan, runs: int, days: int, progress: Progress | None = None, workers: int | None = None
) -> list[Played]:
    """The plan played ``runs`` times by the computer alone for ``days`` days (as long as the
    game compared with them lasted), seeds 1..runs, on local processes; ``progress`` hears how
    many are done."""
    jobs = [(plan.describe(), seed, days) for seed in range(1, runs + 1)]
    return run_jobs(_played, jobs, progress, workers)


def run_jobs[J, R](
    work: Callable[[J], R], jobs: list[J], progress: Progress | None, workers: int | None = None
) -> list[R]:
    """``work`` on every job in local processes, in order, telling ``progress`` as they end."""
    results: list[R] = []
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:  # no fork: threads
        for result in pool.map(work, jobs, chunksize=max(1, len(jobs) // 50)):
            results.append(result)
            if progress is not None:
                progress(len(results), len(jobs))
    return results


def peak_sentence(peak: int, games: list[Played], whose: str = "Your game") -> str:
    """Where a game's peak rung falls among the computer-played games."""
    below = sum(g.peak < peak for g in games) / len(games)
    same = sum(g.peak == peak for g in games) / len(games)
    title = LADDER[Rung(peak)].title
    return (
        f"{whose} reached rung {peak} ({title}); {below:.0%} of {len(games)} computer-played "
        f"games stayed below it, and {same:.0%} peaked at the same rung."
    )


def outcome_shares(games: list[Played]) -> dict[str, float]:
    return {name: sum(g.outcome == name for g in games) / len(games) for name in OUTCOMES}
