"""Scenarios and exercise packs: data, never code (installed as the package `wargame.configs`)."""
