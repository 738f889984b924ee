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
        allowed_host: list[str] = typer.Option(
            [], "--allowed-host", help="Host name the app may be reached by, besides loopback (repeatable; '*' any)."
        ),
        data_dir: Path | None = typer.Option(
            None, "--data-dir", help="Folder for saved scenarios (default: ~/.local/share/kratomsim)."
        ),
    ) -> None:
        """Serve the night report, compare, receptors, interactions and audit pages, and the REST API."""
        import uvicorn

        from kratomsim.web.app import create_app

        if not 1 <= port <= 65535:
            raise InputError(f"--port must be from 1 to 65535, got {port}")
        _check_host(host)
        if data_dir is not None and data_dir.exists() and not data_dir.is_dir():
            raise InputError(f"--data-dir is not a folder: {data_dir}")
        try:
            application = create_app(data_dir, tuple(allowed_host), prewarm=True)
        except OSError as err:
            raise InputError(f"cannot use data folder {data_dir}: {err.strerror}") from None
        if host not in ("127.0.0.1", "localhost", "::1"):
            print(f"kratomsim: warning: listening on {host}: the API has no authentication; anyone who can "
                  "reach this address can run simulations and read or delete saved scenarios", flush=True)
        print(f"kratomsim: serving on http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
        uvicorn.run(application, host=host, port=port, log_level="warning")


def _check_host(host: str) -> None:
    """An IP address or a host name, refused in one line before uvicorn would raise."""
    import ipaddress
    import re

    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    if re.fullmatch(r"[0-9.]+", host) or not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})", host):
        raise InputError(f"--host {host!r} is not an IP address or host name; e.g. 127.0.0.1 or 0.0.0.0")
