"""Benchmarks: `python -m benchmarks [name ...]` runs benchmarks/<name>.py (all when no name)."""
