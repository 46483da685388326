"""``orch asset list|materialize``."""

from __future__ import annotations

import click

from orchestrator.cli.app import asset_group, is_verbose, verbose_option
from orchestrator.cli.errors import RUN_FAILED_EXIT
from orchestrator.cli.options import code_location_options, run_options

__all__ = ["asset_list", "asset_materialize"]


@asset_group.command("list")
@code_location_options
@verbose_option
def asset_list(module: str | None, file: str | None, attr: str | None) -> None:
    """List assets with their group, upstream assets and the jobs materializing them."""
    from rich.table import Table
    from rich.text import Text

    from orchestrator.cli.display import make_console
    from orchestrator.cli.loading import load_code

    code = load_code(module, file, attr)
    repo = code.repository
    table = Table()
    table.add_column("Asset")
    table.add_column("Group")
    table.add_column("Upstream")
    table.add_column("Jobs")
    for key in repo.asset_keys:
        asset = repo.get_assets_def(key)
        upstream = ", ".join(k.to_user_string() for k in asset.upstream_keys)
        table.add_row(Text(key.to_user_string()), Text(asset.group_name), Text(upstream),
                      Text(", ".join(repo.jobs_materializing(key))))
    console = make_console()
    if repo.asset_keys:
        console.print(f"Assets in {code.source}:", markup=False, soft_wrap=True)
        console.print(table)
    else:
        console.print("No assets defined.")


@asset_group.command("materialize")
@code_location_options
@click.option("--select", "selection", required=True, metavar="SEL",
              help="Assets to materialize: 'name', 'a,b', '*name' (with upstream), 'name+' or '*'.")
@run_options
@verbose_option
@click.pass_context
def asset_materialize(ctx: click.Context, module: str | None, file: str | None, attr: str | None, selection: str,
                      config_files: tuple[str, ...], tags: str | None, partition: str | None) -> None:
    """Materialize the selected assets in this process. Exit 1 when the run fails."""
    from orchestrator.cli.config_files import load_run_config, parse_tags
    from orchestrator.cli.execution import execute_with_display
    from orchestrator.cli.loading import load_code

    run_tags = parse_tags(tags)
    run_config = load_run_config(config_files)
    repo = load_code(module, file, attr).repository
    job = repo.asset_job(selection)
    assets = ", ".join(str(getattr(flat.op_def, "asset_key", None) or path) for path, flat in job.topology.ops.items())
    result = execute_with_display(job, run_config=run_config, partition_key=partition, tags=run_tags,
                                  verbose=is_verbose(ctx), title=f"assets {assets}")
    if not result.success:
        ctx.exit(RUN_FAILED_EXIT)
