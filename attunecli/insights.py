"""What a period of entries shows: pure functions over entries, no I/O.

Every figure `attune insights` prints (and `--json` returns) is computed here,
from a list of entries and the day it is today, so each can be checked on
hand-made entries whose answers are known.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import fmean

from attunecli.models import Entry

SPARK = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class FeelingFigure:
    word: str
    count: int
    mean_intensity: float | None
    body: list[tuple[str, int]]  # where in the body it came with, most often first


@dataclass(frozen=True)
class ExerciseFigure:
    exercise: str
    count: int
    mean_change: float | None  # after minus before; negative means calmer


@dataclass(frozen=True)
class OpenRepairFigure:
    id: str
    opened: date
    days_open: int
    follow_up: str | None


@dataclass
class Insights:
    since: date
    until: date
    checkin_days: list[date] = field(default_factory=list)
    days_this_month: int = 0
    longest_run: int = 0
    quadrants: dict[str, int] = field(default_factory=dict)
    feelings: list[FeelingFigure] = field(default_factory=list)
    intensity_by_day: list[tuple[date, float]] = field(default_factory=list)
    exercises: list[ExerciseFigure] = field(default_factory=list)
    practice_counts: dict[str, int] = field(default_factory=dict)
    open_repairs: list[OpenRepairFigure] = field(default_factory=list)


def feeling_moments(entry: Entry) -> list[tuple[str, int | None, str | None, list[str]]]:
    """(word, intensity, quadrant, body places) for each feeling named for oneself.

    A feeling, its intensity and its body cues belong together when they sit in
    the same section of an entry (the check-in has several sections).
    """
    by_section: dict[str, dict[str, object]] = defaultdict(dict)
    for a in entry.answers:
        section, _, step = a.id.rpartition(".")
        if a.kind == "feeling" and isinstance(a.answer, str):
            by_section[section]["word"] = a.answer
            by_section[section]["quadrant"] = a.details.get("quadrant")
        elif a.kind == "scale" and a.details.get("measure") == "intensity":
            by_section[section]["intensity"] = a.answer
        elif step == "body_where" and isinstance(a.answer, list):
            by_section[section]["body"] = a.answer
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
                    intensity if isinstance(intensity, int) else None,
                    quadrant if isinstance(quadrant, str) else None,
                    [b for b in body if isinstance(b, str)] if isinstance(body, list) else [],
                )
            )
    return moments


def longest_run(days: Iterable[date]) -> int:
    """The most days in a row, each with at least one check-in."""
    ordered = sorted(set(days))
    best = run = 0
    previous: date | None = None
    for d in ordered:
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


def compute(entries: Iterable[Entry], *, since: date, until: date, today: date) -> Insights:
    ins = Insights(since=since, until=until)
    checkin_days: set[date] = set()
    quadrants: Counter[str] = Counter()
    words: Counter[str] = Counter()
    word_intensity: dict[str, list[int]] = defaultdict(list)
    word_body: dict[str, Counter[str]] = defaultdict(Counter)
    day_intensity: dict[date, list[int]] = defaultdict(list)
    exercise_changes: dict[str, list[int]] = defaultdict(list)
    exercise_counts: Counter[str] = Counter()
    practices: Counter[str] = Counter()
    repairs: dict[str, Entry] = {}
    closed: set[str] = set()
    for e in entries:
        day = e.created_at.date()
        if e.practice == "repair-done" and e.refers_to:
            closed.add(e.refers_to)  # a follow-up closes its repair whenever it was
        if e.practice == "repair" and e.complete:
            repairs[e.id] = e
        if not since <= day <= until:
            continue
        practices[e.practice] += 1
        if e.practice == "checkin":
            checkin_days.add(day)
        for word, intensity, quadrant, body in feeling_moments(e):
            words[word] += 1
            if quadrant:
                quadrants[quadrant] += 1
            if intensity is not None:
                word_intensity[word].append(intensity)
                day_intensity[day].append(intensity)
            word_body[word].update(body)
        if e.practice == "regulate":
            exercise = e.answer("exercise")
            if isinstance(exercise, str):
                exercise_counts[exercise] += 1
                before, after = e.answer("arousal_before"), e.answer("arousal_after")
                if isinstance(before, int) and isinstance(after, int):
                    exercise_changes[exercise].append(after - before)
    ins.checkin_days = sorted(checkin_days)
    ins.days_this_month = sum(
        1 for d in checkin_days if (d.year, d.month) == (today.year, today.month)
    )
    ins.longest_run = longest_run(checkin_days)
    ins.quadrants = dict(sorted(quadrants.items()))
    ins.feelings = [
        FeelingFigure(
            word,
            count,
            round(fmean(word_intensity[word]), 1) if word_intensity[word] else None,
            word_body[word].most_common(3),
        )
        for word, count in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    ]
    ins.intensity_by_day = [(d, round(fmean(v), 1)) for d, v in sorted(day_intensity.items())]
    ins.exercises = [
        ExerciseFigure(
            ex,
            n,
            round(fmean(exercise_changes[ex]), 1) if exercise_changes[ex] else None,
        )
        for ex, n in sorted(exercise_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    ins.practice_counts = dict(sorted(practices.items()))
    ins.open_repairs = [
        OpenRepairFigure(
            r.id,
            r.created_at.date(),
            (today - r.created_at.date()).days,
            r.answer("follow_up") if isinstance(r.answer("follow_up"), str) else None,
        )
        for r in sorted(repairs.values(), key=lambda r: r.created_at)
        if r.id not in closed
    ]
    return ins


def daily_series(ins: Insights) -> list[float | None]:
    """Mean intensity for every day of the period, None where there was none."""
    by_day = dict(ins.intensity_by_day)
    days = (ins.until - ins.since).days + 1
    return [by_day.get(ins.since + timedelta(days=i)) for i in range(days)]


@dataclass(frozen=True)
class Match:
    entry: Entry
    answer_id: str
    question: str
    text: str
    spans: tuple[tuple[int, int], ...]  # where the query occurs in `text`


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def search(entries: Iterable[Entry], query: str) -> list[Match]:
    """Every free-text answer that contains `query`, ignoring case (newest entries first)."""
    needle = query.casefold()
    if not needle:
        return []
    found: list[Match] = []
    for e in entries:
        for a in e.answers:
            if a.kind in ("scale", "confirm", "guide", "date"):
                continue
            for text in _texts(a.answer):
                folded = text.casefold()
                if len(folded) != len(text):  # casefold changed lengths: fall back to lower()
                    folded, needle_here = text.lower(), query.lower()
                else:
                    needle_here = needle
                spans = []
                start = folded.find(needle_here)
                while start != -1:
                    spans.append((start, start + len(needle_here)))
                    start = folded.find(needle_here, start + len(needle_here))
                if spans:
                    found.append(Match(e, a.id, a.question, text, tuple(spans)))
    return found
