"""The API's edges: no 500 on the tester's inputs, strict types, guards and headers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.fuzz_counts import tried

BAD_BODIES = [
    ("/api/night", {"dose": "1e308g"}),
    ("/api/night", {"dose": "1e400g"}),
    ("/api/night", {"dose": "1e308mg:mitragynine"}),
    ("/api/night", {"dose": "1e308g", "subjects": 10}),
    ("/api/night", {"dose": "1e9g"}),
    ("/api/night", {"nights": "7"}),
    ("/api/night", {"nights": True}),
    ("/api/night", {"subjects": 2.5}),
    ("/api/compare", {"aids": ["kratom:K51:1e308g"]}),
    ("/api/compare", {"aids": ["kratom:K51:1e400g", "zolpidem:10mg"]}),
    ("/api/compare", {"aids": ["kratom:K51:2g"], "subjects": 3, "nights": "7"}),
    ("/api/receptors", {"dose": "1e308mg:mitragynine"}),
    ("/api/simulate", {"dose": "1e308g"}),
    ("/api/population", {"dose": "1e308g", "subjects": 5}),
    ("/api/interact", {"victim": "midazolam", "dose": "1e400g"}),
]


@pytest.mark.parametrize(("path", "body"), BAD_BODIES, ids=[f"{p} {b}" for p, b in BAD_BODIES])
def test_bad_bodies_are_422_with_one_line(client: TestClient, path: str, body: dict[str, object]) -> None:
    tried(f"POST {path}")
    answer = client.post(path, json=body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    dose = next((v for v in [body.get("dose"), *body.get("aids", [])] if isinstance(v, str) and "e" in v), None)
    if dose is not None:  # the refusal is about the dose itself, not some other field
        assert "dose" in detail and dose.split(":")[-1 if dose.startswith("kratom") else 0] in detail, detail


def test_audit_with_lone_surrogate_answers(client: TestClient) -> None:
    answer = client.post("/api/audit", content='{"text": "kratom helps sleep \\ud800"}',
                         headers={"content-type": "application/json"})
    assert answer.status_code == 200, answer.text


def test_unexpected_error_is_a_one_line_500_without_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kratomsim.web.app import create_app

    app = create_app(tmp_path / "d")

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app) as c:
        answer = c.get("/boom")
    assert answer.status_code == 500
    assert "secret" not in answer.text and "Traceback" not in answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_foreign_host_is_refused_and_configured_host_allowed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kratomsim.web.app import create_app

    with TestClient(create_app(tmp_path / "d")) as c:
        assert c.get("/api/limits", headers={"host": "evil.example:8000"}).status_code == 421
        assert c.get("/api/limits", headers={"host": "127.0.0.1:8000"}).status_code == 200
    with TestClient(create_app(tmp_path / "d", ("lab.local",))) as c:
        assert c.get("/api/limits", headers={"host": "lab.local"}).status_code == 200


def test_security_headers_gzip_favicon_and_body_limit(client: TestClient) -> None:
    page = client.get("/", headers={"accept-encoding": "gzip"})
    assert page.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers.get("content-encoding") == "gzip"
    assert client.get("/favicon.ico").status_code == 200
    big = client.post("/api/audit", content=b"x" * 2_000_001, headers={"content-type": "application/json"})
    assert big.status_code == 413


def test_a_chunked_body_over_the_limit_is_413_unread(client: TestClient) -> None:
    """No Content-Length (a chunked upload): the bytes are counted as they arrive, refused past 1 MB."""
    from kratomsim.web.guard import MAX_BODY_BYTES

    sent = []

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(MAX_BODY_BYTES // 65_536 + 100):
            sent.append(65_536)
            yield b"x" * 65_536

    tried("POST /api/audit")
    big = client.post("/api/audit", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in big.request.headers
    assert big.status_code == 413 and "at most 1,000,000 bytes" in big.json()["detail"]
    assert big.headers["x-content-type-options"] == "nosniff"
    small = client.post("/api/audit", content=iter([b'{"text": "kratom ', b'helps sleep"}']),
                        headers={"content-type": "application/json"})
    assert small.status_code == 200 and small.json()["claims"]  # a chunked body within the limit is read whole


EDGE_BODIES = [
    ("/api/population", {"wake": "22:30", "subjects": 5}, "same as the dose time"),
    ("/api/interact", {"victim": "midazolam", "wake": "22:30"}, "same as the dose time"),
    ("/api/night", {"comedications": ["zolpidem:-10mg"]}, "dose '-10mg' of zolpidem"),
    ("/api/night", {"nights": 366}, "nights"),
]


@pytest.mark.parametrize(("path", "body", "fragment"), EDGE_BODIES, ids=[f"{p} {b}" for p, b, _ in EDGE_BODIES])
def test_edge_bodies_name_what_is_wrong(client: TestClient, path: str, body: dict[str, object], fragment: str) -> None:
    tried(f"POST {path}")
    answer = client.post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert fragment in answer.json()["detail"]


def test_api_and_cli_share_the_nights_limit(client: TestClient) -> None:
    from kratomsim.limits import NIGHTS

    assert client.get("/api/limits").json()["nights"] == f"1 to {NIGHTS.high:g}"
    assert client.post("/api/night", json={"nights": int(NIGHTS.high) + 1}).status_code == 422


def test_one_limits_table_for_cli_api_and_docs(client: TestClient) -> None:
    """Each shared limit is served by /api/limits and printed in docs/web.md as the code states it."""
    from pathlib import Path

    from kratomsim.limits import TABLE

    served = client.get("/api/limits").json()["shared"]
    docs = (Path(__file__).parents[2] / "docs" / "web.md").read_text()
    for limit in TABLE:
        assert served[limit.name].startswith(limit.accepted()), limit.name
        assert f"| {limit.name} | {limit.accepted()} |" in docs, limit.name


def test_palette_is_the_plots_palette(client: TestClient) -> None:
    from kratomsim.report.palette import colour_for

    table = client.get("/api/palette").json()
    for name in ("mitragynine", "7-hydroxymitragynine", "zolpidem"):
        assert table["colours"][name] == colour_for(name) == colour_for(f"{name} (kratom:K51:2g)")
    assert len(set(table["colours"].values())) >= 7  # the alkaloids are told apart


def test_csp_allows_no_inline_or_eval_script(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert script.strip() == "script-src 'self'"


PRODUCT_BODIES = [
    ("/api/night", lambda pid: {"product": pid, "nights": 1}),
    ("/api/receptors", lambda pid: {"product": pid}),
    ("/api/simulate", lambda pid: {"product": pid}),
    ("/api/compare", lambda pid: {"aids": [f"kratom:{pid}:2g"], "nights": 1}),
    ("/api/population", lambda pid: {"product": pid, "subjects": 3, "nights": 1}),
    ("/api/interact", lambda pid: {"victim": "midazolam", "product": pid}),
]


def test_every_library_product_is_answered_or_refused_on_every_endpoint(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Found by this test: a product of mitragynine and 7-OH alone was a 500 on /api/night (an empty
    linear system), one without mitragynine a 500 on /api/interact, and lower-case ids (FDA_30a) a 422."""
    from kratomsim.library import library_products
    from kratomsim.web.app import create_app

    refused = []
    with TestClient(create_app(tmp_path / "d", night_cache_size=0)) as c:
        for pid in sorted(library_products()):
            for path, body in PRODUCT_BODIES:
                tried(f"POST {path}")
                answer = c.post(path, json=body(pid))
                assert answer.status_code in (200, 422), (pid, path, answer.text)
                if answer.status_code == 422:
                    detail = answer.json()["detail"]
                    assert "\n" not in detail and "unknown product" not in detail, (pid, path, detail)
                    refused.append((pid, path))
    # 2 g of leaf means something for most products; the refusals are the per-unit tablets and strips
    # (dose them in mg of the alkaloid) and products without the compound an endpoint needs.
    assert len(refused) < len(library_products()) * len(PRODUCT_BODIES) / 3
