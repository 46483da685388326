"""Resources: external services and clients ops use through ``context.resources``.

A resource is built lazily from its definition and config, only when a step needs it, and torn
down (generator resources, context managers, ``ConfigurableResource.teardown_after_execution``)
when its scope ends: the run in process, the step on a worker.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any, overload

from pydantic import BaseModel, ConfigDict

from orchestrator.errors import DefinitionError, OrchestratorError

__all__ = [
    "InitResourceContext",
    "ResourceDefinition",
    "ConfigurableResource",
    "resource",
    "build_init_resource_context",
]


class InitResourceContext:
    """What a resource function receives: its config, the resources it depends on, the run id."""

    def __init__(self, resource_config: Any = None, resources: Any = None, run_id: str | None = None,
                 log: Any = None, instance: Any = None) -> None:
        self.resource_config = resource_config
        self.resources = resources if resources is not None else Resources({})
        self.run_id = run_id
        self.log = log
        self.instance = instance


def build_init_resource_context(config: Any = None, resources: Mapping[str, Any] | None = None) -> InitResourceContext:
    """An ``InitResourceContext`` for testing a resource function directly."""
    return InitResourceContext(resource_config=config, resources=Resources(dict(resources or {})))


class ResourceDefinition:
    """How to build a resource: a function of an ``InitResourceContext``, with a config schema."""

    def __init__(self, resource_fn: Callable[..., Any], config_schema: Any = None, description: str | None = None,
                 required_resource_keys: set[str] | frozenset[str] | None = None) -> None:
        self.resource_fn = resource_fn
        self.config_schema = config_schema
        self.description = description
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self._default_config: Any = None
        self._fn_takes_context = _takes_context(resource_fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the resource function directly (for tests); a context is built when none is passed."""
        if not self._fn_takes_context:
            return self.resource_fn()
        context = args[0] if args else kwargs.get("context") or build_init_resource_context()
        return self.resource_fn(context)

    def build(self, context: InitResourceContext) -> Any:
        return self.resource_fn(context) if self._fn_takes_context else self.resource_fn()

    def configured(self, config: Any, config_schema: Any = None, description: str | None = None) -> ResourceDefinition:
        """A copy with fixed config (or, with ``config_schema``, a function from new config to old)."""
        outer = self

        def fn(context: InitResourceContext) -> Any:
            value = config(context.resource_config) if callable(config) and config_schema is not None else config
            return outer.build(InitResourceContext(value, context.resources, context.run_id, context.log))

        copy = type(self).__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.resource_fn = fn
        copy._fn_takes_context = True
        copy.config_schema = config_schema
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
) -> Callable[[Callable[..., Any]], ResourceDefinition]: ...


def resource(
    resource_fn: Callable[..., Any] | None = None,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: set[str] | None = None,
) -> ResourceDefinition | Callable[[Callable[..., Any]], ResourceDefinition]:
    """Turn a function (optionally a generator, for teardown) into a ``ResourceDefinition``."""

    def wrap(fn: Callable[..., Any]) -> ResourceDefinition:
        return ResourceDefinition(fn, config_schema=config_schema, description=description or inspect.getdoc(fn),
                                  required_resource_keys=required_resource_keys)

    if resource_fn is not None:
        return wrap(resource_fn)
    return wrap


class ConfigurableResource(BaseModel):
    """A resource declared as a pydantic model: its fields are its config, settable from run config.

    Override ``setup_for_execution`` / ``teardown_after_execution`` for set-up and clean-up.
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Called once before the resource is used in a run or step."""

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Called once when the run or step that used it ends."""

    @classmethod
    def configure_at_launch(cls, **defaults: Any) -> ResourceDefinition:
        """A definition whose config is given in run config at ``resources.<key>.config``."""
        return _configurable_definition(cls, defaults)

    def get_resource_definition(self) -> ResourceDefinition:
        return _configurable_definition(type(self), self.model_dump(exclude_unset=True), instance=self)


def _configurable_definition(cls: type[ConfigurableResource], defaults: Mapping[str, Any],
                             instance: ConfigurableResource | None = None) -> ResourceDefinition:
    def fn(context: InitResourceContext) -> Iterator[Any]:
        overrides = context.resource_config or {}
        obj = instance if instance is not None and not overrides else cls(**{**defaults, **overrides})
        obj.setup_for_execution(context)
        try:
            yield obj
        finally:
            obj.teardown_after_execution(context)

    definition = ResourceDefinition(fn, config_schema=None, description=cls.__doc__)
    definition.configurable_class = cls  # type: ignore[attr-defined]
    definition.configurable_defaults = dict(defaults)  # type: ignore[attr-defined]
    return definition


def as_resource_definition(key: str, value: Any) -> ResourceDefinition:
    """Accept what users put in ``resource_defs``: definitions, configurable resources, plain objects."""
    if isinstance(value, ResourceDefinition):
        return value
    if isinstance(value, ConfigurableResource):
        return value.get_resource_definition()
    if isinstance(value, type) and issubclass(value, ConfigurableResource):
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
        raise OrchestratorError(
            f"Resource '{key}' is not available here (available: {', '.join(sorted(values)) or 'none'}). "
            f"{hint or 'Add it to required_resource_keys of the op, and to resource_defs of the job.'}"
        )

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("context.resources is read-only")

    def __contains__(self, key: str) -> bool:
        return key in object.__getattribute__(self, "_values")

    def _asdict(self) -> dict[str, Any]:
        return dict(object.__getattribute__(self, "_values"))


class ResourceInitError(OrchestratorError):
    """A resource function raised while building the resource."""


class ResourceProvider:
    """Builds resources on first use, with their dependencies; tears them down in reverse order."""

    def __init__(self, resource_defs: Mapping[str, ResourceDefinition], resource_configs: Mapping[str, Any] | None = None,
                 run_id: str | None = None, log: Any = None) -> None:
        self.resource_defs = dict(resource_defs)
        self.resource_configs = dict(resource_configs or {})
        self.run_id = run_id
        self.log = log
        self._built: dict[str, Any] = {}
        self._stack = contextlib.ExitStack()
        self._building: list[str] = []

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
            deps = Resources({k: self.get(k) for k in definition.required_resource_keys})
            context = InitResourceContext(self.resource_configs.get(key), deps, self.run_id, self.log)
            try:
                value = definition.build(context)
                if inspect.isgenerator(value):
                    value = self._stack.enter_context(contextlib.contextmanager(lambda g=value: g)())
                elif isinstance(value, contextlib.AbstractContextManager) and not _is_mock(value):
                    value = self._stack.enter_context(value)
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
