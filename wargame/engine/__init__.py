"""The game itself: the model and the umpire's phase table, the rules (``rules/``), perception
and beliefs, each side's view, its legal orders, the players (computer and human), the record
and replay. It imports the core, never a front end.

From Python::

    from wargame.core.scenario import load_scenario
    from wargame.engine.model import WargameModel

    model = WargameModel(load_scenario("may2019", {"actors.iran.resolve": 0.8}), seed=1)
    model.run_for(30)      # or model.run() to the scenario's end
    model.record.daily()   # the daily metrics, one row per day
"""
