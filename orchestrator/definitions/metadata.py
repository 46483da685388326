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
    """A typed metadata value: the base class of every metadata kind, and their constructors.

    Ops attach metadata to outputs, materializations, observations, expectations and failures
    (``metadata={"rows": 3, "preview": MetadataValue.md(...)}``). A raw value is turned into its
    kind as Dagster does: ``str`` -> text, ``int`` -> int, ``float`` -> float, ``bool`` -> bool,
    ``list``/``dict`` -> json, a path-like -> path, ``None`` -> null, an ``AssetKey`` -> asset, a
    ``TableSchema`` -> table schema; use a constructor for the other kinds (``url``, ``md``,
    ``timestamp``, ``table``...). Every kind has ``.value``, and keeps its kind in the run's
    events: a reader of the run gets the same class back. Dagster's ``column_lineage`` and code
    references kinds are not supported.

    Examples:
        >>> from orchestrator import MetadataValue, Output
        >>> out = Output([1, 2], metadata={"rows": 2, "preview": MetadataValue.md("| a |\\n|---|")})
        >>> out.metadata["rows"]
        IntMetadataValue(value=2)
        >>> out.metadata["preview"].value
        '| a |\\n|---|'
        >>> MetadataValue.url("https://example.com/report")
        UrlMetadataValue(url='https://example.com/report')
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
    """Text metadata: what a raw ``str`` becomes (``MetadataValue.text``).

    ``.value`` is the text (``""`` for None).

    Args:
        text: The text. Defaults to ``""``.

    Examples:
        >>> from orchestrator import MetadataValue, Output, TextMetadataValue
        >>> MetadataValue.text("nightly load")
        TextMetadataValue(text='nightly load')
        >>> Output(1, metadata={"source": "s3://bucket/orders.csv"}).metadata["source"].value
        's3://bucket/orders.csv'
    """

    text: str | None = ""  # type: ignore[assignment]  # Dagster's field name, as MetadataValue.text

    @property
    def value(self) -> str:
        return self.text if self.text is not None else ""

    def to_event_json(self) -> Any:
        return self.text


@dataclass(frozen=True)
class UrlMetadataValue(MetadataValue):
    """A URL, to show as a link (``MetadataValue.url``).

    A plain string is text metadata; wrap a link in this kind to say it is one. ``.value`` is the
    URL (``""`` for None).

    Args:
        url: The URL. Defaults to ``""``.

    Examples:
        >>> from orchestrator import MetadataValue, UrlMetadataValue
        >>> link = MetadataValue.url("https://example.com/dashboards/orders")
        >>> link == UrlMetadataValue("https://example.com/dashboards/orders"), link.value
        (True, 'https://example.com/dashboards/orders')
    """

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
    """A filesystem path (``MetadataValue.path``); what a raw ``pathlib.Path`` becomes.

    The path is kept as a string (``os.fspath``); ``.value`` is that string.

    Args:
        path: The path, a string or a path-like object.

    Examples:
        >>> from pathlib import Path
        >>> from orchestrator import MetadataValue, Output
        >>> MetadataValue.path(Path("/data/orders.parquet"))
        PathMetadataValue(path='/data/orders.parquet')
        >>> Output(1, metadata={"file": Path("out.csv")}).metadata["file"].value
        'out.csv'
    """

    _kind = "path"


@dataclass(frozen=True)
class NotebookMetadataValue(_PathLikeMetadataValue):
    """The path of a notebook (``MetadataValue.notebook``), e.g. the one that produced an output.

    The path is kept as a string (``os.fspath``); ``.value`` is that string.

    Args:
        path: The notebook's path, a string or a path-like object.

    Examples:
        >>> from orchestrator import MetadataValue, NotebookMetadataValue
        >>> MetadataValue.notebook("reports/orders.ipynb")
        NotebookMetadataValue(path='reports/orders.ipynb')
        >>> NotebookMetadataValue("reports/orders.ipynb").value
        'reports/orders.ipynb'
    """

    _kind = "notebook"


@dataclass(frozen=True, eq=True)
class JsonMetadataValue(MetadataValue):
    """JSON data: a dict or a list (``MetadataValue.json``); what a raw ``list`` or ``dict`` becomes.

    The data must serialize with ``json.dumps``, since events carry metadata as JSON. ``.value``
    is the data.

    Args:
        data: The dict or list.

    Raises:
        DefinitionError: when ``data`` does not serialize to JSON.

    Examples:
        >>> from orchestrator import MetadataValue, Output
        >>> MetadataValue.json({"columns": ["id", "total"]})
        JsonMetadataValue(data={'columns': ['id', 'total']})
        >>> Output(1, metadata={"counts": [3, 4]}).metadata["counts"].value
        [3, 4]
    """

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
    """Markdown text (``MetadataValue.md``), e.g. a preview of a table an op wrote.

    ``.value`` is the Markdown source (``""`` for None).

    Args:
        md_str: The Markdown text. Defaults to ``""``.

    Examples:
        >>> from orchestrator import MarkdownMetadataValue, MetadataValue
        >>> MetadataValue.md("**3** rows")
        MarkdownMetadataValue(md_str='**3** rows')
        >>> MarkdownMetadataValue("**3** rows").value
        '**3** rows'
    """

    md_str: str | None = ""

    @property
    def value(self) -> str:
        return self.md_str if self.md_str is not None else ""

    def to_event_json(self) -> Any:
        return {_TAG: "md", "md_str": self.md_str}


@dataclass(frozen=True)
class PythonArtifactMetadataValue(MetadataValue):
    """A Python function or class, by module and name (``MetadataValue.python_artifact``).

    ``MetadataValue.python_artifact(fn)`` reads the module and name off the object. ``.value``
    is the metadata value itself.

    Args:
        module: The module that defines it (``"myproject.transforms"``).
        name: Its name in that module.

    Examples:
        >>> from orchestrator import MetadataValue, PythonArtifactMetadataValue
        >>> from json import dumps
        >>> MetadataValue.python_artifact(dumps)
        PythonArtifactMetadataValue(module='json', name='dumps')
        >>> PythonArtifactMetadataValue("json", "dumps").name
        'dumps'
    """

    module: str
    name: str

    @property
    def value(self) -> PythonArtifactMetadataValue:
        return self

    def to_event_json(self) -> Any:
        return {_TAG: "python_artifact", "module": self.module, "name": self.name}


@dataclass(frozen=True)
class FloatMetadataValue(MetadataValue):
    """A floating-point number (``MetadataValue.float``); what a raw ``float`` becomes.

    NaN and infinities are kept (events encode them, since JSON has no such numbers).

    Args:
        value: The number, or None.

    Examples:
        >>> from orchestrator import MetadataValue, Output
        >>> MetadataValue.float(0.25)
        FloatMetadataValue(value=0.25)
        >>> Output(1, metadata={"share": 0.5}).metadata["share"]
        FloatMetadataValue(value=0.5)
    """

    value: float | None

    def to_event_json(self) -> Any:
        v = self.value
        if v is not None and (math.isnan(v) or math.isinf(v)):
            return {_TAG: "float", "value": repr(v)}  # JSON has no NaN/inf
        return {_TAG: "float", "value": v} if isinstance(v, int) else v


@dataclass(frozen=True)
class IntMetadataValue(MetadataValue):
    """An integer (``MetadataValue.int``); what a raw ``int`` becomes, such as a row count.

    ``.value`` is the integer.

    Args:
        value: The integer, or None.

    Examples:
        >>> from orchestrator import IntMetadataValue, MetadataValue, Output
        >>> MetadataValue.int(3)
        IntMetadataValue(value=3)
        >>> Output(1, metadata={"rows": 3}).metadata["rows"] == IntMetadataValue(3)
        True
    """

    value: int | None

    def to_event_json(self) -> Any:
        return self.value


@dataclass(frozen=True)
class BoolMetadataValue(MetadataValue):
    """A boolean (``MetadataValue.bool``); what a raw ``bool`` becomes.

    ``.value`` is the boolean.

    Args:
        value: True, False or None.

    Examples:
        >>> from orchestrator import MetadataValue, Output
        >>> MetadataValue.bool(False)
        BoolMetadataValue(value=False)
        >>> Output(1, metadata={"complete": True}).metadata["complete"]
        BoolMetadataValue(value=True)
    """

    value: bool | None

    def to_event_json(self) -> Any:
        return self.value


@dataclass(frozen=True)
class TimestampMetadataValue(MetadataValue):
    """A point in time, as a Unix timestamp in seconds (``MetadataValue.timestamp``).

    ``MetadataValue.timestamp`` takes a float or a timezone-aware ``datetime``; ``.value`` is the
    float.

    Args:
        value: Seconds since the epoch.

    Raises:
        DefinitionError: from ``MetadataValue.timestamp``, when given a naive ``datetime``.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from orchestrator import MetadataValue
        >>> MetadataValue.timestamp(datetime(2024, 1, 1, tzinfo=timezone.utc))
        TimestampMetadataValue(value=1704067200.0)
        >>> MetadataValue.timestamp(0.0).value
        0.0
    """

    value: float

    def to_event_json(self) -> Any:
        return {_TAG: "timestamp", "value": self.value}


@dataclass(frozen=True)
class DagsterRunMetadataValue(MetadataValue):
    """A run, by id (``MetadataValue.dagster_run``), e.g. the run that produced an input.

    ``.value`` is the run id.

    Args:
        run_id: The id of the run.

    Examples:
        >>> from orchestrator import MetadataValue
        >>> MetadataValue.dagster_run("5f1c2a")
        DagsterRunMetadataValue(run_id='5f1c2a')
        >>> MetadataValue.dagster_run("5f1c2a").value
        '5f1c2a'
    """

    run_id: str

    @property
    def value(self) -> str:
        return self.run_id

    def to_event_json(self) -> Any:
        return {_TAG: "dagster_run", "run_id": self.run_id}


@dataclass(frozen=True)
class DagsterJobMetadataValue(MetadataValue):
    """A job, by name, code location and repository (``MetadataValue.job``).

    ``.value`` is the metadata value itself.

    Args:
        job_name: The name of the job.
        location_name: The code location that holds it. Defaults to None.
        repository_name: The repository that holds it. Defaults to None.

    Examples:
        >>> from orchestrator import MetadataValue
        >>> MetadataValue.job("nightly_load")
        DagsterJobMetadataValue(job_name='nightly_load', location_name=None, repository_name=None)
        >>> MetadataValue.job("nightly_load", location_name="warehouse").location_name
        'warehouse'
    """

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
    """An asset, by key (``MetadataValue.asset``); what a raw ``AssetKey`` becomes.

    The key is turned into an ``AssetKey``; ``.value`` is that key.

    Args:
        asset_key: An ``AssetKey``, a list of parts, or a string.

    Raises:
        DefinitionError: when ``asset_key`` cannot be used as an asset key.

    Examples:
        >>> from orchestrator import AssetKey, MetadataValue
        >>> MetadataValue.asset(["warehouse", "orders"])
        DagsterAssetMetadataValue(asset_key=AssetKey(['warehouse', 'orders']))
        >>> MetadataValue.asset(AssetKey("orders")).value
        AssetKey(['orders'])
    """

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
    """A table: its records (rows) and its schema (``MetadataValue.table``), e.g. a preview.

    Every record must have the same columns. When no schema is given it is inferred from the
    first record (``int``, ``float``, ``bool`` or ``string`` columns). ``.value`` is the metadata
    value itself.

    Args:
        records: The rows, as ``TableRecord`` objects.
        schema: The ``TableSchema``. Defaults to the one inferred from the first record.

    Raises:
        DefinitionError: when a record is not a ``TableRecord``, the records do not all have the
            same columns, or there are no records and no schema.

    Examples:
        >>> from orchestrator import MetadataValue, TableRecord
        >>> table = MetadataValue.table([TableRecord({"id": 1, "name": "a"}), TableRecord({"id": 2, "name": "b"})])
        >>> [(c.name, c.type) for c in table.schema.columns]
        [('id', 'int'), ('name', 'string')]
        >>> len(table.records)
        2
    """

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
    """The schema of a table (``MetadataValue.table_schema``); what a raw ``TableSchema`` becomes.

    Use it to record the columns of a table an op or asset writes. ``.value`` is the
    ``TableSchema``.

    Args:
        schema: The ``TableSchema``.

    Examples:
        >>> from orchestrator import MetadataValue, Output, TableColumn, TableSchema
        >>> schema = TableSchema(columns=[TableColumn("id", "int"), TableColumn("name")])
        >>> value = Output(1, metadata={"schema": schema}).metadata["schema"]
        >>> type(value).__name__, [c.name for c in value.value.columns]
        ('TableSchemaMetadataValue', ['id', 'name'])
    """

    schema: TableSchema

    @property
    def value(self) -> TableSchema:
        return self.schema

    def to_event_json(self) -> Any:
        return {_TAG: "table_schema", "schema": self.schema.to_json()}


@dataclass(frozen=True)
class NullMetadataValue(MetadataValue):
    """No value (``MetadataValue.null``); what a raw ``None`` becomes.

    Keeps a metadata key present when its value is unknown. ``.value`` is None.

    Examples:
        >>> from orchestrator import MetadataValue, NullMetadataValue, Output
        >>> MetadataValue.null()
        NullMetadataValue()
        >>> Output(1, metadata={"owner": None}).metadata["owner"] == NullMetadataValue()
        True
    """

    @property
    def value(self) -> None:
        return None

    def to_event_json(self) -> Any:
        return None


@dataclass(frozen=True)
class PoolMetadataValue(MetadataValue):
    """A concurrency pool, by name (``MetadataValue.pool``).

    Recorded as metadata only: here pools do not limit how many ops run at once, as Dagster's
    do. ``.value`` is the pool's name.

    Args:
        pool: The name of the pool.

    Examples:
        >>> from orchestrator import MetadataValue
        >>> MetadataValue.pool("warehouse")
        PoolMetadataValue(pool='warehouse')
        >>> MetadataValue.pool("warehouse").value
        'warehouse'
    """

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
