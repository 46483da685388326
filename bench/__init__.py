"""Benchmarks: ``make bench`` (``python -m bench.run``). Not part of the library or ``make test``."""
