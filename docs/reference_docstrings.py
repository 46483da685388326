"""Griffe extension for the API reference: render each public name as ``help()`` shows it.

mkdocstrings reads the package statically (griffe), which differs from what Python shows in
three places that matter here:

- A public value (``Int``, ``fs_io_manager``, ``in_process_executor``) documents itself with a
  ``__doc__`` assigned at run time; a static reader sees no docstring at all. For each name in
  ``orchestrator.__all__`` whose static object is an attribute, this extension takes the value's
  own ``__doc__`` (the one ``tests/docstring_examples.py`` checks), never its class's.
- Google style (as Napoleon reads it) names the example section ``Example:`` or ``Examples:``;
  griffe knows only ``Examples:`` and renders ``Example:`` as a note, turning its ``>>>`` lines
  into nested block quotes. Here ``Example:`` is read as ``Examples:``, so both render as code.
- A class whose constructor is made at run time (pydantic models such as ``RunEvent``,
  ``NamedTuple`` classes such as ``TimeWindow``) has no ``__init__`` a static reader can see:
  its signature would show no parameter, and the ``Args:`` its docstring rightly lists would be
  reported as unknown. For such a public class (no ``__init__`` in its source), the constructor
  is built from ``inspect.signature``, with the annotations of the class's own fields where it
  has them.

mkdocs.yml loads it: ``extensions: [docs/reference_docstrings.py:ReferenceDocstrings]``.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import re
from typing import Any

import griffe

# A section title line of its own: "Example:" at any indentation.
_EXAMPLE_TITLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


def _own_doc(value: Any) -> str | None:
    """``value``'s own ``__doc__`` (set on the instance), or None when it only has its class's."""
    own = getattr(value, "__dict__", {}).get("__doc__")
    return inspect.cleandoc(own) if isinstance(own, str) and own.strip() else None


_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
    inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
    inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
    inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword,
}


def _annotation_text(annotation: Any) -> str | None:
    if annotation is inspect.Parameter.empty:
        return None
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)


def _runtime_init(cls: griffe.Class, value: type) -> griffe.Function | None:
    """An ``__init__`` for ``cls`` with the parameters Python reports for ``value``, or None when
    the static reading already agrees (or the class writes its own ``__init__``, or has none to show)."""
    if issubclass(value, (enum.Enum, BaseException)):
        return None  # their "signatures" are the metaclass's call, not a constructor users write
    own = cls.members.get("__init__")
    if own is not None and not own.is_alias and own.lineno:
        return None  # written in the source: griffe reads it as it is
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return None
    static = [p.name for p in cls.parameters if p.name not in ("self", "cls")]
    if static == list(signature.parameters):
        return None
    parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
    for p in signature.parameters.values():
        field = cls.members.get(p.name)
        annotation: Any = field.annotation if field is not None and field.is_attribute else None
        default = None if p.default is inspect.Parameter.empty else repr(p.default)
        parameters.append(griffe.Parameter(p.name, annotation=annotation or _annotation_text(p.annotation),
                                           kind=_KINDS[p.kind], default=default))
    return griffe.Function("__init__", lineno=0, endlineno=0, parent=cls,
                           parameters=griffe.Parameters(*parameters), returns="None")


def _plural_examples(docstring: griffe.Docstring | None) -> None:
    if docstring is not None:
        docstring.value = _EXAMPLE_TITLE.sub(r"\1Examples:", docstring.value)


class ReferenceDocstrings(griffe.Extension):
    """Fill public values' docstrings and run-time constructors in, and read ``Example:`` as ``Examples:``.

    Args:
        package: The package whose ``__all__`` names are documented.
    """

    def __init__(self, package: str = "orchestrator") -> None:
        super().__init__()
        self.package = package

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Every object griffe reads: its ``Example:`` section becomes ``Examples:``.

        Args:
            obj: The object just read.
            **kwargs: Griffe's other hook arguments (unused).
        """
        _plural_examples(obj.docstring)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """The package is read: give its public values their run-time docstrings, and its public
        classes whose constructor is made at run time that constructor.

        Args:
            pkg: The package griffe loaded (the hook runs for every package; others are left alone).
            **kwargs: Griffe's other hook arguments (unused).
        """
        if pkg.name != self.package:
            return
        module = importlib.import_module(self.package)
        for name in getattr(module, "__all__", ()):
            if name not in pkg.members:
                continue
            try:
                target = pkg.members[name].final_target if pkg.members[name].is_alias else pkg.members[name]
            except griffe.AliasResolutionError:
                continue  # a broken re-export: griffe and mkdocstrings report it themselves
            value = getattr(module, name)
            if target.is_class and isinstance(value, type):
                init = _runtime_init(target, value)
                if init is not None:
                    target.set_member("__init__", init)
            elif target.is_attribute and target.docstring is None:
                doc = _own_doc(value)
                if doc is not None:
                    target.docstring = griffe.Docstring(doc, parent=target)
                    _plural_examples(target.docstring)
