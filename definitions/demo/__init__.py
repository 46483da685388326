"""The demo pipeline ``make demo`` runs: ``definitions.demo.pipeline:demo_pipeline``."""

from .pipeline import demo_pipeline, expected_summary, expected_totals

__all__ = ["demo_pipeline", "expected_summary", "expected_totals"]
