"""What the index keeps of one entry, and reading pending files into it.

`index.py` decides *which* files to read; this module reads them (through
`Store.load`, so every rule about bad files holds) and spreads each entry over
the index tables. `memory_index` builds the same index from entries in hand:
`insights.compute` and the tests use it, so the figures have one implementation.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import time
from pathlib import Path

from attunecli.days import DEFAULT_DAY_START, logical_date
from attunecli.display import summary
from attunecli.index import TEXTS_PER_ENTRY, Index, insert_names, mark_closed
from attunecli.insights import feeling_moments
from attunecli.models import KINDS, UNKNOWN_KIND, Entry
from attunecli.store import Store, file_name


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def texts(entry: Entry) -> list[tuple[str, str, str]]:
    """(answer id, question, text) for each piece of text in the answers, in order."""
    found = []
    for a in entry.answers:
        if not KINDS.get(a.kind, UNKNOWN_KIND).searched:
            continue
        value = a.answer
        pieces = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        found += [(a.id, a.question, p) for p in pieces if isinstance(p, str)]
    return found


ENTRY_UPDATE = """
    UPDATE entries SET loaded = 1, problem = NULL, id = ?, practice = ?, complete = ?,
        refers_to = ?, created_at = ?, day = ?, summary = ?, follow_up = ?, context = ?,
        what = ?, exercise = ?, arousal_before = ?, arousal_after = ?,
        written_at = ?
    WHERE rowid = ?
"""
MOMENT_INSERT = "INSERT INTO moments VALUES (?, ?, ?, ?, ?)"
BODY_INSERT = "INSERT INTO body VALUES (?, ?, ?, ?)"
TEXT_INSERT = "INSERT INTO texts VALUES (?, ?, ?, ?, ?, ?)"
Row = tuple[object, ...]


class Facts:
    """The rows one entry adds to the index: its `entries` values, moments, body, texts."""

    __slots__ = ("body", "moments", "row", "texts")

    def __init__(self, row: Row, moments: list[Row], body: list[Row], texts: list[Row]) -> None:
        self.row = row
        self.moments = moments
        self.body = body
        self.texts = texts


def facts_of(rowid: int, entry: Entry, day_start: time = DEFAULT_DAY_START) -> Facts:
    """What row `rowid` holds for `entry`, on its day by `day_start`, worked out without
    touching the index (so a batch of files is written with one statement a table)."""
    day = logical_date(entry.created_at, day_start).isoformat()
    exercise = before = after = None
    if entry.practice == "regulate":
        ex = entry.answer("exercise")
        exercise = ex if isinstance(ex, str) else None
        before, after = _int(entry.answer("arousal_before")), _int(entry.answer("arousal_after"))
        if before is None or after is None:
            before = after = None
    follow = entry.answer("follow_up")
    written = entry.written_at
    row = (
        entry.id,
        entry.practice,
        int(entry.complete),
        entry.refers_to,
        entry.created_at.isoformat(timespec="seconds"),
        day,
        summary(entry),
        follow if isinstance(follow, str) else None,
        _text(entry.answer("context")),
        _text(entry.answer("what")),
        exercise,
        before,
        after,
        written.isoformat(timespec="seconds") if written and entry.filled_in_later else None,
        rowid,
    )
    moments: list[Row] = []
    body: list[Row] = []
    for word, intensity, quadrant, places in feeling_moments(entry):
        moments.append((rowid, day, word, intensity, quadrant))
        body += [(rowid, day, word, p) for p in places]
    first = rowid * TEXTS_PER_ENTRY + TEXTS_PER_ENTRY - 1
    found = texts(entry)[:TEXTS_PER_ENTRY]
    # Lowest rowid first (the last text), so SQLite appends to its tree.
    rows: list[Row] = [
        (first - k, rowid, aid, q, t, t.casefold()) for k, (aid, q, t) in enumerate(found)
    ]
    rows.reverse()
    return Facts(row, moments, body, rows)


def write_facts(conn: sqlite3.Connection, facts: Sequence[Facts]) -> None:
    """Fill in the rows (already named) of a batch of entries: one statement a table."""
    conn.executemany(ENTRY_UPDATE, [f.row for f in facts])
    conn.executemany(MOMENT_INSERT, [m for f in facts for m in f.moments])
    conn.executemany(BODY_INSERT, [b for f in facts for b in f.body])
    conn.executemany(TEXT_INSERT, [t for f in facts for t in f.texts])


def add_entry(
    conn: sqlite3.Connection, rowid: int, entry: Entry, day_start: time = DEFAULT_DAY_START
) -> None:
    """Fill in row `rowid` (already named) and its facts from `entry`, on its day by
    `day_start` (a check-in at 00:54 counts for the evening before)."""
    write_facts(conn, [facts_of(rowid, entry, day_start)])


# What a hand-edited file can hold that the index cannot (a number past 64 bits, a list
# for an id): the file is named as unreadable, and the rest still answer.
NOT_INDEXABLE = (
    ValueError,
    TypeError,
    AttributeError,
    OverflowError,
    sqlite3.InterfaceError,  # a value SQLite cannot take (a list for an id)
    sqlite3.ProgrammingError,
)


def load_files(
    conn: sqlite3.Connection,
    root: str,
    rows: Sequence[tuple[int, str, str]],
    day_start: time | None = None,
    on_file: Callable[[int], None] | None = None,
) -> None:
    """Read each (rowid, month dir, file name) and record what it holds, or why it cannot.

    The files are read first, then written as a batch, one statement a table; a value
    SQLite refuses sends the batch back to be written file by file, so that file alone
    is named. `on_file(n)`: n more files have been read.
    """
    why: dict[Path, str] = {}

    def note(path: Path, reason: str) -> None:
        why.setdefault(path, reason)

    store = Store(Path(root).parent, on_problem=note)
    start = day_start or DEFAULT_DAY_START
    read: list[tuple[int, str, Path, tuple[int, int] | None, Entry | None, Facts | None]] = []
    for n, (rowid, month, name) in enumerate(rows, start=1):
        path = Path(root, month, name)
        try:  # before reading, so a change after this is seen as one next time
            st = os.lstat(path)  # a link is named by Store.load, and never followed
            seen: tuple[int, int] | None = (st.st_size, st.st_mtime_ns)
        except OSError:
            seen = None  # Store.load names what is wrong
        entry = store.load(path)
        facts = None
        if entry is not None:
            try:
                facts = facts_of(rowid, entry, start)
            except NOT_INDEXABLE as exc:
                why.setdefault(path, f"not a valid entry ({exc})")
                entry = None
        read.append((rowid, month, path, seen, entry, facts))
        if on_file is not None and n % 100 == 0:
            on_file(100)
    if on_file is not None and len(rows) % 100:
        on_file(len(rows) % 100)
    ids = [(r[0],) for r in read]
    conn.execute("SAVEPOINT batch")
    try:
        conn.executemany("DELETE FROM moments WHERE entry = ?", ids)
        conn.executemany("DELETE FROM body WHERE entry = ?", ids)
        conn.executemany("DELETE FROM texts WHERE entry = ?", ids)
        conn.executemany(
            "UPDATE entries SET size = ?, mtime_ns = ? WHERE rowid = ?",
            [(*r[3], r[0]) for r in read if r[3] is not None],
        )
        write_facts(conn, [r[5] for r in read if r[5] is not None])
    except NOT_INDEXABLE:
        # One file holds what SQLite cannot take: each is written alone, to name it.
        conn.execute("ROLLBACK TO batch")
        conn.execute("RELEASE batch")
        for rowid, month, path, seen, entry, _ in read:
            _load_one(conn, rowid, month, path, seen, entry, start, why)
        return
    conn.execute("RELEASE batch")
    for rowid, month, path, _, entry, _ in read:
        if entry is None:
            _unreadable(conn, rowid, month, path, why)


def _load_one(
    conn: sqlite3.Connection,
    rowid: int,
    month: str,
    path: Path,
    seen: tuple[int, int] | None,
    entry: Entry | None,
    day_start: time,
    why: dict[Path, str],
) -> None:
    """Record one file read, alone: what it holds, or why it cannot be indexed."""
    conn.execute("DELETE FROM moments WHERE entry = ?", (rowid,))
    conn.execute("DELETE FROM body WHERE entry = ?", (rowid,))
    conn.execute("DELETE FROM texts WHERE entry = ?", (rowid,))
    if seen is not None:
        conn.execute("UPDATE entries SET size = ?, mtime_ns = ? WHERE rowid = ?", (*seen, rowid))
    if entry is not None:
        try:
            add_entry(conn, rowid, entry, day_start)
        except NOT_INDEXABLE as exc:
            # What add_entry wrote goes (triggers take back the totals; so does
            # practice = NULL below).
            conn.execute("DELETE FROM moments WHERE entry = ?", (rowid,))
            conn.execute("DELETE FROM body WHERE entry = ?", (rowid,))
            conn.execute("DELETE FROM texts WHERE entry = ?", (rowid,))
            why.setdefault(path, f"not a valid entry ({exc})")
            entry = None
    if entry is None:
        _unreadable(conn, rowid, month, path, why)


def _unreadable(
    conn: sqlite3.Connection, rowid: int, month: str, path: Path, why: dict[Path, str]
) -> None:
    conn.execute(
        "UPDATE entries SET loaded = 1, problem = ?, practice = NULL WHERE rowid = ?",
        (why.get(path, "could not be read"), rowid),
    )
    if _cannot_open(path):  # no permission, for one: look again next time
        conn.execute("UPDATE entries SET size = -1, mtime_ns = -1 WHERE rowid = ?", (rowid,))
        conn.execute("UPDATE months SET mtime_ns = -1 WHERE dir = ?", (month,))


def _cannot_open(path: Path) -> bool:
    """A regular file we may not read: a problem that can go without the file changing
    (`chmod` changes neither its size nor its time, nor its folder's)."""
    return os.path.isfile(path) and not os.access(path, os.R_OK)


def memory_index(
    entries: Iterable[Entry], day_start: time = DEFAULT_DAY_START
) -> sqlite3.Connection:
    """An in-memory index of `entries`, as if each had been read from its file."""
    index = Index(os.devnull, None, day_start=day_start)
    conn = index.open_fresh()
    conn.execute("BEGIN")
    for entry in entries:
        name = file_name(entry)
        stamp, _, rest = name.partition("-")
        if conn.execute("SELECT 1 FROM entries WHERE name = ?", (name,)).fetchone():
            continue  # the same entry twice: one file
        insert_names(conn, [(name, "", 0, 0, stamp, rest.removesuffix(".json"))])
        rowid = conn.execute("SELECT rowid FROM entries WHERE name = ?", (name,)).fetchone()[0]
        add_entry(conn, rowid, entry, day_start)
    mark_closed(conn)
    conn.execute("COMMIT")
    return conn
