"""An agent-based wargame of proxy escalation in the Middle East (May 2019), on Mesa.

From Python::

    from wargame import load_scenario, WargameModel
    model = WargameModel(load_scenario("may2019", {"actors.iran.resolve": 0.8}), seed=1)
    model.run_for(30)                     # or model.run() to the scenario's end
    model.record.events[:5]              # the event log
    model.record.daily()                 # the daily metrics, one row per day
    model.record.summary()               # the run's summary
"""

from __future__ import annotations

from typing import Any

__all__ = ["LoadedScenario", "ScenarioError", "WargameModel", "load_scenario"]


def __getattr__(name: str) -> Any:
    """Load the public names on first use, so that ``agents`` and ``wargame`` can import each
    other's modules in any order."""
    if name == "WargameModel":
        from wargame.model import WargameModel

        return WargameModel
    if name in ("LoadedScenario", "ScenarioError", "load_scenario"):
        from wargame import scenario

        return getattr(scenario, name)
    raise AttributeError(f"module 'wargame' has no attribute {name!r}")
