"""The ``kratomsim`` command line: a thin layer over the Python API.

Each command lives in ``kratomsim.commands.<module>`` and registers itself on a Typer app. The
modules are imported only when their command runs: ``kratomsim --help`` lists the commands from
:data:`COMMANDS` without loading scipy, pandas or the model, so the CLI starts about as fast as
numpy imports (``benchmarks/cli_start.py``).
User mistakes raise :class:`~kratomsim.errors.InputError`; :func:`main` prints them as one line
and exits with status 2, with no traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from kratomsim.errors import InputError

# command name -> (module in kratomsim.commands, one-line help shown by ``kratomsim --help``).
# The line must equal the command's own first help line (tests/test_cli_start.py checks it).
COMMANDS: dict[str, tuple[str, str]] = {
    "products": ("library", "List assayed products (mg alkaloid per g, or per unit) with sources, and the market "
                            "spread."),
    "compounds": ("library", "List the alkaloids with molecular weights and sources."),
    "simulate": ("simulate", "Concentrations of every alkaloid over time, as a tidy table (one row per time and "
                             "compound)."),
    "validate": ("validate", "Reproduce published study tables: observed, predicted, fold error, GMFE."),
    "calibrate": ("calibrate", "Fit each alkaloid's model to Tanna 2022's medians; writes parameters with residuals."),
    "receptors": ("receptors", "Opioid and serotonin receptor occupancy and stimulus from the alkaloid mix, night "
                               "by night."),
    "interact": ("interact", "Predicted AUC and Cmax ratios of a medicine taken with kratom (CYP3A4/CYP2D6), with "
                             "a range."),
    "audit": ("audit", "Match each claim about kratom and sleep to the cited claim catalog and give its verdict."),
    "serve": ("serve", "Serve the night report, compare, receptors, interactions and audit pages, and the REST API."),
    "population": ("population", "Nightly Cmax, concentration at wake-up and sleep-window AUC across a population."),
    "night": ("night", "Bedtime, peak, wake-up and morning exposure over the nights, accumulation and receptor "
                       "occupancy."),
    "compare": ("compare", "Fraction of peak left at wake-up, wake-up and morning levels and accumulation, aid by "
                           "aid."),
    "strains": ("strains", "Compare alkaloid content by strain label, with the variation across and within labels."),
}


class LazyGroup(TyperGroup):
    """A command group that imports a command's module only when that command is looked up to run.

    While the group's own help is drawn, each command is a stub carrying its one-line help.
    """

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if self._listing:
            return typer.core.TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        return load_command(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def load_command(name: str) -> Any:
    """The click command ``name``, built from its module's ``register`` (imports the module)."""
    module, _ = COMMANDS[name]
    sub = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    importlib.import_module(f"kratomsim.commands.{module}").register(sub)

    @sub.callback()
    def _group() -> None:  # a callback makes typer build a group even for one command
        return None

    return typer.main.get_group(sub).commands[name]


app = typer.Typer(
    name="kratomsim",
    help="Simulate kratom alkaloids across the night: composition, exposure, receptors, "
    "interactions and evidence. It predicts and explains; it never recommends a dose.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)


@app.callback()
def _root() -> None:
    """The commands are listed lazily by :class:`LazyGroup`."""


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
