"""Redis URLs: what one names, how it is shown (passwords masked), and the clients built from it.

Every place that takes a Redis URL (``REDIS_URL``, ``Instance(redis_url=...)``, ``orch dev``, the
workers, the scheduler, the web UI, ``redis_io_manager``) goes through :func:`parse_redis_url`, so
they all accept the same forms:

- ``redis://[[user]:password@]host[:port][/db][?option=value...]`` and ``rediss://...`` (TLS:
  ``?ssl_cert_reqs=required&ssl_ca_certs=/path/ca.pem``): one server, options as redis-py takes them;
- ``unix://[[user]:password@]/path/to/redis.sock[?db=N]``: one server on a Unix socket;
- ``sentinel://h1:26379;sentinel://h2:26379;sentinel://h3:26379/0?master_name=NAME``: the master that
  the Redis Sentinels at h1, h2 and h3 name, followed through failovers. Options: ``master_name``
  (required), ``password`` and ``username`` (the master's; a ``:password@`` before a host is the
  same), ``sentinel_password`` and ``sentinel_username`` (the Sentinels' own ``requirepass``), TLS
  to the Sentinels and the master alike (``ssl=true``, ``ssl_cert_reqs``, ``ssl_ca_certs``,
  ``ssl_certfile``, ``ssl_keyfile``, ``ssl_check_hostname``) and ``min_other_sentinels``. The
  database and the options may be given after any address (usually the last one).
- ``redis+cluster://[[user]:password@]h1:7000,h2:7001,h3:7002[?option=value...]`` (and
  ``rediss+cluster://`` with the ``ssl_*`` options for TLS): a Redis Cluster, found from any of the
  nodes listed (database 0 only). For run storage only (``ORCH_STORAGE_URL``): kombu has no Cluster
  transport, so the broker (``REDIS_URL``) is one server or Sentinel.

From the description, :func:`redis_client` builds the redis-py client of run storage (for
Sentinel, ``redis.sentinel.Sentinel(...).master_for(NAME)``: its connections ask the Sentinels
for the master again when theirs is lost or turns read-only), and the ``kombu_*`` methods give
kombu and Celery their broker URL, transport options and TLS settings (Celery's ``sentinel://``
transport and result backend). :func:`mask_url` replaces every password in a URL, of every
address and of the query (``password``, ``sentinel_password``), by ``***``.

Importing this module imports neither redis-py nor kombu (the base layer stays light).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from orchestrator.errors import OrchestratorError

if TYPE_CHECKING:
    import redis

__all__ = ["RedisURL", "RedisURLError", "parse_redis_url", "mask_url", "redis_client", "sentinel_report", "CLUSTER_FORM",
           "SENTINEL_FORM", "DEFAULT_SENTINEL_PORT"]

DEFAULT_REDIS_PORT = 6379
DEFAULT_SENTINEL_PORT = 26379
#: The Sentinel URL form, as error messages show it.
SENTINEL_FORM = "sentinel://host1:26379;sentinel://host2:26379;sentinel://host3:26379/0?master_name=NAME"
#: The Redis Cluster URL form (run storage only), as error messages show it.
CLUSTER_FORM = "redis+cluster://host1:7000,host2:7001,host3:7002"
_CLUSTER_SCHEMES = {"redis+cluster": False, "rediss+cluster": True}  # scheme -> TLS
_CLUSTER_KEYS = frozenset({"password", "username", *("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile",
                                                     "ssl_check_hostname")})

# Query arguments whose values are secrets (masked wherever a URL is shown).
_SECRET_QUERY_KEYS = frozenset({"password", "pass", "pwd", "sentinel_password"})
# TLS settings, as redis-py's connections take them (for rediss:// they stay in the URL).
_SSL_KEYS = ("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname")
_SENTINEL_KEYS = frozenset({"master_name", "password", "username", "sentinel_password", "sentinel_username",
                            "ssl", "min_other_sentinels", "db", *_SSL_KEYS})
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
# How long a Sentinel may take to answer "which is the master?" before the next one is asked.
_SENTINEL_SOCKET_TIMEOUT = 3.0


class RedisURLError(OrchestratorError):
    """A Redis URL that cannot be used: its message shows the URL masked and says what to fix."""


@dataclass(frozen=True)
class RedisURL:
    """What a Redis URL names (see the module docstring for the accepted forms).

    :param url: the URL as given (keep it out of messages: :attr:`masked` is the one to show).
    :param scheme: ``redis``, ``rediss``, ``unix``, ``sentinel`` or ``cluster`` (``redis+cluster``
        and ``rediss+cluster``, whose TLS is :attr:`tls`).
    :param hosts: the server's ``(host, port)`` (``redis``/``rediss``), every Sentinel's
        (``sentinel``), or the Cluster nodes to start from (``cluster``); empty for ``unix``.
    :param db: the database number.
    :param username: the user of the Redis server (the master, for Sentinel), if any.
    :param password: the password of the Redis server (the master, for Sentinel), if any.
    :param path: the socket path (``unix`` only).
    :param master_name: the name the Sentinels monitor the master under (``sentinel`` only).
    :param sentinel_username: the user the Sentinels require, if any.
    :param sentinel_password: the password the Sentinels require (their ``requirepass``), if any.
    :param tls: whether connections use TLS (``rediss``, or ``sentinel`` with ``ssl=true`` or an
        ``ssl_*`` option).
    :param ssl: the TLS options given (``ssl_cert_reqs``... as strings).
    :param min_other_sentinels: how many other Sentinels a Sentinel must see for its answer to count.
    """

    url: str
    scheme: str
    hosts: tuple[tuple[str, int], ...] = ()
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    path: str | None = None
    master_name: str | None = None
    sentinel_username: str | None = None
    sentinel_password: str | None = field(default=None, repr=False)
    tls: bool = False
    ssl: Mapping[str, str] = field(default_factory=dict)
    min_other_sentinels: int = 0

    @property
    def is_sentinel(self) -> bool:
        return self.scheme == "sentinel"

    @property
    def is_cluster(self) -> bool:
        """A Redis Cluster (``redis+cluster://``): run storage only, never the broker."""
        return self.scheme == "cluster"

    @property
    def masked(self) -> str:
        """The URL with every password replaced by ``***``: the form to show in messages and logs."""
        return mask_url(self.url)

    def describe(self) -> str:
        """A short description for messages: the masked URL, and for Sentinel the master's name."""
        if self.is_sentinel:
            return f"{self.masked} (Sentinel master '{self.master_name}')"
        return self.masked

    # -- redis-py ---------------------------------------------------------------------------------
    def tls_kwargs(self) -> dict[str, Any]:
        """redis-py connection keywords for TLS (``ssl=True`` and the ``ssl_*`` options), or none."""
        if not self.tls:
            return {}
        options: dict[str, Any] = {"ssl": True, "ssl_cert_reqs": self.ssl.get("ssl_cert_reqs", "required")}
        for key in ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile"):
            if key in self.ssl:
                options[key] = self.ssl[key]
        if "ssl_check_hostname" in self.ssl:
            options["ssl_check_hostname"] = _flag(self.ssl["ssl_check_hostname"], "ssl_check_hostname", self)
        return options

    def sentinel_kwargs(self, socket_timeout: float | None = None,
                        socket_connect_timeout: float | None = None) -> dict[str, Any]:
        """redis-py keywords of the connections to the Sentinels themselves (their own
        credentials, TLS, and timeouts so that a Sentinel that does not answer is skipped)."""
        options: dict[str, Any] = {
            "socket_timeout": socket_timeout or _SENTINEL_SOCKET_TIMEOUT,
            "socket_connect_timeout": socket_connect_timeout or _SENTINEL_SOCKET_TIMEOUT,
        }
        options.update(_credentials(self.sentinel_username, self.sentinel_password))
        options.update(self.tls_kwargs())
        return options

    # -- kombu and Celery -------------------------------------------------------------------------
    def kombu_url(self) -> str:
        """The URL kombu's broker and Celery's result backend take for this server.

        Sentinel: one ``sentinel://[user:password@]host:port/db`` per Sentinel, joined by ``;``,
        without the query (its options go in :meth:`kombu_transport_options`). A Unix socket:
        ``redis+socket:///path?virtual_host=db``. Otherwise the URL itself.
        """
        if self.is_cluster:
            raise RedisURLError(f"{self.masked} is a Redis Cluster: kombu has no Cluster transport, so the broker "
                                "cannot be one. Set REDIS_URL to one Redis server or a Sentinel URL, and "
                                "ORCH_STORAGE_URL to the Cluster for run storage (deploy/README.md, \"Topologies\").")
        if self.scheme == "sentinel":
            auth = _userinfo(self.username, self.password)
            return ";".join(f"sentinel://{auth}{_host(host)}:{port}/{self.db}" for host, port in self.hosts)
        if self.scheme == "unix":
            auth = _userinfo(self.username, self.password)
            return f"redis+socket://{auth}{self.path}?virtual_host={self.db}"
        return self.url

    def kombu_transport_options(self) -> dict[str, Any]:
        """Transport options kombu's Sentinel transport and Celery's Sentinel backend need
        (``master_name``, ``sentinel_kwargs``, ``min_other_sentinels``); none for one server."""
        if not self.is_sentinel:
            return {}
        return {"master_name": self.master_name, "sentinel_kwargs": self.sentinel_kwargs(),
                "min_other_sentinels": self.min_other_sentinels}

    def kombu_ssl_options(self) -> dict[str, Any] | None:
        """``broker_use_ssl`` / ``redis_backend_use_ssl`` for a TLS server, else None (ssl constants,
        as kombu and Celery want them; the certificate is required unless ``ssl_cert_reqs`` says not)."""
        if not self.tls:
            return None
        import ssl

        reqs = {"required": ssl.CERT_REQUIRED, "optional": ssl.CERT_OPTIONAL, "none": ssl.CERT_NONE}
        wanted = self.ssl.get("ssl_cert_reqs", "required").lower().replace("cert_", "")
        options: dict[str, Any] = {"ssl_cert_reqs": reqs.get(wanted, ssl.CERT_REQUIRED)}
        for key in ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile"):
            if key in self.ssl:
                options[key] = self.ssl[key]
        return options


def parse_redis_url(url: str) -> RedisURL:
    """What ``url`` names; ``RedisURLError`` (naming the masked URL and the fix) when it names nothing usable.

    :param url: a ``redis://``, ``rediss://``, ``unix://`` or ``sentinel://...;sentinel://...`` URL.
    """
    if not isinstance(url, str) or not url.strip():
        raise RedisURLError("The Redis URL is empty: set REDIS_URL (or redis_url=) to e.g. redis://localhost:6379/0 "
                            f"or {SENTINEL_FORM}.")
    url = url.strip()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "sentinel":
        return _parse_sentinel(url)
    if scheme in _CLUSTER_SCHEMES:
        return _parse_cluster(url, scheme)
    if ";" in url and scheme in ("redis", "rediss"):
        raise RedisURLError(f"Redis URL {mask_url(url)} lists several addresses: only a Sentinel URL may "
                            f"({SENTINEL_FORM}); for one server give one redis:// address.")
    if scheme in ("redis", "rediss", "unix"):
        return _parse_single(url, scheme)
    raise RedisURLError(f"Unsupported Redis URL {mask_url(url)}: it must start with redis://, rediss:// (TLS), "
                        f"unix:// (a socket), sentinel:// ({SENTINEL_FORM}) or, for run storage, redis+cluster:// "
                        f"({CLUSTER_FORM}).")


def mask_url(url: str) -> str:
    """``url`` with every password (in the userinfo of each address, or a ``password=`` or
    ``sentinel_password=`` query argument) replaced by ``***``.

    For error messages and logs: a Redis URL often carries the password. A Sentinel URL's
    addresses (separated by ``;``) are masked one by one.
    """
    if ";" in url:
        return ";".join(mask_url(chunk) if chunk else chunk for chunk in url.split(";"))
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:***@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in _SECRET_QUERY_KEYS for k, _ in pairs):
            query = urlencode([(k, "***" if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in pairs], safe="*/")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redis_client(url: str | RedisURL, **kwargs: Any) -> redis.Redis:
    """A redis-py client for ``url``; connections are made lazily and pooled.

    Sentinel: the client of the master the Sentinels name (``Sentinel.master_for``). Its connections
    ask the Sentinels again when theirs is lost or the server they reach has become a replica
    (``ReadOnlyError``, raised to the caller as a ``ConnectionError``): a caller that retries
    connection errors (``retrying.py``, redis-py's ``retry=``) follows a failover.

    :param url: the URL, or its parsed description.
    :param kwargs: redis-py connection keywords (``socket_connect_timeout``, ``retry``, ...), for the
        master's connections (the Sentinels' take the timeouts only).
    """
    import redis as redis_lib

    parsed = url if isinstance(url, RedisURL) else parse_redis_url(url)
    if parsed.is_cluster:
        return _cluster_client(parsed, kwargs)
    if not parsed.is_sentinel:
        try:
            return redis_lib.Redis.from_url(parsed.url, **kwargs)
        except ValueError as exc:
            # redis-py's URL errors do not echo the URL, so its text is safe to show.
            raise RedisURLError(f"Invalid Redis URL {parsed.masked}: {exc}") from None
    from redis.sentinel import Sentinel

    sentinel = Sentinel(list(parsed.hosts), min_other_sentinels=parsed.min_other_sentinels,
                        sentinel_kwargs=parsed.sentinel_kwargs(kwargs.get("socket_timeout"),
                                                               kwargs.get("socket_connect_timeout")))
    master: dict[str, Any] = {"db": parsed.db, **parsed.tls_kwargs(), **_credentials(parsed.username, parsed.password),
                              **kwargs}
    assert parsed.master_name is not None  # checked by the parser
    return sentinel.master_for(parsed.master_name, **master)


def sentinel_report(url: str | RedisURL, timeout: float = 3.0) -> str:
    """What each Sentinel of a Sentinel URL says about its master, one clause each (for the error
    when no master can be found: which Sentinel is unreachable, refuses the password, does not
    know the name, or names a master that is down).

    :param url: a Sentinel URL, or its parsed description.
    :param timeout: how long each Sentinel may take to answer.
    """
    import redis as redis_lib

    parsed = url if isinstance(url, RedisURL) else parse_redis_url(url)
    clauses = []
    for host, port in parsed.hosts:
        where = f"{_host(host)}:{port}"
        client = redis_lib.Redis(host=host, port=port, **parsed.sentinel_kwargs(timeout, timeout))
        try:
            masters = client.sentinel_masters()
        except redis_lib.AuthenticationError:
            clauses.append(f"{where} refused the credentials (sentinel_password)")
            continue
        except (redis_lib.ConnectionError, redis_lib.TimeoutError, OSError) as exc:
            clauses.append(f"{where} is unreachable ({type(exc).__name__})")
            continue
        except redis_lib.ResponseError as exc:
            clauses.append(f"{where} is not a Sentinel ({exc})")
            continue
        finally:
            client.close()
        state = masters.get(parsed.master_name)
        if state is None:
            known = ", ".join(sorted(masters)) or "none"
            clauses.append(f"{where} monitors no master named '{parsed.master_name}' (it monitors: {known})")
        elif state.get("is_sdown") or state.get("is_odown") or not state.get("is_master"):
            clauses.append(f"{where} names {state.get('ip')}:{state.get('port')}, which it sees down")
        else:
            clauses.append(f"{where} names {state.get('ip')}:{state.get('port')}")
    return "; ".join(clauses)


# -- parsing ---------------------------------------------------------------------------------------


def _parse_single(url: str, scheme: str) -> RedisURL:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RedisURLError(f"Invalid Redis URL {mask_url(url)}: {exc}.") from None
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    username = unquote(parts.username) if parts.username else query.get("username")
    password = unquote(parts.password) if parts.password else query.get("password")
    db_text = query.get("db") if scheme == "unix" else (parts.path.lstrip("/") or query.get("db"))
    db = _db(db_text, url)
    if scheme == "unix":
        if not parts.path:
            raise RedisURLError(f"Redis URL {mask_url(url)} names no socket: write unix:///path/to/redis.sock.")
        return RedisURL(url=url, scheme=scheme, db=db, username=username, password=password, path=parts.path)
    if not parts.hostname:
        raise RedisURLError(f"Redis URL {mask_url(url)} names no host: write {scheme}://host:6379/0.")
    ssl = {k: query[k] for k in _SSL_KEYS if k in query}
    return RedisURL(url=url, scheme=scheme, hosts=((parts.hostname, port or DEFAULT_REDIS_PORT),), db=db,
                    username=username, password=password, tls=scheme == "rediss", ssl=ssl)


def _parse_sentinel(url: str) -> RedisURL:
    chunks = [c.strip() for c in url.split(";") if c.strip()]
    hosts: list[tuple[str, int]] = []
    query: dict[str, str] = {}
    dbs: set[str] = set()
    user_pass: set[tuple[str | None, str | None]] = set()
    for n, chunk in enumerate(chunks, start=1):
        if not chunk.lower().startswith("sentinel://"):
            raise RedisURLError(f"Address {n} of the Sentinel URL {mask_url(url)} does not start with sentinel://: "
                                f"write every address as sentinel://host:port ({SENTINEL_FORM}).")
        try:
            parts = urlsplit(chunk)
            port = parts.port
        except ValueError as exc:
            raise RedisURLError(f"Address {n} of the Sentinel URL {mask_url(url)} is invalid: {exc}.") from None
        if not parts.hostname:
            raise RedisURLError(f"Address {n} of the Sentinel URL {mask_url(url)} names no host ({SENTINEL_FORM}).")
        hosts.append((parts.hostname, port or DEFAULT_SENTINEL_PORT))
        if parts.path.strip("/"):
            dbs.add(parts.path.strip("/"))
        if parts.username or parts.password:
            user_pass.add((unquote(parts.username) if parts.username else None,
                           unquote(parts.password) if parts.password else None))
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key in query and query[key] != value:
                raise RedisURLError(f"The Sentinel URL {mask_url(url)} gives option '{key}' twice with different "
                                    "values; give each option once, after the last address.")
            query[key] = value
    unknown = sorted(set(query) - _SENTINEL_KEYS)
    if unknown:
        raise RedisURLError(f"The Sentinel URL {mask_url(url)} has unknown option(s) {', '.join(unknown)}; a Sentinel "
                            f"URL takes {', '.join(sorted(_SENTINEL_KEYS))}.")
    master_name = query.get("master_name", "").strip()
    if not master_name:
        raise RedisURLError(f"The Sentinel URL {mask_url(url)} has no master_name: add ?master_name=NAME (the name "
                            f"the Sentinels monitor the master under, `sentinel monitor NAME ...`): {SENTINEL_FORM}.")
    if "db" in query:
        dbs.add(query["db"])
    if len(dbs) > 1:
        raise RedisURLError(f"The Sentinel URL {mask_url(url)} names databases {', '.join(sorted(dbs))}; "
                            "give one database, after the last address (.../0?master_name=NAME).")
    if len(user_pass) > 1:
        raise RedisURLError(f"The Sentinel URL {mask_url(url)} gives different credentials on different addresses; "
                            "give them once (user:password@ before the first address, or ?password=).")
    username, password = next(iter(user_pass)) if user_pass else (None, None)
    for key, given in (("username", username), ("password", password)):
        if key in query and given is not None and query[key] != given:
            raise RedisURLError(f"The Sentinel URL {mask_url(url)} gives the master's {key} twice with different "
                                "values (before an address and as ?" + key + "=); give it once.")
    ssl = {k: query[k] for k in _SSL_KEYS if k in query}
    tls = _flag(query["ssl"], "ssl", url) if "ssl" in query else bool(ssl)
    try:
        others = int(query.get("min_other_sentinels", "0"))
    except ValueError:
        raise RedisURLError(f"The Sentinel URL {mask_url(url)} has min_other_sentinels="
                            f"{query['min_other_sentinels']!r}; it is a whole number.") from None
    return RedisURL(
        url=url, scheme="sentinel", hosts=tuple(hosts), db=_db(next(iter(dbs)) if dbs else None, url),
        username=username if username is not None else query.get("username") or None,
        password=password if password is not None else query.get("password") or None,
        master_name=master_name, sentinel_username=query.get("sentinel_username") or None,
        sentinel_password=query.get("sentinel_password") or None, tls=tls, ssl=ssl, min_other_sentinels=others,
    )


def _parse_cluster(url: str, scheme: str) -> RedisURL:
    """``redis+cluster://[user:password@]h1:p1,h2:p2[/0][?options]``: the nodes to discover a Cluster from."""
    rest = url.split("://", 1)[1]
    netloc, _, tail = rest.partition("/")
    if "?" in netloc:
        netloc, _, query_text = netloc.partition("?")
        tail = "?" + query_text
    path, _, query_text = tail.partition("?")
    userinfo, at, nodes = netloc.rpartition("@")
    hosts: list[tuple[str, int]] = []
    for n, node in enumerate(filter(None, (x.strip() for x in nodes.split(","))), start=1):
        try:
            parts = urlsplit(f"redis://{node}")
            port = parts.port
        except ValueError as exc:
            raise RedisURLError(f"Node {n} of the Redis Cluster URL {mask_url(url)} is invalid: {exc}.") from None
        if not parts.hostname:
            raise RedisURLError(f"Node {n} of the Redis Cluster URL {mask_url(url)} names no host ({CLUSTER_FORM}).")
        hosts.append((parts.hostname, port or DEFAULT_REDIS_PORT))
    if not hosts:
        raise RedisURLError(f"The Redis Cluster URL {mask_url(url)} names no node: list one or more, separated by "
                            f"commas ({CLUSTER_FORM}).")
    if path.strip("/") not in ("", "0"):
        raise RedisURLError(f"The Redis Cluster URL {mask_url(url)} names database {path.strip('/')!r}; a Redis "
                            "Cluster has database 0 only: drop it.")
    query = dict(parse_qsl(query_text, keep_blank_values=True))
    unknown = sorted(set(query) - _CLUSTER_KEYS)
    if unknown:
        raise RedisURLError(f"The Redis Cluster URL {mask_url(url)} has unknown option(s) {', '.join(unknown)}; it "
                            f"takes {', '.join(sorted(_CLUSTER_KEYS))}.")
    username = password = None
    if at:
        user, _, secret = userinfo.partition(":")
        username, password = unquote(user) or None, unquote(secret) or None
    ssl = {k: query[k] for k in _SSL_KEYS if k in query}
    return RedisURL(url=url, scheme="cluster", hosts=tuple(hosts), username=username or query.get("username") or None,
                    password=password or query.get("password") or None, tls=_CLUSTER_SCHEMES[scheme], ssl=ssl)


def _cluster_client(parsed: RedisURL, kwargs: dict[str, Any]) -> Any:
    """A ``redis.cluster.RedisCluster`` for ``parsed``: it learns every node and slot from the ones
    listed, and follows the Cluster's redirections and failovers by itself."""
    from redis.cluster import ClusterNode, RedisCluster

    # The node connections' keywords RedisCluster takes (it has no health checks or per-error lists:
    # its own ``retry`` covers lost nodes and Cluster errors).
    allowed = ("socket_connect_timeout", "socket_timeout", "socket_keepalive", "retry", "decode_responses",
               "max_connections", "client_name")
    options: dict[str, Any] = {k: v for k, v in kwargs.items() if k in allowed}
    options.update(parsed.tls_kwargs())
    options.update(_credentials(parsed.username, parsed.password))
    return RedisCluster(startup_nodes=[ClusterNode(host, port) for host, port in parsed.hosts], **options)


def _db(text: str | None, url: str) -> int:
    if text is None or text == "":
        return 0
    try:
        db = int(text)
    except ValueError:
        db = -1
    if db < 0:
        raise RedisURLError(f"Redis URL {mask_url(url)} names database {text!r}; a database is a number (/0).")
    return db


def _flag(value: str, key: str, where: str | RedisURL) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    shown = where.masked if isinstance(where, RedisURL) else mask_url(where)
    raise RedisURLError(f"Redis URL {shown} has {key}={value!r}; write {key}=true or {key}=false.")


def _credentials(username: str | None, password: str | None) -> dict[str, Any]:
    """redis-py keywords for a user and password, as a credential provider rather than ``password=``:
    redis-py shows a connection's keywords in its errors (a failed Sentinel lookup lists every
    Sentinel's), and a provider's repr shows no secret."""
    if not username and not password:
        return {}
    from redis.credentials import UsernamePasswordCredentialProvider

    return {"credential_provider": UsernamePasswordCredentialProvider(username or None, password or "")}


def _userinfo(username: str | None, password: str | None) -> str:
    if not username and not password:
        return ""
    user = quote(username or "", safe="")
    return f"{user}:{quote(password, safe='')}@" if password else f"{user}@"


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
