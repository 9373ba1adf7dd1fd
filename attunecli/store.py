"""The JSON entry files: the only truth attune keeps.

One file per entry, written once, never rewritten:
``<data>/entries/YYYY/MM/YYYYMMDDTHHMMSSZ-<id>.json`` (UTC in the name, so names
sort by time on every machine). Immutable files never conflict when a sync
tool or git carries them between machines.

Reading is tolerant: a file that cannot be read or parsed is named once through
`warn` and skipped; nothing here ever deletes or rewrites an entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from attunecli.errors import AttuneError, NotFound, UsageError
from attunecli.fsutil import ensure_private_dir, shown, sweep_temp_files, write_atomic
from attunecli.models import SCHEMA_VERSION, Entry
from attunecli.names import NAME_RE as NAME_RE
from attunecli.names import odd_file_reason as odd_name_reason
from attunecli.names import utc_stamp

MAX_ENTRY_BYTES = 1 << 20  # an entry is a few KiB; anything over a MiB is not one
LINK_SKIPPED = "a symbolic link; attune follows none inside its data folder"


def _no_follow(path: str, flags: int) -> int:
    """An `open` opener that follows no link (and never waits on a FIFO)."""
    import os

    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


def odd_file_reason(path: Path) -> str | None:
    """Why a file in a month folder is not read as an entry, or None to pass it by quietly."""
    return odd_name_reason(path.name)


Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 adds `written_at`, for entries filled in later; a version-1 entry was
    written when it began, which is what leaving it out says."""
    return {**data, "schema_version": 2}


# schema_version N -> function that turns a version-N record into version N+1.
MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring a record up to `SCHEMA_VERSION`, one small step at a time."""
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("schema_version is missing or not a whole number")
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"written by a newer attune (schema {version}; this version reads up to "
            f"{SCHEMA_VERSION}): upgrade attune to read it"
        )
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise ValueError(f"no migration from schema {version}")
        data = step(data)
        version = data["schema_version"]
    return data


def file_name(entry: Entry) -> str:
    stamp = utc_stamp(entry.created_at)
    return f"{stamp}-{entry.id}.json"


def entry_bytes(entry: Entry) -> bytes:
    return (json.dumps(entry.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _stamp_of(path: Path) -> datetime | None:
    m = NAME_RE.match(path.name)
    if not m:
        return None
    return datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


class Store:
    def __init__(
        self,
        data_dir: Path,
        warn: Callable[[str], None] | None = None,
        *,
        on_problem: Callable[[Path, str], None] | None = None,
    ) -> None:
        """`warn` gets one line per unreadable file; `on_problem` the path and the reason."""
        self.root = data_dir / "entries"
        self._warn = warn or (lambda _msg: None)
        self._on_problem = on_problem
        self._warned: set[Path] = set()

    def warn_once(self, path: Path, why: str) -> None:
        if path not in self._warned:
            self._warned.add(path)
            why = shown(why)  # a reason can quote a file's text; each warning is one line
            if self._on_problem is not None:
                self._on_problem(path, why)
            self._warn(f"skipped {shown(path)}: {why}")

    # writing
    def path_for(self, entry: Entry) -> Path:
        utc = entry.created_at.astimezone(UTC)
        return self.root / f"{utc.year:04d}" / f"{utc.month:02d}" / file_name(entry)

    def save(self, entry: Entry) -> Path:
        path = self.path_for(entry)
        self._refuse_links(path)
        try:
            ensure_private_dir(self.root.parent)
            write_atomic(path, entry_bytes(entry), exclusive=True)
        except FileExistsError:
            raise AttuneError(
                f"an entry already exists at {shown(path)}; nothing was overwritten"
            ) from None
        except OSError as exc:
            raise AttuneError(
                f"could not save to {shown(path)}: {shown(exc.strerror or str(exc))}"
            ) from exc
        sweep_temp_files(path.parent)  # what a killed save may have left here
        return path

    def save_many(self, entries: list[Entry]) -> list[Path]:
        """`save` each entry, with one flush to disk for the lot (see `write_many_once`)."""
        from attunecli.fsutil import write_many_once

        items = []
        for entry in entries:
            path = self.path_for(entry)
            self._refuse_links(path)
            items.append((path, entry_bytes(entry)))
        if not items:
            return []
        try:
            ensure_private_dir(self.root.parent)
            write_many_once(items)
        except FileExistsError as exc:
            raise AttuneError(
                f"an entry already exists at {shown(exc.filename or exc.args[0])}; "
                "nothing was overwritten"
            ) from None
        except OSError as exc:
            where = exc.filename or items[0][0].parent
            raise AttuneError(
                f"could not save to {shown(where)}: {shown(exc.strerror or str(exc))}"
            ) from exc
        for folder in dict.fromkeys(p.parent for p, _ in items):
            sweep_temp_files(folder)
        return [p for p, _ in items]

    # reading
    def paths(self) -> list[Path]:
        """Entry files, oldest first; anything that is not an entry file is left alone."""
        if not self.root.is_dir() or not self._not_a_link(self.root):
            return []
        found: list[Path] = []
        for year in self._dirs(self.root):
            for month in self._dirs(year):
                try:
                    children = list(month.iterdir())
                except OSError as exc:
                    self.warn_once(month, exc.strerror or str(exc))
                    continue
                for child in children:
                    if NAME_RE.match(child.name):
                        found.append(child)
                    elif (why := odd_file_reason(child)) is not None:
                        self.warn_once(child, why)
        found.sort(key=lambda p: p.name)
        return found

    def _dirs(self, parent: Path) -> list[Path]:
        try:
            return sorted(
                p
                for p in parent.iterdir()
                if p.name.isascii() and p.name.isdecimal() and self._not_a_link(p) and p.is_dir()
            )
        except OSError as exc:
            self.warn_once(parent, exc.strerror or str(exc))
            return []

    def load(self, path: Path) -> Entry | None:
        try:
            raw = self._read_no_links(path)
            if raw is None:
                return None
            text = raw.decode("utf-8")
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            if "\\u" in text:  # an escape could hide a lone surrogate, which no output can show
                json.dumps(data, ensure_ascii=False).encode("utf-8")
            return Entry.from_json(migrate(data))
        except OSError as exc:
            self.warn_once(path, exc.strerror or str(exc))
        except UnicodeDecodeError:
            self.warn_once(path, "not valid UTF-8")
        except UnicodeEncodeError:
            self.warn_once(path, "holds text that is not valid Unicode (a lone surrogate escape)")
        except json.JSONDecodeError as exc:
            self.warn_once(path, f"not valid JSON: {exc.msg.lower()} (line {exc.lineno})")
        except RecursionError:
            self.warn_once(path, "not a valid entry (nested too deeply)")
        except (ValueError, KeyError, TypeError) as exc:
            self.warn_once(path, f"not a valid entry ({exc})")
        return None

    # links: the data folder itself may be one (sync setups); nothing inside it is followed
    def _not_a_link(self, path: Path) -> bool:
        """False (and named once) when `path` is a symbolic link."""
        if not path.is_symlink():
            return True
        self.warn_once(path, LINK_SKIPPED)
        return False

    def _link_between(self, path: Path) -> Path | None:
        """The first folder from entries/ down to `path`'s folder that is a link, if one is."""
        import os

        # Strings and os.path, not Path objects: this runs for every file read.
        root = os.fspath(self.root)
        parent = os.path.dirname(os.fspath(path))
        if parent == root:
            parts: list[str] = []
        elif parent.startswith(root + os.sep):
            parts = parent[len(root) + 1 :].split(os.sep)
        else:
            return None  # not under the store: a file given by hand
        folder = root
        if os.path.islink(folder):
            return self.root
        for part in parts:
            folder = os.path.join(folder, part)
            if os.path.islink(folder):
                return Path(folder)
        return None

    def _refuse_links(self, path: Path) -> None:
        link = self._link_between(path)
        if link is not None:
            raise AttuneError(
                f"could not save to {shown(path)}: {shown(link)} is a symbolic link, "
                "and attune writes through none inside its data folder"
            )

    def read_bytes(self, path: Path) -> bytes | None:
        """The bytes of entry file `path` as every reader takes them: no link followed,
        only a regular file, at most MAX_ENTRY_BYTES (None: named, with the reason)."""
        return self._read_no_links(path)

    def _read_no_links(self, path: Path) -> bytes | None:
        """The bytes of entry file `path`, opened without following a link (None: named)."""
        link = self._link_between(path)
        if link is not None:
            self.warn_once(path, f"in {shown(link)}, {LINK_SKIPPED}")
            return None
        import os
        import stat

        try:
            st = os.lstat(path)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode):
            self.warn_once(path, LINK_SKIPPED)
            return None
        if st is None or not stat.S_ISREG(st.st_mode):
            self.warn_once(path, "not a regular file")
            return None
        if st.st_size > MAX_ENTRY_BYTES:  # not even opened
            self.warn_once(path, f"too large to be an entry ({st.st_size / 1e6:.1f} MB)")
            return None
        # O_NOFOLLOW: a link put here since the look above is not followed either.
        # Unbuffered: one read of the whole file, with no buffer to fill first.
        with open(path, "rb", buffering=0, opener=_no_follow) as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                self.warn_once(path, "not a regular file")
                return None
            return fh.readall()

    def _load_all(self, paths: Iterable[Path]) -> Iterator[Entry]:
        for p in paths:
            e = self.load(p)
            if e is not None:
                yield e

    def entries(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        practice: str | None = None,
        newest_first: bool = False,
    ) -> Iterator[Entry]:
        paths = self._window(self.paths(), since, until)
        if newest_first:
            paths.reverse()
        for e in self._load_all(paths):
            local_day = e.created_at.date()
            if since and local_day < since:
                continue
            if until and local_day > until:
                continue
            if practice and e.practice != practice:
                continue
            yield e

    @staticmethod
    def _window(paths: list[Path], since: date | None, until: date | None) -> list[Path]:
        """Drop files whose UTC name is more than a day outside the local-date window."""
        if since is None and until is None:
            return paths
        lo = hi = None  # at the ends of the calendar there is nothing further to cut
        if since and since > date.min + timedelta(days=1):
            lo = datetime.combine(since - timedelta(days=1), datetime.min.time(), UTC)
        if until and until < date.max - timedelta(days=2):
            hi = datetime.combine(until + timedelta(days=2), datetime.min.time(), UTC)
        out = []
        for p in paths:
            stamp = _stamp_of(p)
            if stamp is None or (lo and stamp < lo) or (hi and stamp >= hi):
                continue
            out.append(p)
        return out

    def recent(self, n: int, **filters: Any) -> list[Entry]:
        out: list[Entry] = []
        if n <= 0:
            return out
        for e in self.entries(newest_first=True, **filters):
            out.append(e)
            if len(out) >= n:
                break
        return out

    def find_path(self, prefix: str) -> Path:
        """The one entry file whose id starts with `prefix`."""
        key = prefix.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{1,32}", key):
            raise UsageError(
                f"not an entry id: {prefix[:40]!r} (ids are hexadecimal, like 3f9a1c2e)"
            )
        matches = []
        for p in self.paths():
            m = NAME_RE.match(p.name)
            if m and m.group(2).startswith(key):
                matches.append(p)
        if not matches:
            raise NotFound(f"no entry with an id starting {key!r}")
        if len(matches) > 1:
            raise UsageError(
                f"{len(matches)} entries have ids starting {key!r}; give more of the id"
            )
        return matches[0]

    def find(self, prefix: str) -> Entry:
        """The one entry whose id starts with `prefix`."""
        path = self.find_path(prefix)
        entry = self.load(path)
        if entry is None:
            raise AttuneError(f"entry {prefix.strip().lower()} could not be read: {shown(path)}")
        return entry

    def open_repairs(self) -> list[Entry]:
        """Repairs with no follow-up marked done, oldest first."""
        repairs: list[Entry] = []
        done: set[str] = set()
        for e in self._load_all(self.paths()):
            if e.practice == "repair" and e.complete:
                repairs.append(e)
            elif e.practice == "repair-done" and e.refers_to:
                done.add(e.refers_to)
        return [r for r in repairs if r.id not in done]
