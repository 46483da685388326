"""Retry policies: how many times a failed step runs again, and how long to wait between tries."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

__all__ = ["Backoff", "Jitter", "RetryPolicy"]


class Backoff(enum.Enum):
    """How the delay grows with each attempt."""

    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.Enum):
    """Randomness added to the delay, so many retries do not land at once."""

    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


@dataclass(frozen=True)
class RetryPolicy:
    """Re-run a failed step up to ``max_retries`` times, waiting ``delay`` seconds (grown by ``backoff``)."""

    max_retries: int = 1
    delay: float | None = None
    backoff: Backoff | None = None
    jitter: Jitter | None = None

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"RetryPolicy.max_retries must be >= 0, got {self.max_retries}")
        if self.delay is not None and self.delay < 0:
            raise ValueError(f"RetryPolicy.delay must be >= 0, got {self.delay}")

    def delay_for(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        base = float(self.delay or 0.0)
        if self.backoff is Backoff.LINEAR:
            base = base * attempt
        elif self.backoff is Backoff.EXPONENTIAL:
            base = base * (2 ** (attempt - 1))
        if self.jitter is Jitter.FULL:
            base = random.uniform(0, base)
        elif self.jitter is Jitter.PLUS_MINUS:
            base = max(0.0, base + random.uniform(-base, base) * 0.5)
        return base
