"""``kratomsim audit FILE|-``: grade the claims a text makes about kratom and sleep.

A thin layer over :func:`kratomsim.evidence.audit_text`: read the text, audit it, print a table or
JSON, and optionally write a self-contained HTML report.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kratomsim.commands._output import console, print_json, print_table
from kratomsim.errors import InputError


def _read(source: str) -> tuple[bytes, str]:
    """Read at most one byte past the limit, so a huge file is refused without loading it."""
    from kratomsim.evidence.audit import MAX_BYTES

    if source == "-":
        return sys.stdin.buffer.read(MAX_BYTES + 1), "standard input"
    path = Path(source)
    if not path.exists():
        raise InputError(f"file not found: {source}; give a text file or - for standard input")
    if not path.is_file():
        raise InputError(f"not a file: {source}; give a text file or - for standard input")
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1), source


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to the app."""

    @app.command("audit")
    def audit(
        file: str = typer.Argument(..., help="Text file to audit, or - to read standard input."),
        json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
        html: Path | None = typer.Option(None, "--html", help="Also write a self-contained HTML report here."),
    ) -> None:
        """Match each claim about kratom and sleep to the cited claim catalog and give its verdict."""
        from kratomsim.evidence.audit import audit_text, decode_input
        from kratomsim.evidence.html import render_html

        data, origin = _read(file)
        report = audit_text(decode_input(data, origin))
        if html is not None:
            try:
                html.write_text(render_html(report), encoding="utf-8")
            except OSError as err:
                raise InputError(f"cannot write HTML report to {html}: {err.strerror}") from None
        if json_output:
            print_json(report.to_dict())
            return
        print_table(
            "Claims about kratom and sleep",
            ["sentence (matched clause)", "claim", "verdict", "similarity", "negated", "hedged"],
            [[m.clause if m.clause and m.clause != m.sentence else m.sentence, m.claim_id, m.verdict,
              m.similarity, "yes" if m.negated else "", "yes" if m.hedged else ""] for m in report.claims],
        )
        for quote in dict.fromkeys(m.model_prediction for m in report.claims if m.model_prediction):
            console.print(f"sleep architecture: {quote}", markup=False, highlight=False)
        if report.not_in_catalog:
            console.print("[bold]Not in catalog[/bold] (check-worthy, no matching claim):")
            for sentence in report.not_in_catalog:
                console.print(f"  - {sentence}", markup=False, highlight=False)
        cited = report.to_dict()["references"]
        if cited:
            console.print("[bold]Sources[/bold]")
            for key, text in cited.items():
                console.print(f"  {key}: {text}", markup=False, highlight=False)
        if html is not None:
            console.print(f"HTML report written to {html}", markup=False, highlight=False)
