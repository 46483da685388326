"""Typed run events: what happened in a run, in order. Plain data, easy to log, store and replay.

``DagsterEventType`` is Dagster's enum, members and values alike (a run start is stored as
``"PIPELINE_START"``, as Dagster stores it), plus ``LOG`` for the log messages a run records in the
same event list. ``EventType`` is the same enum under this package's older name.
"""

from __future__ import annotations

import enum
import time
import traceback as tb
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, Field

__all__ = ["DagsterEventType", "EventType", "ErrorInfo", "RunEvent", "trusted", "jsonable",
           "register_payload_decoder"]

M = TypeVar("M", bound=BaseModel)


def trusted(cls: type[M], **values: Any) -> M:
    """An instance of ``cls`` from values known to be valid and complete, without validation.

    For hot paths (events per step, plan steps): pydantic's ``model_construct`` still costs ~15 µs.
    Every field must be given.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def jsonable(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """``metadata`` as event data: string keys, JSON-friendly values kept, anything else as its repr.

    Events cross processes and land in run storage as JSON, so an op's metadata (``Output``,
    ``Failure``, ``AssetMaterialization``) is reduced here, once, whoever emits the event. A
    ``MetadataValue`` (anything with ``to_event_json()``) encodes itself so that readers of the event
    get the same kind of value back.
    """
    result: dict[str, Any] = {}
    for k, v in metadata.items():
        encode = getattr(v, "to_event_json", None)
        if callable(encode) and not isinstance(v, type):
            result[str(k)] = encode()
        else:
            result[str(k)] = v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else repr(v)
    return result


class DagsterEventType(str, enum.Enum):
    """The kinds of events a run records: Dagster's ``DagsterEventType``, names and values.

    Every ``RunEvent`` has one as its ``event_type``; compare with it to pick events out of a run's
    list (``result.all_events``, ``instance.all_logs``, the event stream of a ``RunHandle``). It is
    a ``str`` enum, so a member equals its stored value. Run events keep Dagster's stored values
    (``RUN_START.value`` is ``"PIPELINE_START"``); ``display_name`` is the name to show
    (``"RUN_START"``). ``EventType`` is the same enum under this package's older name.

    Two members are this package's own: ``LOG``, for ``context.log`` messages, which are events of
    the run's list here (Dagster keeps them as event log entries without a Dagster event); and
    ``STEP_RETRY``, another name of ``STEP_UP_FOR_RETRY``.

    Examples:
        >>> from orchestrator import DagsterEventType, job, op
        >>> @op
        ... def one():
        ...     return 1
        >>> @job
        ... def one_job():
        ...     one()
        >>> [e.event_type.display_name for e in one_job.execute_in_process().all_events]
        ['RUN_START', 'STEP_START', 'STEP_OUTPUT', 'STEP_SUCCESS', 'RUN_SUCCESS']
        >>> DagsterEventType.RUN_START.value, DagsterEventType.RUN_START == "PIPELINE_START"
        ('PIPELINE_START', True)
    """

    STEP_OUTPUT = "STEP_OUTPUT"
    STEP_INPUT = "STEP_INPUT"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_START = "STEP_START"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_WORKER_STARTING = "STEP_WORKER_STARTING"
    STEP_WORKER_STARTED = "STEP_WORKER_STARTED"
    RESOURCE_INIT_STARTED = "RESOURCE_INIT_STARTED"
    RESOURCE_INIT_SUCCESS = "RESOURCE_INIT_SUCCESS"
    RESOURCE_INIT_FAILURE = "RESOURCE_INIT_FAILURE"
    STEP_UP_FOR_RETRY = "STEP_UP_FOR_RETRY"
    STEP_RESTARTED = "STEP_RESTARTED"
    ASSET_MATERIALIZATION = "ASSET_MATERIALIZATION"
    ASSET_MATERIALIZATION_PLANNED = "ASSET_MATERIALIZATION_PLANNED"
    ASSET_FAILED_TO_MATERIALIZE = "ASSET_FAILED_TO_MATERIALIZE"
    ASSET_OBSERVATION = "ASSET_OBSERVATION"
    STEP_EXPECTATION_RESULT = "STEP_EXPECTATION_RESULT"
    ASSET_CHECK_EVALUATION_PLANNED = "ASSET_CHECK_EVALUATION_PLANNED"
    ASSET_CHECK_EVALUATION = "ASSET_CHECK_EVALUATION"
    ASSET_HEALTH_CHANGED = "ASSET_HEALTH_CHANGED"
    ASSET_WIPED = "ASSET_WIPED"
    RUN_ENQUEUED = "PIPELINE_ENQUEUED"
    RUN_DEQUEUED = "PIPELINE_DEQUEUED"
    RUN_STARTING = "PIPELINE_STARTING"
    RUN_START = "PIPELINE_START"
    RUN_SUCCESS = "PIPELINE_SUCCESS"
    RUN_FAILURE = "PIPELINE_FAILURE"
    RUN_CANCELING = "PIPELINE_CANCELING"
    RUN_CANCELED = "PIPELINE_CANCELED"
    PIPELINE_ENQUEUED = "PIPELINE_ENQUEUED"
    PIPELINE_DEQUEUED = "PIPELINE_DEQUEUED"
    PIPELINE_STARTING = "PIPELINE_STARTING"
    PIPELINE_START = "PIPELINE_START"
    PIPELINE_SUCCESS = "PIPELINE_SUCCESS"
    PIPELINE_FAILURE = "PIPELINE_FAILURE"
    PIPELINE_CANCELING = "PIPELINE_CANCELING"
    PIPELINE_CANCELED = "PIPELINE_CANCELED"
    OBJECT_STORE_OPERATION = "OBJECT_STORE_OPERATION"
    ASSET_STORE_OPERATION = "ASSET_STORE_OPERATION"
    LOADED_INPUT = "LOADED_INPUT"
    HANDLED_OUTPUT = "HANDLED_OUTPUT"
    ENGINE_EVENT = "ENGINE_EVENT"
    HOOK_COMPLETED = "HOOK_COMPLETED"
    HOOK_ERRORED = "HOOK_ERRORED"
    HOOK_SKIPPED = "HOOK_SKIPPED"
    ALERT_START = "ALERT_START"
    ALERT_SUCCESS = "ALERT_SUCCESS"
    ALERT_FAILURE = "ALERT_FAILURE"
    LOGS_CAPTURED = "LOGS_CAPTURED"
    FRESHNESS_STATE_EVALUATION = "FRESHNESS_STATE_EVALUATION"
    FRESHNESS_STATE_CHANGE = "FRESHNESS_STATE_CHANGE"
    CODE_LOCATION_UPDATED = "CODE_LOCATION_UPDATED"
    # This package's own kinds and names (see the class docstring).
    LOG = "LOG"
    STEP_RETRY = "STEP_UP_FOR_RETRY"

    @classmethod
    def _missing_(cls, value: object) -> DagsterEventType | None:
        # Runs stored before the values became Dagster's ("RUN_START", "STEP_RETRY") still load.
        return _LEGACY_VALUES.get(str(value))

    @property
    def display_name(self) -> str:
        """The name to show: ``RUN_START`` rather than the stored ``PIPELINE_START``."""
        return self.name


EventType = DagsterEventType

_LEGACY_VALUES: dict[str, DagsterEventType] = {
    "RUN_START": DagsterEventType.RUN_START,
    "RUN_SUCCESS": DagsterEventType.RUN_SUCCESS,
    "RUN_FAILURE": DagsterEventType.RUN_FAILURE,
    "RUN_CANCELED": DagsterEventType.RUN_CANCELED,
    "STEP_RETRY": DagsterEventType.STEP_UP_FOR_RETRY,
}

_STEP_EVENTS = frozenset({
    DagsterEventType.STEP_INPUT, DagsterEventType.STEP_START, DagsterEventType.STEP_OUTPUT,
    DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_SKIPPED,
    DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.STEP_EXPECTATION_RESULT,
    DagsterEventType.ASSET_OBSERVATION, DagsterEventType.OBJECT_STORE_OPERATION,
    DagsterEventType.HANDLED_OUTPUT, DagsterEventType.LOADED_INPUT, DagsterEventType.STEP_RESTARTED,
    DagsterEventType.STEP_UP_FOR_RETRY, DagsterEventType.ASSET_CHECK_EVALUATION,
})
_FAILURE_EVENTS = frozenset({DagsterEventType.RUN_FAILURE, DagsterEventType.STEP_FAILURE,
                             DagsterEventType.RUN_CANCELED})
_HOOK_EVENTS = frozenset({DagsterEventType.HOOK_COMPLETED, DagsterEventType.HOOK_ERRORED,
                          DagsterEventType.HOOK_SKIPPED})
_RUN_EVENTS = frozenset({DagsterEventType.RUN_START, DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE,
                         DagsterEventType.RUN_CANCELED, DagsterEventType.RUN_ENQUEUED,
                         DagsterEventType.RUN_DEQUEUED, DagsterEventType.RUN_STARTING,
                         DagsterEventType.RUN_CANCELING})

# Event type -> function turning the event's data back into the object an op yielded
# (``AssetMaterialization``, ``ExpectationResult``...). Those classes are definitions, a higher
# layer; they register their decoder here when imported, and every reader of a run's events (the
# results and the run handles) imports them.
_PAYLOAD_DECODERS: dict[DagsterEventType, Callable[[dict[str, Any]], Any]] = {}


def register_payload_decoder(event_type: DagsterEventType, decode: Callable[[dict[str, Any]], Any]) -> None:
    """Register how the data of ``event_type`` events becomes the object the op yielded."""
    _PAYLOAD_DECODERS[event_type] = decode


class ErrorInfo(BaseModel):
    """An exception reduced to text, so that it can cross processes and be stored with the run.

    What a failed step or run reports as its error: ``event.error`` of a STEP_FAILURE or
    RUN_FAILURE event, ``result.failure_data_for_node(name).error``, ``result.failure_error``. It
    plays the part of Dagster's ``SerializableErrorInfo``: ``cls_name``, ``message`` and ``stack``
    (the traceback as lines) have its names; there is no ``cause`` or ``context`` (the
    traceback text shows the chain). ``str(info)`` is ``"<cls_name>: <message>"`` and
    ``info.to_string()`` the whole traceback. Build one with ``ErrorInfo.from_exception(exc)``.

    Args:
        cls_name: The exception's class name (``"ZeroDivisionError"``).
        message: ``str()`` of the exception.
        traceback: The formatted traceback, chained exceptions included. Defaults to ``""``.

    Examples:
        >>> from orchestrator import ErrorInfo, job, op
        >>> @op
        ... def divide():
        ...     return 1 / 0
        >>> @job
        ... def dividing():
        ...     divide()
        >>> error = dividing.execute_in_process(raise_on_error=False).failure_data_for_node("divide").error
        >>> isinstance(error, ErrorInfo), str(error)
        (True, 'ZeroDivisionError: division by zero')
        >>> error.stack[-1]
        'ZeroDivisionError: division by zero\\n'
    """

    cls_name: str
    message: str
    traceback: str = ""

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorInfo:
        return cls(
            cls_name=type(exc).__name__,
            message=str(exc),
            traceback="".join(tb.format_exception(type(exc), exc, exc.__traceback__)),
        )

    @property
    def stack(self) -> list[str]:
        """The traceback as lines (Dagster's ``SerializableErrorInfo.stack``)."""
        return self.traceback.splitlines(keepends=True)

    def to_string(self) -> str:
        return self.traceback or str(self)

    def __str__(self) -> str:
        return f"{self.cls_name}: {self.message}"


class _StepFailureData:
    """``event.step_failure_data`` of a STEP_FAILURE: the error and the ``Failure``'s metadata."""

    def __init__(self, error: ErrorInfo | None, user_failure_data: Any) -> None:
        self.error = error
        self.user_failure_data = user_failure_data


class _FailureMetadata:
    """``step_failure_data.user_failure_data``: what ``raise Failure(description, metadata)`` said."""

    def __init__(self, description: str | None, metadata: dict[str, Any]) -> None:
        self.description = description
        self.metadata = metadata


class _EventSpecificData:
    """``event.event_specific_data``: the object the op yielded, under Dagster's attribute names."""

    def __init__(self, event: RunEvent) -> None:
        self._event = event

    def __getattr__(self, name: str) -> Any:
        event = object.__getattribute__(self, "_event")
        if name in ("materialization", "asset_observation", "expectation_result"):
            return event._payload()
        if name == "error":
            return event.error
        if name == "step_output_handle":
            return event.data.get("output_name")
        raise AttributeError(f"{event.event_type.display_name} event data has no attribute {name!r}")


class RunEvent(BaseModel):
    """One event of a run: what happened, to which step, when, in which run.

    A run's events, in order, are what its result and the web UI show: ``result.all_events``,
    ``result.events_for_node(name)``, ``instance.all_logs(run_id)``, a ``RunHandle``'s events. The
    same object is Dagster's ``DagsterEvent`` and ``EventLogEntry`` at once (``EventLogEntry`` is
    this class): it answers ``event_type_value``, ``step_key``, ``node_name``,
    ``is_step_success``, ``is_failure``, ``asset_key``, ``materialization``,
    ``step_failure_data``..., and ``dagster_event``, ``user_message``, ``level``. A log message is
    an event of type ``LOG`` whose ``dagster_event`` is None. An asset sensor's function receives
    the materialization's event (``asset_event.dagster_event.asset_key``). Events are plain
    pydantic models: they serialize to JSON (``model_dump_json()``) and back without loss.

    Args:
        event_type: The kind of event (a ``DagsterEventType``, or its stored value).
        run_id: The id of the run.
        job_name: The name of the run's job.
        step_key: The step the event is about (``"op"``, ``"graph.op"``, ``"op[mapping_key]"``);
            None for run events. Defaults to None.
        timestamp: When it happened, in seconds since the epoch. Defaults to now.
        message: The text shown for the event. Defaults to ``""``.
        error: The ``ErrorInfo`` of a failure event. Defaults to None.
        data: The kind's own fields (output name, metadata, log level...), JSON values.
            Defaults to ``{}``.

    Examples:
        >>> from orchestrator import DagsterEventType, RunEvent, job, op
        >>> @op
        ... def one(context):
        ...     context.log.info("hello")
        ...     return 1
        >>> @job
        ... def one_job():
        ...     one()
        >>> events = one_job.execute_in_process().all_events
        >>> [(e.step_key, e.level, e.message) for e in events if e.event_type is DagsterEventType.LOG]
        [('one', 'INFO', 'hello')]
        >>> success = [e for e in events if e.is_step_success][0]
        >>> isinstance(success, RunEvent), success.event_type_value, success.node_name
        (True, 'STEP_SUCCESS', 'one')
    """

    event_type: DagsterEventType
    run_id: str
    job_name: str
    step_key: str | None = None
    timestamp: float = Field(default_factory=time.time)
    message: str = ""
    error: ErrorInfo | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def event_type_value(self) -> str:
        return self.event_type.value

    @property
    def node_name(self) -> str | None:
        """The op path of the step (mapping key stripped)."""
        if self.step_key is None:
            return None
        return self.step_key.split("[", 1)[0]

    @property
    def solid_name(self) -> str | None:
        return self.node_name

    @property
    def pid(self) -> int | None:
        return self.data.get("pid")

    # -- Dagster's predicates ----------------------------------------------------------------
    def _is(self, event_type: DagsterEventType) -> bool:
        return self.event_type is event_type

    @property
    def is_step_event(self) -> bool:
        return self.event_type in _STEP_EVENTS

    @property
    def is_hook_event(self) -> bool:
        return self.event_type in _HOOK_EVENTS

    @property
    def is_job_event(self) -> bool:
        return self.event_type in _RUN_EVENTS

    @property
    def is_step_success(self) -> bool:
        return self._is(DagsterEventType.STEP_SUCCESS)

    @property
    def is_successful_output(self) -> bool:
        return self._is(DagsterEventType.STEP_OUTPUT)

    @property
    def is_step_start(self) -> bool:
        return self._is(DagsterEventType.STEP_START)

    @property
    def is_step_failure(self) -> bool:
        return self._is(DagsterEventType.STEP_FAILURE)

    @property
    def is_resource_init_failure(self) -> bool:
        return self._is(DagsterEventType.RESOURCE_INIT_FAILURE)

    @property
    def is_step_skipped(self) -> bool:
        return self._is(DagsterEventType.STEP_SKIPPED)

    @property
    def is_step_up_for_retry(self) -> bool:
        return self._is(DagsterEventType.STEP_UP_FOR_RETRY)

    @property
    def is_step_restarted(self) -> bool:
        return self._is(DagsterEventType.STEP_RESTARTED)

    @property
    def is_job_success(self) -> bool:
        return self._is(DagsterEventType.RUN_SUCCESS)

    @property
    def is_job_failure(self) -> bool:
        return self._is(DagsterEventType.RUN_FAILURE)

    is_run_failure = is_job_failure

    @property
    def is_failure(self) -> bool:
        return self.event_type in _FAILURE_EVENTS

    @property
    def is_engine_event(self) -> bool:
        return self._is(DagsterEventType.ENGINE_EVENT)

    @property
    def is_handled_output(self) -> bool:
        return self._is(DagsterEventType.HANDLED_OUTPUT)

    @property
    def is_loaded_input(self) -> bool:
        return self._is(DagsterEventType.LOADED_INPUT)

    @property
    def is_step_materialization(self) -> bool:
        return self._is(DagsterEventType.ASSET_MATERIALIZATION)

    @property
    def is_expectation_result(self) -> bool:
        return self._is(DagsterEventType.STEP_EXPECTATION_RESULT)

    @property
    def is_asset_observation(self) -> bool:
        return self._is(DagsterEventType.ASSET_OBSERVATION)

    @property
    def is_asset_materialization_planned(self) -> bool:
        return self._is(DagsterEventType.ASSET_MATERIALIZATION_PLANNED)

    # -- what the event carries --------------------------------------------------------------
    def _payload(self) -> Any:
        decode = _PAYLOAD_DECODERS.get(self.event_type)
        if decode is None:
            raise AttributeError(f"A {self.event_type.display_name} event carries no yielded object.")
        return decode(self.data)

    @property
    def event_specific_data(self) -> Any:
        """Dagster's typed event data: ``.materialization``, ``.expectation_result``, ``.error``..."""
        return _EventSpecificData(self)

    @property
    def materialization(self) -> Any:
        """The ``AssetMaterialization`` of an ASSET_MATERIALIZATION event."""
        self._expect(DagsterEventType.ASSET_MATERIALIZATION, "materialization")
        return self._payload()

    @property
    def step_materialization_data(self) -> Any:
        self._expect(DagsterEventType.ASSET_MATERIALIZATION, "step_materialization_data")
        return _EventSpecificData(self)

    @property
    def asset_observation_data(self) -> Any:
        self._expect(DagsterEventType.ASSET_OBSERVATION, "asset_observation_data")
        return _EventSpecificData(self)

    @property
    def step_expectation_result_data(self) -> Any:
        self._expect(DagsterEventType.STEP_EXPECTATION_RESULT, "step_expectation_result_data")
        return _EventSpecificData(self)

    @property
    def step_failure_data(self) -> _StepFailureData:
        """The error of a STEP_FAILURE, and what a raised ``Failure`` said (``user_failure_data``)."""
        self._expect(DagsterEventType.STEP_FAILURE, "step_failure_data")
        user = None
        if "metadata" in self.data or "description" in self.data:
            metadata = self.data.get("metadata") or {}
            decode = _PAYLOAD_DECODERS.get(DagsterEventType.STEP_FAILURE)
            user = _FailureMetadata(self.data.get("description"), decode(metadata) if decode else metadata)
        return _StepFailureData(self.error, user)

    @property
    def asset_key(self) -> Any:
        """The ``AssetKey`` of an asset event (materialization, observation, check), else None."""
        if self.event_type in (DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_OBSERVATION,
                               DagsterEventType.ASSET_CHECK_EVALUATION):
            return getattr(self._payload(), "asset_key", None)
        return None

    @property
    def partition(self) -> str | None:
        """The partition of an asset materialization or observation, else None."""
        if self.event_type in (DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_OBSERVATION):
            return self.data.get("partition")
        return None

    # -- Dagster's EventLogEntry names (``instance.all_logs`` returns these events) -----------
    @property
    def dagster_event(self) -> RunEvent | None:
        """This event, unless it is a log message (which Dagster records without a Dagster event)."""
        return None if self.event_type is DagsterEventType.LOG else self

    @property
    def is_dagster_event(self) -> bool:
        return self.event_type is not DagsterEventType.LOG

    @property
    def user_message(self) -> str:
        return self.message

    @property
    def level(self) -> str:
        return str(self.data.get("level", "INFO"))

    @property
    def asset_materialization(self) -> Any:
        """The ``AssetMaterialization`` of a materialization event, else None."""
        return self._payload() if self.event_type is DagsterEventType.ASSET_MATERIALIZATION else None

    @property
    def asset_observation(self) -> Any:
        """The ``AssetObservation`` of an observation event, else None."""
        return self._payload() if self.event_type is DagsterEventType.ASSET_OBSERVATION else None

    def _expect(self, event_type: DagsterEventType, what: str) -> None:
        if self.event_type is not event_type:
            raise AttributeError(
                f"{what} is only set on {event_type.display_name} events; this is a "
                f"{self.event_type.display_name} event."
            )

    def __str__(self) -> str:
        where = f" [{self.step_key}]" if self.step_key else ""
        return f"{self.event_type.display_name}{where} {self.message}".rstrip()
