"""The JSON API's endpoints (documented in ``openapi.py``). Redis is read in a worker thread:
the storage client is synchronous."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orchestrator.errors import RunNotFoundError
from orchestrator.ui.context import UiContext, UnknownJob
from orchestrator.ui.launch import LaunchRejected, cancel_run, launch, parse_run_config_yaml, reexecute_run
from orchestrator.ui.runs_view import RunFilters, run_detail, runs_page

__all__ = ["api_routes", "ctx_of"]


def ctx_of(request: Request) -> UiContext:
    ctx: UiContext = request.app.state.ctx
    return ctx


def _error(status: int, message: str, errors: list[dict[str, str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


async def list_runs(request: Request) -> Response:
    filters, problems = RunFilters.parse(request.query_params)
    if problems:
        return _error(400, "Bad query parameters.", [{"path": p.split(":")[0], "message": p} for p in problems])
    return JSONResponse(await run_in_threadpool(runs_page, ctx_of(request).instance.storage, filters))


async def get_run(request: Request) -> Response:
    ctx = ctx_of(request)
    try:
        detail = await run_in_threadpool(run_detail, ctx.instance.storage, request.path_params["run_id"], ctx.flower_url)
    except RunNotFoundError as exc:
        return _error(404, str(exc))
    return JSONResponse(detail)


async def run_events(request: Request) -> Response:
    from sse_starlette.sse import EventSourceResponse

    from orchestrator.ui.event_stream import run_event_stream

    storage = ctx_of(request).instance.storage
    run_id = request.path_params["run_id"]
    if await run_in_threadpool(storage.run_status, run_id) is None:
        return _error(404, f"No run with id '{run_id}' in Redis at {storage.masked_url}.")
    after = request.headers.get("last-event-id") or request.query_params.get("after") or "0-0"
    return EventSourceResponse(run_event_stream(storage, run_id, after), ping=15)


def _cross_site(request: Request) -> Response | None:
    """A 403 for a POST another web site could have made the browser send (CSRF).

    Every POST must say ``Content-Type: application/json``: a page of another origin cannot send
    that without a CORS preflight, which this server never grants. A request whose ``Origin`` is
    not this server's is refused too.
    """
    from urllib.parse import urlsplit

    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        return _error(415, "POST requests need the header Content-Type: application/json (with a JSON body, "
                           "{} when there is nothing to say).")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        return _error(403, f"Refused a request from another site ({origin}).")
    if origin == "null":
        return _error(403, "Refused a request from an opaque origin.")
    return None


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = await request.json()
    except ValueError as exc:
        raise LaunchRejected(f"The request body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise LaunchRejected("The request body must be a JSON object.")
    return value


async def launch_run(request: Request) -> Response:
    refused = _cross_site(request)
    if refused is not None:
        return refused
    ctx = ctx_of(request)
    job_name = request.path_params["job_name"]
    try:
        body = await _body(request)
        run_config = body.get("run_config")
        if "run_config_yaml" in body:
            text = body["run_config_yaml"]
            if not isinstance(text, str):
                raise LaunchRejected("run_config_yaml must be a string of YAML.")
            run_config = parse_run_config_yaml(text)
        run_id = await run_in_threadpool(launch, ctx, job_name, run_config, body.get("tags"), body.get("partition_key"))
    except UnknownJob as exc:
        return _error(404, str(exc))
    except LaunchRejected as exc:
        return JSONResponse(exc.as_json(), status_code=400)
    return JSONResponse({"run_id": run_id})


async def cancel(request: Request) -> Response:
    refused = _cross_site(request)
    if refused is not None:
        return refused
    try:
        answer = await run_in_threadpool(cancel_run, ctx_of(request), request.path_params["run_id"])
    except RunNotFoundError as exc:
        return _error(404, str(exc))
    return JSONResponse(answer)


async def reexecute(request: Request) -> Response:
    refused = _cross_site(request)
    if refused is not None:
        return refused
    try:
        body = await _body(request)
        from_failure = body.get("from_failure", True)
        if not isinstance(from_failure, bool):
            raise LaunchRejected("from_failure must be true or false.")
        run_id = await run_in_threadpool(reexecute_run, ctx_of(request), request.path_params["run_id"], from_failure)
    except RunNotFoundError as exc:
        return _error(404, str(exc))
    except LaunchRejected as exc:
        return JSONResponse(exc.as_json(), status_code=400)
    return JSONResponse({"run_id": run_id})


async def list_jobs(request: Request) -> Response:
    from orchestrator.ui.catalog_view import jobs_list

    return JSONResponse({"jobs": await run_in_threadpool(jobs_list, ctx_of(request))})


async def list_assets(request: Request) -> Response:
    from orchestrator.ui.catalog_view import assets_list

    return JSONResponse({"assets": await run_in_threadpool(assets_list, ctx_of(request))})


async def list_schedules(request: Request) -> Response:
    from orchestrator.ui.catalog_view import instigators_list

    return JSONResponse({"instigators": await run_in_threadpool(instigators_list, ctx_of(request))})


async def toggle_instigator(request: Request) -> Response:
    refused = _cross_site(request)
    if refused is not None:
        return refused
    from orchestrator.ui.catalog_view import set_instigator_running

    kind, name, action = (request.path_params[k] for k in ("kind", "name", "action"))
    if kind not in ("schedule", "sensor") or action not in ("start", "stop"):
        return _error(404, f"No endpoint /api/{kind}s/{name}/{action}: use /api/schedules/NAME/start|stop or "
                           f"/api/sensors/NAME/start|stop.")
    try:
        row = await run_in_threadpool(set_instigator_running, ctx_of(request), kind, name, action == "start")
    except LookupError as exc:
        return _error(404, str(exc))
    return JSONResponse(row)


async def openapi(request: Request) -> Response:
    from orchestrator.ui.openapi import openapi_document

    return JSONResponse(openapi_document())


def api_routes() -> list[Route]:
    return [
        Route("/api/openapi.json", openapi),
        Route("/api/runs", list_runs),
        Route("/api/runs/{run_id}", get_run),
        Route("/api/runs/{run_id}/events", run_events),
        Route("/api/runs/{run_id}/cancel", cancel, methods=["POST"]),
        Route("/api/runs/{run_id}/reexecute", reexecute, methods=["POST"]),
        Route("/api/jobs", list_jobs),
        Route("/api/jobs/{job_name}/runs", launch_run, methods=["POST"]),
        Route("/api/assets", list_assets),
        Route("/api/schedules", list_schedules),
        Route("/api/{kind}s/{name}/{action}", toggle_instigator, methods=["POST"]),
    ]
