"""Every test gets its own data, config, state and cache folders; none can touch a real home."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from attunecli.cli import app
from attunecli.cli.deps import Deps

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "attunecli" / "schema" / "entry.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())

# A fixed moment in a non-UTC zone, so tests notice local/UTC mix-ups.
TZ = timezone(timedelta(hours=-5))
NOW = datetime(2026, 11, 25, 20, 30, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def attune_dirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path]:
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        monkeypatch.setenv(f"ATTUNE_{name}_DIR", str(tmp_path / name.lower()))
    # Belt and braces: even a test that drops the variables above lands in tmp_path.
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(home / f"xdg-{name.lower()}"))
    monkeypatch.delenv("ATTUNE_NO_INPUT", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("ATTUNE_DEBUG", raising=False)
    yield tmp_path
    # Every entry file a test leaves behind must follow the published schema once
    # brought up to date (a test may write an older version, as old stores hold),
    # except in tests that plant broken files on purpose.
    if request.node.get_closest_marker("planted") is None:
        from attunecli.store import migrate

        for path in sorted(tmp_path.rglob("entries/*/*/*.json")):
            VALIDATOR.validate(migrate(json.loads(path.read_text(encoding="utf-8"))))


@pytest.fixture
def data_dir(attune_dirs: Path) -> Path:
    return attune_dirs / "data"


def entry_files(data_dir: Path) -> list[Path]:
    root = data_dir / "entries"
    return sorted(root.rglob("*.json")) if root.exists() else []


def load_entries(data_dir: Path) -> list[dict[str, Any]]:
    """Every entry file, each checked against the published JSON Schema."""
    out = []
    for path in entry_files(data_dir):
        data = json.loads(path.read_text(encoding="utf-8"))
        VALIDATOR.validate(data)
        out.append(data)
    return out


def answers_of(entry: dict[str, Any]) -> dict[str, Any]:
    return {a["id"]: a["answer"] for a in entry["answers"]}


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cli(clock: Clock) -> Any:
    """Run attune in process with injected streams and clock; never a terminal unless asked."""

    def run(
        *args: str,
        stdin: str = "",
        interactive: bool = False,
        prompt_input: Any = None,
        prompt_output: Any = None,
        color: bool = False,
        schedulers: dict[str, Any] | None = None,
    ) -> Result:
        out, err = io.StringIO(), io.StringIO()
        deps = Deps(
            out=out,
            err=err,
            now=clock,
            interactive=interactive,
            color=color,
            width=100,
            prompt_input=prompt_input,
            prompt_output=prompt_output,
            stdin_text=lambda: stdin,
            schedulers=dict(schedulers or {}),
        )
        result = CliRunner().invoke(app, list(args), obj=deps, input=stdin, catch_exceptions=False)
        return Result(
            result.exit_code, out.getvalue() + result.stdout, err.getvalue() + result.stderr
        )

    return run


@pytest.fixture
def pipe() -> Iterator[Any]:
    """prompt_toolkit pipe input: send key codes as text ("\\x1b[B" down, "\\r" enter)."""
    from prompt_toolkit.input import create_pipe_input

    with create_pipe_input() as inp:
        yield inp
