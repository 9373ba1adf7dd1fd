"""Progress bars for long work on a large store: the first full index build and `doctor`.

A bar is drawn on stderr at a terminal only, and only when there are enough files
for it to matter (`progress.BAR_FROM`); never on a pipe, never into stdout.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from attunecli import doctor, progress
from attunecli.index import Index
from attunecli.models import Answer, Entry
from attunecli.paths import resolve_paths
from attunecli.progress import BAR_FROM, LazyBar
from attunecli.store import Store, entry_bytes

TZ = timezone(timedelta(hours=-5))
START = datetime(2024, 1, 1, 9, 0, tzinfo=TZ)


def plant_many(data_dir: Path, n: int) -> None:
    """`n` small check-ins, written as the store writes them (without fsync)."""
    store = Store(data_dir)
    for i in range(n):
        when = START + timedelta(hours=7 * i)
        entry = Entry(
            f"{i:016x}",
            when,
            "slow-down",
            [
                Answer("feeling", "feeling", "Which word?", "calm", {"quadrant": "low-pleasant"}),
                Answer("intensity", "scale", "How strong?", i % 11, {"measure": "intensity"}),
                Answer("note", "text", "A note?", f"note {i}"),
            ],
        )
        path = store.path_for(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry_bytes(entry))
        path.chmod(0o600)  # as the store keeps them: doctor has nothing else to say
    for folder in [data_dir, *data_dir.rglob("*")]:
        if folder.is_dir():
            folder.chmod(0o700)


class Terminal(io.StringIO):
    """A stream that says it is a terminal (as Rich and `progress` ask)."""

    def isatty(self) -> bool:
        return True


def forced_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """stderr as a terminal (set in the test itself: pytest puts its own stderr back
    after the fixtures have run)."""
    monkeypatch.setenv("TERM", "xterm-256color")
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    return screen


def bar() -> LazyBar:
    """The bar the reading commands give the index (see `readers.open_index`)."""
    return LazyBar(sys.stderr, "Indexing entries")


def test_the_first_full_build_draws_a_bar_on_a_terminal(
    data_dir: Path, attune_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant_many(data_dir, BAR_FROM)
    screen = forced_terminal(monkeypatch)
    index = Index(data_dir / "entries", attune_dirs / "cache", on_progress=bar())
    conn = index.open_fresh()
    try:
        assert index.load_pending(conn) == BAR_FROM
        assert conn.execute("SELECT count(*) FROM entries WHERE loaded = 1").fetchone() == (
            BAR_FROM,
        )
    finally:
        conn.close()
    assert "Indexing entries" in screen.getvalue()
    # Fresh now: nothing to read, no bar.
    screen.seek(0)
    screen.truncate()
    conn = index.open_fresh()
    try:
        assert index.load_pending(conn) == 0
    finally:
        conn.close()
    assert screen.getvalue() == ""


def test_a_small_store_is_indexed_without_a_bar(
    data_dir: Path, attune_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant_many(data_dir, 20)
    screen = forced_terminal(monkeypatch)
    index = Index(data_dir / "entries", attune_dirs / "cache", on_progress=bar())
    conn = index.open_fresh()
    try:
        assert index.load_pending(conn) == 20
    finally:
        conn.close()
    assert screen.getvalue() == ""


def test_no_bar_when_stderr_is_not_a_terminal(
    data_dir: Path, attune_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant_many(data_dir, BAR_FROM)
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    index = Index(data_dir / "entries", attune_dirs / "cache", on_progress=bar())
    conn = index.open_fresh()
    try:
        assert index.load_pending(conn) == BAR_FROM
    finally:
        conn.close()
    assert piped.getvalue() == ""


def test_doctor_draws_a_bar_over_a_large_store_on_a_terminal(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    plant_many(data_dir, BAR_FROM)
    screen = Terminal()
    report = doctor.examine(resolve_paths(), on_progress=LazyBar(screen, "Checking entries"))
    assert report.entries_read == BAR_FROM
    assert "Checking entries" in screen.getvalue()
    piped = io.StringIO()
    assert (
        doctor.examine(resolve_paths(), on_progress=LazyBar(piped, "Checking entries")).entries_read
        == BAR_FROM
    )
    assert piped.getvalue() == ""


def test_doctor_on_a_small_store_draws_no_bar(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    plant_many(data_dir, 5)
    screen = Terminal()
    assert (
        doctor.examine(
            resolve_paths(), on_progress=LazyBar(screen, "Checking entries")
        ).entries_read
        == 5
    )
    assert screen.getvalue() == ""


def test_no_bar_under_term_dumb(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    plant_many(data_dir, BAR_FROM)
    screen = Terminal()
    doctor.examine(resolve_paths(), on_progress=LazyBar(screen, "Checking entries"))
    assert screen.getvalue() == ""


def test_the_bar_leaves_stdout_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is printed while a bar is up stays on stdout (Rich would move it to the bar's
    stream, stderr, by default)."""
    monkeypatch.setenv("TERM", "xterm-256color")
    screen = Terminal()
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    with progress.bars(screen, "Working") as (update,):
        update(1, 2)
        print("the output")
    assert out.getvalue() == "the output\n"
    assert "the output" not in screen.getvalue()


# The installed command, on a real pseudo-terminal and on pipes.
pexpect_mark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@pexpect_mark
@pytest.mark.pty
def test_first_insights_and_doctor_show_bars_on_a_pty_and_none_in_a_pipe(
    data_dir: Path, attune_dirs: Path
) -> None:
    pexpect = pytest.importorskip("pexpect")
    from tests.test_pty import command, finish, spawn

    plant_many(data_dir, BAR_FROM + 200)
    for args, label in (
        (("insights", "--all", "--json"), "Indexing entries"),
        (("doctor",), "Checking entries"),
    ):
        child = spawn(*args, ATTUNE_PAGER="")  # the output is taller than the screen
        child.logfile_read = seen = io.StringIO()
        try:
            status, _ = finish(child)
        finally:
            child.close(force=True)
        assert status == 0, seen.getvalue()[-500:]
        assert label in seen.getvalue()
    assert pexpect is not None
    index = attune_dirs / "cache" / "index.sqlite3"
    index.unlink()
    runs: dict[str, Any] = {}
    for name, args in (("insights", ["insights", "--all", "--json"]), ("doctor", ["doctor"])):
        runs[name] = subprocess.run(
            [*command(), *args], capture_output=True, text=True, timeout=120
        )
    assert runs["insights"].returncode == 0 and runs["insights"].stderr == ""
    assert json.loads(runs["insights"].stdout)  # stdout is the JSON alone
    assert runs["doctor"].returncode == 0 and runs["doctor"].stderr == ""
    assert f"{BAR_FROM + 200} entries read" in runs["doctor"].stdout
