"""`attune report`: a self-contained page whose pictures match the store (issue 17)."""

from __future__ import annotations

import itertools
import re
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from attunecli import report
from attunecli.models import Answer, Entry
from tests.conftest import NOW

DAY_START = time(4, 0)


def _checkin(
    when_days_ago: int, feeling: str, quadrant: str, intensity: int, note: str = ""
) -> Entry:
    at = NOW - timedelta(days=when_days_ago)
    answers = [
        Answer(
            "notice.feeling",
            "feeling",
            "Which word comes closest?",
            feeling,
            {"quadrant": quadrant},
        ),
        Answer(
            "notice.intensity", "scale", "How strong is it?", intensity, {"measure": "intensity"}
        ),
    ]
    if note:
        answers.append(Answer("close.note", "text", "One line to close with", note))
    return Entry(id=f"{when_days_ago:016x}", created_at=at, practice="checkin", answers=answers)


def _regulate(when_days_ago: int, exercise: str, before: int, after: int) -> Entry:
    at = NOW - timedelta(days=when_days_ago, hours=1)
    return Entry(
        id=f"{when_days_ago + 1000:016x}",
        created_at=at,
        practice="regulate",
        answers=[
            Answer(
                "arousal_before", "scale", "How stirred up?", before, {"measure": "arousal_before"}
            ),
            Answer("exercise", "choice", "Which would you like to try?", exercise),
            Answer("guide", "guide", "Box breathing", {"seconds": 120}),
            Answer("arousal_after", "scale", "And now?", after, {"measure": "arousal_after"}),
        ],
    )


STORE = [
    _checkin(0, "calm", "low-pleasant", 3),
    _checkin(1, "anxious", "high-unpleasant", 7, note="<script>alert(1)</script> & \x1b[31m"),
    _checkin(1, "worried", "high-unpleasant", 5),
    _checkin(3, "sad", "low-unpleasant", 6),
    _regulate(1, "box-breathing", 8, 4),
    _regulate(3, "box-breathing", 6, 5),
    _regulate(3, "cyclic-sighing", 7, 3),
]
UNTIL = NOW.date()
SINCE = UNTIL - timedelta(days=6)


@pytest.fixture
def page() -> str:
    p = report.period(STORE, SINCE, UNTIL, DAY_START)
    return report.page(p, generated=NOW, version="test")


def test_each_day_is_one_square_coloured_by_its_kind(page: str) -> None:
    days = re.findall(
        r'<rect class="day" data-day="([0-9-]+)"(?: data-quadrant="([a-z-]+)")?', page
    )
    assert len(days) == 7  # one a day of the period
    by_day = dict(days)
    assert by_day[str(UNTIL)] == "low-pleasant"
    assert by_day[str(UNTIL - timedelta(days=1))] == "high-unpleasant"  # two of them
    assert by_day[str(UNTIL - timedelta(days=3))] == "low-unpleasant"
    assert by_day[str(UNTIL - timedelta(days=2))] == ""  # no entry: left blank
    assert page.count('fill="url(#hatch)"') >= 2  # unpleasant days are hatched for greyscale
    assert "no entry</title>" in page  # a text alternative for every square


def test_the_intensity_line_has_a_point_for_each_day_with_a_rating(page: str) -> None:
    svg = page.split('<svg class="intensity"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<circle") == 3
    assert "6.0</title>" in svg  # (7 + 5) / 2 on the day with two ratings
    # a day without a rating breaks the line: two runs
    assert svg.count("<polyline") == 1  # days 1 and 0 join; day 3 stands alone


def test_what_settles_you_counts_each_exercise_and_its_average_change(page: str) -> None:
    svg = page.split('<svg class="settles"', 1)[1].split("</svg>", 1)[0]
    assert svg.count('<rect class="bar"') == 2
    assert "Box breathing: 2</title>" in svg and "-2.5 on average" in svg
    assert "Cyclic sighing: 1</title>" in svg and "-4.0 on average" in svg


def test_a_planted_script_stays_text(page: str) -> None:
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \\x1b[31m" in page
    assert "\x1b" not in page
    assert "default-src 'none'" in page  # and nothing could load or run anyway


def test_the_page_loads_nothing_from_anywhere(page: str) -> None:
    assert not re.search(r"(?i)\b(?:src|href)\s*=", page)
    assert "http://" not in page and "https://" not in page.replace("http-equiv", "")
    assert "@import" not in page and "url(http" not in page


def test_the_week_grid_is_a_diary_card(page: str) -> None:
    tables = re.findall(r'<table class="week">.*?</table>', page)
    assert 1 <= len(tables) <= 2
    assert "anxious, worried" in "".join(tables)
    assert "Box breathing, Cyclic sighing" in "".join(tables)


def test_gentle_words_and_no_score(page: str) -> None:
    summary = page.split("<p class='summary'>", 1)[1].split("</p>", 1)[0]
    assert "7 entries on 3 of 7 days" in summary  # every practice counts, not only check-ins
    assert "no score" in summary
    assert not re.search(r"(?i)\b(missed|failed|streak broken|score:)\b", page)


def _cli_store(cli: Any) -> None:
    for feeling, n in (("calm", "2"), ("anxious", "7")):
        r = cli("checkin", "--quick", "--feeling", feeling, "--intensity", n)
        assert r.exit_code == 0, r.stderr


def test_report_writes_a_private_file_and_never_replaces_one(cli: Any, tmp_path: Path) -> None:
    _cli_store(cli)
    out = tmp_path / "month.html"
    r = cli("report", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_text().startswith("<!doctype html>")
    before = out.read_bytes()
    again = cli("report", "-o", str(out))
    assert again.exit_code == 2 and "add --force" in again.stderr
    assert out.read_bytes() == before
    assert cli("report", "-o", str(out), "--force").exit_code == 0


def test_report_to_stdout_and_the_bad_cases(cli: Any, tmp_path: Path) -> None:
    _cli_store(cli)
    r = cli("report", "-o", "-")
    assert r.exit_code == 0 and r.stdout.startswith("<!doctype html>")
    for args, said in (
        (("--pdf", "-o", "-"), "--pdf needs a file"),
        (("--all", "--since", "7d", "-o", "-"), "--all takes every day"),
        (("--since", "2026-12-01", "--until", "2026-11-01", "-o", "-"), "is after"),
        (("--practice", "dancing", "-o", "-"), "dancing"),
        (("-o", str(tmp_path)), "is a folder"),
    ):
        bad = cli("report", *args)
        assert bad.exit_code == 2, (args, bad.stderr)
        assert said in bad.stderr and bad.stderr.count("\n") == 1


def test_all_starts_at_the_first_entry(cli: Any, clock: Any) -> None:
    _cli_store(cli)
    clock.advance(days=40)
    r = cli("report", "--all", "-o", "-")
    assert r.exit_code == 0, r.stderr
    days = re.findall(r'<rect class="day" data-day="([0-9-]+)"', r.stdout)
    assert days[0] == str(date(2026, 11, 25)) and len(days) == 41


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def _deuteranopia(hex_colour: str) -> tuple[float, float, float]:
    """A simple simulation of red-green colour blindness (Viénot et al. 1999, in RGB)."""
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return (0.625 * r + 0.375 * g, 0.7 * r + 0.3 * g, 0.3 * g + 0.7 * b)


def test_the_kinds_stay_apart_in_greyscale_and_with_colour_blindness() -> None:
    colours = [
        report.COLOURS[q]
        for q in ("high-pleasant", "low-pleasant", "high-unpleasant", "low-unpleasant")
    ]
    lum = [_luminance(c) for c in colours]
    assert lum == sorted(lum, reverse=True)  # light to dark, in the order of the legend
    assert all(a - b > 0.04 for a, b in itertools.pairwise(lum))
    seen = [_deuteranopia(c) for c in colours]
    for i, a in enumerate(seen):
        for b in seen[i + 1 :]:
            assert sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5 > 0.15
