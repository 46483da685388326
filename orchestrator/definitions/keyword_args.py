"""Checking the ``**kwargs`` of decorators that take Dagster's hidden or scheduling-only arguments.

``@asset``, ``@multi_asset``, ``@graph_asset`` and the ``load_assets_*`` functions accept a few of
Dagster's arguments by keyword only (deprecated names, scheduling policies this package's
scheduler does not read). Anything else is a mistake the user should hear about at once, the way
Python reports an unknown keyword argument: a ``TypeError`` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

__all__ = ["reject_unknown_kwargs"]


def reject_unknown_kwargs(function: str, given: Mapping[str, Any], accepted: Set[str],
                          hints: Mapping[str, str] | None = None) -> None:
    """Raise ``TypeError`` when ``given`` holds a keyword argument that ``function`` does not take.

    Args:
        function: The decorator or function, as the user wrote it (``"@graph_asset"``).
        given: The keyword arguments it received through ``**kwargs``.
        accepted: The names it takes through ``**kwargs``.
        hints: What to do instead, by argument name, for arguments users are known to try.

    Raises:
        TypeError: naming every unknown argument (and the hint of each that has one).
    """
    unknown = sorted(set(given) - set(accepted))
    if not unknown:
        return
    names = ", ".join(f"'{name}'" for name in unknown)
    what = "an unexpected keyword argument" if len(unknown) == 1 else "unexpected keyword arguments"
    message = f"{function} got {what} {names}"
    notes = [hint for name in unknown if (hint := (hints or {}).get(name))]
    raise TypeError(f"{message}. {' '.join(notes)}" if notes else f"{message}.")
