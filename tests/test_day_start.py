"""One idea of "today": a check-in at 00:54 is the evening before's, everywhere.

A day starts at `day-start` (04:00 unless set). insights, history, search, the
export's filters and summary, and remind all count the 00:54 check-in on the
same day; with day-start 00:00 it is on its calendar day. Its own timestamp
never changes.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from attunecli import readers
from attunecli.days import logical_date, logical_day, parse_day_start
from attunecli.errors import AttuneError
from attunecli.insights import compute
from attunecli.models import Answer, Entry
from attunecli.paths import resolve_paths
from tests.conftest import TZ, Clock, load_entries

LATE = datetime(2026, 11, 26, 0, 54, tzinfo=TZ)  # Thursday, six minutes to one
MORNING = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # the same calendar day, later
EVENING_BEFORE, CALENDAR_DAY = "2026-11-25", "2026-11-26"

# day-start setting (None: not set), the day the 00:54 check-in is on, the other day
SETTINGS = [
    pytest.param(None, EVENING_BEFORE, CALENDAR_DAY, id="default-04:00"),
    pytest.param("04:00", EVENING_BEFORE, CALENDAR_DAY, id="04:00"),
    pytest.param("00:00", CALENDAR_DAY, EVENING_BEFORE, id="00:00"),
]


def late_checkin(cli: Any, clock: Clock, setting: str | None) -> str:
    if setting is not None:
        r = cli("config", "set", "day-start", setting)
        assert r.exit_code == 0, r.stderr
    clock.now = LATE
    r = cli(
        "checkin", "--quick", "--feeling", "tired", "--intensity", "4", "--note", "a late night"
    )
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(resolve_paths().data)
    return str(entry["id"])


def ok(cli: Any, *args: str) -> str:
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    return str(r.stdout)


def history_ids(cli: Any, *args: str) -> list[str]:
    return [e["id"] for e in json.loads(ok(cli, "history", "--json", *args))]


def csv_ids(cli: Any, *args: str) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(ok(cli, "export", "--format", "csv", *args))))
    return [row["id"] for row in rows]


# the pure rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "start", "day"),
    [
        (LATE, time(4, 0), date(2026, 11, 25)),
        (LATE, time(0, 0), date(2026, 11, 26)),
        (LATE, time(0, 54), date(2026, 11, 26)),
        (LATE, time(0, 55), date(2026, 11, 25)),
        (datetime(2026, 11, 26, 3, 59, tzinfo=TZ), time(4, 0), date(2026, 11, 25)),
        (datetime(2026, 11, 26, 4, 0, tzinfo=TZ), time(4, 0), date(2026, 11, 26)),
        (datetime(2026, 11, 26, 23, 59, tzinfo=TZ), time(4, 0), date(2026, 11, 26)),
        (datetime(2027, 1, 1, 2, 0, tzinfo=TZ), time(4, 0), date(2026, 12, 31)),
        (datetime(1, 1, 1, 1, 0, tzinfo=UTC), time(4, 0), date(1, 1, 1)),
    ],
)
def test_logical_date_counts_the_hours_before_the_day_start_for_the_day_before(
    moment: datetime, start: time, day: date
) -> None:
    assert logical_date(moment, start) == day


def test_logical_date_is_the_day_remind_has_always_used() -> None:
    for start in (time(0, 0), time(4, 0), time(5, 30), time(23, 59)):
        for minutes in range(0, 48 * 60, 17):
            moment = LATE + timedelta(minutes=minutes)
            assert logical_date(moment, start) == logical_day(moment, start)[0]


def test_a_bad_day_start_is_one_line_naming_it() -> None:
    assert parse_day_start(" 05:30 ") == time(5, 30)
    with pytest.raises(AttuneError, match="day-start must be a time like 04:00"):
        parse_day_start("half past four")


# every command, one day -------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "day", "other"), SETTINGS)
def test_the_late_checkin_keeps_its_own_time(
    cli: Any, clock: Clock, setting: str | None, day: str, other: str
) -> None:
    late_checkin(cli, clock, setting)
    [entry] = load_entries(resolve_paths().data)
    assert entry["created_at"] == "2026-11-26T00:54:00-05:00"


@pytest.mark.parametrize(("setting", "day", "other"), SETTINGS)
def test_insights_count_the_late_checkin_on_its_day(
    cli: Any, clock: Clock, setting: str | None, day: str, other: str
) -> None:
    late_checkin(cli, clock, setting)
    clock.now = MORNING
    week = ("--since", "2026-11-20", "--until", "2026-11-30", "--json")
    ins = json.loads(ok(cli, "insights", *week))
    assert ins["checkin_days"] == [day]
    assert ins["intensity_by_day"] == [{"day": day, "mean": 4.0}]
    alone = json.loads(ok(cli, "insights", "--since", other, "--until", other, "--json"))
    assert alone["checkin_days"] == [] and alone["intensity_by_day"] == []
    assert json.loads(ok(cli, "insights", "--all", "--json"))["since"] == day
    text = ok(cli, "insights", "--since", day, "--until", day)
    assert "You checked in on 1 day in this period" in text


@pytest.mark.parametrize(("setting", "day", "other"), SETTINGS)
def test_at_0054_today_is_the_day_the_checkin_is_on(
    cli: Any, clock: Clock, setting: str | None, day: str, other: str
) -> None:
    entry_id = late_checkin(cli, clock, setting)
    # still 00:54: "today" is the day that is still going on
    assert history_ids(cli, "--since", "today", "--until", "today") == [entry_id]
    assert history_ids(cli, "--until", "yesterday") == []
    ins = json.loads(ok(cli, "insights", "--json"))  # the 30 days up to today
    assert (ins["until"], ins["checkin_days"]) == (day, [day])
    nudge = json.loads(ok(cli, "remind", "--json"))
    assert (nudge["day"], nudge["checked_in"]) == (day, True)


@pytest.mark.parametrize(("setting", "day", "other"), SETTINGS)
def test_history_filters_by_the_day_the_checkin_is_on(
    cli: Any, clock: Clock, setting: str | None, day: str, other: str
) -> None:
    entry_id = late_checkin(cli, clock, setting)
    clock.now = MORNING
    assert history_ids(cli, "--since", day, "--until", day) == [entry_id]
    assert history_ids(cli, "--since", other, "--until", other) == []
    # at 10:00 on the 26th, today is the 26th whatever the day start
    on_yesterday = history_ids(cli, "--since", "yesterday", "--until", "yesterday")
    on_today = history_ids(cli, "--since", "today")
    assert (on_yesterday, on_today) == (
        ([entry_id], []) if day == EVENING_BEFORE else ([], [entry_id])
    )
    found = json.loads(ok(cli, "search", "late night", "--since", day, "--json"))
    assert [h["id"] for h in found] == [entry_id]
    if other > day:
        assert json.loads(ok(cli, "search", "late night", "--since", other, "--json")) == []


@pytest.mark.parametrize(("setting", "day", "other"), SETTINGS)
def test_export_puts_the_late_checkin_on_its_day(
    cli: Any, clock: Clock, setting: str | None, day: str, other: str
) -> None:
    entry_id = late_checkin(cli, clock, setting)
    clock.now = MORNING
    assert csv_ids(cli, "--since", day, "--until", day) == [entry_id]
    assert csv_ids(cli, "--since", other, "--until", other) == []
    jsonl = ok(cli, "export", "--format", "jsonl", "--since", day, "--until", day)
    assert [json.loads(line)["id"] for line in jsonl.splitlines()] == [entry_id]
    md = ok(cli, "export", "--format", "md", "--since", day, "--until", day)
    title = f"{date.fromisoformat(day):%d %B %Y}"
    assert md.startswith(f"# attune: {title} to {title}\n")
    assert "- Days with a check-in: 1 (longest run: 1)" in md
    assert "### Thu 26 Nov 2026, 00:54" in md  # its own time, as it was written
    empty = ok(cli, "export", "--format", "md", "--since", other, "--until", other)
    assert "- Days with a check-in: 0" in empty and "00:54" not in empty
    # with no --since, the summary's period opens on the check-in's day
    whole = ok(cli, "export", "--format", "md")
    assert whole.startswith(f"# attune: {title} to ")


@pytest.mark.parametrize(("setting", "day", "other"), SETTINGS)
def test_remind_later_that_morning_agrees(
    cli: Any, clock: Clock, setting: str | None, day: str, other: str
) -> None:
    late_checkin(cli, clock, setting)
    clock.now = MORNING
    nudge = json.loads(ok(cli, "remind", "--json"))
    # the 26th has begun: the 00:54 check-in counts for it only when days start at midnight
    assert (nudge["day"], nudge["checked_in"]) == (CALENDAR_DAY, day == CALENDAR_DAY)


# the index and the quick path -------------------------------------------------------------


def test_changing_the_day_start_moves_the_day_in_an_index_already_built(
    cli: Any, clock: Clock
) -> None:
    late_checkin(cli, clock, None)
    clock.now = MORNING
    week = ("--since", "2026-11-20", "--until", "2026-11-30", "--json")
    assert json.loads(ok(cli, "insights", *week))["checkin_days"] == [EVENING_BEFORE]
    ok(cli, "config", "set", "day-start", "00:00")
    assert json.loads(ok(cli, "insights", *week))["checkin_days"] == [CALENDAR_DAY]
    assert history_ids(cli, "--since", EVENING_BEFORE, "--until", EVENING_BEFORE) == []
    ok(cli, "config", "set", "day-start", "04:00")
    assert json.loads(ok(cli, "insights", *week))["checkin_days"] == [EVENING_BEFORE]


@pytest.mark.parametrize(("setting", "day", "other"), SETTINGS)
def test_a_read_env_without_a_day_start_reads_the_setting(
    cli: Any, clock: Clock, setting: str | None, day: str, other: str
) -> None:
    """As the quick path builds it: no day start given, the setting is read when needed."""
    late_checkin(cli, clock, setting)
    paths = resolve_paths()
    out, err = io.StringIO(), io.StringIO()
    env = readers.ReadEnv(
        entries=paths.entries, cache=paths.cache, out=out, err=err, now=lambda: LATE, color=False
    )
    readers.insights(env, as_json=True)
    assert json.loads(out.getvalue())["checkin_days"] == [day], err.getvalue()
    assert env.today() == date.fromisoformat(day)


def test_compute_counts_days_by_the_day_start_it_is_given() -> None:
    feeling = Answer(
        "notice.feeling", "feeling", "Which word?", "tired", {"quadrant": "low-unpleasant"}
    )
    entry = Entry("0123456789abcdef", LATE, "checkin", [feeling])

    def days(start: time | None) -> list[date]:
        lo, hi, today = date(2026, 11, 20), date(2026, 11, 30), date(2026, 11, 26)
        return compute([entry], since=lo, until=hi, today=today, day_start=start).checkin_days

    assert days(None) == [date(2026, 11, 25)]
    assert days(time(0, 0)) == [date(2026, 11, 26)]


@pytest.mark.parametrize(("setting", "day", "other"), SETTINGS)
def test_repairs_count_days_open_and_due_by_the_day_start(
    cli: Any, clock: Clock, setting: str | None, day: str, other: str
) -> None:
    if setting is not None:
        ok(cli, "config", "set", "day-start", setting)
    clock.now = datetime(2026, 11, 25, 23, 50, tzinfo=TZ)  # late on the 25th
    repair = ("repair", "--context", "friend", "--what", "a sharp word", "--their-feeling")
    ok(cli, *repair, "hurt", "--my-part", "I was short", "--follow-up", "2026-11-26")
    clock.now = LATE  # 64 minutes later, on the 26th by the calendar
    [row] = json.loads(ok(cli, "repairs", "--json"))
    # With days starting at 04:00 it is still the 25th: open 0 days, follow-up not yet due.
    assert row["days_open"] == (0 if day == EVENING_BEFORE else 1)
    shown = ok(cli, "repairs")
    assert ("(due)" in shown) == (day == CALENDAR_DAY)


@pytest.mark.parametrize(("setting", "day", "other"), SETTINGS)
def test_forget_before_takes_the_late_checkin_by_its_day(
    cli: Any, clock: Clock, setting: str | None, day: str, other: str
) -> None:
    late_checkin(cli, clock, setting)
    clock.now = MORNING
    # --before the 26th: by 04:00 days the 00:54 check-in is on the 25th, so it goes.
    ok(cli, "forget", "--before", CALENDAR_DAY, "--yes")
    left = load_entries(resolve_paths().data)
    assert len(left) == (0 if day == EVENING_BEFORE else 1)


@pytest.mark.parametrize(
    "text",
    [
        "20:30",
        "7:05",
        " 07:05 ",
        "00:00",
        "24:00",
        "23:60",
        "7:5",
        "07-05",
        "",
        "\u0660\u0667:\u0660\u0665",
    ],
)
def test_every_time_of_day_is_read_by_one_rule(text: str) -> None:
    """day-start, `schedule --at` and `--for`'s time take and refuse the same HH:MM."""
    from attunecli.config import _check_day_start
    from attunecli.days import clock_time, parse_moment
    from attunecli.schedule import parse_at

    want = clock_time(text)

    def taken(read: Any) -> object:
        try:
            return read()
        except AttuneError:  # UsageError too
            return None

    now = datetime(2026, 12, 3, 23, 59, tzinfo=UTC)
    assert taken(lambda: parse_at(text)) == want
    assert taken(lambda: _check_day_start(text)) == (None if want is None else f"{want:%H:%M}")
    moment = taken(lambda: parse_moment(f"yesterday {text.strip()}", now, time(4, 0)))
    assert (None if moment is None else moment.time()) == (want if text.strip() else time(23, 59))
