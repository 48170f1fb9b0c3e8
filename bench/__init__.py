"""Benchmarks that print figures and write JSON to bench/results/; never part of pass/fail."""
