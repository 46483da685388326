"""Leases on the broker's unacked messages: live workers renew them, watchdogs take back the rest.

kombu's Redis transport keeps every message a worker has reserved and not acknowledged in its
``unacked`` hash, with the delivery time in the ``unacked_index`` zset; on its own it puts such a
message back in its queue only after the visibility timeout (``ORCH_VISIBILITY_TIMEOUT``, an hour),
and it would do so even for a live worker still running the step. Here the delivery time becomes
a lease:

- the main process of every live worker renews, every ``HEARTBEAT_INTERVAL``, the score of each
  message it holds (:func:`renew_held`): reserved and waiting for a pool process, running, or held
  until a retry's countdown. A live worker's message therefore never looks abandoned, however long
  its step runs;
- a message whose score is older than ``HEARTBEAT_TIMEOUT`` belongs to a worker that is gone
  (killed, its machine lost): any watchdog puts it back in its queue (:func:`restore_orphaned`),
  through kombu's own atomic ``restore_by_tag``, so two watchdogs never restore it twice.

Only step messages are taken back (they carry the :data:`RUN_HEADER` header); the visibility
timeout stays kombu's last resort for anything else. Scores are the renewing worker's clock:
hosts must agree on the time to well within ``HEARTBEAT_TIMEOUT`` (NTP does).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.keys import BROKER_UNACKED, BROKER_UNACKED_INDEX

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["RUN_HEADER", "STEP_HEADER", "Restored", "held_tags", "renew_held", "restore_orphaned"]

_log = logging.getLogger("orchestrator.watchdog")

#: Message headers naming the run and step of a step message (set by ``dispatch.enqueue_steps``).
RUN_HEADER = "orch_run"
STEP_HEADER = "orch_step"

_RESTORE_BATCH = 200


@dataclass(frozen=True)
class Restored:
    """A step message put back in its queue: its run, step and Celery task id."""

    run_id: str
    step_key: str
    task_id: str


def held_tags(channel: Any) -> list[str]:
    """Delivery tags of the messages a kombu channel holds unacknowledged (read from another thread).

    kombu's QoS keeps them in ``_delivered`` (tag -> message) until the ack; the event loop mutates
    it while this runs, so a copy that raced a change is simply taken again.
    """
    qos = getattr(channel, "_qos", None)
    delivered = getattr(qos, "_delivered", None)
    if not delivered:
        return []
    for _ in range(5):
        try:
            return [str(tag) for tag in list(delivered)]
        except RuntimeError:  # changed size during the copy
            continue
    return []


def renew_held(client: Any, tags: Iterable[str], now: float | None = None) -> int:
    """Renew the lease of each held message: its ``unacked_index`` score becomes ``now``.

    ``XX``: a message acknowledged or restored meanwhile is not brought back into the index.
    Returns how many scores changed.
    """
    tags = list(tags)
    if not tags:
        return 0
    stamp = time.time() if now is None else now
    return int(client.zadd(BROKER_UNACKED_INDEX, {tag: stamp for tag in tags}, xx=True, ch=True) or 0)


def restore_orphaned(client: Any, app: Celery, older_than: float, now: float | None = None) -> list[Restored]:
    """Put back in their queues the step messages whose lease nobody renewed for ``older_than`` s.

    Their worker is gone. A message may be a step that never started (reserved by the dead worker)
    or one that was running; either way it is delivered again, flagged ``redelivered``, and the
    delivery claims the step before running it (``lua/claim_step.lua``), so a step that finished or
    runs elsewhere meanwhile is not run again. Returns what was restored.
    """
    stamp = time.time() if now is None else now
    ceiling = stamp - older_than
    tags = [t.decode() if isinstance(t, bytes) else str(t)
            for t in client.zrangebyscore(BROKER_UNACKED_INDEX, "-inf", ceiling, start=0, num=_RESTORE_BATCH)]
    if not tags:
        return []
    candidates: list[tuple[str, Restored]] = []
    for tag, raw in zip(tags, client.hmget(BROKER_UNACKED, tags)):
        found = _step_of(raw)
        if found is not None:
            candidates.append((tag, found))
    if not candidates:
        return []
    restored: list[Restored] = []
    with app.connection_for_write() as connection:
        qos = connection.default_channel.qos
        for tag, found in candidates:
            score = client.zscore(BROKER_UNACKED_INDEX, tag)
            if score is None or float(score) > ceiling:
                continue  # acknowledged, restored elsewhere, or renewed after all
            qos.restore_by_tag(tag)
            restored.append(found)
    for item in restored:
        _log.warning("run %s: step %s (task %s) went back to its queue: the worker holding it stopped renewing "
                     "its hold %.0fs ago", item.run_id, item.step_key, item.task_id, older_than)
    return restored


def _step_of(raw: bytes | None) -> Restored | None:
    """The run and step of a stored unacked message, or None when it is not a step message."""
    if raw is None:
        return None
    try:
        message = json.loads(raw)[0]
        headers = message.get("headers") or {}
    except (ValueError, TypeError, IndexError, AttributeError):
        return None
    run_id, step_key = headers.get(RUN_HEADER), headers.get(STEP_HEADER)
    if not isinstance(run_id, str) or not isinstance(step_key, str):
        return None
    return Restored(run_id, step_key, str(headers.get("id") or ""))
