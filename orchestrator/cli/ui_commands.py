"""``orch ui``: the web UI and JSON API over the instance's Redis."""

from __future__ import annotations

import os

import click

from orchestrator.cli.app import cli, verbose_option
from orchestrator.cli.errors import CliError
from orchestrator.cli.options import code_location_options

__all__ = ["ui"]


@cli.command("ui")
@code_location_options
@click.option("--host", "host", default="127.0.0.1", show_default=True,
              help="Address to bind. Any non-loopback address needs ORCH_UI_TOKEN set.")
@click.option("--port", "port", type=click.IntRange(1, 65535), default=3000, show_default=True, help="TCP port.")
@click.option("--flower-url", "flower_url", metavar="URL",
              help="Flower's URL, to link each step to its task (default: ORCH_FLOWER_URL, else `orch dev`'s Flower).")
@verbose_option
def ui(module: str | None, file: str | None, attr: str | None, host: str, port: int, flower_url: str | None) -> None:
    """Serve the web UI: runs (with live logs), jobs (graph and launchpad), assets and schedules.

    Binds 127.0.0.1 by default. To bind another address set ORCH_UI_TOKEN to a long random
    string first: every request must then send it (header `Authorization: Bearer TOKEN`, or open
    a page once with ?token=TOKEN to set a cookie). The JSON API is described at /api/openapi.json.
    """
    from orchestrator.cli.connection import connect
    from orchestrator.cli.loading import load_code
    from orchestrator.errors import OrchestratorError
    from orchestrator.home import orch_home
    from orchestrator.local.dev import read_dev_file
    from orchestrator.ui.access import TOKEN_ENV, check_bind
    from orchestrator.ui.server import serve, ui_url

    if not module and not file:
        raise CliError("Pass the code to show: -m MODULE or -f FILE (its jobs, assets and schedules).")
    token = os.environ.get(TOKEN_ENV) or None
    try:
        check_bind(host, token)
    except OrchestratorError as exc:
        raise CliError(str(exc)) from None
    code = load_code(module, file, attr)
    instance = connect()
    flower = flower_url or os.environ.get("ORCH_FLOWER_URL") or (read_dev_file(orch_home()) or {}).get("flower_url")
    click.echo(f"orch ui for {code.source} on Redis at {instance.masked_url}: {ui_url(host, port)}"
               + (" (access token required)" if token else ""), err=True)
    try:
        serve(instance, code, host, port, token, flower_url=flower if isinstance(flower, str) else None)
    except KeyboardInterrupt:
        pass
