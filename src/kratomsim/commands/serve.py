"""``kratomsim serve``: run the web app and REST API (uvicorn) on this machine."""

from __future__ import annotations

from pathlib import Path

import typer

from kratomsim.errors import InputError


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the app."""

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
        port: int = typer.Option(8000, "--port", help="TCP port."),
        data_dir: Path | None = typer.Option(
            None, "--data-dir", help="Folder for saved scenarios (default: ~/.local/share/kratomsim)."
        ),
    ) -> None:
        """Serve the night report, compare, receptors, interactions and audit pages, and the REST API."""
        import uvicorn

        from kratomsim.web.app import create_app

        if not 1 <= port <= 65535:
            raise InputError(f"--port must be from 1 to 65535, got {port}")
        if data_dir is not None and data_dir.exists() and not data_dir.is_dir():
            raise InputError(f"--data-dir is not a folder: {data_dir}")
        try:
            application = create_app(data_dir)
        except OSError as err:
            raise InputError(f"cannot use data folder {data_dir}: {err.strerror}") from None
        print(f"kratomsim: serving on http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
        uvicorn.run(application, host=host, port=port, log_level="warning")
