"""Resources: external services and clients ops use through ``context.resources``.

A resource is built lazily from its definition and config, only when a step needs it, and torn
down (generator resources, context managers, ``ConfigurableResource.teardown_after_execution``)
when its scope ends: the run in process, the step on a worker.

Pythonic resources (``ConfigurableResource``) are pydantic models: their fields are their config.
They are defined in ``orchestrator.definitions.configurable_resources``, so that defining ops and
jobs (which imports this module) needs no pydantic.
A field typed as another resource (or ``ResourceDependency[T]``) is a nested resource, built
before the outer one; when the nested object is also one of the job's top-level resources (e.g.
a ``configure_at_launch()`` one), the top-level resource is used. Config (with ``EnvVar`` fields
as ``{"env": NAME}``) is read when the resource is built, in the process that builds it.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, Generic, TypeVar, overload

from orchestrator.definitions.config.schema_at_definition import check_schema_at_definition
from orchestrator.errors import (
    ConfigError,
    DagsterResourceFunctionError,
    DagsterUnknownResourceError,
    DefinitionError,
    OrchestratorError,
)

__all__ = [
    "InitResourceContext",
    "ResourceDefinition",
    "ResourceDependency",
    "ResourceParam",
    "resource",
    "build_init_resource_context",
    "is_resource_annotation",
]

T = TypeVar("T")

#: Where the Pythonic resources (pydantic models) live; see :func:`_pythonic_resource_types`.
_PYTHONIC_MODULE = "orchestrator.definitions.configurable_resources"


def _pythonic_resource_types() -> tuple[type[Any], ...]:
    """``ConfigurableResourceFactory`` and ``PartialResource``, once their module is imported; else none.

    They are pydantic models, so this module does not import them: defining ops and jobs (which
    imports this module) then needs no pydantic. Until their module is imported no such object
    or class can exist, so isinstance/issubclass checks against an empty tuple answer the same.
    """
    module = sys.modules.get(_PYTHONIC_MODULE)
    if module is None:
        return ()
    # getattr: while the module is being imported, its later classes do not exist yet.
    found = (getattr(module, "ConfigurableResourceFactory", None), getattr(module, "PartialResource", None))
    return tuple(t for t in found if t is not None)


ResourceParam = Annotated[T, "resource_param"]
ResourceParam.__doc__ = """Annotates an op or asset parameter as a resource of any type: ``ResourceParam[Client]``.

The parameter's name is the resource key: the op requires that resource, and receives the
built value (a plain object, a ``@resource``'s value...), in runs and when the op is called
directly. A parameter annotated with a ``ConfigurableResource`` class needs no ``ResourceParam``.

Examples:
    >>> from orchestrator import ResourceParam, job, op
    >>> class Client:
    ...     def fetch(self) -> str:
    ...         return "data"
    >>> @op
    ... def fetch(client: ResourceParam[Client]) -> str:
    ...     return client.fetch()
    >>> @job(resource_defs={"client": Client()})
    ... def fetch_job():
    ...     fetch()
    >>> fetch_job.execute_in_process().output_for_node("fetch")
    'data'
"""


class InitResourceContext:
    """What a resource function receives: its config, the resources it depends on, the run.

    The run or step that builds a resource makes one; in tests, make one with
    :func:`build_init_resource_context` (or this constructor) and call the resource with it.

    Args:
        resource_config: The resource's config, checked and with defaults filled in
            (``context.resource_config``). Defaults to None.
        resources: The resources this one requires (``required_resource_keys``), by attribute
            (``context.resources.creds``). Defaults to none.
        run_id: The id of the run building the resource. Defaults to None (outside a run).
        log: The run's logger (``context.log.info(...)``). Defaults to None.
        instance: The instance of the run. Defaults to None.
        resource_def: The definition being built. Defaults to None.
        all_resource_defs: The definitions of every resource of the job, by key (nested resources
            are looked up there). Defaults to none.
        dagster_run: The run's record. Defaults to None.

    Examples:
        >>> from orchestrator import InitResourceContext, resource
        >>> @resource(config_schema={"host": str})
        ... def connection(context: InitResourceContext) -> str:
        ...     return f"conn({context.resource_config['host']}) for run {context.run_id}"
        >>> connection(InitResourceContext(resource_config={"host": "db"}, run_id="r1"))
        'conn(db) for run r1'
    """

    def __init__(self, resource_config: Any = None, resources: Any = None, run_id: str | None = None,
                 log: Any = None, instance: Any = None, resource_def: ResourceDefinition | None = None,
                 all_resource_defs: Mapping[str, ResourceDefinition] | None = None,
                 dagster_run: Any = None) -> None:
        self.resource_config = resource_config
        self.resources = resources if resources is not None else Resources({})
        self.run_id = run_id
        self.log = log
        self.instance = instance
        self.resource_def = resource_def
        self.all_resource_defs = dict(all_resource_defs or {})
        self.dagster_run = dagster_run

    def replace_config(self, config: Any) -> InitResourceContext:
        """This context with other resource config."""
        return InitResourceContext(config, self.resources, self.run_id, self.log, self.instance, self.resource_def,
                                   self.all_resource_defs, self.dagster_run)


def build_init_resource_context(config: Any = None, resources: Mapping[str, Any] | None = None,
                                instance: Any = None) -> InitResourceContext:
    """An :class:`InitResourceContext` for calling a resource function directly, in tests.

    Args:
        config: The resource config the function sees as ``context.resource_config``, taken as
            given (not checked against the resource's schema). Defaults to None.
        resources: The resources it requires, by key: plain objects, or resource definitions and
            ``ConfigurableResource`` s, which are built now with their default config. Defaults to
            none.
        instance: The instance the context carries. Defaults to None.

    Returns:
        The context, with no run id.

    Examples:
        >>> from orchestrator import build_init_resource_context, resource
        >>> @resource(config_schema={"host": str}, required_resource_keys={"user"})
        ... def connection(context) -> str:
        ...     return f"{context.resources.user}@{context.resource_config['host']}"
        >>> connection(build_init_resource_context(config={"host": "db"}, resources={"user": "admin"}))
        'admin@db'
    """
    values: dict[str, Any] = {}
    for key, value in (resources or {}).items():
        if isinstance(value, (ResourceDefinition, *_pythonic_resource_types())):
            provider = ResourceProvider({key: as_resource_definition(key, value)}, configs_processed=False)
            value = provider.get(key)
        values[key] = value
    return InitResourceContext(resource_config=config, resources=Resources(values), instance=instance)


class ResourceDefinition:
    """How to build a resource: a function of an ``InitResourceContext``, with a config schema.

    Usually made with the :func:`resource` decorator; ``ResourceDefinition.hardcoded_resource``,
    ``mock_resource``, ``none_resource`` and ``string_resource`` make common ones, and
    ``.configured(...)`` a copy with its config given. A resource is built when a step first
    needs it and torn down when its scope ends: the run in process, the step on a worker. Calling
    the definition calls its function (with a context from ``build_init_resource_context()`` when
    none is passed), for tests.

    Args:
        resource_fn: Builds the value from an ``InitResourceContext`` (or from nothing, when it
            takes no parameter). A generator yields the value once and tears it down after the
            ``yield``; a returned context manager is entered and exited likewise.
        config_schema: The schema of its config (``resources.<key>.config`` in run config).
            Defaults to None (no config).
        description: What the resource is for. Defaults to None.
        required_resource_keys: Keys of other resources of the job it needs, built first and
            passed as ``context.resources``. Defaults to none.
        version: A version string, kept on the definition (nothing reads it). Defaults to None.

    Examples:
        >>> from orchestrator import ResourceDefinition, job, op
        >>> @op(required_resource_keys={"answer"})
        ... def read(context) -> int:
        ...     return context.resources.answer
        >>> @job(resource_defs={"answer": ResourceDefinition.hardcoded_resource(42)})
        ... def answer_job():
        ...     read()
        >>> answer_job.execute_in_process().output_for_node("read")
        42
    """

    def __init__(self, resource_fn: Callable[..., Any], config_schema: Any = None, description: str | None = None,
                 required_resource_keys: set[str] | frozenset[str] | None = None, version: str | None = None) -> None:
        self.resource_fn = resource_fn
        check_schema_at_definition(config_schema, f"resource '{getattr(resource_fn, '__name__', '?')}'")
        self.config_schema = config_schema
        self.description = description
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.version = version
        self._fn_takes_context = _takes_context(resource_fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the resource function directly (for tests); a context is built when none is passed."""
        if not self._fn_takes_context:
            return self.resource_fn()
        context = args[0] if args else kwargs.get("context") or build_init_resource_context()
        return self.resource_fn(context)

    def build(self, context: InitResourceContext) -> Any:
        return self.resource_fn(context) if self._fn_takes_context else self.resource_fn()

    def resolve_required_keys(self, all_resource_defs: Mapping[str, ResourceDefinition]) -> frozenset[str]:
        """The keys of the job's resources this one needs built first (its dependencies)."""
        return self.required_resource_keys

    def configured(self, config_or_config_fn: Any, config_schema: Any = None,
                   description: str | None = None) -> ResourceDefinition:
        """A copy with its config given here: fixed ``config``, or ``config_fn(new_config)`` where
        ``new_config`` is checked against ``config_schema`` (the copy's own config schema).

        Example::

            from orchestrator import build_init_resource_context, resource

            @resource(config_schema={"region": str, "signed": bool})
            def session(context):
                return dict(context.resource_config)

            east = session.configured({"region": "us-east-1", "signed": True})
            west = session.configured(lambda cfg: {"region": cfg, "signed": False}, config_schema=str)
        """
        from orchestrator.definitions.config.configured_schema import ConfiguredType

        copy = type(self).__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.config_schema = ConfiguredType(config_schema, self.config_schema, config_or_config_fn,
                                            f"resource {self.description or getattr(self.resource_fn, '__name__', '')!r}")
        copy.description = description or self.description
        return copy

    @staticmethod
    def mock_resource(description: str | None = None) -> ResourceDefinition:
        """A resource that is a ``MagicMock``: every attribute and call works and is recorded."""
        from unittest import mock

        return ResourceDefinition.hardcoded_resource(mock.MagicMock(), description)

    @staticmethod
    def hardcoded_resource(value: Any, description: str | None = None) -> ResourceDefinition:
        """A resource that is always ``value``."""
        return ResourceDefinition(lambda _ctx: value, description=description)

    @staticmethod
    def none_resource(description: str | None = None) -> ResourceDefinition:
        """A resource that is ``None``."""
        return ResourceDefinition.hardcoded_resource(None, description)

    @staticmethod
    def string_resource(description: str | None = None) -> ResourceDefinition:
        """A resource whose value is its own (string) config."""
        return ResourceDefinition(lambda ctx: ctx.resource_config, config_schema=str, description=description)


def _takes_context(fn: Callable[..., Any]) -> bool:
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return True
    return bool(params)


@overload
def resource(resource_fn: Callable[..., Any]) -> ResourceDefinition: ...


@overload
def resource(
    resource_fn: None = None,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: set[str] | None = None,
    version: str | None = None,
) -> Callable[[Callable[..., Any]], ResourceDefinition]: ...


def resource(
    resource_fn: Callable[..., Any] | None = None,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: set[str] | None = None,
    version: str | None = None,
) -> ResourceDefinition | Callable[[Callable[..., Any]], ResourceDefinition]:
    """Turn a function that builds a resource into a :class:`ResourceDefinition`.

    Use it bare (``@resource``) or with arguments (``@resource(config_schema=...)``). The function
    receives an ``InitResourceContext`` (or nothing, if it takes no parameter) and returns the
    value ops get as ``context.resources.<key>``; written as a generator, it yields the value once
    and the code after the ``yield`` runs as teardown when the run (or the step, on a worker)
    ends.

    Args:
        resource_fn: The function; given when used bare.
        config_schema: The schema of its config (``resources.<key>.config`` in run config).
            Defaults to None (no config).
        description: What the resource is for. Defaults to the function's docstring.
        required_resource_keys: Keys of other resources it needs, built first and passed as
            ``context.resources``. Defaults to none.
        version: A version string, kept on the definition (nothing reads it). Defaults to None.

    Returns:
        A ``ResourceDefinition`` (used bare), or a decorator that makes one.

    Examples:
        >>> from orchestrator import build_resources, resource
        >>> @resource(config_schema={"url": str})
        ... def connection(context):
        ...     print("open", context.resource_config["url"])
        ...     yield "connection"
        ...     print("close")
        >>> with build_resources({"db": connection},
        ...                      resource_config={"db": {"config": {"url": "db://x"}}}) as resources:
        ...     print(resources.db)
        open db://x
        connection
        close
    """

    def wrap(fn: Callable[..., Any]) -> ResourceDefinition:
        return ResourceDefinition(fn, config_schema=config_schema, description=description or inspect.getdoc(fn),
                                  required_resource_keys=required_resource_keys, version=version)

    if resource_fn is not None:
        return wrap(resource_fn)
    return wrap


# --------------------------------------------------------------------------- Pythonic resources


class ResourceDependency(Generic[T]):
    """Annotate a field of a ``ConfigurableResource`` as a nested resource of any type, not config.

    ``engine: ResourceDependency[Engine]`` takes a plain object, a ``@resource`` definition or
    another resource; it is built before the outer resource and left out of its config schema.
    When the object given is also one of the job's top-level resources, that one is used. A
    field annotated with a ``ConfigurableResource`` class is a nested resource without this.

    Examples:
        >>> from orchestrator import ConfigurableResource, ResourceDependency
        >>> class Engine:
        ...     def run(self, sql: str) -> str:
        ...         return f"ran {sql}"
        >>> class Database(ConfigurableResource):
        ...     engine: ResourceDependency[Engine]
        ...
        ...     def query(self, sql: str) -> str:
        ...         return self.engine.run(sql)
        >>> Database(engine=Engine()).query("select 1")
        'ran select 1'
    """


def is_resource_annotation(annotation: Any, metadata: Any = ()) -> bool:
    """Whether ``annotation`` declares a resource: ``ResourceParam[T]``, ``ResourceDependency[T]``,
    a ``ConfigurableResource`` (or factory, IO manager) class or ``ResourceDefinition``, or Optional of one."""
    if "resource_dependency" in list(metadata or ()) or "resource_param" in list(metadata or ()):
        return True
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        args = typing.get_args(annotation)
        return "resource_param" in args[1:] or "resource_dependency" in args[1:] or is_resource_annotation(args[0])
    if origin is ResourceDependency:
        return True
    if origin is typing.Union:
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(rest) == 1 and is_resource_annotation(rest[0])
    try:
        return isinstance(annotation, type) and issubclass(annotation, (ResourceDefinition, *_pythonic_resource_types()))
    except TypeError:
        return False


def _enter(value: Any, stack: contextlib.ExitStack) -> Any:
    """The resource a definition's function produced: generators and context managers are entered."""
    if inspect.isgenerator(value):
        return stack.enter_context(contextlib.contextmanager(lambda g=value: g)())
    if isinstance(value, contextlib.AbstractContextManager) and not _is_mock(value):
        return stack.enter_context(value)
    return value


def _processed_config(definition: ResourceDefinition, given: Any, processed: bool, key: str) -> Any:
    """``given`` config for ``definition`` checked (unless ``processed``) and with env vars read now."""
    from orchestrator.definitions.config.schema import normalize_schema, resolve_env_vars, validate_config

    schema = definition.config_schema
    if normalize_schema(schema) is None:
        return given
    if not processed or given is None:
        given, errors = validate_config(schema, given, f"resources.{key}.config", resolve_env=False)
        if errors:
            raise ConfigError(f"Invalid config for resource '{key}'.", errors)
    value, errors = resolve_env_vars(schema, given, f"resources.{key}.config")
    if errors:
        raise ConfigError(f"Resource '{key}' could not read its config from the environment.", errors)
    return value


def as_resource_definition(key: str, value: Any) -> ResourceDefinition:
    """Accept what users put in ``resource_defs``: definitions, configurable resources, plain objects."""
    if isinstance(value, ResourceDefinition):
        return value
    pythonic = _pythonic_resource_types()
    if isinstance(value, pythonic):
        return value.get_resource_definition()
    if isinstance(value, type) and issubclass(value, pythonic):
        raise DefinitionError(
            f"Resource '{key}' is the class {value.__name__}; pass an instance, e.g. {value.__name__}(...), "
            f"or {value.__name__}.configure_at_launch() to set its config in run config."
        )
    return ResourceDefinition.hardcoded_resource(value)


class Resources:
    """The namespace behind ``context.resources``: attribute access by resource key."""

    def __init__(self, values: Mapping[str, Any], missing_hint: str = "") -> None:
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_hint", missing_hint)

    def __getattr__(self, key: str) -> Any:
        values = object.__getattribute__(self, "_values")
        if key in values:
            return values[key]
        if key.startswith("__"):
            raise AttributeError(key)
        hint = object.__getattribute__(self, "_hint")
        raise DagsterUnknownResourceError(
            f"Resource '{key}' is not available here (available: {', '.join(sorted(values)) or 'none'}). "
            f"{hint or 'Add it to required_resource_keys of the op, and to resource_defs of the job.'}"
        )

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("context.resources is read-only")

    def __contains__(self, key: str) -> bool:
        return key in object.__getattribute__(self, "_values")

    def __iter__(self) -> Iterator[str]:
        return iter(object.__getattribute__(self, "_values"))

    def __repr__(self) -> str:
        return f"Resources({', '.join(sorted(object.__getattribute__(self, '_values')))})"

    def _asdict(self) -> dict[str, Any]:
        return dict(object.__getattribute__(self, "_values"))


#: A resource function raised while building the resource (Dagster's ``DagsterResourceFunctionError``).
ResourceInitError = DagsterResourceFunctionError


class ResourceProvider:
    """Builds resources on first use, with their dependencies; tears them down in reverse order.

    ``resource_configs`` are the run's processed resource config (from ``ResolvedRunConfig``),
    whose environment variables are read here, when a resource is built; with
    ``configs_processed=False`` they are raw config, checked against the schemas first.
    """

    def __init__(self, resource_defs: Mapping[str, ResourceDefinition], resource_configs: Mapping[str, Any] | None = None,
                 run_id: str | None = None, log: Any = None, instance: Any = None,
                 configs_processed: bool = True) -> None:
        self.resource_defs = dict(resource_defs)
        self.resource_configs = dict(resource_configs or {})
        self.run_id = run_id
        self.log = log
        self.instance = instance
        self.configs_processed = configs_processed
        self._built: dict[str, Any] = {}
        self._stack = contextlib.ExitStack()
        self._building: list[str] = []
        #: Whether a resource built so far has a teardown (a generator or context manager).
        self.needs_teardown = False

    def get(self, key: str) -> Any:
        if key in self._built:
            return self._built[key]
        definition = self.resource_defs.get(key)
        if definition is None:
            raise DefinitionError(
                f"No resource is defined for key '{key}'. Add it to the job's resource_defs "
                f"(defined: {', '.join(sorted(self.resource_defs)) or 'none'})."
            )
        if key in self._building:
            raise DefinitionError(f"Resources depend on each other in a cycle: {' -> '.join(self._building + [key])}.")
        self._building.append(key)
        try:
            deps = Resources({k: self.get(k) for k in sorted(definition.resolve_required_keys(self.resource_defs))})
            config = _processed_config(definition, self.resource_configs.get(key), self.configs_processed, key)
            context = InitResourceContext(config, deps, self.run_id, self.log, self.instance, definition,
                                          self.resource_defs)
            try:
                built = definition.build(context)
                self.needs_teardown |= inspect.isgenerator(built) or (
                    isinstance(built, contextlib.AbstractContextManager) and not _is_mock(built))
                value = _enter(built, self._stack)
            except OrchestratorError:
                raise
            except Exception as exc:
                raise ResourceInitError(f"Resource '{key}' failed to initialize: {type(exc).__name__}: {exc}") from exc
        finally:
            self._building.pop()
        self._built[key] = value
        return value

    def built(self) -> dict[str, Any]:
        """The resources built so far, by key (e.g. the IO managers that hold a run's outputs)."""
        return dict(self._built)

    def namespace(self, keys: set[str] | frozenset[str]) -> Resources:
        return Resources({k: self.get(k) for k in sorted(keys)})

    def teardown(self) -> None:
        """Tear down every built resource, last built first. Errors propagate after all ran."""
        stack, self._stack = self._stack, contextlib.ExitStack()
        self._built.clear()
        stack.close()


def _is_mock(value: Any) -> bool:
    """Mocks answer every protocol, __enter__ included, but are not meant to be entered."""
    module = type(value).__module__
    return module == "unittest.mock"


def make_values_resource(**kwargs: Any) -> ResourceDefinition:
    """A resource whose value is its own config: values many ops share, set once in run config.

    Args:
        **kwargs: The fields, by name, each a config schema (``str``, ``Field(int,
            default_value=1)``...). With none, any config is accepted.

    Returns:
        A ``ResourceDefinition`` whose value is its config, checked, with defaults filled in.

    Examples:
        >>> from orchestrator import job, make_values_resource, op
        >>> @op(required_resource_keys={"globals"})
        ... def read_globals(context) -> str:
        ...     return context.resources.globals["file_dir"]
        >>> @job(resource_defs={"globals": make_values_resource(file_dir=str)})
        ... def globals_job():
        ...     read_globals()
        >>> result = globals_job.execute_in_process(
        ...     run_config={"resources": {"globals": {"config": {"file_dir": "/data"}}}})
        >>> result.output_for_node("read_globals")
        '/data'
    """
    return ResourceDefinition(resource_fn=lambda init_context: init_context.resource_config,
                              config_schema=dict(kwargs) if kwargs else Any,
                              description="Values given in run config, shared by the ops that require them.")
