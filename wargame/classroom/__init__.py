"""The classroom: one shared game of an exercise pack, a link per team and one for the
facilitator, each seeing only what its role may see."""
