"""A derived index of the entry files: SQLite in the user cache dir.

The JSON files stay the only truth. The index is rebuilt by itself when it is
missing, unreadable, from another index version, or stale, and it is safe to
delete at any time. Staleness is judged per month folder by its modification
time: adding, removing or renaming a file in a folder changes it, and that is
how sync tools (which write a temp file and rename it), git and people add
entries. A folder whose time is within two seconds of the refresh is not
trusted yet (coarse file-system clocks), so it is looked at again next time.

Only what is cheap to keep is indexed per file: id, practice, time, whether it
is complete, the repair it closes, and the answers a reminder needs.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from attunecli.fsutil import ensure_private_dir, sweep_temp_files
from attunecli.store import NAME_RE, Store

INDEX_VERSION = "3"
RACY_SECONDS = 2.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS months (dir TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    name TEXT PRIMARY KEY,
    dir TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    stamp TEXT NOT NULL,          -- UTC, as in the file name: 20261125T193000Z
    id TEXT,
    practice TEXT,                -- NULL when the file could not be read
    complete INTEGER,
    refers_to TEXT,
    follow_up TEXT,
    context TEXT,
    what TEXT,
    problem TEXT,                 -- why the file could not be read, if it could not
    closed INTEGER NOT NULL DEFAULT 0  -- for a repair: a repair-done entry refers to it
);
CREATE INDEX IF NOT EXISTS entries_dir ON entries (dir);
CREATE INDEX IF NOT EXISTS entries_practice ON entries (practice, stamp);
CREATE INDEX IF NOT EXISTS entries_refers ON entries (refers_to);
CREATE INDEX IF NOT EXISTS entries_open ON entries (practice, closed, stamp);
"""


class _Unusable(Exception):
    """The index file is from another index version."""


@dataclass(frozen=True)
class OpenRepair:
    id: str
    stamp: str
    follow_up: str | None
    context: str | None
    what: str | None


def _stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class Index:
    def __init__(self, store: Store, cache_dir: Path) -> None:
        self.store = store
        self.path = cache_dir / "index.sqlite3"

    # connection
    def _connect(self) -> sqlite3.Connection:
        ensure_private_dir(self.path.parent)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.executescript(SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if row is None:
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('version', ?)", (INDEX_VERSION,))
        elif row[0] != INDEX_VERSION:
            conn.close()
            raise _Unusable(f"index version {row[0]}, expected {INDEX_VERSION}")
        return conn

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A fresh, up-to-date index.

        A damaged file or one from another version is deleted and built again.
        A busy or locked one (another process is writing) is not damage: that
        is waited for and retried, never deleted under the other process.
        """
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
            yield conn
        finally:
            conn.close()

    def _open(self) -> sqlite3.Connection:
        for attempt in range(3):
            try:
                return self._connect()
            except sqlite3.OperationalError:
                if attempt == 2:
                    raise
            except (sqlite3.DatabaseError, _Unusable):
                self.delete()
        return self._connect()

    def rebuild(self) -> None:
        """Read every file again, in place (other processes may have the index open)."""
        conn = self._open()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM entries")
            conn.execute("DELETE FROM months")
            conn.execute("COMMIT")
            self.refresh(conn)
        finally:
            conn.close()

    def delete(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(self.path) + suffix).unlink()

    # keeping it fresh
    def months_on_disk(self) -> dict[str, tuple[Path, int]]:
        found: dict[str, tuple[Path, int]] = {}
        root = self.store.root
        try:
            years = [d for d in os.scandir(root) if d.name.isdigit() and d.is_dir()]
        except OSError:
            return found
        for year in years:
            try:
                months = [d for d in os.scandir(year.path) if d.name.isdigit() and d.is_dir()]
            except OSError as exc:
                self.store.warn_once(Path(year.path), exc.strerror or str(exc))
                continue
            for month in months:
                with contextlib.suppress(OSError):
                    found[f"{year.name}/{month.name}"] = (
                        Path(month.path),
                        month.stat().st_mtime_ns,
                    )
        return found

    def refresh(self, conn: sqlite3.Connection) -> int:
        """Bring the index up to date with the files; returns how many files were (re)read."""
        on_disk = self.months_on_disk()
        known = dict(conn.execute("SELECT dir, mtime_ns FROM months").fetchall())
        if all(known.get(rel) == m for rel, (_, m) in on_disk.items()) and known.keys() <= set(
            on_disk
        ):
            return 0
        read = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            known = dict(conn.execute("SELECT dir, mtime_ns FROM months").fetchall())
            for rel in set(known) - set(on_disk):
                conn.execute("DELETE FROM entries WHERE dir = ?", (rel,))
                conn.execute("DELETE FROM months WHERE dir = ?", (rel,))
            now_ns = time.time_ns()
            for rel, (path, mtime_ns) in sorted(on_disk.items()):
                if known.get(rel) == mtime_ns:
                    continue
                if sweep_temp_files(path):  # a killed save's leftovers; changes the folder
                    with contextlib.suppress(OSError):
                        mtime_ns = path.stat().st_mtime_ns
                read += self._refresh_month(conn, rel, path)
                trusted = now_ns - mtime_ns > RACY_SECONDS * 1e9
                conn.execute(
                    "INSERT OR REPLACE INTO months VALUES (?, ?)",
                    (rel, mtime_ns if trusted else -1),
                )
            # Which repairs a follow-up closes: worked out again whenever files changed,
            # so the question a reminder asks every day stays a lookup, whatever the size.
            conn.execute(
                """
                UPDATE entries SET closed = EXISTS (
                    SELECT 1 FROM entries d
                    WHERE d.practice = 'repair-done' AND d.refers_to = entries.id
                ) WHERE practice = 'repair'
                """
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return read

    def _refresh_month(self, conn: sqlite3.Connection, rel: str, path: Path) -> int:
        rows = {
            name: (size, mtime)
            for name, size, mtime in conn.execute(
                "SELECT name, size, mtime_ns FROM entries WHERE dir = ?", (rel,)
            )
        }
        seen: set[str] = set()
        read = 0
        try:
            files = [f for f in os.scandir(path) if NAME_RE.match(f.name)]
        except OSError as exc:
            self.store.warn_once(path, exc.strerror or str(exc))
            files = []
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            seen.add(f.name)
            if rows.get(f.name) == (st.st_size, st.st_mtime_ns):
                continue
            read += 1
            conn.execute(
                "INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,0)",
                self._row(rel, Path(f.path), st.st_size, st.st_mtime_ns),
            )
        for gone in set(rows) - seen:
            conn.execute("DELETE FROM entries WHERE name = ?", (gone,))
        return read

    def _row(self, rel: str, path: Path, size: int, mtime_ns: int) -> tuple[object, ...]:
        m = NAME_RE.match(path.name)
        assert m is not None
        stamp = m.group(1)
        entry = self.store.load(path)
        if entry is None:
            return (
                path.name,
                rel,
                size,
                mtime_ns,
                stamp,
                m.group(2),
                None,
                None,
                None,
                None,
                None,
                None,
                "unreadable",
            )
        follow = entry.answer("follow_up")
        return (
            path.name,
            rel,
            size,
            mtime_ns,
            _stamp(entry.created_at),
            entry.id,
            entry.practice,
            int(entry.complete),
            entry.refers_to,
            follow if isinstance(follow, str) else None,
            _text(entry.answer("context")),
            _text(entry.answer("what")),
            None,
        )

    # questions the reminder asks
    @staticmethod
    def practised_between(
        conn: sqlite3.Connection, practice: str, lo: datetime, hi: datetime
    ) -> bool:
        row = conn.execute(
            "SELECT 1 FROM entries WHERE practice = ? AND stamp >= ? AND stamp < ? LIMIT 1",
            (practice, _stamp(lo), _stamp(hi)),
        ).fetchone()
        return row is not None

    @staticmethod
    def open_repairs(conn: sqlite3.Connection) -> list[OpenRepair]:
        rows = conn.execute(
            """
            SELECT id, stamp, follow_up, context, what FROM entries
            WHERE practice = 'repair' AND closed = 0 AND complete = 1
            ORDER BY stamp
            """
        ).fetchall()
        return [OpenRepair(*row) for row in rows]


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
