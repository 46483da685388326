"""``build_resources``: build resources outside a run (scripts, notebooks, tests), then tear them down."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from orchestrator.definitions.resources import ResourceProvider, Resources, as_resource_definition
from orchestrator.errors import ConfigError

__all__ = ["build_resources"]


@contextlib.contextmanager
def build_resources(resources: Mapping[str, Any], instance: Any = None,
                    resource_config: Mapping[str, Any] | None = None, dagster_run: Any = None,
                    log_manager: Any = None) -> Iterator[Resources]:
    """Build resources outside a run (scripts, notebooks, tests) and tear them down after the block.

    A context manager: ``with build_resources({...}) as resources:`` gives an object with one
    attribute per key. Resources are built in dependency order; generator resources and
    ``teardown_after_execution`` run when the block ends, last built first. Environment variables
    in their config are read now, in this process.

    Args:
        resources: The resources by key: ``@resource`` definitions, ``ConfigurableResource`` s or
            plain objects.
        instance: The instance the resources' contexts carry. Defaults to None.
        resource_config: Config by key, as ``{key: {"config": ...}}``, checked against each
            resource's schema. Defaults to none (each resource's defaults).
        dagster_run: A run whose ``run_id`` the contexts carry. Defaults to None.
        log_manager: The logger the contexts carry as ``context.log``. Defaults to None.

    Returns:
        A context manager yielding the built resources.

    Raises:
        DagsterInvalidConfigError: when ``resource_config`` names a key not being built, is not
            ``{"config": ...}``, or does not match a resource's schema.
        DagsterResourceFunctionError: when a resource function raises.

    Examples:
        >>> from orchestrator import build_resources, resource
        >>> @resource(config_schema={"prefix": str})
        ... def greeter(context):
        ...     yield lambda name: f"{context.resource_config['prefix']} {name}"
        >>> with build_resources({"greeter": greeter, "answer": 42},
        ...                      resource_config={"greeter": {"config": {"prefix": "hi"}}}) as resources:
        ...     print(resources.greeter("you"), resources.answer)
        hi you 42
    """
    defs = {key: as_resource_definition(key, value) for key, value in resources.items()}
    configs: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for key, entry in (resource_config or {}).items():
        if key not in defs:
            errors.append((key, f"no resource {key!r} is being built (resources: {', '.join(sorted(defs)) or 'none'})"))
        elif not isinstance(entry, Mapping) or set(entry) - {"config"}:
            errors.append((key, "expected {'config': ...}"))
        else:
            configs[key] = entry.get("config")
    if errors:
        raise ConfigError("Invalid resource_config for build_resources.", errors)
    run_id = getattr(dagster_run, "run_id", None)
    provider = ResourceProvider(defs, configs, run_id=run_id, log=log_manager, instance=instance,
                                configs_processed=False)
    try:
        yield Resources({key: provider.get(key) for key in defs})
    finally:
        provider.teardown()
