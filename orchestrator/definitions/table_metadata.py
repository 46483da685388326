"""Tabular metadata: Dagster's ``TableRecord``, ``TableSchema``, ``TableColumn`` and constraints.

They describe a table an op produced (its rows, its columns) in metadata values
(``MetadataValue.table``, ``MetadataValue.table_schema``). Plain, comparable, JSON-encodable data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestrator.errors import DefinitionError

__all__ = ["TableRecord", "TableConstraints", "TableColumnConstraints", "TableColumn", "TableSchema"]

_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class TableRecord:
    """One row of a table: column name -> a str, int, float, bool or None.

    Example::

        from orchestrator import TableRecord

        assert TableRecord({"id": 1, "name": "a"}).data["name"] == "a"
    """

    data: Mapping[str, str | int | float | bool | None]

    def __post_init__(self) -> None:
        bad = sorted(k for k, v in self.data.items() if not isinstance(v, _SCALARS))
        if bad:
            raise DefinitionError(
                f"TableRecord values must be str, int, float, bool or None; column(s) {bad} are not."
            )
        object.__setattr__(self, "data", dict(self.data))

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.data.items(), key=lambda kv: kv[0])))


@dataclass(frozen=True)
class TableConstraints:
    """Constraints on a whole table, as descriptions (``["unique (a, b)"]``)."""

    other: Sequence[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "other", list(self.other))

    def __hash__(self) -> int:
        return hash(tuple(self.other))


@dataclass(frozen=True)
class TableColumnConstraints:
    """Constraints on one column: ``nullable``, ``unique`` and others as descriptions."""

    nullable: bool = True
    unique: bool = False
    other: Sequence[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "other", list(self.other or []))

    def __hash__(self) -> int:
        return hash((self.nullable, self.unique, tuple(self.other or [])))


@dataclass(frozen=True)
class TableColumn:
    """A column of a table schema: name, type (a free string, ``"string"`` by default), description.

    Example::

        from orchestrator import TableColumn, TableColumnConstraints

        col = TableColumn("id", "int", constraints=TableColumnConstraints(nullable=False, unique=True))
        assert col.type == "int" and not col.constraints.nullable
    """

    name: str
    type: str = "string"
    description: str | None = None
    constraints: TableColumnConstraints | None = None
    tags: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if self.constraints is None:
            object.__setattr__(self, "constraints", TableColumnConstraints())
        object.__setattr__(self, "tags", dict(self.tags or {}))

    def __hash__(self) -> int:
        return hash((self.name, self.type, self.description, self.constraints))


@dataclass(frozen=True)
class TableSchema:
    """The columns of a table and its constraints.

    Example::

        from orchestrator import TableColumn, TableSchema

        schema = TableSchema(columns=[TableColumn("id", "int"), TableColumn("name")])
        assert [c.name for c in schema.columns] == ["id", "name"]
    """

    columns: Sequence[TableColumn] = field(default_factory=list)
    constraints: TableConstraints | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", list(self.columns))
        if self.constraints is None:
            object.__setattr__(self, "constraints", TableConstraints())

    def __hash__(self) -> int:
        return hash((tuple(self.columns), self.constraints))

    @staticmethod
    def from_name_type_dict(name_type_dict: Mapping[str, str]) -> TableSchema:
        """A schema from ``{column name: type}``."""
        return TableSchema(columns=[TableColumn(name=n, type=t) for n, t in name_type_dict.items()])

    def to_json(self) -> dict[str, Any]:
        assert self.constraints is not None
        return {
            "columns": [
                {"name": c.name, "type": c.type, "description": c.description,
                 "constraints": _column_constraints_json(c.constraints), "tags": dict(c.tags or {})}
                for c in self.columns
            ],
            "constraints": {"other": list(self.constraints.other)},
        }

    def to_event_json(self) -> dict[str, Any]:
        """As event metadata: read back as a ``TableSchemaMetadataValue`` (Dagster normalizes it so)."""
        return {"__metadata__": "table_schema", "schema": self.to_json()}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> TableSchema:
        columns = [
            TableColumn(name=c["name"], type=c.get("type", "string"), description=c.get("description"),
                        constraints=TableColumnConstraints(**(c.get("constraints") or {})), tags=c.get("tags"))
            for c in data.get("columns", [])
        ]
        return TableSchema(columns=columns, constraints=TableConstraints(**(data.get("constraints") or {})))


def _column_constraints_json(constraints: TableColumnConstraints | None) -> dict[str, Any]:
    c = constraints or TableColumnConstraints()
    return {"nullable": c.nullable, "unique": c.unique, "other": list(c.other or [])}
