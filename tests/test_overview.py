"""A bare `attune` and `attune help`: the map and the help where people look first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from attunecli import overview
from attunecli.cli import app

ATTUNE = Path(sys.executable).with_name("attune")


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return list(group.commands)  # type: ignore[attr-defined]


def test_the_map_names_every_command_once() -> None:
    listed = [c for _, cmds in overview.GROUPS for c in cmds]
    assert sorted(listed) == sorted(_commands())
    assert len(listed) == len(set(listed))


def test_the_map_fits_24_rows_at_80_columns() -> None:
    lines = overview.text().splitlines()
    assert len(lines) <= 24
    assert max(len(line) for line in lines) <= 80


def test_a_bare_attune_prints_the_map_without_loading_typer() -> None:
    code = (
        "import sys; from attunecli.entry import main; rc = main([]); "
        "print('typer' in sys.modules, file=sys.stderr); sys.exit(rc)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == overview.text()
    assert r.stderr.strip() == "False"


@pytest.mark.parametrize(
    "command",
    [(), ("checkin",), ("repair",), ("repair", "done"), ("config", "set"), ("help",)],
    ids=lambda c: " ".join(c) or "attune",
)
def test_help_command_is_the_same_as_dash_dash_help(cli: Any, command: tuple[str, ...]) -> None:
    via_help = cli("help", *command)
    via_option = cli(*command, "--help")
    assert via_help.exit_code == 0 == via_option.exit_code, via_help.stderr
    assert via_help.stdout == via_option.stdout
    assert via_help.stdout.startswith(f"Usage: attune {' '.join(command)}".rstrip() + " ")


@pytest.mark.parametrize(
    ("command", "named"),
    [
        (("nope",), "'nope'"),
        (("repair", "nope"), "'repair nope'"),
        (("history", "x"), "'history x'"),
    ],
)
def test_help_for_no_such_command_is_one_line_and_exit_2(
    cli: Any, command: tuple[str, ...], named: str
) -> None:
    r = cli("help", *command)
    assert r.exit_code == 2
    assert r.stderr == f"attune: no such command: {named} (see 'attune --help')\n"
    assert r.stdout == ""
