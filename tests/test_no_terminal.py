"""The real program without a terminal: under cron, in a pipeline, with stdin closed or idle.

questionary has no mode for this: with stdin at /dev/null it fails, with an
empty pipe it writes escape codes, and with a pipe that stays open it waits for
ever. attune must never get that far: no terminal means no prompt, one line
on stderr naming what is missing, and exit code 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from attunecli import __version__
from tests.conftest import answers_of, entry_files, load_entries

SCRIPT = Path(sys.executable).with_name("attune")
LAUNCHERS = {
    "module": [sys.executable, "-m", "attunecli"],
    "script": [str(SCRIPT)],
}
STDIN_MODES = ("devnull", "empty-pipe", "idle-pipe")
TIMEOUT = 20  # a failure here is a hang; a healthy run takes a fraction of a second


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def raw(self) -> str:
        return self.stdout + self.stderr


@contextmanager
def stdin_for(mode: str) -> Iterator[int]:
    """What the child reads: /dev/null, a pipe already at its end, or one nobody writes to."""
    if mode == "devnull":
        yield subprocess.DEVNULL
        return
    read_end, write_end = os.pipe()
    if mode == "empty-pipe":
        os.close(write_end)
    try:
        yield read_end
    finally:
        os.close(read_end)
        if mode == "idle-pipe":
            os.close(write_end)  # only now, after the child has exited by itself


def env_for(**extra: str) -> dict[str, str]:
    env = dict(os.environ)  # the autouse fixture pointed ATTUNE_*_DIR at tmp_path
    env["TERM"] = "xterm-256color"  # a colour terminal name, so stray colour would show
    for name in ("NO_COLOR", "ATTUNE_NO_INPUT", "COLUMNS", "LINES"):
        env.pop(name, None)
    env.update(extra)
    return env


def attune(
    *args: str, launcher: str = "script", stdin: str = "devnull", env: dict[str, str] | None = None
) -> Run:
    if launcher == "script" and not SCRIPT.exists():
        pytest.skip("the attune script is not installed next to this Python")
    with stdin_for(stdin) as fd:
        proc = subprocess.Popen(
            [*LAUNCHERS[launcher], *args],
            stdin=fd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env or env_for(),
        )
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"attune {' '.join(args)} with stdin {stdin} did not exit by itself")
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode("utf-8"), err.decode("utf-8"))


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, f"expected one line, got {text!r}"
    return text.rstrip("\n")


MISSING = {
    "checkin": ["--feeling", "--intensity"],
    "slow-down": ["--feeling", "--intensity"],
    "reflect": ["--context", "--what", "--their-feeling"],
    "curious": ["--about", "--story"],
    "regulate": ["--before", "--exercise", "--after"],
    "repair": ["--context", "--what", "--their-feeling"],
}


@pytest.mark.parametrize("stdin", STDIN_MODES)
@pytest.mark.parametrize("command", list(MISSING))
def test_a_practice_without_answers_names_what_is_missing(
    command: str, stdin: str, data_dir: Path
) -> None:
    launcher = "module" if stdin == "empty-pipe" else "script"
    r = attune(command, launcher=launcher, stdin=stdin)
    assert r.returncode == 2, r.raw
    assert r.stdout == ""
    line = one_line(r.stderr)
    assert line.startswith("attune: missing answers: ")
    for flag in MISSING[command]:
        assert f"({flag}," in line
    assert "\x1b" not in r.raw
    assert entry_files(data_dir) == []


@pytest.mark.parametrize("stdin", ["devnull", "idle-pipe"])
@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_a_complete_scripted_run_saves(launcher: str, stdin: str, data_dir: Path) -> None:
    r = attune("slow-down", "--feeling", "calm", "--intensity", "2", launcher=launcher, stdin=stdin)
    assert r.returncode == 0, r.raw
    line = one_line(r.stdout)
    assert line.startswith("Saved slow down ")
    assert "\x1b" not in r.raw
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["feeling"] == "calm"
    assert answers_of(entry)["intensity"] == 2
    assert entry["id"][:8] in line


def test_answers_from_a_pipe(data_dir: Path) -> None:
    answers = json.dumps({"feeling": "hopeful", "intensity": 5}).encode()
    proc = subprocess.run(
        [str(SCRIPT), "slow-down", "--answers", "-"],
        input=answers,
        capture_output=True,
        env=env_for(),
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().startswith("Saved slow down ")
    assert answers_of(load_entries(data_dir)[0])["feeling"] == "hopeful"


@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_version(launcher: str) -> None:
    r = attune("--version", launcher=launcher)
    assert r.returncode == 0
    assert r.stdout == f"attune {__version__}\n"
    assert r.stderr == ""


def test_help_through_python_m() -> None:
    r = attune("--help", launcher="module")
    assert r.returncode == 0, r.stderr
    assert "Usage:" in r.stdout
    for command in MISSING:
        assert command in r.stdout
    assert r.stderr == ""
    assert "\x1b" not in r.raw


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["slow-down", "--intensity", "11"], "11 is not in the range 0<=x<=10"),
        (["slow-down", "--feelin", "calm"], "--feelin"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_a_usage_error_is_one_line(args: list[str], expected: str, data_dir: Path) -> None:
    r = attune(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    line = one_line(r.stderr)
    assert line.startswith("attune: ")
    assert expected in line
    assert "\x1b" not in r.raw
    assert entry_files(data_dir) == []


@pytest.mark.parametrize(
    ("args", "extra_env"),
    [
        (["--no-color", "feelings"], {}),
        (["feelings"], {"NO_COLOR": "1"}),
        (["--no-color", "slow-down", "--feeling", "calm", "--intensity", "2"], {}),
        (["slow-down", "--feeling", "calm", "--intensity", "2"], {"NO_COLOR": "1"}),
        (["--no-color", "reflect"], {}),
    ],
)
def test_no_color_means_no_escape_codes(args: list[str], extra_env: dict[str, str]) -> None:
    r = attune(*args, env=env_for(**extra_env))
    assert r.returncode in (0, 2), r.raw
    assert r.raw.strip()
    assert "\x1b" not in r.raw


def test_history_on_an_empty_store(data_dir: Path) -> None:
    r = attune("history")
    assert r.returncode == 0, r.raw
    assert r.stdout == ""
    assert one_line(r.stderr).startswith("No entries yet.")
    r = attune("history", "--json")
    assert r.returncode == 0, r.raw
    assert json.loads(r.stdout) == []
    assert "\x1b" not in r.raw
    assert entry_files(data_dir) == []
