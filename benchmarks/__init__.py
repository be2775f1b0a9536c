"""Benchmarks: `python -m benchmarks [--quick]` runs them all and prints figures and ratios
against baselines measured in the same run. Not part of the test suite (timings are noisy)."""
