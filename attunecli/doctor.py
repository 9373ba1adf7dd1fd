"""`attune doctor`: look over everything attune keeps, say what needs attention, mend what is safe.

It reads; it never changes an entry's content. `fix` only tightens permissions,
deletes temp files no running process owns, and rebuilds the derived index.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from attunecli.drafts import BadDraft, Draft, Drafts
from attunecli.fsutil import DIR_MODE, FILE_MODE, TEMP_PREFIX, shown, stray_temp_files
from attunecli.index import INDEX_VERSION, Index
from attunecli.names import NAME_RE
from attunecli.paths import Paths
from attunecli.store import Store


@dataclass(frozen=True)
class Finding:
    kind: str  # bad-file, permissions, temp-file, index, draft, location, duplicate, settings
    path: Path
    message: str
    attention: bool = True  # False: worth knowing, nothing wrong
    fix: str = ""  # what `--fix` would do; empty when it leaves this alone


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    entries_read: int = 0
    locations: dict[str, Path] = field(default_factory=dict)

    @property
    def needs_attention(self) -> bool:
        return any(f.attention for f in self.findings)

    @property
    def fixable(self) -> list[Finding]:
        return [f for f in self.findings if f.fix]


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.lstat().st_mode)
    except OSError:
        return None


def _check_mode(path: Path, want: int, report: Report) -> None:
    if path.is_symlink():
        report.findings.append(
            Finding("bad-file", path, "a symbolic link; attune follows none and leaves it alone")
        )
        return
    mode = _mode(path)
    if mode is not None and mode & 0o077:
        report.findings.append(
            Finding(
                "permissions",
                path,
                f"readable by others (mode {mode:o}; attune keeps {want:o})",
                fix=f"chmod {mode & want:o}",  # takes bits away, never adds one the user removed
            )
        )


def _check_settings(config_file: Path, report: Report) -> None:
    """What in config.toml attune cannot use (a typo, a value it does not take), and a
    file it cannot read at all: each needs the person's own edit, never a fix of ours."""
    from attunecli import config
    from attunecli.errors import AttuneError

    try:
        settings = config.load(config_file)
    except AttuneError as exc:
        report.findings.append(Finding("settings", config_file, exc.message))
        return
    for problem in config.problems(settings):
        report.findings.append(Finding("settings", config_file, problem))


def examine(paths: Paths, on_progress: Callable[[int, int], None] | None = None) -> Report:
    """Look over everything; `on_progress(done, total)`: told how reading the entries
    goes, and (total, total) at the end (the CLI draws a bar with it)."""
    report = Report(
        locations={
            "data": paths.data,
            "entries": paths.entries,
            "config": paths.config_file,
            "state": paths.state,
            "cache": paths.cache,
        }
    )
    problems: list[tuple[Path, str]] = []
    store = Store(paths.data, on_problem=lambda path, why: problems.append((path, why)))
    _check_settings(paths.config_file, report)

    for folder in (paths.data, paths.state, paths.config, paths.cache):
        if folder.is_dir():
            # The four folders may be links (sync setups): the folder they lead to is looked at.
            _check_mode(folder.resolve() if folder.is_symlink() else folder, DIR_MODE, report)
    if store.root.is_symlink():
        _check_mode(store.root, DIR_MODE, report)  # named, not looked into
    elif store.root.is_dir():
        for dirpath, dirnames, filenames in os.walk(store.root):  # follows no link inside
            here = Path(dirpath)
            _check_mode(here, DIR_MODE, report)
            for name in filenames:
                _check_mode(here / name, FILE_MODE, report)
            for d in dirnames:
                if (here / d).is_symlink():
                    _check_mode(here / d, DIR_MODE, report)  # named, not looked into
                elif NAME_RE.match(d):
                    problems.append((here / d, "a folder where an entry file should be"))
        for month in _month_folders(store.root):
            for temp in stray_temp_files(month):
                report.findings.append(
                    Finding(
                        "temp-file",
                        temp,
                        "left by a save that was interrupted; holds no finished entry",
                        fix="delete it",
                    )
                )
        held: dict[str, list[Path]] = {}
        files = store.paths()
        try:
            for n, path in enumerate(files, start=1):
                if on_progress is not None:
                    on_progress(n - 1, len(files))
                if path.is_dir():
                    continue  # named above
                entry = store.load(path)
                if entry is not None:
                    report.entries_read += 1
                    held.setdefault(entry.id, []).append(path)
        finally:
            if on_progress is not None:
                on_progress(len(files), len(files))
        for entry_id, files in held.items():
            if len(files) > 1:  # a copy restored by hand, or two syncs: each is kept
                names = ", ".join(f.name for f in files)
                report.findings.append(
                    Finding(
                        "duplicate",
                        files[0],
                        f"id {entry_id} is in {len(files)} files: {names}; "
                        "`attune show FILE-NAME` picks one",
                    )
                )
    seen = {f.path for f in report.findings if f.kind == "bad-file"}  # links, named once
    for path, why in problems:
        if path not in seen:
            seen.add(path)
            report.findings.append(Finding("bad-file", path, why))

    for f in (
        paths.config_file,
        paths.state / "remind.json",
        paths.state / "remind.lock",
        paths.cache / "index.sqlite3",
    ):
        if f.is_symlink() or f.exists():
            _check_mode(f, FILE_MODE, report)
    _check_drafts(Drafts(paths.state), report)
    _check_index(paths, store, report)
    return report


def _month_folders(root: Path) -> list[Path]:
    """entries/YYYY/MM folders reached without following a link."""
    if root.is_symlink():
        return []
    return sorted(
        month
        for year in root.glob("*")
        if year.is_dir() and not year.is_symlink()
        for month in year.glob("*")
        if month.is_dir() and not month.is_symlink()
    )


def _not_through_links(path: Path, top: Path) -> bool:
    """Whether no folder between `top` (excluded: it may be a link) and `path` is a link."""
    try:
        rel = path.parent.relative_to(top)
    except ValueError:
        return False
    folder = top
    for part in rel.parts:
        folder = folder / part
        if folder.is_symlink():
            return False
    return True


def _check_drafts(drafts: Drafts, report: Report) -> None:
    """Name every draft: what it holds and how to pick it up, or that it cannot be read."""
    read: dict[Path, Draft | None] = {}
    for path in drafts.files():
        _check_mode(path, FILE_MODE, report)
        try:
            read[path] = drafts.read(path)
        except BadDraft:
            read[path] = None
    kinds = Counter((d.practice, d.quick) for d in read.values() if d is not None)
    for path, draft in read.items():
        if draft is None:
            report.findings.append(
                Finding("draft", path, "a draft attune cannot read; it is left as it is")
            )
            continue
        name = f"{draft.practice}{' --quick' if draft.quick else ''}"
        label = f"{draft.practice}{' (quick)' if draft.quick else ''}"
        n = kinds[(draft.practice, draft.quick)]
        how = (
            f"`attune {name} --resume` picks it up, --discard drops it"
            if n == 1
            else f"one of {n}; `attune {name}` offers each, --resume picks up the newest"
        )
        report.findings.append(
            Finding(
                "draft", path, f"an unfinished {label} ({draft.summary()}); {how}", attention=False
            )
        )


def _check_index(paths: Paths, store: Store, report: Report) -> None:
    index = Index.for_store(store, paths.cache)
    where = Path(index.path)
    if where.is_symlink():
        return  # named as a link above; attune never opens the index through one
    if not where.exists():
        if store.root.is_dir():
            report.findings.append(
                Finding(
                    "index",
                    where,
                    "not built yet; it builds itself when needed",
                    attention=False,
                    fix="build it",
                )
            )
        return
    try:
        conn = sqlite3.connect(f"file:{index.path}?mode=ro", uri=True)
        try:
            version = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            known = dict(conn.execute("SELECT dir, mtime_ns FROM months").fetchall())
        finally:
            conn.close()
    except sqlite3.Error as exc:
        report.findings.append(
            Finding(
                "index",
                where,
                f"damaged ({exc}); it is derived, safe to rebuild",
                fix="rebuild it",
            )
        )
        return
    if version is None or version[0] != INDEX_VERSION:
        report.findings.append(
            Finding(
                "index",
                where,
                "from another attune version",
                attention=False,
                fix="rebuild it",
            )
        )
        return
    on_disk = {k: m for k, (_, m, _c) in index.months_on_disk().items()}
    # -1: a folder that changed just as the index was refreshed; it is looked at next time.
    behind = set(on_disk) != set(known) or any(known[k] not in (m, -1) for k, m in on_disk.items())
    if behind:
        report.findings.append(
            Finding(
                "index",
                where,
                "behind the entry files; it catches up by itself",
                attention=False,
                fix="refresh it",
            )
        )


def fix(paths: Paths, report: Report) -> list[str]:
    """Mend what `report` marks fixable; returns one line per thing done."""
    done: list[str] = []
    index_work = False
    for f in report.fixable:
        try:
            if f.kind == "permissions":
                if f.path.is_symlink():
                    continue  # chmod would change the file it points to, outside the store
                want = DIR_MODE if f.path.is_dir() else FILE_MODE
                now = _mode(f.path)
                if now is None:
                    continue
                f.path.chmod(now & want)  # never adds a bit the user took away
                done.append(f"chmod {now & want:o} {shown(f.path)}")
            elif (
                f.kind == "temp-file"
                and f.path.name.startswith(TEMP_PREFIX)
                and _not_through_links(f.path, paths.data)
            ):
                f.path.unlink()  # unlink never follows the last part; the folders are checked
                done.append(f"deleted {shown(f.path)}")
            elif f.kind == "index":
                index_work = True
        except OSError as exc:
            done.append(f"could not mend {shown(f.path)}: {exc.strerror or exc}")
    if index_work:
        index = Index(paths.entries, paths.cache)
        try:
            try:
                index.rebuild()
            except sqlite3.DatabaseError:
                index.delete()  # too damaged to empty in place: start a new file
                with index.connection():
                    pass
            done.append(f"rebuilt {shown(index.path)}")
        except OSError as exc:  # a link or a folder that is not ours: left alone
            done.append(f"could not rebuild {shown(index.path)}: {exc.strerror or exc}")
    return done
