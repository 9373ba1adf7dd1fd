"""What a period of entries shows, and finding words in them.

Every figure `attune insights` prints (and `--json` returns) is computed by
`figures` from the index tables (`index.py`): counting is SQL, so it takes the
same few milliseconds on ten entries or forty thousand. `compute` is the same
figures over entries in hand, through an index built in memory, so each one
can be checked on hand-made entries whose answers are known. The helpers that
turn counts into figures (`longest_run`, `sparkline`, `daily_series`,
`match_spans`) are pure functions.

No dataclasses or typing at run time: `attune insights` and `attune search`
load this module on their quick path (see `quick.py`), where each import counts.
"""

from __future__ import annotations

from datetime import date, timedelta

from attunecli.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Sequence
    from datetime import time

    from attunecli.models import Entry

SPARK = "▁▂▃▄▅▆▇█"
TOP_WORDS = 10
TOP_PLACES = 3


class FeelingFigure(Record):
    __slots__ = ("body", "count", "mean_intensity", "word")

    def __init__(
        self, word: str, count: int, mean_intensity: float | None, body: list[tuple[str, int]]
    ) -> None:
        self.word = word
        self.count = count
        self.mean_intensity = mean_intensity
        self.body = body  # where in the body it came with: most often first, then by name


class ExerciseFigure(Record):
    __slots__ = ("count", "exercise", "mean_change")

    def __init__(self, exercise: str, count: int, mean_change: float | None) -> None:
        self.exercise = exercise
        self.count = count
        self.mean_change = mean_change  # after minus before; negative means calmer


class OpenRepairFigure(Record):
    __slots__ = ("days_open", "follow_up", "id", "opened")

    def __init__(self, id: str, opened: date, days_open: int, follow_up: str | None) -> None:
        self.id = id
        self.opened = opened
        self.days_open = days_open
        self.follow_up = follow_up


class Insights(Record):
    __slots__ = (
        "checkin_days",
        "days_this_month",
        "exercises",
        "feelings",
        "intensity_by_day",
        "longest_run",
        "open_repairs",
        "practice_counts",
        "quadrants",
        "since",
        "until",
    )

    def __init__(self, since: date, until: date) -> None:
        self.since = since
        self.until = until
        self.checkin_days: list[date] = []
        self.days_this_month = 0
        self.longest_run = 0
        self.quadrants: dict[str, int] = {}
        self.feelings: list[FeelingFigure] = []
        self.intensity_by_day: list[tuple[date, float]] = []
        self.exercises: list[ExerciseFigure] = []
        self.practice_counts: dict[str, int] = {}
        self.open_repairs: list[OpenRepairFigure] = []


def feeling_moments(entry: Entry) -> list[tuple[str, int | None, str | None, list[str]]]:
    """(word, intensity, quadrant, body places) for each feeling named for oneself.

    A feeling, its intensity and its body cues belong together when they sit in
    the same section of an entry (the check-in has several sections).
    """
    by_section: dict[str, dict[str, object]] = {}
    for a in entry.answers:
        section, _, step = a.id.rpartition(".")
        parts = by_section.setdefault(section, {})
        if a.kind == "feeling" and isinstance(a.answer, str):
            parts["word"] = a.answer
            parts["quadrant"] = a.details.get("quadrant")
        elif a.kind == "scale" and a.details.get("measure") == "intensity":
            parts["intensity"] = a.answer
        elif step == "body_where" and isinstance(a.answer, list):
            parts["body"] = a.answer
    moments = []
    for parts in by_section.values():
        word = parts.get("word")
        if isinstance(word, str):
            intensity = parts.get("intensity")
            quadrant = parts.get("quadrant")
            body = parts.get("body")
            moments.append(
                (
                    word,
                    intensity
                    if isinstance(intensity, int) and not isinstance(intensity, bool)
                    else None,
                    quadrant if isinstance(quadrant, str) else None,
                    [b for b in body if isinstance(b, str)] if isinstance(body, list) else [],
                )
            )
    return moments


def longest_run(days: Iterable[date]) -> int:
    """The most days in a row, each with at least one check-in."""
    best = run = 0
    previous: date | None = None
    for d in sorted(set(days)):
        run = run + 1 if previous is not None and d - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = d
    return best


def sparkline(values: Sequence[float | None], low: float = 0, high: float = 10) -> str:
    """One character per value, from ▁ (low) to █ (high); a gap for no value."""
    span = (high - low) or 1
    chars = []
    for v in values:
        if v is None:
            chars.append(" ")
        else:
            step = round((min(max(v, low), high) - low) / span * (len(SPARK) - 1))
            chars.append(SPARK[step])
    return "".join(chars)


def daily_series(ins: Insights) -> list[float | None]:
    """Mean intensity for every day of the period, None where there was none."""
    by_day = dict(ins.intensity_by_day)
    days = (ins.until - ins.since).days + 1
    return [by_day.get(ins.since + timedelta(days=i)) for i in range(days)]


def mean(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None


def figures(conn: sqlite3.Connection, *, since: date, until: date, today: date) -> Insights:
    """The figures for `since`..`until` (days by day-start, as the index counts them), from
    an index whose files are all read; `today` is today by the same day-start."""
    ins = Insights(since, until)
    span = (since.isoformat(), until.isoformat())
    in_period = "day BETWEEN ? AND ?"
    # Over the whole store, the running totals say the same in far fewer rows.
    whole = covers_everything(conn, since, until)
    days = [
        date.fromisoformat(d)
        for (d,) in (
            conn.execute(
                "SELECT day FROM day_totals WHERE checkins > 0 AND day BETWEEN ? AND ? "
                "ORDER BY day",
                span,
            )
            if whole
            else conn.execute(
                f"SELECT DISTINCT day FROM entries WHERE practice = 'checkin' AND {in_period} "
                "ORDER BY day",
                span,
            )
        )
    ]
    ins.checkin_days = days
    ins.days_this_month = sum(1 for d in days if (d.year, d.month) == (today.year, today.month))
    ins.longest_run = longest_run(days)
    # One pass over the feelings named: counts by word and quadrant (a word of
    # one's own has none), from which both the quadrants and the top words come.
    if whole:
        counted = conn.execute(
            "SELECT word, nullif(quadrant, ''), named, intensity, rated FROM word_totals "
            "WHERE named > 0"
        )
    else:
        counted = conn.execute(
            # nullif: a quadrant of "" (a hand-edited file) is none, as in word_totals
            f"SELECT word, nullif(quadrant, ''), count(*), sum(intensity), count(intensity) "
            f"FROM moments WHERE {in_period} GROUP BY word, quadrant",
            span,
        )
    quadrants: dict[str, int] = {}
    words: dict[str, list[int]] = {}  # word: [count, intensity total, rated]
    for word, quadrant, n, total, rated in counted:
        if quadrant is not None:
            quadrants[quadrant] = quadrants.get(quadrant, 0) + n
        tally = words.setdefault(word, [0, 0, 0])
        tally[0] += n
        tally[1] += total or 0
        tally[2] += rated
    ins.quadrants = dict(sorted(quadrants.items()))
    top = sorted(words.items(), key=lambda kv: (-kv[1][0], kv[0]))[:TOP_WORDS]
    places: dict[str, list[tuple[str, int]]] = {}
    if top:
        marks = ",".join("?" * len(top))
        for word, place, n in conn.execute(
            f"SELECT word, place, count(*) FROM body WHERE word IN ({marks}) AND {in_period} "
            "GROUP BY word, place ORDER BY word, count(*) DESC, place",
            (*[word for word, _ in top], *span),
        ):
            found = places.setdefault(word, [])
            if len(found) < TOP_PLACES:
                found.append((place, n))
    ins.feelings = [
        FeelingFigure(word, n, mean(total, rated), places.get(word, []))
        for word, (n, total, rated) in top
    ]
    by_day = (
        conn.execute(
            "SELECT day, intensity, rated FROM day_totals WHERE rated > 0 AND day BETWEEN ? AND ? "
            "ORDER BY day",
            span,
        )
        if whole
        else conn.execute(
            f"SELECT day, sum(intensity), count(intensity) FROM moments WHERE {in_period} "
            "AND intensity IS NOT NULL GROUP BY day ORDER BY day",
            span,
        )
    )
    ins.intensity_by_day = [(date.fromisoformat(d), round(total / n, 1)) for d, total, n in by_day]
    ins.exercises = [
        ExerciseFigure(ex, n, mean(change or 0, rated))
        for ex, n, change, rated in conn.execute(
            "SELECT exercise, count(*), sum(arousal_after - arousal_before), "
            "count(arousal_after - arousal_before) FROM entries INDEXED BY entries_regulate "
            f"WHERE practice = 'regulate' AND exercise IS NOT NULL AND {in_period} "
            "GROUP BY exercise ORDER BY count(*) DESC, exercise",
            span,
        )
    ]
    ins.practice_counts = dict(
        conn.execute(
            "SELECT practice, entries FROM practice_totals WHERE entries > 0 ORDER BY practice"
        ).fetchall()
        if whole
        else conn.execute(
            # +day: count along the (practice, day) index rather than look rows up by day
            "SELECT practice, count(*) FROM entries WHERE practice IS NOT NULL "
            "AND +day BETWEEN ? AND ? GROUP BY practice ORDER BY practice",
            span,
        ).fetchall()
    )
    from attunecli.index import open_repair_rows

    ins.open_repairs = []
    for rid, day, follow in open_repair_rows(conn, "id, day, follow_up"):
        opened = date.fromisoformat(day)
        ins.open_repairs.append(OpenRepairFigure(rid, opened, (today - opened).days, follow))
    return ins


def day_span(conn: sqlite3.Connection) -> tuple[date, date] | None:
    """The first and the last day any readable entry is counted on; None for none."""
    first, latest = conn.execute(
        "SELECT (SELECT min(day) FROM entries INDEXED BY entries_day WHERE practice IS NOT NULL), "
        "(SELECT max(day) FROM entries INDEXED BY entries_day WHERE practice IS NOT NULL)"
    ).fetchone()
    return None if first is None else (date.fromisoformat(first), date.fromisoformat(latest))


def covers_everything(conn: sqlite3.Connection, since: date, until: date) -> bool:
    """Whether since..until holds every entry that could be read."""
    span = day_span(conn)
    return span is None or (since <= span[0] and span[1] <= until)


def compute(
    entries: Iterable[Entry],
    *,
    since: date,
    until: date,
    today: date,
    day_start: time | None = None,
) -> Insights:
    """`figures` over entries in hand (a private index in memory), each on its day by
    `day_start` (04:00 when not given)."""
    from attunecli.days import DEFAULT_DAY_START
    from attunecli.indexing import memory_index

    conn = memory_index(entries, day_start or DEFAULT_DAY_START)
    try:
        return figures(conn, since=since, until=until, today=today)
    finally:
        conn.close()


def match_spans(text: str, needle: str) -> tuple[tuple[int, int], ...]:
    """Where `needle` (already case-folded) occurs in `text`, ignoring case.

    Matching is on case-folded text, so "STRASSE" finds "Straße"; the spans
    point into `text` itself, to highlight what the person wrote.
    """
    if not needle:
        return ()
    folded = text.casefold()
    if len(folded) == len(text):
        back = None
    else:  # a letter folded to several ("ß" to "ss"): map folded positions back
        back = [i for i, ch in enumerate(text) for _ in ch.casefold()]
        back.append(len(text))
    spans: list[tuple[int, int]] = []
    start = folded.find(needle)
    while start != -1:
        end = start + len(needle)
        if back is None:
            spans.append((start, end))
        elif spans and back[start] < spans[-1][1]:
            # this match begins inside the letter the last one ended in (both halves
            # of one "ß" for "s"): one span, so no letter is shown twice
            spans[-1] = (spans[-1][0], back[end - 1] + 1)
        else:
            spans.append((back[start], back[end - 1] + 1))
        start = folded.find(needle, end)
    return tuple(spans)
