"""The Cluster-ready key layout and the storage URL, without a server.

Every key one Lua call or transaction touches must hash to one Redis Cluster slot: the keys of a
run (``{<run id>}``), of the run queue (``{runq}``), of the feed (``{feed}``), of a schedule or
sensor (``{<name>}``) and of a backfill (``{<id>}``). Slots are computed with redis-py's own CRC16.
"""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from redis.crc import key_slot

from orchestrator.distributed import keys
from orchestrator.distributed.instance import Instance
from orchestrator.errors import OrchestratorError
from orchestrator.redis_urls import RedisURLError, mask_url, parse_redis_url

LUA = files("orchestrator.distributed") / "lua"


def _slot(key: str) -> int:
    return key_slot(key.encode())


def test_every_key_of_a_run_has_the_run_id_as_hash_tag() -> None:
    run_id = "0f9c2b1e-7d43-4c1a-9e0a-3b7f2d5c8a11"
    k = keys.run_keys(run_id)
    every = k.every()
    assert k.record == f"orch:run:{{{run_id}}}:record" and k.prefix == f"orch:run:{{{run_id}}}"
    assert len(every) == len(keys.RUN_KEY_SUFFIXES) == len(set(every))
    assert {_slot(key) for key in every} == {key_slot(run_id.encode())}
    # The properties and the suffix list agree (TTLs and deletes reach every key the code writes).
    named = {getattr(k, name) for name, value in vars(keys.RunKeys).items() if isinstance(value, property)}
    assert named == set(every)
    # Two runs' keys are usually in different slots: the run is the unit of placement.
    assert len({_slot(keys.run_keys(f"run-{i}").record) for i in range(50)}) > 40


def test_keys_used_together_share_a_slot() -> None:
    q = keys.run_queue_keys()
    bucket_keys = [q["slots"] + "job:nightly", q["waiting"] + "tag:team%3Ddata", q["slots"] + "all"]
    assert len({_slot(v) for v in [*q.values(), *bucket_keys, keys.RUN_QUEUE_TAG_LIMITS]}) == 1
    assert len({_slot(v) for v in (keys.FEED, keys.FEED_SEQ, keys.FEED_RUNS, keys.FEED_TRACKED, keys.FEED_ASSETS,
                                   keys.FEED_STATE, keys.FEED_LOCK)}) == 1
    for kind in ("schedule", "sensor"):
        assert _slot(keys.instigator_key(kind, "nightly")) == _slot(keys.instigator_ticks_key(kind, "nightly"))
    assert _slot(keys.sensor_run_keys_key("nightly")) == _slot(keys.instigator_key("sensor", "nightly"))
    assert _slot(keys.backfill_key("abcdefgh")) == _slot(keys.backfill_runs_key("abcdefgh"))


def test_run_scripts_touch_only_their_run_s_keys() -> None:
    """The scripts given a run's prefix reach no key but KEYS[1] (the run's) and prefix-built ones."""
    for name in ("finish_run.lua", "claim_step.lua", "record_death.lua", "start_step.lua"):
        text = (LUA / name).read_text()
        targets = re.findall(r"redis\.call\('(\w+)',\s*([^,)]+)", text)
        assert targets, name
        for command, target in targets:
            assert target.strip() == "KEYS[1]" or target.strip().startswith("p .."), (name, command, target)
    queue = (LUA / "run_queue.lua").read_text()
    for command, target in re.findall(r"redis\.call\('(\w+)',\s*([^,)]+)", queue):
        assert target.strip().startswith("q."), ("run_queue.lua", command, target)


def test_event_appends_are_capped_at_the_documented_length() -> None:
    appends = 0
    for path in LUA.iterdir():
        text = path.read_text() if path.name.endswith(".lua") else ""
        for line in re.findall(r"redis\.call\('XADD', p \.\. ':events'[^\n]*", text):
            appends += 1
            assert f"'MAXLEN', '~', {keys.EVENTS_MAXLEN}," in line, (path.name, line)
    assert appends >= 5  # complete (2), finish_run (2), start_step, record_death


def test_a_cluster_url_names_its_nodes() -> None:
    url = parse_redis_url("redis+cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7001,node3")
    assert url.is_cluster and not url.is_sentinel
    assert url.hosts == (("10.0.0.1", 7000), ("10.0.0.2", 7001), ("node3", 6379))
    assert (url.username, url.password, url.db, url.tls) == ("app", "s3cret", 0, False)
    assert "s3cret" not in url.masked and url.masked == "redis+cluster://app:***@10.0.0.1:7000,10.0.0.2:7001,node3"
    tls = parse_redis_url("rediss+cluster://h:7000/0?ssl_cert_reqs=required&ssl_ca_certs=/ca.pem&password=pw")
    assert tls.tls and tls.password == "pw" and tls.ssl["ssl_ca_certs"] == "/ca.pem"
    assert "pw" not in mask_url(tls.url)


@pytest.mark.parametrize("url, message", [
    ("redis+cluster://h1:7000/3", "database 0 only"),
    ("redis+cluster://h1:7000?master_name=x", "unknown option(s) master_name"),
    ("redis+cluster://", "names no node"),
    ("redis+cluster://h1:notaport", "Node 1 of the Redis Cluster URL"),
])
def test_a_bad_cluster_url_says_what_to_fix(url: str, message: str) -> None:
    with pytest.raises(RedisURLError, match=re.escape(message)):
        parse_redis_url(url)


def test_the_broker_cannot_be_a_cluster() -> None:
    cluster = "redis+cluster://:pw@127.0.0.1:7000,127.0.0.1:7001"
    with pytest.raises(RedisURLError, match="kombu has no Cluster transport"):
        parse_redis_url(cluster).kombu_url()
    with pytest.raises(OrchestratorError, match="ORCH_STORAGE_URL") as caught:
        Instance(redis_url=cluster)
    assert "pw" not in str(caught.value)
    with pytest.raises(OrchestratorError, match="result backend is a Redis Cluster URL"):
        Instance(redis_url="redis://127.0.0.1:6379/0", backend_url=cluster)


def test_run_storage_can_be_another_redis_than_the_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    one = Instance(redis_url="redis://127.0.0.1:6379/0")
    assert one.storage_url == one.broker_url == one.redis_url and not one.separate_storage
    assert not one.storage_is_cluster
    split = Instance(redis_url="redis://:pw@127.0.0.1:6379/0", storage_url="redis+cluster://:pw2@127.0.0.1:7000")
    assert split.broker_url == "redis://:pw@127.0.0.1:6379/0" and split.separate_storage and split.storage_is_cluster
    # Messages about runs name where runs are; neither password is shown.
    assert split.masked_url == "redis+cluster://:***@127.0.0.1:7000"
    assert "pw" not in repr(split) and "storage_url='redis+cluster://:***@127.0.0.1:7000'" in repr(split)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6380/0")
    monkeypatch.setenv("ORCH_STORAGE_URL", "redis+cluster://127.0.0.1:7000,127.0.0.1:7001")
    from_env = Instance.from_env()
    assert from_env.storage_target.hosts == (("127.0.0.1", 7000), ("127.0.0.1", 7001))
    assert from_env.broker_url == "redis://127.0.0.1:6380/0"


def test_completions_push_ready_steps_only_when_the_broker_is_run_storage() -> None:
    """The completion's Lua call pushes onto the broker's lists only on one Redis (run.py)."""
    from orchestrator.distributed.run import DistributedRun

    class _Run:
        def __init__(self, instance: Instance) -> None:
            self.instance = instance

    pushes = DistributedRun._pushes_ready.fget  # type: ignore[attr-defined]
    assert pushes(_Run(Instance(redis_url="redis://127.0.0.1:6379/0"))) is True
    assert pushes(_Run(Instance(redis_url="redis://127.0.0.1:6379/0", storage_url="redis://127.0.0.1:6380/0"))) is False
    assert pushes(_Run(Instance(redis_url="redis://127.0.0.1:6379/0", storage_url="redis+cluster://h:7000"))) is False
