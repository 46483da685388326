"""Executors decide where and when steps run; the step runner decides what running one means."""
