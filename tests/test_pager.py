"""Long output pages at a terminal, and never in a pipe (issue 16, part 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from attunecli import pager

pexpect = pytest.importorskip("pexpect")
ATTUNE = Path(sys.executable).with_name("attune")


@pytest.mark.parametrize(
    ("args", "isatty", "want"),
    [
        (["feelings"], True, (True, ["feelings"])),
        (["feelings"], False, (False, ["feelings"])),
        (["feelings", "--no-pager"], True, (False, ["feelings"])),
        (["--no-pager", "history"], True, (False, ["history"])),
        (
            ["--no-color", "--data-dir", "x", "insights"],
            True,
            (True, ["--no-color", "--data-dir", "x", "insights"]),
        ),
        (["search", "--", "--no-pager"], True, (True, ["search", "--", "--no-pager"])),
        (["checkin"], True, (False, ["checkin"])),
        (["--data-dir", "show"], True, (False, ["--data-dir", "show"])),  # "show" is a folder
        ([], True, (False, [])),
    ],
)
def test_which_runs_may_page(args: list[str], isatty: bool, want: tuple[bool, list[str]]) -> None:
    assert pager.wanted(args, isatty=isatty) == want


@pytest.mark.parametrize(
    ("environ", "want"),
    [
        ({}, ["less"]),
        ({"PAGER": "more -d"}, ["more", "-d"]),
        ({"PAGER": "more", "ATTUNE_PAGER": "most"}, ["most"]),
        ({"PAGER": "more", "ATTUNE_PAGER": ""}, None),
        ({"PAGER": ""}, ["less"]),
        ({"PAGER": "cat"}, None),
        ({"PAGER": "'unclosed"}, None),
    ],
)
def test_which_pager(environ: dict[str, str], want: list[str] | None) -> None:
    assert pager.command(environ) == want


def test_only_what_overflows_pages() -> None:
    assert not pager.overflows("a\n" * 22, 24)
    assert pager.overflows("a\n" * 23, 24)


def _recording_pager(tmp_path: Path) -> tuple[str, Path]:
    seen = tmp_path / "paged.txt"
    script = tmp_path / "pager.sh"
    script.write_text(f"#!/bin/sh\ncat > {seen}\necho PAGED-BY-TEST\n")
    script.chmod(0o755)
    return str(script), seen


def _spawn(*args: str, env: dict[str, str]) -> tuple[int, str]:
    environ = {**os.environ, "TERM": "xterm-256color", **env}
    environ.pop("NO_COLOR", None)
    child = pexpect.spawn(
        str(ATTUNE), list(args), env=environ, dimensions=(24, 80), encoding="utf-8", timeout=20
    )
    try:
        child.expect(pexpect.EOF)
        shown = child.before
    finally:
        child.close(force=True)
    return int(child.exitstatus or 0), shown


@pytest.mark.pty
def test_long_output_pages_at_a_terminal(data_dir: Path, tmp_path: Path) -> None:
    script, seen = _recording_pager(tmp_path)
    status, shown = _spawn("feelings", env={"PAGER": script})
    assert status == 0
    assert "PAGED-BY-TEST" in shown
    text = seen.read_text()
    assert "exhilarated" in text and text.count("\n") > 24
    assert "\x1b[" in text  # laid out for the terminal, colour included


@pytest.mark.pty
@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("feelings", "--no-pager"), {}),
        (("--no-pager", "feelings"), {}),
        (("feelings",), {"ATTUNE_PAGER": ""}),
        (("history",), {}),  # short: fits the screen
    ],
    ids=["--no-pager after", "--no-pager before", "ATTUNE_PAGER empty", "fits"],
)
def test_no_pager_when_asked_or_when_it_fits(
    data_dir: Path, tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    script, seen = _recording_pager(tmp_path)
    status, shown = _spawn(*args, env={"PAGER": script, **env})
    assert status == 0
    assert "PAGED-BY-TEST" not in shown and not seen.exists()


def test_never_in_a_pipe(data_dir: Path, tmp_path: Path) -> None:
    script, seen = _recording_pager(tmp_path)
    r = subprocess.run(
        [str(ATTUNE), "feelings"],
        capture_output=True,
        text=True,
        env={**os.environ, "PAGER": script},
        timeout=60,
    )
    assert r.returncode == 0
    assert "exhilarated" in r.stdout and not seen.exists()


def test_the_in_process_app_takes_no_pager_anywhere(cli: object) -> None:
    r = cli("feelings", "--no-pager")  # type: ignore[operator]
    assert r.exit_code == 0 and "exhilarated" in r.stdout


@pytest.mark.pty
def test_a_pager_that_is_not_there_still_shows_the_text(data_dir: Path) -> None:
    status, shown = _spawn("feelings", env={"PAGER": "/nonexistent/pager"})
    assert status == 0
    assert "exhilarated" in shown
