"""Serving the UI with uvicorn, after the bind rule of ``access.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.ui.access import check_bind

if TYPE_CHECKING:
    from orchestrator.cli.loading import LoadedCode
    from orchestrator.distributed.instance import Instance

__all__ = ["serve", "ui_url"]


def ui_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def serve(instance: Instance, code: LoadedCode | None, host: str, port: int, token: str | None,
          flower_url: str | None = None, log_level: str = "warning") -> None:
    """Serve the UI until interrupted.

    :param instance: where runs are stored.
    :param code: the code location whose jobs, assets and schedules are shown.
    :param host: the address to bind: a loopback one unless ``token`` is set (``OrchestratorError``).
    :param port: the TCP port.
    :param token: the access token every request must carry (None: no check, loopback only).
    :param flower_url: Flower's base URL, to link steps to their tasks.
    :param log_level: uvicorn's log level.
    """
    import uvicorn

    from orchestrator.ui.app import create_app

    check_bind(host, token)
    # Without a token only loopback names are answered: see create_app's allowed_hosts.
    hosts = None if token else ["127.0.0.1", "localhost", "[::1]", "::1", host]
    app = create_app(instance, code, flower_url=flower_url, token=token, allowed_hosts=hosts)
    # No proxy headers: the client address is the socket's, never a header a client can forge.
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False, server_header=False)
