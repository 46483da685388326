"""Retry policies: how many times a failed step runs again, and how long to wait between tries."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

__all__ = ["Backoff", "Jitter", "RetryPolicy"]


class Backoff(enum.Enum):
    """How a ``RetryPolicy``'s delay grows with each retry (as in Dagster).

    ``LINEAR`` waits ``attempt * delay`` before retry number ``attempt`` (1 for the first retry);
    ``EXPONENTIAL`` waits ``(2 ** attempt - 1) * delay``: 1, 3, 7, 15... times the delay. Without a
    backoff, every retry waits ``delay``.

    Examples:
        >>> from orchestrator import Backoff, RetryPolicy
        >>> linear = RetryPolicy(max_retries=3, delay=1, backoff=Backoff.LINEAR)
        >>> exponential = RetryPolicy(max_retries=3, delay=1, backoff=Backoff.EXPONENTIAL)
        >>> [linear.delay_for(n) for n in (1, 2, 3)], [exponential.delay_for(n) for n in (1, 2, 3)]
        ([1.0, 2.0, 3.0], [1.0, 3.0, 7.0])
    """

    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.Enum):
    """Randomness a ``RetryPolicy`` adds to its delay, so many retries do not land at once (as in Dagster).

    Applied after the backoff: ``FULL`` waits a random time between 0 and the backed-off delay;
    ``PLUS_MINUS`` adds or takes away up to ``delay`` (the policy's base delay) at random, never
    waiting less than 0.

    Examples:
        >>> from orchestrator import Jitter, RetryPolicy
        >>> full = RetryPolicy(delay=2, jitter=Jitter.FULL)
        >>> plus_minus = RetryPolicy(delay=2, jitter=Jitter.PLUS_MINUS)
        >>> all(0 <= full.delay_for(1) <= 2 and 0 <= plus_minus.delay_for(1) <= 4 for _ in range(100))
        True
    """

    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


@dataclass(frozen=True)
class RetryPolicy:
    """Re-run a failed step up to ``max_retries`` times, waiting ``delay`` seconds (grown by ``backoff``).

    Give it to an op (``@op(retry_policy=...)``), a node (``my_op.with_retry_policy(...)()``) or
    a job (``@job(op_retry_policy=...)``, for ops with none); the node's wins over the op's,
    which wins over the job's. Each retry is a new attempt of the step (``context.retry_number``
    counts them), announced by a STEP_UP_FOR_RETRY event; with the Celery executor it may run on
    another worker. ``Failure(allow_retries=False)``, ``DefinitionError`` and ``TypeCheckError``
    are not retried; ``RetryRequested`` raised by an op sets its own budget.

    Args:
        max_retries: How many times a failed step runs again. Defaults to 1.
        delay: Seconds to wait before each retry (grown by ``backoff``). Defaults to no wait.
        backoff: How the delay grows with each retry. Defaults to None (the same delay each time).
        jitter: Randomness added to the delay. Defaults to None.

    Raises:
        ValueError: when ``max_retries`` or ``delay`` is negative.

    Examples:
        >>> from orchestrator import RetryPolicy, job, op
        >>> attempts = []
        >>> @op(retry_policy=RetryPolicy(max_retries=2))
        ... def flaky(context) -> int:
        ...     attempts.append(context.retry_number)
        ...     if len(attempts) < 2:
        ...         raise ConnectionError("try again")
        ...     return len(attempts)
        >>> @job
        ... def retrying():
        ...     flaky()
        >>> retrying.execute_in_process().output_for_node("flaky"), attempts
        (2, [0, 1])
    """

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
            base = base * (2**attempt - 1)  # Dagster's: 1, 3, 7... times the delay
        if self.jitter is Jitter.FULL:
            base = random.uniform(0, base)
        elif self.jitter is Jitter.PLUS_MINUS:
            base = max(0.0, base + random.uniform(-1, 1) * float(self.delay or 0.0))  # Dagster's: +/- the delay
        return base
