"""Scored results: their one serialised form, a compact set of them, and the cache that keeps them
between runs."""
