"""Build the FastAPI application: pages, the REST API, static files and error handling.

User mistakes (:class:`~kratomsim.errors.InputError`) and request-model violations both answer 422
with ``{"detail": "one line"}``, so a client sees the same message the CLI would print.
"""

from __future__ import annotations

import os
import threading
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from kratomsim.errors import InputError
from kratomsim.web.result_cache import DEFAULT_SIZE as DEFAULT_CACHE_SIZE
from kratomsim.web.result_cache import ResultCache
from kratomsim.web.store import ScenarioStore

DATA_DIR_ENV = "KRATOMSIM_DATA_DIR"
STATIC_DIR = Path(str(files("kratomsim.web") / "static"))


def default_data_dir() -> Path:
    """Where saved scenarios live when no --data-dir is given."""
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env) if env else Path.home() / ".local" / "share" / "kratomsim"


FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<path d="M8 1C4 5 3 9 8 15c5-6 4-10 0-14z" fill="#2e7d32"/></svg>'
)


def plotly_js_path() -> Path:
    """plotly.js as bundled in the installed plotly package, so charts work with no internet."""
    return Path(str(files("plotly") / "package_data" / "plotly.min.js"))


# The API's own limits are inclusive maxima (nights <= 60, subjects <= 1000, lengths); an exclusive bound
# such as level < 1 is the quantity's meaning, not a limit of the API, and gets no hint.
_LIMIT_ERRORS = {"less_than_equal", "too_long", "string_too_long"}


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request body"


def validation_message(errors: list[dict[str, Any]]) -> str:
    """Pydantic's errors as one line: 'field: what was wrong'."""
    out = []
    for err in errors[:5]:
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if err.get("type") in _LIMIT_ERRORS:
            msg += " (a limit of the API per request; see /api/limits)"
        out.append(f"{_location(tuple(err.get('loc', ())))}: {msg}")
    return " ".join("; ".join(out).split())


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "one line: what was wrong, what is accepted"}},
    "required": ["detail"],
}


def _document_error_shape(app: FastAPI) -> None:
    """Say in the OpenAPI spec that a 422 is ``{"detail": "one line"}``, as the handlers answer."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes)
            schemas = spec.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = ERROR_SCHEMA
                schemas.pop("ValidationError", None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _methods_for(routes: Any, scope: Any) -> set[str]:
    """Every method some route accepts at this path (included routers are walked into)."""
    out: set[str] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            out |= _methods_for(inner.routes, scope)
        elif isinstance(route, APIRoute | Route) and route.matches(scope)[0] is not Match.NONE:
            out |= set(route.methods or ())
    return out


def create_app(
    data_dir: Path | None = None, allowed_hosts: tuple[str, ...] = (), night_cache_size: int = DEFAULT_CACHE_SIZE,
    prewarm: bool = False,
) -> FastAPI:
    """The whole application; ``data_dir`` holds the saved-scenario database; ``allowed_hosts`` adds
    Host names to the loopback ones served; ``night_cache_size`` bounds the finished night answers
    kept (0: none); ``prewarm`` computes the default night into that cache in a background thread, so
    the first visitor's default request is answered from it (``kratomsim serve`` does this)."""
    from fastapi.middleware.gzip import GZipMiddleware

    from kratomsim.web import api, pages
    from kratomsim.web.guard import install_guards

    app = FastAPI(
        title="kratomsim",
        description="Simulate kratom alkaloids across the night. It predicts and explains; "
        "it never recommends a dose.",
        version="0.1.0",
        # FastAPI's /docs pages load their scripts from a CDN; the app serves nothing from outside.
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = ScenarioStore(data_dir or default_data_dir())
    app.state.night_cache = ResultCache(night_cache_size)
    app.state.prewarm = None
    if prewarm and night_cache_size:
        app.state.prewarm = threading.Thread(target=api.warm_default_night, args=(app.state.night_cache,),
                                             name="kratomsim-prewarm", daemon=True)
        app.state.prewarm.start()

    _install_error_handlers(app)
    _install_static_routes(app)
    _document_error_shape(app)
    # level 1: the default night answer (250 kB) packs to 86 kB in 2 ms; level 9 gave 75 kB in 16 ms
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=1)
    install_guards(app, allowed_hosts)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    """Bad input of every kind answers 422 (or 405) with one line naming what was wrong."""

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(list(exc.errors()))}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # A body that is not JSON at all (FastAPI's 400) is bad input like any other: 422.
        if exc.status_code == 400:
            return JSONResponse({"detail": f"request body: {exc.detail}; send JSON"}, status_code=422)
        if exc.status_code == 405:
            # Starlette names only the first matching route's methods; name every one for this path.
            allowed = sorted(_methods_for(app.routes, request.scope))
            return JSONResponse({"detail": f"method {request.method} not allowed; allowed: {', '.join(allowed)}"},
                                status_code=405, headers={"Allow": ", ".join(allowed)})
        return await http_exception_handler(request, exc)


def _install_static_routes(app: FastAPI) -> None:
    """The two files served outside /static: the plotting library (cached a day) and the favicon."""

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(FAVICON_SVG, media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})
