"""Concurrency: processes saving at the same moment, with reminders and index refreshes alongside.

Entries are files written once under unique names, so saving takes no lock
at all. The two read-modify-writes take real ones: the reminder's daily count
an flock on remind.lock, the derived index SQLite's BEGIN IMMEDIATE. Every
process here is a real one (tests/crash_saver.py, or the installed `attune`),
held after start-up until the parent creates a "go" file, so they all begin
at the same moment.

Rebuilding the index the way `attune doctor --fix` does (emptied and filled
again in place, never deleted under another process) holds up as well.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attunecli.index import Index
from attunecli.paths import Paths, resolve_paths
from attunecli.store import Store, entry_bytes
from tests import crash_saver as cs
from tests.conftest import NOW, VALIDATOR, entry_files

ATTUNE = Path(sys.executable).with_name("attune")
WRITERS = 8
PER_WRITER = 100
TIMEOUT = 120


@pytest.fixture
def paths(attune_dirs: Path) -> Paths:
    return resolve_paths()  # the folders the autouse fixture put in the environment


class Child:
    """A child process whose stdout and stderr are drained all along, so it never blocks."""

    def __init__(self, argv: list[str]) -> None:
        self.proc = cs.popen(argv)
        self.out: list[str] = []
        self.err: list[str] = []
        self.ready = threading.Event()
        self.readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for t in self.readers:
            t.start()

    def _read(self, stream: Any, into: list[str]) -> None:
        for line in stream:
            into.append(line)
            if line == "ready\n":
                self.ready.set()
        self.ready.set()  # the child ended (or closed the pipe) without saying it

    def finish(self) -> cs.SaverRun:
        self.proc.wait(TIMEOUT)
        for t in self.readers:
            t.join(TIMEOUT)
        return cs.parse_run(
            self.proc.pid, self.proc.returncode, "".join(self.out), "".join(self.err)
        )


def start_ready(argvs: list[list[str]]) -> list[Child]:
    """Start every child and wait until each has said "ready" (imports done, waiting for go)."""
    children = [Child(argv) for argv in argvs]
    for child in children:
        child.ready.wait(TIMEOUT)
        if child.out[:1] != ["ready\n"]:
            for c in children:
                c.proc.kill()
            raise AssertionError(f"a child did not get ready: {child.out} {child.err}")
    return children


def finish_all(children: list[Child]) -> list[cs.SaverRun]:
    return [child.finish() for child in children]


def rounds_done(child: Child) -> int:
    return sum(line.startswith("round ") for line in list(child.out))


def index_lines(runs: list[cs.SaverRun]) -> list[list[str]]:
    out = []
    for run in runs:
        assert run.returncode == 0 and run.stderr == "", run.stderr
        (line,) = (ln for ln in run.lines if ln.startswith("index "))
        out.append(line.split()[1:])
    return out


class RemindLoop(threading.Thread):
    """`attune remind --json`, run again and again (as cron would, impatiently) until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.runs: list[subprocess.CompletedProcess[str]] = []

    def run(self) -> None:
        while not self.stop.is_set() or not self.runs:
            self.runs.append(
                subprocess.run(
                    [str(ATTUNE), "remind", "--json"],
                    capture_output=True,
                    text=True,
                    stdin=subprocess.DEVNULL,
                    timeout=TIMEOUT,
                    check=False,
                )
            )


def test_eight_writers_at_once_with_a_reminder_and_index_refreshes(
    paths: Paths, tmp_path: Path
) -> None:
    go, stop = tmp_path / "go", tmp_path / "stop"
    savers = start_ready(
        [
            cs.child_argv(
                "save",
                str(paths.data),
                "--count",
                str(PER_WRITER),
                "--size",
                "3000",
                "--go",
                str(go),
            )
            for _ in range(WRITERS)
        ]
    )
    (refresher,) = start_ready(
        [
            cs.child_argv(
                "index", str(paths.data), str(paths.cache), "--go", str(go), "--until", str(stop)
            )
        ]
    )
    reminder = RemindLoop()
    reminder.start()
    go.touch()
    runs = finish_all(savers)
    stop.touch()
    reminder.stop.set()
    reminder.join(TIMEOUT)
    (refreshed,) = index_lines(finish_all([refresher]))

    for run in runs:
        assert run.returncode == 0 and run.stderr == "", run.stderr
        assert len(run.saved) == PER_WRITER
    starts = [run.stamp("start") or 0.0 for run in runs]
    ends = [run.stamp("end") or 0.0 for run in runs]
    assert max(starts) < min(ends), "the writers did not overlap; nothing was tested"
    ids = [i for run in runs for i in run.saved]
    assert len(set(ids)) == WRITERS * PER_WRITER

    # All 800 there, each the exact bytes its writer produced, valid, readable, no leftovers.
    files = entry_files(paths.data)
    assert len(files) == WRITERS * PER_WRITER
    check = cs.check_store(paths.data, runs, VALIDATOR.validate)
    assert not check.problems, check.problems[:10]
    assert check.checked == WRITERS * PER_WRITER
    assert not cs.temp_files(paths.data)

    # The reminder ran throughout and never failed.
    assert reminder.runs
    for done in reminder.runs:
        assert done.returncode == 0 and done.stderr == "", done.stderr
        assert json.loads(done.stdout)["day"]
    # The refresher went round and round; its index was never thrown away as damaged.
    rounds, _, _, deleted, errors = refreshed
    assert int(rounds) >= 1 and deleted == errors == "0"
    print(
        f"\n{WRITERS} writers overlapped {min(ends) - max(starts):.2f} s; "
        f"{len(reminder.runs)} reminders and {rounds} index refreshes ran alongside"
    )

    with Index.for_store(Store(paths.data), paths.cache, sweep=True).connection() as conn:
        (total,) = conn.execute("SELECT count(*) FROM entries").fetchone()
        listed = {row[0] for row in conn.execute("SELECT id FROM entries WHERE problem IS NULL")}
    assert total == WRITERS * PER_WRITER
    assert listed == set(ids)
    # check_store above validated every file against the schema; spare the autouse
    # fixture validating all 800 again.
    shutil.rmtree(paths.data / "entries")


def test_an_index_rebuild_alongside_writers_reminders_and_refreshes(
    paths: Paths, tmp_path: Path
) -> None:
    made = make_store(paths.data, 200)
    go, stop = tmp_path / "go", tmp_path / "stop"
    data, cache = str(paths.data), str(paths.cache)
    savers = start_ready(
        [
            cs.child_argv("save", data, "--size", "2000", "--go", str(go), "--until", str(stop))
            for _ in range(2)
        ]
    )
    loops = start_ready(
        [
            cs.child_argv("index", data, cache, "--go", str(go), "--until", str(stop), *extra)
            for extra in (["--keep-going"], ["--keep-going", "--rebuild"])
        ]
    )
    reminder = RemindLoop()
    reminder.start()
    go.touch()
    # Two seconds of saving, refreshing, rebuilding and reminding, and at least five
    # rebuilds (a busy refresher can keep the rebuilder waiting for SQLite's lock).
    started = time.monotonic()
    while time.monotonic() - started < 2.0 or rounds_done(loops[1]) < 5:
        assert time.monotonic() - started < TIMEOUT, "the rebuilder is stuck"
        time.sleep(0.05)
    stop.touch()
    runs = finish_all(savers)
    reminder.stop.set()
    reminder.join(TIMEOUT)
    loop_runs = finish_all(loops)
    (refreshed, rebuilt) = index_lines(loop_runs)

    # The entries themselves are never at risk: all there, all whole.
    assert all(run.returncode == 0 and run.stderr == "" and run.saved for run in runs)
    check = cs.check_store(paths.data, runs, VALIDATOR.validate, also_expected=made)
    assert not check.problems, check.problems[:5]
    with Index.for_store(Store(paths.data), paths.cache, sweep=True).connection() as conn:
        (total,) = conn.execute("SELECT count(*) FROM entries").fetchone()
    assert total == check.checked == len(made) + sum(len(run.saved) for run in runs)
    shutil.rmtree(paths.data / "entries")  # validated above; spare the autouse fixture
    # Nothing that reads or rebuilds the index may fail meanwhile.
    failed = [r.stdout + r.stderr for r in reminder.runs if r.returncode != 0 or r.stderr]
    errors = [ln for run in loop_runs for ln in run.lines if ln.startswith("error ")]
    assert (failed, errors) == ([], []), (
        f"{len(failed)} of {len(reminder.runs)} reminders failed, "
        f"{len(errors)} index errors: {failed[:2]} {errors[:3]}"
    )
    assert refreshed[4] == rebuilt[4] == "0"


def test_the_daily_reminder_count_holds_under_eight_processes(paths: Paths, tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = start_ready(
        [
            cs.child_argv(
                "turns",
                str(paths.state),
                "2026-11-25",
                "--times",
                "20",
                "--max",
                "3",
                "--go",
                str(go),
            )
            for _ in range(WRITERS)
        ]
    )
    go.touch()
    runs = finish_all(procs)
    got = []
    for run in runs:
        assert run.returncode == 0 and run.stderr == "", run.stderr
        (line,) = (ln for ln in run.lines if ln.startswith("turns "))
        got.append(int(line.split()[1]))
    assert sum(got) == 3, got
    state = json.loads((paths.state / "remind.json").read_text())
    assert state == {"day": "2026-11-25", "count": 3}
    assert not list(paths.state.glob(".attune-tmp-*"))


def make_store(data: Path, n: int) -> dict[str, str]:
    """`n` entries through Store.save, over twelve months; returns {id: sha256 of the file}."""
    rng = random.Random(7)
    block = cs.text_block(rng, 4000)
    store = Store(data)
    made = {}
    for i in range(n):
        when = NOW.replace(month=1 + i % 12, day=1 + i % 28)
        entry = cs.make_entry(rng, when, block, 500)
        store.save(entry)
        made[entry.id] = hashlib.sha256(entry_bytes(entry)).hexdigest()
    return made


def test_eight_index_refreshes_at_once_on_a_fresh_store(paths: Paths, tmp_path: Path) -> None:
    made = make_store(paths.data, 300)
    go = tmp_path / "go"
    procs = start_ready(
        [
            cs.child_argv("index", str(paths.data), str(paths.cache), "--go", str(go))
            for _ in range(WRITERS)
        ]
    )
    go.touch()
    seen = index_lines(finish_all(procs))

    assert {tuple(s) for s in seen} == {(s[0], "300", seen[0][2], "0", "0") for s in seen}
    assert all(s[0] == "1" for s in seen)
    with Index.for_store(Store(paths.data), paths.cache, sweep=True).connection() as conn:
        rows = conn.execute(
            "SELECT name, id, practice, complete, problem FROM entries ORDER BY name"
        ).fetchall()
    assert hashlib.sha256(json.dumps(rows).encode()).hexdigest() == seen[0][2]
    assert {r[1] for r in rows} == set(made)
    assert all(r[2] and r[4] is None for r in rows)


@contextlib.contextmanager
def holding_every_lock(paths: Paths) -> Iterator[None]:
    """Hold the reminder's flock and the index's write lock, as a slow reader-writer would."""
    with Index.for_store(Store(paths.data), paths.cache, sweep=True).connection():
        pass  # build it, so there is a database to lock
    conn = Index.for_store(Store(paths.data), paths.cache, sweep=True)._connect()
    paths.state.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.state / "remind.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        conn.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        conn.close()
        os.close(fd)


def test_saving_takes_no_lock(paths: Paths, tmp_path: Path) -> None:
    """Saves go ahead while the reminder's and the index's locks are held; their users wait."""
    make_store(paths.data, 3)
    go = tmp_path / "go"
    with holding_every_lock(paths):
        waiters = start_ready(
            [
                cs.child_argv("index", str(paths.data), str(paths.cache), "--go", str(go)),
                cs.child_argv(
                    "turns", str(paths.state), "2026-11-25", "--times", "1", "--go", str(go)
                ),
            ]
        )
        go.touch()
        started = time.monotonic()
        saver = subprocess.run(
            cs.saver_argv(paths.data, size=2000, when=None, extra=["--count", "20"]),
            cwd=cs.ROOT,
            capture_output=True,
            text=True,
            timeout=8,  # less than the index's 10 s busy timeout; an flock would never end
        )
        took = time.monotonic() - started
        time.sleep(max(0.0, 0.5 - took))
        # The locks are real: both waiters are still waiting.
        assert [w.proc.poll() for w in waiters] == [None, None]
    runs = finish_all(waiters)
    assert saver.returncode == 0, saver.stderr
    assert len(cs.parse_run(0, 0, saver.stdout, "").saved) == 20
    assert len(entry_files(paths.data)) == 23
    # Once the locks are let go, the waiters finish and see everything.
    assert index_lines(runs[:1])[0][1] == "23"
    assert runs[1].returncode == 0 and "turns 1" in runs[1].lines
