"""Metadata values: Dagster's ``MetadataValue`` and its kinds (text, url, path, json, md, int, float,
bool, timestamp, table, table schema, run, job, asset, null...).

Ops attach metadata to outputs, materializations, observations, expectations and failures. Raw
values are normalized as Dagster normalizes them (``"x"`` -> ``TextMetadataValue``, ``3`` ->
``IntMetadataValue``, a dict -> ``JsonMetadataValue``...). Events carry metadata as JSON: plain
kinds as their raw value, the others tagged, so a reader of the run's events gets back the kind the
op attached.
"""

from __future__ import annotations

import builtins
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.table_metadata import TableColumn, TableRecord, TableSchema
from orchestrator.errors import DefinitionError

__all__ = [
    "MetadataValue", "TextMetadataValue", "UrlMetadataValue", "PathMetadataValue", "NotebookMetadataValue",
    "JsonMetadataValue", "MarkdownMetadataValue", "PythonArtifactMetadataValue", "FloatMetadataValue",
    "IntMetadataValue", "BoolMetadataValue", "TimestampMetadataValue", "DagsterRunMetadataValue",
    "DagsterJobMetadataValue", "DagsterAssetMetadataValue", "TableMetadataValue", "TableSchemaMetadataValue",
    "NullMetadataValue", "PoolMetadataValue", "normalize_metadata", "normalize_metadata_value",
    "decode_metadata",
]

_TAG = "__metadata__"


class MetadataValue:
    """A typed metadata value; ``.value`` is what it wraps. Build one with the static constructors.

    Example::

        from orchestrator import MetadataValue, Output, op

        @op
        def emit():
            return Output(
                [1, 2],
                metadata={"rows": 2, "preview": MetadataValue.md("| a |"), "home": MetadataValue.url("http://x")},
            )

        out = emit()
        assert out.metadata["rows"] == MetadataValue.int(2) and out.metadata["preview"].value == "| a |"
    """

    __slots__ = ()

    # Every kind has ``value``: a field (int, float, bool...) or a property over its fields.
    value: Any

    def to_event_json(self) -> Any:
        """This value as event data (JSON): plain kinds raw, the others tagged with their kind."""
        raise NotImplementedError

    @staticmethod
    def text(text: str) -> TextMetadataValue:
        return TextMetadataValue(text)

    @staticmethod
    def url(url: str) -> UrlMetadataValue:
        return UrlMetadataValue(url)

    @staticmethod
    def path(path: str | os.PathLike[str]) -> PathMetadataValue:
        return PathMetadataValue(path)

    @staticmethod
    def notebook(path: str | os.PathLike[str]) -> NotebookMetadataValue:
        return NotebookMetadataValue(path)

    @staticmethod
    def json(data: Sequence[Any] | Mapping[str, Any]) -> JsonMetadataValue:
        return JsonMetadataValue(data)

    @staticmethod
    def md(data: str) -> MarkdownMetadataValue:
        return MarkdownMetadataValue(data)

    @staticmethod
    def python_artifact(python_artifact: Callable[..., Any] | type) -> PythonArtifactMetadataValue:
        return PythonArtifactMetadataValue(python_artifact.__module__, python_artifact.__name__)

    @staticmethod
    def float(value: float) -> FloatMetadataValue:
        return FloatMetadataValue(value)

    @staticmethod
    def int(value: int) -> IntMetadataValue:
        return IntMetadataValue(value)

    @staticmethod
    def bool(value: bool) -> BoolMetadataValue:
        return BoolMetadataValue(value)

    @staticmethod
    def timestamp(value: builtins.float | datetime) -> TimestampMetadataValue:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise DefinitionError("MetadataValue.timestamp needs a timezone-aware datetime (or a float).")
            return TimestampMetadataValue(value.timestamp())
        return TimestampMetadataValue(value)

    @staticmethod
    def dagster_run(run_id: str) -> DagsterRunMetadataValue:
        return DagsterRunMetadataValue(run_id)

    @staticmethod
    def asset(asset_key: Any) -> DagsterAssetMetadataValue:
        return DagsterAssetMetadataValue(asset_key)

    @staticmethod
    def job(job_name: str, location_name: str | None = None,
            repository_name: str | None = None) -> DagsterJobMetadataValue:
        return DagsterJobMetadataValue(job_name, location_name, repository_name)

    @staticmethod
    def table(records: Sequence[TableRecord], schema: TableSchema | None = None) -> TableMetadataValue:
        return TableMetadataValue(records, schema)

    @staticmethod
    def table_schema(schema: TableSchema) -> TableSchemaMetadataValue:
        return TableSchemaMetadataValue(schema)

    @staticmethod
    def null() -> NullMetadataValue:
        return NullMetadataValue()

    @staticmethod
    def pool(pool: str) -> PoolMetadataValue:
        return PoolMetadataValue(pool)


@dataclass(frozen=True)
class TextMetadataValue(MetadataValue):
    """Text metadata."""

    text: str | None = ""  # type: ignore[assignment]  # Dagster's field name, as MetadataValue.text

    @property
    def value(self) -> str:
        return self.text if self.text is not None else ""

    def to_event_json(self) -> Any:
        return self.text


@dataclass(frozen=True)
class UrlMetadataValue(MetadataValue):
    """A URL."""

    url: str | None = ""  # type: ignore[assignment]  # Dagster's field name, as MetadataValue.url

    @property
    def value(self) -> str:
        return self.url or ""

    def to_event_json(self) -> Any:
        return {_TAG: "url", "url": self.url}


@dataclass(frozen=True)
class _PathLikeMetadataValue(MetadataValue):
    """A path kept as a string (``os.fspath``); the subclasses differ only in the kind their event JSON names."""

    path: str | os.PathLike[str] | None  # type: ignore[assignment]  # Dagster's field name, as MetadataValue.path

    #: The kind tag in the event JSON (``decode_metadata`` reads it back to this class).
    _kind: ClassVar[str]

    def __post_init__(self) -> None:
        if self.path is not None:
            object.__setattr__(self, "path", os.fspath(self.path))

    @property
    def value(self) -> str:
        return str(self.path or "")

    def to_event_json(self) -> Any:
        return {_TAG: self._kind, "path": self.path}


@dataclass(frozen=True)
class PathMetadataValue(_PathLikeMetadataValue):
    """A filesystem path."""

    _kind = "path"


@dataclass(frozen=True)
class NotebookMetadataValue(_PathLikeMetadataValue):
    """The path of a notebook."""

    _kind = "notebook"


@dataclass(frozen=True, eq=True)
class JsonMetadataValue(MetadataValue):
    """JSON data (a dict or a list), which must serialize with ``json.dumps``."""

    data: Sequence[Any] | Mapping[str, Any] | None

    def __post_init__(self) -> None:
        try:
            json.dumps(self.data)
        except (TypeError, ValueError) as exc:
            raise DefinitionError(f"MetadataValue.json needs JSON-serializable data: {exc}") from exc

    @property
    def value(self) -> Sequence[Any] | Mapping[str, Any] | None:
        return self.data

    def to_event_json(self) -> Any:
        return self.data

    def __hash__(self) -> int:
        return hash(json.dumps(self.data, sort_keys=True))


@dataclass(frozen=True)
class MarkdownMetadataValue(MetadataValue):
    """Markdown text."""

    md_str: str | None = ""

    @property
    def value(self) -> str:
        return self.md_str if self.md_str is not None else ""

    def to_event_json(self) -> Any:
        return {_TAG: "md", "md_str": self.md_str}


@dataclass(frozen=True)
class PythonArtifactMetadataValue(MetadataValue):
    """A Python function or class, by module and name."""

    module: str
    name: str

    @property
    def value(self) -> PythonArtifactMetadataValue:
        return self

    def to_event_json(self) -> Any:
        return {_TAG: "python_artifact", "module": self.module, "name": self.name}


@dataclass(frozen=True)
class FloatMetadataValue(MetadataValue):
    """A float."""

    value: float | None

    def to_event_json(self) -> Any:
        v = self.value
        if v is not None and (math.isnan(v) or math.isinf(v)):
            return {_TAG: "float", "value": repr(v)}  # JSON has no NaN/inf
        return {_TAG: "float", "value": v} if isinstance(v, int) else v


@dataclass(frozen=True)
class IntMetadataValue(MetadataValue):
    """An int."""

    value: int | None

    def to_event_json(self) -> Any:
        return self.value


@dataclass(frozen=True)
class BoolMetadataValue(MetadataValue):
    """A bool."""

    value: bool | None

    def to_event_json(self) -> Any:
        return self.value


@dataclass(frozen=True)
class TimestampMetadataValue(MetadataValue):
    """A Unix timestamp (seconds since the epoch)."""

    value: float

    def to_event_json(self) -> Any:
        return {_TAG: "timestamp", "value": self.value}


@dataclass(frozen=True)
class DagsterRunMetadataValue(MetadataValue):
    """A run, by id."""

    run_id: str

    @property
    def value(self) -> str:
        return self.run_id

    def to_event_json(self) -> Any:
        return {_TAG: "dagster_run", "run_id": self.run_id}


@dataclass(frozen=True)
class DagsterJobMetadataValue(MetadataValue):
    """A job, by name (and code location and repository)."""

    job_name: str
    location_name: str | None = None
    repository_name: str | None = None

    @property
    def value(self) -> DagsterJobMetadataValue:
        return self

    def to_event_json(self) -> Any:
        return {_TAG: "job", "job_name": self.job_name, "location_name": self.location_name,
                "repository_name": self.repository_name}


@dataclass(frozen=True)
class DagsterAssetMetadataValue(MetadataValue):
    """An asset, by ``AssetKey``."""

    asset_key: Any

    def __post_init__(self) -> None:
        object.__setattr__(self, "asset_key", _asset_key(self.asset_key))

    @property
    def value(self) -> Any:
        return self.asset_key

    def to_event_json(self) -> Any:
        return {_TAG: "asset", "path": list(self.asset_key.path)}


@dataclass(frozen=True)
class TableMetadataValue(MetadataValue):
    """A table: its records (rows) and schema (inferred from the first record when not given)."""

    records: Sequence[TableRecord]
    schema: TableSchema | None = None

    def __post_init__(self) -> None:
        records = list(self.records)
        if not all(isinstance(r, TableRecord) for r in records):
            raise DefinitionError("MetadataValue.table takes a list of TableRecord.")
        schema = self.schema
        if not records and schema is None:
            raise DefinitionError("MetadataValue.table needs a schema when it has no records.")
        if records:
            columns = set(records[0].data)
            if any(set(r.data) != columns for r in records[1:]):
                raise DefinitionError("All records of a MetadataValue.table must have the same fields.")
            if schema is None:
                schema = TableSchema(columns=[
                    TableColumn(name=k, type=TableMetadataValue.infer_column_type(v)) for k, v in records[0].data.items()
                ])
        object.__setattr__(self, "records", records)
        object.__setattr__(self, "schema", schema)

    @staticmethod
    def infer_column_type(value: object) -> str:
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int):
            return "int"
        if isinstance(value, float):
            return "float"
        return "string"

    @property
    def value(self) -> TableMetadataValue:
        return self

    def to_event_json(self) -> Any:
        assert self.schema is not None
        return {_TAG: "table", "records": [dict(r.data) for r in self.records], "schema": self.schema.to_json()}

    def __hash__(self) -> int:
        return hash((tuple(self.records), self.schema))


@dataclass(frozen=True)
class TableSchemaMetadataValue(MetadataValue):
    """A table schema."""

    schema: TableSchema

    @property
    def value(self) -> TableSchema:
        return self.schema

    def to_event_json(self) -> Any:
        return {_TAG: "table_schema", "schema": self.schema.to_json()}


@dataclass(frozen=True)
class NullMetadataValue(MetadataValue):
    """No value."""

    @property
    def value(self) -> None:
        return None

    def to_event_json(self) -> Any:
        return None


@dataclass(frozen=True)
class PoolMetadataValue(MetadataValue):
    """A concurrency pool, by name."""

    pool: str  # type: ignore[assignment]  # Dagster's field name, as MetadataValue.pool

    @property
    def value(self) -> str:
        return self.pool

    def to_event_json(self) -> Any:
        return {_TAG: "pool", "pool": self.pool}


def _asset_key(value: Any) -> Any:
    return AssetKey.from_coercible(value)


def _is_asset_key(value: Any) -> bool:
    return isinstance(value, AssetKey)


def normalize_metadata_value(raw: Any) -> MetadataValue:
    """The ``MetadataValue`` for a raw value, as Dagster maps them; ``DefinitionError`` for others."""
    if isinstance(raw, MetadataValue):
        return raw
    if isinstance(raw, str):
        return TextMetadataValue(raw)
    if isinstance(raw, float):
        return FloatMetadataValue(raw)
    if isinstance(raw, bool):
        return BoolMetadataValue(raw)
    if isinstance(raw, int):
        return IntMetadataValue(raw)
    if isinstance(raw, (list, dict)):
        return JsonMetadataValue(raw)
    if isinstance(raw, os.PathLike):
        return PathMetadataValue(raw)
    if isinstance(raw, TableSchema):
        return TableSchemaMetadataValue(raw)
    if raw is None:
        return NullMetadataValue()
    if _is_asset_key(raw):
        return DagsterAssetMetadataValue(raw)
    raise DefinitionError(
        f"Metadata value {raw!r} has type {type(raw).__name__}, which has no metadata kind. "
        "Wrap it with a MetadataValue (e.g. MetadataValue.text(str(value)))."
    )


def normalize_metadata(metadata: Mapping[str, Any] | None, allow_invalid: bool = False) -> dict[str, MetadataValue]:
    """Every value of ``metadata`` as a ``MetadataValue``. With ``allow_invalid`` a value of no
    metadata kind becomes a text placeholder naming its type (Dagster's behaviour), else it raises."""
    result: dict[str, MetadataValue] = {}
    for key, raw in (metadata or {}).items():
        try:
            result[str(key)] = normalize_metadata_value(raw)
        except DefinitionError:
            if not allow_invalid:
                raise
            result[str(key)] = TextMetadataValue(f"[{type(raw).__name__}] (unserializable)")
    return result


def _decode_value(raw: Any) -> MetadataValue:
    if isinstance(raw, dict) and isinstance(raw.get(_TAG), str):
        kind = raw[_TAG]
        if kind == "url":
            return UrlMetadataValue(raw.get("url"))
        if kind == "path":
            return PathMetadataValue(raw.get("path"))
        if kind == "notebook":
            return NotebookMetadataValue(raw.get("path"))
        if kind == "md":
            return MarkdownMetadataValue(raw.get("md_str"))
        if kind == "python_artifact":
            return PythonArtifactMetadataValue(raw["module"], raw["name"])
        if kind == "float":
            v = raw.get("value")
            return FloatMetadataValue(float(v) if v is not None else None)
        if kind == "timestamp":
            return TimestampMetadataValue(raw["value"])
        if kind == "dagster_run":
            return DagsterRunMetadataValue(raw["run_id"])
        if kind == "job":
            return DagsterJobMetadataValue(raw["job_name"], raw.get("location_name"), raw.get("repository_name"))
        if kind == "asset":
            return DagsterAssetMetadataValue(raw["path"])
        if kind == "table":
            return TableMetadataValue([TableRecord(r) for r in raw.get("records", [])],
                                      TableSchema.from_json(raw.get("schema") or {}))
        if kind == "table_schema":
            return TableSchemaMetadataValue(TableSchema.from_json(raw.get("schema") or {}))
        if kind == "pool":
            return PoolMetadataValue(raw["pool"])
    return normalize_metadata_value(raw) if isinstance(raw, (str, int, float, bool, list, dict, type(None))) \
        else TextMetadataValue(str(raw))


def decode_metadata(data: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    """Event metadata (JSON, as ``jsonable`` wrote it) back as ``MetadataValue`` objects."""
    return {str(k): _decode_value(v) for k, v in (data or {}).items()}
