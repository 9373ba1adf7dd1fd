"""`history`, `search` and `insights` over the derived index (index.py, readers.py).

Both doors (the quick path in quick.py and the Typer app) must print the same;
the index reads files lazily and forgets files that went; the running totals
agree with a recount; full-text and scanning search agree; the plain text views
lay out and fold text and never pass a user's escape character to the terminal.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunecli import entry as entry_point
from attunecli import indexing, insights, quick, readers, views
from attunecli.index import Index
from attunecli.insights import Insights, feeling_moments, figures, match_spans
from attunecli.models import Answer, Entry
from attunecli.plain import Painter, fold, highlight, literal, table, width_of
from attunecli.store import Store, entry_bytes, file_name
from benchmarks.synth import generate
from tests.conftest import Clock, entry_files
from tests.test_properties import PROPS

TZ = timezone(timedelta(hours=-5))
FAST = settings(PROPS, max_examples=40)
THOROUGH = settings(PROPS, max_examples=100)
QUADRANTS = ("high-pleasant", "high-unpleasant", "low-pleasant", "low-unpleasant")
# Every style code we paint with (plain._SGR), alone or combined, and the reset.
OUR_SGR = re.compile(r"\x1b\[(?:0|(?:1|2|7|32|33|36)(?:;(?:1|2|7|32|33|36))*)m")
NASTY = "\x1b[31m\x1b]0;owned\x07"  # not one of our codes: it can hide nowhere


# entries made by hand -----------------------------------------------------------------------


def ident(n: int) -> str:
    return f"{n:016x}"


def slow_down(when: datetime, n: int, note: str, feeling: str = "calm", level: int = 2) -> Entry:
    return Entry(
        ident(n),
        when,
        "slow-down",
        [
            Answer("body_where", "multi", "Where?", ["chest"]),
            Answer("feeling", "feeling", "Which word?", feeling, {"quadrant": "low-pleasant"}),
            Answer("intensity", "scale", "How strong?", level, {"measure": "intensity"}),
            Answer("trigger", "text", "What set it off?", None),
            Answer("note", "text", "Anything else?", note),
        ],
    )


def reflect(when: datetime, n: int, what: str, *more: str) -> Entry:
    answers = [
        Answer("context", "choice", "Who is it?", "partner"),
        Answer("what", "text", "What did they say?", what),
        Answer("their_feelings", "feelings", "Their feelings?", ["tired"]),
    ]
    answers += [Answer(f"extra{k}", "text", f"More {k}?", t) for k, t in enumerate(more)]
    return Entry(ident(n), when, "reflect", answers)


Moment = tuple[str, int | None, str | None, list[str]]  # word, intensity, quadrant, body


def checkin(when: datetime, n: int, moments: Sequence[Moment], note: str | None = None) -> Entry:
    answers = []
    for k, (word, level, quadrant, body) in enumerate(moments):
        sec = ("notice", "later", "evening", "night")[k]
        details: dict[str, Any] = {"quadrant": quadrant} if quadrant else {"own_word": True}
        answers += [
            Answer(f"{sec}.body_where", "multi", "Where?", body),
            Answer(f"{sec}.feeling", "feeling", "Which word?", word, details),
            Answer(f"{sec}.intensity", "scale", "How strong?", level, {"measure": "intensity"}),
        ]
    answers.append(Answer("close.note", "text", "One line to close with?", note))
    return Entry(ident(n), when, "checkin", answers)


def regulate(when: datetime, n: int, exercise: str, before: int, after: int) -> Entry:
    return Entry(
        ident(n),
        when,
        "regulate",
        [
            Answer("arousal_before", "scale", "Before?", before, {"measure": "arousal_before"}),
            Answer("exercise", "choice", "Which?", exercise),
            Answer("arousal_after", "scale", "After?", after, {"measure": "arousal_after"}),
        ],
    )


def repair(when: datetime, n: int, what: str, follow_up: date) -> Entry:
    return Entry(
        ident(n),
        when,
        "repair",
        [
            Answer("context", "choice", "Who?", "partner"),
            Answer("what", "text", "What happened?", what),
            Answer("follow_up", "date", "When?", follow_up.isoformat()),
        ],
    )


def plant(data_dir: Path, *entries: Entry) -> list[Path]:
    """Write entry files as the store does (without fsync: these are test files)."""
    store = Store(data_dir)
    paths = []
    for e in entries:
        path = store.path_for(e)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry_bytes(e))
        paths.append(path)
    return paths


def cache_dir(attune_dirs: Path) -> Path:
    return attune_dirs / "cache"


def index_db(attune_dirs: Path) -> sqlite3.Connection:
    return sqlite3.connect(cache_dir(attune_dirs) / "index.sqlite3")


def age_folders(data_dir: Path, seconds: float = 3600) -> None:
    """Make every month folder look settled, so the index trusts its modification time."""
    old = (datetime.now().timestamp() - seconds) * 1e9
    for month in (data_dir / "entries").glob("*/*"):
        os.utime(month, ns=(int(old), int(old)))


def jsons(text: str) -> Any:
    return json.loads(text)


# 1. the quick path and the Typer path print the same ----------------------------------------


def seed_mixed(data_dir: Path) -> None:
    """A few entries of several practices around now (the commands run on the real clock)."""
    now = datetime.now().astimezone().replace(microsecond=0)
    day = timedelta(days=1)
    plant(
        data_dir,
        slow_down(now - day, 1, "talked with my sister\x07 today"),
        reflect(now - 2 * day, 2, "Straße with my sister", "a walk along the Strasse"),
        checkin(
            now - 3 * day,
            3,
            [("anxious", 6, "high-unpleasant", ["chest", "jaw"]), ("wobbly", 4, None, [])],
            note="a long day",
        ),
        checkin(now - 4 * day, 4, [("anxious", 8, "high-unpleasant", ["chest"])]),
        regulate(now - 5 * day, 5, "box-breathing", 7, 4),
        repair(now - 6 * day, 6, "snapped at my sister", (now + 2 * day).date()),
        checkin(datetime(2026, 11, 10, 9, 0, tzinfo=TZ), 7, [("calm", 2, "low-pleasant", [])]),
        reflect(datetime(2026, 10, 30, 21, 0, tzinfo=TZ), 8, "my sister was tired"),
    )


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = entry_point.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


BOTH_WAYS = [
    (["history"], 0),
    (["history", "--last", "2", "--json"], 0),
    (["history", "--practice", "reflect"], 0),
    (["history", "--since", "2026-11-01", "--until", "2026-11-30"], 0),
    (["history", "-n", "3", "--practice", "checkin", "--json"], 0),
    (["history", "--last=1", "--since", "30d"], 0),
    (["history", "--last", str(2**64)], 0),  # more than SQLite can count: every entry
    (["history", "--practice", "nope"], 2),
    (["history", "--since", "not-a-day"], 2),
    (["history", "--since", "99999w"], 0),  # the year 110: far back, still a day
    (["history", "--since", "2026-11-20", "--until", "2026-11-01"], 2),
    (["search", "sister"], 0),
    (["search", "STRASSE", "--json"], 0),
    (["search", "sister", "--last", "2"], 0),
    (["search", "sister", "--all", "--practice", "reflect", "--json"], 0),
    (["search", "s", "-n", "3"], 0),
    (["search", "sister", "--last", str(2**64), "--json"], 0),
    (["search", "ß"], 0),
    (["search", "elephant"], 0),
    (["search", "x", "--practice", "nope"], 2),
    (["search", ""], 2),
    (["search", "sister", "--since", "someday"], 2),
    (["insights"], 0),
    (["insights", "--all", "--json"], 0),
    (["insights", "--since", "7d", "--json"], 0),
    (["insights", "--since", "2026-11-20", "--until", "2026-11-01"], 2),
    (["insights", "--all", "--since", "2026-11-01"], 2),
]


@pytest.mark.parametrize(("argv", "code"), BOTH_WAYS, ids=[" ".join(a) for a, _ in BOTH_WAYS])
def test_quick_path_and_typer_print_the_same(
    argv: list[str],
    code: int,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_mixed(data_dir)
    monkeypatch.setenv("COLUMNS", "100")
    answered: list[str] = []
    real_run = quick.run

    def spy(command: str, *rest: Any) -> None:
        answered.append(command)
        real_run(command, *rest)

    monkeypatch.setattr(quick, "run", spy)
    # The quick path first, on an index that does not exist yet (read lazily) ...
    fast = run_main(argv, capsys)
    assert answered == [argv[0]], "the quick path did not answer"
    # ... then Typer, on the index the first run left.
    monkeypatch.setattr(quick, "parse", lambda command, args: None)
    slow = run_main(argv, capsys)
    assert answered == [argv[0]], "the quick path answered although told not to"
    assert fast == slow
    assert fast[0] == code, fast[2]
    if code == 0:
        assert "Traceback" not in fast[2]
    else:
        assert fast[1] == "" and fast[2].count("\n") == 1 and fast[2].startswith("attune: ")


def test_both_paths_agree_on_a_fresh_index_too(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Typer first on a fresh index, the quick path second: the order does not matter."""
    seed_mixed(data_dir)
    argv = ["search", "sister", "--json"]
    with monkeypatch.context() as patched:
        patched.setattr(quick, "parse", lambda command, args: None)
        slow = run_main(argv, capsys)
    fast = run_main(argv, capsys)
    assert slow == fast and slow[0] == 0
    assert len(jsons(slow[1])) == 4


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("history", ["--help"]),
        ("search", ["-h"]),
        ("insights", ["--help"]),
        ("history", ["--bogus"]),
        ("history", ["--lats", "3"]),
        ("history", ["--last"]),
        ("search", ["x", "--practice"]),
        ("history", ["--last", "abc"]),
        ("history", ["--last", "0"]),
        ("history", ["--last", "-1"]),
        ("history", ["--last", "+3"]),
        ("history", ["--last", "３"]),
        ("search", ["x", "--last", "1.5"]),
        ("search", ["one", "two"]),
        ("search", []),
        ("search", ["--json"]),
        ("history", ["extra"]),
        ("insights", ["--json=yes"]),
        ("history", ["--", "x"]),
        ("history", ["-n3"]),
        ("export", []),
        ("remind", []),
    ],
)
def test_quick_parse_leaves_anything_unusual_to_typer(command: str, args: list[str]) -> None:
    assert quick.parse(command, args) is None


@pytest.mark.parametrize(
    ("command", "args", "options", "positional"),
    [
        ("history", [], {}, []),
        ("history", ["--last", "2", "--json"], {"--last": "2", "--json": True}, []),
        ("history", ["-n", "3", "--last=4"], {"--last": "4"}, []),  # the last one wins
        (
            "history",
            ["--since", "2026-11-01", "--until", "2026-11-30", "--practice", "reflect"],
            {"--since": "2026-11-01", "--until": "2026-11-30", "--practice": "reflect"},
            [],
        ),
        ("search", ["sister"], {}, ["sister"]),
        ("search", ["--practice", "reflect", "sister"], {"--practice": "reflect"}, ["sister"]),
        ("search", ["STRASSE", "--json", "--all"], {"--json": True, "--all": True}, ["STRASSE"]),
        ("search", [""], {}, [""]),
        ("search", ["-"], {}, ["-"]),
        ("insights", [], {}, []),
        ("insights", ["--all", "--json"], {"--all": True, "--json": True}, []),
        ("insights", ["--since=7d"], {"--since": "7d"}, []),
    ],
)
def test_quick_parse_takes_the_plain_forms(
    command: str, args: list[str], options: dict[str, Any], positional: list[str]
) -> None:
    assert quick.parse(command, args) == (options, positional)


# 2. lazy loading, files that go and files that change ----------------------------------------


@pytest.fixture
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files the index reads, in the order read."""
    names: list[str] = []
    real = indexing.load_files

    def counting(
        conn: sqlite3.Connection, root: str, rows: Sequence[tuple[int, str, str]], *rest: Any
    ) -> None:
        names.extend(name for _, _, name in rows)
        real(conn, root, rows, *rest)

    monkeypatch.setattr(indexing, "load_files", counting)
    return names


def test_history_after_the_index_is_deleted_reads_only_the_newest_files(
    data_dir: Path, attune_dirs: Path, cli: Any, counted_reads: list[str]
) -> None:
    generate(data_dir, 60, years=1, seed=3)
    names = [p.name for p in entry_files(data_dir)]
    assert len(names) == 60
    newest = sorted(names, reverse=True)

    index = Index(data_dir / "entries", cache_dir(attune_dirs))
    conn = index.open_fresh()
    try:
        rows = readers.recent_rows(index, conn, 3)
        assert [r[0].rpartition("/")[2] for r in rows] == newest[:3]
        assert 3 <= index.read <= 16  # a handful, not 60
        (pending,) = conn.execute("SELECT count(*) FROM entries WHERE loaded = 0").fetchone()
        assert pending == 60 - index.read
    finally:
        conn.close()
    assert sorted(counted_reads, reverse=True) == newest[: len(counted_reads)]

    index.delete()
    counted_reads.clear()
    r = cli("history", "--last", "3", "--json")
    assert r.exit_code == 0, r.stderr
    assert [e["id"] for e in jsons(r.stdout)] == [n[17:33] for n in newest[:3]]
    assert 3 <= len(counted_reads) <= 16

    r = cli("search", "sister")
    assert r.exit_code == 0, r.stderr
    # search read every file still pending, and each file once in all
    assert sorted(counted_reads) == sorted(names)
    with contextlib.closing(index_db(attune_dirs)) as db:
        assert db.execute("SELECT count(*) FROM entries WHERE loaded = 0").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM entries").fetchone() == (60,)
    counted_reads.clear()
    for again in (("history",), ("search", "sister"), ("insights", "--all")):
        assert cli(*again).exit_code == 0
    assert counted_reads == []  # nothing changed: nothing read


def test_history_with_a_filter_finds_the_newest_that_match(data_dir: Path, cli: Any) -> None:
    generate(data_dir, 60, years=1, seed=4)
    everything = [json.loads(p.read_text()) for p in entry_files(data_dir)]
    regulates = sorted(
        (file_name(Entry.from_json(e)) for e in everything if e["practice"] == "regulate"),
        reverse=True,
    )
    assert len(regulates) >= 2
    r = cli("history", "--practice", "regulate", "--last", "2", "--json")
    assert r.exit_code == 0, r.stderr
    assert [e["id"] for e in jsons(r.stdout)] == [n[17:33] for n in regulates[:2]]


def entry_rows(db: sqlite3.Connection, rowid: int) -> dict[str, int]:
    return {
        table: db.execute(f"SELECT count(*) FROM {table} WHERE entry = ?", (rowid,)).fetchone()[0]
        for table in ("moments", "body", "texts")
    }


def fts_hits(db: sqlite3.Connection, needle: str) -> list[int]:
    return [
        r
        for (r,) in db.execute(
            "SELECT rowid FROM texts_fts WHERE texts_fts MATCH ?", (f'"{needle}"',)
        )
    ]


def fts_consistent(db: sqlite3.Connection) -> None:
    # rank 1: also compare with the texts table it indexes ("malformed" if not)
    db.execute("INSERT INTO texts_fts (texts_fts, rank) VALUES ('integrity-check', 1)")


def test_a_removed_file_is_gone_from_every_command_and_table(
    data_dir: Path, attune_dirs: Path, cli: Any
) -> None:
    base = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    keep = checkin(base, 1, [("calm", 3, "low-pleasant", ["shoulders"])], note="kept words")
    gone = checkin(
        base + timedelta(days=1),
        2,
        [("elated", 9, "high-pleasant", ["face", "hands"])],
        note="zebra crossing",
    )
    _, gone_path = plant(data_dir, keep, gone)
    age_folders(data_dir)  # the month folder's time is trusted: only a change re-lists it

    assert "zebra" in cli("search", "zebra").stdout
    assert "elated" in cli("insights", "--all").stdout
    assert len(jsons(cli("history", "--json").stdout)) == 2
    with contextlib.closing(index_db(attune_dirs)) as db:
        assert db.execute("SELECT min(mtime_ns) FROM months").fetchone()[0] > 0  # trusted
        (rowid,) = db.execute("SELECT rowid FROM entries WHERE id = ?", (gone.id,)).fetchone()
        # texts: the two places (a multi answer), the feeling word and the note
        assert entry_rows(db, rowid) == {"moments": 1, "body": 2, "texts": 4}
        assert len(fts_hits(db, "zebra")) == 1

    gone_path.unlink()
    r = cli("search", "zebra")
    assert r.exit_code == 0 and r.stdout == "" and "Nothing found" in r.stderr
    assert [e["id"] for e in jsons(cli("history", "--json").stdout)] == [keep.id]
    data = jsons(cli("insights", "--all", "--json").stdout)
    assert [f["word"] for f in data["feelings"]] == ["calm"]
    assert data["quadrants"] == {"low-pleasant": 1}
    assert data["practice_counts"] == {"checkin": 1}
    assert "elated" not in cli("insights", "--since", "2026-11-01", "--until", "2026-11-30").stdout
    with contextlib.closing(index_db(attune_dirs)) as db:
        assert db.execute("SELECT count(*) FROM entries WHERE id = ?", (gone.id,)).fetchone() == (
            0,
        )
        assert entry_rows(db, rowid) == {"moments": 0, "body": 0, "texts": 0}
        assert fts_hits(db, "zebra") == []
        fts_consistent(db)
        totals = db.execute("SELECT word, named FROM word_totals WHERE named > 0").fetchall()
        assert totals == [("calm", 1)]


def test_a_month_folder_that_goes_takes_its_entries_with_it(
    data_dir: Path, attune_dirs: Path, cli: Any
) -> None:
    october = slow_down(datetime(2026, 10, 3, 9, 0, tzinfo=TZ), 1, "zebra in october")
    november = slow_down(datetime(2026, 11, 3, 9, 0, tzinfo=TZ), 2, "zebra in november")
    old_path, _ = plant(data_dir, october, november)
    assert len(jsons(cli("search", "zebra", "--json").stdout)) == 2
    old_path.unlink()
    old_path.parent.rmdir()
    found = jsons(cli("search", "zebra", "--json").stdout)
    assert [m["id"] for m in found] == [november.id]
    with contextlib.closing(index_db(attune_dirs)) as db:
        assert db.execute("SELECT count(DISTINCT entry) FROM texts").fetchone() == (1,)
        assert len(fts_hits(db, "zebra")) == 1
        fts_consistent(db)


def test_a_changed_file_is_read_again(data_dir: Path, attune_dirs: Path, cli: Any) -> None:
    when = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    first = slow_down(when, 1, "first words", feeling="calm", level=2)
    (path,) = plant(data_dir, first)
    age_folders(data_dir, 3600)
    assert len(jsons(cli("search", "first", "--json").stdout)) == 1

    # A sync tool replaces the file: a temp file renamed over it (the folder changes).
    second = slow_down(when, 1, "second, longer words", feeling="tense", level=7)
    second.answers[1].details = {"quadrant": "high-unpleasant"}
    temp = path.with_name(".attune-tmp-sync")
    temp.write_bytes(entry_bytes(second))
    os.replace(temp, path)
    age_folders(data_dir, 1800)  # still settled, but not the time the index knows

    assert cli("search", "first").stdout == ""
    found = jsons(cli("search", "SECOND", "--json").stdout)
    assert [m["text"] for m in found] == ["second, longer words"]
    assert "tense 7" in cli("history").stdout
    data = jsons(cli("insights", "--all", "--json").stdout)
    assert [(f["word"], f["mean_intensity"]) for f in data["feelings"]] == [("tense", 7.0)]
    with contextlib.closing(index_db(attune_dirs)) as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone() == (1,)
        assert db.execute("SELECT word, intensity FROM moments").fetchall() == [("tense", 7)]
        assert fts_hits(db, "first") == []
        fts_consistent(db)


def test_a_file_synced_in_with_the_folder_time_put_back_is_seen(data_dir: Path, cli: Any) -> None:
    """rsync -a, cp -a and tar restore a folder's modification time; its ctime still moves."""
    when = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    plant(data_dir, slow_down(when, 1, "here before"))
    age_folders(data_dir, 3600)
    assert len(jsons(cli("search", "before", "--json").stdout)) == 1
    (month,) = (data_dir / "entries").glob("*/*")
    kept = month.stat()
    plant(data_dir, slow_down(when + timedelta(hours=1), 2, "synced in later"))
    os.utime(month, ns=(kept.st_atime_ns, kept.st_mtime_ns))  # as rsync -a leaves it
    assert month.stat().st_mtime_ns == kept.st_mtime_ns
    assert [m["text"] for m in jsons(cli("search", "synced", "--json").stdout)] == [
        "synced in later"
    ]
    assert len(jsons(cli("history", "--json").stdout)) == 2


def test_a_month_folder_that_could_not_be_listed_is_listed_again(
    data_dir: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listing that fails (no permission, for one) does not leave the folder known as empty:
    `chmod` changes neither the folder's time nor anything else the index looks at."""
    (path,) = plant(data_dir, reflect(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), 1, "zebra"))
    age_folders(data_dir)
    month = str(path.parent)
    real_listdir = os.listdir

    def refused(where: Any = ".") -> list[str]:
        if os.fspath(where) == month:
            raise PermissionError(13, "Permission denied", month)
        return real_listdir(where)

    monkeypatch.setattr(os, "listdir", refused)
    r = cli("search", "zebra")
    assert r.stdout == "" and "Permission denied" in r.stderr
    monkeypatch.setattr(os, "listdir", real_listdir)
    assert "zebra" in cli("search", "zebra").stdout


def test_a_file_that_could_not_be_opened_is_read_again_once_it_can(
    data_dir: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, second = plant(
        data_dir,
        reflect(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), 1, "zebra one"),
        reflect(datetime(2026, 11, 21, 9, 0, tzinfo=TZ), 2, "zebra two"),
    )
    age_folders(data_dir)
    real_open = io.open

    def refused(file: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(file) == str(second):
            raise PermissionError(13, "Permission denied", str(second))
        return real_open(file, *args, **kwargs)

    real_access = os.access

    def no_access(file: Any, mode: int, **kwargs: Any) -> bool:
        return os.fspath(file) != str(second) and real_access(file, mode, **kwargs)

    monkeypatch.setattr(io, "open", refused)
    monkeypatch.setattr("builtins.open", refused)
    monkeypatch.setattr(os, "access", no_access)
    r = cli("search", "zebra", "--json")
    assert [m["text"] for m in jsons(r.stdout)] == ["zebra one"]
    assert "Permission denied" in r.stderr
    monkeypatch.setattr(io, "open", real_open)  # chmod: the file, its size and time unchanged
    monkeypatch.setattr("builtins.open", real_open)
    monkeypatch.setattr(os, "access", real_access)
    r = cli("search", "zebra", "--json")
    assert [m["text"] for m in jsons(r.stdout)] == ["zebra two", "zebra one"]
    assert r.stderr == ""


@pytest.mark.planted
def test_an_entry_the_index_cannot_hold_is_named_and_the_rest_still_answer(
    data_dir: Path, cli: Any, attune_dirs: Path
) -> None:
    """A hand-edited number past 64 bits: one file skipped, not every command broken."""
    fine = slow_down(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), 1, "zebra fine")
    huge = checkin(
        datetime(2026, 11, 21, 9, 0, tzinfo=TZ), 2, [("calm", 10**30, None, [])], "zebra huge"
    )
    odd = slow_down(datetime(2026, 11, 22, 9, 0, tzinfo=TZ), 3, "zebra odd")
    odd.refers_to = ["not", "text"]  # type: ignore[assignment]  # SQLite cannot hold a list
    _, huge_path, odd_path = plant(data_dir, fine, huge, odd)
    r = cli("history", "--json")
    assert r.exit_code == 0 and [e["id"] for e in jsons(r.stdout)] == [fine.id]
    assert f"skipped {huge_path}: not a valid entry" in r.stderr
    assert f"skipped {odd_path}: not a valid entry" in r.stderr
    assert [m["text"] for m in jsons(cli("search", "zebra", "--json").stdout)] == ["zebra fine"]
    data = jsons(cli("insights", "--all", "--json").stdout)
    assert data["practice_counts"] == {"slow-down": 1}  # the running totals, over it all
    assert data["checkin_days"] == []
    with contextlib.closing(index_db(attune_dirs)) as db:
        assert_totals_match(db)
        fts_consistent(db)


def test_a_file_in_another_month_folder_is_read_from_where_it_is(data_dir: Path, cli: Any) -> None:
    """Moved by hand: every command finds it where the index saw it, not where its name says."""
    when = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    (path,) = plant(data_dir, repair(when, 1, "zebra", date(2026, 11, 22)))
    moved = data_dir / "entries" / "2026" / "12" / path.name
    moved.parent.mkdir()
    path.rename(moved)
    r = cli("history", "--json")
    assert [e["id"] for e in jsons(r.stdout)] == [ident(1)] and r.stderr == ""
    r = cli("repairs", "--json")
    assert [e["id"] for e in jsons(r.stdout)] == [ident(1)] and r.stderr == ""


# 3. the running totals agree with a recount -------------------------------------------------


def assert_totals_match(conn: sqlite3.Connection) -> None:
    days = {
        d: (rated, total)
        for d, rated, total in conn.execute("SELECT day, rated, intensity FROM day_totals")
        if (rated, total) != (0, 0)
    }
    recount = {
        d: (rated, total or 0)
        for d, rated, total in conn.execute(
            "SELECT day, count(intensity), sum(intensity) FROM moments GROUP BY day"
        )
        if (rated, total or 0) != (0, 0)
    }
    assert days == recount
    words = {
        (w, q): (named, rated, total)
        for w, q, named, rated, total in conn.execute(
            "SELECT word, quadrant, named, rated, intensity FROM word_totals"
        )
        if (named, rated, total) != (0, 0, 0)
    }
    regrouped = {
        (w, q): (named, rated, total or 0)
        for w, q, named, rated, total in conn.execute(
            "SELECT word, coalesce(quadrant, ''), count(*), count(intensity), sum(intensity) "
            "FROM moments GROUP BY 1, 2"
        )
    }
    assert words == regrouped
    # no total ever goes below zero
    assert conn.execute(
        "SELECT count(*) FROM word_totals WHERE named < 0 OR rated < 0"
    ).fetchone() == (0,)


moments_st = st.lists(
    st.tuples(
        st.sampled_from(["calm", "anxious", "tired", "wobbly"]),
        st.one_of(st.none(), st.integers(0, 10)),
        st.one_of(st.none(), st.sampled_from(QUADRANTS)),
        st.lists(st.sampled_from(["chest", "jaw", "hands"]), max_size=2, unique=True),
    ),
    min_size=0,
    max_size=3,
)
ops_st = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 4), moments_st),
        st.tuples(st.just("remove"), st.integers(0, 50), st.just([])),
        st.tuples(st.just("rewrite"), st.integers(0, 50), moments_st),
    ),
    min_size=1,
    max_size=10,
)


@THOROUGH
@given(ops=ops_st)
def test_running_totals_agree_with_a_recount_after_adds_and_removals(
    ops: list[tuple[str, int, list[Moment]]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        index = Index(data / "entries", None)
        conn = index.open_fresh()
        on_disk: dict[Path, Entry] = {}
        stamp = 1_700_000_000_000_000_000
        try:
            for n, (op, arg, moments) in enumerate(ops):
                known = sorted(on_disk)
                if op == "add":
                    when = datetime(2026, 11, 1 + arg, 8, 0, n, tzinfo=TZ)
                    e = checkin(when, n + 1, moments, note=f"note {n}")
                    (path,) = plant(data, e)
                    on_disk[path] = e
                elif not known:
                    continue
                else:
                    path = known[arg % len(known)]
                    if op == "remove":
                        path.unlink()
                        del on_disk[path]
                    else:
                        old = on_disk[path]
                        e = checkin(old.created_at, int(old.id, 16), moments, note=f"again {n}")
                        temp = path.with_name(".attune-tmp-x")
                        temp.write_bytes(entry_bytes(e))
                        os.replace(temp, path)
                        on_disk[path] = e
                if path.exists():
                    stamp += 1_000_000_000  # a size or time the index has not seen
                    os.utime(path, ns=(stamp, stamp))
                index.refresh(conn)
                index.load_pending(conn)
                assert_totals_match(conn)
                expected = Counter(
                    (w, i, q) for e in on_disk.values() for w, i, q, _ in feeling_moments(e)
                )
                assert Counter(conn.execute("SELECT word, intensity, quadrant FROM moments")) == (
                    expected
                )
                texts = sum(len(indexing.texts(e)) for e in on_disk.values())
                assert conn.execute("SELECT count(*) FROM texts").fetchone() == (texts,)
                if index.fts:
                    fts_consistent(conn)
        finally:
            conn.close()


def test_running_totals_agree_after_removing_part_of_a_big_store(
    data_dir: Path, attune_dirs: Path, cli: Any
) -> None:
    generate(data_dir, 60, years=1, seed=5)
    assert cli("insights", "--all").exit_code == 0
    files = entry_files(data_dir)
    for path in files[::3]:
        path.unlink()
    assert cli("insights", "--all").exit_code == 0
    with contextlib.closing(index_db(attune_dirs)) as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone() == (len(files) - 20,)
        assert db.execute("SELECT count(*) FROM moments").fetchone()[0] > 0
        assert_totals_match(db)
        fts_consistent(db)


# 4. figures over the whole store: the totals and the moments agree ---------------------------


def entry_st(n: int) -> st.SearchStrategy[Entry]:
    day = st.integers(0, 40).map(lambda k: date(2026, 10, 1) + timedelta(days=k))

    def at(d: date, hour: int) -> datetime:
        return datetime(d.year, d.month, d.day, hour, n % 60, tzinfo=TZ)

    return st.one_of(
        st.builds(lambda d, m: checkin(at(d, 20), n, m), day, moments_st),
        st.builds(
            lambda d, ex, b, a: regulate(at(d, 9), n, ex, b, a),
            day,
            st.sampled_from(["box-breathing", "grounding"]),
            st.integers(0, 10),
            st.integers(0, 10),
        ),
        st.builds(lambda d: repair(at(d, 12), n, "x", d), day),
        st.builds(lambda d: slow_down(at(d, 7), n, "y"), day),
    )


stores_st = st.integers(1, 12).flatmap(
    lambda size: st.tuples(*[entry_st(n + 1) for n in range(size)])
)


@THOROUGH
@given(entries=stores_st)
def test_figures_over_the_whole_store_agree_both_ways(entries: tuple[Entry, ...]) -> None:
    conn = indexing.memory_index(entries)
    try:
        days = sorted(e.created_at.date() for e in entries)
        today = days[-1] + timedelta(days=3)
        for since, until in ((days[0], days[-1]), (days[0] - timedelta(days=5), today)):
            assert insights.covers_everything(conn, since, until)
            whole = figures(conn, since=since, until=until, today=today)
            with mock.patch.object(insights, "covers_everything", return_value=False):
                counted = figures(conn, since=since, until=until, today=today)
            assert whole == counted
    finally:
        conn.close()


def test_an_empty_quadrant_counts_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hand-edited file may say "quadrant": "": both ways count it as a word of one's own."""
    d = date(2026, 11, 20)
    e = checkin(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), 1, [("odd", 5, "low-pleasant", [])])
    e.answers[1].details = {"quadrant": ""}
    other = checkin(datetime(2026, 11, 21, 9, 0, tzinfo=TZ), 2, [("odd", 3, None, [])])
    conn = indexing.memory_index([e, other])
    try:
        span = {"since": d, "until": d + timedelta(days=1), "today": d}
        assert insights.covers_everything(conn, d, d + timedelta(days=1))
        whole = figures(conn, **span)
        monkeypatch.setattr(insights, "covers_everything", lambda *a: False)
        counted = figures(conn, **span)
    finally:
        conn.close()
    assert whole == counted
    assert counted.quadrants == {}
    assert [(f.word, f.count, f.mean_intensity) for f in counted.feelings] == [("odd", 2, 4.0)]


# 5. search -----------------------------------------------------------------------------------


def test_search_is_newest_first_then_in_answer_order(data_dir: Path, cli: Any) -> None:
    base = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    older = reflect(base, 1, "sister first", "no match here", "sister second", "SISTER third")
    newer = slow_down(base + timedelta(hours=2), 2, "my Sister again")
    middle = reflect(base + timedelta(hours=1), 3, "nothing", "sister in the middle")
    plant(data_dir, older, newer, middle)
    found = jsons(cli("search", "sister", "--json").stdout)
    assert [(m["id"], m["answer_id"]) for m in found] == [
        (newer.id, "note"),
        (middle.id, "extra0"),
        (older.id, "what"),
        (older.id, "extra1"),
        (older.id, "extra2"),
    ]
    assert found[0]["spans"] == [[3, 9]]
    assert found[-1]["text"] == "SISTER third"  # the text as written, not folded


def test_search_shows_the_twenty_newest_and_says_how_many(data_dir: Path, cli: Any) -> None:
    base = datetime(2026, 11, 1, 9, 0, tzinfo=TZ)
    plant(
        data_dir,
        *[slow_down(base + timedelta(hours=k), k + 1, f"sister #{k}") for k in range(25)],
        slow_down(base + timedelta(days=3), 99, "brother"),
    )
    r = cli("search", "sister", "--json")
    assert [m["text"] for m in jsons(r.stdout)] == [f"sister #{k}" for k in range(24, 4, -1)]
    assert r.stderr == (
        "attune: showing the 20 newest of 25 matches; --last N or --all shows more\n"
    )
    shown = cli("search", "sister")
    assert shown.stdout.count("\n") == 40  # two lines a match
    assert shown.stderr == r.stderr
    r = cli("search", "sister", "--last", "5", "--json")
    assert [m["text"] for m in jsons(r.stdout)] == [f"sister #{k}" for k in range(24, 19, -1)]
    assert r.stderr == "attune: showing the 5 newest of 25 matches; --last N or --all shows more\n"
    r = cli("search", "sister", "--all", "--json")
    assert len(jsons(r.stdout)) == 25 and r.stderr == ""
    r = cli("search", "sister", "-n", "30", "--json")
    assert len(jsons(r.stdout)) == 25 and r.stderr == ""
    # the count follows the filters too
    r = cli("search", "sister", "--since", "2026-11-02", "--last", "1", "--json")
    assert len(jsons(r.stdout)) == 1
    # hours 19..24 fall on Nov 2; 15..18 (midnight to 3 a.m.) count for Nov 1 (day-start 04:00)
    assert "showing the 1 newest of 6 matches" in r.stderr


def test_short_needles_are_found(data_dir: Path, cli: Any) -> None:
    base = datetime(2026, 11, 1, 9, 0, tzinfo=TZ)
    plant(
        data_dir,
        slow_down(base, 1, "Straße"),
        slow_down(base + timedelta(hours=1), 2, "a kiss"),
        slow_down(base + timedelta(hours=2), 3, "xy"),
    )

    def notes(needle: str) -> list[dict[str, Any]]:
        found = jsons(cli("search", needle, "--json").stdout)
        return [m for m in found if m["answer_id"] == "note"]  # not the feeling or the places

    by_text = {
        needle: [m["text"] for m in notes(needle)] for needle in ("ß", "SS", "s", "x", "Y", "ab")
    }
    assert by_text == {
        "ß": ["a kiss", "Straße"],  # "ß" folds to "ss"
        "SS": ["a kiss", "Straße"],
        "s": ["a kiss", "Straße"],
        "x": ["xy"],
        "Y": ["xy"],
        "ab": [],
    }
    hit = notes("s")[1]
    assert hit["spans"] == [[0, 1], [4, 5]]  # the S, and the ß once


def build_index(data_dir: Path, cache: Path | None) -> tuple[Index, sqlite3.Connection]:
    index = Index(data_dir / "entries", cache)
    conn = index.open_fresh()
    index.load_pending(conn)
    return index, conn


SEARCH_TEXTS = [
    "Straße und STRASSE",
    "İstanbul in the İ rain",
    'my sister\'s "quoted" 100% word_with_underscore',
    "tired, tired, TIRED",
    "ﬃ ligature office",
    "a\nnew line and a\ttab",
    "sisters and brothers",
    "ŉ and ǰ fold long",
]


def seed_search_store(data_dir: Path) -> list[Entry]:
    base = datetime(2026, 10, 1, 9, 0, tzinfo=TZ)
    entries = []
    for k, text in enumerate(SEARCH_TEXTS):
        when = base + timedelta(days=k)
        if k % 2:
            entries.append(reflect(when, k + 1, text, text.upper(), "filler"))
        else:
            entries.append(slow_down(when, k + 1, text))
    plant(data_dir, *entries)
    return entries


def brute_force(entries: Sequence[Entry], needle: str) -> list[tuple[str, str]]:
    found = []
    for e in sorted(entries, key=file_name, reverse=True):
        found += [(e.id, aid) for aid, _q, t in indexing.texts(e) if needle in t.casefold()]
    return found


def test_full_text_and_scanning_search_find_the_same(data_dir: Path, attune_dirs: Path) -> None:
    entries = seed_search_store(data_dir)
    index, conn = build_index(data_dir, cache_dir(attune_dirs))
    assert index.fts, "this SQLite has FTS5: the full-text path is the one to compare"
    fragments = sorted({t[i:j].casefold() for t in SEARCH_TEXTS for i, j in ((0, 3), (2, 7))})

    @FAST
    @given(
        needle=st.one_of(
            st.sampled_from([*fragments, "sister", "tired", "ss", "i̇", "ffi", '"', "%", "_"]),
            st.text(alphabet="aAsSßẞtrİi\u0307e \"'%_*ﬃf", min_size=1, max_size=5),
        ),
        practice=st.sampled_from([None, "reflect", "slow-down"]),
        since=st.sampled_from([None, date(2026, 10, 4)]),
        last=st.sampled_from([None, 1, 3]),
    )
    def same(needle: str, practice: str | None, since: date | None, last: int | None) -> None:
        needle = needle.casefold()
        index.fts = True
        quick_way = readers._matches(index, conn, needle, practice, since, last)
        index.fts = False
        scan = readers._matches(index, conn, needle, practice, since, last)
        assert quick_way == scan
        if practice is None and since is None:
            expected = brute_force(entries, needle)
            assert scan[0] == len(expected)
            assert [(row[1], row[3]) for row in scan[1]] == expected[:last]

    try:
        same()
    finally:
        conn.close()


def test_search_without_full_text_prints_what_it_does_with_it(
    data_dir: Path, attune_dirs: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_search_store(data_dir)
    needles = ["straße", "STRASSE", "tired", "sister", "i̇", "ss", "%", "FFI", '"quoted"']
    with_fts = [cli("search", n, "--all", "--json") for n in needles]
    with_fts += [cli("search", n, "--last", "1") for n in needles]
    with contextlib.closing(index_db(attune_dirs)) as db:
        assert fts_hits(db, "tired")
    Index(data_dir / "entries", cache_dir(attune_dirs)).delete()
    monkeypatch.setattr("attunecli.index.FTS_SCHEMA", "CREATE VIRTUAL TABLE t USING nosuch(x);")
    without = [cli("search", n, "--all", "--json") for n in needles]
    without += [cli("search", n, "--last", "1") for n in needles]
    with contextlib.closing(index_db(attune_dirs)) as db:
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master")}
        assert "texts_fts" not in tables and "texts" in tables
    assert without == with_fts
    assert any(jsons(r.stdout) for r in with_fts[: len(needles)])


@pytest.mark.parametrize(
    ("text", "needle", "spans"),
    [
        ("Straße", "strasse", ((0, 6),)),
        ("Straße", "STRASSE".casefold(), ((0, 6),)),
        ("Straße", "ss", ((4, 5),)),
        ("Straße", "s", ((0, 1), (4, 5))),  # two halves of one ß: one span
        ("Straße", "ße".casefold(), ((4, 6),)),
        ("ß", "ss", ((0, 1),)),
        ("ß", "s", ((0, 1),)),
        ("ßaßaß", "sas", ((0, 5),)),  # matches meeting inside a ß: merged, never overlapping
        ("İstanbul", "stan", ((1, 5),)),
        ("İstanbul", "i", ((0, 1),)),
        ("İstanbul", "İ".casefold(), ((0, 1),)),
        ("in İzmir and in İzmir", "izmir", ()),  # "İ" folds to "i" + a combining dot
        ("in İzmir and in İzmir", "i̇zmir", ((3, 8), (16, 21))),
        ("Office ﬃ", "ffi", ((1, 4), (7, 8))),
        ("no match", "xyz", ()),
        ("anything", "", ()),
        ("aaaa", "aa", ((0, 2), (2, 4))),
    ],
)
def test_match_spans(text: str, needle: str, spans: tuple[tuple[int, int], ...]) -> None:
    assert match_spans(text, needle) == spans
    assert highlight(text, spans, Painter(False), "bold") == literal(text)


@FAST
@given(
    text=st.text(alphabet="aSsßẞİiﬃfŉn\u0307 ", max_size=12),
    needle=st.text(alphabet="aSsßẞİiﬃfŉn\u0307 ", min_size=1, max_size=4),
)
def test_match_spans_point_into_the_text_in_order(text: str, needle: str) -> None:
    needle = needle.casefold()
    spans = match_spans(text, needle)
    end = 0
    for start, stop in spans:
        assert end <= start < stop <= len(text)  # in order, never overlapping
        assert needle in text[start:stop].casefold()
        end = stop
    assert bool(spans) == (needle in text.casefold())
    # highlighting shows the text exactly as it is, however the spans fall
    assert highlight(text, spans, Painter(False), "bold") == literal(text)
    painted = highlight(text, spans, Painter(True), "bold")
    assert OUR_SGR.sub("", painted) == literal(text)


# 6. no usable cache folder -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["a-file", "a-file/below"])
def test_reading_commands_work_without_a_usable_cache(
    where: str, data_dir: Path, attune_dirs: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_mixed(data_dir)
    commands = [
        ("history",),
        ("history", "--json"),
        ("search", "sister"),
        ("search", "STRASSE", "--json"),
        ("insights", "--all"),
        ("insights", "--all", "--json"),
    ]
    good = [cli(*c) for c in commands]
    assert all(r.exit_code == 0 and r.stderr == "" for r in good), good
    blocker = attune_dirs / "a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("ATTUNE_CACHE_DIR", str(attune_dirs / where))
    for command, before in zip(commands, good, strict=True):
        r = cli(*command)
        assert r.exit_code == 0, r.stderr
        assert r.stdout == before.stdout
        lines = r.stderr.splitlines()
        assert len(lines) == 1, r.stderr
        assert lines[0].startswith(f"attune: note: could not use the index in {attune_dirs}")
        assert "reading the entry files instead" in lines[0]
    assert blocker.read_text() == "not a folder\n"


def test_the_quick_path_works_without_a_usable_cache(
    data_dir: Path,
    attune_dirs: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_mixed(data_dir)
    good = run_main(["search", "sister", "--json"], capsys)
    blocker = attune_dirs / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ATTUNE_CACHE_DIR", str(blocker))
    code, out, err = run_main(["search", "sister", "--json"], capsys)
    assert (code, out) == good[:2]
    assert err.count("\n") == 1 and err.startswith("attune: note: could not use the index")


def test_an_index_that_can_be_read_but_not_written_is_read_around(
    data_dir: Path, attune_dirs: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index file left by `sudo attune` (root's, in your cache), say: the first write to it
    fails, and the commands read the entry files instead, as when there is no cache."""
    seed_mixed(data_dir)
    age_folders(data_dir)  # nothing to refresh: only reading the pending files writes
    commands = [
        ("history", "--last", "100"),
        ("search", "sister", "--json"),
        ("insights", "--all", "--json"),
        ("repairs", "--json"),
    ]
    good = [cli(*c) for c in commands]
    (cache_dir(attune_dirs) / "index.sqlite3").unlink()
    Index(data_dir / "entries", cache_dir(attune_dirs)).open_fresh().close()  # names only
    real = Index._connect

    def read_only(self: Index) -> sqlite3.Connection:
        conn = real(self)
        if self.path:
            conn.execute("PRAGMA query_only = 1")
        return conn

    monkeypatch.setattr(Index, "_connect", read_only)
    for command, before in zip(commands, good, strict=True):
        r = cli(*command)
        assert (r.exit_code, r.stdout) == (0, before.stdout), (command, r.stderr)
        assert r.stderr.startswith("attune: note: could not use the index"), r.stderr


# 7. two entries in one second ----------------------------------------------------------------


def entry_rowids(data_dir: Path, attune_dirs: Path) -> dict[str, int]:
    _, conn = build_index(data_dir, cache_dir(attune_dirs))
    try:
        return dict(conn.execute("SELECT id, rowid FROM entries").fetchall())
    finally:
        conn.close()


@pytest.mark.parametrize("together", [True, False], ids=["read-together", "one-after-another"])
def test_two_entries_in_the_same_second_get_their_own_time_ordered_rows(
    together: bool, data_dir: Path, attune_dirs: Path, cli: Any
) -> None:
    when = datetime(2026, 11, 20, 9, 0, 30, tzinfo=TZ)
    twins = [slow_down(when, n, f"twin {n}") for n in (0xBEEF, 0xABBA, 0xCAFE)]
    before = slow_down(when - timedelta(seconds=1), 1, "twin before")
    after = slow_down(when + timedelta(seconds=1), 2, "twin after")
    if together:
        plant(data_dir, after, *twins, before)
    else:  # a second entry of a second the index already knows (a sync brings it later)
        plant(data_dir, twins[1], before)
        assert len(jsons(cli("history", "--json").stdout)) == 2
        plant(data_dir, after, twins[0])
        assert len(jsons(cli("search", "twin", "--json").stdout)) == 4
        plant(data_dir, twins[2])
    rows = entry_rowids(data_dir, attune_dirs)
    assert len(set(rows.values())) == 5
    twin_rows = {rows[t.id] for t in twins}
    assert rows[before.id] < min(twin_rows) and max(twin_rows) < rows[after.id]
    listed = [e["id"] for e in jsons(cli("history", "--json").stdout)]
    assert listed[0] == after.id and listed[-1] == before.id
    assert sorted(listed[1:4]) == sorted(t.id for t in twins)
    found = [m["id"] for m in jsons(cli("search", "twin", "--json").stdout)]
    assert found[0] == after.id and found[-1] == before.id
    assert sorted(found[1:4]) == sorted(t.id for t in twins)
    # the texts of each entry sit between those of the entries before and after it
    with contextlib.closing(index_db(attune_dirs)) as db:
        order = [e for (e,) in db.execute("SELECT entry FROM texts ORDER BY rowid DESC")]
    assert order == sorted(order, reverse=True)


def test_rows_run_in_time_order_across_a_store(data_dir: Path, attune_dirs: Path) -> None:
    generate(data_dir, 60, years=3, seed=8)
    rows = entry_rowids(data_dir, attune_dirs)
    by_name = [Entry.from_json(json.loads(p.read_text())) for p in entry_files(data_dir)]
    ordered = [rows[e.id] for e in by_name]
    assert ordered == sorted(ordered) and len(set(ordered)) == 60


# 8. plain text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("", 0),
        ("abc", 3),
        ("日本語", 6),
        ("ｗｉｄｅ", 8),  # fullwidth letters
        ("e\u0301", 1),  # a combining acute accent takes no cell
        ("Straße", 6),
        ("a日b\u0308", 4),
    ],
)
def test_width_of(text: str, cells: int) -> None:
    assert width_of(text) == cells


def test_fold_breaks_at_spaces_and_cuts_an_overlong_word() -> None:
    assert fold("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]
    assert fold("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]
    assert fold("ok " + "b" * 12 + " end", 10) == ["ok", "b" * 10, "bb end"]
    assert fold("日本語のテキストです", 8) == ["日本語の", "テキスト", "です"]
    assert fold("one\ntwo three", 20) == ["one", "two three"]
    assert fold("", 10) == [""]
    assert fold("tiny width", 1) == ["tiny", "width"]  # never narrower than 8 cells


@FAST
@given(
    text=st.text(alphabet="ab 日ß\u0301é\n", max_size=40),
    width=st.integers(8, 30),
)
def test_fold_never_exceeds_the_width_and_loses_nothing(text: str, width: int) -> None:
    lines = fold(text, width)
    assert all(width_of(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_table_lays_out_columns_and_folds_the_last() -> None:
    rows = [
        ["Mon", "ab", "one two three four five six seven eight"],
        ["Tuesday", "abcdef", "x"],
        ["日本", "é", ""],
    ]
    got = table(["when", "id", "text"], rows, Painter(False), width=40, right=(1,))
    assert got == (
        "when         id  text\n"
        "Mon          ab  one two three four five\n"
        "                 six seven eight\n"
        "Tuesday  abcdef  x\n"
        "日本          é\n"
    )
    assert all(width_of(line) <= 40 for line in got.splitlines())
    painted = table(["when", "id", "text"], rows, Painter(True), width=40, styles=["", "dim"])
    assert "\x1b[1mwhen   \x1b[0m" in painted and "\x1b[2mab    \x1b[0m" in painted
    assert OUR_SGR.sub("", painted).replace(" ", "") == got.replace(" ", "")


def test_painter_adds_codes_only_when_asked() -> None:
    assert Painter(False)("text", "bold reverse") == "text"
    assert Painter(True)("text", "bold reverse") == "\x1b[1;7mtext\x1b[0m"
    assert Painter(True)("text", "") == "text"
    assert Painter(True)("", "bold") == ""
    assert Painter(True)("x", "green") == "\x1b[32mx\x1b[0m"


def nasty_store(data_dir: Path) -> None:
    base = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    plant(
        data_dir,
        slow_down(base, 1, f"sister {NASTY} sister", feeling=f"calm{NASTY}"),
        checkin(base + timedelta(hours=1), 2, [(f"wob{NASTY}bly", 5, None, [f"ch{NASTY}est"])]),
        regulate(base + timedelta(hours=2), 3, f"box{NASTY}", 7, 3),
        reflect(base + timedelta(hours=3), 4, f"my sister{NASTY}"),
        repair(base + timedelta(hours=4), 5, f"sister{NASTY}", date(2026, 11, 30)),
    )


def shows_no_raw_escape(text: str) -> None:
    assert "\x1b[" in text  # colour was on: our own codes are there
    assert "\x1b" not in OUR_SGR.sub("", text), "an escape from user text reached the terminal"
    assert "\x07" not in text


def test_user_escapes_are_shown_literally_with_colour_on(data_dir: Path, cli: Any) -> None:
    nasty_store(data_dir)
    for command in (
        ("history",),
        ("search", "sister"),
        ("search", "S"),
        ("insights", "--since", "2026-11-01", "--until", "2026-11-25"),
        ("insights", "--all"),
    ):
        r = cli(*command, color=True)
        assert r.exit_code == 0, r.stderr
        shows_no_raw_escape(r.stdout)
        assert "\\x1b" in r.stdout, command  # shown as a visible code instead
        assert "\x1b" not in r.stderr


@pytest.mark.planted
def test_escapes_in_fields_a_hand_edited_file_holds_stay_literal(data_dir: Path, cli: Any) -> None:
    """Files dropped in by hand or a sync tool are not checked against the schema."""
    base = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    e = slow_down(base, 1, "sister")
    e.id = f"{NASTY}0123456789"
    e.practice = f"made{NASTY}up"
    rep = repair(base + timedelta(hours=1), 2, "sister", date(2026, 11, 30))
    rep.id = f"\x1b[2J{NASTY}"
    for entry, name in (
        (e, "20261120T140000Z-00000000000000a1.json"),
        (rep, "20261120T150000Z-00000000000000a2.json"),
    ):
        folder = data_dir / "entries" / "2026" / "11"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(entry_bytes(entry))
    for command in (("history",), ("search", "sister"), ("insights", "--all")):
        r = cli(*command, color=True)
        assert r.exit_code == 0, r.stderr
        shows_no_raw_escape(r.stdout)


# 9. the insights views -----------------------------------------------------------------------


def test_the_heatmap_draws_the_last_weeks_that_fit_and_says_so() -> None:
    since, until = date(2025, 11, 26), date(2026, 11, 25)
    start = since - timedelta(days=since.weekday())
    weeks = (until - start).days // 7 + 1
    width = 40
    shown = (width - 4) // 2
    first_shown = start + timedelta(weeks=weeks - shown)
    days = {since, first_shown - timedelta(days=1), first_shown, until}
    lines = views.heatmap(days, since, until, Painter(False), width)
    note = f"(the last {shown} weeks of {weeks}; `--json` lists every day)"
    assert " ".join(lines[7:]) == note  # folded to the width
    assert all(width_of(line) <= width for line in lines)
    assert sum(line.count("■") for line in lines) == 2  # first_shown and until only
    row = lines[first_shown.weekday()]
    assert row[4] == "■"  # the first column drawn is first_shown's week
    assert lines[until.weekday()].rstrip().endswith("■")
    assert all(len(line[4:].split(" ")) <= shown for line in lines[:7])


def test_the_heatmap_draws_every_week_when_they_fit() -> None:
    since, until = date(2026, 10, 27), date(2026, 11, 25)
    days = {since + timedelta(days=k) for k in range(0, 30, 3)}
    lines = views.heatmap(days, since, until, Painter(False), 80)
    assert len(lines) == 7
    assert sum(line.count("■") for line in lines) == 10
    assert [line[:3] for line in lines] == ["Mon", "   ", "Wed", "   ", "Fri", "   ", "Sun"]
    painted = views.heatmap(days, since, until, Painter(True), 80)
    assert OUR_SGR.sub("", "\n".join(painted)).split("\n") == lines


def with_series(since: date, values: Sequence[float | None]) -> Insights:
    ins = Insights(since, since + timedelta(days=len(values) - 1))
    ins.intensity_by_day = [
        (since + timedelta(days=k), v) for k, v in enumerate(values) if v is not None
    ]
    return ins


def test_intensity_is_by_day_when_it_fits() -> None:
    values = [float(k % 11) if k % 4 else None for k in range(60)]
    title, line = views.intensity(with_series(date(2026, 1, 1), values), 80)
    assert title.startswith("Intensity by day")
    assert line == insights.sparkline(values)
    assert len(line) == 60


def test_intensity_falls_back_to_weekly_means() -> None:
    # 200 days: week w has the value w % 11 on its rated days, and every third day is unrated
    values = [float((k // 7) % 11) if k % 3 else None for k in range(200)]
    title, line = views.intensity(with_series(date(2026, 1, 1), values), 40)
    assert title.startswith("Intensity by week")
    assert line == insights.sparkline([float(w % 11) for w in range(29)])


def test_intensity_falls_back_to_monthly_means_and_keeps_the_latest() -> None:
    values = [float((k // 30) % 11) for k in range(1000)]  # 143 weeks: too many for 40
    title, line = views.intensity(with_series(date(2020, 1, 1), values), 40)
    assert title.startswith("Intensity by month")
    assert line == insights.sparkline([float(m % 11) for m in range(34)])
    values = [float((k // 30) % 11) if k % 30 else None for k in range(2000)]  # 67 months
    title, line = views.intensity(with_series(date(2020, 1, 1), values), 40)
    assert title.startswith("Intensity by month")
    assert line == insights.sparkline([float(m % 11) for m in range(27, 67)])


def test_insights_view_fits_a_long_period_in_the_width(data_dir: Path, cli: Any) -> None:
    generate(data_dir, 60, years=3, seed=6)
    r = cli("insights", "--all")
    assert r.exit_code == 0, r.stderr
    assert "weeks of" in r.stdout and "Intensity by month" in r.stdout
    assert all(width_of(line) <= 100 for line in r.stdout.splitlines())


# 10. JSON for people and for pipes -----------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def read_env(out: io.StringIO, clock: Clock) -> readers.ReadEnv:
    paths_data = Path(os.environ["ATTUNE_DATA_DIR"])
    return readers.ReadEnv(
        entries=paths_data / "entries",
        cache=os.environ["ATTUNE_CACHE_DIR"],
        out=out,
        err=io.StringIO(),
        now=clock,
        color=False,
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda env: readers.history(env, last=5, as_json=True),
        lambda env: readers.search(env, text="sister", as_json=True),
        lambda env: readers.insights(env, everything=True, as_json=True),
    ],
    ids=["history", "search", "insights"],
)
def test_json_is_indented_at_a_terminal_and_compact_in_a_pipe(
    call: Any, data_dir: Path, clock: Clock
) -> None:
    seed_mixed(data_dir)
    pipe, terminal = io.StringIO(), Terminal()
    call(read_env(pipe, clock))
    call(read_env(terminal, clock))
    assert json.loads(pipe.getvalue()) == json.loads(terminal.getvalue())
    assert pipe.getvalue().count("\n") == 1
    assert terminal.getvalue().count("\n") > 5
    assert terminal.getvalue().startswith(("[\n  ", "{\n  "))


def test_json_through_typer_follows_the_stream_too(data_dir: Path, clock: Clock) -> None:
    from typer.testing import CliRunner

    from attunecli.cli import app
    from attunecli.cli.deps import Deps

    seed_mixed(data_dir)
    shown = {}
    for out in (io.StringIO(), Terminal()):
        deps = Deps(out=out, err=io.StringIO(), now=clock, color=False)
        result = CliRunner().invoke(app, ["history", "--json"], obj=deps)
        assert result.exit_code == 0
        shown[type(out).__name__] = out.getvalue()
    assert shown["StringIO"].count("\n") == 1
    assert (
        shown["Terminal"]
        == json.dumps(json.loads(shown["StringIO"]), ensure_ascii=False, indent=2) + "\n"
    )


@pytest.mark.parametrize("data", [{"a": [1, {"b": "é"}]}, [], [{"id": "x"}]])
def test_every_listing_writes_json_the_same_way(data: object) -> None:
    """repairs, path, support, config show and doctor share plain.write_json with the above."""
    from attunecli.plain import write_json

    piped, terminal = io.StringIO(), Terminal()
    write_json(piped, data)
    write_json(terminal, data)
    assert json.loads(piped.getvalue()) == json.loads(terminal.getvalue()) == data
    assert piped.getvalue().count("\n") == 1  # one line for a program
    if data:
        assert terminal.getvalue().count("\n") > 1 and "\n  " in terminal.getvalue()
    assert "é" in piped.getvalue() or "é" not in json.dumps(data, ensure_ascii=False)
