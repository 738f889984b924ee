"""``kratomsim audit FILE|-``: grade the claims a text makes about kratom and sleep.

A thin layer over :func:`kratomsim.evidence.audit_text`: read the text, audit it, print a table or
JSON, and optionally write a self-contained HTML report.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


LONG_TEXT = 5_000
"""Characters above which a terminal gets a progress bar without asking."""


@contextmanager
def _progress_bar(show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr fed by the audit's ``progress(done, total)`` callback."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("auditing", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to the app."""

    @app.command("audit")
    def audit(
        file: str = typer.Argument(..., help="Text file to audit, or - to read standard input."),
        json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
        html: Path | None = typer.Option(None, "--html", help="Also write a self-contained HTML report here."),
        progress: bool = typer.Option(False, "--progress", help="Show a progress bar on stderr (default: only on a "
                                                                 "terminal, for long texts)."),
    ) -> None:
        """Match each claim about kratom and sleep to the cited claim catalog and give its verdict."""
        from kratomsim.evidence.audit import audit_text, decode_input
        from kratomsim.evidence.html import render_html

        data, origin = _read(file)
        text = decode_input(data, origin)
        with _progress_bar(progress or (sys.stderr.isatty() and len(text) > LONG_TEXT)) as tick:
            report = audit_text(text, progress=tick)
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
            ["sentence (matched clause)", "claim", "what it asserts: verdict", "similarity", "hedged"],
            [[m.clause if m.clause and m.clause != m.sentence else m.sentence, m.claim_id, m.verdict_text,
              m.similarity, "yes" if m.hedged else ""] for m in report.claims],
        )
        for quote in dict.fromkeys(m.model_prediction for m in report.claims if m.model_prediction):
            console.print(f"sleep architecture: {quote}", markup=False, highlight=False)
        for m in report.claims:
            if m.model_evidence and not m.model_prediction:  # sleep quotes are printed once above
                console.print(f"Model evidence for \"{m.clause}\": {m.model_evidence['quote']}",
                              markup=False, highlight=False)
        if report.unmatched:
            console.print("[bold]Unmatched[/bold] (check-worthy, no catalog claim):")
            for sentence in report.unmatched:
                console.print(f"  - {sentence}", markup=False, highlight=False)
        cited = report.to_dict()["references"]
        if cited:
            console.print("[bold]Sources[/bold]")
            for key, text in cited.items():
                console.print(f"  {key}: {text}", markup=False, highlight=False)
        if html is not None:
            console.print(f"HTML report written to {html}", markup=False, highlight=False)
