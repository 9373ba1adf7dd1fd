"""A derived index of the entry files: SQLite in the user cache dir.

The JSON files stay the only truth. The index is rebuilt by itself when it is
missing, unreadable, from another index version, or stale, and it is safe to
delete at any time; with no usable cache dir the same index is built in memory.

Keeping it fresh has two speeds:

- **Names** (cheap): each month folder's modification and change times are
  compared with the ones recorded (a sync that puts the modification time
  back cannot put the change time back). Adding, removing or renaming a file changes it; that is how
  sync tools (which write a temp file and rename it), git and people add
  entries. Only a folder that changed is listed again, and a file is known by
  name, size and modification time. A folder whose time is within two seconds
  of the refresh is not trusted yet (coarse file-system clocks) and is looked
  at again next time.
- **Contents** (a file read each): a file first seen is *pending*. It is read
  when a command needs it: `history --last 5` reads only the newest few, while
  `search` and `insights` read every pending file once. So the first command
  after the index was deleted pays for what it shows, not for the whole store.

What a file holds is spread over small tables that make the read commands
lookups: `entries` (one row a file: what `history` prints, what reminders
ask), `moments` and `body` (each feeling named, how strong, where it was felt),
`texts` (each free-text answer, case-folded, with an FTS5 trigram index over
it when SQLite has one) and `odd` (files in month folders that are not
entries, named to the user on every read).

This module loads nothing heavy at import: the quick read paths in
`quick.py` use it before anything else. Reading files is in `indexing.py`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time

from attunecli.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from datetime import time as TimeOfDay
    from pathlib import Path
    from types import TracebackType
    from typing import Any

    from attunecli.store import Store

INDEX_VERSION = "9"  # 9: `written_at`, for an entry filled in later
RACY_SECONDS = 2.0
TEMP_PREFIX = ".attune-tmp-"  # fsutil.TEMP_PREFIX, without loading fsutil
LOAD_BATCH = 2000  # files read per write transaction, so other writers get a turn

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- A folder is looked at again when its modification or its change time moved:
-- rsync -a, cp -a and tar put the modification time back; nothing can set ctime.
CREATE TABLE IF NOT EXISTS months (
    dir TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS odd (
    dir TEXT NOT NULL, name TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (dir, name)
);
CREATE TABLE IF NOT EXISTS entries (
    rowid INTEGER PRIMARY KEY,    -- time order: see insert_names
    name TEXT NOT NULL UNIQUE,    -- 20261125T193000Z-<id>.json: sorts by time
    dir TEXT NOT NULL,            -- 2026/11
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    stamp TEXT NOT NULL,          -- UTC, from the name
    id TEXT NOT NULL,             -- from the name until read, then the file's own
    loaded INTEGER NOT NULL DEFAULT 0,
    problem TEXT,                 -- why the file could not be read, if it could not
    practice TEXT,
    complete INTEGER,
    refers_to TEXT,
    created_at TEXT,              -- ISO 8601 with the offset it was written in
    day TEXT,                     -- its day by day-start (meta 'day_start'), YYYY-MM-DD
    summary TEXT,                 -- the line `history` prints
    follow_up TEXT,
    context TEXT,
    what TEXT,
    exercise TEXT,
    arousal_before INTEGER,
    arousal_after INTEGER,
    written_at TEXT,              -- for an entry filled in later: when it was written
    closed INTEGER NOT NULL DEFAULT 0  -- for a repair: a repair-done entry refers to it
);
-- Partial indexes: a file first seen (name only) costs no entry in them.
CREATE INDEX IF NOT EXISTS entries_pending ON entries (loaded) WHERE loaded = 0;
CREATE INDEX IF NOT EXISTS entries_practice_day ON entries (practice, day)
    WHERE practice IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_day ON entries (day) WHERE practice IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_regulate
    ON entries (day, exercise, arousal_before, arousal_after) WHERE practice = 'regulate';
CREATE INDEX IF NOT EXISTS entries_refers ON entries (refers_to) WHERE refers_to IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_open ON entries (name)
    WHERE practice = 'repair' AND complete = 1 AND closed = 0;
CREATE INDEX IF NOT EXISTS entries_problem ON entries (problem) WHERE problem IS NOT NULL;
CREATE TABLE IF NOT EXISTS moments (
    entry INTEGER NOT NULL, day TEXT NOT NULL, word TEXT NOT NULL,
    intensity INTEGER, quadrant TEXT
);
CREATE INDEX IF NOT EXISTS moments_entry ON moments (entry);
-- Covering indexes: the insights queries read these, never the tables.
CREATE INDEX IF NOT EXISTS moments_day ON moments (day, word, quadrant, intensity);
CREATE TABLE IF NOT EXISTS body (
    entry INTEGER NOT NULL, day TEXT NOT NULL, word TEXT NOT NULL, place TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS body_entry ON body (entry);
CREATE INDEX IF NOT EXISTS body_word ON body (word, day, place);
CREATE TABLE IF NOT EXISTS texts (
    rowid INTEGER PRIMARY KEY,    -- entry * 1024 + 1023 - position: newest first, in order
    entry INTEGER NOT NULL,
    answer_id TEXT NOT NULL, question TEXT NOT NULL, text TEXT NOT NULL, folded TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS texts_entry ON texts (entry);
-- Running totals of the feelings named, kept by triggers in the same
-- transaction as the rows they count: `insights` over a whole store reads a
-- few thousand of these instead of every feeling ever named.
CREATE TABLE IF NOT EXISTS day_totals (
    day TEXT PRIMARY KEY,
    rated INTEGER NOT NULL DEFAULT 0,      -- feelings with an intensity
    intensity INTEGER NOT NULL DEFAULT 0,  -- their sum
    checkins INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS practice_totals (
    practice TEXT PRIMARY KEY, entries INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS word_totals (
    word TEXT NOT NULL, quadrant TEXT NOT NULL,  -- '' for a word of one's own
    named INTEGER NOT NULL, rated INTEGER NOT NULL, intensity INTEGER NOT NULL,
    PRIMARY KEY (word, quadrant)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS moments_added AFTER INSERT ON moments BEGIN
    INSERT INTO day_totals (day, rated, intensity) VALUES (
        new.day, new.intensity IS NOT NULL, coalesce(new.intensity, 0)
    ) ON CONFLICT (day) DO UPDATE SET
        rated = rated + excluded.rated, intensity = intensity + excluded.intensity;
    INSERT INTO word_totals VALUES (
        new.word, coalesce(new.quadrant, ''), 1, new.intensity IS NOT NULL,
        coalesce(new.intensity, 0)
    ) ON CONFLICT (word, quadrant) DO UPDATE SET
        named = named + 1, rated = rated + excluded.rated,
        intensity = intensity + excluded.intensity;
END;
CREATE TRIGGER IF NOT EXISTS moments_gone AFTER DELETE ON moments BEGIN
    UPDATE day_totals SET rated = rated - (old.intensity IS NOT NULL),
        intensity = intensity - coalesce(old.intensity, 0)
    WHERE day = old.day;
    UPDATE word_totals SET named = named - 1, rated = rated - (old.intensity IS NOT NULL),
        intensity = intensity - coalesce(old.intensity, 0)
    WHERE word = old.word AND quadrant = coalesce(old.quadrant, '');
END;
-- An entry's practice is set once, when its file is read; it goes with its row.
CREATE TRIGGER IF NOT EXISTS entries_read AFTER UPDATE OF practice, day ON entries BEGIN
    UPDATE practice_totals SET entries = entries - 1 WHERE practice = old.practice;
    UPDATE day_totals SET checkins = checkins - 1
        WHERE old.practice = 'checkin' AND day = old.day;
    INSERT INTO practice_totals SELECT new.practice, 1 WHERE new.practice IS NOT NULL
        ON CONFLICT (practice) DO UPDATE SET entries = entries + 1;
    INSERT INTO day_totals (day, checkins) SELECT new.day, 1 WHERE new.practice = 'checkin'
        ON CONFLICT (day) DO UPDATE SET checkins = checkins + 1;
END;
CREATE TRIGGER IF NOT EXISTS entries_gone AFTER DELETE ON entries BEGIN
    UPDATE practice_totals SET entries = entries - 1 WHERE practice = old.practice;
    UPDATE day_totals SET checkins = checkins - 1
        WHERE old.practice = 'checkin' AND day = old.day;
    DELETE FROM moments WHERE entry = old.rowid;
    DELETE FROM body WHERE entry = old.rowid;
    DELETE FROM texts WHERE entry = old.rowid;
END;
"""

# Substring search in a few milliseconds at any size. Optional: without FTS5
# (some SQLite builds) search scans `texts` instead, which is slower but right.
# New texts are added to it in bulk after each batch of files is read (a
# trigger per row costs more than reading the files); a trigger takes out the
# texts of entries that go.
FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS texts_fts USING fts5(
    folded, content='texts', content_rowid='rowid', tokenize='trigram case_sensitive 1'
);
CREATE TRIGGER IF NOT EXISTS texts_gone AFTER DELETE ON texts BEGIN
    INSERT INTO texts_fts (texts_fts, rowid, folded) VALUES ('delete', old.rowid, old.folded);
END;
"""

# A file's rowid is the digits of its UTC stamp times 100 (plus one for each
# entry already in that second), so rowids sort by time, and so do the rowids
# of its texts (see TEXTS_PER_ENTRY): search walks the full-text index newest
# first and stops after the matches it shows, however many there are in all.
# Past about the year 9000 the product would not fit in 63 bits with room for
# the texts; SQLite numbers those rows itself, which only costs their order.
SLOTS = 100
TEXTS_PER_ENTRY = 1024
MAX_ENTRY_ROWID = (2**63 - 1) // TEXTS_PER_ENTRY - 1
NAME_INSERT = (
    "INSERT OR IGNORE INTO entries (rowid, name, dir, size, mtime_ns, stamp, id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
FREE_SLOT = (
    "SELECT CASE WHEN count(*) < ?2 THEN coalesce(max(rowid) + 1, ?1) END FROM entries "
    "WHERE rowid >= ?1 AND rowid < ?1 + ?2"
)


def _rowid_of(stamp: str) -> int:
    return int(stamp[:8] + stamp[9:15]) * SLOTS


def insert_names(conn: sqlite3.Connection, rows: list[tuple[str, str, int, int, str, str]]) -> None:
    """Add files first seen: (name, dir, size, mtime_ns, stamp, id), with time-ordered rowids."""
    taken: set[int] = set()
    numbered = []
    for row in rows:
        stamp = row[4]
        rowid = _rowid_of(stamp)
        while rowid in taken:
            rowid += 1
        taken.add(rowid)
        numbered.append((rowid if rowid <= MAX_ENTRY_ROWID else None, *row))
    added = conn.executemany(NAME_INSERT, numbered).rowcount
    if added == len(rows):
        return
    # Another entry of the same second was there before: the next free slot (rare).
    for wanted, row in zip(numbered, rows, strict=True):
        if conn.execute("SELECT 1 FROM entries WHERE name = ?", (row[0],)).fetchone():
            continue
        base = _rowid_of(row[4])
        free = conn.execute(FREE_SLOT, (base, SLOTS)).fetchone()[0] if wanted[0] else None
        conn.execute(NAME_INSERT.replace(" OR IGNORE", ""), (free, *row))


class Unusable(Exception):
    """The index file is from another index version."""


class OpenRepair(Record):
    __slots__ = ("context", "created_at", "follow_up", "id", "stamp", "what")

    def __init__(
        self,
        id: str,
        stamp: str,
        follow_up: str | None,
        context: str | None,
        what: str | None,
        created_at: str | None = None,
    ) -> None:
        self.id = id
        self.stamp = stamp
        self.follow_up = follow_up
        self.context = context
        self.what = what
        self.created_at = created_at


def utc_stamp(moment: object) -> str:
    """A datetime as the UTC stamp file names carry: 20261125T193000Z."""
    from datetime import datetime

    from attunecli.names import utc_stamp as stamp

    assert isinstance(moment, datetime)
    return stamp(moment)


class Index:
    """The index of the entry files under `root`, kept in `cache_dir` (None: in memory)."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        cache_dir: str | os.PathLike[str] | None,
        *,
        on_problem: Callable[[str, str], None] | None = None,
        sweep: bool = False,
        day_start: TimeOfDay | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """`sweep`: delete temp files left by dead writers in folders looked at.

        Commands that write (a save, a reminder's count, forget) sweep; reading
        commands leave the data folder exactly as they found it.

        `day_start`: when a day begins, for the `day` each entry is counted on.
        An index made with another is read again (every day may move); None
        takes the one the index was made with (04:00 for a new one).

        `on_progress(done, total)`: told how reading every pending file goes.
        """
        self.on_progress = on_progress
        self.root = os.fspath(root)
        self.sweep = sweep
        self.day_start = day_start
        self.path = os.path.join(os.fspath(cache_dir), "index.sqlite3") if cache_dir else ""
        self._on_problem = on_problem
        self.fts = False
        self.read = 0  # files read by this process

    @classmethod
    def for_store(
        cls, store: Store, cache_dir: str | os.PathLike[str] | None, *, sweep: bool = False
    ) -> Index:
        """An index that names folder problems the way `store` names files (once)."""

        def named(path: str, why: str) -> None:
            from pathlib import Path

            store.warn_once(Path(path), why)

        return cls(store.root, cache_dir, on_problem=named, sweep=sweep)

    def _problem(self, path: str, why: str) -> None:
        if self._on_problem is not None:
            self._on_problem(path, why)

    # connection
    def _connect(self) -> sqlite3.Connection:
        if self.path:
            _private_dir(os.path.dirname(self.path))
            _own_file(self.path)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        else:
            conn = sqlite3.connect(":memory:", isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            row = _version(conn)
            if row is None:
                _script(conn, SCHEMA)
                with contextlib.suppress(sqlite3.OperationalError):  # no FTS5 in this SQLite
                    _script(conn, FTS_SCHEMA)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('version', ?)", (INDEX_VERSION,))
                row = _version(conn)
            if row != INDEX_VERSION:
                raise Unusable(f"index version {row}, expected {INDEX_VERSION}")
            self._agree_on_days(conn)
            self.fts = (
                conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'texts_fts' AND type = 'table'"
                ).fetchone()
                is not None
            )
        except BaseException:
            conn.close()
            raise
        return conn

    def _agree_on_days(self, conn: sqlite3.Connection) -> None:
        """Make the index count days from `day_start`; then `day_start` is the one it uses."""
        from attunecli.days import DEFAULT_DAY_START, parse_day_start

        wanted = None if self.day_start is None else f"{self.day_start:%H:%M}"
        recorded = _meta(conn, "day_start")
        if recorded is None or (wanted is not None and recorded != wanted):
            with immediate(conn):  # written only when it changes: reading stays read-only
                recorded = _meta(conn, "day_start")
                if recorded is not None and wanted is not None and recorded != wanted:
                    # Another day-start: any entry's day may move, so every file is read
                    # again (in place: other processes may have the index open).
                    conn.execute("DELETE FROM entries")
                    conn.execute("DELETE FROM months")
                    conn.execute("DELETE FROM odd")
                if recorded is None or (wanted is not None and recorded != wanted):
                    recorded = wanted or f"{DEFAULT_DAY_START:%H:%M}"
                    conn.execute("INSERT OR REPLACE INTO meta VALUES ('day_start', ?)", (recorded,))
        self.day_start = parse_day_start(recorded)

    def connection(self) -> _Connection:
        """A fresh index: names brought up to date and every pending file read.

        A damaged file or one from another version is deleted and built again.
        A busy or locked one (another process is writing) is not damage: that
        is waited for and retried, never deleted under the other process.
        """
        return _Connection(self)

    def open_fresh(self) -> sqlite3.Connection:
        conn = self._open()
        try:
            for attempt in range(3):
                try:
                    self.refresh(conn)
                    break
                except sqlite3.OperationalError:
                    if attempt == 2:
                        raise
                    conn.close()
                    conn = self._open()
                except sqlite3.DatabaseError:  # damaged
                    conn.close()
                    self.delete()
                    conn = self._open()
        except BaseException:
            conn.close()
            raise
        return conn

    def _open(self) -> sqlite3.Connection:
        for attempt in range(3):
            try:
                return self._connect()
            except sqlite3.OperationalError:
                if attempt == 2:
                    raise
            except (sqlite3.DatabaseError, Unusable):
                self.delete()
        return self._connect()

    def rebuild(self) -> None:
        """Read every file again, in place (other processes may have the index open)."""
        conn = self._open()
        try:
            with immediate(conn):
                conn.execute("DELETE FROM entries")
                conn.execute("DELETE FROM months")
                conn.execute("DELETE FROM odd")
            self.refresh(conn)
            self.load_pending(conn)
        finally:
            conn.close()

    def delete(self) -> None:
        if not self.path:
            return
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path + suffix)

    # keeping the names fresh
    def months_on_disk(self) -> dict[str, tuple[str, int, int]]:
        """{"2026/11": (folder, its mtime_ns, its ctime_ns)} for every month folder."""
        found: dict[str, tuple[str, int, int]] = {}
        try:
            years = [
                d
                for d in os.scandir(self.root)
                if d.name.isascii() and d.name.isdecimal() and d.is_dir()
            ]
        except OSError:
            return found
        for year in years:
            try:
                months = [
                    d
                    for d in os.scandir(year.path)
                    if d.name.isascii() and d.name.isdecimal() and d.is_dir()
                ]
            except OSError as exc:
                self._problem(year.path, exc.strerror or str(exc))
                continue
            for month in months:
                with contextlib.suppress(OSError):
                    st = month.stat()
                    found[f"{year.name}/{month.name}"] = (
                        month.path,
                        st.st_mtime_ns,
                        st.st_ctime_ns,
                    )
        return found

    def refresh(self, conn: sqlite3.Connection) -> int:
        """Bring the file names up to date; returns how many files are new or changed."""
        on_disk = self.months_on_disk()
        known = _months(conn)
        if known.keys() == on_disk.keys() and all(
            known[rel] == (m, c) for rel, (_, m, c) in on_disk.items()
        ):
            return 0
        changed = 0
        with immediate(conn):
            known = _months(conn)
            removed = False
            for rel in set(known) - set(on_disk):
                removed = True
                conn.execute("DELETE FROM entries WHERE dir = ?", (rel,))
                conn.execute("DELETE FROM odd WHERE dir = ?", (rel,))
                conn.execute("DELETE FROM months WHERE dir = ?", (rel,))
            now_ns = time.time_ns()
            for rel, (path, mtime_ns, ctime_ns) in sorted(on_disk.items()):
                if known.get(rel) == (mtime_ns, ctime_ns):
                    continue
                new, gone, temp, listed = self._refresh_month(conn, rel, path, rel in known)
                # A killed save's leftovers; sweeping them changes the folder's time.
                if temp and self.sweep and not _through_a_link(self.root, path) and _sweep(path):
                    with contextlib.suppress(OSError):
                        st = os.stat(path)
                        mtime_ns, ctime_ns = st.st_mtime_ns, st.st_ctime_ns
                changed += new
                removed = removed or gone
                # A folder that could not be listed is listed again next time.
                trusted = listed and now_ns - mtime_ns > RACY_SECONDS * 1e9
                conn.execute(
                    "INSERT OR REPLACE INTO months VALUES (?, ?, ?)",
                    (rel, mtime_ns if trusted else -1, ctime_ns),
                )
            if removed:  # a follow-up may have gone: which repairs are open again
                mark_closed(conn)
        return changed

    def _refresh_month(
        self, conn: sqlite3.Connection, rel: str, path: str, known: bool
    ) -> tuple[int, bool, bool, bool]:
        """(files new or changed, whether any went, whether temp files are lying there,
        whether the folder could be listed)."""
        from attunecli.names import NAME_RE, odd_file_reason

        rows = {}
        if known:  # a folder seen before (no index on dir: inserting stays cheap)
            rows = {
                name: (size, mtime)
                for name, size, mtime in conn.execute(
                    "SELECT name, size, mtime_ns FROM entries WHERE dir = ?", (rel,)
                )
            }
        conn.execute("DELETE FROM odd WHERE dir = ?", (rel,))
        seen: set[str] = set()
        fresh = []
        names: list[str] | None
        try:
            # A folder first seen: names only. Sizes and times are taken when each
            # file is read (-1 until then), which halves building the index.
            names = os.listdir(path) if not known else [f.name for f in os.scandir(path)]
        except OSError as exc:
            self._problem(path, exc.strerror or str(exc))
            names = None
        temp = False
        for name in names or ():
            m = NAME_RE.match(name)
            if m is None:
                temp = temp or name.startswith(TEMP_PREFIX)
                why = odd_file_reason(name)
                if why is not None and not _encodable(name):
                    # Bytes that are not UTF-8 (os.listdir gives them as surrogates,
                    # which SQLite cannot hold): kept as the codes a message shows.
                    from attunecli.fsutil import shown

                    why, name = "its name is not valid UTF-8; attune leaves it alone", shown(name)
                if why is not None:
                    conn.execute("INSERT OR REPLACE INTO odd VALUES (?, ?, ?)", (rel, name, why))
                continue
            if not known:
                fresh.append((name, rel, -1, -1, m.group(1), m.group(2)))
                continue
            try:  # not followed: a link (even a dangling one) is an entry file to name
                st = os.lstat(os.path.join(path, name))
            except OSError:
                continue
            seen.add(name)
            before = rows.get(name)
            if before == (st.st_size, st.st_mtime_ns):
                continue
            if before is not None:  # changed (or never read): read again
                conn.execute("DELETE FROM entries WHERE name = ?", (name,))
            fresh.append((name, rel, st.st_size, st.st_mtime_ns, m.group(1), m.group(2)))
        insert_names(conn, fresh)
        changed = len(fresh)
        gone = set(rows) - seen
        for name in gone:
            conn.execute("DELETE FROM entries WHERE name = ?", (name,))
        return changed, bool(gone), temp, names is not None

    # reading what files hold
    def load_pending(self, conn: sqlite3.Connection, rowids: Iterable[int] | None = None) -> int:
        """Read the pending files (all of them, or those among `rowids`); how many were read.

        Reading all of them tells `on_progress` (done, total) as it goes, and
        (total, total) at the end whatever happens: the reading layer draws a bar
        with it over a large store (`progress.LazyBar`).
        """
        wanted = None if rowids is None else list(rowids)
        if wanted is not None and not wanted:
            return 0
        if wanted is None and not has_pending(conn):
            return 0
        told = self.on_progress
        if wanted is not None or told is None:
            return self._load(conn, wanted, None)
        total = conn.execute("SELECT count(*) FROM entries WHERE loaded = 0").fetchone()[0]
        done = 0

        def on_file(n: int) -> None:
            nonlocal done
            done += n
            told(done, max(total, done))

        try:
            return self._load(conn, None, on_file)
        finally:
            told(max(total, done), max(total, done))

    def _load(
        self,
        conn: sqlite3.Connection,
        wanted: list[int] | None,
        on_file: Callable[[int], None] | None,
    ) -> int:
        from attunecli.indexing import load_files

        read = 0
        while True:
            with immediate(conn):
                if wanted is None:
                    rows = conn.execute(
                        "SELECT rowid, dir, name FROM entries WHERE loaded = 0 LIMIT ?",
                        (LOAD_BATCH,),
                    ).fetchall()
                else:
                    marks = ",".join("?" * len(wanted))
                    rows = conn.execute(
                        f"SELECT rowid, dir, name FROM entries WHERE loaded = 0 "
                        f"AND rowid IN ({marks})",
                        wanted,
                    ).fetchall()
                if rows:
                    load_files(conn, self.root, rows, self.day_start, on_file)
                    if self.fts:
                        marks = ",".join("?" * len(rows))
                        conn.execute(
                            "INSERT INTO texts_fts (rowid, folded) SELECT rowid, folded "
                            f"FROM texts WHERE entry IN ({marks})",
                            [r[0] for r in rows],
                        )
                    mark_closed(conn)
            read += len(rows)
            if wanted is not None or len(rows) < LOAD_BATCH:
                break
        self.read += read
        return read

    def readable(self, rel: str) -> bool:
        """Whether the file at `rel` (dir/name) can still be read; names it when not.

        A `chmod` changes neither a file's size nor its time, nor its folder's: an
        entry the index read once can have become unreadable since.
        """
        path = os.path.join(self.root, rel)
        if os.access(path, os.R_OK) and os.path.isfile(path):
            return True
        self._problem(path, "Permission denied" if os.path.isfile(path) else "not a regular file")
        return False

    def problems(self, conn: sqlite3.Connection) -> list[tuple[str, str]]:
        """(path, why) for every file in the month folders attune is not reading."""
        found = [
            (os.path.join(self.root, d, n), why)
            for d, n, why in conn.execute(
                "SELECT dir, name, problem FROM entries WHERE problem IS NOT NULL"
            )
        ]
        found += [
            (os.path.join(self.root, d, n), why)
            for d, n, why in conn.execute("SELECT dir, name, reason FROM odd")
        ]
        found.sort()
        return found

    # questions the reminder asks
    @staticmethod
    def practised_between(conn: sqlite3.Connection, practice: str, lo: object, hi: object) -> bool:
        low, high = utc_stamp(lo), utc_stamp(hi)
        row = conn.execute(
            # The rowid range (see insert_names) finds the rows; stamp says it exactly.
            "SELECT 1 FROM entries WHERE rowid >= ? AND rowid < ? "
            "AND +practice = ? AND stamp >= ? AND stamp < ? LIMIT 1",
            (_rowid_of(low), _rowid_of(high) + SLOTS, practice, low, high),
        ).fetchone()
        return row is not None

    @staticmethod
    def open_repairs(conn: sqlite3.Connection) -> list[OpenRepair]:
        cols = "id, stamp, follow_up, context, what, created_at"
        return [OpenRepair(*row) for row in open_repair_rows(conn, cols)]


# The one question "which repairs are open": finished repairs no follow-up has closed
# (`closed` is kept by a trigger), oldest first, through their partial index.
OPEN_REPAIRS = (
    "FROM entries INDEXED BY entries_open "
    "WHERE practice = 'repair' AND complete = 1 AND closed = 0 ORDER BY name"
)


def open_repair_rows(conn: sqlite3.Connection, columns: str) -> list[tuple[Any, ...]]:
    """`columns` (SQL over `entries`) of each open repair, oldest first."""
    return conn.execute(f"SELECT {columns} {OPEN_REPAIRS}").fetchall()


class _Connection:
    """`with index.connection() as conn:`, without importing contextlib on the quick paths."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        self.conn = self.index.open_fresh()
        try:
            self.index.load_pending(self.conn)
        except BaseException:
            self.conn.close()
            raise
        return self.conn

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.conn is not None:
            self.conn.close()


def _through_a_link(root: str, folder: str) -> bool:
    """Whether `folder` (root/YYYY/MM) is reached through a linked year or month folder:
    nothing is deleted there, since it is not attune's (the data folder may be a link)."""
    rel = os.path.relpath(folder, root)
    here = root
    for part in rel.split(os.sep):
        here = os.path.join(here, part)
        if os.path.islink(here):
            return True
    return False


def _sweep(folder: str) -> int:
    from pathlib import Path

    from attunecli.fsutil import sweep_temp_files

    return sweep_temp_files(Path(folder))


def _private_dir(path: str) -> None:
    """Make the cache folder (0700) if need be, and refuse one another user owns or
    may write in (someone made it first): the caller then reads the files instead."""
    from attunecli.paths import untrusted

    try:
        st = os.stat(path)  # the folder itself may be a link (a sync setup)
        if st.st_mode & 0o170777 == 0o040700 and untrusted(path, st) is None:
            return  # the usual case, without loading fsutil
    except OSError:
        pass
    from pathlib import Path

    from attunecli.fsutil import ensure_private_dir

    ensure_private_dir(Path(path))
    why = untrusted(path, follow=True)
    if why is not None:
        raise PermissionError(
            f"{path} is {why}; attune keeps its index only in a folder of its own"
        )


def _own_file(path: str) -> None:
    """Refuse an index path that is a link (dangling or not: SQLite would make or open a
    file elsewhere) or a file that is not ours; make a new one 0600 without following."""
    from attunecli.paths import untrusted

    try:
        st = os.lstat(path)
    except FileNotFoundError:
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            os.close(os.open(path, flags, 0o600))
        except FileExistsError:
            _own_file(path)  # made meanwhile (another attune): look at it again
        return
    why = untrusted(path, st)
    if why is None and st.st_mode & 0o170000 != 0o100000:
        why = "not a regular file"
    if why is not None:
        raise PermissionError(f"{path} is {why}; attune leaves it alone")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _months(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    return {d: (m, c) for d, m, c in conn.execute("SELECT dir, mtime_ns, ctime_ns FROM months")}


def has_pending(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM entries WHERE loaded = 0 LIMIT 1").fetchone() is not None


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once (so two writers queue instead of deadlocking)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _script(conn: sqlite3.Connection, script: str) -> None:
    """Run `script` as one transaction (executescript alone commits statement by statement)."""
    try:
        conn.executescript(f"BEGIN IMMEDIATE;{script}COMMIT;")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _version(conn: sqlite3.Connection) -> str | None:
    return _meta(conn, "version")


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return None if row is None else str(row[0])


def mark_closed(conn: sqlite3.Connection) -> None:
    # Which repairs a follow-up closes: worked out whenever files change, so the
    # question a reminder asks every day stays a lookup, whatever the size.
    conn.execute(
        """
        UPDATE entries SET closed = EXISTS (
            SELECT 1 FROM entries d
            WHERE d.practice = 'repair-done' AND d.refers_to = entries.id
        ) WHERE practice = 'repair'
        """
    )


# looking entries up by id
def find_copies(store: Store, key: str) -> list[Path]:
    """Every entry file `key` names, oldest first.

    `key` is an id (a unique prefix is enough) or a file's name
    (`20261125T193000Z-3f9a1c2e5b7d9e01.json`). One id can be in several files (a
    copy a sync tool or a hand made): then each file holding it is returned, and
    its name is how to pick one.
    """
    import re

    from attunecli.errors import NotFound, UsageError
    from attunecli.names import NAME_RE

    text = key.strip()
    if NAME_RE.match(text) or NAME_RE.match(text + ".json"):
        name = text if text.endswith(".json") else text + ".json"
        named = [p for p in store.paths() if p.name == name]
        if not named:
            raise NotFound(f"no entry file named {name!r}")
        return named
    prefix = text.lower()
    if not re.fullmatch(r"[0-9a-f]{1,32}", prefix):
        raise UsageError(f"not an entry id: {key[:40]!r} (ids are hexadecimal, like 3f9a1c2e)")
    matches: dict[str, list[Path]] = {}
    for p in store.paths():
        m = NAME_RE.match(p.name)
        if m and m.group(2).startswith(prefix):
            matches.setdefault(m.group(2), []).append(p)
    if not matches:
        raise NotFound(f"no entry with an id starting {prefix!r}")
    if len(matches) > 1:
        raise UsageError(
            f"{len(matches)} entries have ids starting {prefix!r}; give more of the id"
        )
    [copies] = matches.values()
    return copies


def copies_named(paths: Sequence[Path]) -> str:
    """ "A.json and B.json": the files that hold one id, for a message."""
    from attunecli.fsutil import shown

    names = [shown(p.name) for p in paths]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
