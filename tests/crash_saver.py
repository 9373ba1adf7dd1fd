"""Helper processes for the crash and concurrency tests, and the harness that drives them.

Not a test module (pytest collects only test_*.py). Two halves:

1. The child side, run as ``python -m tests.crash_saver <mode> ...`` from the
   project root. It imports only what its mode needs (the store, the models,
   the index or the reminder), never Typer or the test tooling:

   - ``save DATA``: builds realistic entries (`Entry`/`Answer`, an aware
     `created_at`, ids from `engine.new_entry_id`) and calls
     ``Store(DATA).save(entry)`` in a loop. Protocol on stdout, one flushed
     line each: ``ready`` once everything is imported, then per entry
     ``begin <id> <sha256 of its bytes>`` before the save and ``saved <id>``
     after `save` returned. ``saved`` is the "exited 0" evidence: a save the
     saver reported finished must be on disk, whole, whatever happens next.
     ``--die-at POINT`` SIGKILLs the saver itself at one exact point inside
     `write_atomic` (see DIE_POINTS); ``--torn`` writes without the temp file
     (the control: a harness that cannot see torn files proves nothing);
     ``--count N`` or ``--until FILE`` end it normally (exit 0).
   - ``turns STATE DAY``: calls `remind.take_turn` in a loop, prints how many
     turns it got.
   - ``index DATA CACHE``: opens `Index(...).connection()` (which refreshes)
     once, or in a loop until a stop file appears; prints what it saw.
     ``--rebuild`` rebuilds the index in place first each time, as `attune
     doctor --fix` does.

   ``--go FILE`` holds a child after ``ready`` until FILE exists: the parent
   creates it once every child is ready, so they all start at the same moment.

2. The parent side (`run_trial` and friends): start a saver, SIGKILL it at a
   random moment, check every entry file, run "the next run" (a save, here or
   in a new process, an index refresh then a save, doctor --fix) and check
   that it removed the dead saver's temp files and touched no entry. Used by tests/test_crash.py and
   benchmarks/soak.py; it imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMP_PREFIX = ".attune-tmp-"  # as attunecli.fsutil.TEMP_PREFIX (checked in the tests)
GO_POLL_S = 0.0005

# Where --die-at kills the saver, in the order write_atomic passes them.
DIE_POINTS = (
    "mkstemp",  # the temp file exists, empty
    "write",  # data written and flushed, not yet fsynced
    "fsync",  # data fsynced
    "chmod",  # temp file chmod-ed, not yet linked
    "link",  # entry linked under its real name; the temp name still exists
    "unlink",  # temp name removed; directory not yet fsynced
    "sweep",  # save done except the sweep of stray temp files
)
# At these points the entry is already under its real name (whole) when the saver dies.
LINKED_POINTS = frozenset({"link", "unlink", "sweep"})
# At these points the dead saver's temp file is still there.
TEMP_POINTS = frozenset({"mkstemp", "write", "fsync", "chmod", "link"})

WORDS = [
    *("calm", "tired", "anxious", "hopeful", "tender", "restless", "grateful", "lonely"),
    *("café", "naïve", "grüße", "façade", "déjà-vu", "心", "静か", "😊", "🌧️", "—"),
    *("“quoted”", "‘single’", "we", "talked", "about", "the", "dishes", "again", "and"),
    *("I", "noticed", "my", "shoulders", "rise", "before", "I", "spoke", "tab\tstop"),
]
FEELINGS = {
    "calm": "low-pleasant",
    "content": "low-pleasant",
    "tired": "low-unpleasant",
    "lonely": "low-unpleasant",
    "anxious": "high-unpleasant",
    "irritated": "high-unpleasant",
    "excited": "high-pleasant",
    "hopeful": "high-pleasant",
}


# --- the child side -------------------------------------------------------------------


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _wait_for(go: str | None) -> None:
    if go:
        while not os.path.exists(go):
            time.sleep(GO_POLL_S)


def text_block(rng: random.Random, chars: int) -> str:
    """A long run of words (multi-byte UTF-8, tabs, newlines), made once per process."""
    parts: list[str] = []
    n = 0
    while n < min(chars, 8000):
        w = rng.choice(WORDS)
        sep = "\n" if rng.random() < 0.05 else " "
        parts.append(w + sep)
        n += len(w) + 1
    piece = "".join(parts)
    return piece * (chars // len(piece) + 1)


def make_entry(rng: random.Random, when: datetime, block: str, max_text: int) -> Any:
    """A realistic entry; about half carry a long text answer (up to `max_text` characters)."""
    from attunecli import __version__
    from attunecli.engine import new_entry_id
    from attunecli.models import Answer, Entry

    feeling = rng.choice(sorted(FEELINGS))
    long = rng.random() < 0.5 and max_text > 0
    n = rng.randint(max_text // 4, max_text) if long else rng.randint(20, 400)
    start = rng.randrange(0, max(1, len(block) - n))
    story = block[start : start + n]
    answers = [
        Answer(
            "arrive.feeling",
            "feeling",
            "Which word is closest to what you feel?",
            feeling,
            {"quadrant": FEELINGS[feeling], "own_word": False},
        ),
        Answer(
            "arrive.intensity",
            "scale",
            "How strong is it, 0 to 10?",
            rng.randint(0, 10),
            {"measure": "intensity"},
        ),
        Answer(
            "body.where",
            "multi",
            "Where do you notice it in your body?",
            rng.sample(["chest", "throat", "shoulders", "stomach", "jaw"], k=rng.randint(0, 3)),
        ),
        Answer("reflect.what", "text", "What happened?", story),
        Answer("reflect.need", "text", "What do you need now?", None),
        Answer("close.kind", "confirm", "Were you kind to yourself?", rng.random() < 0.5),
        Answer("close.when", "date", "When will you look at this again?", "2026-12-01"),
    ]
    return Entry(
        id=new_entry_id(),
        created_at=when,
        practice=rng.choice(["checkin", "reflect", "slow-down", "curious"]),
        answers=answers,
        complete=rng.random() < 0.9,
        app_version=__version__,
    )


def _arm(point: str) -> None:
    """Make the next pass through `point` inside write_atomic kill this process."""
    import tempfile

    from attunecli import store as store_mod

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def after(fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*a: Any, **kw: Any) -> Any:
            result = fn(*a, **kw)
            die()
            return result

        return wrapped

    def before(fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*a: Any, **kw: Any) -> Any:
            die()
            return fn(*a, **kw)

        return wrapped

    if point == "mkstemp":
        tempfile.mkstemp = after(tempfile.mkstemp)  # type: ignore[assignment]
    elif point == "write":
        os.fsync = before(os.fsync)
    elif point == "fsync":
        os.fsync = after(os.fsync)
    elif point == "chmod":
        os.chmod = after(os.chmod)
    elif point == "link":
        os.link = after(os.link)
    elif point == "unlink":
        os.unlink = after(os.unlink)
    elif point == "sweep":
        store_mod.sweep_temp_files = before(store_mod.sweep_temp_files)  # type: ignore[attr-defined]
    else:
        raise SystemExit(f"unknown --die-at point {point!r}")


def _save_torn(path: Path, data: bytes) -> None:
    """The control: write the entry in place, chunk by chunk, as a careless program would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        step = max(1, len(data) // 8)
        for i in range(0, len(data), step):
            os.write(fd, data[i : i + step])
            os.fsync(fd)
    finally:
        os.close(fd)


def child_save(args: argparse.Namespace) -> int:
    from attunecli.store import Store, entry_bytes

    rng = random.Random()
    block = text_block(rng, max(args.size, 1000) + 1000)
    store = Store(Path(args.data))
    fixed = datetime.fromisoformat(args.when) if args.when else None
    entry_bytes(make_entry(rng, datetime.now().astimezone(), block, 100))  # imports it all now
    _say("ready")
    _wait_for(args.go)
    _say(f"start {time.time():.6f}")
    i = 0
    while (args.count == 0 or i < args.count) and not (args.until and os.path.exists(args.until)):
        if args.die_at and i == args.arm_after:
            _arm(args.die_at)
        when = fixed + timedelta(seconds=i) if fixed else datetime.now().astimezone()
        entry = make_entry(rng, when, block, args.size)
        data = entry_bytes(entry)
        _say(f"begin {entry.id} {hashlib.sha256(data).hexdigest()}")
        if args.torn:
            _save_torn(store.path_for(entry), data)
        else:
            store.save(entry)
        _say(f"saved {entry.id}")
        i += 1
    _say(f"end {time.time():.6f}")
    return 0


def child_turns(args: argparse.Namespace) -> int:
    from datetime import date

    from attunecli.remind import take_turn

    day = date.fromisoformat(args.day)
    _say("ready")
    _wait_for(args.go)
    got = sum(take_turn(Path(args.state), day, args.max) for _ in range(args.times))
    _say(f"turns {got}")
    return 0


def child_index(args: argparse.Namespace) -> int:
    import sqlite3

    from attunecli.index import Index
    from attunecli.store import Store

    deleted = 0
    original = Index.delete

    def counting_delete(self: Index) -> None:
        # connection() deletes the index when sqlite raises; under concurrency that would
        # hide a "database is locked" and pull the file from under the other processes.
        nonlocal deleted
        deleted += 1
        original(self)

    Index.delete = counting_delete  # type: ignore[method-assign]
    index = Index.for_store(Store(Path(args.data)), Path(args.cache), sweep=True)
    _say("ready")
    _wait_for(args.go)
    rounds = errors = 0
    rows: list[tuple[Any, ...]] = []
    while True:
        try:
            if args.rebuild:
                index.rebuild()  # what `attune doctor --fix` does to rebuild the index
            with index.connection() as conn:
                rows = conn.execute(
                    "SELECT name, id, practice, complete, problem FROM entries ORDER BY name"
                ).fetchall()
        except sqlite3.Error as exc:
            if not args.keep_going:
                raise
            errors += 1
            _say(f"error {type(exc).__name__}: {exc}")
        rounds += 1
        if not args.until or os.path.exists(args.until):
            break
        _say(f"round {rounds}")
    digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()
    _say(f"index {rounds} {len(rows)} {digest} {deleted} {errors}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.crash_saver")
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("save")
    p.add_argument("data")
    p.add_argument("--count", type=int, default=0, help="entries to save; 0: until killed")
    p.add_argument("--size", type=int, default=100_000, help="most characters of long text")
    p.add_argument("--when", help="created_at of the first entry (ISO, aware); default: now")
    p.add_argument("--go")
    p.add_argument("--die-at", choices=DIE_POINTS)
    p.add_argument("--arm-after", type=int, default=0, help="saves to finish before --die-at")
    p.add_argument("--torn", action="store_true")
    p.add_argument("--until", help="stop saving (and exit 0) once this file exists")
    p = sub.add_parser("turns")
    p.add_argument("state")
    p.add_argument("day")
    p.add_argument("--times", type=int, default=20)
    p.add_argument("--max", type=int, default=3)
    p.add_argument("--go")
    p = sub.add_parser("index")
    p.add_argument("data")
    p.add_argument("cache")
    p.add_argument("--go")
    p.add_argument("--until", help="refresh in a loop until this file exists")
    p.add_argument("--rebuild", action="store_true", help="rebuild the index before each round")
    p.add_argument("--keep-going", action="store_true", help="count sqlite errors, go on")
    args = parser.parse_args(argv)
    mode: Callable[[argparse.Namespace], int] = {
        "save": child_save,
        "turns": child_turns,
        "index": child_index,
    }[args.mode]
    return mode(args)


# --- the parent side ------------------------------------------------------------------


def child_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.crash_saver", *args]


def popen(argv: list[str], **kw: Any) -> Any:
    import subprocess

    return subprocess.Popen(
        argv,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


@dataclass
class SaverRun:
    """What one saver said before it ended (or was killed)."""

    pid: int
    returncode: int
    ready: bool
    begun: dict[str, str]  # id -> sha256 of the bytes it was about to write
    saved: list[str]  # ids whose save returned
    stderr: str
    lines: list[str] = field(default_factory=list)

    def stamp(self, word: str) -> float | None:
        for line in self.lines:
            if line.startswith(word + " "):
                return float(line.split()[1])
        return None


def parse_run(pid: int, returncode: int, out: str, err: str) -> SaverRun:
    # Only whole lines count: a line cut short by the kill is not a report.
    lines = out.split("\n")[:-1]
    begun: dict[str, str] = {}
    saved: list[str] = []
    for line in lines:
        word, *rest = line.split() or [""]
        if word == "begin":
            begun[rest[0]] = rest[1]
        elif word == "saved":
            saved.append(rest[0])
    return SaverRun(pid, returncode, "ready" in lines, begun, saved, err, lines)


def finish(proc: Any, timeout: float = 60) -> SaverRun:
    out, err = proc.communicate(timeout=timeout)
    return parse_run(proc.pid, proc.returncode, out, err)


def saver_argv(
    data_dir: Path, *, size: int, when: datetime | None, extra: Iterable[str] = ()
) -> list[str]:
    argv = child_argv("save", str(data_dir), "--size", str(size), *extra)
    if when is not None:
        argv += ["--when", when.isoformat()]
    return argv


def run_saver(
    data_dir: Path, *, size: int, when: datetime | None, extra: Iterable[str] = ()
) -> SaverRun:
    """Run a saver to its end (it may kill itself with --die-at)."""
    return finish(popen(saver_argv(data_dir, size=size, when=when, extra=extra)))


def kill_saver(
    data_dir: Path,
    delay_s: float,
    *,
    size: int,
    when: datetime | None,
    extra: Iterable[str] = (),
) -> SaverRun:
    """Start a saver, SIGKILL it `delay_s` after it says it is ready, and reap it."""
    import subprocess

    proc = popen(saver_argv(data_dir, size=size, when=when, extra=extra))
    try:
        first = proc.stdout.readline()  # blocks until "ready" (or the saver died)
        if first == "ready\n":
            time.sleep(delay_s)
        proc.kill()  # SIGKILL
        proc.wait(timeout=30)  # reaped: its pid is dead, not a zombie, from here on
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    # Not communicate(): it reads the raw pipes and would drop what readline() buffered.
    with proc.stdout, proc.stderr:
        out, err = proc.stdout.read(), proc.stderr.read()
    return parse_run(proc.pid, proc.returncode, first + out, err)


def month_dirs(data_dir: Path) -> list[Path]:
    root = data_dir / "entries"
    return sorted(p for p in root.glob("*/*") if p.is_dir()) if root.is_dir() else []


def temp_files(data_dir: Path) -> list[Path]:
    return [p for d in month_dirs(data_dir) for p in d.iterdir() if p.name.startswith(TEMP_PREFIX)]


def entry_snapshot(data_dir: Path) -> dict[str, bytes]:
    """Every file under entries/ that is not a temp file, by relative path, with its bytes."""
    root = data_dir / "entries"
    if not root.is_dir():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(TEMP_PREFIX)
    }


@dataclass
class Check:
    checked: int = 0  # entry files read and validated
    lost: list[str] = field(default_factory=list)  # reported saved, not on disk whole
    corrupt: list[str] = field(default_factory=list)  # on disk, not a whole valid entry
    unexpected: list[str] = field(default_factory=list)  # files that should not be there

    @property
    def problems(self) -> list[str]:
        return [
            *(f"lost: {x}" for x in self.lost),
            *(f"corrupt: {x}" for x in self.corrupt),
            *(f"unexpected: {x}" for x in self.unexpected),
        ]


def check_store(
    data_dir: Path,
    runs: Iterable[SaverRun],
    validate: Callable[[Any], None],
    *,
    also_expected: dict[str, str] | None = None,
    known_good: set[str] | None = None,
) -> Check:
    """Every reported save on disk byte for byte; every entry file whole and valid.

    `validate` raises on a record that breaks the JSON Schema. An entry file the
    savers began but did not report (killed between link and report) must
    still be whole: it is checked against the hash the saver announced.
    `known_good` holds the hashes of files already validated (they are not
    validated again) and gains those validated now.
    """
    from attunecli.store import NAME_RE, Store

    runs = list(runs)
    begun: dict[str, str] = dict(also_expected or {})
    for r in runs:
        begun.update(r.begun)
    dead_pids = {r.pid for r in runs if r.returncode != 0}
    good = known_good if known_good is not None else set()
    check = Check()
    found: set[str] = set()
    warnings: list[str] = []
    store = Store(data_dir, warn=warnings.append)
    root = data_dir / "entries"
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        rel = str(path.relative_to(data_dir))
        if path.is_dir():
            if path.parent != root and path.parent.parent != root:
                check.unexpected.append(f"{rel} (a folder inside a month folder)")
            continue
        if path.name.startswith(TEMP_PREFIX):
            pid = path.name[len(TEMP_PREFIX) :].partition("-")[0]
            if not (pid.isdigit() and int(pid) in dead_pids):
                check.unexpected.append(f"{rel} (temp file of no killed saver)")
            continue
        m = NAME_RE.match(path.name)
        if m is None or path.parent.parent.parent != root:
            check.unexpected.append(f"{rel} (not an entry file name or place)")
            continue
        check.checked += 1
        entry_id = m.group(2)
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest in good:
            found.add(entry_id)
            continue
        why = _fault(path, raw, entry_id, store, validate, warnings)
        if why is not None:
            check.corrupt.append(f"{rel}: {why}")
        elif entry_id not in begun:
            check.unexpected.append(f"{rel} (a valid entry no saver began)")
        elif digest != begun[entry_id]:
            check.corrupt.append(f"{rel}: valid, but not the bytes the saver wrote")
        else:
            found.add(entry_id)
            good.add(digest)
    for r in runs:
        for entry_id in r.saved:
            if entry_id not in found:
                check.lost.append(f"{entry_id} (pid {r.pid} reported it saved; no whole file)")
    return check


def _fault(
    path: Path,
    raw: bytes,
    entry_id: str,
    store: Any,
    validate: Callable[[Any], None],
    warnings: list[str],
) -> str | None:
    """Why this entry file is not a whole, valid entry; None when it is."""
    try:
        record = json.loads(raw.decode("utf-8"))
        validate(record)
    except Exception as exc:  # any failure here is the finding
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    if record.get("id") != entry_id:
        return f"id {record.get('id')!r} inside"
    entry = store.load(path)
    if entry is None:
        return f"the store cannot read it: {warnings[-1:]}"
    if store.path_for(entry) != path:
        return "not where the store would put it"
    return None


# "The next run" after a kill: the README promises that the next save in that folder, or
# `attune doctor --fix`, removes a killed save's temp file. "save" saves in this process,
# "saver" in a new one, "index" refreshes the index (as `attune remind` does) and then saves,
# "doctor" runs doctor's examine and fix in this process ("doctor-cli": the real command).
NEXT_RUNS = ("save", "saver", "index", "doctor")


def next_run(
    kind: str, data_dir: Path, cache_dir: Path, state_dir: Path, when: datetime | None
) -> dict[str, str]:
    """Run one "next run"; returns {id: sha256} of any entry it saved itself."""
    from attunecli import doctor
    from attunecli.index import Index
    from attunecli.paths import Paths
    from attunecli.store import Store, entry_bytes

    if kind in ("save", "index"):
        if kind == "index":
            # What every `attune remind` does first. The README promises the sweep only
            # from a save in that folder or doctor --fix, so a save follows the refresh.
            with Index.for_store(Store(data_dir), cache_dir, sweep=True).connection() as conn:
                (n,) = conn.execute("SELECT count(*) FROM entries WHERE problem IS NULL").fetchone()
                (bad,) = conn.execute(
                    "SELECT count(*) FROM entries WHERE problem IS NOT NULL"
                ).fetchone()
            on_disk = len(list((data_dir / "entries").glob("*/*/*.json")))
            if (n, bad) != (on_disk, 0):
                raise AssertionError(
                    f"the index lists {n} entries and {bad} unreadable; {on_disk} on disk"
                )
        # A fresh Store.save in this (live, other) process.
        rng = random.Random()
        entry = make_entry(rng, when or datetime.now().astimezone(), text_block(rng, 2000), 1000)
        Store(data_dir).save(entry)
        return {entry.id: hashlib.sha256(entry_bytes(entry)).hexdigest()}
    if kind == "saver":  # a fresh Store.save in a new process
        run = run_saver(data_dir, size=1000, when=when, extra=["--count", "1"])
        if run.returncode != 0 or len(run.saved) != 1:
            raise AssertionError(f"next-run saver failed ({run.returncode}): {run.stderr}")
        return run.begun
    if kind in ("doctor", "doctor-cli"):
        paths = Paths(
            data=data_dir, config=data_dir.parent / "config", state=state_dir, cache=cache_dir
        )
        if kind == "doctor":  # what `attune doctor --fix --yes` does, in this process
            doctor.fix(paths, doctor.examine(paths))
            return {}
        import subprocess

        env = {
            **os.environ,
            "ATTUNE_DATA_DIR": str(paths.data),
            "ATTUNE_CONFIG_DIR": str(paths.config),
            "ATTUNE_STATE_DIR": str(paths.state),
            "ATTUNE_CACHE_DIR": str(paths.cache),
        }
        attune = Path(sys.executable).with_name("attune")
        done = subprocess.run(
            [str(attune), "doctor", "--fix", "--yes"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"attune doctor --fix --yes exited {done.returncode}: {done.stdout}{done.stderr}"
            )
        return {}
    raise ValueError(kind)


@dataclass
class Trial:
    seed: str
    kind: str
    delay_ms: float
    killed: bool = False  # SIGKILL ended it (not an early exit)
    caught_temp: int = 0  # temp files on disk right after the kill
    caught_linked: int = 0  # entries on disk the saver began but never reported
    reported: int = 0
    checked: int = 0
    lost: int = 0
    corrupt: int = 0
    unexpected: int = 0
    temps_left: int = 0  # after the next run
    touched: int = 0  # entries the next run changed or removed
    problems: list[str] = field(default_factory=list)


def judge(
    trial: Trial,
    run: SaverRun,
    dirs: tuple[Path, Path, Path],
    validate: Callable[[Any], None],
    when: datetime | None,
) -> Trial:
    """Check what a killed saver left, run the next run, check again; fills in `trial`."""
    data, cache, state = dirs
    trial.killed = run.returncode == -signal.SIGKILL
    if not trial.killed or not run.ready:
        trial.problems.append(f"saver ended {run.returncode}, not killed: {run.stderr[-2000:]}")
        return trial
    temps = temp_files(data)
    trial.caught_temp = len(temps)
    trial.reported = len(run.saved)
    saved = set(run.saved)
    trial.caught_linked = sum(
        1 for i in run.begun if i not in saved and list((data / "entries").glob(f"*/*/*-{i}.json"))
    )
    good: set[str] = set()
    check = check_store(data, [run], validate, known_good=good)
    trial.checked = check.checked
    trial.lost, trial.corrupt = len(check.lost), len(check.corrupt)
    trial.unexpected = len(check.unexpected)
    trial.problems += check.problems

    before = entry_snapshot(data)
    try:
        added = next_run(trial.kind, data, cache, state, when)
    except Exception as exc:  # reported, not raised: the trial is the unit of failure
        trial.problems.append(f"next run {trial.kind!r} failed: {type(exc).__name__}: {exc}")
        return trial
    left = temp_files(data)
    trial.temps_left = len(left)
    trial.problems += [f"temp file left after the next run ({trial.kind}): {p}" for p in left]
    after = entry_snapshot(data)
    for rel, raw in before.items():
        if after.get(rel) != raw:
            trial.touched += 1
            trial.problems.append(f"the next run ({trial.kind}) changed or removed {rel}")
    if trial.kind in ("save", "saver", "index") and len(after) != len(before) + 1:
        trial.problems.append(f"the next run saved {len(after) - len(before)} entries, not 1")
    again = check_store(data, [run], validate, also_expected=added, known_good=good)
    trial.problems += [f"after the next run: {p}" for p in again.problems]
    return trial


def run_trial(
    root: Path,
    seed: str,
    kind: str,
    validate: Callable[[Any], None],
    *,
    max_delay_ms: float = 60.0,
    size: int = 100_000,
    when: datetime | None = None,
    extra: Iterable[str] = (),
) -> Trial:
    """One saver SIGKILLed at a random moment, then one next run, in fresh dirs under `root`."""
    rng = random.Random(seed)
    dirs = (root / "data", root / "cache", root / "state")
    trial = Trial(seed, kind, rng.uniform(0, max_delay_ms))
    run = kill_saver(dirs[0], trial.delay_ms / 1000, size=size, when=when, extra=extra)
    return judge(trial, run, dirs, validate, when)


if __name__ == "__main__":
    sys.exit(main())
