"""HTML pages: forms whose charts and tables are filled by calling the REST API with fetch.

The pages hold no science: every number comes from the same API a script would call.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(str(files("kratomsim.web") / "templates")))

PAGES = (
    ("night", "Night report"),
    ("compare", "Compare"),
    ("receptors", "Receptors"),
    ("interactions", "Interactions"),
    ("audit", "Audit a text"),
)


def _render(request: Request, page: str) -> HTMLResponse:
    title = dict(PAGES).get(page, "kratomsim")
    return templates.TemplateResponse(request, f"{page}.html", {"page": page, "title": title, "pages": PAGES})


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return _render(request, "index")


@router.get("/night", response_class=HTMLResponse)
def night(request: Request) -> HTMLResponse:
    return _render(request, "night")


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request) -> HTMLResponse:
    return _render(request, "compare")


@router.get("/receptors", response_class=HTMLResponse)
def receptors(request: Request) -> HTMLResponse:
    return _render(request, "receptors")


@router.get("/interactions", response_class=HTMLResponse)
def interactions(request: Request) -> HTMLResponse:
    return _render(request, "interactions")


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request) -> HTMLResponse:
    return _render(request, "audit")
