"""The umpire's dice: every chance it rolls is kept on the incident it decides.

Summary of rule: an outcome of chance ``p`` happens when a uniform draw falls below ``p``; the
incident's ``details`` carry both (``p`` and ``roll``), so anyone can check the umpire's call.
"""

from __future__ import annotations

import numpy as np


def roll(rng: np.random.Generator, p: float) -> tuple[bool, dict[str, float]]:
    """Whether an outcome of chance ``p`` happens, with the odds and the draw for the record."""
    p = min(max(p, 0.0), 1.0)
    draw = float(rng.random())
    return draw < p, {"p": round(p, 4), "roll": round(draw, 4)}
