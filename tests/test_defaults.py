"""The quick path and the Typer commands answer the same question the same way when
no option is given: their defaults come from one place (`labels.py`)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from typer.main import get_command

from attunecli import labels
from attunecli.cli.app import app


def _default(command: str, option: str) -> Any:
    cmd = get_command(app).commands[command]  # type: ignore[attr-defined]
    [param] = [p for p in cmd.params if option in p.opts]
    return param.default


@pytest.mark.parametrize(
    ("command", "want"), [("history", labels.HISTORY_SHOWN), ("search", labels.SEARCH_SHOWN)]
)
def test_last_defaults_to_the_one_number(command: str, want: int) -> None:
    assert _default(command, "--last") == want


def test_the_quick_path_shows_as_many(cli: Any, clock: Any) -> None:
    for i in range(labels.HISTORY_SHOWN + 3):
        assert (
            cli("slow-down", "--feeling", "calm", "--intensity", "2", "--note", f"n{i}").exit_code
            == 0
        )
    quick = subprocess.run(
        [sys.executable, "-m", "attunecli", "history", "--json"], capture_output=True, text=True
    )
    assert quick.returncode == 0, quick.stderr
    assert len(json.loads(quick.stdout)) == labels.HISTORY_SHOWN
    typer_path = cli("history", "--json")  # in process, through Typer
    assert len(json.loads(typer_path.stdout)) == labels.HISTORY_SHOWN
