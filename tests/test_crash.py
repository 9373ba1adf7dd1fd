"""Crash safety, proven: savers SIGKILLed mid-save lose nothing, corrupt nothing.

A saver (tests/crash_saver.py, run as its own process) saves realistic entries
through `Store.save` in a loop and reports each id once `save` returned. The
parent SIGKILLs it at a random moment (0-60 ms after it said it was ready,
about half the entries 25-120 KB, so writes take a moment), or the saver
kills itself at one exact step of `write_atomic`. Then:

- every save the saver reported finished is on disk, byte for byte;
- every entry file parses, passes the published JSON Schema and reads back
  through the store; an entry the saver began but never reported is either
  absent or whole;
- nothing but the dead saver's temp files lies next to the entries;
- "the next run" (the README: the next save in that folder, or `attune doctor
  --fix`) removes those temp files and changes no entry file: a save in this
  process, a save in a new process, an index refresh as `attune remind` does
  followed by a save, or doctor's fix.

The random trials run three at a time (on two cores a third lane fills the
time the others spend sleeping or checking), each in its own data folder; a
clean trial's folder is removed at once. ATTUNE_CRASH_SEED=<seed> draws the same kill delays again.
benchmarks/soak.py runs the same trials, 1,000 of them by default.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from attunecli import fsutil
from attunecli.store import migrate
from tests import crash_saver as cs
from tests.conftest import NOW, VALIDATOR

TRIALS = 200
LANES = 3
SEED = os.environ.get("ATTUNE_CRASH_SEED") or secrets.token_hex(4)


def dirs(root: Path) -> tuple[Path, Path, Path]:
    return root / "data", root / "cache", root / "state"


def describe(trials: list[cs.Trial]) -> str:
    lines = [f"ATTUNE_CRASH_SEED={SEED}"]
    for t in trials[:10]:
        lines.append(f"trial seed {t.seed} ({t.kind}, kill after {t.delay_ms:.1f} ms):")
        lines += [f"  {p}" for p in t.problems[:8]]
    return "\n".join(lines)


def run_trials(tmp_path: Path, n: int, kinds: tuple[str, ...], **kw: object) -> list[cs.Trial]:
    """`n` random-kill trials, LANES at a time; the folders of clean trials are removed."""

    def one(i: int) -> cs.Trial:
        root = tmp_path / f"trial-{i:04d}"
        trial = cs.run_trial(
            root, f"{SEED}-{i}", kinds[i % len(kinds)], VALIDATOR.validate, when=NOW, **kw
        )
        if not trial.problems:
            shutil.rmtree(root, ignore_errors=True)
        return trial

    with ThreadPoolExecutor(LANES) as pool:
        return list(pool.map(one, range(n)))


def test_the_harness_looks_for_the_temp_files_write_atomic_makes() -> None:
    assert cs.TEMP_PREFIX == fsutil.TEMP_PREFIX


def test_savers_killed_at_random_moments_lose_and_corrupt_nothing(tmp_path: Path) -> None:
    started = time.perf_counter()
    trials = run_trials(tmp_path, TRIALS, cs.NEXT_RUNS)
    elapsed = time.perf_counter() - started

    bad = [t for t in trials if t.problems]
    assert not bad, f"{len(bad)} of {TRIALS} trials went wrong\n{describe(bad)}"
    assert all(t.killed for t in trials)
    assert Counter(t.kind for t in trials) == {k: TRIALS // len(cs.NEXT_RUNS) for k in cs.NEXT_RUNS}
    # The trials must really hit saves in progress, or they prove nothing.
    caught = sum(t.caught_temp > 0 for t in trials)
    reported = sum(t.reported for t in trials)
    assert caught >= TRIALS // 20, f"only {caught} of {TRIALS} kills found a temp file"
    assert reported >= TRIALS, f"only {reported} saves finished in {TRIALS} trials"
    assert sum(t.checked for t in trials) >= reported
    print(
        f"\n{TRIALS} kills in {elapsed:.1f} s: {caught} caught a temp file, "
        f"{sum(t.caught_linked > 0 for t in trials)} an entry linked but not reported; "
        f"{reported} saves reported, none lost (seed {SEED})"
    )


@pytest.mark.parametrize("kind", ["save", "index", "doctor"])
@pytest.mark.parametrize("point", cs.DIE_POINTS)
def test_a_kill_at_each_step_of_write_atomic(tmp_path: Path, point: str, kind: str) -> None:
    data, cache, state = dirs(tmp_path)
    run = cs.run_saver(
        data,
        size=50_000,
        when=NOW,
        extra=["--count", "3", "--die-at", point, "--arm-after", "1"],
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert len(run.saved) == 1 and len(run.begun) == 2
    (second,) = set(run.begun) - set(run.saved)
    linked = list((data / "entries").glob(f"*/*/*-{second}.json"))
    temps = cs.temp_files(data)

    assert bool(linked) == (point in cs.LINKED_POINTS)
    assert bool(temps) == (point in cs.TEMP_POINTS)
    assert all(t.name.startswith(f"{fsutil.TEMP_PREFIX}{run.pid}-") for t in temps)
    if point == "link":  # two names, one file: removing the temp name must leave the entry
        assert os.path.samefile(temps[0], linked[0])

    trial = cs.judge(cs.Trial(point, kind, 0.0), run, (data, cache, state), VALIDATOR.validate, NOW)
    assert not trial.problems, describe([trial])
    assert trial.checked == 1 + len(linked)
    assert not cs.temp_files(data)
    assert linked == [] or linked[0].exists()


@pytest.mark.planted
def test_control_the_checks_see_a_torn_write(tmp_path: Path) -> None:
    """A saver that writes in place instead of through a temp file, killed mid-write."""
    data = tmp_path / "data"
    run = cs.run_saver(
        data,
        size=50_000,
        when=NOW,
        extra=["--torn", "--count", "3", "--die-at", "write", "--arm-after", "1"],
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    check = cs.check_store(data, [run], VALIDATOR.validate)
    assert len(check.corrupt) == 1 and not check.lost, check.problems


@pytest.mark.planted
def test_control_random_kills_find_torn_writes(tmp_path: Path) -> None:
    """The random harness itself, pointed at the careless writer, must notice."""
    trials = run_trials(tmp_path, 20, ("save",), size=50_000, extra=["--torn"])
    assert sum(t.corrupt for t in trials) > 0, [t.problems for t in trials]


@pytest.mark.parametrize(
    "harm", ["delete", pytest.param("truncate", marks=pytest.mark.planted), "rewrite", "stray"]
)
def test_control_the_checks_see_lost_and_changed_entries(tmp_path: Path, harm: str) -> None:
    data = tmp_path / "data"
    run = cs.run_saver(data, size=2000, when=NOW, extra=["--count", "3"])
    assert run.returncode == 0 and len(run.saved) == 3
    assert not cs.check_store(data, [run], VALIDATOR.validate).problems
    victim = next((data / "entries").glob(f"*/*/*-{run.saved[1]}.json"))
    raw = victim.read_bytes()
    if harm == "delete":
        victim.unlink()
    elif harm == "truncate":
        victim.write_bytes(raw[: len(raw) // 2])
    elif harm == "rewrite":  # still valid JSON and schema, but not what was saved
        victim.write_bytes(raw.replace(b'"complete": ', b'"complete":  '))
    else:  # a temp file no killed saver left: a live writer's, or something else
        (victim.parent / f"{fsutil.TEMP_PREFIX}{os.getpid()}-x").write_bytes(raw[:10])
    check = cs.check_store(data, [run], VALIDATOR.validate)
    found = (len(check.lost), len(check.corrupt), len(check.unexpected))
    expected = {
        "delete": (1, 0, 0),
        "truncate": (1, 1, 0),
        "rewrite": (1, 1, 0),
        "stray": (0, 0, 1),
    }
    assert found == expected[harm], check.problems


def test_doctor_fix_from_the_command_line_cleans_up_after_kills(tmp_path: Path) -> None:
    trials = run_trials(tmp_path, 4, ("doctor-cli",), max_delay_ms=20.0)
    bad = [t for t in trials if t.problems]
    assert not bad, describe(bad)


@pytest.fixture
def live_pid() -> Iterator[subprocess.Popen[bytes]]:
    """The pid of a process that stays alive until the test kills it."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    proc.kill()
    proc.wait()


def test_next_runs_leave_a_live_writers_temp_file_alone(
    tmp_path: Path, live_pid: subprocess.Popen[bytes]
) -> None:
    data, cache, state = dirs(tmp_path)
    run = cs.run_saver(data, size=2000, when=NOW, extra=["--count", "2"])
    month = cs.month_dirs(data)[0]
    temp = month / f"{fsutil.TEMP_PREFIX}{live_pid.pid}-abc123"
    temp.write_bytes(b'{"half": "an en')  # a save in progress in another process
    expected = dict(run.begun)
    for kind in cs.NEXT_RUNS:
        before = cs.entry_snapshot(data)
        expected.update(cs.next_run(kind, data, cache, state, NOW))
        assert temp.exists(), f"{kind} removed the temp file of a running writer"
        after = cs.entry_snapshot(data)
        assert {k: after[k] for k in before} == before
    live_pid.kill()
    live_pid.wait()
    cs.next_run("save", data, cache, state, NOW)
    assert not temp.exists()
    assert not cs.check_store(data, [run], VALIDATOR.validate, also_expected=expected).lost


def soak(tmp_path: Path, *args: str) -> tuple[int, dict[str, int], str]:
    done = subprocess.run(
        [sys.executable, str(cs.ROOT / "benchmarks" / "soak.py"), "--jobs", "2", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cs.ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    figures = {k: int(v) for k, v in re.findall(r"^(\S.*?)\s{2,}(\d+)\b", done.stdout, re.M)}
    return done.returncode, figures, done.stdout + done.stderr


def test_the_soak_script_reports_a_clean_run(tmp_path: Path) -> None:
    code, figures, out = soak(tmp_path, "--trials", "5")
    assert code == 0, out
    assert figures["trials"] == figures["kills (saver ended by SIGKILL)"] == 5, out
    for name in ("lost", "corrupt", "temp files left after the next run"):
        assert figures[name] == 0, out
    assert not list(tmp_path.glob("attune-soak-*")), "a clean soak leaves nothing behind"


@pytest.mark.planted
def test_the_soak_script_fails_on_torn_writes(tmp_path: Path) -> None:
    code, figures, out = soak(tmp_path, "--trials", "10", "--torn", "--size", "50000")
    assert code == 1, out
    assert figures["corrupt"] > 0, out


def test_an_import_killed_at_random_moments_leaves_only_whole_entries(tmp_path: Path) -> None:
    """Batched writes (one sync a thousand) keep the single-save promise: after a kill -9,
    every entry file there is whole and exactly as exported; the rest is temp files."""
    import json
    import os
    import random
    import signal
    import subprocess
    import sys
    import time

    from attunecli.exchange import IMPORT_BATCH

    n = IMPORT_BATCH + 400  # more than one batch
    export = tmp_path / "all.jsonl"
    base = {
        "schema_version": 1,
        "practice": "slow-down",
        "complete": True,
        "app_version": "0.1.0",
        "answers": [{"id": "note", "kind": "text", "question": "Anything?", "answer": "x" * 200}],
    }
    lines = []
    for i in range(n):
        when = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+00:00"
        lines.append(json.dumps({**base, "id": f"{i:016x}", "created_at": when}))
    export.write_text("\n".join(lines) + "\n")
    # Each is written as the current schema has it (migrated on the way in).
    wanted = {json.loads(line)["id"]: migrate(json.loads(line)) for line in lines}
    attune = [sys.executable, "-m", "attunecli", "import", str(export)]
    rnd = random.Random(int(os.environ.get("ATTUNE_CRASH_SEED", "7")))
    for trial in range(4):
        root = tmp_path / f"t{trial}"
        env = {
            **os.environ,
            **{
                f"ATTUNE_{k}_DIR": str(root / k.lower())
                for k in ("DATA", "CONFIG", "STATE", "CACHE")
            },
        }
        child = subprocess.Popen(
            attune, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rnd.uniform(0.3, 2.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        for path in (root / "data").rglob("*.json"):
            data = json.loads(path.read_text())  # whole: it parses
            assert data == wanted[data["id"]], path
        strays = [p for p in (root / "data").rglob("*") if p.is_file() and p.suffix != ".json"]
        assert all(p.name.startswith(".attune-tmp-") for p in strays), strays
