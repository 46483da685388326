"""Timed samples and the statistics the benchmark reports: medians, ranges, pairwise ratios."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["Sample", "measure", "pairwise_ratio", "log", "BenchError"]


class BenchError(RuntimeError):
    """A benchmark could not run or produced a wrong result."""


@dataclass
class Sample:
    """The recorded times (seconds) of one measurement."""

    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def lo(self) -> float:
        return min(self.times)

    @property
    def hi(self) -> float:
        return max(self.times)

    def text(self, scale: float = 1.0, fmt: str = "{:.3f}") -> str:
        """``median (min-max)``, each value multiplied by ``scale`` and formatted with ``fmt``."""
        med, lo, hi = (fmt.format(x * scale) for x in (self.median, self.lo, self.hi))
        return f"{med} ({lo}-{hi})"


def measure(fn: Callable[[], float], warmups: int, reps: int) -> Sample:
    """Run ``fn`` (which returns the seconds it measured) ``warmups`` times unrecorded, then ``reps`` times.

    :param fn: one measurement; returns its own figure, so it times only what it means to.
    :param warmups: runs made first and thrown away (imports, connections, caches).
    :param reps: runs recorded.
    """
    for _ in range(warmups):
        fn()
    return Sample([fn() for _ in range(reps)])


def pairwise_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The median of ``numerators[i] / denominators[i]``: runs ``i`` of both sides were made back to
    back, so a change in the machine's load between pairs cancels out of each ratio.

    :param numerators: the project's times, in the order they were measured.
    :param denominators: the floor's times, measured right after each of them.
    """
    if len(numerators) != len(denominators) or not numerators:
        raise BenchError(f"pairwise ratio of {len(numerators)} and {len(denominators)} times")
    return statistics.median(a / b for a, b in zip(numerators, denominators))


def log(message: str) -> None:
    """Progress to stderr (the table goes to stdout)."""
    print(message, file=sys.stderr, flush=True)
