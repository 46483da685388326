"""The base class of the op execution contexts, as the definitions layer knows them.

``@op`` decides when an op is defined whether its first parameter is the context: named
``context`` (or ``ctx``, ``_``...) or annotated with a context class. The context classes
(``OpExecutionContext``, ``AssetExecutionContext``) live in the execution layer, which builds one
for every step; they derive from this base, so the op decorator recognizes the annotation without
importing the execution layer.
"""

from __future__ import annotations

__all__ = ["OpContextBase"]


class OpContextBase:
    """Base of ``OpExecutionContext`` and its subclasses. Holds nothing; only ``issubclass`` reads it."""

    __slots__ = ()
