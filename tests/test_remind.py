"""`attune remind`: the decision, the daily count, the index it reads, and cron-like runs.

The subprocess tests run the installed program the way cron and timers do: a
bare environment (`env -i` style), no terminal, no TERM, stdin an empty pipe,
/dev/null or closed. They need no root and touch nothing outside tmp_path.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from attunecli import remind
from attunecli.errors import AttuneError
from attunecli.index import INDEX_VERSION, Index, OpenRepair
from attunecli.paths import Paths, resolve_paths
from attunecli.remind import Nudge, decide, fast_args, logical_day, take_turn
from attunecli.store import Store
from tests.conftest import NOW, TZ, Clock, entry_files

SCRIPT = Path(sys.executable).with_name("attune")
FOUR_AM = time(4, 0)
CHECKIN_LINE = "attune: a few minutes for today's check-in? attune checkin"
JSON_KEYS = {"day", "checked_in", "due_repairs", "remind", "message"}
TIMEOUT = 20


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A local moment in the test zone (UTC-5), November 2026 unless told."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def paths() -> Paths:
    return resolve_paths()  # the autouse fixture pointed every ATTUNE_*_DIR into tmp_path


def checkin(cli: Any, clock: Clock, when: datetime) -> None:
    clock.now = when
    r = cli("checkin", "--quick", "--feeling", "calm", "--intensity", "2")
    assert r.exit_code == 0, r.stderr


def repair(cli: Any, clock: Clock, when: datetime, follow_up: str, what: str = "x") -> str:
    clock.now = when
    r = cli(
        "repair",
        "--context",
        "partner",
        "--what",
        what,
        "--their-feeling",
        "hurt",
        "--my-part",
        "I was short",
        "--follow-up",
        follow_up,
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    return str(json.loads(r.stdout)["id"])


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, f"expected one line, got {text!r}"
    return text[:-1]


# logical_day ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "day"),
    [
        (at(26, 1, 0), date(2026, 11, 25)),  # 1 a.m. belongs to the evening before
        (at(26, 3, 59), date(2026, 11, 25)),
        (at(26, 4, 0), date(2026, 11, 26)),  # exactly at the day start: the new day
        (at(26, 4, 1), date(2026, 11, 26)),
        (at(26, 23, 59), date(2026, 11, 26)),
        (at(26, 0, 0), date(2026, 11, 25)),
    ],
)
def test_logical_day_around_the_day_start(now: datetime, day: date) -> None:
    got, start, end = logical_day(now, FOUR_AM)
    assert got == day
    assert start == datetime.combine(day, FOUR_AM, TZ)
    assert end == start + timedelta(days=1)
    assert start <= now < end


def test_logical_day_just_before_the_start_is_the_previous_day() -> None:
    now = at(26, 3, 59).replace(second=59, microsecond=999_999)
    assert logical_day(now, FOUR_AM)[0] == date(2026, 11, 25)


def test_logical_day_keeps_the_local_zone() -> None:
    day, start, end = logical_day(at(26, 1), FOUR_AM)
    assert start.utcoffset() == end.utcoffset() == timedelta(hours=-5)
    # 04:00 at UTC-5 is 09:00 UTC: the window is local, not UTC.
    assert start.astimezone(UTC) == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert day == date(2026, 11, 25)


def test_logical_day_in_a_zone_with_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # clocks go forward on 2026-03-29 at 02:00
    day, start, end = logical_day(datetime(2026, 3, 28, 22, 0, tzinfo=berlin), FOUR_AM)
    assert day == date(2026, 3, 28)
    assert (start.hour, end.hour, end.date()) == (4, 4, date(2026, 3, 29))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)


@pytest.mark.parametrize(
    ("start", "now", "day"),
    [
        (time(0, 0), at(26, 0, 0), date(2026, 11, 26)),
        (time(0, 0), at(25, 23, 59), date(2026, 11, 25)),
        (time(5, 30), at(26, 5, 29), date(2026, 11, 25)),
        (time(5, 30), at(26, 5, 30), date(2026, 11, 26)),
    ],
)
def test_logical_day_with_other_day_starts(start: time, now: datetime, day: date) -> None:
    assert logical_day(now, start)[0] == day


# Nudge.line -------------------------------------------------------------------------------


def _repairs(n: int) -> list[OpenRepair]:
    return [
        OpenRepair(f"{i:08x}", "20261120T100000Z", "2026-11-24", "partner", "x") for i in range(n)
    ]


@pytest.mark.parametrize(
    ("checked_in", "due", "line"),
    [
        (False, 0, CHECKIN_LINE),
        (True, 1, "attune: a repair is ready for a follow-up: attune repairs"),
        (True, 3, "attune: 3 repairs are ready for a follow-up: attune repairs"),
        (
            False,
            2,
            CHECKIN_LINE + "; 2 repairs are ready for a follow-up: attune repairs",
        ),
        (True, 0, ""),
    ],
)
def test_nudge_line(checked_in: bool, due: int, line: str) -> None:
    nudge = Nudge(date(2026, 11, 25), checked_in=checked_in, due=_repairs(due))
    assert nudge.line() == line
    assert nudge.needed is bool(line)
    assert "\n" not in line and "\x1b" not in line


def test_nudge_json_says_nothing_when_it_did_not_remind() -> None:
    nudge = Nudge(date(2026, 11, 25), checked_in=False, due=_repairs(1))
    quiet = nudge.to_json(reminded=False)
    assert set(quiet) == JSON_KEYS
    assert quiet["remind"] is False and quiet["message"] == ""
    loud = nudge.to_json(reminded=True)
    assert loud["message"] == nudge.line()
    assert loud["due_repairs"] == [
        {"id": "00000000", "follow_up": "2026-11-24", "context": "partner", "what": "x"}
    ]
    assert loud["day"] == "2026-11-25"


# take_turn --------------------------------------------------------------------------------

D = date(2026, 11, 25)


def test_take_turn_counts_to_the_maximum(tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert [take_turn(state, D, 1) for _ in range(3)] == [True, False, False]
    assert json.loads((state / "remind.json").read_text()) == {"day": "2026-11-25", "count": 1}
    other = tmp_path / "other"
    assert [take_turn(other, D, 2) for _ in range(4)] == [True, True, False, False]


def test_take_turn_starts_again_on_a_new_day(tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert take_turn(state, D, 1)
    assert not take_turn(state, D, 1)
    assert take_turn(state, D + timedelta(days=1), 1)
    assert not take_turn(state, D + timedelta(days=1), 1)


def test_take_turn_makes_private_files(tmp_path: Path) -> None:
    state = tmp_path / "a" / "state"
    assert take_turn(state, D, 1)
    assert state.stat().st_mode & 0o777 == 0o700
    for name in ("remind.json", "remind.lock"):
        assert (state / name).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe garbage", b"", b"[1, 2]", b"null", b"{}", b'{"day": 5}', b'{"count": 9}'],
    ids=["binary", "empty", "list", "null", "no-keys", "bad-day", "no-day"],
)
def test_a_corrupt_state_file_counts_as_empty(tmp_path: Path, content: bytes) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "remind.json").write_bytes(content)
    assert take_turn(state, D, 1)
    assert not take_turn(state, D, 1)


@pytest.mark.parametrize("count", ['"1"', "null", "-5", "1.5"])
def test_a_corrupt_count_for_today_counts_as_empty(tmp_path: Path, count: str) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "remind.json").write_text(f'{{"day": "2026-11-25", "count": {count}}}')
    assert [take_turn(state, D, 1) for _ in range(3)] == [True, False, False]


def test_take_turn_waits_for_the_lock(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    holder = os.open(state / "remind.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    results: list[bool] = []
    worker = threading.Thread(target=lambda: results.append(take_turn(state, D, 1)))
    worker.start()
    try:
        worker.join(0.3)
        assert worker.is_alive(), "take_turn did not wait for the lock"
        assert not (state / "remind.json").exists()
    finally:
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
    worker.join(5)
    assert results == [True]


def test_take_turn_under_contention_never_exceeds_the_maximum(tmp_path: Path) -> None:
    state = tmp_path / "state"
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(take_turn(state, D, 3))) for _ in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == [False] * 9 + [True] * 3


# fast_args --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], (1, False, False)),
        (["--json"], (1, True, False)),
        (["--notify"], (1, False, True)),
        (["--max-per-day", "3"], (3, False, False)),
        (["--max-per-day=2"], (2, False, False)),
        (["--notify", "--max-per-day", "2", "--json"], (2, True, True)),
        (["--json", "--json"], (1, True, False)),
    ],
)
def test_fast_args_accepts_the_plain_forms(args: list[str], expected: tuple[Any, ...]) -> None:
    opts = fast_args(args)
    assert opts == dict(zip(("max_per_day", "as_json", "desktop"), expected, strict=True))


@pytest.mark.parametrize(
    "args",
    [
        ["-h"],
        ["--help"],
        ["--json", "--help"],
        ["--frobnicate"],
        ["extra"],
        ["--max-per-day", "0"],
        ["--max-per-day", "abc"],
        ["--max-per-day"],
        ["--max-per-day="],
        ["--max-per-day=0"],
        ["--max-per-day", "-1"],
        ["--max-per-day", "--json"],
        ["--no-color"],
        ["--data-dir", "/tmp"],
        ["--json=yes"],
        ["--max"],
    ],
)
def test_fast_args_leaves_everything_else_to_typer(args: list[str]) -> None:
    assert fast_args(args) is None
    assert remind.main_fast(args) is None


def test_fast_args_with_a_superscript_digit_falls_back_to_typer() -> None:
    assert fast_args(["--max-per-day", "²"]) is None


def test_help_and_bad_values_go_through_typer(capsys: pytest.CaptureFixture[str]) -> None:
    from attunecli.entry import main

    assert main(["remind", "-h"]) == 0
    out, err = capsys.readouterr()
    assert "Usage: attune remind" in out and "--max-per-day" in out
    assert err == ""
    assert main(["remind", "--max-per-day", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert one_line(err).startswith("attune: ") and "--max-per-day" in err


# decide -----------------------------------------------------------------------------------


def test_decide_with_no_data_dir(data_dir: Path) -> None:
    p = paths()
    nudge = decide(p, NOW, FOUR_AM)
    assert (nudge.day, nudge.checked_in, nudge.due, nudge.needed) == (D, False, [], True)
    assert not (p.cache / "index.sqlite3").exists()
    data_dir.mkdir()
    assert decide(p, NOW, FOUR_AM).needed


def test_a_checkin_at_1am_counts_for_the_evening_before(cli: Any, clock: Clock) -> None:
    checkin(cli, clock, at(26, 1, 0))
    p = paths()
    evening = decide(p, at(26, 2, 30), FOUR_AM)
    assert (evening.day, evening.checked_in) == (D, True)
    assert decide(p, at(25, 18, 0), FOUR_AM).checked_in  # the same logical day
    morning = decide(p, at(26, 9, 0), FOUR_AM)
    assert (morning.day, morning.checked_in) == (date(2026, 11, 26), False)
    assert decide(p, at(24, 22, 0), FOUR_AM).checked_in is False


def test_a_checkin_just_before_or_at_the_day_start(cli: Any, clock: Clock) -> None:
    checkin(cli, clock, at(26, 3, 59))
    checkin(cli, clock, at(27, 4, 0))
    p = paths()
    assert decide(p, at(25, 21, 0), FOUR_AM).checked_in  # 03:59 on the 26th: the 25th
    assert not decide(p, at(26, 12, 0), FOUR_AM).checked_in
    assert decide(p, at(27, 12, 0), FOUR_AM).checked_in  # 04:00 on the 27th: the 27th


def test_other_practices_are_not_a_checkin(cli: Any, clock: Clock) -> None:
    clock.now = at(25, 19, 0)
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2")
    assert r.exit_code == 0, r.stderr
    assert not decide(paths(), at(25, 20, 0), FOUR_AM).checked_in


def test_the_day_start_setting_moves_the_day(cli: Any, clock: Clock) -> None:
    checkin(cli, clock, at(26, 5, 0))
    clock.now = at(26, 6, 0)
    before = json.loads(cli("remind", "--json").stdout)
    assert (before["day"], before["checked_in"], before["remind"]) == ("2026-11-26", True, False)
    r = cli("config", "set", "day-start", "05:30")
    assert r.exit_code == 0, r.stderr
    after = json.loads(cli("remind", "--json").stdout)
    # The day now began at 05:30, so the 05:00 check-in belongs to yesterday.
    assert (after["day"], after["checked_in"], after["remind"]) == ("2026-11-26", False, True)
    clock.now = at(26, 5, 15)
    early = json.loads(cli("remind", "--json").stdout)
    assert (early["day"], early["checked_in"]) == ("2026-11-25", True)


def test_due_repairs_not_yet_due_and_closed(cli: Any, clock: Clock) -> None:
    past = repair(cli, clock, at(20, 12), "2026-11-22", what="past")
    today = repair(cli, clock, at(25, 12), "today", what="today")
    tomorrow = repair(cli, clock, at(25, 13), "tomorrow", what="tomorrow")
    p = paths()
    nudge = decide(p, at(25, 20), FOUR_AM)
    assert [r.id for r in nudge.due] == [past, today]
    assert [(r.follow_up, r.what, r.context) for r in nudge.due] == [
        ("2026-11-22", "past", "partner"),
        ("2026-11-25", "today", "partner"),
    ]
    # Still the 25th before 04:00 on the 26th; tomorrow's is due from then on.
    assert [r.id for r in decide(p, at(26, 3, 30), FOUR_AM).due] == [past, today]
    assert [r.id for r in decide(p, at(26, 4, 0), FOUR_AM).due] == [past, today, tomorrow]
    clock.now = at(25, 21)
    r = cli("repair", "done", today[:8])
    assert r.exit_code == 0, r.stderr
    assert [r.id for r in decide(p, at(26, 5), FOUR_AM).due] == [past, tomorrow]


def test_due_repairs_nudge_even_after_a_checkin(cli: Any, clock: Clock) -> None:
    repair(cli, clock, at(24, 12), "today")
    checkin(cli, clock, at(25, 19))
    clock.now = at(25, 20)
    r = cli("remind")
    assert r.exit_code == 0, r.stderr
    assert one_line(r.stdout) == "attune: a repair is ready for a follow-up: attune repairs"
    data = json.loads(cli("remind", "--json").stdout)
    assert data["checked_in"] is True and len(data["due_repairs"]) == 1
    assert data["remind"] is False  # the one nudge of the day went out


# the index --------------------------------------------------------------------------------


def index() -> Index:
    p = paths()
    return Index.for_store(Store(p.data), p.cache, sweep=True)


def month_dir(data_dir: Path) -> Path:
    [folder] = {f.parent for f in entry_files(data_dir)}
    return folder


def age(folder: Path, seconds: int = 3600) -> None:
    st = folder.stat()
    old = st.st_mtime_ns - seconds * 1_000_000_000
    os.utime(folder, ns=(old, old))


def test_the_index_is_built_on_first_use(cli: Any, clock: Clock, data_dir: Path) -> None:
    checkin(cli, clock, at(25, 19))
    repair(cli, clock, at(25, 19, 30), "today")
    idx = index()
    assert not Path(idx.path).exists()
    with idx.connection() as conn:
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 2
        assert idx.refresh(conn) == 0  # nothing new: no file read twice
    assert Path(idx.path).exists()
    assert Path(idx.path).stat().st_mode & 0o777 == 0o600


def test_an_unchanged_old_folder_is_not_scanned_again(
    cli: Any, clock: Clock, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkin(cli, clock, at(25, 19))
    age(month_dir(data_dir))
    idx = index()
    with idx.connection():
        pass
    scanned: list[str] = []
    real = Index._refresh_month

    def counting(
        self: Index, conn: sqlite3.Connection, rel: str, path: str, known: bool
    ) -> tuple[int, bool, bool, bool]:
        scanned.append(rel)
        return real(self, conn, rel, path, known)

    monkeypatch.setattr(Index, "_refresh_month", counting)
    with idx.connection() as conn:
        assert Index.practised_between(conn, "checkin", at(25, 4), at(26, 4))
    assert scanned == []


def test_a_file_added_or_removed_is_seen(cli: Any, clock: Clock, data_dir: Path) -> None:
    checkin(cli, clock, at(24, 19))
    p = paths()
    age(month_dir(data_dir))
    assert not decide(p, at(25, 20), FOUR_AM).checked_in  # the index is now built and trusted
    checkin(cli, clock, at(25, 19))
    assert decide(p, at(25, 20), FOUR_AM).checked_in
    age(month_dir(data_dir))
    assert decide(p, at(25, 20), FOUR_AM).checked_in
    newest = entry_files(data_dir)[-1]
    newest.unlink()
    assert not decide(p, at(25, 20), FOUR_AM).checked_in
    assert decide(p, at(24, 20), FOUR_AM).checked_in


def test_a_file_added_just_after_a_refresh_is_still_seen(
    cli: Any, clock: Clock, data_dir: Path
) -> None:
    """On a coarse file-system clock, adding a file may leave the folder's time as it was."""
    checkin(cli, clock, at(24, 19))
    folder = month_dir(data_dir)
    p = paths()
    assert not decide(p, at(25, 20), FOUR_AM).checked_in
    idx = index()
    with idx.connection() as conn:
        [(stored,)] = conn.execute("SELECT mtime_ns FROM months").fetchall()
    assert stored == -1  # the folder changed less than two seconds ago: not trusted yet
    before = folder.stat().st_mtime_ns
    checkin(cli, clock, at(25, 19))
    os.utime(folder, ns=(before, before))  # as if the clock had not moved
    assert decide(p, at(25, 20), FOUR_AM).checked_in


def test_a_folder_is_trusted_once_it_is_older_than_two_seconds(
    cli: Any, clock: Clock, data_dir: Path
) -> None:
    checkin(cli, clock, at(25, 19))
    folder = month_dir(data_dir)
    age(folder, 10)
    with index().connection() as conn:
        [(stored,)] = conn.execute("SELECT mtime_ns FROM months").fetchall()
    assert stored == folder.stat().st_mtime_ns


def test_deleting_the_index_is_safe(cli: Any, clock: Clock) -> None:
    checkin(cli, clock, at(25, 19))
    repair(cli, clock, at(24, 12), "today")
    p = paths()
    first = decide(p, at(25, 20), FOUR_AM)
    Path(index().path).unlink()
    again = decide(p, at(25, 20), FOUR_AM)
    assert again == first
    assert (again.checked_in, len(again.due)) == (True, 1)
    assert Path(index().path).exists()


@pytest.mark.parametrize(
    "garbage",
    [b"\x00\xffnot a database\x13" * 500, b"SQLite format 3\x00" + b"\xaa" * 4000],
    ids=["noise", "bad-pages"],
)
def test_a_corrupt_index_is_rebuilt(cli: Any, clock: Clock, garbage: bytes) -> None:
    checkin(cli, clock, at(25, 19))
    repair(cli, clock, at(24, 12), "today")
    p = paths()
    first = decide(p, at(25, 20), FOUR_AM)
    path = Path(index().path)
    path.write_bytes(garbage)
    again = decide(p, at(25, 20), FOUR_AM)
    assert again == first and again.checked_in and len(again.due) == 1
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_an_index_of_another_version_is_rebuilt(cli: Any, clock: Clock, data_dir: Path) -> None:
    checkin(cli, clock, at(25, 19))
    p = paths()
    assert decide(p, at(25, 20), FOUR_AM).checked_in
    path = Path(index().path)
    trusted = month_dir(data_dir).stat().st_mtime_ns
    with sqlite3.connect(path) as conn:
        # An old index that knows nothing, yet believes it is up to date.
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
        conn.execute("DELETE FROM entries")
        conn.execute("UPDATE months SET mtime_ns = ?", (trusted,))
    conn.close()
    assert decide(p, at(25, 20), FOUR_AM).checked_in
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta").fetchone() == (INDEX_VERSION,)
    conn.close()


@pytest.mark.planted
def test_an_unreadable_entry_is_recorded_and_the_rest_still_answers(
    cli: Any, clock: Clock, data_dir: Path
) -> None:
    due = repair(cli, clock, at(24, 12), "today")
    checkin(cli, clock, at(25, 19))
    folder = month_dir(data_dir)
    (folder / "20261125T230000Z-abcdef01.json").write_text('{"practice": "repair", "answers"')
    (folder / "20261125T230100Z-abcdef02.json").write_bytes(b"\xff\xfe\x00")
    (folder / "20261125T230200Z-abcdef03.json").mkdir()
    (folder / "notes.txt").write_text("not an entry")
    p = paths()
    nudge = decide(p, at(25, 20), FOUR_AM)
    assert (nudge.checked_in, [r.id for r in nudge.due]) == (True, [due])
    with index().connection() as conn:
        rows = conn.execute(
            "SELECT name, practice, problem FROM entries WHERE problem IS NOT NULL ORDER BY name"
        ).fetchall()
    assert [(name[:25], practice, problem) for name, practice, problem in rows] == [
        ("20261125T230000Z-abcdef01", None, "not valid JSON: expecting ':' delimiter (line 1)"),
        ("20261125T230100Z-abcdef02", None, "not valid UTF-8"),
        ("20261125T230200Z-abcdef03", None, "not a regular file"),
    ]


def test_an_index_that_cannot_be_opened_is_a_one_line_error(
    cli: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkin(cli, clock, at(24, 19))

    def refuse(*args: Any, **kw: Any) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr("attunecli.index.sqlite3.connect", refuse)
    with pytest.raises(AttuneError):
        remind.run(paths(), at(25, 20), out=io.StringIO())


# in process -------------------------------------------------------------------------------


def test_remind_prints_one_line_then_nothing(cli: Any, clock: Clock) -> None:
    r = cli("remind")
    assert (r.exit_code, r.stderr) == (0, "")
    assert one_line(r.stdout) == CHECKIN_LINE
    r = cli("remind")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    clock.advance(days=1)
    assert one_line(cli("remind").stdout) == CHECKIN_LINE


def test_remind_is_silent_after_a_checkin(cli: Any, clock: Clock, data_dir: Path) -> None:
    checkin(cli, clock, at(25, 19))
    clock.now = at(25, 20)
    r = cli("remind")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    assert not (paths().state / "remind.json").exists()  # silence used no turn


def test_remind_json_always_prints_one_object(cli: Any, clock: Clock) -> None:
    first = json.loads(one_line(cli("remind", "--json").stdout))
    assert set(first) == JSON_KEYS
    assert first == {
        "day": "2026-11-25",
        "checked_in": False,
        "due_repairs": [],
        "remind": True,
        "message": CHECKIN_LINE,
    }
    second = json.loads(one_line(cli("remind", "--json").stdout))
    assert (second["remind"], second["message"], second["checked_in"]) == (False, "", False)
    checkin(cli, clock, at(25, 20))
    third = json.loads(one_line(cli("remind", "--json").stdout))
    assert set(third) == JSON_KEYS
    assert (third["remind"], third["checked_in"]) == (False, True)


def test_max_per_day_two(cli: Any) -> None:
    outs = [cli("remind", "--max-per-day", "2") for _ in range(3)]
    assert [r.exit_code for r in outs] == [0, 0, 0]
    assert [r.stdout for r in outs] == [CHECKIN_LINE + "\n"] * 2 + [""]


def test_max_per_day_zero_is_a_usage_error(cli: Any) -> None:
    r = cli("remind", "--max-per-day", "0")
    assert r.exit_code == 2
    assert r.stdout == ""


def test_run_with_a_notifier(tmp_path: Path) -> None:
    p = paths()
    sent: list[str] = []

    def works(message: str) -> bool:
        sent.append(message)
        return True

    out = io.StringIO()
    remind.run(p, NOW, desktop=True, out=out, notifier=works)
    assert (out.getvalue(), sent) == ("", [CHECKIN_LINE])

    def fails(message: str) -> bool:
        sent.append(message)
        return False

    out = io.StringIO()
    remind.run(p, NOW + timedelta(days=1), desktop=True, out=out, notifier=fails)
    assert out.getvalue() == CHECKIN_LINE + "\n"
    assert len(sent) == 2
    out = io.StringIO()
    remind.run(p, NOW + timedelta(days=2), out=out, notifier=works)  # no --notify: a line
    assert out.getvalue() == CHECKIN_LINE + "\n"
    assert len(sent) == 2


def fake_notifier(folder: Path, code: int) -> Path:
    """A notify-send that records its arguments and exits with `code`."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "calls.txt"
    script = folder / "notify-send"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{log}"\nexit {code}\n')
    script.chmod(0o755)
    return log


@pytest.mark.parametrize(("code", "printed"), [(0, ""), (1, CHECKIN_LINE + "\n")])
def test_cli_notify_with_a_notifier_that_works_or_fails(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, printed: str
) -> None:
    log = fake_notifier(tmp_path / "bin", code)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    r = cli("remind", "--notify")
    assert (r.exit_code, r.stdout, r.stderr) == (0, printed, "")
    assert log.read_text().splitlines() == [
        "--app-name=attune",
        "attune",
        "a few minutes for today's check-in? attune checkin",
    ]


def test_cli_notify_without_any_notifier_prints_the_line(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda *a, **k: None)
    monkeypatch.setattr(sys, "platform", "linux")
    r = cli("remind", "--notify")
    assert (r.exit_code, r.stdout, r.stderr) == (0, CHECKIN_LINE + "\n", "")


def test_notify_runs_the_notifier_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr("shutil.which", lambda *a, **k: "/x/notify-send")
    calls: list[tuple[list[str], dict[str, Any]]] = []

    def ok(command: list[str], **kw: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append((command, kw))
        return subprocess.CompletedProcess(command, 0)

    assert remind.notify(CHECKIN_LINE, run=ok)
    [(command, kw)] = calls
    assert command == ["/x/notify-send", "--app-name=attune", "attune", CHECKIN_LINE[8:]]
    assert kw["stdin"] == subprocess.DEVNULL and kw["capture_output"] and kw["timeout"] > 0
    assert not remind.notify("x", run=lambda c, **k: subprocess.CompletedProcess(c, 1))

    def boom(command: list[str], **kw: Any) -> Any:
        raise subprocess.TimeoutExpired(command, 10)

    assert not remind.notify("x", run=boom)

    def gone(command: list[str], **kw: Any) -> Any:
        raise FileNotFoundError(command[0])

    assert not remind.notify("x", run=gone)


def test_notify_on_macos_uses_osascript(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    calls: list[list[str]] = []

    def ok(command: list[str], **kw: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 0)

    assert remind.notify('attune: say "hi"', run=ok)
    assert calls == [["osascript", "-e", 'display notification "say \\"hi\\"" with title "attune"']]


def test_a_real_error_is_one_line(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("ATTUNE_STATE_DIR", str(blocker))
    r = cli("remind")
    assert (r.exit_code, r.stdout) == (1, "")
    line = one_line(r.stderr)
    assert line.startswith("attune: could not check for reminders (")
    assert str(blocker) in line


def test_a_broken_config_file_is_one_line(cli: Any) -> None:
    config = paths().config_file
    config.parent.mkdir(parents=True)
    config.write_text("day-start = [unclosed\n")
    r = cli("remind")
    assert (r.exit_code, r.stdout) == (1, "")
    assert one_line(r.stderr).startswith("attune: ")
    assert "not valid TOML" in r.stderr


def test_a_bad_day_start_value_falls_back_to_4am(cli: Any, clock: Clock) -> None:
    paths().config.mkdir(parents=True)
    paths().config_file.write_text('day-start = "25:99"\n')
    checkin(cli, clock, at(26, 1))
    clock.now = at(26, 2)
    data = json.loads(cli("remind", "--json").stdout)
    assert (data["day"], data["checked_in"]) == ("2026-11-25", True)


# as cron runs it --------------------------------------------------------------------------

LAUNCHERS = {
    "script": [str(SCRIPT), "remind"],  # the fast path
    "module": [sys.executable, "-m", "attunecli", "remind"],  # also the fast path
    "typer": [str(SCRIPT), "--no-color", "remind"],  # a global option: through Typer
}
STDIN_MODES = ("devnull", "empty-pipe", "closed")
CLOSED_STDIN_BUG = (
    "cli/deps.py:51 Deps.stdin_text default_factory evaluates sys.stdin.read at construction; "
    "with fd 0 closed sys.stdin is None, so every Typer-path command (remind, checkin, ...) "
    "dies with an AttributeError traceback"
)


def cron_env(tmp: Path, *, dirs: bool = True, **extra: str) -> dict[str, str]:
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    if dirs:
        for name in ("DATA", "CONFIG", "STATE", "CACHE"):
            env[f"ATTUNE_{name}_DIR"] = str(tmp / "cron" / name.lower())
    env.update(extra)
    return env


def run(
    command: list[str], env: dict[str, str], stdin: str = "empty-pipe"
) -> subprocess.CompletedProcess[str]:
    if not Path(command[0]).exists():
        pytest.skip(f"{command[0]} is not installed")
    fd: int | None = subprocess.DEVNULL
    if stdin == "closed":
        command = ["/bin/sh", "-c", 'exec <&- && exec "$@"', "sh", *command]
    elif stdin == "empty-pipe":
        fd, write_end = os.pipe()
        os.close(write_end)
    try:
        proc = subprocess.run(
            command, stdin=fd, capture_output=True, env=env, timeout=TIMEOUT, check=False
        )
    finally:
        if stdin == "empty-pipe":
            assert fd is not None
            os.close(fd)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "\x1b" not in out + err
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def cron_checkin(env: dict[str, str]) -> None:
    r = run(
        [str(SCRIPT), "checkin", "--quick", "--feeling", "calm", "--intensity", "2"],
        env,
        stdin="devnull",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Saved ")


def _modes(launcher: str) -> list[Any]:
    return [pytest.param(mode, id=mode) for mode in STDIN_MODES]


@pytest.mark.parametrize(
    ("launcher", "stdin"),
    [
        pytest.param(launcher, *p.values, marks=p.marks, id=f"{launcher}-{p.id}")
        for launcher in LAUNCHERS
        for p in _modes(launcher)
    ],
)
def test_cron_run_nudges_once_then_is_silent(tmp_path: Path, launcher: str, stdin: str) -> None:
    env = cron_env(tmp_path)
    Path(env["ATTUNE_DATA_DIR"]).mkdir(parents=True)  # an empty data dir
    first = run(LAUNCHERS[launcher], env, stdin)
    assert (first.returncode, first.stdout, first.stderr) == (0, CHECKIN_LINE + "\n", "")
    second = run(LAUNCHERS[launcher], env, stdin)
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")


@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_cron_run_with_a_missing_data_dir(tmp_path: Path, launcher: str) -> None:
    env = cron_env(tmp_path)
    r = run(LAUNCHERS[launcher], env)
    assert (r.returncode, r.stdout, r.stderr) == (0, CHECKIN_LINE + "\n", "")
    assert not list(Path(env["ATTUNE_DATA_DIR"]).rglob("*.json"))


@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_cron_run_after_todays_checkin_is_silent(tmp_path: Path, launcher: str) -> None:
    env = cron_env(tmp_path)
    cron_checkin(env)
    r = run(LAUNCHERS[launcher], env)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert not (Path(env["ATTUNE_STATE_DIR"]) / "remind.json").exists()


def test_cron_run_json_and_max_per_day(tmp_path: Path) -> None:
    env = cron_env(tmp_path)
    first = run([*LAUNCHERS["script"], "--json", "--max-per-day=2"], env)
    assert (first.returncode, first.stderr) == (0, "")
    data = json.loads(one_line(first.stdout))
    assert set(data) == JSON_KEYS
    assert (data["remind"], data["message"], data["checked_in"]) == (True, CHECKIN_LINE, False)
    second = run([*LAUNCHERS["script"], "--max-per-day", "2"], env)
    assert second.stdout == CHECKIN_LINE + "\n"
    third = run([*LAUNCHERS["script"], "--max-per-day", "2"], env)
    assert (third.returncode, third.stdout, third.stderr) == (0, "", "")


@pytest.mark.parametrize("launcher", ["module", "typer"])
@pytest.mark.parametrize(("code", "printed"), [(0, ""), (1, CHECKIN_LINE + "\n")])
def test_cron_run_notify(tmp_path: Path, launcher: str, code: int, printed: str) -> None:
    log = fake_notifier(tmp_path / "bin", code)
    env = cron_env(tmp_path, PATH=f"{tmp_path / 'bin'}:/usr/bin:/bin")
    r = run([*LAUNCHERS[launcher], "--notify"], env)
    assert (r.returncode, r.stdout, r.stderr) == (0, printed, "")
    assert log.read_text().splitlines()[-1] == CHECKIN_LINE.removeprefix("attune: ")


@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_cron_run_with_the_state_dir_a_file_is_a_real_error(tmp_path: Path, launcher: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    env = cron_env(tmp_path, ATTUNE_STATE_DIR=str(blocker))
    r = run(LAUNCHERS[launcher], env)
    assert (r.returncode, r.stdout) == (1, "")
    line = one_line(r.stderr)
    assert line == f"attune: could not check for reminders ({blocker}/remind.lock): Not a directory"


def test_the_typer_path_honours_data_dir(tmp_path: Path) -> None:
    env = cron_env(tmp_path)
    cron_checkin(env)
    elsewhere = tmp_path / "elsewhere"
    r = run([str(SCRIPT), "--data-dir", str(elsewhere), "remind"], env)
    assert (r.returncode, r.stdout, r.stderr) == (0, CHECKIN_LINE + "\n", "")


def test_the_typer_path_falls_back_for_bad_options(tmp_path: Path) -> None:
    env = cron_env(tmp_path)
    r = run([*LAUNCHERS["script"], "--max-per-day", "0"], env)
    assert (r.returncode, r.stdout) == (2, "")
    assert one_line(r.stderr).startswith("attune: ")
    r = run([*LAUNCHERS["script"], "--help"], env)
    assert (r.returncode, r.stderr) == (0, "")
    assert "Usage: attune remind" in r.stdout
    assert not Path(env["ATTUNE_STATE_DIR"]).exists()


WRITING = {
    "openat", "open", "creat", "mkdir", "mkdirat", "rename", "renameat", "renameat2", "link",
    "linkat", "unlink", "unlinkat", "symlink", "symlinkat", "chmod", "fchmodat", "truncate",
    "rmdir",
}  # fmt: skip
TRACED = re.compile(r"^\d+\s+(?P<call>\w+)\((?P<args>.*)\)\s+=\s+(?P<rc>-?\d+)")


def writes_outside(trace: str, allowed: list[Path]) -> list[str]:
    """Lines of an strace log that created, changed or removed something outside `allowed`."""
    bad = []
    for line in trace.splitlines():
        m = TRACED.match(line)
        if not m or m["call"] not in WRITING or int(m["rc"]) < 0:
            continue
        if m["call"] in ("openat", "open") and not re.search(
            r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", m["args"]
        ):
            continue
        for path in re.findall(r'"(/[^"]*)"', m["args"]):
            if "/__pycache__/" in path:  # Python's own bytecode cache, not attune's doing
                continue
            if not any(Path(path).is_relative_to(a) for a in allowed):
                bad.append(line)
    return bad


def strace_command() -> list[str] | None:
    """strace logging every call that writes, if strace exists and may trace here."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    probe = subprocess.run([strace, "-o", os.devnull, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return None
    return [strace, "-f", "-qq", "-s", "4096", "-e", f"trace={','.join(sorted(WRITING))}"]


def test_writes_outside_reads_an_strace_log(tmp_path: Path) -> None:
    trace = "\n".join(
        [
            f'10 openat(AT_FDCWD, "{tmp_path}/home/x", O_RDWR|O_CREAT|O_CLOEXEC, 0600) = 3',
            '10 openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 4',
            '10 openat(AT_FDCWD, "/root/.cache/x", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 5',
            '10 mkdir("/root/.local/state/attune", 0700) = -1 EEXIST (File exists)',
            f'10 rename("{tmp_path}/home/a", "/var/tmp/b") = 0',
            '10 openat(AT_FDCWD, "/usr/lib/__pycache__/x.pyc", O_WRONLY|O_CREAT, 0644) = 6',
        ]
    )
    assert writes_outside(trace, [tmp_path / "home"]) == [
        '10 openat(AT_FDCWD, "/root/.cache/x", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 5',
        f'10 rename("{tmp_path}/home/a", "/var/tmp/b") = 0',
    ]


def test_cron_run_without_attune_vars_stays_in_home(tmp_path: Path) -> None:
    env = cron_env(tmp_path, dirs=False)
    home = Path(env["HOME"])
    trace = tmp_path / "trace.txt"
    tracer = strace_command()
    command = (
        LAUNCHERS["script"] if tracer is None else [*tracer, "-o", str(trace), *LAUNCHERS["script"]]
    )
    first = run(command, env)
    assert (first.returncode, first.stdout, first.stderr) == (0, CHECKIN_LINE + "\n", "")
    state = home / ".local" / "state" / "attune"
    assert json.loads((state / "remind.json").read_text())["count"] == 1
    if tracer is not None:
        assert writes_outside(trace.read_text(), [home]) == []
        assert "remind.json" in trace.read_text()  # the trace did see the writes
    assert run(LAUNCHERS["script"], env).stdout == ""
    # A check-in (through Typer) lands under HOME too; with the count reset, the
    # silence that follows is the check-in's doing.
    (state / "remind.json").unlink()
    save = [str(SCRIPT), "checkin", "--quick", "--feeling", "calm", "--intensity", "2"]
    traced = [*tracer, "-o", str(trace), *save] if tracer is not None else save
    saved = run(traced, env, stdin="devnull")
    assert saved.returncode == 0, saved.stderr
    assert list((home / ".local" / "share" / "attune" / "entries").rglob("*.json"))
    if tracer is not None:
        assert writes_outside(trace.read_text(), [home]) == []
    r = run(LAUNCHERS["script"], env, "closed")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_nothing_to_say_loads_only_what_that_answer_needs(cli: Any, clock: Clock) -> None:
    """Cron runs this daily: no store models, settings module, json, dataclasses or Typer."""
    checkin(cli, clock, datetime.now().astimezone())
    assert cli("remind").stdout == ""  # the index takes the new file in (as most days)
    heavy = ("typer", "attunecli.store", "attunecli.config", "dataclasses", "json", "shutil")
    code = (
        "import sys; from attunecli.entry import main; rc = main(['remind']); "
        f"print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr); sys.exit(rc)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout, r.stderr.strip()) == (0, "", "[]")
