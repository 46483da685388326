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
    """Build ``resources`` (definitions, Pythonic resources or plain objects) and yield them as an
    object with one attribute per key; generator resources and ``teardown_after_execution`` run
    when the block ends.

    ``resource_config`` is ``{key: {"config": ...}}``, checked against each resource's schema
    (``DagsterInvalidConfigError`` when it does not match); environment variables are read now.

    Example::

        from orchestrator import build_resources, resource

        @resource(config_schema={"prefix": str})
        def greeter(context):
            yield lambda name: f"{context.resource_config['prefix']} {name}"

        with build_resources({"greeter": greeter, "answer": 42},
                             resource_config={"greeter": {"config": {"prefix": "hi"}}}) as resources:
            assert resources.greeter("you") == "hi you"
            assert resources.answer == 42
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
