"""Benchmarks (``planlayers bench``): speed is measured here, never in the tests."""
