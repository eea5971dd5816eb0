"""The umpire: one module per rule, each a set of functions of the world and the model's rng."""
