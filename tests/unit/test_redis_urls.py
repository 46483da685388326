"""Redis URLs (``orchestrator/redis_urls.py``): parsing every form, masking every password, and the
clients and Celery settings built from them. No server: clients connect lazily, so their
configuration can be read without one."""

from __future__ import annotations

import ssl

import pytest

from orchestrator import Instance
from orchestrator.distributed.dispatch import celery_config, make_app
from orchestrator.distributed.transport import SENTINEL_TRANSPORT_PATH, TRANSPORT_PATH
from orchestrator.redis_urls import RedisURLError, mask_url, parse_redis_url, redis_client

SENTINELS = "sentinel://h1:26379;sentinel://h2:26380;sentinel://h3/0?master_name=orchmaster"
SECRET_URL = ("sentinel://:masterpw@h1:26379;sentinel://h2:26380;sentinel://h3:26381/2"
              "?master_name=orchmaster&sentinel_password=sentpw")


def test_the_contract_form_names_every_sentinel_the_database_and_the_master() -> None:
    target = parse_redis_url(SENTINELS)
    assert target.is_sentinel
    assert target.hosts == (("h1", 26379), ("h2", 26380), ("h3", 26379))  # 26379 when no port is given
    assert target.db == 0
    assert target.master_name == "orchmaster"
    assert target.password is None and target.sentinel_password is None and not target.tls


def test_master_and_sentinel_credentials_from_the_userinfo_or_the_query() -> None:
    target = parse_redis_url(SECRET_URL)
    assert (target.password, target.sentinel_password, target.db) == ("masterpw", "sentpw", 2)
    by_query = parse_redis_url("sentinel://h1;sentinel://h2/0?master_name=m&password=p%40ss&username=app"
                               "&sentinel_username=s&sentinel_password=sp")
    assert (by_query.username, by_query.password) == ("app", "p@ss")
    assert (by_query.sentinel_username, by_query.sentinel_password) == ("s", "sp")


def test_every_password_is_masked_in_every_address_and_the_query() -> None:
    url = ("sentinel://user:masterpw@h1:26379;sentinel://user:masterpw@h2:26380/0?master_name=m"
           "&password=masterpw&sentinel_password=sentpw")
    masked = mask_url(url)
    assert "masterpw" not in masked and "sentpw" not in masked
    assert masked.count("***") == 4
    assert masked.startswith("sentinel://user:***@h1:26379;sentinel://user:***@h2:26380/0?")
    assert "master_name=m" in masked  # what is not secret stays readable
    # The description and the Instance show only the masked form.
    instance = Instance(redis_url=url, secret="s")
    assert "sentpw" not in instance.masked_url and "masterpw" not in repr(instance)
    assert parse_redis_url(url).describe().endswith("(Sentinel master 'm')")
    # One-server URLs are masked as before.
    assert mask_url("redis://:secret@host/0") == "redis://:***@host/0"
    assert "secret" not in mask_url("rediss://host:6380/0?password=secret&ssl_cert_reqs=required")
    assert mask_url("redis://localhost:6379/0") == "redis://localhost:6379/0"


@pytest.mark.parametrize(("url", "says"), [
    ("sentinel://h1:26379;sentinel://h2:26379/0", "has no master_name: add ?master_name=NAME"),
    ("sentinel://h1:26379;redis://h2:6379/0?master_name=m", "Address 2 of the Sentinel URL"),
    ("sentinel://h1:26379/0?master_name=m&mastername=x", "unknown option(s) mastername"),
    ("sentinel://h1/1;sentinel://h2/2?master_name=m", "names databases 1, 2"),
    ("sentinel://h1:notaport/0?master_name=m", "Address 1 of the Sentinel URL"),
    ("sentinel://h1/0?master_name=m&ssl=maybe", "ssl=true or ssl=false"),
    ("sentinel://:a@h1;sentinel://:b@h2/0?master_name=m", "different credentials"),
    ("redis://h1:6379;redis://h2:6379/0", "only a Sentinel URL may"),
    ("memcached://h1:11211", "Unsupported Redis URL memcached://h1:11211: it must start with redis://"),
    ("redis://h1:6379/zero", "a database is a number"),
    ("unix://", "names no socket"),
    ("", "The Redis URL is empty"),
])
def test_unusable_urls_say_what_to_fix(url: str, says: str) -> None:
    with pytest.raises(RedisURLError) as info:
        parse_redis_url(url)
    assert says in str(info.value)


def test_errors_never_show_a_password() -> None:
    with pytest.raises(RedisURLError) as info:
        parse_redis_url("sentinel://:hunter2@h1:26379/0?sentinel_password=hunter3")
    assert "hunter2" not in str(info.value) and "hunter3" not in str(info.value)
    assert "master_name" in str(info.value)


def test_one_server_and_socket_forms() -> None:
    plain = parse_redis_url("redis://app:pw@cache.local:6380/3")
    assert (plain.scheme, plain.hosts, plain.db, plain.username, plain.password) == (
        "redis", (("cache.local", 6380),), 3, "app", "pw")
    tls = parse_redis_url("rediss://h:6380/0?ssl_cert_reqs=required&ssl_ca_certs=/ca.pem")
    assert tls.tls and tls.ssl == {"ssl_cert_reqs": "required", "ssl_ca_certs": "/ca.pem"}
    sock = parse_redis_url("unix:///run/redis/redis.sock?db=4")
    assert (sock.path, sock.db, sock.hosts) == ("/run/redis/redis.sock", 4, ())
    assert sock.kombu_url() == "redis+socket:///run/redis/redis.sock?virtual_host=4"


def test_storage_client_is_the_sentinels_master_client() -> None:
    client = redis_client(SECRET_URL, socket_connect_timeout=5)
    pool = client.connection_pool
    assert pool.service_name == "orchmaster" and pool.is_master
    assert pool.connection_kwargs["credential_provider"].get_credentials() == ("masterpw",)
    assert pool.connection_kwargs["db"] == 2
    assert pool.connection_kwargs["socket_connect_timeout"] == 5
    sentinels = pool.sentinel_manager.sentinels
    assert [(s.connection_pool.connection_kwargs["host"], s.connection_pool.connection_kwargs["port"])
            for s in sentinels] == [("h1", 26379), ("h2", 26380), ("h3", 26381)]
    # The Sentinels get their own password, not the master's, and a timeout so a dead one is skipped.
    assert {s.connection_pool.connection_kwargs["credential_provider"].get_credentials() for s in sentinels} == {
        ("sentpw",)}
    # As a credential provider, not password=: redis-py's errors list a connection's keywords.
    assert all("sentpw" not in repr(s) for s in sentinels) and "masterpw" not in repr(client)
    assert all(s.connection_pool.connection_kwargs["socket_timeout"] for s in sentinels)


def test_tls_reaches_the_sentinels_and_the_master() -> None:
    url = "sentinel://h1;sentinel://h2/0?master_name=m&ssl_ca_certs=/ca.pem&ssl_cert_reqs=required"
    target = parse_redis_url(url)
    assert target.tls  # an ssl_* option implies TLS
    client = redis_client(target)
    from redis.sentinel import SentinelManagedSSLConnection

    assert client.connection_pool.connection_class is SentinelManagedSSLConnection
    assert client.connection_pool.connection_kwargs["ssl_ca_certs"] == "/ca.pem"
    sentinel = client.connection_pool.sentinel_manager.sentinels[0]
    assert sentinel.connection_pool.connection_kwargs["ssl_ca_certs"] == "/ca.pem"
    config = celery_config(url)
    assert config["broker_use_ssl"] == {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_ca_certs": "/ca.pem"}
    assert config["redis_backend_use_ssl"] == config["broker_use_ssl"]
    assert config["broker_transport_options"]["sentinel_kwargs"]["ssl"] is True


def test_celery_settings_for_a_sentinel_url() -> None:
    config = celery_config(SECRET_URL)
    assert config["broker_transport"] == SENTINEL_TRANSPORT_PATH
    # kombu reads the master's password and the database from the addresses; no query reaches it.
    assert config["broker_url"] == ("sentinel://:masterpw@h1:26379/2;sentinel://:masterpw@h2:26380/2;"
                                    "sentinel://:masterpw@h3:26381/2")
    assert config["result_backend"] == config["broker_url"]
    transport = config["broker_transport_options"]
    assert transport["master_name"] == "orchmaster"
    assert transport["sentinel_kwargs"]["credential_provider"].get_credentials() == ("sentpw",)
    assert transport["visibility_timeout"] == 3600 and transport["unacked_key"] == "unacked"  # ours stay
    backend = config["result_backend_transport_options"]
    assert backend["master_name"] == "orchmaster" and "sentpw" not in repr(backend)
    assert "broker_use_ssl" not in config


def test_celery_app_uses_the_sentinel_transport_and_backend() -> None:
    app = make_app(SECRET_URL)
    conn = app.connection_for_write()
    try:
        assert type(conn.transport).__name__ == "SentinelTransport"
        assert type(conn.transport).__module__ == "orchestrator.distributed.transport"
        assert len(conn.alt) == 3 and conn.password == "masterpw"
        assert "masterpw" not in conn.as_uri()
    finally:
        conn.release()
    backend = app.backend
    assert type(backend).__name__ == "SentinelBackend"
    assert [(h["host"], h["port"]) for h in backend.connparams["hosts"]] == [
        ("h1", 26379), ("h2", 26380), ("h3", 26381)]
    assert backend.connparams["password"] == "masterpw" and backend.connparams["db"] == 2
    assert "masterpw" not in backend.as_uri()


def test_one_server_urls_keep_the_redis_transport() -> None:
    config = celery_config("redis://127.0.0.1:6379/0")
    assert config["broker_transport"] == TRANSPORT_PATH and config["broker_url"] == "redis://127.0.0.1:6379/0"
    assert "master_name" not in config["broker_transport_options"]
    tls = celery_config("rediss://h:6380/0?ssl_cert_reqs=none")
    assert tls["broker_transport"] == TRANSPORT_PATH and tls["broker_use_ssl"]["ssl_cert_reqs"] == ssl.CERT_NONE
    sock = celery_config("unix:///tmp/r.sock")
    assert "broker_transport" not in sock and sock["broker_url"].startswith("redis+socket:///tmp/r.sock")


def test_no_master_found_says_what_each_sentinel_said_without_passwords() -> None:
    from orchestrator.errors import OrchestratorError
    from orchestrator.local.processes import free_port

    url = f"sentinel://:masterpw@127.0.0.1:{free_port()}/0?master_name=orchmaster&sentinel_password=sentpw"
    with pytest.raises(OrchestratorError) as info:
        Instance(redis_url=url, secret="s").ping()
    text = str(info.value)
    assert "No Sentinel at sentinel://:***@127.0.0.1:" in text and "names a reachable master 'orchmaster'" in text
    assert "is unreachable (ConnectionError)" in text
    assert "masterpw" not in text and "sentpw" not in text


def test_a_bad_url_fails_when_the_instance_is_made() -> None:
    with pytest.raises(RedisURLError, match="master_name"):
        Instance(redis_url="sentinel://h1:26379/0", secret="s")
