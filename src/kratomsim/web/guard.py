"""Edge guards of the web app: allowed hosts, body size, security headers and the catch-all 500.

A local tool still faces the browser's threats: a DNS-rebinding page reaches 127.0.0.1 with a foreign
Host header, so only loopback names are served unless more are configured.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOG = logging.getLogger("kratomsim.web")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "testserver")
MAX_BODY_BYTES = 1_000_000  # the largest request (an audit text of 100 kB, JSON-escaped) fits with room
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def _host_name(header: str) -> str:
    if header.startswith("["):
        return header.split("]")[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _too_large(size: str) -> JSONResponse:
    return JSONResponse({"detail": f"request body of {size} bytes is too large; accepted: at most "
                         f"{MAX_BODY_BYTES:,} bytes"}, status_code=413)


class BodyLimit:
    """Read the body up to ``limit`` bytes before the app sees it; more is a 413, never parsed.

    Why besides the Content-Length check: a chunked upload carries no length, so only counting the
    bytes as they arrive bounds it. The body read is replayed to the app unchanged.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left: let the app see it
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await _too_large(f"more than {self.limit:,}")(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives ``body`` once, then whatever the client sends next (its disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def install_guards(app: FastAPI, allowed_hosts: Iterable[str] = ()) -> None:
    """Add the guards to ``app``; ``allowed_hosts`` adds host names to loopback ('*' allows any)."""
    allowed = {h.lower() for h in (*LOOPBACK_HOSTS, *allowed_hosts)}
    app.add_middleware(BodyLimit)  # inside the guard below, so its 413 gets the security headers

    @app.middleware("http")
    async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        host = _host_name(request.headers.get("host", "")).lower()
        if "*" not in allowed and host not in allowed:
            return _with_headers(JSONResponse(
                {"detail": f"host {host!r} is not allowed; accepted: {', '.join(sorted(allowed))} "
                 "(add more with kratomsim serve --allowed-host)"}, status_code=421))
        length = request.headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return _with_headers(_too_large(length))
        try:
            response = await call_next(request)
        except Exception as err:  # the catch-all: logged in one line, no traceback in the body
            LOG.error("unexpected error on %s %s: %s: %s", request.method, request.url.path,
                      type(err).__name__, " ".join(str(err).split())[:300])
            response = JSONResponse({"detail": "internal error: the request could not be answered; "
                                     "it has been logged"}, status_code=500)
        return _with_headers(response)


def _with_headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response
