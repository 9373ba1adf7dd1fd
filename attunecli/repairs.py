"""Repairs stay open until a follow-up is recorded.

Entries are never rewritten, so "done" is a small entry of its own
(`practice: "repair-done"`, `refers_to: <repair id>`). That also keeps two
machines that sync the same folder from ever editing one file at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path

from attunecli import __version__
from attunecli.engine import new_entry_id
from attunecli.errors import AttuneError, UsageError
from attunecli.fsutil import shown
from attunecli.index import copies_named, find_copies
from attunecli.models import Answer, Entry
from attunecli.plain import literal
from attunecli.store import Store


def mark_done(
    store: Store,
    prefix: str,
    *,
    note: str | None,
    now: Callable[[], datetime],
    open_ids: Collection[str] | None = None,
) -> tuple[Entry, Path]:
    """Close a repair with a follow-up entry. `open_ids`: the open repairs, if known
    (the CLI asks the index); otherwise every entry is read to find them."""
    paths = find_copies(store, prefix)
    if len(paths) > 1:
        raise UsageError(
            f"id {literal(prefix.strip().lower())} is in {len(paths)} files: "
            f"{copies_named(paths)}; give the file name of the one to close "
            "(`attune repair done FILE-NAME`)"
        )
    repair = store.load(paths[0])
    if repair is None:
        raise AttuneError(
            f"entry {literal(prefix.strip().lower())} could not be read: {shown(paths[0])}"
        )
    if repair.practice != "repair":
        raise UsageError(
            f"entry {literal(repair.id[:8])} is a {literal(repair.practice)} entry, not a repair"
        )
    if not repair.complete:
        raise UsageError(
            f"repair {literal(repair.id[:8])} was stopped before it was finished, "
            "so it was never open"
        )
    if open_ids is None:
        open_ids = {r.id for r in store.open_repairs()}
    if repair.id not in open_ids:
        raise UsageError(f"repair {literal(repair.id[:8])} is already marked done")
    answers = []
    if note and note.strip():
        answers.append(Answer("outcome", "text", "How did the follow-up go?", note.strip()))
    done = Entry(
        id=new_entry_id(),
        created_at=now(),
        practice="repair-done",
        answers=answers,
        refers_to=repair.id,
        app_version=__version__,
    )
    return done, store.save(done)
