"""Resources: external services and clients ops use through ``context.resources``.

A resource is built lazily from its definition and config, only when a step needs it, and torn
down (generator resources, context managers, ``ConfigurableResource.teardown_after_execution``)
when its scope ends: the run in process, the step on a worker.

Pythonic resources (``ConfigurableResource``) are pydantic models: their fields are their config.
A field typed as another resource (or ``ResourceDependency[T]``) is a nested resource, built
before the outer one; when the nested object is also one of the job's top-level resources (e.g.
a ``configure_at_launch()`` one), the top-level resource is used. Config (with ``EnvVar`` fields
as ``{"env": NAME}``) is read when the resource is built, in the process that builds it.
"""

from __future__ import annotations

import contextlib
import inspect
import typing
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Annotated, Any, ClassVar, Generic, TypeVar, overload

from pydantic import ConfigDict, PrivateAttr

from orchestrator.definitions.config.schema import (
    Config,
    ModelType,
    config_dictionary,
    normalize_schema,
    resolve_env_vars,
    validate_config,
)
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
    "ConfigurableResource",
    "ConfigurableResourceFactory",
    "PartialResource",
    "ResourceDependency",
    "ResourceParam",
    "resource",
    "build_init_resource_context",
    "is_resource_annotation",
]

T = TypeVar("T")
TResValue = TypeVar("TResValue")

#: Annotate an op or asset parameter as a resource of any type: ``def op(client: ResourceParam[Client])``.
#: The parameter's name is the resource key.
ResourceParam = Annotated[T, "resource_param"]


class InitResourceContext:
    """What a resource function receives: its config, the resources it depends on, the run id.

    ``all_resource_defs`` are the definitions of every resource of the job (nested resources are
    looked up there); ``resource_def`` is the definition being built.
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
    """An ``InitResourceContext`` for calling a resource function directly in tests.

    ``resources`` may hold plain objects or resource definitions (built now, with their defaults).

    Example::

        from orchestrator import build_init_resource_context, resource

        @resource(config_schema={"host": str})
        def connection(context):
            return f"conn({context.resource_config['host']})"

        assert connection(build_init_resource_context(config={"host": "db"})) == "conn(db)"
    """
    values: dict[str, Any] = {}
    for key, value in (resources or {}).items():
        if isinstance(value, (ResourceDefinition, ConfigurableResourceFactory, PartialResource)):
            provider = ResourceProvider({key: as_resource_definition(key, value)}, configs_processed=False)
            value = provider.get(key)
        values[key] = value
    return InitResourceContext(resource_config=config, resources=Resources(values), instance=instance)


class ResourceDefinition:
    """How to build a resource: a function of an ``InitResourceContext``, with a config schema.

    Example::

        from orchestrator import ResourceDefinition, job, op

        @op(required_resource_keys={"answer"})
        def read(context) -> int:
            return context.resources.answer

        @job(resource_defs={"answer": ResourceDefinition.hardcoded_resource(42)})
        def answer_job():
            read()

        assert answer_job.execute_in_process().output_for_node("read") == 42
    """

    def __init__(self, resource_fn: Callable[..., Any], config_schema: Any = None, description: str | None = None,
                 required_resource_keys: set[str] | frozenset[str] | None = None, version: str | None = None) -> None:
        self.resource_fn = resource_fn
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
    """Turn a function (optionally a generator, for teardown) into a ``ResourceDefinition``."""

    def wrap(fn: Callable[..., Any]) -> ResourceDefinition:
        return ResourceDefinition(fn, config_schema=config_schema, description=description or inspect.getdoc(fn),
                                  required_resource_keys=required_resource_keys, version=version)

    if resource_fn is not None:
        return wrap(resource_fn)
    return wrap


# --------------------------------------------------------------------------- Pythonic resources


class ResourceDependency(Generic[T]):
    """Annotate a field of a ``ConfigurableResource`` as a resource of any type (not config).

    Example::

        from orchestrator import ConfigurableResource, ResourceDependency

        class Engine:
            def run(self, sql: str) -> str:
                return f"ran {sql}"

        class Database(ConfigurableResource):
            engine: ResourceDependency[Engine]

            def query(self, sql: str) -> str:
                return self.engine.run(sql)

        assert Database(engine=Engine()).query("select 1") == "ran select 1"
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
        return isinstance(annotation, type) and issubclass(annotation, (ConfigurableResourceFactory, ResourceDefinition))
    except TypeError:
        return False


class ConfigurableResourceFactory(Config, Generic[TResValue]):
    """A resource declared as a pydantic model whose ``create_resource`` builds the object ops get.

    Its fields are its config (settable per run at ``resources.<key>.config``); fields typed as
    resources are nested resources. ``setup_for_execution``/``teardown_after_execution`` (or
    ``yield_for_execution``) run around each use in a run or step.

    Example::

        from orchestrator import ConfigurableResourceFactory, ResourceParam, job, op

        class Client:
            def __init__(self, token: str) -> None:
                self.token = token

        class ClientResource(ConfigurableResourceFactory[Client]):
            token: str

            def create_resource(self, context) -> Client:
                return Client(self.token)

        @op
        def who(client: ResourceParam[Client]) -> str:
            return client.token

        @job(resource_defs={"client": ClientResource(token="t")})
        def who_job():
            who()

        assert who_job.execute_in_process().output_for_node("who") == "t"
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    #: Names of the fields that are nested resources (not config); set for each subclass.
    __resource_fields__: ClassVar[frozenset[str]] = frozenset()

    _resource_context: Any = PrivateAttr(default=None)
    _definition: Any = PrivateAttr(default=None)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        names: set[str] = set()
        changed = False
        for name, info in cls.model_fields.items():
            if is_resource_annotation(info.annotation, info.metadata):
                names.add(name)
                if info.annotation is not Any:
                    # Nested resources may be given as partial resources, definitions or any object.
                    info.annotation = Any
                    changed = True
        cls.__resource_fields__ = frozenset(names)
        if changed:
            cls.model_rebuild(force=True)

    def create_resource(self, context: InitResourceContext) -> TResValue:
        """The object ops and assets receive for this resource."""
        raise NotImplementedError(f"{type(self).__name__} must implement create_resource(context).")

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Called once before the resource is used in a run or step."""

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Called once when the run or step that used it ends (also when it failed)."""

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Generator[TResValue, None, None]:
        """Set up, give the resource, tear down: override for other lifecycles."""
        self.setup_for_execution(context)
        try:
            yield self.create_resource(context)
        finally:
            self.teardown_after_execution(context)

    def get_resource_context(self) -> InitResourceContext:
        """The context this resource was built with in the current run or step."""
        if self._resource_context is None:
            raise OrchestratorError(
                f"{type(self).__name__} has no resource context: it is set when the resource is built for a "
                "run. In a test, bind one with .with_replaced_resource_context(build_init_resource_context())."
            )
        context: InitResourceContext = self._resource_context
        return context

    def with_replaced_resource_context(self, resource_context: InitResourceContext) -> Any:
        """A copy of this resource bound to ``resource_context``."""
        copy = self.model_copy()
        copy._resource_context = resource_context
        return copy

    with_resource_context = with_replaced_resource_context

    @classmethod
    def configure_at_launch(cls, **kwargs: Any) -> PartialResource[Any]:
        """This resource with the given fields set and the rest given in run config at launch
        (``resources.<key>.config``)."""
        return PartialResource(cls, kwargs)

    def _convert_to_config_dictionary(self) -> dict[str, Any]:
        return config_dictionary(self, omit=type(self).__resource_fields__)

    @classmethod
    def _resource_definition_class(cls) -> type[_ConfigurableResourceDefinition]:
        """The class of the definitions built for this resource (IO managers build IO manager ones)."""
        return _ConfigurableResourceDefinition

    def get_resource_definition(self) -> ResourceDefinition:
        """The definition jobs use for this resource (the same object every time)."""
        if self._definition is None:
            values = {name: self.__dict__[name] for name in self.model_fields_set if name in self.__dict__}
            for name, value in self.__dict__.items():
                if name in type(self).model_fields and name not in values and _is_env_var(value):
                    values[name] = value  # a field defaulting to an EnvVar
            self._definition = _configurable_definition(type(self), values)
        definition: ResourceDefinition = self._definition
        return definition

    @classmethod
    def from_resource_context(cls, context: InitResourceContext) -> Any:
        """Build this resource from a function resource's context (``@resource`` adapters)."""
        instance = cls(**(context.resource_config or {}))
        copy = instance.with_replaced_resource_context(context)
        copy.setup_for_execution(context)
        return copy.create_resource(context)

    @classmethod
    @contextlib.contextmanager
    def from_resource_context_cm(cls, context: InitResourceContext) -> Iterator[Any]:
        """Like :meth:`from_resource_context`, tearing the resource down when the block ends."""
        instance = cls(**(context.resource_config or {})).with_replaced_resource_context(context)
        with instance.yield_for_execution(context) as value:
            yield value

    def process_config_and_initialize(self) -> Any:
        """This resource built now, outside a run (its config checked, env vars read)."""
        provider = ResourceProvider({"resource": self.get_resource_definition()}, configs_processed=False)
        return provider.get("resource")


class ConfigurableResource(ConfigurableResourceFactory[TResValue]):
    """A resource declared as a pydantic model: its fields are its config, settable from run config.

    Ops get the configured object itself. Override ``setup_for_execution`` /
    ``teardown_after_execution`` for set-up and clean-up. Fields may be ``EnvVar``s, read when
    the resource is built where the step runs.

    Example::

        from orchestrator import ConfigurableResource, job, op

        class Greeter(ConfigurableResource):
            greeting: str = "hello"

            def greet(self, who: str) -> str:
                return f"{self.greeting} {who}"

        @op
        def greet(greeter: Greeter) -> str:
            return greeter.greet("you")

        @job(resource_defs={"greeter": Greeter(greeting="hi")})
        def greet_job():
            greet()

        assert greet_job.execute_in_process().output_for_node("greet") == "hi you"
    """

    def create_resource(self, context: InitResourceContext) -> TResValue:
        return typing.cast(TResValue, self)


class PartialResource(Generic[TResValue]):
    """A Pythonic resource with some fields given now and the rest in run config at launch
    (what ``MyResource.configure_at_launch(...)`` returns)."""

    def __init__(self, resource_cls: type[ConfigurableResourceFactory[TResValue]], data: Mapping[str, Any]) -> None:
        self.resource_cls = resource_cls
        self.data = dict(data)
        self._definition: ResourceDefinition | None = None

    def get_resource_definition(self) -> ResourceDefinition:
        """The definition jobs use for this resource (the same object every time)."""
        if self._definition is None:
            self._definition = _configurable_definition(self.resource_cls, self.data)
        return self._definition

    def __repr__(self) -> str:
        return f"PartialResource({self.resource_cls.__name__}, {self.data!r})"


def _is_env_var(value: object) -> bool:
    from orchestrator.definitions.config.env_vars import EnvVar, IntEnvVar

    return isinstance(value, (EnvVar, IntEnvVar))


def _definition_of(value: Any) -> ResourceDefinition | None:
    if isinstance(value, ResourceDefinition):
        return value
    if isinstance(value, (ConfigurableResourceFactory, PartialResource)):
        return value.get_resource_definition()
    return None


class _ConfigurableResourceDefinition(ResourceDefinition):
    """The definition of a Pythonic resource: its class, its config and its nested resources."""

    resource_cls: type[ConfigurableResourceFactory[Any]]
    nested: dict[str, Any]

    def top_level_key(self, attr: str, all_resource_defs: Mapping[str, ResourceDefinition]) -> str | None:
        """The job's resource key whose definition is the nested resource ``attr``, if any."""
        definition = _definition_of(self.nested[attr])
        if definition is None:
            return None
        return next((k for k, d in all_resource_defs.items() if d is definition), None)

    def resolve_required_keys(self, all_resource_defs: Mapping[str, ResourceDefinition]) -> frozenset[str]:
        keys = set(self.required_resource_keys)
        for attr, value in self.nested.items():
            key = self.top_level_key(attr, all_resource_defs)
            if key is not None:
                keys.add(key)
            elif isinstance(value, PartialResource):
                raise DefinitionError(
                    f"Resource {self.resource_cls.__name__} has field '{attr}' set to a resource configured at "
                    f"launch ({value.resource_cls.__name__}.configure_at_launch()), which is not one of the job's "
                    f"resources (defined: {', '.join(sorted(all_resource_defs)) or 'none'}). Add it to the "
                    "resources too, e.g. resources={'<key>': that_object, ...}, so its config can be given."
                )
            else:
                definition = _definition_of(value)
                if definition is not None:
                    keys |= definition.resolve_required_keys(all_resource_defs)
        return frozenset(keys)


def _configurable_definition(cls: type[ConfigurableResourceFactory[Any]], data: Mapping[str, Any]) -> ResourceDefinition:
    """The definition of ``cls`` with fields ``data`` set: config defaults and nested resources."""
    from orchestrator.definitions.config.schema import config_value

    nested_names = cls.__resource_fields__
    nested = {k: v for k, v in data.items() if k in nested_names}
    defaults = {k: config_value(v) for k, v in data.items() if k not in nested_names}
    schema = ModelType(cls, omit=nested_names, defaults=defaults)

    def build(context: InitResourceContext) -> Iterator[Any]:
        with contextlib.ExitStack() as stack:
            values = {attr: _nested_value(definition, attr, value, context, stack) for attr, value in nested.items()}
            instance = cls(**dict(context.resource_config or {}), **values)
            instance._resource_context = context
            with instance.yield_for_execution(context) as value:
                yield value

    definition = cls._resource_definition_class()(build, config_schema=schema, description=cls.__doc__)
    definition.resource_cls = cls
    definition.nested = nested
    return definition


def _nested_value(outer: _ConfigurableResourceDefinition, attr: str, value: Any, context: InitResourceContext,
                  stack: contextlib.ExitStack) -> Any:
    """The built value of nested resource ``attr``: the job's resource when it is one, else built here."""
    key = outer.top_level_key(attr, context.all_resource_defs)
    if key is not None:
        return getattr(context.resources, key)
    definition = _definition_of(value)
    if definition is None:
        return value  # a plain object given for a ResourceDependency
    config = _processed_config(definition, None, False, f"{outer.resource_cls.__name__}.{attr}")
    inner = InitResourceContext(config, context.resources, context.run_id, context.log, context.instance,
                                definition, context.all_resource_defs, context.dagster_run)
    return _enter(definition.build(inner), stack)


def _enter(value: Any, stack: contextlib.ExitStack) -> Any:
    """The resource a definition's function produced: generators and context managers are entered."""
    if inspect.isgenerator(value):
        return stack.enter_context(contextlib.contextmanager(lambda g=value: g)())
    if isinstance(value, contextlib.AbstractContextManager) and not _is_mock(value):
        return stack.enter_context(value)
    return value


def _processed_config(definition: ResourceDefinition, given: Any, processed: bool, key: str) -> Any:
    """``given`` config for ``definition`` checked (unless ``processed``) and with env vars read now."""
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
    if isinstance(value, (ConfigurableResourceFactory, PartialResource)):
        return value.get_resource_definition()
    if isinstance(value, type) and issubclass(value, ConfigurableResourceFactory):
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
    """A resource whose value is its own config: shared values for many ops, set in run config.

    Each keyword argument declares a field (a config schema, e.g. ``str`` or ``Field(int,
    default_value=1)``); with none, any config is accepted.

    Example::

        from orchestrator import job, make_values_resource, op

        @op(required_resource_keys={"globals"})
        def read_globals(context) -> str:
            return context.resources.globals["file_dir"]

        @job(resource_defs={"globals": make_values_resource(file_dir=str)})
        def globals_job():
            read_globals()

        result = globals_job.execute_in_process(
            run_config={"resources": {"globals": {"config": {"file_dir": "/tmp"}}}})
        assert result.output_for_node("read_globals") == "/tmp"
    """
    return ResourceDefinition(resource_fn=lambda init_context: init_context.resource_config,
                              config_schema=dict(kwargs) if kwargs else Any,
                              description="Values given in run config, shared by the ops that require them.")
