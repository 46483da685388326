"""The UI's ASGI application: pages, the JSON API, static files, the token check and error pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from orchestrator.ui.access import TokenMiddleware
from orchestrator.ui.api import api_routes
from orchestrator.ui.context import UiContext
from orchestrator.ui.pages import page_routes

if TYPE_CHECKING:
    from orchestrator.cli.loading import LoadedCode
    from orchestrator.distributed.instance import Instance

__all__ = ["create_app"]


async def _health(request: Request) -> Response:
    return PlainTextResponse("ok")


def _redis_down(request: Request, exc: Exception) -> Response:
    """Redis unreachable mid-request: a 503 naming the (masked) URL, never the password."""
    ctx: UiContext = request.app.state.ctx
    message = f"Cannot reach Redis at {ctx.instance.masked_url} ({type(exc).__name__}). Is redis-server running?"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=503)
    return PlainTextResponse(message, status_code=503)


def create_app(instance: Instance, code: LoadedCode | None = None, flower_url: str | None = None,
               token: str | None = None, allowed_hosts: list[str] | None = None) -> Starlette:
    """The UI over ``instance``'s Redis.

    :param instance: where the runs are stored.
    :param code: the code location (jobs, assets, schedules); None: runs only.
    :param flower_url: Flower's base URL, to link each step to its task.
    :param token: when set, every request but ``/healthz`` must carry it (see ``access.py``).
    :param allowed_hosts: the ``Host`` headers to answer (None: any); a server on loopback
        without a token passes its loopback names, so a web page whose domain resolves to
        127.0.0.1 (DNS rebinding) gets a 400 instead of the runs.
    """
    import redis

    ctx = UiContext(instance=instance, code=code, flower_url=flower_url, token=token)
    static = StaticFiles(packages=[("orchestrator.ui", "static")])
    routes = [Route("/healthz", _health), *api_routes(), Mount("/static", app=static, name="static"), *page_routes()]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)] if allowed_hosts else []
    if token:
        middleware.append(Middleware(TokenMiddleware, token=token))
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={redis.ConnectionError: _redis_down, redis.TimeoutError: _redis_down})
    app.state.ctx = ctx
    return app
