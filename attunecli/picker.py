"""What a list prompt shows and does, as data and pure functions: no terminal here.

The rules a person can trust (issue: "a feeling picker that never guesses for you"):

- Typing filters. The words shown are the ones that contain what was typed, those
  that begin with it first; the list in view when nothing is typed may be other
  entries (the kinds of feeling), and typing searches every word all the same.
- When nothing contains what was typed, the list offers close words ("did you mean
  scared?") and "keep 'scard' as my own word"; it never falls back to the whole
  list, so Enter or Space can never act on a word that is not shown.
- Enter and Space act only on the highlighted entry, which is always one in view.
- The meaning of the highlighted entry has rows of its own, wrapped between words,
  reserved before the list takes what is left (`layout`).

`terminal.py` draws a `Picker` with prompt_toolkit and feeds it keys.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

# What an entry does when chosen.
ITEM = "item"  # a word (or an option): chosen or ticked
OPEN = "open"  # opens a group of words (a kind of feeling)
SUGGEST = "suggest"  # "did you mean scared?": stands for the word it names
KEEP = "keep"  # "keep 'scard' as my own word"
EXTRA = "extra"  # always listed last, filter or not ("A word of my own", "Back", "Skip")

CLOSE_CUTOFF = 0.72  # difflib ratio: "scard"/"scared" 0.91, "lonley"/"lonely" 0.83
CLOSE_MAX = 3
MEANING_ROWS_MAX = 3
LIST_ROWS_MIN = 2
SHORT_SCREEN = 16  # rows; below this the instruction gives its rows to the list


@dataclass(frozen=True)
class Entry:
    label: str
    value: str
    description: str | None = None
    does: str = ITEM
    group: str = ""


@dataclass(frozen=True)
class Picker:
    """One list prompt's state. `entries` are shown when nothing is typed; `pool`
    holds every word typing may find (the entries' own items when empty)."""

    entries: tuple[Entry, ...]
    pool: tuple[Entry, ...] = ()
    multi: bool = False
    query: str = ""
    at: int = 0  # index into `visible()`
    ticked: tuple[str, ...] = ()  # values, in the order ticked
    own: tuple[str, ...] = ()  # own words kept (multi), in the order typed
    group: str = ""  # prefer this group's words when filtering
    message: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    def words(self) -> tuple[Entry, ...]:
        return self.pool or tuple(e for e in self.entries if e.does == ITEM)

    def visible(self) -> tuple[Entry, ...]:
        extras = tuple(e for e in self.entries if e.does == EXTRA)
        query = self.query.strip().lower()
        if not query:
            return self.entries
        found = matches(query, self.words(), self.group)
        if found:
            return (*found, *extras)
        close = tuple(
            Entry(f"did you mean {e.label}?", e.value, e.description, SUGGEST, e.group)
            for e in close_words(query, self.words())
        )
        keep = Entry(f"keep '{self.query.strip()}' as my own word", self.query.strip(), None, KEEP)
        return (*close, keep, *extras)

    def highlighted(self) -> Entry | None:
        shown = self.visible()
        return shown[self.at % len(shown)] if shown else None


def matches(query: str, words: Sequence[Entry], group: str = "") -> tuple[Entry, ...]:
    """The words containing `query` (any case): this group's first, then those that
    begin with it, then the rest, each in its own order."""
    q = query.strip().lower()
    hits = [e for e in words if q in e.label.lower()]

    def rank(e: Entry) -> tuple[int, int]:
        return (
            0 if not group or e.group == group else 1,
            0 if e.label.lower().startswith(q) else 1,
        )

    return tuple(sorted(hits, key=rank))  # sorted is stable: ties keep the list's order


def close_words(query: str, words: Sequence[Entry]) -> tuple[Entry, ...]:
    """Up to `CLOSE_MAX` words spelt like `query` ("scard" -> scared, scarred)."""
    labels = [e.label.lower() for e in words]
    near = difflib.get_close_matches(query.strip().lower(), labels, CLOSE_MAX, CLOSE_CUTOFF)
    by_label = {e.label.lower(): e for e in words}
    return tuple(by_label[w] for w in near)


def typed(p: Picker, text: str) -> Picker:
    return replace(p, query=p.query + text, at=0, message="")


def erased(p: Picker) -> Picker:
    return replace(p, query=p.query[:-1], at=0, message="")


def cleared(p: Picker) -> Picker:
    return replace(p, query="", at=0, message="")


def moved(p: Picker, by: int) -> Picker:
    n = len(p.visible())
    return replace(p, at=(p.at + by) % n if n else 0, message="")


def toggled(p: Picker) -> Picker:
    """Space in a multi-select: tick or untick the highlighted entry, nothing else.
    A close word ticks the word; "keep 'x'" keeps x; both then clear the filter."""
    e = p.highlighted()
    if e is None or not p.multi:
        return p
    if e.does == KEEP:
        own = p.own if e.value in p.own else (*p.own, e.value)
        return replace(p, own=own, query="", at=0, message="")
    if e.does == SUGGEST:
        ticked = p.ticked if e.value in p.ticked else (*p.ticked, e.value)
        return replace(p, ticked=ticked, query="", at=0, message="")
    if e.does in (ITEM, OPEN, EXTRA):  # in a multi-select a kind is ticked, not opened
        if e.value in p.ticked:
            return replace(p, ticked=tuple(v for v in p.ticked if v != e.value), message="")
        return replace(p, ticked=(*p.ticked, e.value), message="")
    return p


def chosen(p: Picker) -> Entry | None:
    """Enter in a single pick: the highlighted entry as it stands for a choice (a
    close word as the word itself), or None when nothing is in view."""
    e = p.highlighted()
    if e is None:
        return None
    if e.does == SUGGEST:
        return replace(e, label=e.value, does=ITEM)
    return e


def picked(p: Picker) -> list[str]:
    """A multi-select's answer: the ticked values in list order, then own words."""
    order = {e.value: i for i, e in enumerate((*p.entries, *p.pool))}
    return sorted(p.ticked, key=lambda v: order.get(v, len(order))) + list(p.own)


def echo(p: Picker) -> str:
    """What a finished multi-select shows after its question: the items chosen."""
    names = {e.value: e.label for e in (*p.entries, *p.pool)} | p.labels
    chosen_ = [names.get(v, v) for v in picked(p)]
    return ", ".join(chosen_) if chosen_ else "nothing ticked"


def wrap(text: str, width: int, rows: int) -> list[str]:
    """`text` broken between words into at most `rows` lines of `width`; when it
    needs more, the last line ends with "…" after a whole word."""
    width = max(width, 8)
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) <= rows:
        return lines
    kept = lines[:rows]
    last = kept[-1]
    while len(last) + 1 > width and " " in last:
        last = last.rsplit(" ", 1)[0]
    kept[-1] = last + "…"
    return kept


@dataclass(frozen=True)
class Layout:
    list_rows: int
    meaning_rows: int


def layout(height: int, header_rows: int, descriptions: Sequence[str | None], width: int) -> Layout:
    """How many rows the list gets once the header, the meaning rows and one message
    row are taken from `height`. The meaning comes first: it gets the rows the longest
    meaning in the list needs (at most `MEANING_ROWS_MAX`), so the list does not jump
    as the highlight moves, and the list takes what is left, at least `LIST_ROWS_MIN`."""
    need = max((len(wrap(d, width - 1, MEANING_ROWS_MAX)) for d in descriptions if d), default=0)
    free = height - header_rows - 1  # the message row
    meaning = min(need, max(free - LIST_ROWS_MIN, 1)) if need else 0
    return Layout(list_rows=max(free - meaning, LIST_ROWS_MIN), meaning_rows=meaning)


def window(count: int, at: int, rows: int) -> range:
    """The slice of a `count`-long list to draw in `rows` rows so `at` is in view."""
    if count <= rows:
        return range(count)
    start = min(max(at - rows // 2, 0), count - rows)
    return range(start, start + rows)
