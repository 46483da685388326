"""Asset checks as data: what a check is (``AssetCheckSpec``), what it reports (``AssetCheckResult``),
and how a run records it (``AssetCheckEvaluation``, the payload of ASSET_CHECK_EVALUATION events).

Importing this module teaches ``orchestrator.events`` to read those events back as
``AssetCheckEvaluation`` objects.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from orchestrator.definitions.asset_key import AssetCheckKey, AssetKey
from orchestrator.definitions.metadata import MetadataValue, decode_metadata, normalize_metadata
from orchestrator.errors import DefinitionError, OrchestratorError
from orchestrator.events import DagsterEventType, jsonable, register_payload_decoder

__all__ = ["AssetCheckSeverity", "AssetCheckSpec", "AssetCheckResult", "AssetCheckEvaluation",
           "AssetCheckFailedError", "resolve_check_key"]


class AssetCheckSeverity(enum.Enum):
    """How bad a failed asset check is: ``WARN`` or ``ERROR`` (the default of ``AssetCheckResult``).

    The severity is recorded with the check's evaluation. It changes a run only for a blocking
    check: a blocking check that fails with ``ERROR`` fails its step, so the assets downstream of
    the checked asset in the same run are skipped; one that fails with ``WARN`` is recorded only.

    Examples:
        >>> from orchestrator import AssetCheckResult, AssetCheckSeverity
        >>> result = AssetCheckResult(passed=False, severity=AssetCheckSeverity.WARN)
        >>> result.severity
        <AssetCheckSeverity.WARN: 'WARN'>
        >>> AssetCheckSeverity("ERROR") is AssetCheckSeverity.ERROR
        True
    """

    WARN = "WARN"
    ERROR = "ERROR"


class AssetCheckFailedError(OrchestratorError):
    """A blocking asset check failed with ``ERROR`` severity, so its step fails and downstream assets skip."""


class AssetCheckSpec:
    """Declares a check of an asset: its name, the asset, and whether a failure blocks downstream assets.

    Give specs to ``@asset(check_specs=...)`` or ``@multi_asset(check_specs=...)`` when the asset's
    own function reports the check (it yields an ``AssetCheckResult`` after its output), or to
    ``@multi_asset_check(specs=...)`` for one op that evaluates several checks. ``@asset_check``
    builds its spec itself. Specs compare by key and ``blocking``.

    Args:
        name: The check's name, unique among the checks of the asset.
        asset: The checked asset: an ``AssetKey``, a ``"a/b"`` string, a list of parts, or its definition.
        description: What the check verifies. Defaults to None.
        additional_deps: Other assets the check depends on (keys, strings, definitions or ``AssetDep``).
            Defaults to none.
        blocking: Whether a failure with ``ERROR`` severity fails the check's step, so assets
            downstream of the checked asset in the same run are skipped. Defaults to False.
        metadata: Metadata describing the check. Defaults to none.
        automation_condition: Accepted for Dagster compatibility; kept, but it starts no run.
        partitions_def: The check's partitions; when given, its evaluation records the run's partition
            key. Defaults to None.

    Raises:
        DefinitionError: when ``asset`` does not name an asset.

    Examples:
        >>> from orchestrator import AssetCheckResult, AssetCheckSpec, Output, asset, materialize
        >>> @asset(check_specs=[AssetCheckSpec("has_rows", asset="orders")])
        ... def orders():
        ...     rows = [1, 2]
        ...     yield Output(rows)
        ...     yield AssetCheckResult(passed=len(rows) > 0)
        >>> result = materialize([orders])
        >>> [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()]
        [('has_rows', True)]
    """

    def __init__(self, name: str, *, asset: Any, description: str | None = None,
                 additional_deps: Iterable[Any] | None = None, blocking: bool = False,
                 metadata: Mapping[str, Any] | None = None, automation_condition: Any = None,
                 partitions_def: Any = None) -> None:
        from orchestrator.definitions.asset_spec import coerce_deps

        self.name = name
        self.asset_key = AssetKey.from_coercible(asset)
        self.description = description
        self.additional_deps = coerce_deps(additional_deps)
        self.blocking = blocking
        self.metadata = dict(metadata or {})
        self.automation_condition = automation_condition
        self.partitions_def = partitions_def

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.name)

    def get_python_identifier(self) -> str:
        """The name of the op output that carries this check's result (``orders_has_rows``)."""
        return self.asset_key.to_python_identifier(self.name)

    def replace_key(self, asset_key: AssetKey) -> AssetCheckSpec:
        return AssetCheckSpec(self.name, asset=asset_key, description=self.description,
                              additional_deps=self.additional_deps, blocking=self.blocking, metadata=self.metadata,
                              automation_condition=self.automation_condition, partitions_def=self.partitions_def)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetCheckSpec) and (other.key, other.blocking) == (self.key, self.blocking)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"AssetCheckSpec(name={self.name!r}, asset={self.asset_key!r}, blocking={self.blocking})"


class AssetCheckResult:
    """What an asset check returns (or yields): whether it passed, with metadata and a severity.

    An ``@asset_check`` function returns one; an asset with ``check_specs`` yields one per check
    after its output; a ``@multi_asset_check`` yields one per spec. The run records each as an
    ``AssetCheckEvaluation`` (``result.get_asset_check_evaluations()``).

    Args:
        passed: Whether the check passed; must be a ``bool`` (wrap other values in ``bool(...)``).
        asset_key: The checked asset. Defaults to None: the one asset the step checks.
        check_name: The check's name. Defaults to None: the one check of that asset the step evaluates.
        metadata: Metadata to record with the evaluation (plain values or ``MetadataValue``).
            Defaults to none.
        severity: How bad a failure is. Defaults to ``AssetCheckSeverity.ERROR``.
        description: A description of this outcome. Defaults to None.

    Raises:
        DefinitionError: when ``passed`` is not a bool or ``severity`` not an ``AssetCheckSeverity``;
            when the step runs, when ``asset_key``/``check_name`` are left out but the step evaluates
            several checks, or name a check the step does not evaluate.

    Examples:
        >>> from orchestrator import AssetCheckResult, AssetCheckSeverity, asset, asset_check, materialize
        >>> @asset
        ... def numbers():
        ...     return [1, 2, 2]
        >>> @asset_check(asset=numbers)
        ... def unique(numbers):
        ...     ok = len(set(numbers)) == len(numbers)
        ...     return AssetCheckResult(passed=ok, severity=AssetCheckSeverity.WARN, metadata={"rows": len(numbers)})
        >>> [evaluation] = materialize([numbers, unique]).get_asset_check_evaluations()
        >>> evaluation.passed, evaluation.severity, evaluation.metadata["rows"].value
        (False, <AssetCheckSeverity.WARN: 'WARN'>, 3)
    """

    def __init__(self, *, passed: bool, asset_key: Any = None, check_name: str | None = None,
                 metadata: Mapping[str, Any] | None = None, severity: AssetCheckSeverity = AssetCheckSeverity.ERROR,
                 description: str | None = None) -> None:
        if not isinstance(passed, bool):
            raise DefinitionError(f"AssetCheckResult(passed=...) must be a bool, got {passed!r}; wrap it in bool(...).")
        if not isinstance(severity, AssetCheckSeverity):
            raise DefinitionError(f"AssetCheckResult severity must be an AssetCheckSeverity, got {severity!r}.")
        self.passed = passed
        self.asset_key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
        self.check_name = check_name
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata, allow_invalid=True)
        self.severity = severity
        self.description = description

    def with_metadata(self, metadata: Mapping[str, Any]) -> AssetCheckResult:
        return AssetCheckResult(passed=self.passed, asset_key=self.asset_key, check_name=self.check_name,
                                metadata=metadata, severity=self.severity, description=self.description)

    def __repr__(self) -> str:
        return (f"AssetCheckResult(passed={self.passed}, asset_key={self.asset_key!r}, "
                f"check_name={self.check_name!r}, severity={self.severity.value})")


def resolve_check_key(result: AssetCheckResult, specs: Iterable[AssetCheckSpec]) -> AssetCheckKey:
    """The check a result reports on, among the checks the step evaluates (Dagster's rules)."""
    names_by_asset: dict[AssetKey, set[str]] = {}
    for spec in specs:
        names_by_asset.setdefault(spec.asset_key, set()).add(spec.name)
    if not names_by_asset:
        raise DefinitionError(
            "Received an AssetCheckResult, but this step evaluates no asset checks. Declare the check with "
            "check_specs=[AssetCheckSpec(...)] on the asset, or use @asset_check."
        )
    if result.asset_key is not None:
        if result.asset_key not in names_by_asset:
            raise DefinitionError(
                f"Received an AssetCheckResult for asset '{result.asset_key}', which none of this step's checks "
                f"targets (checked assets: {sorted(k.to_user_string() for k in names_by_asset)})."
            )
        asset_key = result.asset_key
    else:
        if len(names_by_asset) > 1:
            raise DefinitionError(
                "An AssetCheckResult names no asset_key, but this step checks several assets: "
                f"{sorted(k.to_user_string() for k in names_by_asset)}. Pass asset_key=."
            )
        asset_key = next(iter(names_by_asset))
    names = names_by_asset[asset_key]
    if result.check_name is not None:
        if result.check_name not in names:
            raise DefinitionError(
                f"Received an AssetCheckResult for check '{result.check_name}' of asset '{asset_key}', which is not "
                f"evaluated here (checks: {sorted(names)})."
            )
        return AssetCheckKey(asset_key, result.check_name)
    if len(names) > 1:
        raise DefinitionError(
            f"An AssetCheckResult names no check_name, but asset '{asset_key}' has several checks here: "
            f"{sorted(names)}. Pass check_name=."
        )
    return AssetCheckKey(asset_key, next(iter(names)))


class AssetCheckEvaluation:
    """A check's outcome as a run recorded it: the payload of an ASSET_CHECK_EVALUATION event.

    Read them back with ``result.get_asset_check_evaluations()`` (in process) or from a distributed
    run's events; they are built from the ``AssetCheckResult`` a check returned. ``success`` is the
    same as ``passed``; ``asset_check_key`` is the ``AssetCheckKey``.

    Args:
        asset_key: The checked asset.
        check_name: The check's name.
        passed: Whether the check passed.
        metadata: The metadata the check reported. Defaults to none.
        severity: The severity of a failure. Defaults to ``AssetCheckSeverity.ERROR``.
        description: A description of the outcome. Defaults to None.
        blocking: Whether the check is blocking. Defaults to None (not known).
        partition: The run's partition key, for a check whose spec has ``partitions_def``. Defaults to None.
        target_materialization_data: Accepted for Dagster compatibility; kept on the object but not
            written to the run's event.

    Examples:
        >>> from orchestrator import AssetCheckResult, AssetCheckSpec, Output, asset, materialize
        >>> @asset(check_specs=[AssetCheckSpec("has_rows", asset="orders", blocking=True)])
        ... def orders():
        ...     yield Output([1, 2])
        ...     yield AssetCheckResult(passed=True, metadata={"rows": 2})
        >>> [evaluation] = materialize([orders]).get_asset_check_evaluations()
        >>> evaluation
        AssetCheckEvaluation(asset_key=AssetKey(['orders']), check_name='has_rows', passed=True)
        >>> evaluation.asset_check_key.to_user_string(), evaluation.blocking, evaluation.metadata["rows"].value
        ('orders:has_rows', True, 2)
    """

    def __init__(self, asset_key: AssetKey, check_name: str, passed: bool,
                 metadata: Mapping[str, MetadataValue] | None = None,
                 severity: AssetCheckSeverity = AssetCheckSeverity.ERROR, description: str | None = None,
                 blocking: bool | None = None, partition: str | None = None,
                 target_materialization_data: Any = None) -> None:
        self.asset_key = asset_key
        self.check_name = check_name
        self.passed = passed
        self.metadata = dict(metadata or {})
        self.severity = severity
        self.description = description
        self.blocking = blocking
        self.partition = partition
        self.target_materialization_data = target_materialization_data

    @property
    def asset_check_key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.check_name)

    @property
    def success(self) -> bool:
        return self.passed

    def to_event_data(self) -> tuple[DagsterEventType, str, dict[str, Any]]:
        outcome = "passed" if self.passed else "failed"
        return (DagsterEventType.ASSET_CHECK_EVALUATION,
                f"Asset check '{self.check_name}' of '{self.asset_key}' {outcome}.",
                {"asset_key": list(self.asset_key.path), "check_name": self.check_name, "passed": self.passed,
                 "metadata": jsonable(self.metadata), "severity": self.severity.value,
                 "description": self.description, "blocking": self.blocking, "partition": self.partition})

    @classmethod
    def from_event_data(cls, data: Mapping[str, Any]) -> AssetCheckEvaluation:
        return cls(AssetKey(data["asset_key"]), data["check_name"], bool(data["passed"]),
                   decode_metadata(data.get("metadata")), AssetCheckSeverity(data.get("severity", "ERROR")),
                   data.get("description"), data.get("blocking"), data.get("partition"))

    def __repr__(self) -> str:
        return f"AssetCheckEvaluation(asset_key={self.asset_key!r}, check_name={self.check_name!r}, passed={self.passed})"


register_payload_decoder(DagsterEventType.ASSET_CHECK_EVALUATION, AssetCheckEvaluation.from_event_data)
