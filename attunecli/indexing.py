"""What the index keeps of one entry, and reading pending files into it.

`index.py` decides *which* files to read; this module reads them (through
`Store.load`, so every rule about bad files holds) and spreads each entry over
the index tables. `memory_index` builds the same index from entries in hand:
`insights.compute` and the tests use it, so the figures have one implementation.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import time
from pathlib import Path

from attunecli.days import DEFAULT_DAY_START, logical_date
from attunecli.index import TEXTS_PER_ENTRY, Index, insert_names, mark_closed
from attunecli.insights import feeling_moments
from attunecli.models import Entry
from attunecli.render import summary
from attunecli.store import Store, file_name

NOT_TEXT = ("scale", "confirm", "guide", "date")  # answers that are not words to search


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
        if a.kind in NOT_TEXT:
            continue
        value = a.answer
        pieces = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        found += [(a.id, a.question, p) for p in pieces if isinstance(p, str)]
    return found


def add_entry(
    conn: sqlite3.Connection, rowid: int, entry: Entry, day_start: time = DEFAULT_DAY_START
) -> None:
    """Fill in row `rowid` (already named) and its facts from `entry`, on its day by
    `day_start` (a check-in at 00:54 counts for the evening before)."""
    day = logical_date(entry.created_at, day_start).isoformat()
    exercise = before = after = None
    if entry.practice == "regulate":
        ex = entry.answer("exercise")
        exercise = ex if isinstance(ex, str) else None
        before, after = _int(entry.answer("arousal_before")), _int(entry.answer("arousal_after"))
        if before is None or after is None:
            before = after = None
    follow = entry.answer("follow_up")
    conn.execute(
        """
        UPDATE entries SET loaded = 1, problem = NULL, id = ?, practice = ?, complete = ?,
            refers_to = ?, created_at = ?, day = ?, summary = ?, follow_up = ?, context = ?,
            what = ?, exercise = ?, arousal_before = ?, arousal_after = ?
        WHERE rowid = ?
        """,
        (
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
            rowid,
        ),
    )
    for word, intensity, quadrant, places in feeling_moments(entry):
        conn.execute(
            "INSERT INTO moments VALUES (?, ?, ?, ?, ?)", (rowid, day, word, intensity, quadrant)
        )
        conn.executemany(
            "INSERT INTO body VALUES (?, ?, ?, ?)", [(rowid, day, word, p) for p in places]
        )
    first = rowid * TEXTS_PER_ENTRY + TEXTS_PER_ENTRY - 1
    conn.executemany(
        "INSERT INTO texts VALUES (?, ?, ?, ?, ?, ?)",
        [
            (first - k, rowid, aid, q, t, t.casefold())
            for k, (aid, q, t) in enumerate(texts(entry)[:TEXTS_PER_ENTRY])
        ],
    )


def load_files(
    conn: sqlite3.Connection,
    root: str,
    rows: Sequence[tuple[int, str, str]],
    day_start: time | None = None,
) -> None:
    """Read each (rowid, month dir, file name) and record what it holds, or why it cannot."""
    why: dict[Path, str] = {}

    def note(path: Path, reason: str) -> None:
        why.setdefault(path, reason)

    store = Store(Path(root).parent, on_problem=note)
    for rowid, month, name in rows:
        path = Path(root, month, name)
        conn.execute("DELETE FROM moments WHERE entry = ?", (rowid,))
        conn.execute("DELETE FROM body WHERE entry = ?", (rowid,))
        conn.execute("DELETE FROM texts WHERE entry = ?", (rowid,))
        try:  # before reading, so a change after this is seen as one next time
            st = os.lstat(path)  # a link is named by Store.load, and never followed
            conn.execute(
                "UPDATE entries SET size = ?, mtime_ns = ? WHERE rowid = ?",
                (st.st_size, st.st_mtime_ns, rowid),
            )
        except OSError:
            pass  # Store.load names what is wrong
        entry = store.load(path)
        if entry is not None:
            try:
                add_entry(conn, rowid, entry, day_start or DEFAULT_DAY_START)
            except (
                ValueError,
                TypeError,
                AttributeError,
                OverflowError,
                sqlite3.InterfaceError,  # a value SQLite cannot take (a list for an id)
                sqlite3.ProgrammingError,
            ) as exc:
                # A hand-edited file can hold what the index cannot (a number past 64
                # bits): it is named as unreadable, and the rest still answer. What
                # add_entry wrote goes (triggers take back the totals; so does
                # practice = NULL below).
                conn.execute("DELETE FROM moments WHERE entry = ?", (rowid,))
                conn.execute("DELETE FROM body WHERE entry = ?", (rowid,))
                conn.execute("DELETE FROM texts WHERE entry = ?", (rowid,))
                why.setdefault(path, f"not a valid entry ({exc})")
                entry = None
        if entry is None:
            conn.execute(
                "UPDATE entries SET loaded = 1, problem = ?, practice = NULL WHERE rowid = ?",
                (why.get(path, "could not be read"), rowid),
            )
            if _cannot_open(path):  # no permission, for one: look again next time
                conn.execute(
                    "UPDATE entries SET size = -1, mtime_ns = -1 WHERE rowid = ?", (rowid,)
                )
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
