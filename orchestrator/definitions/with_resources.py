"""``with_resources``: copies of assets (and jobs) with resources bound to them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orchestrator.definitions.resources import as_resource_definition
from orchestrator.errors import DefinitionError

__all__ = ["with_resources"]


def with_resources(definitions: Iterable[Any], resource_defs: Mapping[str, Any],
                   resource_config_by_key: Mapping[str, Any] | None = None) -> Sequence[Any]:
    """Copies of assets (and jobs) with resources bound to them, so they run without being given any.

    Jobs and ``materialize`` built from the copies use the bound resources. A definition keeps a
    resource it already has under the same key; the originals are not changed.

    Args:
        definitions: Assets, source assets and jobs.
        resource_defs: The resources by key: definitions, ``ConfigurableResource`` s or plain
            objects.
        resource_config_by_key: Config for some of those resources, as ``{key: {"config":
            ...}}``, applied as ``.configured(config)`` would. Defaults to none.

    Returns:
        The copies, in the order given.

    Raises:
        DefinitionError: when ``resource_config_by_key`` names a key not in ``resource_defs`` or
            is not ``{"config": ...}``, or a definition cannot carry resources.

    Examples:
        >>> from orchestrator import ResourceParam, asset, materialize_to_memory, with_resources
        >>> @asset
        ... def greeting(prefix: ResourceParam[str]) -> str:
        ...     return prefix + " world"
        >>> [bound] = with_resources([greeting], {"prefix": "hello"})
        >>> materialize_to_memory([bound]).output_for_node("greeting")
        'hello world'
    """
    defs = dict(resource_defs)
    for key, entry in (resource_config_by_key or {}).items():
        if key not in defs:
            raise DefinitionError(
                f"with_resources got config for resource '{key}', which it is not given "
                f"(resources: {', '.join(sorted(defs)) or 'none'})."
            )
        if not isinstance(entry, Mapping) or set(entry) - {"config"}:
            raise DefinitionError(f"with_resources: config for resource '{key}' must be {{'config': ...}}.")
        defs[key] = as_resource_definition(key, defs[key]).configured(entry.get("config"))
    out: list[Any] = []
    for definition in definitions:
        binder = getattr(definition, "with_resources", None)
        if not callable(binder):
            raise DefinitionError(
                f"with_resources takes assets, source assets and jobs; {definition!r} cannot carry resources."
            )
        own = getattr(definition, "_given_resources", None)  # a job keeps the resources it was given
        out.append(binder({k: v for k, v in defs.items() if own is None or k not in own}))
    return out
