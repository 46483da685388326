"""``orch job list|show|execute``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from orchestrator.cli.app import is_verbose, job_group, verbose_option
from orchestrator.cli.errors import RUN_FAILED_EXIT
from orchestrator.cli.options import code_location_options, run_options

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.topology import FlatInput

__all__ = ["job_list", "job_show", "job_execute", "describe_input"]


@job_group.command("list")
@code_location_options
@verbose_option
def job_list(module: str | None, file: str | None, attr: str | None) -> None:
    """List the jobs of a module or file."""
    from rich.table import Table
    from rich.text import Text

    from orchestrator.cli.display import make_console
    from orchestrator.cli.loading import load_code

    code = load_code(module, file, attr)
    table = Table()
    table.add_column("Job")
    table.add_column("Ops", justify="right")
    table.add_column("Description")
    for name in code.repository.job_names:
        job = code.repository.get_job(name)
        table.add_row(Text(name), str(len(job.topology.ops)), Text(_first_line(job.description)))
    console = make_console()
    console.print(f"Jobs in {code.source}:", markup=False, soft_wrap=True)
    console.print(table)


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def describe_input(flat_input: FlatInput) -> str:
    """Where an op input comes from, e.g. ``return_five.result`` or ``[a.result, b.result]``."""
    sources = [f"{s.path}.{s.output}" for s in flat_input.sources]
    if flat_input.kind == "direct":
        return sources[0]
    if flat_input.kind == "fan_in":
        return "[" + ", ".join(sources) + "]"
    if flat_input.kind == "collect":
        return "collect(" + ", ".join(sources) + ")"
    return "(config or default value)"


def _schema_text(schema: Any) -> str:
    from orchestrator.definitions.config.schema import describe_schema

    return _data_text(describe_schema(schema))


def _data_text(data: Any) -> str:
    """YAML, like the run config files users write; JSON when YAML cannot represent it."""
    import yaml

    if isinstance(data, str):
        return data
    try:
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=False).rstrip()
    except yaml.YAMLError:
        return json.dumps(data, indent=2, default=str)


def _print_job(job: JobDefinition) -> None:
    from rich.table import Table
    from rich.text import Text

    from orchestrator.cli.display import make_console
    from orchestrator.definitions.config.mapping import ConfigMapping
    from orchestrator.definitions.partitions import PartitionedConfig

    console = make_console()
    topo = job.topology
    console.print(f"Job '{job.name}' ({len(topo.ops)} ops)", markup=False)
    if job.description:
        console.print(job.description.strip(), markup=False)

    table = Table()
    table.add_column("#", justify="right")
    table.add_column("Op")
    table.add_column("Definition")
    table.add_column("Inputs")
    table.add_column("Outputs")
    edges: list[str] = []
    for i, (path, flat) in enumerate(topo.ops.items(), start=1):
        inputs = []
        for name, flat_input in flat.inputs.items():
            inputs.append(f"{name} <- {describe_input(flat_input)}")
            if flat_input.sources:
                edges.append(f"{path}.{name} <- {describe_input(flat_input)}")
        outputs = [f"{n}{' (dynamic)' if o.is_dynamic else ''}" for n, o in flat.op_def.outs.items()]
        table.add_row(str(i), Text(path), Text(flat.op_def.name), Text("\n".join(inputs)), Text(", ".join(outputs)))
    console.print("Ops in dependency order:", markup=False)
    console.print(table)

    console.print("Edges:" if edges else "Edges: none", markup=False)
    for edge in edges:
        console.print(f"  {edge}", markup=False, soft_wrap=True)

    config = job.config
    if isinstance(config, ConfigMapping):
        console.print("Job config (config mapping) schema:", markup=False)
        console.print(_indent(_schema_text(config.config_schema)), markup=False, soft_wrap=True)
    elif isinstance(config, PartitionedConfig):
        console.print(f"Partitioned config, partitions: {config.describe_keys()}", markup=False, soft_wrap=True)
    elif isinstance(config, dict) and config:
        console.print("Default run config:", markup=False)
        console.print(_indent(_data_text(config)), markup=False, soft_wrap=True)
    elif job.partitions_def is not None:
        keys = job.partitions_def.get_partition_keys()
        shown = ", ".join(keys[:10]) + (" ..." if len(keys) > 10 else "")
        console.print(f"Partitions: {shown}", markup=False, soft_wrap=True)

    with_config = [(p, f.op_def) for p, f in topo.ops.items() if (f.op_def.config_class or f.op_def.config_schema) is not None]
    console.print("Op config schemas:" if with_config else "Op config schemas: none", markup=False)
    for path, op_def in with_config:
        console.print(f"  {path}:", markup=False)
        console.print(_indent(_schema_text(op_def.config_class or op_def.config_schema), 4), markup=False, soft_wrap=True)

    console.print("Resources: " + (", ".join(sorted(job.resource_defs)) or "none"), markup=False, soft_wrap=True)


def _indent(text: str, by: int = 2) -> str:
    return "\n".join(" " * by + line for line in text.splitlines())


@job_group.command("show")
@code_location_options
@click.option("-j", "--job", "job_name", required=True, metavar="JOB", help="Job to show.")
@verbose_option
def job_show(module: str | None, file: str | None, attr: str | None, job_name: str) -> None:
    """Show a job's ops in dependency order, their inputs, config schemas and resources."""
    from orchestrator.cli.loading import load_code

    _print_job(load_code(module, file, attr).get_job(job_name))


@job_group.command("execute")
@code_location_options
@click.option("-j", "--job", "job_name", required=True, metavar="JOB", help="Job to run.")
@run_options
@click.option("--op-selection", "op_selection", metavar="SEL",
              help="Ops to run, Dagster syntax: 'name', '*name', 'name+', comma-separated.")
@verbose_option
@click.pass_context
def job_execute(ctx: click.Context, module: str | None, file: str | None, attr: str | None, job_name: str,
                config_files: tuple[str, ...], tags: str | None, partition: str | None,
                op_selection: str | None) -> None:
    """Run a job in this process, showing each step live. Exit 1 when the run fails."""
    from orchestrator.cli.config_files import load_run_config, parse_tags
    from orchestrator.cli.execution import execute_with_display
    from orchestrator.cli.loading import load_code

    run_tags = parse_tags(tags)
    run_config = load_run_config(config_files)
    job = load_code(module, file, attr).get_job(job_name)
    result = execute_with_display(job, run_config=run_config, partition_key=partition, tags=run_tags,
                                  op_selection=op_selection, verbose=is_verbose(ctx))
    if not result.success:
        ctx.exit(RUN_FAILED_EXIT)
