"""Pythonic resources: ``ConfigurableResource`` and ``ConfigurableResourceFactory``, pydantic models
whose fields are their config, and ``PartialResource`` (``configure_at_launch()``).

They live apart from ``orchestrator.definitions.resources`` (resource definitions, building and
teardown) because they are pydantic models: defining ops and jobs imports that module and so needs
no pydantic, while this one loads when a program uses a Pythonic resource. That module recognises
these objects without importing this one (``_pythonic_resource_types``): none can exist before it
is imported.

A field typed as another resource (or ``ResourceDependency[T]``) is a nested resource, built
before the outer one; when the nested object is also one of the job's top-level resources (e.g.
a ``configure_at_launch()`` one), the top-level resource is used.
"""

from __future__ import annotations

import contextlib
import typing
from collections.abc import Generator, Iterator, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import ConfigDict, PrivateAttr

from orchestrator.definitions.config.schema import Config, ModelType, config_dictionary
from orchestrator.definitions.resources import (
    InitResourceContext,
    ResourceDefinition,
    ResourceProvider,
    _enter,
    _processed_config,
    is_resource_annotation,
)
from orchestrator.errors import DefinitionError, OrchestratorError

__all__ = ["ConfigurableResourceFactory", "ConfigurableResource", "PartialResource"]

TResValue = TypeVar("TResValue")


class ConfigurableResourceFactory(Config, Generic[TResValue]):
    """A resource declared as a pydantic model whose ``create_resource`` builds the object ops get.

    For wrapping a client class you do not own: the fields are the config (the constructor takes
    them as keywords; run config may set them at ``resources.<key>.config``, and ``EnvVar``
    fields are read where the step runs), and ``create_resource(context)`` returns what ops
    receive. Fields typed as resources are nested resources, built first.
    ``setup_for_execution`` / ``teardown_after_execution`` (or ``yield_for_execution``) run
    around each use in a run or step; ``configure_at_launch()`` leaves the fields to run config.
    Subclass ``ConfigurableResourceFactory[Client]`` to tell type checkers what it builds.

    Examples:
        >>> from orchestrator import ConfigurableResourceFactory, ResourceParam, job, op
        >>> class Client:
        ...     def __init__(self, token: str) -> None:
        ...         self.token = token
        >>> class ClientResource(ConfigurableResourceFactory):
        ...     token: str
        ...
        ...     def create_resource(self, context) -> Client:
        ...         return Client(self.token)
        >>> @op
        ... def who(client: ResourceParam[Client]) -> str:
        ...     return client.token
        >>> @job(resource_defs={"client": ClientResource(token="t")})
        ... def who_job():
        ...     who()
        >>> who_job.execute_in_process().output_for_node("who")
        't'
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
    """A resource declared as a pydantic model: its fields are its config, and ops get the object itself.

    Subclass it, declare fields, add methods; the constructor takes the fields as keywords. An op
    or asset parameter annotated with the class receives it (the parameter name is the resource
    key). Run config may set the fields at ``resources.<key>.config``;
    ``MyResource.configure_at_launch()`` leaves them all to run config. Fields may be
    ``EnvVar`` s, read when the resource is built where the step runs, or other resources
    (nested). Override ``setup_for_execution`` / ``teardown_after_execution`` for set-up and
    clean-up around each run (in process) or step (on a worker).

    Examples:
        >>> from orchestrator import ConfigurableResource, job, op
        >>> class Greeter(ConfigurableResource):
        ...     greeting: str = "hello"
        ...
        ...     def greet(self, who: str) -> str:
        ...         return f"{self.greeting} {who}"
        >>> @op
        ... def greet(greeter: Greeter) -> str:
        ...     return greeter.greet("you")
        >>> @job(resource_defs={"greeter": Greeter(greeting="hi")})
        ... def greet_job():
        ...     greet()
        >>> greet_job.execute_in_process().output_for_node("greet")
        'hi you'
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
