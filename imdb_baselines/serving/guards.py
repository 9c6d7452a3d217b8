"""What stands between the network and the models: a cap on request bodies, allowed Host names, security headers.

Each guard is a plain ASGI middleware, so it acts before FastAPI reads a
body: an oversized request is refused from its ``Content-Length`` (or,
streamed without one, as soon as it passes the cap) with 413, never held
whole in memory.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable, Iterable

from fastapi import HTTPException

__all__ = ["LOOPBACK_HOSTS", "BodyLimit", "HostCheck", "IdleClosingH11Protocol", "SecurityHeaders", "body_limit_bytes",
           "is_loopback"]

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]

#: The Host names a service listening on a loopback address answers to (anything else may be DNS rebinding).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_BYTES_PER_CHAR = 6  # the most one character takes in a JSON body: a \uXXXX escape
_ENVELOPE_BYTES = 64 * 1024  # the JSON around the texts: keys, model names, explain
#: The page loads its own script, style sheet and figures and nothing else; it may not be framed.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")
_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin")]
_OWN_CSP_PATHS = ("/docs",)  # the API's documentation page (Swagger UI) starts itself with an inline script


def body_limit_bytes(max_texts: int, max_chars: int) -> int:
    """The largest request body that can hold ``max_texts`` texts of ``max_chars`` characters each."""
    return max_texts * (max_chars * _BYTES_PER_CHAR + 16) + _ENVELOPE_BYTES


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` keeps the service on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


async def _send_json(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, from the header or while they stream in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _message(self) -> str:
        return (f"the request body is larger than {self.max_bytes:,} bytes, the most this service accepts "
                "(see --max-texts and --max-chars). Send fewer or shorter texts per request.")

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await _send_json(send, 413, self._message())
        received = 0

        async def limited() -> dict:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self._message())  # answered by FastAPI's own error handling
            return message

        await self.app(scope, limited, send)


class HostCheck:
    """Answer only requests whose Host header names one of ``hosts`` (a port may follow); others get 400."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app, self.hosts = app, {h.lower() for h in hosts}

    def _host(self, scope: dict) -> str:
        value = dict(scope["headers"]).get(b"host", b"").decode("latin-1").strip().lower()
        if value.startswith("["):  # [::1]:8000
            return value[:value.find("]") + 1] if "]" in value else value
        return value.rsplit(":", 1)[0] if value.count(":") == 1 else value

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and self._host(scope) not in self.hosts:
            return await _send_json(send, 400, "this service answers only requests addressed to "
                                               f"{', '.join(sorted(self.hosts))} (the Host header differs)")
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Add ``nosniff``, no framing, no referrer and (except on FastAPI's docs pages) the page's CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        policy = [] if scope["path"].startswith(_OWN_CSP_PATHS) else [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())]

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_HEADERS, *policy]}
            await send(message)

        await self.app(scope, receive, with_headers)


try:
    from uvicorn.protocols.http.h11_impl import H11Protocol as _H11Protocol
except ImportError:  # pragma: no cover - the serve extra is missing; imdb-serve says so before this is needed
    _H11Protocol = object


class IdleClosingH11Protocol(_H11Protocol):
    """uvicorn's h11 protocol, also closing a connection that sends nothing for ``timeout_keep_alive`` seconds.

    uvicorn times an idle connection out only after a response; one that never sends a request would stay
    open for ever, and enough of them would exhaust the server.
    """

    def connection_made(self, transport) -> None:  # noqa: D102
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)
