"""Errors raised by the library. Every one derives from :class:`OrchestratorError`, except
``RetryRequested`` and ``Failure``, which ops raise to say how their step ends."""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "OrchestratorError",
    "DefinitionError",
    "ConfigError",
    "ConfigErrorEntry",
    "DagsterInvalidConfigError",
    "DagsterInvariantViolationError",
    "DagsterInvalidConfigDefinitionError",
    "DagsterUnknownResourceError",
    "DagsterResourceFunctionError",
    "TypeCheckError",
    "RunTimeoutError",
    "RunNotFoundError",
    "InvocationError",
    "RetryRequested",
    "Failure",
    "DagsterTypeCheckDidNotPass",
    "DagsterTypeCheckError",
]


class OrchestratorError(Exception):
    """Base class of every error the library raises on its own account.

    Catch it to handle any problem the library reports: a definition wired wrongly, run config
    that does not match its schema, a failed type check, a run that is not found or did not finish
    in time. Its messages are written for the user: they name the op, job, config path, queue or
    file, and say what to change. The ``orch`` CLI prints them without a traceback (add
    ``--verbose`` for one) and exits with status 2. ``RetryRequested`` and ``Failure`` are not
    subclasses: ops raise them.

    Examples:
        >>> from orchestrator import DagsterType, OrchestratorError
        >>> try:
        ...     DagsterType(lambda _context, value: True)
        ... except OrchestratorError as exc:
        ...     print(f"{type(exc).__name__}: {exc}")
        DefinitionError: DagsterType needs a name (or a key).
    """


class DefinitionError(OrchestratorError):
    """An op, graph, job, asset, type or resource is declared or wired wrongly.

    Most are raised where the definition is made (``@op``, ``@job``, ``DagsterType(...)``), so
    the code fails on import, before anything runs (a job whose op needs a resource the job does
    not define fails at ``@job``). The message names the definition and what to change; a step
    that fails with it is not retried. Dagster raises ``DagsterInvalidDefinitionError`` for the
    same mistakes. ``InvocationError`` and ``DagsterInvalidConfigDefinitionError`` are subclasses.

    Examples:
        >>> from orchestrator import DefinitionError, op
        >>> try:
        ...     @op(name="load data")
        ...     def load():
        ...         pass
        ... except DefinitionError as exc:
        ...     print(exc)
        Op name 'load data' is not valid: use letters, digits and underscores, not starting with a digit.
    """


class DagsterInvalidConfigDefinitionError(DefinitionError):
    """A config schema is not one the config system accepts (Dagster's name).

    Raised when the schema is built: at once by ``Field(...)``, ``Shape(...)`` and the other
    schema types, and for the ``config_schema`` of an op or resource when the op or resource is
    defined, as in Dagster (naming it). The message says what is wrong and lists the schemas
    that are accepted. A ``DefinitionError``.

    Examples:
        >>> from orchestrator import DagsterInvalidConfigDefinitionError, Field, op
        >>> try:
        ...     Field(Field(int))
        ... except DagsterInvalidConfigDefinitionError as exc:
        ...     print(exc)
        Field(...) cannot wrap another Field.
        >>> try:
        ...     @op(config_schema={"n": "int"})
        ...     def load(context):
        ...         return context.op_config["n"]
        ... except DagsterInvalidConfigDefinitionError as exc:
        ...     print(str(exc).split(":")[0])
        The config_schema of op 'load' is invalid
    """


class InvocationError(DefinitionError):
    """An op, graph or sensor was called in a way that cannot work.

    Raised when an op is called directly (as in a unit test) without a value for an input, or
    with an input it does not have; when an op's input in a job or graph body is given a constant
    instead of another op's output (give the input a default, or set it in run config at
    ``ops.<op>.inputs.<name>``); and when a sensor is called with the wrong context. The message
    names the op and the input. A ``DefinitionError``.

    Examples:
        >>> from orchestrator import InvocationError, op
        >>> @op
        ... def add(a, b):
        ...     return a + b
        >>> try:
        ...     add(1)
        ... except InvocationError as exc:
        ...     print(exc)
        Op 'add' is missing a value for input 'b'.
    """


class ConfigErrorEntry(NamedTuple):
    """One error of a :class:`ConfigError`: the dotted config ``path`` and the ``message``."""

    path: str
    message: str


class ConfigError(OrchestratorError):
    """Run config does not match the job's config schema. Raised before any op runs.

    Every run (``execute_in_process``, ``submit_job``, ``orch job execute``/``submit``, a
    schedule's or sensor's run request) validates its whole run config first, so a mistake costs nothing. The message
    lists every bad path (``ops.<op>.config.<field>``, ``resources.<key>.config...``,
    ``ops.<op>.inputs.<name>``) with what is wrong there; ``errors`` holds the same as
    ``ConfigErrorEntry`` pairs with ``path`` and ``message`` (so ``error.message`` works as on
    Dagster's errors). ``DagsterInvalidConfigError`` is Dagster's name for it, the same class:
    ``except`` either catches both.

    Args:
        message: What was being validated (``"Invalid run config for job 'n_job'."``).
        errors: ``(path, message)`` pairs, one per bad path; they are appended to the message.
            Defaults to none.

    Examples:
        >>> from orchestrator import DagsterInvalidConfigError, job, op
        >>> @op(config_schema={"n": int})
        ... def needs_n(context):
        ...     return context.op_config["n"]
        >>> @job
        ... def n_job():
        ...     needs_n()
        >>> try:
        ...     n_job.execute_in_process(run_config={"ops": {"needs_n": {"config": {"n": "x"}}}})
        ... except DagsterInvalidConfigError as exc:
        ...     print(exc.errors)
        [ConfigErrorEntry(path='ops.needs_n.config.n', message="expected int, received str ('x')")]
    """

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        self.errors = [ConfigErrorEntry(str(path), str(msg)) for path, msg in (errors or [])]
        if self.errors:
            lines = "\n".join(f"  - {path}: {msg}" for path, msg in self.errors)
            message = f"{message}\n{lines}"
        super().__init__(message)


#: Dagster's name for :class:`ConfigError` (the same class: ``except`` either catches both).
DagsterInvalidConfigError = ConfigError


class DagsterInvariantViolationError(OrchestratorError):
    """An API was used in a way that cannot work (Dagster's name).

    Raised here by ``config_from_files``, ``config_from_yaml_strings`` and
    ``config_from_pkg_resources`` when a file is missing, is not YAML, or does not hold a mapping
    of run config (the message names the file or string); and when the resources of a
    ``build_input_context``/``build_output_context`` context include a generator resource and are
    read outside its ``with`` block (open the context with ``with``).

    Examples:
        >>> from orchestrator import DagsterInvariantViolationError, config_from_yaml_strings
        >>> try:
        ...     config_from_yaml_strings(["- just a list"])
        ... except DagsterInvariantViolationError as exc:
        ...     print(exc)
        Encountered error attempting to parse yaml. yaml string 0 (yaml_strings) holds list, not a mapping of run config.
    """


class DagsterUnknownResourceError(OrchestratorError, AttributeError):
    """``context.resources.<key>`` names a resource that is not available to the op.

    An op (or hook) sees only the resources it requires. The message
    lists the keys that are available; the fix is to add the key to the op's
    ``required_resource_keys`` (or a resource parameter) and to the job's ``resource_defs``. It is
    an ``AttributeError`` too, as in Dagster, so ``hasattr(context.resources, key)`` answers False.

    Examples:
        >>> from orchestrator import DagsterUnknownResourceError, build_op_context
        >>> resources = build_op_context(resources={"db": "sqlite://"}).resources
        >>> hasattr(resources, "cache")
        False
        >>> try:
        ...     resources.cache
        ... except DagsterUnknownResourceError as exc:
        ...     print(exc)
        Resource 'cache' is not available here (available: db). Add it to required_resource_keys of the op, ...
    """


class DagsterResourceFunctionError(OrchestratorError):
    """A resource function (or a Pythonic resource's setup) raised while building the resource.

    Raised when a step builds the resources its op needs, before the op runs; that step fails with
    it (the other steps run), and ``execute_in_process`` raises it unless
    ``raise_on_error=False``. The message names the resource key and the original error, which
    is chained as ``__cause__``. Fix the resource (or its config at ``resources.<key>.config``).

    Examples:
        >>> from orchestrator import DagsterResourceFunctionError, job, op, resource
        >>> @resource
        ... def database(_init_context):
        ...     raise ConnectionError("db.internal:5432 refused the connection")
        >>> @op(required_resource_keys={"database"})
        ... def query(context):
        ...     return 1
        >>> @job(resource_defs={"database": database})
        ... def querying():
        ...     query()
        >>> querying.execute_in_process()
        Traceback (most recent call last):
        ...
        orchestrator.errors.DagsterResourceFunctionError: Resource 'database' failed to initialize: ConnectionError: ...
    """


class TypeCheckError(OrchestratorError):
    """A value given to or returned by an op does not match its declared type.

    The base class of ``DagsterTypeCheckDidNotPass`` (a check failed) and
    ``DagsterTypeCheckError`` (a check function raised); catch it for either. Calling an op
    directly (as in a unit test) with an input that does not match its annotation or ``In`` type,
    or returning a value that does not match its output's, raises ``DagsterTypeCheckDidNotPass``,
    as in a run and in Dagster, naming the op, the input or output, the type and the value.

    Examples:
        >>> from orchestrator import TypeCheckError, op
        >>> @op
        ... def plus_one(x: int) -> int:
        ...     return x + 1
        >>> try:
        ...     plus_one("1")
        ... except TypeCheckError as exc:
        ...     print(exc)
        Type check failed for op 'plus_one' input 'x' (expected int): expected int, got str ('1')
    """


class RunTimeoutError(OrchestratorError):
    """Waiting for a run took longer than the timeout given.

    Raised by ``RunHandle.wait(timeout=...)`` and ``execute_job(..., timeout=...)``. The run is
    not canceled: it keeps running, and you can wait again or ``cancel()`` it. The message names
    the run, its job and its status; a run still queued says why (e.g. no worker consumes its
    queue, or a concurrency limit holds it).

    Examples:
        >>> from orchestrator import OrchestratorError, RunTimeoutError
        >>> def result_or_cancel(handle, seconds):
        ...     try:
        ...         return handle.wait(timeout=seconds)
        ...     except RunTimeoutError:
        ...         handle.cancel()
        ...         raise
        >>> issubclass(RunTimeoutError, OrchestratorError)
        True
    """


class RunNotFoundError(OrchestratorError):
    """No run with the given id exists in the instance's storage.

    Raised by ``get_run(run_id)`` and by reading a run (its status, events or plan) that is not
    in the Redis the instance uses; the message names the run id and the Redis URL (password
    masked). Check the id, and that ``REDIS_URL`` points at the Redis the run was submitted to.
    The ``orch`` CLI (which also takes a unique prefix of an id) and the web UI say the run was
    not found, without a traceback.

    Examples:
        >>> from orchestrator import OrchestratorError, RunNotFoundError, get_run
        >>> def status_or_none(run_id):
        ...     try:
        ...         return get_run(run_id).status()
        ...     except RunNotFoundError:
        ...         return None
        >>> issubclass(RunNotFoundError, OrchestratorError)
        True
    """


class RetryRequested(Exception):  # noqa: N818 - Dagster's name
    """Raise from an op to have its step run again.

    Use it for errors worth retrying (a service that timed out): ``raise RetryRequested(...) from
    exc``. The step is retried up to ``max_retries`` times, whatever the op's ``RetryPolicy``;
    when no retry is left, the step fails with this error (the original one chained in its
    traceback). On workers each retry is a new Celery task, which may run on another worker.

    Args:
        max_retries: How many times the step may be retried in all (not counting the first
            attempt). Defaults to 1.
        seconds_to_wait: Seconds to wait before the next attempt. Defaults to 0.

    Examples:
        >>> from orchestrator import RetryRequested, job, op
        >>> attempts = []
        >>> @op
        ... def flaky():
        ...     attempts.append(1)
        ...     if len(attempts) < 3:
        ...         raise RetryRequested(max_retries=3)
        ...     return len(attempts)
        >>> @job
        ... def retrying():
        ...     flaky()
        >>> retrying.execute_in_process().output_for_node("flaky")
        3
    """

    def __init__(self, max_retries: int = 1, seconds_to_wait: float = 0.0) -> None:
        super().__init__(f"retry requested (max_retries={max_retries}, wait={seconds_to_wait}s)")
        self.max_retries = max_retries
        self.seconds_to_wait = seconds_to_wait


class Failure(Exception):  # noqa: N818 - Dagster's name
    """Raise from an op to fail its step on purpose, with a description and metadata.

    Use it when the op knows why it cannot go on (bad input data): the step fails with the
    description as its message, and the metadata is recorded with the failure, read back as
    ``result.failure_data_for_node(name).user_failure_data``. The op's ``RetryPolicy`` still
    applies unless ``allow_retries=False``.

    Args:
        description: Why the step failed. Defaults to ``""``.
        metadata: Metadata about the failure (``{"bad_rows": 3}``), normalized to
            ``MetadataValue`` objects in the failure event. Defaults to none.
        allow_retries: Whether the op's retry policy may retry the step. Defaults to True.

    Examples:
        >>> from orchestrator import Failure, job, op
        >>> @op
        ... def validate():
        ...     raise Failure(description="3 rows have no id", metadata={"bad_rows": 3}, allow_retries=False)
        >>> @job
        ... def validating():
        ...     validate()
        >>> data = validating.execute_in_process(raise_on_error=False).failure_data_for_node("validate")
        >>> data.user_failure_data.description, data.user_failure_data.metadata["bad_rows"].value
        ('3 rows have no id', 3)
    """

    def __init__(self, description: str = "", metadata: dict | None = None, allow_retries: bool = True) -> None:
        super().__init__(description)
        self.description = description
        self.metadata = dict(metadata or {})
        self.allow_retries = allow_retries


class DagsterTypeCheckDidNotPass(TypeCheckError):  # noqa: N818 - Dagster's name
    """A value given to or returned by an op failed its type check.

    The check is the op's ``In``/``Out`` Dagster type, or its annotation. The step fails with
    this error, in process and on workers alike; ``execute_in_process`` raises it (unless
    ``raise_on_error=False``), and so does calling the op directly. The message names the op,
    the input or output, the type expected and the value; fix the op or the value upstream. A
    ``TypeCheckError``.

    Args:
        description: Why the check failed (the failed ``TypeCheck``'s description). Defaults to
            None (the message is then "Type check failed.").
        metadata: The failed ``TypeCheck``'s metadata, recorded with the step failure. Defaults
            to none.
        dagster_type: The type that was checked. Defaults to None.

    Examples:
        >>> from orchestrator import DagsterTypeCheckDidNotPass, job, op
        >>> @op
        ... def emit() -> int:
        ...     return "not an int"
        >>> @job
        ... def typed():
        ...     emit()
        >>> try:
        ...     typed.execute_in_process()
        ... except DagsterTypeCheckDidNotPass as exc:
        ...     print(exc)
        Type check failed for op 'emit' output 'result' (expected int): expected int, got str ('not an int')
    """

    def __init__(self, description: str | None = None, metadata: dict | None = None, dagster_type: object = None) -> None:
        super().__init__(description or "Type check failed.")
        self.description = description
        self.metadata = dict(metadata or {})
        self.dagster_type = dagster_type


class DagsterTypeCheckError(TypeCheckError):
    """A type check function raised, or returned neither a bool nor a ``TypeCheck``.

    This is a bug in the check, not a value that failed it (that is
    ``DagsterTypeCheckDidNotPass``): the message names the Dagster type and the exception, which
    is chained as ``__cause__``. In a run, the step fails with it. A ``TypeCheckError``.

    Examples:
        >>> from orchestrator import DagsterType, DagsterTypeCheckError, check_dagster_type
        >>> Broken = DagsterType(lambda _context, value: value.size > 0, name="Broken")
        >>> try:
        ...     check_dagster_type(Broken, 3)
        ... except DagsterTypeCheckError as exc:
        ...     print(exc)
        The type check function of Dagster type 'Broken' raised AttributeError: 'int' object has no attribute 'size'
    """
