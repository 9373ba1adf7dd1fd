"""One rule for colour on every path: --no-color, NO_COLOR (non-empty), FORCE_COLOR,
TERM=dumb, else a terminal only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from attunecli.colour import wanted

ATTUNE = Path(sys.executable).with_name("attune")
ESC = "\x1b["


@pytest.mark.parametrize(
    ("isatty", "environ", "choice", "want"),
    [
        (True, {}, None, True),
        (False, {}, None, False),
        (True, {"NO_COLOR": "1"}, None, False),
        (True, {"NO_COLOR": ""}, None, True),  # set but empty: does not count
        (False, {"FORCE_COLOR": "1"}, None, True),
        (False, {"FORCE_COLOR": ""}, None, False),
        (False, {"FORCE_COLOR": "0"}, None, False),
        (True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, None, False),  # less wins
        (True, {"TERM": "dumb"}, None, False),
        (False, {"TERM": "dumb", "FORCE_COLOR": "1"}, None, True),
        (True, {}, False, False),  # --no-color first
        (False, {"NO_COLOR": "1"}, True, True),
    ],
)
def test_the_rule(isatty: bool, environ: dict[str, str], choice: bool | None, want: bool) -> None:
    assert wanted(isatty=isatty, environ=environ, choice=choice) is want


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(env)
    return subprocess.run(
        [str(ATTUNE), *args], capture_output=True, text=True, env=environ, timeout=60
    )


@pytest.mark.parametrize(
    "args",
    [("history",), ("feelings",), ("insights",), ("show", "LAST")],
    ids=["history (quick path)", "feelings", "insights (quick path)", "show"],
)
def test_force_color_through_a_pipe_and_no_color_empty(
    data_dir: Path, args: tuple[str, ...]
) -> None:
    made = _run("slow-down", "--feeling", "calm", "--intensity", "2", "--json")
    assert made.returncode == 0, made.stderr
    import json

    entry_id = json.loads(made.stdout)["id"]
    args = tuple(entry_id if a == "LAST" else a for a in args)
    plain = _run(*args)
    assert plain.returncode == 0, plain.stderr
    assert ESC not in plain.stdout  # a pipe: no colour
    forced = _run(*args, FORCE_COLOR="1")
    assert ESC in forced.stdout
    assert ESC in _run(*args, FORCE_COLOR="1", NO_COLOR="").stdout  # empty NO_COLOR: no say
    assert ESC not in _run(*args, FORCE_COLOR="1", NO_COLOR="1").stdout
