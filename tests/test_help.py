"""Help text is part of the interface: every command and group explains itself with an example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from attunecli.cli import app

ROOT = Path(__file__).resolve().parent.parent


def walk(command: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += walk(sub, (*path, name))
    return found


ROOT_COMMAND = typer.main.get_command(app)
COMMANDS = walk(ROOT_COMMAND, ())


def ids(path: tuple[str, ...]) -> str:
    return " ".join(path) or "attune"


def test_the_walk_finds_every_command_and_group() -> None:
    found = {ids(p) for p, _ in COMMANDS}
    assert found >= {
        "attune",
        "checkin",
        "slow-down",
        "reflect",
        "curious",
        "regulate",
        "repair",
        "repair done",
        "history",
        "show",
        "repairs",
        "feelings",
        "path",
        "support",
        "config",
        "config show",
        "config set",
        "config unset",
        "remind",
        "schedule",
        "schedule install",
        "schedule status",
        "schedule remove",
        "practices",
        "practices check",
        "practices new",
        "practices add",
        "run",
        "report",
        "help",
    }
    groups = {ids(p) for p, c in COMMANDS if hasattr(c, "commands")}
    assert groups == {"attune", "repair", "config", "schedule", "practices"}


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=ids)
def test_every_command_has_help_and_a_short_help(path: tuple[str, ...]) -> None:
    command = dict(COMMANDS)[path]
    assert (command.help or "").strip(), ids(path)
    first = command.help.strip().splitlines()[0]
    assert len(first) <= 100
    assert first.endswith("."), ids(path)


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS])
def test_every_command_and_group_has_an_example(path: tuple[str, ...]) -> None:
    command = dict(COMMANDS)[path]
    assert "Example" in (command.help or ""), ids(path)


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS])
def test_help_output_shows_the_example(cli: Any, path: tuple[str, ...]) -> None:
    r = cli(*path, "--help")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith(f"Usage: attune {' '.join(path)}".rstrip())
    assert "Example" in r.stdout
    assert r.stderr == ""


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=ids)
def test_short_help_flag_works(cli: Any, path: tuple[str, ...]) -> None:
    r = cli(*path, "-h")
    assert r.exit_code == 0
    assert r.stdout.startswith("Usage: attune")


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=ids)
def test_every_option_and_argument_has_help(path: tuple[str, ...]) -> None:
    command = dict(COMMANDS)[path]
    for param in command.params:
        assert (getattr(param, "help", None) or "").strip(), f"{ids(path)} {param.opts}"


def test_examples_name_real_commands() -> None:
    names = {ids(p) for p, _ in COMMANDS}
    checked = 0
    for path, command in COMMANDS:
        _, _, examples = (command.help or "").partition("Examples:")
        for line in examples.splitlines():
            line = line.strip()
            if line.startswith("attune "):
                words = line.split()[1:3]
                assert words[0] in names or " ".join(words) in names, (ids(path), line)
                checked += 1
    assert checked >= 20


def test_attune_and_config_alone_print_help_on_stdout_and_exit_0() -> None:
    # `attune` alone and `attune config` alone are someone exploring: on stdout, exit 0;
    # `attune` alone prints the short map (tests/test_overview.py), `config` its help
    for args in ([], ["config"]):
        r = subprocess.run(
            [sys.executable, "-m", "attunecli", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "ATTUNE_NO_INPUT": "1"},
            timeout=60,
        )
        assert r.returncode == 0, args
        if args:
            assert r.stdout.startswith("Usage: attune")
            assert "Examples:" in r.stdout
        else:
            assert r.stdout.startswith("attune: a few calm minutes")
            assert "attune help COMMAND" in r.stdout
        assert r.stderr == ""


def test_python_m_attunecli_help_smoke() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "attunecli", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Usage: attune")
    assert "Examples:" in r.stdout
    assert "attune checkin --quick" in r.stdout
    assert r.stderr == ""


def test_unknown_command_is_one_line_and_exit_2(cli: Any) -> None:
    r = cli("chekin")
    assert r.exit_code == 2
    assert r.stderr.startswith("attune: ")
    assert r.stderr.count("\n") == 1
    assert "--help" in r.stderr


def _option_help(command: str, option: str) -> str:
    cmd = dict(COMMANDS)[(command,)]
    [param] = [p for p in cmd.params if option in getattr(p, "opts", ())]
    return str(param.help)


def test_checkin_no_guide_describes_the_check_in_not_regulate() -> None:
    checkin = _option_help("checkin", "--no-guide")
    assert "check-in" in checkin
    assert "rate before and after" not in checkin  # that is regulate's
    assert "rate before and after" in _option_help("regulate", "--no-guide")


@pytest.mark.parametrize("quick", [False, True], ids=["checkin", "checkin --quick"])
def test_what_the_check_in_says_about_skipping_is_true(quick: bool) -> None:
    from attunecli.catalog import practice

    p = practice("checkin", quick=quick)
    skippable = all(s.skippable for s in p.sections)
    assert ("skipped" in p.intro) is skippable
    if skippable:
        # Not "every part": a few steps inside a part need an answer, and say why.
        required = [
            st
            for sec in p.sections
            for st in sec.steps
            if not st.optional and st.default is None and st.kind in ("scale", "text", "date")
        ]
        assert required and all("needed" in st.help.lower() for st in required), required
        assert "Every part can be skipped" not in p.intro


def test_the_quick_check_in_is_not_called_the_daily_check_in_twice() -> None:
    from attunecli.catalog import practice

    quick = practice("checkin", quick=True)
    assert quick.title == "Quick check-in"
    assert "check-in" not in quick.intro.lower()
    full = practice("checkin")
    assert full.title.lower() not in full.intro.lower()  # the title is said once, not again


def test_no_practice_intro_promises_skipping_it_does_not_offer() -> None:
    from attunecli.catalog import ALL_PRACTICE_IDS, practice

    for pid in ALL_PRACTICE_IDS:
        p = practice(pid)
        if "skip" in p.intro.lower():
            assert any(s.skippable for s in p.sections), pid


def test_checkin_help_says_what_a_script_must_give() -> None:
    help_text = " ".join((dict(COMMANDS)[("checkin",)].help or "").split())
    assert "Every part can be skipped" not in help_text
    assert "give at least one answer" in help_text
    assert "a small moment of connection" in help_text
