"""Private by construction: no network, files 0600 and folders 0700 whatever the umask,
and nothing written outside the data, config, state and cache folders.

Every command is run in process (the list is checked against the Typer app, so a new
command cannot be missed) with sockets disabled: any attempt to open a connection is
recorded and fails the test, even if the program were to swallow the error.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from crontab import CronTab

from attunecli.cli import app
from attunecli.schedule import CronScheduler
from tests.conftest import Result

KEPT = ("data", "config", "state", "cache")


class MemoryCron(CronScheduler):
    """The real cron scheduler over an in-memory crontab: no test reads or writes a real one."""

    def __init__(self) -> None:
        super().__init__(user=False)
        self.tab = CronTab(tab="")

    def _tab(self) -> Any:
        return self.tab

    def _write(self, tab: Any) -> None:
        return None


class NetworkAttempt(OSError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every way Python code opens a connection or looks up a name raises, and is recorded."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[1:] if what.startswith('socket.') else args}")
            raise NetworkAttempt(f"attune tried to use the network: {what}")

        return blocked

    for name in ("__init__", "connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in (
        "create_connection",
        "getaddrinfo",
        "gethostbyname",
        "gethostbyname_ex",
        "gethostbyaddr",
        "socketpair",
        "fromfd",
    ):
        monkeypatch.setattr(socket, name, refuse(name))
    yield attempts


@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(old)


def runner(cli: Any, cron: MemoryCron, seen: set[tuple[str, ...]]) -> Any:
    root = typer.main.get_command(app)

    def path_of(args: tuple[str, ...]) -> tuple[str, ...]:
        node: Any = root
        found: list[str] = []
        for arg in args:
            commands = getattr(node, "commands", None)
            if not commands or arg not in commands:
                break
            node = commands[arg]
            found.append(arg)
        return tuple(found)

    def run(*args: str, stdin: str = "", codes: tuple[int, ...] = (0,)) -> Result:
        r: Result = cli(*args, stdin=stdin, schedulers={"cron": cron})
        assert r.exit_code in codes, (args, r.exit_code, r.stdout, r.stderr)
        assert "Traceback" not in r.stdout + r.stderr, args
        seen.add(path_of(args))
        return r

    return run


def every_command() -> set[tuple[str, ...]]:
    """Each command of the app, and each group that runs by itself (`attune repair`)."""
    found: set[tuple[str, ...]] = set()

    def walk(node: Any, path: tuple[str, ...]) -> None:
        commands = getattr(node, "commands", None)
        if commands is None or getattr(node, "invoke_without_command", False):
            found.add(path)
        for name, sub in (commands or {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    found.discard(())
    return found


def tree(root: Path) -> dict[str, tuple[str, int, int, int]]:
    out: dict[str, tuple[str, int, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            st = p.lstat()
            kind = "dir" if stat.S_ISDIR(st.st_mode) else "file"
            out[str(p.relative_to(root))] = (
                kind,
                stat.S_IMODE(st.st_mode),
                st.st_size,
                st.st_mtime_ns,
            )
    return out


def modes_under(attune_dirs: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    for name in KEPT:
        top = attune_dirs / name
        if not top.exists():
            continue
        found[name] = stat.S_IMODE(top.stat().st_mode)
        for p in top.rglob("*"):
            found[str(p.relative_to(attune_dirs))] = stat.S_IMODE(p.lstat().st_mode)
    return found


def assert_private(attune_dirs: Path) -> None:
    loose = {
        path: f"{mode:o}"
        for path, mode in modes_under(attune_dirs).items()
        if mode != (0o700 if (attune_dirs / path).is_dir() else 0o600)
    }
    assert loose == {}


def run_everything(run: Any, tmp_path: Path) -> None:
    """Every command at least once, the practices with options, --answers FILE and stdin."""
    answers = tmp_path / "inputs" / "answers.json"
    run("checkin", "--feeling", "calm", "--intensity", "3", "--note", "slept well")
    run("checkin", "--quick", "--answers", str(answers))
    r = run("slow-down", "--feeling", "anxious", "--intensity", "6", "--body", "chest", "--json")
    slow_id = json.loads(r.stdout)["id"]
    run("slow-down", "--answers", "-", stdin=json.dumps({"feeling": "tired", "intensity": 4}))
    run(
        "reflect",
        "--context",
        "partner",
        "--what",
        "said I never listen",
        "--their-feeling",
        "hurt",
        "--reply",
        "you should calm down",
    )
    run(
        "curious",
        "--about",
        "the late reply",
        "--story",
        "they don't care",
        "--other-explanation",
        "a busy day",
    )
    run("regulate", "--before", "7", "--exercise", "box-breathing", "--after", "4")
    r = run(
        "repair",
        "--context",
        "friend",
        "--what",
        "I forgot the call",
        "--their-feeling",
        "hurt",
        "--my-part",
        "I did not write it down",
        "--follow-up",
        "today",
        "--json",
    )
    repair_id = json.loads(r.stdout)["id"]
    run("remind", "--json")
    run("repairs")
    run("repairs", "--json")
    run("repair", "done", repair_id[:8], "--note", "we talked")
    run("history")
    run("history", "--json", "--since", "7d")
    run("show", slow_id[:6])
    run("show", slow_id, "--json")
    run("insights")
    run("insights", "--all", "--json")
    for fmt in ("json", "csv", "md"):
        run("export", "--format", fmt)
    exported = tmp_path / "inputs" / "export.jsonl"  # made before the snapshot, by the test
    exported.write_text(run("export", "--format", "jsonl").stdout)
    run("import", str(exported))
    run("search", "call")
    run("search", "call", "--json")
    run("feelings", "--quadrant", "low-pleasant")
    run("feelings", "--json")
    run("path")
    run("path", "--json")
    run("support")
    run("support", "--json")
    run("safety-plan", "--answers", "-", stdin=json.dumps({"warning_signs": ["not sleeping"]}))
    run("safety-plan", "--show")
    run("safety-plan", "--json")
    run("check-reply", "you should calm down")
    run("check-reply", "--json", "that sounds hard")
    run("help")
    run("help", "repair", "done")
    run("report", "-o", "-")
    run("practices")
    card = tmp_path / "inputs" / "my-card.toml"
    card.write_text(run("practices", "new", "my-card", "-o", "-").stdout)
    run("practices", "check", str(card))
    run("practices", "add", str(card))
    run("practices", "new", "second-card")  # into attune's own config folder
    run("run", "my-card", "--feeling", "calm", "--how-strong", "2")
    run("run", "thought-record", "--answers", "-", stdin=json.dumps(
        {"situation": "a late bus", "feeling": "annoyed", "before": 4, "thought": "always me"}
    ))  # fmt: skip
    run("config", "set", "attachment", "anxious")
    run("config", "set", "day-start", "05:30")
    run("config", "show")
    run("config", "show", "--json")
    run("config", "unset", "attachment")
    run("remind")
    run("remind", "--json", "--max-per-day", "3")
    run("schedule", "status")
    run("schedule", "status", "--json")
    for via in ("cron", "systemd", "launchd"):
        run("schedule", "install", "--at", "20:30", "--via", via, "--dry-run")
    run("schedule", "remove", "--yes")
    run("doctor", codes=(0,))
    run("doctor", "--json")
    run("doctor", "--fix", "--yes")


def test_the_network_guard_catches_what_it_should(no_network: list[str]) -> None:
    """The guard below can fail a test: every usual way out is refused and recorded."""
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    with pytest.raises(OSError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(OSError):
        socket.getaddrinfo("example.org", 443)
    with pytest.raises(OSError):
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)
    assert len(no_network) == 4


def test_every_command_runs_without_the_network_privately_and_in_its_own_folders(
    cli: Any,
    attune_dirs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_network: list[str],
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "answers.json").write_text(json.dumps({"feeling": "hopeful", "intensity": 5}))
    (inputs / "export.jsonl").write_text("")  # the test fills it from `attune export`
    (inputs / "my-card.toml").write_text("")  # and this from `attune practices new -o -`
    before = tree(tmp_path)

    seen: set[tuple[str, ...]] = set()
    run = runner(cli, MemoryCron(), seen)
    old = os.umask(0o000)
    try:
        run_everything(run, tmp_path)
        assert_private(attune_dirs)
        r = run("forget", "--all", codes=(2,))  # no terminal, no --yes: refused
        assert "--yes" in r.stderr
        run("forget", "--id", json.loads(run("history", "--json").stdout)[0]["id"], "--yes")
        run("forget", "--all", "--yes")
        assert_private(attune_dirs)
    finally:
        os.umask(old)

    assert no_network == []
    missing = every_command() - seen
    assert missing == set(), f"commands not run here: {sorted(missing)}"

    after = tree(tmp_path)
    changed = {p for p in after if before.get(p) != after[p]} | (set(before) - set(after))
    made_by_the_test = {
        os.path.join("inputs", "export.jsonl"),
        os.path.join("inputs", "my-card.toml"),
    }
    outside = sorted(
        p for p in changed if p.split(os.sep)[0] not in KEPT and p not in made_by_the_test
    )
    assert outside == []
    assert list(home.iterdir()) == []
    assert list(cwd.iterdir()) == []
    assert list(scratch.iterdir()) == []
    # and something was written where it belongs
    assert (attune_dirs / "config" / "config.toml").exists()
    assert (attune_dirs / "cache" / "index.sqlite3").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["checkin", "--feeling", "calm", "--intensity", "3"],
        ["checkin", "--quick", "--feeling", "calm", "--intensity", "3"],
        ["slow-down", "--feeling", "calm", "--intensity", "3", "--trigger", "x"],
        ["reflect", "--context", "child", "--what", "cried", "--their-feeling", "sad"],
        ["curious", "--about", "a", "--story", "b", "--other-explanation", "c"],
        ["regulate", "--before", "5", "--exercise", "grounding", "--after", "2"],
        ["repair", "--context", "self", "--what", "a", "--their-feeling", "sad", "--my-part", "b"],
    ],
)
def test_each_practice_under_umask_0_writes_only_private_files(
    cli: Any, attune_dirs: Path, umask_zero: None, no_network: list[str], args: list[str]
) -> None:
    seen: set[tuple[str, ...]] = set()
    run = runner(cli, MemoryCron(), seen)
    run(*args)
    files = [p for p in (attune_dirs / "data").rglob("*") if p.is_file()]
    assert len(files) == 1
    assert_private(attune_dirs)
    assert {p.name for p in attune_dirs.iterdir()} <= {*KEPT, "home"}
    assert no_network == []


def test_the_permission_check_can_fail(attune_dirs: Path) -> None:
    loose = attune_dirs / "data" / "entries"
    loose.mkdir(parents=True, mode=0o700)
    (attune_dirs / "data").chmod(0o700)
    (loose / "x.json").write_text("{}")
    (loose / "x.json").chmod(0o644)
    with pytest.raises(AssertionError):
        assert_private(attune_dirs)
