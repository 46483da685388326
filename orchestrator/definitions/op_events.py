"""What an op reports besides its outputs: ``ExpectationResult`` and ``AssetObservation``. An op
yields them (or passes them to ``context.log_event``);
each becomes an event of the run, read back as the same object from the run's result.

Importing this module also teaches ``orchestrator.events`` how to turn the data of those events
(and of ``AssetMaterialization`` events and ``Failure`` metadata) back into these objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.assets import AssetMaterialization
from orchestrator.definitions.metadata import MetadataValue, decode_metadata, normalize_metadata
from orchestrator.events import DagsterEventType, jsonable, register_payload_decoder

__all__ = ["ExpectationResult", "AssetObservation"]


class ExpectationResult:
    """The result of a data quality check an op ran, recorded as an event of the run.

    An op yields one, or passes it to ``context.log_event``; the run records a
    STEP_EXPECTATION_RESULT event, and ``result.expectation_results_for_node(name)`` gives the
    results back as ``ExpectationResult`` objects. A failed expectation does not fail the step:
    raise ``Failure`` for that. (Dagster now prefers asset checks for the same purpose.)

    Args:
        success: Whether the check passed (any value is turned into a bool).
        label: A short name for the check, shown in the event's message. Defaults to None.
        description: What was checked, or why it failed. Defaults to None.
        metadata: Metadata about the check (``{"rows": 3}``); raw values become ``MetadataValue``
            objects as in ``Output``, and a value of no metadata kind becomes a text placeholder
            naming its type. Defaults to no metadata.

    Examples:
        >>> from orchestrator import ExpectationResult, job, op
        >>> @op
        ... def check_rows(context):
        ...     rows = [1, 2, 3]
        ...     context.log_event(ExpectationResult(success=len(rows) > 0, label="non_empty", metadata={"rows": len(rows)}))
        ...     return rows
        >>> @job
        ... def checked():
        ...     check_rows()
        >>> [expectation] = checked.execute_in_process().expectation_results_for_node("check_rows")
        >>> expectation.success, expectation.label, expectation.metadata["rows"].value
        (True, 'non_empty', 3)
    """

    def __init__(self, success: bool, label: str | None = None, description: str | None = None,
                 metadata: Mapping[str, Any] | None = None) -> None:
        self.success = bool(success)
        self.label = label
        self.description = description
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata, allow_invalid=True)

    def to_event_data(self) -> tuple[DagsterEventType, str, dict[str, Any]]:
        outcome = "passed" if self.success else "failed"
        return (DagsterEventType.STEP_EXPECTATION_RESULT, f"Expectation '{self.label or 'result'}' {outcome}.",
                {"success": self.success, "label": self.label, "description": self.description,
                 "metadata": jsonable(self.metadata)})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExpectationResult) and (self.success, self.label, self.description, self.metadata) == (
            other.success, other.label, other.description, other.metadata)

    def __repr__(self) -> str:
        return f"ExpectationResult(success={self.success!r}, label={self.label!r})"


class AssetObservation:
    """Metadata about an asset, recorded without materializing the asset.

    Use it to record what an op saw of an asset it does not produce (a row count of a table
    upstream, a file's size). An op yields one, or passes it to ``context.log_event``; the run
    records an ASSET_OBSERVATION event, and ``result.asset_observations_for_node(name)`` gives the
    observations back.

    Args:
        asset_key: The asset observed: an ``AssetKey``, a ``"a/b"`` string or a list of parts.
        description: What was observed. Defaults to None.
        metadata: What was seen (``{"num_rows": 10}``); raw values become ``MetadataValue``
            objects as in ``Output``. Defaults to no metadata.
        partition: The partition of the asset observed. Defaults to None.
        tags: Tags of the observation. Defaults to none.

    Raises:
        DefinitionError: when ``asset_key`` cannot be used as an asset key.

    Examples:
        >>> from orchestrator import AssetObservation, job, op
        >>> @op
        ... def observe(context):
        ...     context.log_event(AssetObservation(asset_key="orders", metadata={"num_rows": 10}))
        >>> @job
        ... def observing():
        ...     observe()
        >>> [obs] = observing.execute_in_process().asset_observations_for_node("observe")
        >>> obs.asset_key.path, obs.metadata["num_rows"].value
        (('orders',), 10)
    """

    def __init__(self, asset_key: AssetKey | str | Sequence[str], description: str | None = None,
                 metadata: Mapping[str, Any] | None = None, partition: str | None = None,
                 tags: Mapping[str, str] | None = None) -> None:
        self.asset_key = AssetKey.from_coercible(asset_key)
        self.description = description
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata, allow_invalid=True)
        self.partition = partition
        self.tags = dict(tags or {})

    @property
    def label(self) -> str:
        return self.asset_key.to_user_string()

    def to_event_data(self) -> tuple[DagsterEventType, str, dict[str, Any]]:
        return (DagsterEventType.ASSET_OBSERVATION, f"Observed asset '{self.asset_key}'.",
                {"asset_key": list(self.asset_key.path), "description": self.description,
                 "metadata": jsonable(self.metadata), "partition": self.partition, "tags": self.tags})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetObservation) and (
            self.asset_key, self.description, self.metadata, self.partition) == (
            other.asset_key, other.description, other.metadata, other.partition)

    def __repr__(self) -> str:
        return f"AssetObservation(asset_key={self.asset_key!r})"


def _materialization(data: dict[str, Any]) -> AssetMaterialization:
    m = AssetMaterialization(data["asset_key"], description=data.get("description"),
                             partition=data.get("partition"))
    m.metadata = decode_metadata(data.get("metadata"))
    return m


def _observation(data: dict[str, Any]) -> AssetObservation:
    o = AssetObservation(data["asset_key"], description=data.get("description"),
                         partition=data.get("partition"), tags=data.get("tags"))
    o.metadata = decode_metadata(data.get("metadata"))
    return o


def _expectation(data: dict[str, Any]) -> ExpectationResult:
    e = ExpectationResult(bool(data.get("success")), data.get("label"), data.get("description"))
    e.metadata = decode_metadata(data.get("metadata"))
    return e


register_payload_decoder(DagsterEventType.ASSET_MATERIALIZATION, _materialization)
register_payload_decoder(DagsterEventType.ASSET_OBSERVATION, _observation)
register_payload_decoder(DagsterEventType.STEP_EXPECTATION_RESULT, _expectation)
# A STEP_FAILURE carries the metadata of the ``Failure`` the op raised; decode that mapping.
register_payload_decoder(DagsterEventType.STEP_FAILURE, decode_metadata)
