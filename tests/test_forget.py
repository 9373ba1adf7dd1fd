"""`attune forget`: deletes exactly what was chosen, once confirmed, with index rows and drafts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from attunecli.drafts import Draft, Drafts
from attunecli.models import Answer
from tests.conftest import TZ, entry_files
from tests.test_bad_data import NAMED_BY_READERS, count, seed_store, snapshot
from tests.test_doctor import build_index, index_ids


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def save(cli: Any, clock: Any, data_dir: Path, when: datetime, *args: str) -> tuple[str, Path]:
    """Save one entry at `when`; its id and file."""
    clock.now = when
    r = cli(*(args or ("slow-down", "--feeling", "calm", "--intensity", "2")), "--json")
    assert r.exit_code == 0, r.stderr
    entry_id = json.loads(r.stdout)["id"]
    [path] = [p for p in entry_files(data_dir) if entry_id in p.name]
    return entry_id, path


@pytest.fixture
def store(cli: Any, clock: Any, data_dir: Path) -> dict[str, tuple[str, Path]]:
    """Four entries on different local days, and an open repair with its follow-up done."""
    out = {
        "nov20": save(cli, clock, data_dir, at(20)),
        # 22:00 at UTC-5 is 03:00 UTC on the 22nd: its file name says the 22nd, its day is the 21st
        "nov21_late": save(cli, clock, data_dir, at(21, 22)),
        "nov22_early": save(cli, clock, data_dir, at(22, 0, 30)),
        "nov25": save(
            cli,
            clock,
            data_dir,
            at(25, 20, 30),
            "checkin",
            "--quick",
            "--feeling",
            "ok",
            "--intensity",
            "4",
        ),
    }
    repair = [
        "repair",
        "--context",
        "partner",
        "--what",
        "I snapped",
        "--their-feeling",
        "hurt",
        "--my-part",
        "I was tired",
    ]
    out["repair"] = save(cli, clock, data_dir, at(19, 9), *repair)
    clock.now = at(23, 18)
    r = cli("repair", "done", out["repair"][0][:8], "--note", "we talked")
    assert r.exit_code == 0, r.stderr
    [done] = [p for p in entry_files(data_dir) if p not in {v[1] for v in out.values()}]
    out["repair_done"] = (json.loads(done.read_bytes())["id"], done)
    clock.now = at(25, 20, 30)
    return out


def leave_draft(
    attune_dirs: Path, practice: str, started: datetime, about: datetime | None = None
) -> Path:
    drafts = Drafts(attune_dirs / "state")
    answers = [Answer("what", "text", "What?", "x")]
    assert drafts.save(Draft(practice, False, started, answers, about=about))
    return drafts.path(practice)


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, text
    assert text.startswith("attune: "), text
    return text


def remaining(data_dir: Path) -> set[Path]:
    return set(entry_files(data_dir))


# choosing


def test_forget_by_id_prefix(cli: Any, store: Any, data_dir: Path) -> None:
    entry_id, path = store["nov20"]
    others = {p: p.read_bytes() for p in remaining(data_dir) - {path}}
    r = cli("forget", "--id", entry_id[:6], "--yes")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "Forgot 1 entry (1 files deleted).\n"
    assert not path.exists()
    assert {p: p.read_bytes() for p in others} == others  # nothing else touched
    assert cli("show", entry_id[:6]).exit_code == 1


def test_forget_several_ids_and_the_same_one_twice(cli: Any, store: Any, data_dir: Path) -> None:
    a, pa = store["nov20"]
    b, pb = store["nov25"]
    r = cli("forget", "--id", a[:5], "--id", b, "--id", a, "--yes")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Forgot 2 entries (2 files deleted)")
    assert not pa.exists()
    assert not pb.exists()
    assert len(remaining(data_dir)) == 4


def test_forget_before_uses_the_entrys_own_local_day(cli: Any, store: Any, data_dir: Path) -> None:
    r = cli("forget", "--before", "2026-11-22", "--yes")
    assert r.exit_code == 0, r.stderr
    # nov19 repair (and its follow-up, though that is from the 23rd), nov20, nov21_late,
    # and nov22_early: at 00:30, before the 04:00 day start, it belongs to the 21st
    assert r.stdout.startswith("Forgot 5 entries (5 files deleted)")
    gone = {"repair", "repair_done", "nov20", "nov21_late", "nov22_early"}
    for name, (_, path) in store.items():
        assert path.exists() == (name not in gone), name


def test_forget_before_a_relative_day(cli: Any, store: Any, data_dir: Path) -> None:
    r = cli("forget", "--before", "5d", "--yes")  # 5 days before the 25th: the 20th
    assert r.exit_code == 0, r.stderr
    gone = {"repair", "repair_done"}
    for name, (_, path) in store.items():
        assert path.exists() == (name not in gone), name


def test_forget_all(cli: Any, store: Any, data_dir: Path, attune_dirs: Path) -> None:
    draft = leave_draft(attune_dirs, "reflect", at(24))
    quick = leave_draft(attune_dirs, "curious", at(1))
    r = cli("forget", "--all", "--yes")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "Forgot 6 entries and 2 drafts (8 files deleted).\n"
    assert remaining(data_dir) == set()
    assert not draft.exists() and not quick.exists()
    assert not (data_dir / "entries" / "2026" / "11").exists()  # emptied folders go too
    r = cli("history", "--json")
    assert json.loads(r.stdout) == []


def test_drafts_go_with_before_only_when_started_before(
    cli: Any, store: Any, attune_dirs: Path
) -> None:
    old = leave_draft(attune_dirs, "reflect", at(10))
    new = leave_draft(attune_dirs, "curious", at(24))
    r = cli("forget", "--before", "2026-11-20", "--yes")
    assert r.exit_code == 0, r.stderr
    assert "and 1 draft" in r.stdout
    assert not old.exists()
    assert new.exists()


def test_a_draft_filling_in_a_day_goes_with_that_day(
    cli: Any, store: Any, attune_dirs: Path
) -> None:
    """Started after --before, but about a day before it (`--for`): it goes, or the
    day forgotten would come back when the draft is picked up."""
    backfill = leave_draft(attune_dirs, "reflect", at(24), about=at(10))
    r = cli("forget", "--before", "2026-11-20", "--yes", "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["drafts"] == [str(backfill)]
    assert not backfill.exists()


def test_forget_by_id_leaves_drafts(cli: Any, store: Any, attune_dirs: Path) -> None:
    draft = leave_draft(attune_dirs, "reflect", at(10))
    assert cli("forget", "--id", store["nov25"][0], "--yes").exit_code == 0
    assert draft.exists()


def test_nothing_matching(cli: Any, store: Any, data_dir: Path, attune_dirs: Path) -> None:
    before = {n: snapshot(attune_dirs / n) for n in ("data", "state", "cache")}
    r = cli("forget", "--before", "2020-01-01")
    assert r.exit_code == 0
    assert r.stdout == "Nothing to forget.\n"
    assert {n: snapshot(attune_dirs / n) for n in ("data", "state", "cache")} == before


# repairs


def test_a_repairs_follow_up_goes_with_it(cli: Any, store: Any, data_dir: Path) -> None:
    repair_id, repair_path = store["repair"]
    _, done_path = store["repair_done"]
    r = cli("forget", "--id", repair_id[:8], "--yes")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Forgot 2 entries (2 files deleted)")
    assert not repair_path.exists() and not done_path.exists()
    assert len(remaining(data_dir)) == 4


def test_forgetting_only_the_follow_up_reopens_the_repair(
    cli: Any, store: Any, data_dir: Path
) -> None:
    done_id, done_path = store["repair_done"]
    r = cli("forget", "--id", done_id, "--yes")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Forgot 1 entry")
    assert not done_path.exists() and store["repair"][1].exists()
    repairs = json.loads(cli("repairs", "--json").stdout)
    assert [x["id"] for x in repairs] == [store["repair"][0]]


def test_the_confirmation_counts_the_follow_up(cli: Any, store: Any) -> None:
    r = cli("forget", "--id", store["repair"][0])
    assert r.exit_code == 2
    assert "this would forget 2 entries;" in one_line(r.stderr)


# confirmation


def test_without_a_terminal_it_asks_for_yes_and_deletes_nothing(
    cli: Any, store: Any, attune_dirs: Path
) -> None:
    leave_draft(attune_dirs, "reflect", at(10))
    before = {n: snapshot(attune_dirs / n) for n in ("data", "config", "state", "cache")}
    for args in (["--all"], ["--before", "2026-11-22"], ["--id", store["nov25"][0]]):
        r = cli("forget", *args)
        assert r.exit_code == 2, args
        line = one_line(r.stderr)
        assert "--yes" in line
        assert r.stdout == ""
        assert {
            n: snapshot(attune_dirs / n) for n in ("data", "config", "state", "cache")
        } == before
    r = cli("forget", "--all")
    assert "this would forget 6 entries and 1 draft;" in r.stderr


def test_echo_y_into_a_pipe_does_not_confirm(cli: Any, store: Any, data_dir: Path) -> None:
    r = cli("forget", "--all", stdin="y\n")
    assert r.exit_code == 2
    assert len(remaining(data_dir)) == 6


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_at_a_terminal_it_asks_and_no_is_the_default(
    cli: Any, store: Any, data_dir: Path, answer: str, deleted: bool
) -> None:
    _, path = store["nov20"]
    r = cli("forget", "--id", store["nov20"][0], interactive=True, stdin=answer)
    assert r.exit_code == 0, r.stderr
    assert "Forget 1 entry? This cannot be undone." in r.stderr
    assert path.exists() != deleted
    assert ("Nothing was changed." in r.stderr) != deleted


# the index


def test_forgotten_ids_leave_the_index(cli: Any, store: Any, data_dir: Path) -> None:
    index = build_index(cli, data_dir)  # folders settled an hour ago: only their mtime tells
    assert index_ids(index) == {v[0] for v in store.values()}
    gone = store["nov20"][0]
    assert cli("forget", "--id", gone, "--yes").exit_code == 0
    assert index_ids(index) == {v[0] for v in store.values()} - {gone}
    assert cli("forget", "--before", "2026-11-22", "--yes").exit_code == 0
    assert index_ids(index) == {store["nov25"][0]}  # nov22_early is the 21st's, by day start
    assert cli("forget", "--all", "--yes").exit_code == 0
    assert index_ids(index) == set()


def test_a_forgotten_repair_no_longer_reminds(cli: Any, clock: Any, data_dir: Path) -> None:
    repair_id, _ = save(
        cli,
        clock,
        data_dir,
        at(20),
        "repair",
        "--context",
        "friend",
        "--what",
        "late",
        "--their-feeling",
        "hurt",
        "--my-part",
        "I forgot",
        "--follow-up",
        "2026-11-21",
    )
    clock.now = at(25)
    save(
        cli,
        clock,
        data_dir,
        at(25, 20),
        "checkin",
        "--quick",
        "--feeling",
        "ok",
        "--intensity",
        "3",
    )
    index = build_index(cli, data_dir)
    due = json.loads(cli("remind", "--json").stdout)["due_repairs"]
    assert [d["id"] for d in due] == [repair_id]
    assert cli("forget", "--id", repair_id, "--yes").exit_code == 0
    assert repair_id not in index_ids(index)
    assert json.loads(cli("remind", "--json").stdout)["due_repairs"] == []


# what it leaves alone


@pytest.mark.planted
def test_unreadable_files_are_left_alone(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path
) -> None:
    s = seed_store(cli, clock, data_dir)
    bad = {
        case: snapshot(p) if p.is_dir() else p.read_bytes()
        for case, p in s.bad.items()
        if case not in ("huge", "extra_fields")
    }
    r = cli("forget", "--all", "--yes")
    assert r.exit_code == 0, r.stderr
    # the three good entries and the readable one with extra fields; nothing else
    assert r.stdout == "Forgot 4 entries (4 files deleted).\n"
    for case, path in s.bad.items():
        if case == "extra_fields":
            assert not path.exists()
            continue
        assert path.exists(), case
        if case in bad:
            assert (snapshot(path) if path.is_dir() else path.read_bytes()) == bad[case], case
    assert s.bad["huge"].stat().st_size == 50 * 1024 * 1024
    for good in s.good.values():
        assert not good.exists()
    for case in NAMED_BY_READERS:
        assert count(r.stderr, s.bad[case]) == 1, case
    # and it says so again, each once, the next time
    assert cli("forget", "--all", "--yes").stdout == "Nothing to forget.\n"


@pytest.mark.planted
def test_forget_by_id_refuses_an_unreadable_file(cli: Any, clock: Any, data_dir: Path) -> None:
    s = seed_store(cli, clock, data_dir)
    path = s.bad["truncated"]
    before = path.read_bytes()
    r = cli("forget", "--id", "0000000000000001", "--yes")
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1].startswith("attune: entry 0000000000000001 could not be read")
    assert path.read_bytes() == before


@pytest.mark.planted
def test_forget_by_id_deletes_the_file_it_found(cli: Any, store: Any, data_dir: Path) -> None:
    """A copy of an entry under another name (a restore, a hand edit): --id names the copy."""
    _, original = store["nov20"]
    copy = original.parent / "20261101T000000Z-c0ffee0000000001.json"
    copy.write_bytes(original.read_bytes())
    copy.chmod(0o600)
    cli("forget", "--id", "c0ffee", "--yes")
    assert original.exists(), "forget deleted an entry nobody named"


# bad arguments


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--all", "--id", "abc"], "--all already means every entry"),
        (["--all", "--before", "2026-01-01"], "--all already means every entry"),
        ([], "say what to forget: --id ID, --before DATE or --all"),
        (["--before", "last tuesday"], "--before: not a date: 'last tuesday'"),
        (["--before", "2026-13-01"], "--before: not a date"),
        (["--id", "xyz!"], "not an entry id: 'xyz!'"),
        (["--id", "{shared}"], "entries have ids starting"),  # ambiguous prefix
        (["--all", "--yes", "--id", "abc"], "--all already means every entry"),
    ],
)
def test_bad_arguments_are_one_line_exit_2_and_delete_nothing(
    cli: Any, clock: Any, data_dir: Path, args: list[str], expected: str
) -> None:
    firsts: list[str] = []
    for i in range(17):  # 17 random ids: two of them surely share a first digit
        firsts.append(save(cli, clock, data_dir, at(20, 1, i))[0][0])
    shared = next(c for c in firsts if firsts.count(c) > 1)
    before = snapshot(data_dir)
    r = cli("forget", *[a.replace("{shared}", shared) for a in args])
    assert r.exit_code == 2, r.stderr
    assert expected in one_line(r.stderr)
    assert r.stdout == ""
    assert snapshot(data_dir) == before


def test_an_unknown_id_is_one_line_and_deletes_nothing(
    cli: Any, store: Any, data_dir: Path
) -> None:
    known = {v[0][0] for v in store.values()}
    prefix = next(c for c in "0123456789abcdef" if c not in known) + "123"
    before = snapshot(data_dir)
    r = cli("forget", "--id", prefix, "--yes")
    assert r.exit_code == 1
    assert f"no entry with an id starting '{prefix}'" in one_line(r.stderr)
    assert snapshot(data_dir) == before
