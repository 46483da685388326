"""Pythonic IO managers: ``ConfigurableIOManager`` and ``ConfigurableIOManagerFactory``.

Both are ``ConfigurableResource`` s (pydantic models whose fields are their config, settable in
run config at ``resources.<key>.config``, ``EnvVar`` fields read where the step runs). A
``ConfigurableIOManager`` is itself the IO manager (it implements ``handle_output`` and
``load_input``); a ``ConfigurableIOManagerFactory`` builds one in ``create_io_manager``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from orchestrator.definitions.io_managers.base import IOManager, IOManagerDefinition
from orchestrator.definitions.resources import (
    ConfigurableResourceFactory,
    InitResourceContext,
    _ConfigurableResourceDefinition,
)

__all__ = ["ConfigurableIOManager", "ConfigurableIOManagerFactory", "ConfigurableLegacyIOManagerAdapter"]

TIOManagerValue = TypeVar("TIOManagerValue", bound=IOManager)


class _ConfigurableIOManagerDefinition(_ConfigurableResourceDefinition, IOManagerDefinition):
    """The definition of a Pythonic IO manager: an ``IOManagerDefinition`` with nested resources."""

    def __init__(self, resource_fn: Any, config_schema: Any = None, description: str | None = None) -> None:
        IOManagerDefinition.__init__(self, resource_fn, config_schema=config_schema, description=description)


class ConfigurableIOManagerFactory(ConfigurableResourceFactory[TIOManagerValue]):
    """An IO manager resource declared as a pydantic model that builds its ``IOManager``.

    Example::

        from orchestrator import ConfigurableIOManagerFactory, InMemoryIOManager, job, op

        class MemoryFactory(ConfigurableIOManagerFactory):
            label: str = "mem"

            def create_io_manager(self, context) -> InMemoryIOManager:
                return InMemoryIOManager()

        @op
        def one() -> int:
            return 1

        @job(resource_defs={"io_manager": MemoryFactory()})
        def factory_job():
            one()

        assert factory_job.execute_in_process().output_for_node("one") == 1
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
    """An IO manager declared as a pydantic model: implement ``handle_output`` and ``load_input``.

    Example::

        from orchestrator import ConfigurableIOManager, job, op

        STORE: dict = {}

        class DictIOManager(ConfigurableIOManager):
            prefix: str

            def handle_output(self, context, obj):
                STORE[self.prefix + context.name] = obj

            def load_input(self, context):
                return STORE[self.prefix + context.upstream_output.name]

        @op
        def one() -> int:
            return 1

        @op
        def plus_one(x: int) -> int:
            return x + 1

        @job(resource_defs={"io_manager": DictIOManager(prefix="p/")})
        def dict_job():
            plus_one(one())

        assert dict_job.execute_in_process().output_for_node("plus_one") == 2
        assert STORE["p/result"] == 2
    """

    def create_io_manager(self, context: InitResourceContext) -> Any:
        return self


class ConfigurableLegacyIOManagerAdapter(ConfigurableIOManagerFactory[Any]):
    """A Pythonic face for an existing ``@io_manager``: declare its config as fields and return
    the function-based definition from ``wrapped_io_manager``; it is built with these fields as
    its ``resource_config``.

    Example::

        from orchestrator import ConfigurableLegacyIOManagerAdapter, InMemoryIOManager, io_manager

        @io_manager(config_schema={"label": str})
        def old_io_manager(context):
            return InMemoryIOManager()

        class NewIOManager(ConfigurableLegacyIOManagerAdapter):
            label: str

            @property
            def wrapped_io_manager(self):
                return old_io_manager

        new = NewIOManager(label="x")  # use as resource_defs={"io_manager": new}
    """

    @property
    def wrapped_io_manager(self) -> IOManagerDefinition:
        """The function-based IO manager definition this resource builds."""
        raise NotImplementedError(f"{type(self).__name__} must define the wrapped_io_manager property.")

    def create_io_manager(self, context: InitResourceContext) -> Any:
        return self.wrapped_io_manager.build(context)
