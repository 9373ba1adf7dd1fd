"""Filling in a missed day: `--for WHEN` on every practice.

The entry is about that day (`created_at`) and keeps when it was written
(`written_at`, schema version 2); history, insights and remind count it on the
day it is about, and `show` says it was filled in later. Nothing about a day to
come, and nothing unreadable, is taken.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from attunecli.days import DEFAULT_DAY_START, parse_moment
from attunecli.errors import UsageError
from attunecli.models import Entry
from attunecli.paths import resolve_paths
from tests.conftest import TZ, Clock, entry_files, load_entries

NOW = datetime(2026, 12, 3, 21, 30, tzinfo=TZ)  # a Thursday evening
LATE = datetime(2026, 12, 4, 0, 54, tzinfo=TZ)  # still Thursday, by day start


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("yesterday", datetime(2026, 12, 2, 21, 30)),
        ("Yesterday 08:15", datetime(2026, 12, 2, 8, 15)),
        ("monday", datetime(2026, 11, 30, 21, 30)),
        ("mon 9:00", datetime(2026, 11, 30, 9, 0)),
        ("thursday", datetime(2026, 11, 26, 21, 30)),  # today is Thursday: the one before
        ("2026-11-30", datetime(2026, 11, 30, 21, 30)),
        ("2026-11-30 07:05", datetime(2026, 11, 30, 7, 5)),
        ("2026-11-30T07:05", datetime(2026, 11, 30, 7, 5)),
        ("3d", datetime(2026, 11, 30, 21, 30)),
        ("9:00", datetime(2026, 12, 3, 9, 0)),  # earlier today
        ("today", datetime(2026, 12, 3, 21, 30)),
    ],
)
def test_when_is_read_as_people_type_it(text: str, want: datetime) -> None:
    got = parse_moment(text, NOW, DEFAULT_DAY_START)
    assert got.replace(tzinfo=None) == want
    assert got.utcoffset() == NOW.utcoffset()


def test_after_midnight_yesterday_is_the_day_before_the_evening_still_going_on() -> None:
    got = parse_moment("yesterday", LATE, DEFAULT_DAY_START)
    assert got.replace(tzinfo=None) == datetime(2026, 12, 3, 0, 54)  # Wednesday's night
    assert parse_moment("yesterday", LATE, time(0, 0)).date().isoformat() == "2026-12-03"


@pytest.mark.parametrize(
    ("text", "now", "want", "counted"),
    [
        # Words name a day: its small hours (before day-start) come after its evening.
        ("00:30", LATE, datetime(2026, 12, 4, 0, 30), date(2026, 12, 3)),  # 24 min ago
        ("yesterday 01:00", NOW, datetime(2026, 12, 3, 1, 0), date(2026, 12, 2)),
        ("monday 02:15", NOW, datetime(2026, 12, 1, 2, 15), date(2026, 11, 30)),
        # A calendar date and a time name a moment: exactly that one.
        ("2026-11-30 00:30", NOW, datetime(2026, 11, 30, 0, 30), date(2026, 11, 29)),
        ("2026-12-03T01:00", NOW, datetime(2026, 12, 3, 1, 0), date(2026, 12, 2)),
    ],
)
def test_a_time_before_day_start_stays_with_the_day_it_was_typed_for(
    text: str, now: datetime, want: datetime, counted: date
) -> None:
    from attunecli.days import logical_date

    got = parse_moment(text, now, DEFAULT_DAY_START)
    assert got.replace(tzinfo=None) == want
    assert logical_date(got, DEFAULT_DAY_START) == counted


def test_a_small_hour_still_to_come_is_refused() -> None:
    with pytest.raises(UsageError, match="still to come"):
        parse_moment("01:30", LATE, DEFAULT_DAY_START)  # 36 minutes from now


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("tomorrow", "not a day"),
        ("2026-12-04", "still to come"),
        ("21:45", "still to come"),
        ("yesterday 25:00", "not a time of day"),
        ("next week", "not a day"),
        ("2026-02-30", "not a day"),
        ("", "not a day"),
        ("0001-01-01", "before 1970"),  # once an unexpected error (year 0 in UTC)
        ("0001-01-01 12:00", "before 1970"),
        ("99999d", "before 1970"),
        ("1969-12-31 23:00", "before 1970"),
    ],
)
def test_a_day_to_come_or_not_a_day_is_a_usage_error(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        parse_moment(text, NOW, DEFAULT_DAY_START)


def test_a_zone_that_is_not_the_systems_is_kept() -> None:
    other = NOW.astimezone(timezone(timedelta(hours=9, minutes=30)))
    got = parse_moment("yesterday 12:00", other, DEFAULT_DAY_START)
    assert got.utcoffset() == timedelta(hours=9, minutes=30)


def _ok(cli: Any, *args: str) -> str:
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    return str(r.stdout)


def test_a_backfilled_checkin_is_on_its_day_and_keeps_when_it_was_written(
    cli: Any, clock: Clock
) -> None:
    clock.now = NOW
    out = _ok(
        cli, "checkin", "--quick", "--feeling", "tired", "--intensity", "4",
        "--note", "missed it", "--for", "yesterday", "--json",
    )  # fmt: skip
    saved = json.loads(out)
    assert saved["schema_version"] == 2
    assert saved["created_at"] == "2026-12-02T21:30:00-05:00"
    assert saved["written_at"] == "2026-12-03T21:30:00-05:00"
    [on_disk] = load_entries(resolve_paths().data)  # held to the published schema
    assert on_disk == saved
    assert Entry.from_json(on_disk).filled_in_later
    # counted on the day it is about, not today
    days = [e["id"] for e in json.loads(_ok(cli, "history", "--json", "--since", "yesterday",
                                             "--until", "yesterday"))]  # fmt: skip
    assert days == [saved["id"]]
    assert json.loads(_ok(cli, "history", "--json", "--since", "today")) == []
    ins = json.loads(_ok(cli, "insights", "--json"))
    assert ins["checkin_days"] == ["2026-12-02"]
    nudge = json.loads(_ok(cli, "remind", "--json"))
    assert (nudge["day"], nudge["checked_in"]) == ("2026-12-03", False)
    shown = _ok(cli, "show", saved["id"][:8])
    assert "filled in Thu 03 Dec 2026 21:30" in shown


def test_history_exports_and_plain_output_say_it_was_filled_in_later(
    cli: Any, clock: Clock, tmp_path: Any
) -> None:
    import csv

    clock.now = NOW
    late = json.loads(
        _ok(cli, "slow-down", "--feeling", "calm", "--intensity", "2", "--for", "monday 20:00",
            "--json")
    )  # fmt: skip
    now = json.loads(_ok(cli, "slow-down", "--feeling", "tense", "--intensity", "5", "--json"))
    table = _ok(cli, "history", "--no-pager").splitlines()
    [row_late] = [line for line in table if late["id"][:8] in line]
    [row_now] = [line for line in table if now["id"][:8] in line]
    assert "filled in later" in row_late and "filled in later" not in row_now
    assert "Mon 30 Nov 2026 20:00" in row_late  # listed on the day it is about
    plain = {f[1]: f for f in (line.split("\t") for line in _ok(cli, "history", "--plain")
                                 .splitlines())}  # fmt: skip
    assert plain[late["id"]][5] == "2026-12-03T21:30:00-05:00"
    assert plain[now["id"]][5] == ""
    out = tmp_path / "all.csv"
    _ok(cli, "export", "--format", "csv", "-o", str(out))
    rows = {r["id"]: r for r in csv.DictReader(out.open(newline=""))}
    assert rows[late["id"]]["written_at"] == "2026-12-03T21:30:00-05:00"
    assert rows[late["id"]]["created_at"] == "2026-11-30T20:00:00-05:00"
    assert rows[now["id"]]["written_at"] == ""
    md = _ok(cli, "export", "--format", "md", "-o", "-")
    assert md.count("*Filled in Thu 03 Dec 2026, 21:30*") == 1
    jsonl = [json.loads(x) for x in _ok(cli, "export", "--format", "jsonl").splitlines()]
    assert [e.get("written_at") for e in jsonl] == ["2026-12-03T21:30:00-05:00", None]


def test_every_practice_takes_for(cli: Any, clock: Clock) -> None:
    clock.now = NOW
    runs = [
        ("slow-down", "--feeling", "calm", "--intensity", "2"),
        ("regulate", "--before", "6", "--after", "4", "--exercise", "box-breathing", "--no-guide"),
        ("run", "diary-card", "--sadness", "2"),
    ]
    for args in runs:
        r = cli(*args, "--for", "monday 20:00", "--no-input", "--json")
        assert r.exit_code == 0, (args, r.stderr)
        assert json.loads(r.stdout)["created_at"] == "2026-11-30T20:00:00-05:00", args


def test_for_a_day_to_come_saves_nothing_and_says_so_in_one_line(cli: Any, clock: Clock) -> None:
    clock.now = NOW
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2", "--for", "tomorrow")
    assert r.exit_code == 2
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("attune: --for: not a day: 'tomorrow'")
    assert "Traceback" not in r.stderr
    assert entry_files(resolve_paths().data) == []


def test_without_for_nothing_changes(cli: Any, clock: Clock) -> None:
    clock.now = NOW
    saved = json.loads(_ok(cli, "slow-down", "--feeling", "calm", "--intensity", "2", "--json"))
    assert "written_at" not in saved
    assert saved["created_at"] == "2026-12-03T21:30:00-05:00"
    assert "filled in" not in _ok(cli, "show", saved["id"][:8])


def test_a_draft_remembers_the_day_it_is_about() -> None:
    from attunecli.drafts import Draft

    about = datetime(2026, 12, 2, 21, 30, tzinfo=TZ)
    draft = Draft("slow-down", False, NOW, run_id="0123456789ab", about=about)
    back = Draft.from_json(json.loads(json.dumps(draft.to_json())))
    assert back.about == about
    assert (
        Draft.from_json(json.loads(json.dumps(Draft("slow-down", False, NOW).to_json()))).about
        is None
    )
    with pytest.raises(ValueError, match="about"):
        Draft.from_json({**draft.to_json(), "about": 5})
    with pytest.raises(ValueError, match="timezone"):
        Draft.from_json({**draft.to_json(), "about": "2026-12-02T21:30:00"})


def test_a_resumed_run_stays_on_the_day_it_is_about() -> None:
    from attunecli.askers import ScriptedAsker
    from attunecli.catalog import practice
    from attunecli.engine import Progress, RunOptions, run_practice

    about = datetime(2026, 12, 2, 21, 30, tzinfo=TZ)
    resume = Progress(NOW, about=about)
    given = {"feeling": "calm", "intensity": 2}
    entry = run_practice(
        practice("slow-down"),
        ScriptedAsker(given, flags={}),
        RunOptions(now=lambda: NOW, resume=resume),
    )
    assert (entry.created_at, entry.written_at) == (about, NOW)


def test_a_draft_picked_up_keeps_its_day_and_says_so_when_for_differs(
    cli: Any, clock: Clock
) -> None:
    from attunecli.drafts import Draft, Drafts
    from attunecli.models import Answer

    clock.now = NOW
    monday = datetime(2026, 11, 30, 21, 30, tzinfo=TZ)
    answer = Answer(id="feeling", kind="feeling", question="?", answer="calm")
    assert Drafts(resolve_paths().state).save(
        Draft("slow-down", False, NOW - timedelta(hours=1), [answer], about=monday)
    )
    r = cli("slow-down", "--resume", "--intensity", "2", "--for", "yesterday", "--json")
    assert r.exit_code == 0, r.stderr
    saved = json.loads(r.stdout)
    assert saved["created_at"] == "2026-11-30T21:30:00-05:00"  # the draft's day, not yesterday
    [note] = [line for line in r.stderr.splitlines() if "stays on that day" in line]
    assert "about Mon 30 Nov 2026 21:30" in note
    assert "about Mon 30 Nov 21:30" in Draft("slow-down", False, NOW, about=monday).summary()


@pytest.mark.planted  # a written_at the schema refuses, on purpose
@pytest.mark.parametrize("bad", ["yesterday", "", None, 1733300000, {"a": 1}, "2026-12-03T21:30"])
def test_a_hand_edited_written_at_never_hides_the_entry(cli: Any, clock: Clock, bad: Any) -> None:
    clock.now = NOW
    saved = json.loads(
        _ok(cli, "slow-down", "--feeling", "calm", "--intensity", "2", "--note", "kept words",
            "--for", "yesterday", "--json")
    )  # fmt: skip
    [path] = entry_files(resolve_paths().data)
    path.write_text(json.dumps({**saved, "written_at": bad}))
    assert [e["id"] for e in json.loads(_ok(cli, "history", "--json"))] == [saved["id"]]
    shown = _ok(cli, "show", saved["id"][:8])
    assert "kept words" in shown and "filled in" not in shown
    assert "kept words" in _ok(cli, "export", "--format", "jsonl")


def test_for_today_now_is_not_filled_in_later(cli: Any, clock: Clock) -> None:
    clock.now = NOW
    saved = json.loads(
        _ok(cli, "slow-down", "--feeling", "calm", "--intensity", "2", "--for", "today", "--json")
    )
    assert "written_at" not in saved
    assert saved["created_at"] == "2026-12-03T21:30:00-05:00"


def test_a_draft_about_no_time_says_so_plainly() -> None:
    from attunecli.drafts import Draft

    good = Draft("slow-down", False, NOW, about=NOW).to_json()
    assert Draft.from_json(good).about == NOW
    with pytest.raises(ValueError, match='"about" is not a time'):
        Draft.from_json({**good, "about": "junk"})


def test_at_a_terminal_the_day_filled_in_is_said_first() -> None:
    from attunecli.askers import ScriptedAsker
    from attunecli.catalog import practice
    from attunecli.engine import RunOptions, run_practice

    said: list[str] = []

    class Heard(ScriptedAsker):
        def say(self, text: str, kind: str = "text") -> None:
            said.append(text)

    about = datetime(2026, 12, 2, 21, 30, tzinfo=TZ)
    given = {"feeling": "calm", "intensity": 2}
    run_practice(
        practice("slow-down"), Heard(given, flags={}), RunOptions(now=lambda: NOW, about=about)
    )
    assert said[1] == "For Wed 02 Dec 2026, 21:30, filled in now."
    said.clear()
    run_practice(practice("slow-down"), Heard(given, flags={}), RunOptions(now=lambda: NOW))
    assert not any("filled in" in line for line in said)


def test_search_marks_a_match_in_an_entry_filled_in_later(cli: Any, clock: Clock) -> None:
    clock.now = NOW
    late = json.loads(
        _ok(cli, "slow-down", "--feeling", "calm", "--intensity", "2", "--note", "garden walk",
            "--for", "monday", "--json")
    )  # fmt: skip
    _ok(cli, "slow-down", "--feeling", "calm", "--intensity", "2", "--note", "garden again")
    table = _ok(cli, "search", "garden", "--no-pager").splitlines()
    heads = [line for line in table if "slow down" in line]
    assert len(heads) == 2
    assert [late["id"][:8] in h for h in heads] == ["filled in later" in h for h in heads]
    found = json.loads(_ok(cli, "search", "garden", "--json"))
    assert {h["id"]: h.get("written_at") for h in found} == {
        late["id"]: "2026-12-03T21:30:00-05:00",
        **{h["id"]: None for h in found if h["id"] != late["id"]},
    }


def test_the_report_says_an_entry_was_filled_in_later(cli: Any, clock: Clock) -> None:
    clock.now = NOW
    _ok(cli, "slow-down", "--feeling", "calm", "--intensity", "2", "--for", "monday 20:00")
    _ok(cli, "slow-down", "--feeling", "tense", "--intensity", "5")
    page = _ok(cli, "report", "-o", "-")
    assert page.count("filled in Thu 03 Dec 2026, 21:30") == 1
    assert "Mon 30 Nov 2026, 20:00 · filled in Thu 03 Dec 2026, 21:30" in page


def test_a_time_the_clocks_skipped_is_read_forward() -> None:
    """In New York 02:30 on 8 March 2026 never happened; it is taken as 03:30, on
    that day, not as 01:30 (which with a late day-start could move the day)."""
    import subprocess
    import sys

    code = (
        "from datetime import datetime, time; from attunecli.days import parse_moment; "
        "now = datetime.now().astimezone(); "
        "print(parse_moment('2026-03-08 02:30', now, time(4, 0)).isoformat())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**__import__("os").environ, "TZ": "America/New_York"},
    ).stdout.strip()  # fmt: skip
    assert out == "2026-03-08T03:30:00-04:00"
