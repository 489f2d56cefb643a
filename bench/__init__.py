"""Benchmarks: run on demand, each against a baseline in the same run."""
