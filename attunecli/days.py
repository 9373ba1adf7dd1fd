"""Days: when one begins (`day-start`), and days as people type them on the command line.

A day starts at `day-start` (04:00 unless set), so a check-in at 00:54 belongs
to the evening before. Every command that groups, counts, filters or labels by
day asks `logical_date`; an entry's own timestamps never change.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta

from attunecli.errors import AttuneError, UsageError

DEFAULT_DAY_START = time(4, 0)

# The one reading of a time of day typed as HH:MM, for every setting and option
# that takes one (day-start, schedule --at, --for): 24-hour, ASCII digits only.
_HHMM = re.compile(r"\s*([01]?[0-9]|2[0-3]):([0-5][0-9])\s*")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def clock_time(text: str) -> time | None:
    """ "20:30" or "7:05" (spaces around allowed) as a time of day; None if it is not one."""
    m = _HHMM.fullmatch(text)
    return time(int(m.group(1)), int(m.group(2))) if m else None


def weekday_of(word: str) -> int | None:
    """0 for mon, monday (or any start of it of three letters or more) ... 6 for sunday."""
    w = word.strip().lower()
    if len(w) >= 3:
        for number, name in enumerate(WEEKDAYS):
            if name.startswith(w):
                return number
    return None


def parse_day_start(text: str) -> time:
    """ "HH:MM" as a time of day; anything else is a one-line error."""
    found = clock_time(text)
    if found is None:
        raise AttuneError(f"day-start must be a time like 04:00, got {text[:20]!r}")
    return found


def logical_date(moment: datetime, day_start: time) -> date:
    """The day `moment` belongs to, on its own wall clock: before `day_start`, the day before."""
    wall = moment.replace(tzinfo=None)
    try:
        return (wall - timedelta(hours=day_start.hour, minutes=day_start.minute)).date()
    except OverflowError:  # the first hours of the year 1
        return date.min


def days_since(moment: datetime, today: date, day_start: time) -> int:
    """Whole days from the day `moment` belongs to until `today` (0 for today), by day start:
    a repair noted at 23:50 is a day old after 04:00, not at midnight."""
    return (today - logical_date(moment, day_start)).days


def logical_day(now: datetime, day_start: time) -> tuple[date, datetime, datetime]:
    """The day `now` belongs to, and when it began and ends (local, aware)."""
    start = now.replace(hour=day_start.hour, minute=day_start.minute, second=0, microsecond=0)
    if now < start:
        start -= timedelta(days=1)
    return start.date(), start, start + timedelta(days=1)


def configured_day_start(config_file: str | os.PathLike[str] | None = None) -> time:
    """The `day-start` setting in `config_file` (None: the one the environment names)."""
    if config_file is None:
        from attunecli.paths import resolve_paths

        config_file = resolve_paths().config_file
    try:
        os.stat(config_file)
    except FileNotFoundError:
        # No settings file, which `config.load` reads as no settings: the default,
        # without loading the settings module (`attune remind` asks this every day).
        return DEFAULT_DAY_START
    except OSError:
        pass  # config.load says what is wrong, as it always has
    from pathlib import Path

    from attunecli import config

    return parse_day_start(config.day_start(config.load(Path(config_file))))


def parse_day(text: str, today: date, option: str) -> date:
    """YYYY-MM-DD, today, yesterday, or N days/weeks ago as 7d / 2w.

    `today` is today by day-start (`logical_date` of now), so at 00:54 "yesterday"
    is the day before the evening still going on.
    """
    t = text.strip().lower()
    if t == "today":
        return today
    if t == "yesterday":
        return today - timedelta(days=1)
    m = re.fullmatch(r"(\d{1,5})\s*([dw])", t)
    if m:
        n = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
        return today - timedelta(days=n)
    try:
        return date.fromisoformat(t)
    except ValueError:
        raise UsageError(
            f"{option}: not a date: {text[:40]!r}; use YYYY-MM-DD, today, yesterday, 7d or 2w"
        ) from None


def period(since: str | None, until: str | None, today: date) -> tuple[date | None, date | None]:
    """--since and --until as days; a period that ends before it starts is a usage error."""
    lo = parse_day(since, today, "--since") if since else None
    hi = parse_day(until, today, "--until") if until else None
    if lo and hi and lo > hi:
        raise UsageError(f"--since {lo} is after --until {hi}")
    return lo, hi


_CALENDAR_DAY = re.compile(r"[0-9]{4}-?[0-9]{2}-?[0-9]{2}")
EARLIEST = date(1970, 1, 1)  # no day before this is filled in (nor its odd old offsets)
_AT = re.compile(r"(?:^|[\st@])([0-9]{1,2}:[0-9]{2})$")


def _local(naive: datetime, now: datetime) -> datetime:
    """`naive` wall-clock time as an aware one: in the system's zone for that date (so a
    summer day keeps its summer offset) when `now` is in the system's zone, else in `now`'s."""
    system = datetime.now().astimezone()
    if now.utcoffset() == system.utcoffset():
        aware = naive.astimezone()
        if aware.replace(tzinfo=None) != naive:
            # A time the clocks skipped (02:30 as they went forward): the same time
            # after the change (03:30), as a clock on the wall would read, not before.
            aware = naive.replace(fold=1).astimezone()
        return aware
    return naive.replace(tzinfo=now.tzinfo)


def parse_moment(text: str, now: datetime, day_start: time, option: str = "--for") -> datetime:
    """When an entry filled in later is about: a day as `parse_day` reads it, or a weekday
    (the last one before today), with an optional time ("yesterday 21:30",
    "2026-11-30T08:15", "monday 9:00").

    Without a time it is the same time of day as now, on that day, so the entry keeps
    its place in the day. A time before `day_start` after a day named in words
    ("yesterday 01:00", "01:00") is in the small hours after that day, which belong to
    it; after a calendar date ("2026-11-30 01:00") it is that very moment. It is never
    in the future, nor before 1970.
    """
    raw = text.strip()
    t = raw.lower()
    at: time | None = None
    m = _AT.search(t)
    if m:
        at = clock_time(m.group(1))
        if at is None:
            raise UsageError(f"{option}: not a time of day: {raw[:40]!r}")
        t = t[: m.start()].strip()
    today = logical_date(now, day_start)
    if not t and at is not None:  # "9:00": earlier today
        day = today
    elif (want := weekday_of(t)) is not None:
        back = (today.weekday() - want) % 7 or 7
        day = today - timedelta(days=back)
    else:
        try:
            day = parse_day(t, today, option)
        except UsageError:
            raise UsageError(
                f"{option}: not a day: {raw[:40]!r}; use YYYY-MM-DD, yesterday, a weekday or 3d, "
                "with an optional time like 21:30"
            ) from None
    if day < EARLIEST:
        raise UsageError(f"{option}: {day} is before 1970, further back than attune goes")
    try:
        if at is None:
            _, began, _ = logical_day(now, day_start)
            moment = _local(datetime.combine(day, began.time()) + (now - began), now)
            moment = moment.replace(microsecond=0)
        else:
            on = day
            if at < day_start and not _CALENDAR_DAY.fullmatch(t):
                on += timedelta(days=1)
            moment = _local(datetime.combine(on, at), now)
    except (OverflowError, ValueError):
        raise UsageError(f"{option}: not a date: {raw[:40]!r}") from None
    offset = moment.utcoffset()
    if offset is not None and offset.seconds % 60:  # a zone's old local mean time
        raise UsageError(f"{option}: {day} is outside the time zone's modern clock")
    if moment > now:
        raise UsageError(f"{option}: {moment:%Y-%m-%d %H:%M} is still to come")
    return moment
