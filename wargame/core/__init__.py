"""What every use shares: the scenario schema, its loader and checks, where numbers come from,
the map's geography, the escalation ladder, the catalogues of orders and incidents, atomic
writes, and the parsing of options and usage errors that every command reports the same way.

Nothing here imports the engine or a front end, or Mesa: a command that only reads a scenario
(``wargame validate``) pays for nothing else.
"""

DISCLAIMER = "A run is one possibility under stated assumptions, never a prediction."
