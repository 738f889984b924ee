"""The CLI starts without the heavy libraries: structural checks, not timings.

``kratomsim --help`` must not import scipy, pandas, torch, fastapi or dask (they cost seconds);
commands are loaded only when run. The one-line help listed for each command must match the
command's own help, and every command a module registers must be listed.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest
import typer

import kratomsim.commands
from kratomsim import cli

HEAVY = ("scipy", "pandas", "torch", "fastapi", "dask", "distributed", "matplotlib", "plotly", "sklearn",
         "uvicorn", "yaml")


def _imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = _imported_after("import kratomsim.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "typer" in loaded  # the probe does see imports


def test_help_loads_no_heavy_library() -> None:
    code = ("import contextlib, io\nfrom kratomsim.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass")
    loaded = _imported_after(code)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_running_a_command_loads_its_module() -> None:
    loaded = _imported_after("from kratomsim.cli import load_command\nload_command('simulate')")
    assert "pandas" in loaded  # the lazy path does import what the command needs


def _registered(module: str) -> dict[str, object]:
    sub = typer.Typer()
    __import__(f"kratomsim.commands.{module}", fromlist=["register"]).register(sub)

    @sub.callback()
    def _group() -> None:
        return None

    return dict(typer.main.get_group(sub).commands)


def _modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(kratomsim.commands.__path__) if not m.name.startswith("_")]


@pytest.mark.parametrize("module", _modules())
def test_every_registered_command_is_listed_with_its_own_help(module: str) -> None:
    commands = _registered(module)
    assert commands, f"kratomsim.commands.{module} registers no command"
    for name, command in commands.items():
        assert cli.COMMANDS.get(name, ("", ""))[0] == module, f"{name} is not listed in cli.COMMANDS"
        own = " ".join(((command.help or "").split("\n\n")[0]).split())  # type: ignore[attr-defined]
        assert cli.COMMANDS[name][1] == own


def test_listed_commands_exist() -> None:
    found = {name for module in _modules() for name in _registered(module)}
    assert set(cli.COMMANDS) == found


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["nigt"])
    assert exit_info.value.code == 2
    assert "nigt" in capsys.readouterr().err
