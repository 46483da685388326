"""Who may use the UI: loopback by default; on any other address only holders of the access
token (``ORCH_UI_TOKEN``), sent as ``Authorization: Bearer <token>`` or as the cookie that
opening a page with ``?token=<token>`` sets."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from orchestrator.errors import OrchestratorError

__all__ = ["TOKEN_ENV", "COOKIE", "check_bind", "is_loopback", "TokenMiddleware"]

TOKEN_ENV = "ORCH_UI_TOKEN"
COOKIE = "orch_ui_token"
# Paths a process supervisor polls to learn the server is up; they answer "ok" and nothing else.
_OPEN_PATHS = frozenset({"/healthz"})

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve on a non-loopback ``host`` without an access token (``OrchestratorError``
    saying how to set one)."""
    if is_loopback(host):
        return
    if not token:
        raise OrchestratorError(
            f"Refusing to serve the UI on {host}: it would be open to anyone who can reach this machine. "
            f"Set an access token first ({TOKEN_ENV}=<a long random string>), or keep the default --host 127.0.0.1."
        )
    if len(token) < 16:
        raise OrchestratorError(f"{TOKEN_ENV} is too short ({len(token)} characters): use at least 16 random characters.")


def _matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class TokenMiddleware:
    """Answer 401 to every HTTP request without the token (but ``/healthz``).

    A page opened with ``?token=<token>`` gets the token as an HttpOnly, SameSite=Strict cookie
    and is redirected to the same URL without it, so the token does not stay in the address bar.

    :param app: the application to protect.
    :param token: the access token.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed Cookie header is no token
            cookie = SimpleCookie()
        from_cookie = cookie[COOKIE].value if COOKIE in cookie else None
        if _matches(bearer, self.token) or _matches(from_cookie, self.token):
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = next((v for k, v in query if k == "token"), None)
        if _matches(given, self.token) and scope.get("method") == "GET":
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            location = scope["path"] + (f"?{rest}" if rest else "")
            await _respond(send, 303, b"", [(b"location", location.encode()), (
                b"set-cookie", f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode())])
            return
        body = (b'{"error": "This UI needs its access token: send the header Authorization: Bearer <token>, '
                b'or open a page with ?token=<token> once (ORCH_UI_TOKEN of the server)."}')
        await _respond(send, 401, body, [(b"content-type", b"application/json"),
                                         (b"www-authenticate", b'Bearer realm="orch ui"')])


async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
