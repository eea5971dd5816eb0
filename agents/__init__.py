"""Mesa agent classes of the wargame: the sides, the fixed sites and the moving units."""

from agents.actors import Actor
from agents.sites import Site
from agents.units import Convoy, Force, PathMover, Tanker

__all__ = ["Actor", "Convoy", "Force", "PathMover", "Site", "Tanker"]
