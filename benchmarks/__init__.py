"""Benchmarks: `python -m benchmarks [NAME ...]` (all when no name is given)."""
