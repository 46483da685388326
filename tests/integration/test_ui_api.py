"""The web UI's pages and JSON API (``orchestrator.ui``) through Starlette's TestClient, against a
real redis-server and a real Celery worker: pages render, the API answers, config errors come
back by path, the event stream follows a run to its end, the token rule holds, and no secret
(Redis password, ORCH_SECRET) appears in any answer."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("sse_starlette")

from click.testing import CliRunner  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from orchestrator.cli.loading import LoadedCode, load_code  # noqa: E402
from orchestrator.distributed.instance import Instance  # noqa: E402
from orchestrator.errors import OrchestratorError  # noqa: E402
from orchestrator.local.processes import RedisServer  # noqa: E402
from orchestrator.status import RunStatus  # noqa: E402
from orchestrator.ui.access import check_bind  # noqa: E402
from orchestrator.ui.app import create_app  # noqa: E402
from tests.integration.conftest import SECRET, Cluster, dump_logs  # noqa: E402

DEFS = Path(__file__).resolve().parent / "ui_api_fixtures" / "api_defs.py"
GOOD_CONFIG = {"ops": {"load_n": {"config": {"n": 21}}}}
TOKEN = "a-test-token-of-enough-length-0123"


@pytest.fixture(scope="module")
def ui_cluster(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One worker (concurrency 1): the runs here are short and few."""
    c = Cluster(redis_server, tmp_path_factory.mktemp("ui-workers"), os.environ["ORCH_HOME"])
    c.start_worker("ui1")
    yield c
    c.stop()


@pytest.fixture(scope="module")
def code() -> LoadedCode:
    return load_code(None, str(DEFS))


@pytest.fixture
def client(ui_cluster: Cluster, code: LoadedCode, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    for key, value in ui_cluster.env.items():
        monkeypatch.setenv(key, value)
    app = create_app(ui_cluster.instance, code, flower_url="http://127.0.0.1:5555/")
    with TestClient(app) as c:
        yield c


def _launch(client: TestClient, job: str, body: dict) -> str:
    reply = client.post(f"/api/jobs/{job}/runs", json=body)
    assert reply.status_code == 200, reply.text
    run_id = reply.json()["run_id"]
    assert isinstance(run_id, str) and run_id
    return run_id


def _wait_finished(instance: Instance, run_id: str, cluster: Cluster, timeout: float = 60.0) -> RunStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = instance.storage.run_status(run_id)
        if status is not None and status.is_finished:
            return status
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout}s\n{dump_logs(cluster)}")


def _sse_events(client: TestClient, url: str) -> list[tuple[str, dict]]:
    """(event name, data) of every SSE message of ``url``, read until the server closes the stream."""
    out: list[tuple[str, dict]] = []
    with client.stream("GET", url) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        name, data = "message", ""
        for line in reply.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data += line.split(":", 1)[1].strip()
            elif line == "" and data:
                out.append((name, json.loads(data)))
                name, data = "message", ""
    return out


# -- launching, listing, reading runs ---------------------------------------------------------
def test_launch_list_and_show_a_run(client: TestClient, ui_cluster: Cluster) -> None:
    run_id = _launch(client, "add_job", {"run_config": GOOD_CONFIG, "tags": {"team": "ui-test"}})
    assert _wait_finished(ui_cluster.instance, run_id, ui_cluster) is RunStatus.SUCCESS

    listed = client.get("/api/runs").json()
    row = next(r for r in listed["runs"] if r["run_id"] == run_id)
    assert row["job_name"] == "add_job" and row["status"] == "SUCCESS"
    assert row["tags"]["team"] == "ui-test" and row["duration"] is not None and row["duration"] >= 0
    assert listed["total"] >= 1

    def ids(query: str) -> list[str]:
        reply = client.get(f"/api/runs?{query}")
        assert reply.status_code == 200, reply.text
        return [r["run_id"] for r in reply.json()["runs"]]

    assert run_id in ids("status=SUCCESS") and run_id not in ids("status=FAILURE")
    assert run_id in ids("job=add_job") and run_id not in ids("job=fails_job")
    assert run_id in ids("tag=team=ui-test") and run_id not in ids("tag=team=other")
    bad = client.get("/api/runs?status=BOGUS&page=0")
    assert bad.status_code == 400
    assert {e["path"] for e in bad.json()["errors"]} == {"status", "page"}

    detail = client.get(f"/api/runs/{run_id}").json()
    steps = {s["key"]: s for s in detail["steps"]}
    assert set(steps) == {"load_n", "double"}
    for step in steps.values():
        assert step["status"] == "success" and step["attempts"] == 1
        assert step["worker"] and "ui1" in step["worker"]
        assert step["queued"] is not None and step["started"] >= step["queued"] - 1 and step["ended"] >= step["started"]
        assert step["flower_url"] == f"http://127.0.0.1:5555/task/{step['task_id']}"
    kinds = [e["event_type"] for e in detail["events"]]
    assert kinds[-1] == "RUN_SUCCESS" and "STEP_START" in kinds

    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200
    assert 'data-step="load_n"' in page.text and 'data-step="double"' in page.text
    assert "<svg" in page.text and "loading 21" in page.text  # the timeline; the step's own log line
    assert f"http://127.0.0.1:5555/task/{steps['load_n']['task_id']}" in page.text
    runs_list = client.get("/?job=add_job")
    assert runs_list.status_code == 200 and f'data-run-id="{run_id}"' in runs_list.text

    missing = client.get("/api/runs/no-such-run")
    assert missing.status_code == 404 and "no-such-run" in missing.json()["error"]
    assert client.get("/runs/no-such-run").status_code == 404


def test_event_stream_replays_then_follows_a_live_run_to_its_end(client: TestClient, ui_cluster: Cluster) -> None:
    run_id = _launch(client, "add_job", {"run_config": GOOD_CONFIG})
    # Opened at once: the run is still going, so its later events arrive live.
    messages = _sse_events(client, f"/api/runs/{run_id}/events")
    names = [n for n, _ in messages]
    assert names[-1] == "end" and messages[-1][1] == {"run_id": run_id, "status": "SUCCESS"}
    kinds = [d["event_type"] for n, d in messages if n == "run_event"]
    assert kinds.index("STEP_START") < kinds.index("RUN_SUCCESS") == len(kinds) - 1
    assert {d["step_key"] for n, d in messages if n == "run_event" and d["event_type"] == "STEP_SUCCESS"} == \
        {"load_n", "double"}
    # Resuming after an event id sends only what came after it.
    middle = next(d["id"] for n, d in messages if n == "run_event" and d["event_type"] == "STEP_START")
    rest = _sse_events(client, f"/api/runs/{run_id}/events?after={middle}")
    assert len([n for n, _ in rest if n == "run_event"]) < len(kinds)
    assert client.get("/api/runs/nope/events").status_code == 404


def test_config_errors_come_back_by_path_and_nothing_is_enqueued(client: TestClient, ui_cluster: Cluster) -> None:
    before = ui_cluster.instance.storage.run_count()
    reply = client.post("/api/jobs/add_job/runs", json={"run_config": {"ops": {"load_n": {"config": {"n": "x"}}}}})
    assert reply.status_code == 400
    errors = reply.json()["errors"]
    assert [e["path"] for e in errors] == ["ops.load_n.config.n"], errors
    assert "int" in errors[0]["message"].lower() or "integer" in errors[0]["message"].lower()

    reply = client.post("/api/jobs/add_job/runs", json={"run_config": {"ops": {"nope": {}}}})
    assert reply.status_code == 400 and any("nope" in e["path"] or "nope" in e["message"] for e in reply.json()["errors"])

    reply = client.post("/api/jobs/add_job/runs", json={"run_config_yaml": "ops: [unclosed"})
    assert reply.status_code == 400 and reply.json()["errors"][0]["path"] == "(yaml)"
    assert "line" in reply.json()["errors"][0]["message"]

    reply = client.post("/api/jobs/region_job/runs", json={})
    assert reply.status_code == 400 and reply.json()["errors"][0]["path"] == "(partition)"
    assert client.post("/api/jobs/no_such_job/runs", json={}).status_code == 404
    assert ui_cluster.instance.storage.run_count() == before

    run_id = _launch(client, "region_job", {"partition_key": "eu"})
    assert _wait_finished(ui_cluster.instance, run_id, ui_cluster) is RunStatus.SUCCESS
    assert client.get(f"/api/runs/{run_id}").json()["partition_key"] == "eu"


def test_cancel_and_reexecute(client: TestClient, ui_cluster: Cluster) -> None:
    slow = _launch(client, "slow_job", {})
    deadline = time.monotonic() + 30
    while ui_cluster.instance.storage.run_status(slow) is RunStatus.QUEUED and time.monotonic() < deadline:
        time.sleep(0.1)
    reply = client.post(f"/api/runs/{slow}/cancel", json={})
    assert reply.status_code == 200 and reply.json()["canceled"] is True
    assert reply.json()["status"] == "CANCELED"
    again = client.post(f"/api/runs/{slow}/cancel", json={}).json()
    assert again["canceled"] is False and again["status"] == "CANCELED"

    failed = _launch(client, "fails_job", {})
    assert _wait_finished(ui_cluster.instance, failed, ui_cluster) is RunStatus.FAILURE
    detail = client.get(f"/api/runs/{failed}").json()
    assert detail["steps"][0]["status"] == "failure" and "this op always fails" in detail["steps"][0]["error"]
    reply = client.post(f"/api/runs/{failed}/reexecute", json={})
    assert reply.status_code == 200, reply.text
    child = reply.json()["run_id"]
    assert child != failed
    assert _wait_finished(ui_cluster.instance, child, ui_cluster) is RunStatus.FAILURE
    assert client.get(f"/api/runs/{child}").json()["parent_run_id"] == failed
    assert client.post("/api/runs/nope/cancel", json={}).status_code == 404


# -- the other pages --------------------------------------------------------------------------
def test_jobs_assets_schedules_pages_and_api(client: TestClient, ui_cluster: Cluster) -> None:
    jobs = client.get("/jobs")
    assert jobs.status_code == 200
    for name in ("add_job", "fails_job", "slow_job", "region_job"):
        assert f'href="/jobs/{name}"' in jobs.text
    job = client.get("/jobs/add_job")
    assert job.status_code == 200
    graph = job.text[job.text.index('id="graph"'):job.text.index("Launchpad")]
    assert "<svg" in graph and "load_n" in graph and "double" in graph
    assert 'id="launchpad"' in job.text and 'id="config-errors"' in job.text
    region = client.get("/jobs/region_job")
    assert '<option value="eu">' in region.text and '<option value="us">' in region.text
    assert client.get("/jobs/nope").status_code == 404
    api_jobs = {j["name"]: j for j in client.get("/api/jobs").json()["jobs"]}
    assert api_jobs["region_job"]["partition_keys"] == ["eu", "us"] and api_jobs["add_job"]["partition_keys"] is None

    assets = client.get("/assets")
    assert assets.status_code == 200 and 'data-asset="raw_numbers"' in assets.text and "<svg" in assets.text
    rows = {a["key"]: a for a in client.get("/api/assets").json()["assets"]}
    assert rows["number_total"]["deps"] == ["raw_numbers"] and rows["raw_numbers"]["deps"] == []

    page = client.get("/schedules")
    assert page.status_code == 200 and 'data-instigator="schedule:every_hour"' in page.text
    assert 'data-instigator="sensor:never_fires"' in page.text
    rows = {r["name"]: r for r in client.get("/api/schedules").json()["instigators"]}
    assert rows["every_hour"]["status"] == "STOPPED (default)" and rows["every_hour"]["next_tick"] is None
    started = client.post("/api/schedules/every_hour/start", json={}).json()
    assert started["status"] == "RUNNING" and started["next_tick"] > time.time()
    assert started["next_tick"] % 3600 == 0  # "0 * * * *" in UTC: on the hour
    assert client.post("/api/schedules/every_hour/stop", json={}).json()["status"] == "STOPPED"
    assert client.post("/api/sensors/nope/start", json={}).status_code == 404

    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/api/jobs/{job_name}/runs" in spec["paths"]
    assert "text/event-stream" in spec["paths"]["/api/runs/{run_id}/events"]["get"]["responses"]["200"]["content"]


def test_runs_list_with_10000_runs_answers_under_a_second(ui_cluster: Cluster, code: LoadedCode) -> None:
    """Ten thousand run records in a Redis of their own; the list's first page and a filtered
    page (job filter matching few) must each come back in under a second."""
    from orchestrator.distributed.keys import RUNS_INDEX, run_keys
    from orchestrator.distributed.records import CodeRef, RunRecord

    server = RedisServer(ui_cluster.workdir / "redis-10k")
    server.start()
    try:
        instance = Instance(redis_url=server.url, home=ui_cluster.home, secret=SECRET)
        pipe = instance.redis.pipeline(transaction=False)
        now = time.time()
        for i in range(10_000):
            record = RunRecord(run_id=f"run-{i:05d}", job_name="add_job" if i % 100 else "fails_job",
                               code=CodeRef(module="m"), created_at=now - 10_000 + i, tags={"i": str(i)})
            pipe.hset(run_keys(record.run_id).record, mapping={"json": record.model_dump_json(), "job": record.job_name,
                                                               "status": "SUCCESS", "started_at": repr(now),
                                                               "ended_at": repr(now + 1)})
            pipe.zadd(RUNS_INDEX, {record.run_id: record.created_at})
        pipe.execute()
        with TestClient(create_app(instance, code)) as c:
            for url in ("/api/runs", "/", "/api/runs?job=fails_job", "/api/runs?page=100", "/api/runs?status=FAILURE",
                        "/api/runs?tag=i=5", "/?job=nope"):
                start = time.perf_counter()
                reply = c.get(url)
                took = time.perf_counter() - start
                assert reply.status_code == 200
                assert took < 1.0, f"{url} took {took:.2f}s"
            first = c.get("/api/runs").json()
            assert first["total"] == 10_000 and first["runs"][0]["run_id"] == "run-09999" and first["has_more"]
            assert len(first["runs"]) == 50
            filtered = c.get("/api/runs?job=fails_job&limit=500").json()["runs"]
            assert len(filtered) == 100 and all(r["job_name"] == "fails_job" for r in filtered)
            assert c.get("/api/runs?page=200").json()["runs"][-1]["run_id"] == "run-00000"
            second = c.get("/api/runs?job=add_job&page=2").json()["runs"]  # run-09900 is fails_job's
            assert (second[0]["run_id"], second[-1]["run_id"], len(second)) == ("run-09949", "run-09899", 50)
            assert [r["run_id"] for r in c.get("/api/runs?tag=i=5").json()["runs"]] == ["run-00005"]
    finally:
        server.stop()


# -- safety -----------------------------------------------------------------------------------
def test_a_non_loopback_address_needs_a_token() -> None:
    check_bind("127.0.0.1", None)
    check_bind("localhost", None)
    check_bind("::1", None)
    with pytest.raises(OrchestratorError, match="ORCH_UI_TOKEN"):
        check_bind("0.0.0.0", None)
    with pytest.raises(OrchestratorError, match="too short"):
        check_bind("0.0.0.0", "short")
    check_bind("0.0.0.0", TOKEN)

    from orchestrator.cli import cli

    result = CliRunner().invoke(cli, ["ui", "-f", str(DEFS), "--host", "0.0.0.0"], env={"ORCH_UI_TOKEN": ""})
    assert result.exit_code != 0
    assert "Refusing to serve the UI on 0.0.0.0" in result.output and "Traceback" not in result.output


def test_with_a_token_every_request_needs_it(ui_cluster: Cluster, code: LoadedCode) -> None:
    app = create_app(ui_cluster.instance, code, token=TOKEN)
    with TestClient(app) as c:
        for url in ("/", "/api/runs", "/jobs/add_job", "/api/openapi.json", "/static/app.js"):
            reply = c.get(url)
            assert reply.status_code == 401, url
            assert TOKEN not in reply.text
        assert c.post("/api/jobs/add_job/runs", json={"run_config": GOOD_CONFIG}).status_code == 401
        assert c.get("/api/runs", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/runs", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert c.get("/healthz").text == "ok"

        opened = c.get(f"/jobs?token={TOKEN}&x=1", follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == "/jobs?x=1"
        assert "HttpOnly" in opened.headers["set-cookie"] and "SameSite=Strict" in opened.headers["set-cookie"]
        assert c.get("/jobs").status_code == 200  # the cookie now rides along
    with TestClient(app) as fresh:
        fresh.cookies.set("orch_ui_token", "wrong")
        assert fresh.get("/jobs").status_code == 401


def test_other_sites_cannot_post_and_loopback_answers_loopback_names_only(ui_cluster: Cluster,
                                                                            code: LoadedCode) -> None:
    """A page of another site may make the browser POST a form or text (no preflight) to
    127.0.0.1: such POSTs are refused, and so is any Host name but loopback's (DNS rebinding)."""
    before = ui_cluster.instance.storage.run_count()
    app = create_app(ui_cluster.instance, code, allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1:3000") as c:
        text = c.post("/api/jobs/add_job/runs", content=json.dumps({"run_config": GOOD_CONFIG}),
                      headers={"Content-Type": "text/plain"})
        assert text.status_code == 415 and "application/json" in text.json()["error"]
        form = c.post("/api/runs/some-run/cancel", data={"x": "1"})
        assert form.status_code == 415
        other = c.post("/api/jobs/add_job/runs", json={"run_config": GOOD_CONFIG},
                       headers={"Origin": "http://evil.example"})
        assert other.status_code == 403 and "evil.example" in other.json()["error"]
        assert c.get("/api/runs").status_code == 200
        assert c.get("/api/runs", headers={"Host": "evil.example"}).status_code == 400
    assert ui_cluster.instance.storage.run_count() == before


def test_no_secret_in_any_page_or_answer(tmp_path: Path, code: LoadedCode, ui_cluster: Cluster) -> None:
    """A Redis with a password and an instance secret: every page and API answer is searched."""
    password = "redis-pass-Zq81"
    server = RedisServer(tmp_path / "redis-pw", password=password)
    server.start()
    try:
        instance = Instance(redis_url=server.url, home=ui_cluster.home, secret=SECRET)
        with TestClient(create_app(instance, code)) as c:
            # No worker serves this Redis: the run stays queued, which is all the pages need.
            run_id = _launch(c, "add_job", {"run_config": GOOD_CONFIG})
            bad = c.post("/api/jobs/add_job/runs", json={"run_config": {"ops": {"load_n": {"config": {}}}}})
            answers = [bad.text, c.post("/api/runs/nope/reexecute", json={}).text]
            for url in ("/", "/jobs", "/jobs/add_job", "/jobs/region_job", "/assets", "/schedules", f"/runs/{run_id}",
                        "/api/runs", f"/api/runs/{run_id}", "/api/jobs", "/api/assets", "/api/schedules",
                        "/api/openapi.json", "/runs/nope", "/api/runs/nope"):
                reply = c.get(url)
                assert reply.status_code in (200, 404), url
                answers.append(reply.text)
            assert "127.0.0.1" in answers[2]  # the pages name the Redis (masked)
            for text in answers:
                assert password not in text
                assert SECRET not in text
            assert c.post(f"/api/runs/{run_id}/cancel", json={}).json()["canceled"] is True
    finally:
        server.stop()
