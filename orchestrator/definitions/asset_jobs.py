"""Jobs that materialize assets: ``define_asset_job`` (resolved against a code location's assets) and
``materialize`` (run some assets now). Upstream assets outside the selection are loaded from what
an earlier run stored through their IO manager.

A job's graph has one node per selected asset definition (its op, or its graph), wired by asset
dependencies; the job's asset layer says which outputs are which assets and checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.asset_key import AssetCheckKey, AssetKey
from orchestrator.definitions.asset_layer import AssetLayer
from orchestrator.definitions.asset_selection import AssetGraph, AssetSelection, coerce_selection
from orchestrator.definitions.asset_spec import AssetSpec
from orchestrator.definitions.assets import AssetsDefinition, SourceAsset, source_asset_from_spec
from orchestrator.definitions.graphs import DependencyDefinition, GraphDefinition, NodeInvocation
from orchestrator.definitions.jobs import JobDefinition
from orchestrator.definitions.ops import OpDefinition
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.definitions.topology import flatten
from orchestrator.errors import DefinitionError

if TYPE_CHECKING:
    from orchestrator.execution.results import ExecuteInProcessResult

__all__ = ["define_asset_job", "UnresolvedAssetJobDefinition", "materialize", "materialize_to_memory",
           "build_assets_job", "split_assets"]


class UnresolvedAssetJobDefinition:
    """An asset job by name and selection, not yet bound to assets: what ``define_asset_job`` returns.

    It becomes a ``JobDefinition`` when resolved against a code location's assets: put it in
    ``Definitions(assets=..., jobs=[...])`` and get the job with ``defs.resolve_job_def(name)``, or
    call ``resolve(assets)``. Schedules and sensors may target it directly. Calling its
    ``execute_in_process`` raises, since it does not know its assets yet.

    Args:
        name: The job's name.
        selection: The assets to materialize: None or ``"*"`` for all, an ``AssetSelection``, a
            selection string, or a list of keys, key strings or definitions. Defaults to all.
        config: Run config of the job's runs (a dict, ``RunConfig`` or ``PartitionedConfig``). Defaults to none.
        description: A description of the job. Defaults to None.
        tags: Tags of the job, also put on each of its runs. Defaults to none.
        partitions_def: The job's partitions. Defaults to the partitions of the selected assets.
        executor_def: The executor of its runs. Defaults to the ``Definitions``' executor, else the
            default (in process for ``execute_in_process``, Celery for ``submit_job``).
        hooks: Hooks (``@success_hook``, ``@failure_hook``) run on every step. Defaults to none.
        op_retry_policy: The retry policy of every op that has none of its own. Defaults to none.
        run_tags: Tags put on each run only. Defaults to none.
        metadata: Metadata of the job. Defaults to none.

    Raises:
        DefinitionError: when resolved, if the selection names an undefined asset, selects no asset,
            selects part of a multi-asset that cannot subset, or mixes assets of different partitions.

    Examples:
        >>> from orchestrator import AssetSelection, UnresolvedAssetJobDefinition, asset
        >>> @asset(group_name="nightly")
        ... def report() -> str:
        ...     return "ok"
        >>> nightly = UnresolvedAssetJobDefinition("nightly", selection=AssetSelection.groups("nightly"))
        >>> nightly.resolve([report]).execute_in_process().output_for_node("report")
        'ok'
        >>> nightly.execute_in_process()
        Traceback (most recent call last):
        ...
        orchestrator.errors.DefinitionError: Asset job 'nightly' must be resolved against its assets first: ...
    """

    def __init__(self, name: str, selection: Any = None, config: Any = None, description: str | None = None,
                 tags: Mapping[str, Any] | None = None, partitions_def: Any = None, executor_def: Any = None,
                 hooks: Any = None, op_retry_policy: RetryPolicy | None = None,
                 run_tags: Mapping[str, Any] | None = None, metadata: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.selection: AssetSelection = coerce_selection(selection)
        given = selection if isinstance(selection, (list, tuple, set)) else [selection]
        #: Asset definitions named in ``selection`` itself (a schedule's ``target=[asset]`` brings them along).
        self.selected_definitions = [s for s in given if isinstance(s, (AssetsDefinition, SourceAsset))]
        self.config = config
        self.description = description
        self.tags = dict(tags or {})
        self.run_tags = dict(run_tags or {})
        self.metadata = dict(metadata or {})
        self.partitions_def = partitions_def
        self.executor_def = executor_def
        self.hooks = hooks
        self.op_retry_policy = op_retry_policy

    def selected_keys(self, assets: Any) -> set[AssetKey]:
        return self.selection.resolve(assets)

    def resolve(self, assets: Sequence[Any], source_assets: Sequence[Any] = (),
                resource_defs: Mapping[str, Any] | None = None,
                materialized_by: Mapping[AssetKey, list[str]] | None = None) -> JobDefinition:
        """Build the job over ``assets`` (every asset and check of the code location)."""
        everything = [*assets, *source_assets]
        defs, sources = split_assets(everything, f"Asset job '{self.name}'")
        graph = AssetGraph.from_definitions([*defs, *sources])
        selected = self.selection._assets(graph)
        checks = self.selection._checks(graph)
        if not selected and not checks:
            raise DefinitionError(f"Asset job '{self.name}' selects no asset.")
        return build_assets_job(
            self.name, everything, selected, resource_defs=resource_defs, config=self.config,
            description=self.description, tags=self.tags, partitions_def=self.partitions_def,
            executor_def=self.executor_def, hooks=self.hooks, op_retry_policy=self.op_retry_policy,
            materialized_by=materialized_by, selected_checks=checks, run_tags=self.run_tags, metadata=self.metadata,
        )

    def execute_in_process(self, *args: Any, **kwargs: Any) -> Any:
        raise DefinitionError(
            f"Asset job '{self.name}' must be resolved against its assets first: put it in "
            "Definitions(assets=..., jobs=...) and use resolve_job_def(name), or call materialize([...])."
        )

    def __repr__(self) -> str:
        return f"<UnresolvedAssetJobDefinition {self.name}>"


def define_asset_job(name: str, selection: Any = None, config: Any = None, description: str | None = None,
                     tags: Mapping[str, Any] | None = None, run_tags: Mapping[str, Any] | None = None,
                     metadata: Mapping[str, Any] | None = None, partitions_def: Any = None,
                     executor_def: Any = None, hooks: Any = None,
                     op_retry_policy: RetryPolicy | None = None) -> UnresolvedAssetJobDefinition:
    """Define a job that materializes a selection of a code location's assets (and runs their checks).

    The job is resolved when ``Definitions`` holds it: its graph has one node per selected asset
    definition, wired by asset dependencies; upstream assets outside the selection are loaded
    through their IO managers from what earlier runs stored. Run it with
    ``defs.resolve_job_def(name)``, ``orch job run``/``submit_job``, a schedule or a sensor.

    Args:
        name: The job's name.
        selection: The assets to materialize: None or ``"*"`` for all, an ``AssetSelection``, a
            selection string (``"*report"``, ``"a,b"``), or a list of keys, key strings or
            definitions. Defaults to all.
        config: Run config of the job's runs (a dict, ``RunConfig`` or ``PartitionedConfig``). Defaults to none.
        description: A description of the job. Defaults to None.
        tags: Tags of the job, also put on each of its runs. Defaults to none.
        run_tags: Tags put on each run only. Defaults to none.
        metadata: Metadata of the job. Defaults to none.
        partitions_def: The job's partitions. Defaults to the partitions of the selected assets.
        executor_def: The executor of its runs. Defaults to the ``Definitions``' executor, else the
            default (in process for ``execute_in_process``, Celery for ``submit_job``).
        hooks: Hooks (``@success_hook``, ``@failure_hook``) run on every step. Defaults to none.
        op_retry_policy: The retry policy of every op that has none of its own. Defaults to none.

    Returns:
        An ``UnresolvedAssetJobDefinition``, resolved into a ``JobDefinition`` by ``Definitions``.

    Raises:
        DefinitionError: when resolved, if the selection names an undefined asset, selects no asset,
            selects part of a multi-asset that cannot subset, or mixes assets of different partitions.

    Examples:
        >>> from orchestrator import AssetSelection, Definitions, asset, define_asset_job
        >>> @asset
        ... def a() -> int:
        ...     return 1
        >>> @asset
        ... def b(a: int) -> int:
        ...     return a + 1
        >>> ab_job = define_asset_job("ab_job", selection=AssetSelection.keys("b").upstream())
        >>> defs = Definitions(assets=[a, b], jobs=[ab_job])
        >>> defs.resolve_job_def("ab_job").execute_in_process().output_for_node("b")
        2
    """
    return UnresolvedAssetJobDefinition(name, selection, config, description, tags, partitions_def,
                                        executor_def, hooks, op_retry_policy, run_tags, metadata)


def split_assets(items: Sequence[Any], where: str) -> tuple[list[AssetsDefinition], list[SourceAsset]]:
    """Computed definitions and external assets (``SourceAsset`` or a bare ``AssetSpec``) of ``items``."""
    defs: list[AssetsDefinition] = []
    sources: list[SourceAsset] = []
    for item in items:
        if isinstance(item, AssetsDefinition):
            defs.append(item)
        elif isinstance(item, SourceAsset):
            sources.append(item)
        elif isinstance(item, AssetSpec):
            sources.append(source_asset_from_spec(item))
        else:
            raise DefinitionError(
                f"{where}: {item!r} is not an asset; pass @asset/@multi_asset/@asset_check definitions, "
                "SourceAsset or AssetSpec."
            )
    return defs, sources


def _merge_resources(target: dict[str, Any], extra: Mapping[str, Any], what: str) -> None:
    for key, value in extra.items():
        if key in target and target[key] is not value:
            raise DefinitionError(f"{what} defines resource '{key}' twice with different values; keep one.")
        target[key] = value


def build_assets_job(
    name: str,
    assets: Sequence[Any],
    selected: set[AssetKey] | None = None,
    source_assets: Sequence[Any] = (),
    resource_defs: Mapping[str, Any] | None = None,
    config: Any = None,
    description: str | None = None,
    tags: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    executor_def: Any = None,
    hooks: Any = None,
    op_retry_policy: RetryPolicy | None = None,
    materialized_by: Mapping[AssetKey, list[str]] | None = None,
    default_io_manager: Any = None,
    selected_checks: set[AssetCheckKey] | None = None,
    run_tags: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    add_resource_hint: str | None = None,
) -> JobDefinition:
    """A job whose nodes are the selected assets' ops (or graphs), wired by asset dependencies.

    ``selected`` defaults to every computed asset; ``selected_checks`` to the checks of the selected
    assets. Unselected and external assets are loaded through their IO managers.
    ``add_resource_hint`` tells the user how to give a missing resource (``{key}`` is its key);
    by default, ``resource_defs=`` of the job.
    """
    what = f"Asset job '{name}'"
    defs, sources = split_assets([*assets, *source_assets], what)
    graph = AssetGraph.from_definitions([*defs, *sources])
    chosen = set(graph.assets) if selected is None else set(selected)
    unknown = chosen - set(graph.assets)
    if unknown:
        raise DefinitionError(f"{what} selects {sorted(k.to_user_string() for k in unknown)}, which no asset "
                              "definition here materializes.")
    checks = {k for k in graph.checks if k.asset_key in chosen} if selected_checks is None else set(selected_checks)

    nodes: dict[str, AssetsDefinition] = {}
    producer: dict[AssetKey, tuple[str, str]] = {}
    seen: set[int] = set()
    for a in defs:
        if id(a) in seen:
            continue
        seen.add(id(a))
        keys, own_checks = a.keys & chosen, a.check_keys & checks
        if not keys and not own_checks:
            continue
        node_def = a.node_def
        if not a.can_subset:
            if keys and keys != a.keys:
                raise DefinitionError(
                    f"{what} selects {sorted(k.to_user_string() for k in keys)} but not "
                    f"{sorted(k.to_user_string() for k in a.keys - keys)}, which '{node_def.name}' computes in the "
                    "same step. Select all of them, or declare the multi-asset with can_subset=True."
                )
            own_checks = a.check_keys  # a step that cannot subset evaluates all of its checks
        if keys != a.keys or own_checks != a.check_keys:
            a = a.subset_for(keys, own_checks)
        if node_def.name in nodes:
            raise DefinitionError(f"{what} has two asset definitions computed by nodes named '{node_def.name}'.")
        nodes[a.node_def.name] = a
        for out_name, key in a.keys_by_output_name.items():
            producer[key] = (a.node_def.name, out_name)

    external: dict[AssetKey, tuple[str, Any]] = {}
    for key, producing in graph.assets.items():
        if key not in producer:
            external[key] = (producing.get_io_manager_key_for_asset_key(key), producing.partitions_def)
    for key, source in graph.sources.items():
        external[key] = (source.io_manager_key, source.partitions_def)

    resources: dict[str, Any] = {}
    dependencies: dict[Any, dict[str, DependencyDefinition]] = {}
    node_defs = []
    external_managers: dict[str, AssetKey] = {}
    for node_name, a in nodes.items():
        deps: dict[str, DependencyDefinition] = {}
        node_def = a.node_def
        for input_name, upstream_key in a.node_keys_by_input_name.items():
            if upstream_key in producer:
                deps[input_name] = DependencyDefinition(*producer[upstream_key])
                continue
            is_nothing = isinstance(node_def, OpDefinition) and node_def.ins[input_name].is_nothing
            if upstream_key in external:
                manager = external[upstream_key][0]
                if isinstance(node_def, OpDefinition) and node_def.ins[input_name].input_manager_key:
                    manager = str(node_def.ins[input_name].input_manager_key)
                if not is_nothing:
                    external_managers.setdefault(manager, upstream_key)
                continue
            if not is_nothing:
                raise DefinitionError(
                    f"Asset '{node_name}' reads asset '{upstream_key}' (input '{input_name}'), which is not defined. "
                    "Define it with @asset, SourceAsset or AssetSpec, or rename the parameter."
                )
        _merge_resources(resources, a.resource_defs, what)
        node_defs.append(node_def)
        invocation = NodeInvocation(node_name, hook_defs=a.hook_defs) if a.hook_defs else node_name
        dependencies[invocation] = deps
    for source in sources:
        if source.key in external and source.resource_defs:
            _merge_resources(resources, source.resource_defs, what)

    if partitions_def is None:
        found = [nodes[n].partitions_def for n in nodes if nodes[n].partitions_def is not None and nodes[n].keys]
        distinct = [p for i, p in enumerate(found) if p not in found[:i]]
        if len(distinct) > 1:
            raise DefinitionError(
                f"{what} selects assets with different partitions ({', '.join(repr(p) for p in distinct)}); "
                "split it into one job per partitions definition."
            )
        partitions_def = distinct[0] if distinct else None

    graph_def = GraphDefinition(name=name, node_defs=node_defs, dependencies=dependencies, description=description)
    layer = AssetLayer.build(graph_def, flatten(graph_def), nodes, external, materialized_by)
    for resource_key, value in (resource_defs or {}).items():
        resources.setdefault(resource_key, value)
    if "io_manager" not in resources:
        if default_io_manager is None:
            from orchestrator.definitions.io_managers.fs import fs_io_manager

            default_io_manager = fs_io_manager
        resources["io_manager"] = default_io_manager
    for manager, upstream_key in sorted(external_managers.items()):
        if manager not in resources:
            raise DefinitionError(
                f"{what} loads asset '{upstream_key}' through IO manager '{manager}', which is not a resource here. "
                f"{(add_resource_hint or 'Add resources={{{key!r}: ...}}').format(key=manager)}."
            )
    return JobDefinition(graph_def=graph_def, name=name, description=description, resource_defs=resources,
                         config=config, tags=tags, executor_def=executor_def, hooks=hooks,
                         op_retry_policy=op_retry_policy, partitions_def=partitions_def, run_tags=run_tags,
                         metadata=metadata, asset_layer=layer, _add_resource_hint=add_resource_hint)


def materialize(
    assets: Sequence[Any],
    run_config: Mapping[str, Any] | None = None,
    instance: Any = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, Any] | None = None,
    selection: Any = None,
    run_id: str | None = None,
) -> ExecuteInProcessResult:
    """Materialize assets (and run their checks) now, in this process; for scripts, notebooks and tests.

    Builds a one-off asset job over ``assets`` and executes it in process. Outputs are stored by
    ``fs_io_manager`` (under ``$ORCH_HOME/storage``) unless ``resources`` gives an ``io_manager``,
    so a later run can load them. Assets in ``assets`` but not in ``selection`` are not run: the
    selected ones load them from what an earlier run stored.

    Args:
        assets: The assets to materialize or load: ``@asset``/``@multi_asset`` definitions, asset
            checks, ``SourceAsset`` and ``AssetSpec``.
        run_config: Run config of the run (ops, resources). Defaults to none.
        instance: A ``DagsterInstance`` that records the run and its events. Defaults to None.
        resources: Resources by key, for the assets and their IO managers. Defaults to none.
        partition_key: The partition to materialize, for partitioned assets. Defaults to None.
        raise_on_error: Whether a failed step raises its error (else the result reports it).
            Defaults to True.
        tags: Tags of the run. Defaults to none.
        selection: Which of ``assets`` to materialize (any ``define_asset_job`` selection). Defaults to all.
        run_id: The run's id. Defaults to a new id.

    Returns:
        The ``ExecuteInProcessResult`` of the run (outputs, materializations, check evaluations).

    Raises:
        DefinitionError: when an item is not an asset, an asset reads one that is not given, a
            resource or IO manager is missing, or the assets have different partitions.

    Examples:
        >>> from orchestrator import asset, materialize
        >>> @asset
        ... def upstream_asset():
        ...     return [1, 2, 3]
        >>> @asset
        ... def downstream_asset(upstream_asset):
        ...     return sum(upstream_asset)
        >>> materialize([upstream_asset, downstream_asset]).output_for_node("downstream_asset")
        6
        >>> again = materialize([upstream_asset, downstream_asset], selection=["downstream_asset"])
        >>> again.output_for_node("downstream_asset"), again.is_node_untouched("upstream_asset")
        (6, True)
    """
    return _materialize(assets, run_config, resources, partition_key, selection, tags, raise_on_error, run_id,
                        None, instance)


def materialize_to_memory(
    assets: Sequence[Any],
    run_config: Mapping[str, Any] | None = None,
    instance: Any = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, Any] | None = None,
    selection: Any = None,
) -> ExecuteInProcessResult:
    """Like ``materialize``, but outputs stay in memory: for tests that should leave no files behind.

    The run's default IO manager (``io_manager``) is ``mem_io_manager``, so values live only as long
    as the run. Unlike Dagster's, which swaps every IO manager for an in-memory one and refuses
    IO managers in ``resources``, an asset with another ``io_manager_key`` still uses the resource
    given for that key, and ``resources={"io_manager": ...}`` replaces the in-memory default.

    Args:
        assets: The assets to materialize: ``@asset``/``@multi_asset`` definitions, asset checks,
            ``SourceAsset`` and ``AssetSpec``.
        run_config: Run config of the run (ops, resources). Defaults to none.
        instance: A ``DagsterInstance`` that records the run and its events. Defaults to None.
        resources: Resources by key, for the assets. Defaults to none.
        partition_key: The partition to materialize, for partitioned assets. Defaults to None.
        raise_on_error: Whether a failed step raises its error (else the result reports it).
            Defaults to True.
        tags: Tags of the run. Defaults to none.
        selection: Which of ``assets`` to materialize (any ``define_asset_job`` selection). Defaults to all.

    Returns:
        The ``ExecuteInProcessResult`` of the run; ``output_for_node`` reads the values from memory.

    Raises:
        DefinitionError: when an item is not an asset, an asset reads one that is not given, or a
            resource is missing.

    Examples:
        >>> from orchestrator import asset, materialize_to_memory
        >>> @asset
        ... def numbers():
        ...     return [1, 2, 3]
        >>> @asset
        ... def total(numbers):
        ...     return sum(numbers)
        >>> result = materialize_to_memory([numbers, total])
        >>> result.success, result.output_for_node("total")
        (True, 6)
    """
    from orchestrator.definitions.io_managers.mem import mem_io_manager

    return _materialize(assets, run_config, resources, partition_key, selection, tags, raise_on_error, None,
                        mem_io_manager, instance, caller="materialize_to_memory")


def _materialize(assets: Sequence[Any], run_config: Mapping[str, Any] | None, resources: Mapping[str, Any] | None,
                 partition_key: str | None, selection: Any, tags: Mapping[str, Any] | None, raise_on_error: bool,
                 run_id: str | None, default_io_manager: Any, instance: Any,
                 caller: str = "materialize") -> ExecuteInProcessResult:
    defs, sources = split_assets(list(assets), "materialize()")
    graph = AssetGraph.from_definitions([*defs, *sources])
    chosen = coerce_selection(selection)
    job_def = build_assets_job("__ephemeral_asset_job__", [*defs, *sources], chosen._assets(graph),
                               resource_defs=resources, default_io_manager=default_io_manager,
                               selected_checks=chosen._checks(graph),
                               add_resource_hint=f"Add resources={{{{'{{key}}': ...}}}} to the {caller}() call")
    return job_def.execute_in_process(run_config=run_config, partition_key=partition_key, tags=tags,
                                      raise_on_error=raise_on_error, run_id=run_id, instance=instance)
