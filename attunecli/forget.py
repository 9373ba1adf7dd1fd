"""`attune forget`: delete chosen entries for good, with their index rows and drafts."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from attunecli.days import DEFAULT_DAY_START, logical_date
from attunecli.drafts import Drafts
from attunecli.errors import AttuneError, UsageError
from attunecli.fsutil import shown
from attunecli.index import Index, find_copies
from attunecli.names import NAME_RE
from attunecli.plain import literal
from attunecli.store import Store


@dataclass
class Selection:
    entries: list[Path] = field(default_factory=list)
    drafts: list[Path] = field(default_factory=list)
    copies: dict[str, int] = field(default_factory=dict)  # an id named, in more than one file

    def describe(self) -> str:
        n, d = len(self.entries), len(self.drafts)
        parts = [f"{n} entr{'y' if n == 1 else 'ies'}"]
        if d:
            parts.append(f"{d} draft{'s' if d != 1 else ''}")
        what = " and ".join(parts)
        if self.copies:
            said = ", ".join(f"id {i} is in {k} files" for i, k in sorted(self.copies.items()))
            what += f" ({said}: every copy goes)"
        return what


def choose(
    store: Store,
    drafts: Drafts,
    *,
    ids: list[str],
    before: date | None,
    everything: bool,
    day_start: time = DEFAULT_DAY_START,
) -> Selection:
    """What to forget, file by file: one id in two files (a copy) is two files to delete.

    `before` is a day by `day_start`: a check-in at 00:54 belongs to the evening before,
    so `--before` that evening's next day takes it, as history and insights count it.
    """
    if not (ids or before or everything):
        raise UsageError("say what to forget: --id ID, --before DATE or --all")
    if everything and (ids or before):
        raise UsageError("--all already means every entry; give it alone")
    chosen: dict[Path, str] = {}  # file -> the id its content says
    copies: dict[str, int] = {}
    if ids:
        for prefix in ids:
            paths = find_copies(store, prefix)
            for path in paths:
                found = store.load(path)
                if found is None:
                    raise AttuneError(
                        f"entry {literal(prefix.strip().lower())} could not be read: "
                        f"{shown(path)}; attune leaves it for you (`attune doctor`)"
                    )
                chosen[path] = found.id  # the file that matched, whatever its content says
            if len(paths) > 1:
                name = NAME_RE.match(paths[0].name)
                copies[name.group(2) if name else literal(prefix)] = len(paths)
    refers: dict[str, list[Path]] = {}
    for path in store.paths():
        entry = store.load(path)
        if entry is None:
            continue  # unreadable files are doctor's to name, not ours to delete
        if everything or (
            before is not None and logical_date(entry.created_at, day_start) < before
        ):
            chosen[path] = entry.id
        if entry.refers_to:
            refers.setdefault(entry.refers_to, []).append(path)
    # A repair's follow-up goes with it.
    for repair_id in set(chosen.values()):
        for done_path in refers.get(repair_id, []):
            chosen.setdefault(done_path, "")
    selection = Selection(entries=sorted(chosen), copies=copies)
    for draft_path in drafts.files():
        practice = draft_path.stem.removesuffix("-quick")
        draft = drafts.load(practice, draft_path.stem.endswith("-quick"))
        if everything or (
            before is not None
            and draft is not None
            # by the day its answers are about (filled in later: `--for`), as entries are
            and logical_date(draft.about or draft.started_at, day_start) < before
        ):
            selection.drafts.append(draft_path)
    return selection


def forget(selection: Selection, store: Store, cache_dir: Path) -> int:
    """Delete what was chosen; returns how many files went.

    A file that cannot be deleted (a read-only mount, a folder without write
    permission) stops it with an AttuneError naming the file and saying how far
    it got; the index still forgets the files that went."""
    gone = 0
    todo = [*selection.entries, *selection.drafts]
    failed: AttuneError | None = None
    for path in todo:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            failed = AttuneError(
                f"could not delete {shown(path)}: {exc.strerror or exc}; {gone} of "
                f"{len(todo)} files were deleted before this, and the rest are left as they are"
            )
            break
        gone += 1
    if failed is None:
        _tidy(selection, store, cache_dir)
        return gone
    with contextlib.suppress(Exception):  # the failure to tell is the first one
        _tidy(selection, store, cache_dir)
    raise failed


def _tidy(selection: Selection, store: Store, cache_dir: Path) -> None:
    """Empty month and year folders go, and the index drops the rows of files that went."""
    for month in {p.parent for p in selection.entries}:
        with contextlib.suppress(OSError):
            month.rmdir()  # only when empty
            month.parent.rmdir()
    index = Index.for_store(store, cache_dir, sweep=True)
    if os.path.exists(index.path):
        with index.connection():
            pass  # the refresh drops the rows of every file that went
