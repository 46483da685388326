"""The HTML pages: server-rendered Jinja templates (``templates/``) over the same views as the API."""

from __future__ import annotations

import time
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from orchestrator.errors import RunNotFoundError
from orchestrator.status import RunStatus
from orchestrator.ui.api import ctx_of
from orchestrator.ui.context import UnknownJob
from orchestrator.ui.runs_view import RunFilters, run_detail, runs_page, step_spans

__all__ = ["page_routes", "templates"]


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts is not None else ""


def _duration(seconds: float | None) -> str:
    from orchestrator.cli.progress import format_duration

    return format_duration(seconds) if seconds is not None else ""


def _templates() -> Jinja2Templates:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("orchestrator.ui", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["when"] = _when
    env.filters["duration"] = _duration
    return Jinja2Templates(env=env)


templates = _templates()


def _render(request: Request, name: str, status_code: int = 200, **values: Any) -> Response:
    ctx = ctx_of(request)
    return templates.TemplateResponse(request, name, {
        "source": ctx.source, "redis": ctx.instance.masked_url, "flower_url": ctx.flower_url, **values,
    }, status_code=status_code)


def _not_found(request: Request, message: str) -> Response:
    return _render(request, "error.html", status_code=404, title="Not found", message=message)


async def runs_page_view(request: Request) -> Response:
    ctx = ctx_of(request)
    filters, problems = RunFilters.parse(request.query_params)
    page = await run_in_threadpool(runs_page, ctx.instance.storage, filters)
    return _render(request, "runs.html", title="Runs", page=page, filters=filters, problems=problems,
                   statuses=[s.value for s in RunStatus], jobs=ctx.job_names())


async def run_page_view(request: Request) -> Response:
    from orchestrator.ui.svg import timeline_svg

    ctx = ctx_of(request)
    run_id = request.path_params["run_id"]
    try:
        detail = await run_in_threadpool(run_detail, ctx.instance.storage, run_id, ctx.flower_url)
    except RunNotFoundError as exc:
        return _not_found(request, str(exc))
    logs: dict[str, list[dict[str, Any]]] = {}
    for event in detail["events"]:
        if event["step_key"]:
            logs.setdefault(event["step_key"], []).append(event)
    return _render(request, "run.html", title=f"Run {run_id}", run=detail, step_logs=logs,
                   timeline=Markup(timeline_svg(step_spans(detail["steps"]))),
                   config_yaml=_yaml(detail["run_config"]))


def _yaml(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, sort_keys=False, default_flow_style=False) if value else ""


async def jobs_page_view(request: Request) -> Response:
    from orchestrator.ui.catalog_view import jobs_list

    return _render(request, "jobs.html", title="Jobs", jobs=await run_in_threadpool(jobs_list, ctx_of(request)))


async def job_page_view(request: Request) -> Response:
    from orchestrator.ui.catalog_view import job_summary
    from orchestrator.ui.svg import GRAPH_TOGGLE_JS, job_graph_svg

    ctx = ctx_of(request)
    name = request.path_params["job_name"]
    try:
        job = ctx.get_job(name)
    except UnknownJob as exc:
        return _not_found(request, str(exc))
    filters = RunFilters(job=name, limit=10)
    recent = await run_in_threadpool(runs_page, ctx.instance.storage, filters)
    return _render(request, "job.html", title=f"Job {name}", job=job_summary(job), graph=Markup(job_graph_svg(job)),
                   graph_js=Markup(GRAPH_TOGGLE_JS), recent=recent["runs"])


async def assets_page_view(request: Request) -> Response:
    from orchestrator.ui.catalog_view import assets_list
    from orchestrator.ui.svg import lineage_nodes, lineage_svg

    ctx = ctx_of(request)
    assets = await run_in_threadpool(assets_list, ctx)
    lineage = lineage_svg(lineage_nodes(ctx.code.repository.assets_defs)) if ctx.code is not None and assets else ""
    return _render(request, "assets.html", title="Assets", assets=assets, lineage=Markup(lineage))


async def schedules_page_view(request: Request) -> Response:
    from orchestrator.ui.catalog_view import instigators_list

    rows = await run_in_threadpool(instigators_list, ctx_of(request))
    return _render(request, "schedules.html", title="Schedules and sensors", instigators=rows)


def page_routes() -> list[Route]:
    return [
        Route("/", runs_page_view),
        Route("/runs/{run_id}", run_page_view),
        Route("/jobs", jobs_page_view),
        Route("/jobs/{job_name}", job_page_view),
        Route("/assets", assets_page_view),
        Route("/schedules", schedules_page_view),
    ]
