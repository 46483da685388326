"""Pythonic IO managers: ``ConfigurableIOManager`` and ``ConfigurableIOManagerFactory``.

Both are ``ConfigurableResource`` s (pydantic models whose fields are their config, settable in
run config at ``resources.<key>.config``, ``EnvVar`` fields read where the step runs). A
``ConfigurableIOManager`` is itself the IO manager (it implements ``handle_output`` and
``load_input``); a ``ConfigurableIOManagerFactory`` builds one in ``create_io_manager``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from orchestrator.definitions.configurable_resources import ConfigurableResourceFactory, _ConfigurableResourceDefinition
from orchestrator.definitions.io_managers.base import IOManager, IOManagerDefinition
from orchestrator.definitions.resources import InitResourceContext

__all__ = ["ConfigurableIOManager", "ConfigurableIOManagerFactory", "ConfigurableLegacyIOManagerAdapter"]

TIOManagerValue = TypeVar("TIOManagerValue", bound=IOManager)


class _ConfigurableIOManagerDefinition(_ConfigurableResourceDefinition, IOManagerDefinition):
    """The definition of a Pythonic IO manager: an ``IOManagerDefinition`` with nested resources."""

    def __init__(self, resource_fn: Any, config_schema: Any = None, description: str | None = None) -> None:
        IOManagerDefinition.__init__(self, resource_fn, config_schema=config_schema, description=description)


class ConfigurableIOManagerFactory(ConfigurableResourceFactory[TIOManagerValue]):
    """An IO manager resource declared as a pydantic model, whose ``create_io_manager`` builds the IO manager.

    For an IO manager class that is not itself a resource: the fields are the config
    (constructor keywords; run config may set them at ``resources.<key>.config``; ``EnvVar``
    fields are read where the step runs), and ``create_io_manager(context)`` returns the
    ``IOManager`` for the run (in process) or the step (on a worker).

    Examples:
        >>> from orchestrator import ConfigurableIOManagerFactory, FilesystemIOManager, job, op
        >>> class SharedDisk(ConfigurableIOManagerFactory):
        ...     base_dir: str
        ...     def create_io_manager(self, context) -> FilesystemIOManager:
        ...         return FilesystemIOManager(base_dir=self.base_dir)
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(resource_defs={"io_manager": SharedDisk(base_dir="shared")})
        ... def factory_job():
        ...     one()
        >>> factory_job.execute_in_process().output_for_node("one")
        1
    """

    @classmethod
    def _resource_definition_class(cls) -> type[_ConfigurableResourceDefinition]:
        return _ConfigurableIOManagerDefinition

    def create_io_manager(self, context: InitResourceContext) -> TIOManagerValue:
        """The IO manager this resource stands for, for one run or step."""
        raise NotImplementedError(f"{type(self).__name__} must implement create_io_manager(context).")

    def create_resource(self, context: InitResourceContext) -> TIOManagerValue:
        return self.create_io_manager(context)


class ConfigurableIOManager(ConfigurableIOManagerFactory[Any], IOManager):
    """An IO manager declared as a pydantic model: its fields are its config, and it stores and loads itself.

    Subclass it, declare fields and implement ``handle_output`` and ``load_input`` as for an
    :class:`IOManager`; the constructor takes the fields as keywords, run config may set them at
    ``resources.<key>.config``, and ``EnvVar`` fields are read where the step runs.

    Examples:
        >>> from orchestrator import ConfigurableIOManager, job, op
        >>> STORE = {}
        >>> class DictIOManager(ConfigurableIOManager):
        ...     prefix: str
        ...     def handle_output(self, context, obj):
        ...         STORE[self.prefix + context.step_key] = obj
        ...     def load_input(self, context):
        ...         return STORE[self.prefix + context.upstream_output.step_key]
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(resource_defs={"io_manager": DictIOManager(prefix="p/")})
        ... def dict_job():
        ...     one()
        >>> _ = dict_job.execute_in_process()
        >>> STORE
        {'p/one': 1}
    """

    def create_io_manager(self, context: InitResourceContext) -> Any:
        return self


class ConfigurableLegacyIOManagerAdapter(ConfigurableIOManagerFactory[Any]):
    """A Pythonic face for an existing ``@io_manager``: its config as fields, the old definition inside.

    Subclass it, declare the wrapped IO manager's config as fields, and return the function-based
    definition from the ``wrapped_io_manager`` property; it is built with the fields as its
    ``resource_config``. For moving to Pythonic resources without rewriting an IO manager.

    Examples:
        >>> from orchestrator import ConfigurableLegacyIOManagerAdapter, InMemoryIOManager, io_manager, job, op
        >>> @io_manager(config_schema={"label": str})
        ... def old_io_manager(init_context):
        ...     print("label:", init_context.resource_config["label"])
        ...     return InMemoryIOManager()
        >>> class NewIOManager(ConfigurableLegacyIOManagerAdapter):
        ...     label: str
        ...     @property
        ...     def wrapped_io_manager(self):
        ...         return old_io_manager
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(resource_defs={"io_manager": NewIOManager(label="x")})
        ... def adapted():
        ...     one()
        >>> adapted.execute_in_process().output_for_node("one")
        label: x
        1
    """

    @property
    def wrapped_io_manager(self) -> IOManagerDefinition:
        """The function-based IO manager definition this resource builds."""
        raise NotImplementedError(f"{type(self).__name__} must define the wrapped_io_manager property.")

    def create_io_manager(self, context: InitResourceContext) -> Any:
        return self.wrapped_io_manager.build(context)
