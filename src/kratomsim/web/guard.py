"""Edge guards of the web app: allowed hosts, body size, security headers and the catch-all 500.

A local tool still faces the browser's threats: a DNS-rebinding page reaches 127.0.0.1 with a foreign
Host header, so only loopback names are served unless more are configured.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

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


def install_guards(app: FastAPI, allowed_hosts: Iterable[str] = ()) -> None:
    """Add the guards to ``app``; ``allowed_hosts`` adds host names to loopback ('*' allows any)."""
    allowed = {h.lower() for h in (*LOOPBACK_HOSTS, *allowed_hosts)}

    @app.middleware("http")
    async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        host = _host_name(request.headers.get("host", "")).lower()
        if "*" not in allowed and host not in allowed:
            return _with_headers(JSONResponse(
                {"detail": f"host {host!r} is not allowed; accepted: {', '.join(sorted(allowed))} "
                 "(add more with kratomsim serve --allowed-host)"}, status_code=421))
        length = request.headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return _with_headers(JSONResponse(
                {"detail": f"request body of {length} bytes is too large; accepted: at most "
                 f"{MAX_BODY_BYTES:,} bytes"}, status_code=413))
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
