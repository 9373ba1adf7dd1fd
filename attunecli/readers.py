"""`history`, `search` and `insights`: asked of the index, printed as text or JSON.

Both doors into the program end here: the Typer commands in `cli/reading.py`
and the quick path in `quick.py`, which answers the common forms of these
commands before Typer and Rich are imported. So each prints exactly the same
either way.

Files attune cannot read, and files in the month folders that are not entries,
are named once on stderr by every one of these commands, and never changed.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date, timedelta

from attunecli.errors import UsageError
from attunecli.index import Index
from attunecli.labels import PRACTICE_CHOICES
from attunecli.labels import SEARCH_SHOWN as SEARCH_SHOWN
from attunecli.plain import FALLBACK_WIDTH, MIN_WIDTH, Painter, literal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, time
    from typing import IO

    from attunecli.insights import Insights
    from attunecli.models import Entry
    from attunecli.views import HistoryRow, Hit

# What `literal` keeps but a message line may not hold: tab, line feed, line separators.
_ONE_LINE = {0x09: "\\x09", 0x0A: "\\x0a", 0x2028: "\\u2028", 0x2029: "\\u2029"}

MOST = 10**12  # --last beyond this means "all" (SQLite's LIMIT is a 64-bit number)


class ReadEnv:
    """What a reading command takes from the outside world."""

    __slots__ = (
        "_day_start",
        "_named",
        "cache",
        "color",
        "config_file",
        "entries",
        "err",
        "now",
        "out",
        "width",
    )

    def __init__(
        self,
        *,
        entries: str | os.PathLike[str],
        cache: str | os.PathLike[str] | None,
        out: IO[str],
        err: IO[str],
        now: Callable[[], datetime],
        color: bool,
        width: int | None = None,
        day_start: time | None = None,
        config_file: str | os.PathLike[str] | None = None,
    ) -> None:
        """`day_start`: when a day begins; None reads the `day-start` setting (in
        `config_file`, else where the environment says) when a day is first needed."""
        self.entries = os.fspath(entries)
        self.cache = cache
        self.out = out
        self.err = err
        self.now = now
        self.color = color
        self.width = width
        self._day_start = day_start
        self.config_file = config_file
        self._named: set[str] = set()

    def day_start(self) -> time:
        if self._day_start is None:
            from attunecli.days import configured_day_start

            self._day_start = configured_day_start(self.config_file)
        return self._day_start

    def known_day_start(self) -> time | None:
        """The day start if a day was needed yet; else None, so that a command that
        counts no days (`history` without --since) never reads the settings."""
        return self._day_start

    def today(self) -> date:
        """Today by day-start: at 00:54, with days starting at 04:00, still yesterday."""
        from attunecli.days import logical_date

        return logical_date(self.now(), self.day_start())

    def say(self, line: str) -> None:
        """One line on stderr, always one: a file name may hold a line break or a tab,
        which `literal` (made for the user's own text) leaves as they are."""
        self.err.write(literal(line).translate(_ONE_LINE) + "\n")
        self.err.flush()

    def skipped(self, path: str, why: str) -> None:
        if path not in self._named:
            self._named.add(path)
            self.say(f"attune: warning: skipped {path}: {why}")

    def paint(self) -> Painter:
        return Painter(self.color)

    def layout_width(self) -> int:
        from attunecli.plain import output_width

        width = output_width(self.out, self.width)
        return width if width >= MIN_WIDTH else FALLBACK_WIDTH


def check_practice(practice: str | None) -> None:
    if practice is not None and practice not in PRACTICE_CHOICES:
        raise UsageError(
            f"--practice: unknown practice {practice[:40]!r}; expected one of: "
            + ", ".join(PRACTICE_CHOICES)
        )


def _how_many(last: int) -> int:
    if last < 1:
        raise UsageError(f"--last: {last} is not at least 1")
    return min(last, MOST)


def open_index(env: ReadEnv, *, load_all: bool = False) -> tuple[Index, sqlite3.Connection]:
    """The index, fresh (`load_all`: every file read); in memory when the cache dir cannot
    hold one (slower, as right)."""
    from attunecli.progress import LazyBar

    index = Index(
        env.entries,
        env.cache,
        on_problem=env.skipped,
        day_start=env.known_day_start(),
        on_progress=LazyBar(env.err, "Indexing entries"),
    )
    try:
        conn = index.open_fresh()
        try:
            if load_all:  # writes: an index that can be read but not written fails here
                index.load_pending(conn)
        except BaseException:
            conn.close()
            raise
        return index, conn
    except (sqlite3.Error, OSError) as exc:
        if env.cache is None:
            raise
        return in_memory(env, exc, load_all=load_all)


def in_memory(
    env: ReadEnv, exc: BaseException, *, load_all: bool = False
) -> tuple[Index, sqlite3.Connection]:
    env.say(
        f"attune: note: could not use the index in {env.cache} ({exc}); "
        "reading the entry files instead (`attune doctor` can tell why)"
    )
    from attunecli.progress import LazyBar

    index = Index(
        env.entries,
        None,
        on_problem=env.skipped,
        day_start=env.known_day_start(),
        on_progress=LazyBar(env.err, "Indexing entries"),
    )
    conn = index.open_fresh()
    if load_all:
        index.load_pending(conn)
    return index, conn


def name_problems(env: ReadEnv, index: Index, conn: sqlite3.Connection) -> None:
    for path, why in index.problems(conn):
        env.skipped(path, why)


def _dump(env: ReadEnv, data: object) -> None:
    from attunecli.plain import write_json

    write_json(env.out, data)


def _stamp_window(lo: date | None, hi: date | None) -> tuple[str, str]:
    """UTC name stamps that hold every entry of days lo..hi: a day either side of their
    local dates, and one more after (an entry before day-start is on the calendar day after)."""

    def digits(d: date) -> str:
        return f"{d.year:04d}{d.month:02d}{d.day:02d}"  # strftime does not pad years < 1000

    low = digits(lo - timedelta(days=1)) if lo and lo > date.min + timedelta(days=1) else ""
    high = digits(hi + timedelta(days=3)) if hi and hi < date.max - timedelta(days=3) else "~"
    return low, high


# history
def recent_rows(
    index: Index,
    conn: sqlite3.Connection,
    n: int,
    *,
    since: date | None = None,
    until: date | None = None,
    practice: str | None = None,
) -> list[tuple[str, str, str, str, int, str, int, str | None]]:
    """The newest `n` readable entries that match.

    Each is (dir/name, created_at, id, practice, complete, summary, closed,
    written_at: set only for an entry filled in later). Pending
    files are read newest first, only as far as it takes to find `n`; when a repair
    is among them, the rest too, since the follow-up that closes it may be anywhere.
    """
    low, high = _stamp_window(since, until)
    wanted = ["problem IS NULL"]
    params: list[object] = []
    if practice:
        wanted.append("practice = ?")
        params.append(practice)
    if since:
        wanted.append("day >= ?")
        params.append(since.isoformat())
    if until:
        wanted.append("day <= ?")
        params.append(until.isoformat())
    match = " AND ".join(wanted)
    batch = n + 8 if len(wanted) == 1 else max(n, 256)
    found: list[tuple[str, str, str, str, int, str, int, str | None]] = []
    before = "~"
    while len(found) < n:
        rows = conn.execute(
            f"SELECT rowid, name, loaded FROM entries WHERE name < ? AND stamp >= ? "
            f"AND stamp < ? AND (loaded = 0 OR ({match})) ORDER BY name DESC LIMIT ?",
            (before, low, high, *params, batch),
        ).fetchall()
        if not rows:
            break
        index.load_pending(conn, [r for r, _, loaded in rows if not loaded])
        marks = ",".join("?" * len(rows))
        found += [
            row
            for row in conn.execute(
                "SELECT dir || '/' || name, created_at, id, practice, complete, summary, closed, "
                f"written_at FROM entries WHERE rowid IN ({marks}) AND loaded = 1 AND {match} "
                "ORDER BY name DESC",
                (*[r for r, _, _ in rows], *params),
            ).fetchall()
            if index.readable(row[0])
        ]
        before = rows[-1][1]
    found = found[:n]
    if (
        any(r[3] == "repair" for r in found)
        and conn.execute("SELECT 1 FROM entries WHERE loaded = 0 LIMIT 1").fetchone()
    ):
        index.load_pending(conn)
        closed = dict(
            conn.execute("SELECT id, closed FROM entries WHERE practice = 'repair'").fetchall()
        )
        found = [(*r[:6], int(closed.get(r[2], r[6])), r[7]) for r in found]
    return found


def history(
    env: ReadEnv,
    *,
    last: int,
    since: str | None = None,
    until: str | None = None,
    practice: str | None = None,
    as_json: bool = False,
    plain: bool = False,
) -> None:
    from attunecli.days import period

    check_practice(practice)
    last = _how_many(last)
    lo, hi = period(since, until, env.today()) if since or until else (None, None)
    index, conn = open_index(env)
    try:
        try:
            rows = recent_rows(index, conn, last, since=lo, until=hi, practice=practice)
        except sqlite3.OperationalError as exc:  # read, it could be; written, not
            if not index.path:
                raise
            conn.close()
            index, conn = in_memory(env, exc)
            rows = recent_rows(index, conn, last, since=lo, until=hi, practice=practice)
        name_problems(env, index, conn)
    finally:
        conn.close()
    if as_json:
        _dump(env, _entries_json(env, [(r[0]) for r in rows]))
        return
    if plain:  # one entry a line: when (ISO), id, practice, complete, summary, written
        from attunecli.plain import tsv

        for _, c, i, p, done, summary, _closed, written in rows:
            env.out.write(tsv([c, i, p, "yes" if done else "no", summary, written or ""]))
        return
    if not rows:
        env.say(
            "No entries yet for that."
            if (practice or since or until)
            else "No entries yet. `attune checkin` starts your first one."
        )
        return
    from attunecli.views import history as view

    shown: list[HistoryRow] = [r[1:] for r in rows]
    env.out.write(view(shown, env.paint(), env.layout_width()))


def _entries_json(env: ReadEnv, names: list[str]) -> list[object]:
    return [entry.to_json() for entry in entries_named(env, names)]


def entries_named(env: ReadEnv, names: list[str]) -> list[Entry]:
    """The entries themselves, read from their files (the truth, not the index)."""
    from pathlib import Path

    from attunecli.store import Store

    store = Store(Path(env.entries).parent, warn=lambda msg: env.say(f"attune: warning: {msg}"))
    found = []
    for name in names:
        entry = store.load(Path(env.entries, name))  # dir/name: where the index found it
        if entry is not None:
            found.append(entry)
    return found


def open_repairs(env: ReadEnv) -> list[Entry]:
    """Repairs no follow-up has closed, oldest first: found in the index, read from their files."""
    index, conn = open_index(env, load_all=True)
    try:
        name_problems(env, index, conn)
        from attunecli.index import open_repair_rows

        names = [name for (name,) in open_repair_rows(conn, "dir || '/' || name")]
    finally:
        conn.close()
    return entries_named(env, names)


# search
def search(
    env: ReadEnv,
    *,
    text: str,
    practice: str | None = None,
    since: str | None = None,
    last: int | None = SEARCH_SHOWN,
    as_json: bool = False,
    plain: bool = False,
) -> None:
    """Newest first: every free-text answer holding `text`, ignoring case (`last` None: all)."""
    from attunecli.days import parse_day
    from attunecli.insights import match_spans

    if not text.strip():
        raise UsageError("give some text to look for")
    check_practice(practice)
    if last is not None:
        last = _how_many(last)
    lo = parse_day(since, env.today(), "--since") if since else None
    needle = text.casefold()
    index, conn = open_index(env, load_all=True)
    try:
        name_problems(env, index, conn)
        total, rows = _matches(index, conn, needle, practice, lo, last)
    finally:
        conn.close()
    hits: list[Hit] = [(*row[:6], match_spans(row[5], needle), row[6]) for row in rows]
    if as_json:
        _dump(
            env,
            [
                {
                    "id": h[1],
                    "created_at": h[0],
                    "practice": h[2],
                    "answer_id": h[3],
                    "question": h[4],
                    "text": h[5],
                    "spans": [list(s) for s in h[6]],
                    **({"written_at": h[7]} if h[7] else {}),
                }
                for h in hits
            ],
        )
    elif plain:  # one match a line: when (ISO), id, practice, answer id, the text
        from attunecli.plain import tsv

        for h in hits:
            env.out.write(tsv([h[0], h[1], h[2], h[3], h[5]]))
    elif hits:
        from attunecli.views import search as view

        env.out.write(view(hits, env.paint()))
    else:
        env.say(f"Nothing found for {text!r}.")
    if total > len(hits):
        env.say(
            f"attune: showing the {len(hits)} newest of {total:,} matches; "
            "--last N or --all shows more"
        )


def _matches(
    index: Index,
    conn: sqlite3.Connection,
    needle: str,
    practice: str | None,
    since: date | None,
    last: int | None,
) -> tuple[int, list[tuple[str, str, str, str, str, str, str | None]]]:
    """How many answers hold `needle` (case-folded), and the newest `last` of them."""
    if index.fts and len(needle) >= 3:
        # A phrase of trigrams matches exactly the texts holding it, in a few milliseconds.
        found = "t.rowid IN (SELECT rowid FROM texts_fts WHERE texts_fts MATCH ?)"
        params: list[object] = ['"' + needle.replace('"', '""') + '"']
    else:  # shorter than a trigram, or an SQLite without FTS5: look at every text
        found = "instr(t.folded, ?) > 0"
        params = [needle]
    where = [found]
    if practice:
        where.append("e.practice = ?")
        params.append(practice)
    if since:
        where.append("e.day >= ?")
        params.append(since.isoformat())
    cond = " AND ".join(where)
    if len(where) == 1 and index.fts and len(needle) >= 3:
        total = conn.execute("SELECT count(*) FROM texts_fts WHERE texts_fts MATCH ?", params)
    else:
        total = conn.execute(
            f"SELECT count(*) FROM texts t JOIN entries e ON e.rowid = t.entry WHERE {cond}",
            params,
        )
    count = int(total.fetchone()[0])
    # texts rowids run newest first (see index.insert_names): the walk stops at `last`.
    rows = conn.execute(
        "SELECT e.created_at, e.id, e.practice, t.answer_id, t.question, t.text, e.written_at "
        f"FROM texts t JOIN entries e ON e.rowid = t.entry WHERE {cond} "
        "ORDER BY t.rowid DESC LIMIT ?",
        (*params, -1 if last is None else last),
    ).fetchall()
    return count, rows


# insights
def insights(
    env: ReadEnv,
    *,
    since: str | None = None,
    until: str | None = None,
    everything: bool = False,
    as_json: bool = False,
) -> None:
    from attunecli.days import parse_day
    from attunecli.insights import day_span, figures

    today = env.today()
    if everything and (since or until):
        raise UsageError("--all already means every entry; leave out --since and --until")
    hi = parse_day(until, today, "--until") if until else today
    lo = parse_day(since, today, "--since") if since else hi - timedelta(days=29)
    if lo > hi:
        raise UsageError(f"--since {lo} is after --until {hi}")
    index, conn = open_index(env, load_all=True)
    try:
        name_problems(env, index, conn)
        if everything:
            lo, hi = day_span(conn) or (today, today)
        ins = figures(conn, since=lo, until=hi, today=today)
    finally:
        conn.close()
    from attunecli import views

    if as_json:
        _dump(env, views.insights_json(ins))
    else:
        env.out.write(views.insights(ins, env.paint(), env.layout_width()))


def period_figures(env: ReadEnv, since: date | None, until: date | None) -> Insights:
    """The figures an export's summary opens with: its period, from its first entry."""
    from attunecli.insights import figures

    today = env.today()
    _, conn = open_index(env, load_all=True)
    try:
        first = conn.execute(
            "SELECT min(day) FROM entries WHERE practice IS NOT NULL AND day >= ? AND day <= ?",
            ((since or date.min).isoformat(), (until or date.max).isoformat()),
        ).fetchone()[0]
        lo = since or (date.fromisoformat(first) if first else today)
        return figures(conn, since=lo, until=until or today, today=today)
    finally:
        conn.close()
