"""Insights figures on hand-made entries whose answers are known."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from attunecli.insights import compute, daily_series, feeling_moments, longest_run, sparkline
from attunecli.models import Answer, Entry

TZ = timezone(timedelta(hours=-5))
TODAY = date(2026, 11, 25)


def at(day: date, hour: int = 20) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def checkin(
    day: date, word: str, intensity: int, quadrant: str | None, body: list[str], n: int = 0
) -> Entry:
    details = {"quadrant": quadrant} if quadrant else {"own_word": True}
    return Entry(
        id=f"{day:%Y%m%d}{n:08x}",
        created_at=at(day),
        practice="checkin",
        answers=[
            Answer("notice.body_where", "multi", "Where?", body),
            Answer("notice.feeling", "feeling", "Which word?", word, details),
            Answer("notice.intensity", "scale", "How strong?", intensity, {"measure": "intensity"}),
            Answer("someone.their_feelings", "feelings", "Theirs?", ["hurt"]),
        ],
    )


def regulate(day: date, exercise: str, before: int, after: int | None, n: int = 0) -> Entry:
    answers = [
        Answer("arousal_before", "scale", "Before?", before, {"measure": "arousal_before"}),
        Answer("exercise", "choice", "Which?", exercise),
    ]
    if after is not None:
        answers.append(
            Answer("arousal_after", "scale", "After?", after, {"measure": "arousal_after"})
        )
    return Entry(f"aa{day:%Y%m%d}{n:06x}", at(day, 9), "regulate", answers)


def repair(day: date, n: int, follow_up: str = "2026-11-20") -> Entry:
    return Entry(
        f"{n:016x}",
        at(day, 12),
        "repair",
        [
            Answer("what", "text", "What?", "the dishes"),
            Answer("follow_up", "date", "When?", follow_up),
        ],
    )


def done(day: date, repair_id: str, n: int) -> Entry:
    return Entry(f"dd{n:014x}", at(day, 13), "repair-done", [], refers_to=repair_id)


@pytest.mark.parametrize(
    ("days", "run"),
    [
        ([], 0),
        ([date(2026, 11, 1)], 1),
        ([date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 4)], 2),
        ([date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 1)], 3),
        ([date(2026, 11, 5), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 9)], 3),
    ],
)
def test_longest_run(days: list[date], run: int) -> None:
    assert longest_run(days) == run


def test_sparkline() -> None:
    assert sparkline([0, 10, None, 5]) == "▁█ ▅"
    assert sparkline([]) == ""
    assert sparkline([-3, 14]) == "▁█"  # clamped


def test_feeling_moments_pair_feeling_intensity_and_body_by_section() -> None:
    e = checkin(TODAY, "anxious", 7, "high-unpleasant", ["chest", "jaw"])
    assert feeling_moments(e) == [("anxious", 7, "high-unpleasant", ["chest", "jaw"])]
    # their feelings (kind "feelings") are not one's own
    assert all(m[0] != "hurt" for m in feeling_moments(e))


def test_compute_on_a_known_fortnight() -> None:
    d = TODAY
    entries = [
        checkin(d - timedelta(days=30), "calm", 1, "low-pleasant", []),  # before the period
        checkin(d - timedelta(days=3), "anxious", 8, "high-unpleasant", ["chest"]),
        checkin(d - timedelta(days=2), "anxious", 6, "high-unpleasant", ["chest", "jaw"]),
        checkin(d - timedelta(days=1), "calm", 2, "low-pleasant", ["shoulders"]),
        checkin(d - timedelta(days=1), "wobbly", 5, None, [], n=1),  # own word, second that day
        checkin(d, "anxious", 7, "high-unpleasant", ["chest"]),
        regulate(d - timedelta(days=2), "box-breathing", 8, 5),
        regulate(d - timedelta(days=1), "box-breathing", 6, 5, n=1),
        regulate(d, "cyclic-sighing", 7, 3),
        regulate(d, "grounding", 5, None, n=2),  # no after rating: counted, no change
        repair(d - timedelta(days=10), 1),
        repair(d - timedelta(days=4), 2),
        done(d - timedelta(days=1), f"{1:016x}", 1),
    ]
    ins = compute(entries, since=d - timedelta(days=13), until=d, today=d)
    assert ins.checkin_days == [d - timedelta(days=n) for n in (3, 2, 1, 0)]
    assert ins.longest_run == 4
    assert ins.days_this_month == 4
    assert ins.quadrants == {"high-unpleasant": 3, "low-pleasant": 1}
    top = ins.feelings[0]
    assert (top.word, top.count, top.mean_intensity) == ("anxious", 3, 7.0)
    assert top.body == [("chest", 3), ("jaw", 1)]
    assert [(f.word, f.count, f.mean_intensity) for f in ins.feelings[1:]] == [
        ("calm", 1, 2.0),
        ("wobbly", 1, 5.0),
    ]
    # mean intensity per day: 8; 6; (2+5)/2; 7
    assert ins.intensity_by_day == [
        (d - timedelta(days=3), 8.0),
        (d - timedelta(days=2), 6.0),
        (d - timedelta(days=1), 3.5),
        (d, 7.0),
    ]
    assert [(x.exercise, x.count, x.mean_change) for x in ins.exercises] == [
        ("box-breathing", 2, -2.0),  # (-3 + -1) / 2
        ("cyclic-sighing", 1, -4.0),
        ("grounding", 1, None),
    ]
    assert ins.practice_counts == {"checkin": 5, "regulate": 4, "repair": 2, "repair-done": 1}
    assert [(r.id, r.days_open) for r in ins.open_repairs] == [(f"{2:016x}", 4)]
    series = daily_series(ins)
    assert len(series) == 14
    assert series[-4:] == [8.0, 6.0, 3.5, 7.0]
    assert series[:10] == [None] * 10


def test_an_empty_period_has_gentle_zeroes() -> None:
    ins = compute([], since=TODAY - timedelta(days=29), until=TODAY, today=TODAY)
    assert ins.checkin_days == [] and ins.longest_run == 0 and ins.days_this_month == 0
    assert ins.feelings == [] and ins.exercises == [] and ins.open_repairs == []
    assert daily_series(ins) == [None] * 30


def test_insights_command_json_and_view(cli: Any, clock: Any) -> None:
    for feeling, n in (("anxious", 7), ("anxious", 5), ("calm", 2)):
        assert cli("checkin", "--feeling", feeling, "--intensity", str(n)).exit_code == 0
        clock.advance(days=1)
    assert (
        cli("regulate", "--before", "8", "--exercise", "box-breathing", "--after", "4").exit_code
        == 0
    )
    r = cli("insights", "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["longest_run"] == 3
    assert [(f["word"], f["count"], f["mean_intensity"]) for f in data["feelings"]] == [
        ("anxious", 2, 6.0),
        ("calm", 1, 2.0),
    ]
    assert data["exercises"] == [{"exercise": "box-breathing", "count": 1, "mean_change": -4.0}]
    shown = cli("insights")
    assert shown.exit_code == 0
    assert "longest run was 3 days in a row" in shown.stdout
    assert "Box breathing" in shown.stdout and "(calmer)" in shown.stdout
    assert "box-breathing" not in shown.stdout  # the id stays in --json only


def test_insights_refuses_a_backwards_period(cli: Any) -> None:
    r = cli("insights", "--since", "2026-11-20", "--until", "2026-11-01")
    assert r.exit_code == 2
    assert r.stderr.startswith("attune: --since 2026-11-20 is after --until 2026-11-01")
    r = cli("insights", "--all", "--since", "2026-11-01")
    assert r.exit_code == 2


def test_search_finds_free_text_highlights_and_stays_literal(cli: Any, clock: Any) -> None:
    note = "[bold]The Dishes[/] again \x1b[31m dishes"
    assert cli("slow-down", "--feeling", "calm", "--intensity", "2", "--note", note).exit_code == 0
    clock.advance(hours=1)
    assert (
        cli(
            "reflect",
            "--context",
            "partner",
            "--what",
            "left the dishes",
            "--their-feeling",
            "tired",
        ).exit_code
        == 0
    )
    r = cli("search", "DISHES", "--json")
    assert r.exit_code == 0, r.stderr
    found = json.loads(r.stdout)
    assert [(m["practice"], m["answer_id"]) for m in found] == [
        ("reflect", "what"),
        ("slow-down", "note"),
    ]
    assert found[1]["spans"] == [[10, 16], [32, 38]]
    shown = cli("search", "dishes", color=True)
    assert "[bold]The " in shown.stdout  # markup stays text
    assert "\\x1b[31m" in shown.stdout and "\x1b[31m dishes" not in shown.stdout
    only = json.loads(cli("search", "dishes", "--practice", "reflect", "--json").stdout)
    assert [m["practice"] for m in only] == ["reflect"]
    none = cli("search", "elephant")
    assert none.exit_code == 0 and "Nothing found" in none.stderr
    assert cli("search", "   ").exit_code == 2
