"""A store full of things that are not good entries: every read command still works.

Each bad file is named exactly once (on stderr; `doctor` names them on stdout),
nothing is deleted, moved or rewritten, and a 50 MB file named like an entry
is never read into memory.

The helpers here (`seed_store`, `snapshot`) are shared with test_doctor.py and
test_forget.py.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from attunecli.models import SCHEMA_VERSION
from tests.conftest import VALIDATOR

HUGE_BYTES = 50 * 1024 * 1024
TIMEOUT = 60

# Bad cases planted next to the good entries; each is named once by a reading command.
# (The stray temp file is a hidden file: reading commands pass it by quietly, doctor names it.)
NAMED_BY_READERS = (
    "truncated",
    "invalid_json",
    "invalid_utf8",
    "newer_schema",
    "folder",
    "huge",
    "syncthing",
    "dropbox",
    "array",
)
REASONS = {
    "truncated": "not valid JSON",
    "invalid_json": "not valid JSON",
    "invalid_utf8": "not valid UTF-8",
    "newer_schema": f"written by a newer attune (schema {SCHEMA_VERSION + 1}",
    "folder": "not a regular file",
    "huge": "too large to be an entry",
    "syncthing": "a sync-conflict copy",
    "dropbox": "a sync-conflict copy",
    "array": "not a JSON object",
}
EXTRA_ID = "00000000000000e5"


@dataclass
class Seeded:
    month: Path
    good: dict[str, Path] = field(default_factory=dict)  # practice -> file
    ids: dict[str, str] = field(default_factory=dict)  # practice -> id
    bad: dict[str, Path] = field(default_factory=dict)  # case -> file (or folder)

    @property
    def all_paths(self) -> list[Path]:
        return [*self.good.values(), *self.bad.values()]


def _only_new(before: set[Path], data_dir: Path) -> Path:
    [new] = sorted(set((data_dir / "entries").rglob("*.json")) - before)
    return new


def seed_good(cli: Any, clock: Any, data_dir: Path) -> Seeded:
    """Three good entries written by attune itself: a slow-down, a quick check-in, a repair."""
    runs = {
        "slow-down": ["slow-down", "--feeling", "calm", "--intensity", "3", "--note", "fine"],
        "checkin": ["checkin", "--quick", "--feeling", "tired", "--intensity", "5"],
        "repair": [
            "repair",
            "--context",
            "friend",
            "--what",
            "I forgot the call",
            "--their-feeling",
            "hurt",
            "--my-part",
            "I did not write it down",
        ],
    }
    seeded: Seeded | None = None
    for practice, args in runs.items():
        before = set((data_dir / "entries").rglob("*.json"))
        r = cli(*args, "--json")
        assert r.exit_code == 0, r.stderr
        path = _only_new(before, data_dir)
        if seeded is None:
            seeded = Seeded(month=path.parent)
        seeded.good[practice] = path
        seeded.ids[practice] = json.loads(r.stdout)["id"]
        VALIDATOR.validate(json.loads(path.read_text(encoding="utf-8")))
        clock.advance(minutes=7)
    assert seeded is not None
    return seeded


def plant_bad(seeded: Seeded) -> None:
    """Every kind of file that is not a good entry, each with owner-only permissions."""
    month = seeded.month
    good = seeded.good["slow-down"]
    good_bytes = good.read_bytes()
    good_json = json.loads(good_bytes)

    def named(i: int) -> Path:
        return month / f"20261120T0{i}0000Z-{i:016x}.json"

    newer = dict(good_json, schema_version=SCHEMA_VERSION + 1, id=f"{2:016x}")
    extra = dict(good_json, id=EXTRA_ID, mood_colour="blue", written_by="attune 9.0")
    extra["answers"] = [dict(a, confidence=0.7) for a in good_json["answers"]]
    contents: dict[str, bytes] = {
        "truncated": good_bytes[: len(good_bytes) // 2],
        "invalid_json": b'{"schema_version": 1, "id": ',
        "invalid_utf8": b'{"schema_version": 1, "note": "caf\xe9 \xff\xfe"}',
        "newer_schema": json.dumps(newer).encode(),
        "array": json.dumps([good_json]).encode(),
    }
    for i, (case, data) in enumerate(contents.items(), start=1):
        path = named(i)
        path.write_bytes(data)
        seeded.bad[case] = path
    extra_path = month / f"20261120T070000Z-{EXTRA_ID}.json"
    extra_path.write_bytes(json.dumps(extra, indent=2).encode())
    seeded.bad["extra_fields"] = extra_path  # not bad at all: it must be read

    folder = named(8)
    folder.mkdir()
    (folder / "inside.json").write_bytes(good_bytes)
    seeded.bad["folder"] = folder

    huge = named(9)
    with huge.open("wb") as fh:
        fh.truncate(HUGE_BYTES)  # sparse: costs no disk
    seeded.bad["huge"] = huge

    syncthing = month / f"{good.stem}.sync-conflict-20261126-101010-ABCDEFG.json"
    dropbox = month / f"{good.stem} (conflicted copy 2026-11-26).json"
    for copy in (syncthing, dropbox):
        copy.write_bytes(good_bytes)
    seeded.bad["syncthing"] = syncthing
    seeded.bad["dropbox"] = dropbox

    temp = month / ".attune-tmp-999999-x"  # pid 999999 is above any pid_max
    temp.write_bytes(b'{"schema_version": 1, "id": "half')
    seeded.bad["temp"] = temp

    for p in seeded.bad.values():
        p.chmod(0o700 if p.is_dir() else 0o600)
    (folder / "inside.json").chmod(0o600)


def seed_store(cli: Any, clock: Any, data_dir: Path) -> Seeded:
    seeded = seed_good(cli, clock, data_dir)
    plant_bad(seeded)
    return seeded


def _fingerprint(path: Path) -> tuple[Any, ...]:
    st = path.lstat()
    kind = "dir" if stat.S_ISDIR(st.st_mode) else "link" if stat.S_ISLNK(st.st_mode) else "file"
    digest = ""
    if kind == "file":
        h = hashlib.sha256()
        with path.open("rb") as fh:
            if st.st_size > 2 * 1024 * 1024:  # big: its ends are enough, with size and mtime
                h.update(fh.read(65536))
                fh.seek(-65536, os.SEEK_END)
            h.update(fh.read())
        digest = h.hexdigest()
    elif kind == "link":
        digest = os.readlink(path)
    return (kind, stat.S_IMODE(st.st_mode), st.st_mtime_ns, st.st_size, digest)


def snapshot(root: Path) -> dict[str, tuple[Any, ...]]:
    """Every file and folder under `root` (hidden ones too): kind, mode, mtime, size, content."""
    if not root.exists():
        return {}
    out = {".": _fingerprint(root)}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            out[str(p.relative_to(root))] = _fingerprint(p)
    return out


def count(text: str, path: Path) -> int:
    return text.count(str(path))


@pytest.fixture
def seeded(cli: Any, clock: Any, data_dir: Path) -> Seeded:
    return seed_store(cli, clock, data_dir)


# What each reading command must name. `show` lists the folder (naming files that are not
# entry files) but reads only the entry it shows; remind is silent by design (cron mail).
ALL_READ = set(NAMED_BY_READERS)
ODD_NAMES = {"syncthing", "dropbox"}


def read_commands(s: Seeded) -> list[tuple[list[str], set[str], set[int]]]:
    return [
        (["history", "--last", "1000"], ALL_READ, {0}),
        (["history", "--last", "1000", "--json"], ALL_READ, {0}),
        (["show", s.ids["slow-down"][:6]], ODD_NAMES, {0}),
        (["show", s.ids["repair"], "--json"], ODD_NAMES, {0}),
        (["repairs"], ALL_READ, {0}),
        (["repairs", "--json"], ALL_READ, {0}),
        (["doctor"], ALL_READ | {"temp"}, {1}),
        (["doctor", "--json"], ALL_READ | {"temp"}, {1}),
        (["feelings"], set(), {0}),
        (["path"], set(), {0}),
        (["forget", "--before", "2001-01-01"], ALL_READ, {0}),
    ]


class OpenSpy:
    """Records every file opened during `run` (attune's reads, not the test's snapshots)."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.on = False

    def note(self, file: Any) -> None:
        if self.on and isinstance(file, str | bytes | os.PathLike):
            self.opened.append(os.fsdecode(file))

    def run(self, cli: Any, *args: str) -> Any:
        self.on = True
        try:
            return cli(*args)
        finally:
            self.on = False


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> OpenSpy:
    watcher = OpenSpy()
    for owner, name in ((builtins, "open"), (io, "open"), (os, "open"), (pathlib.Path, "open")):
        real = getattr(owner, name)

        def spied(file: Any, *a: Any, _real: Any = real, **kw: Any) -> Any:
            watcher.note(file)
            return _real(file, *a, **kw)

        monkeypatch.setattr(owner, name, spied)
    return watcher


@pytest.mark.planted
def test_every_read_command_still_works_names_each_file_once_and_changes_nothing(
    cli: Any, seeded: Seeded, data_dir: Path, spy: OpenSpy
) -> None:
    before = snapshot(data_dir)
    for args, expected, codes in read_commands(seeded):
        r = spy.run(cli, *args)
        where = " ".join(args)
        assert r.exit_code in codes, (where, r.exit_code, r.stderr)
        assert "Traceback" not in r.stdout + r.stderr, where
        named_in = r.stdout + r.stderr if args[0] == "doctor" else r.stderr
        for case, path in seeded.bad.items():
            want = 1 if case in expected else 0
            assert count(named_in, path) == want, (where, case, named_in)
            if args[0] != "doctor":
                assert count(r.stdout, path) == 0, (where, case)
        for line in r.stderr.splitlines():
            if "skipped" in line:
                assert line.startswith("attune: warning: skipped "), (where, line)
        if args[0] != "doctor":
            for case in expected:
                [line] = [x for x in r.stderr.splitlines() if str(seeded.bad[case]) in x]
                assert REASONS[case] in line, (where, case, line)
        # nothing under the data folder was deleted, added, rewritten or re-moded
        assert snapshot(data_dir) == before, where
    assert str(seeded.bad["huge"]) not in spy.opened, "the 50 MB file was opened"
    assert str(seeded.good["slow-down"]) in spy.opened  # the spy does see files being read


@pytest.mark.planted
def test_history_lists_every_good_entry_and_the_one_with_extra_fields(
    cli: Any, seeded: Seeded
) -> None:
    r = cli("history", "--last", "1000", "--json")
    assert r.exit_code == 0, r.stderr
    ids = [e["id"] for e in json.loads(r.stdout)]
    assert sorted(ids) == sorted([*seeded.ids.values(), EXTRA_ID])
    # and --last 1 still finds the newest good entry past the broken ones
    r = cli("history", "--last", "1", "--json")
    assert [e["id"] for e in json.loads(r.stdout)] == [seeded.ids["repair"]]
    repairs = json.loads(cli("repairs", "--json").stdout)
    assert [x["id"] for x in repairs] == [seeded.ids["repair"]]


@pytest.mark.planted
def test_an_entry_with_unknown_fields_is_read_and_kept_on_disk(cli: Any, seeded: Seeded) -> None:
    path = seeded.bad["extra_fields"]
    before = _fingerprint(path)
    r = cli("show", EXTRA_ID)
    assert r.exit_code == 0, r.stderr
    assert "Which word comes closest to what you feel?" in r.stdout
    assert "calm" in r.stdout
    assert count(r.stderr, path) == 0
    r = cli("show", EXTRA_ID, "--json")
    assert r.exit_code == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["id"] == EXTRA_ID
    assert _fingerprint(path) == before
    on_disk = json.loads(path.read_bytes())
    assert on_disk["mood_colour"] == "blue"
    assert all(a["confidence"] == 0.7 for a in on_disk["answers"])


@pytest.mark.planted
def test_show_json_prints_the_files_json_with_unknown_fields(cli: Any, seeded: Seeded) -> None:
    r = cli("show", EXTRA_ID, "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == json.loads(seeded.bad["extra_fields"].read_bytes())


@pytest.mark.planted
def test_show_names_what_it_cannot_read(cli: Any, seeded: Seeded) -> None:
    for case in ("truncated", "newer_schema", "array", "huge", "folder"):
        path = seeded.bad[case]
        r = cli("show", path.name.split("-")[1].removesuffix(".json"))
        assert r.exit_code == 1, (case, r.stderr)
        assert "Traceback" not in r.stderr
        assert "could not be read" in r.stderr
        assert count(r.stderr, path) == 2  # the warning, then the one-line error naming it
        assert path.exists()


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)  # ATTUNE_*_DIR point into tmp_path (autouse fixture)
    for name in ("NO_COLOR", "ATTUNE_NO_INPUT", "ATTUNE_DEBUG", "COLUMNS"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    return env


# Runs `python -m attunecli ARGS` as a grandchild and reports its peak RSS (KiB), so that
# other children this test process has reaped cannot hide or inflate the number.
RSS_WRAPPER = textwrap.dedent(
    """
    import resource, subprocess, sys
    report, *cmd = sys.argv[1:]
    code = subprocess.call(cmd)
    with open(report, "w") as fh:
        fh.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
    sys.exit(code)
    """
)


def _run_measured(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[Any, int]:
    report = tmp_path / f"rss-{len(list(tmp_path.glob('rss-*')))}.txt"
    proc = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, str(report), sys.executable, "-m", "attunecli", *args],
        capture_output=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT,
    )
    rss = int(report.read_text())
    report.unlink()
    return proc, rss


@pytest.mark.planted
def test_python_m_history_in_a_subprocess(
    cli: Any, seeded: Seeded, data_dir: Path, tmp_path: Path
) -> None:
    env = _subprocess_env()
    # A baseline: the same command over a copy of just the good entries.
    base_data = tmp_path / "baseline-data"
    for path in seeded.good.values():
        dest = base_data / path.relative_to(data_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    base, base_rss = _run_measured(
        tmp_path, dict(env, ATTUNE_DATA_DIR=str(base_data)), "history", "--last", "1000"
    )
    assert base.returncode == 0, base.stderr

    before = snapshot(data_dir)
    proc, rss = _run_measured(tmp_path, env, "history", "--last", "1000")
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "Traceback" not in out + err
    assert "\x1b" not in out + err  # not a terminal: no colour
    for case, path in seeded.bad.items():
        assert count(err, path) == (1 if case in NAMED_BY_READERS else 0), (case, err)
        assert count(out, path) == 0
    for practice_id in seeded.ids.values():
        assert practice_id[:8] in out
    assert EXTRA_ID[:8] in out
    assert len(err.splitlines()) == len(NAMED_BY_READERS)
    assert snapshot(data_dir) == before
    # The 50 MB file was never read: peak memory stays far below 50 MB over the baseline.
    assert rss - base_rss < 20 * 1024, (rss, base_rss)


@pytest.mark.planted
def test_the_rss_check_would_notice_a_read_of_the_big_file(tmp_path: Path) -> None:
    """The measurement above can fail: a child that reads 50 MB shows it."""
    huge = tmp_path / "huge"
    with huge.open("wb") as fh:
        fh.truncate(HUGE_BYTES)
    report = tmp_path / "rss.txt"
    code = f"data = open({str(huge)!r}, 'rb').read(); assert len(data) == {HUGE_BYTES}"
    subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, str(report), sys.executable, "-c", code],
        check=True,
        timeout=TIMEOUT,
    )
    small = tmp_path / "rss-small.txt"
    subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, str(small), sys.executable, "-c", "pass"],
        check=True,
        timeout=TIMEOUT,
    )
    assert int(report.read_text()) - int(small.read_text()) > 40 * 1024


@pytest.mark.planted
def test_remind_is_silent_about_bad_files_and_leaves_the_entries_alone(
    cli: Any, seeded: Seeded, spy: OpenSpy
) -> None:
    """remind is made for cron: it names nothing, and still decides from the good entries."""
    others = [p for p in seeded.all_paths if p != seeded.bad["temp"]]
    before = {p: _fingerprint(p) for p in others}
    r = spy.run(cli, "remind", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    assert str(seeded.bad["huge"]) not in spy.opened
    assert str(seeded.good["checkin"]) in spy.opened  # the index read the entries
    decided = json.loads(r.stdout)
    assert decided["checked_in"] is True  # the quick check-in, past all the broken files
    assert decided["due_repairs"] == []  # the repair's follow-up is tomorrow
    assert {p: _fingerprint(p) for p in others} == before


@pytest.mark.planted
def test_an_index_refresh_sweeps_the_stray_temp_file_and_nothing_else(
    cli: Any, seeded: Seeded
) -> None:
    """README: the next run that looks in that folder (a save, a reminder) removes it."""
    before = {p: _fingerprint(p) for p in seeded.all_paths if p != seeded.bad["temp"]}
    assert cli("remind", "--json").exit_code == 0
    assert not seeded.bad["temp"].exists()
    assert {p: _fingerprint(p) for p in before} == before


@pytest.mark.planted
def test_the_stray_temp_file_is_left_by_reading_commands(cli: Any, seeded: Seeded) -> None:
    """Reading commands that do not refresh the index leave it (doctor only names it)."""
    temp = seeded.bad["temp"]
    for args in (["history"], ["repairs"], ["show", seeded.ids["checkin"]], ["doctor"]):
        assert cli(*args).exit_code in (0, 1)
        assert temp.exists(), args


@pytest.mark.planted
def test_a_save_sweeps_the_stray_temp_file_and_nothing_else(
    cli: Any, seeded: Seeded, data_dir: Path
) -> None:
    before = {p: _fingerprint(p) for p in seeded.all_paths if p != seeded.bad["temp"]}
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2")
    assert r.exit_code == 0, r.stderr
    assert not seeded.bad["temp"].exists()
    assert {p: _fingerprint(p) for p in before} == before


@pytest.mark.planted
def test_a_lone_surrogate_in_a_valid_entry_file_in_process(cli: Any, seeded: Seeded) -> None:
    """In process (StringIO), a \\ud800 escape in an entry is just odd text."""
    path = _plant_surrogate(seeded)
    r = cli("history", "--last", "1000")
    assert r.exit_code == 0, r.stderr
    assert path.exists()


def _plant_surrogate(seeded: Seeded) -> Path:
    data = json.loads(seeded.good["slow-down"].read_bytes())
    data["id"] = "00000000000000d8"
    data["answers"][-1]["answer"] = "x\ud800y"
    path = seeded.month / "20261120T100000Z-00000000000000d8.json"
    # ensure_ascii: the file itself is valid UTF-8 and valid JSON ("x\\ud800y").
    path.write_bytes(json.dumps(data).encode("ascii"))
    path.chmod(0o600)
    return path


@pytest.mark.planted
@pytest.mark.parametrize("args", [["history", "--last", "1000"], ["history", "--json"]])
def test_a_lone_surrogate_escape_does_not_break_history_in_a_subprocess(
    cli: Any, seeded: Seeded, args: list[str]
) -> None:
    path = _plant_surrogate(seeded)
    proc = subprocess.run(
        [sys.executable, "-m", "attunecli", *args],
        capture_output=True,
        env=_subprocess_env(),
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT,
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    assert "unexpected error" not in err
    assert seeded.ids["repair"][:8] in proc.stdout.decode("utf-8", "replace")
    assert path.exists()


def test_an_unexpected_error_is_still_one_line(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attunecli import readers

    def broken(*args: Any, **filters: Any) -> list[Any]:
        raise UnicodeEncodeError("utf-8", "x\ud800", 1, 2, "surrogates not allowed\n*** hint")

    monkeypatch.setattr(readers, "recent_rows", broken)
    r = cli("history")
    assert r.exit_code == 1
    assert r.stderr.startswith("attune: unexpected error: UnicodeEncodeError")
    assert r.stderr.count("\n") == 1, r.stderr
