"""Global options after the command too: `attune history --no-color`,
`attune show ID --data-dir X`, on every command (issue 16, part 4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_entries

ATTUNE = Path(sys.executable).with_name("attune")


def _leaves() -> list[tuple[str, ...]]:
    import typer.main

    from attunecli.cli import app

    out: list[tuple[str, ...]] = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if path:
            out.append(path)
        for name, sub in (subs or {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return out


LEAVES = _leaves()


def test_every_command_is_checked() -> None:
    assert len(LEAVES) >= 30
    assert ("repair", "done") in LEAVES and ("config", "set") in LEAVES


@pytest.mark.parametrize("path", LEAVES, ids=lambda p: " ".join(p))
def test_every_command_takes_the_global_options_after_it(
    cli: Any, tmp_path: Path, path: tuple[str, ...]
) -> None:
    # An unknown option is refused while parsing, before --help is acted on: exit 0
    # here means the command parsed both global options as its own.
    r = cli(*path, "--data-dir", str(tmp_path / "elsewhere"), "--no-color", "--help")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith(f"Usage: attune {' '.join(path)}")


def test_a_practice_saves_into_the_data_dir_given_after_it(cli: Any, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2", "--data-dir", str(other))
    assert r.exit_code == 0, r.stderr
    assert [e["practice"] for e in load_entries(other)] == ["slow-down"]
    r = cli("history", "--json", "--data-dir", str(other))
    assert r.exit_code == 0, r.stderr
    assert len(json.loads(r.stdout)) == 1


def test_a_value_that_looks_like_a_global_option_stays_a_value(cli: Any, data_dir: Path) -> None:
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2", "--note", "--no-color")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert next(a for a in entry["answers"] if a["id"] == "note")["answer"] == "--no-color"


@pytest.mark.parametrize(
    ("value", "said"),
    [("", "expected a folder, got an empty name"), ("FILE", "is a file, not a folder")],
)
def test_a_bad_data_dir_after_the_command_is_exit_2(
    cli: Any, tmp_path: Path, value: str, said: str
) -> None:
    if value == "FILE":
        value = str(tmp_path / "a-file")
        Path(value).write_text("x")
    r = cli("history", "--data-dir", value)
    assert r.exit_code == 2
    assert said in r.stderr and r.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [("history",), ("feelings",), ("insights",)])
def test_no_color_after_the_command_on_the_installed_script(
    data_dir: Path, args: tuple[str, ...]
) -> None:
    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    subprocess.run(
        [str(ATTUNE), "slow-down", "--feeling", "calm", "--intensity", "2"],
        env=env, capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    coloured = subprocess.run([str(ATTUNE), *args], env=env, capture_output=True, text=True)
    plain = subprocess.run(
        [str(ATTUNE), *args, "--no-color"], env=env, capture_output=True, text=True, timeout=60
    )
    assert plain.returncode == 0, plain.stderr
    assert "\x1b[" in coloured.stdout and "\x1b[" not in plain.stdout
