"""An agent-based wargame of proxy escalation in the Middle East (May 2019), on Mesa.

One subpackage per use; imports run one way, front ends to engine to core:

- ``core``: scenarios, geography, the ladder, the order and incident catalogues;
- ``engine``: the model, the umpire and its rules, the players, the record;
- ``dashboard``, ``classroom``, ``batch``, ``reports``: the front ends;
- ``cli``: the ``wargame`` command, the only module that reads a command line.

The Mesa agents live in the top-level ``agents`` package. See docs/architecture.md.
"""
