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
    """One row of a table, for ``MetadataValue.table``: column name -> a scalar value.

    Records are plain, comparable and hashable; the mapping is copied. Every record of one
    table must have the same columns.

    Args:
        data: Column name -> value; each value a ``str``, ``int``, ``float``, ``bool`` or None.

    Raises:
        DefinitionError: when a value is not one of those scalars (the message names the
            columns).

    Examples:
        >>> from orchestrator import TableRecord
        >>> row = TableRecord({"id": 1, "name": "a"})
        >>> row.data["name"], row == TableRecord({"name": "a", "id": 1})
        ('a', True)
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
    """Constraints on a whole table, for a ``TableSchema``, written as descriptions.

    They are recorded for whoever reads the metadata; nothing enforces them.

    Args:
        other: One description per constraint (``"unique (customer_id, day)"``). Defaults to
            none.

    Examples:
        >>> from orchestrator import TableConstraints, TableSchema
        >>> constraints = TableConstraints(other=["unique (customer_id, day)"])
        >>> TableSchema(columns=[], constraints=constraints).constraints.other
        ['unique (customer_id, day)']
    """

    other: Sequence[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "other", list(self.other))

    def __hash__(self) -> int:
        return hash(tuple(self.other))


@dataclass(frozen=True)
class TableColumnConstraints:
    """Constraints on one column of a ``TableSchema``: ``nullable``, ``unique``, and others.

    They are recorded for whoever reads the metadata; nothing enforces them.

    Args:
        nullable: Whether the column may hold nulls. Defaults to True.
        unique: Whether its values are unique. Defaults to False.
        other: Other constraints, as descriptions (``"> 0"``). Defaults to none.

    Examples:
        >>> from orchestrator import TableColumn, TableColumnConstraints
        >>> constraints = TableColumnConstraints(nullable=False, unique=True, other=["> 0"])
        >>> TableColumn("id", "int", constraints=constraints).constraints
        TableColumnConstraints(nullable=False, unique=True, other=['> 0'])
    """

    nullable: bool = True
    unique: bool = False
    other: Sequence[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "other", list(self.other or []))

    def __hash__(self) -> int:
        return hash((self.nullable, self.unique, tuple(self.other or [])))


@dataclass(frozen=True)
class TableColumn:
    """A column of a ``TableSchema``: its name, type, description, constraints and tags.

    The type is a free string (``"int"``, ``"timestamp"``, ``"varchar(20)"``): it describes the
    column and is not checked.

    Args:
        name: The column's name.
        type: The column's type, as a string. Defaults to ``"string"``.
        description: What the column holds. Defaults to None.
        constraints: Its ``TableColumnConstraints``. Defaults to nullable, not unique.
        tags: Tags of the column. Defaults to none.

    Examples:
        >>> from orchestrator import TableColumn, TableColumnConstraints
        >>> col = TableColumn("id", "int", constraints=TableColumnConstraints(nullable=False, unique=True))
        >>> col.type, col.constraints.nullable, TableColumn("name").type
        ('int', False, 'string')
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
    """The columns of a table and its constraints, for metadata.

    Record it with ``metadata={"schema": schema}`` (it becomes a ``TableSchemaMetadataValue``) or
    give it to ``MetadataValue.table(records, schema)``. ``TableSchema.from_name_type_dict``
    builds one from ``{column name: type}``.

    Args:
        columns: The ``TableColumn`` objects, in order. Defaults to none.
        constraints: Its ``TableConstraints``. Defaults to none.

    Examples:
        >>> from orchestrator import TableColumn, TableSchema
        >>> schema = TableSchema(columns=[TableColumn("id", "int"), TableColumn("name")])
        >>> [(c.name, c.type) for c in schema.columns]
        [('id', 'int'), ('name', 'string')]
        >>> TableSchema.from_name_type_dict({"id": "int", "name": "string"}) == schema
        True
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
