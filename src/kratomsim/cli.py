"""The ``kratomsim`` command line: a thin layer over the Python API.

Each command lives in ``kratomsim.commands.<name>`` and registers itself on :data:`app`.
User mistakes raise :class:`~kratomsim.errors.InputError`; :func:`main` prints them as one line
and exits with status 2, with no traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import NoReturn

import typer

from kratomsim.errors import InputError

app = typer.Typer(
    name="kratomsim",
    help="Simulate kratom alkaloids across the night: composition, exposure, receptors, "
    "interactions and evidence. It predicts and explains; it never recommends a dose.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = (
    "library",
    "simulate",
    "validate",
    "calibrate",
    "receptors",
    "interact",
    "audit",
    "serve",
    "population",
    "night",
    "compare",
    "strains",
)


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"kratomsim.commands.{name}").register(app)


_register_commands()


def _fail(message: str, code: int, argv: list[str]) -> NoReturn:
    """One line on stderr (JSON on stdout as well when --json was given), then exit."""
    if "--json" in argv:
        import json

        print(json.dumps({"error": message, "exit_status": code}))
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning user errors into one line and exit status 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = app(args=args, standalone_mode=False)
    except InputError as err:
        _fail(err.message, 2, args)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        raise SystemExit(130) from None
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except SystemExit:
        raise
    except Exception as err:
        # Usage errors (unknown option, a word where a number belongs) come from typer's click layer;
        # they carry an exit code and a message. Recognised by shape, as typer vendors its own click.
        if callable(getattr(err, "format_message", None)) and getattr(err, "exit_code", None) == 2:
            _fail(_usage_message(err), 2, args)
        if isinstance(err, MemoryError | OverflowError):
            _fail(f"the request is too large to compute ({type(err).__name__}); use fewer subjects, nights "
                  "or a coarser grid", 2, args)
        if os.environ.get("KRATOMSIM_DEBUG"):
            raise
        # Anything else is a bug: one line, no traceback (KRATOMSIM_DEBUG=1 shows it).
        _fail(f"internal error: {type(err).__name__}: {' '.join(str(err).split())[:200]}; "
              "please report it (KRATOMSIM_DEBUG=1 shows the traceback)", 1, args)
    if isinstance(code, int) and code != 0:
        # typer.Exit(n) is returned, not raised, outside standalone mode (validate exits 1 on failure).
        raise SystemExit(code)


def _usage_message(err: Exception) -> str:
    message = " ".join(str(err.format_message()).split())  # type: ignore[attr-defined]
    param = getattr(err, "param", None)
    name = getattr(param, "opts", None) or []
    return f"{name[0]}: {message}" if name and name[0] not in message else message


if __name__ == "__main__":
    main()
