"""The JSON entry files: atomic private writes, tolerant reads, finding and filtering."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from attunecli import fsutil, repairs, store
from attunecli.errors import AttuneError, NotFound, UsageError
from attunecli.models import SCHEMA_VERSION, Answer, Entry
from attunecli.store import Store, entry_bytes, migrate
from tests.conftest import NOW, TZ, VALIDATOR


def make(
    entry_id: str = "0123456789abcdef",
    when: datetime = NOW,
    practice: str = "slow-down",
    *,
    complete: bool = True,
    refers_to: str | None = None,
) -> Entry:
    return Entry(
        id=entry_id,
        created_at=when,
        practice=practice,
        answers=[Answer("feeling", "feeling", "Which word?", "calm", {"quadrant": "low-pleasant"})],
        complete=complete,
        refers_to=refers_to,
        app_version="0.1.0",
    )


def hex_id(n: int) -> str:
    return f"{n:016x}"


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def st(tmp_path: Path, warnings: list[str]) -> Store:
    return Store(tmp_path / "data", warn=warnings.append)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


# writing


def test_save_lays_out_by_utc_date_and_round_trips(st: Store, tmp_path: Path) -> None:
    entry = make()
    path = st.save(entry)
    # 20:30 at UTC-5 is 01:30 on the 26th in UTC
    assert path == tmp_path / "data/entries/2026/11/20261126T013000Z-0123456789abcdef.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    VALIDATOR.validate(data)
    assert data["created_at"] == "2026-11-25T20:30:00-05:00"
    assert path.read_bytes() == entry_bytes(entry)
    loaded = st.load(path)
    assert loaded == entry
    assert loaded is not None and loaded.created_at.utcoffset() == timedelta(hours=-5)


def test_save_keeps_non_ascii_text_readable(st: Store) -> None:
    entry = make()
    entry.answers[0].answer = "müde, 疲れた"
    path = st.save(entry)
    assert "müde, 疲れた" in path.read_text(encoding="utf-8")
    assert st.load(path) == entry


def test_saved_files_are_0600_and_folders_0700_even_with_umask_0(
    st: Store, tmp_path: Path, umask_zero: None
) -> None:
    path = st.save(make())
    assert mode(path) == 0o600
    for folder in (tmp_path / "data", st.root, st.root / "2026", st.root / "2026" / "11"):
        assert mode(folder) == 0o700, folder
    assert os.umask(0) == 0  # still the test's umask; the fixture restores the real one


def test_write_atomic_replaces_and_stays_private(tmp_path: Path, umask_zero: None) -> None:
    target = tmp_path / "conf" / "deep" / "config.toml"
    fsutil.write_atomic(target, b"one\n")
    fsutil.write_atomic(target, b"two\n")
    assert target.read_bytes() == b"two\n"
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700
    assert mode(target.parent.parent) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["config.toml"]


def test_ensure_private_dir_tightens_only_the_last_existing_folder(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir(mode=0o755)
    os.chmod(outer, 0o755)
    inner = outer / "inner"
    inner.mkdir()
    os.chmod(inner, 0o777)
    fsutil.ensure_private_dir(inner)
    assert mode(inner) == 0o700
    assert mode(outer) == 0o755


def test_save_refuses_to_overwrite(st: Store) -> None:
    path = st.save(make())
    before = path.read_bytes()
    changed = make()
    changed.answers[0].answer = "furious"
    with pytest.raises(AttuneError) as exc:
        st.save(changed)
    assert "already exists" in exc.value.message
    assert "nothing was overwritten" in exc.value.message
    assert exc.value.exit_code == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file left


def test_write_atomic_exclusive_refuses_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    target.write_bytes(b"original")
    with pytest.raises(FileExistsError):
        fsutil.write_atomic(target, b"new", exclusive=True)
    assert target.read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


@pytest.mark.parametrize("exists", [False, True])
def test_write_atomic_exclusive_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exists: bool
) -> None:
    def no_links(*_: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "x.json"
    if exists:
        target.write_bytes(b"original")
        with pytest.raises(FileExistsError):
            fsutil.write_atomic(target, b"new", exclusive=True)
        assert target.read_bytes() == b"original"
    else:
        fsutil.write_atomic(target, b"new", exclusive=True)
        assert target.read_bytes() == b"new"
        assert mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_atomic_text_writer_publishes_only_a_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "export.md"
    target.write_text("original")
    with pytest.raises(RuntimeError), fsutil.atomic_text_writer(target) as out:
        out.write("half of it\n")
        raise RuntimeError("the writer fails midway")
    assert target.read_text() == "original"
    with pytest.raises(FileExistsError), fsutil.atomic_text_writer(target, exclusive=True) as out:
        out.write("new\n")
    assert target.read_text() == "original"
    with fsutil.atomic_text_writer(target) as out:
        out.write("ünï\r\ncode\n")
    assert target.read_bytes() == "ünï\r\ncode\n".encode()  # no newline translation
    assert mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["export.md"]


def test_a_failed_write_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    st = Store(tmp_path / "data")
    monkeypatch.setattr(os, "link", broken)
    with pytest.raises(AttuneError, match=r"could not save to .*No space left on device"):
        st.save(make())
    month = st.root / "2026" / "11"
    assert list(month.iterdir()) == []


# listing


@pytest.mark.planted  # writes broken or unusual entry files on purpose
def test_listing_ignores_temp_files_and_things_that_are_not_entries(
    st: Store, warnings: list[str]
) -> None:
    path = st.save(make())
    month = path.parent
    (month / ".attune-tmp-abc123").write_text("{half")
    (month / "notes.txt").write_text("mine")
    (month / "20261126T013000Z-XYZ.json").write_text("{}")  # not a hex id
    (month / "20261126T013000Z-0123456789abcdef.json.bak").write_text("{}")
    (st.root / "README").write_text("hello")
    (st.root / "misc" / "11").mkdir(parents=True)
    (st.root / "misc" / "11" / "20261126T013000Z-aaaaaaaaaaaaaaaa.json").write_text("{}")
    (st.root / "2026" / "notes").mkdir()
    (month / ".DS_Store").write_text("finder")
    assert st.paths() == [path]
    assert [e.id for e in st.entries()] == ["0123456789abcdef"]
    # odd files in a month folder are named once (never touched); hidden ones pass quietly
    named = sorted(w.split(": ")[0].removeprefix("skipped ") for w in warnings)
    assert named == sorted(
        str(month / n)
        for n in (
            "notes.txt",
            "20261126T013000Z-XYZ.json",
            "20261126T013000Z-0123456789abcdef.json.bak",
        )
    )
    assert (month / "notes.txt").read_text() == "mine"


@pytest.mark.planted  # conflict copies and a huge file, on purpose
def test_sync_conflicts_and_huge_files_are_named_and_left_alone(
    st: Store, warnings: list[str]
) -> None:
    path = st.save(make())
    month = path.parent
    syncthing = month / (path.stem + ".sync-conflict-20261126-101010-ABCDEFG.json")
    dropbox = month / (path.stem + " (conflicted copy 2026-11-26).json")
    for copy in (syncthing, dropbox):
        copy.write_bytes(path.read_bytes())
    huge = month / "20261126T020000Z-00000000000000aa.json"
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB, sparse
    assert [e.id for e in st.entries()] == ["0123456789abcdef"]
    assert [e.id for e in st.entries()] == ["0123456789abcdef"]  # and named only once
    assert len(warnings) == 3
    assert any(str(syncthing) in w and "sync-conflict copy" in w for w in warnings)
    assert any(str(dropbox) in w and "sync-conflict copy" in w for w in warnings)
    assert any(str(huge) in w and "too large" in w for w in warnings)
    assert syncthing.exists() and dropbox.exists() and huge.stat().st_size == 50 * 1024 * 1024


def test_listing_an_empty_or_missing_store(tmp_path: Path) -> None:
    assert Store(tmp_path / "nothing").paths() == []
    assert list(Store(tmp_path / "nothing").entries()) == []
    (tmp_path / "file" / "entries").parent.mkdir()
    (tmp_path / "file" / "entries").write_text("not a folder")
    assert Store(tmp_path / "file").paths() == []


def test_paths_are_oldest_first_across_months_and_years(st: Store) -> None:
    times = [
        datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 2, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2026, 2, 1, 11, 0, tzinfo=UTC),
    ]
    for i, t in enumerate(times):
        st.save(make(hex_id(i), t))
    assert [p.name[:15] for p in st.paths()] == [
        "20260201T110000",
        "20260201T120000",
        "20261231T235900",
        "20270101T000000",
    ]


# tolerant reading


def entry_dict(entry_id: str = "fedcba9876543210", **changes: Any) -> dict[str, Any]:
    data = make(entry_id).to_json()
    data.update(changes)
    return data


@pytest.fixture
def broken_files(st: Store) -> dict[str, Path]:
    good = st.save(make())
    month = good.parent
    files: dict[str, bytes] = {
        "truncated": json.dumps(entry_dict()).encode()[:40],
        "utf8": b'{"schema_version": 1, "id": "\xff\xfe"}',
        "array": b"[1, 2, 3]",
        "newer": json.dumps(entry_dict(schema_version=SCHEMA_VERSION + 1)).encode(),
        "no_zone": json.dumps(entry_dict(created_at="2026-11-25T20:30:00")).encode(),
        "no_version": json.dumps(
            {k: v for k, v in entry_dict().items() if k != "schema_version"}
        ).encode(),
        "bad_answers": json.dumps(entry_dict(answers="calm")).encode(),
        "empty": b"",
    }
    paths = {"good": good}
    for i, (name, content) in enumerate(files.items(), start=1):
        p = month / f"20261126T0{i}0000Z-{hex_id(i)}.json"
        p.write_bytes(content)
        paths[name] = p
    folder = month / f"20261126T020000Z-{hex_id(99)}.json"
    folder.mkdir()
    (folder / "inside.json").write_text("{}")
    paths["folder"] = folder
    return paths


def snapshot(paths: dict[str, Path]) -> dict[str, tuple[bool, int, bytes | None]]:
    return {
        name: (p.exists(), p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else None)
        for name, p in paths.items()
    }


WHY = {
    "truncated": "not valid JSON",
    "utf8": "not valid UTF-8",
    "array": "not a valid entry (not a JSON object)",
    "newer": f"written by a newer attune (schema {SCHEMA_VERSION + 1}",
    "no_zone": "created_at has no timezone",
    "no_version": "schema_version is missing",
    "bad_answers": "not a valid entry",
    "empty": "not valid JSON",
    "folder": "not a regular file",
}


@pytest.mark.planted  # writes broken or unusual entry files on purpose
def test_unreadable_files_are_skipped_named_once_and_left_alone(
    st: Store, broken_files: dict[str, Path], warnings: list[str]
) -> None:
    before = snapshot(broken_files)
    assert [e.id for e in st.entries()] == ["0123456789abcdef"]
    assert len(warnings) == len(WHY)
    for name, why in WHY.items():
        path = broken_files[name]
        [line] = [w for w in warnings if str(path) in w]
        assert line.startswith(f"skipped {path}: ")
        assert why in line, (name, line)
        assert "\n" not in line
    # reading again, in every way, names nothing twice
    list(st.entries(newest_first=True))
    st.recent(50)
    st.open_repairs()
    st.find("0123")
    assert len(warnings) == len(WHY)
    # nothing was deleted, moved or rewritten
    assert snapshot(broken_files) == before


@pytest.mark.planted  # writes broken or unusual entry files on purpose
def test_a_new_store_warns_again(
    tmp_path: Path, broken_files: dict[str, Path], warnings: list[str]
) -> None:
    again: list[str] = []
    list(Store(tmp_path / "data", warn=again.append).entries())
    assert len(again) == len(WHY)


def test_load_returns_none_for_a_missing_file(st: Store, warnings: list[str]) -> None:
    missing = st.root / "2026" / "11" / f"20261126T013000Z-{hex_id(5)}.json"
    assert st.load(missing) is None
    assert len(warnings) == 1 and str(missing) in warnings[0]


@pytest.mark.planted  # writes broken or unusual entry files on purpose
def test_newer_version_says_to_upgrade(st: Store, broken_files: dict[str, Path]) -> None:
    messages: list[str] = []
    Store(st.root.parent, warn=messages.append).load(broken_files["newer"])
    assert "upgrade attune to read it" in messages[0]


@pytest.mark.planted  # writes broken or unusual entry files on purpose
def test_warn_defaults_to_silence(tmp_path: Path, broken_files: dict[str, Path]) -> None:
    quiet = Store(tmp_path / "data")
    assert [e.id for e in quiet.entries()] == ["0123456789abcdef"]


# find


@pytest.fixture
def three(st: Store) -> Store:
    for i, eid in enumerate(["abc1230000000000", "abc4560000000000", "def0000000000000"]):
        st.save(make(eid, NOW + timedelta(minutes=i)))
    return st


@pytest.mark.parametrize("prefix", ["abc1", "ABC123", "  abc12 ", "def", "abc4560000000000"])
def test_find_by_unique_prefix(three: Store, prefix: str) -> None:
    entry = three.find(prefix)
    assert entry.id.startswith(prefix.strip().lower())


def test_find_ambiguous_prefix(three: Store) -> None:
    with pytest.raises(UsageError) as exc:
        three.find("abc")
    assert exc.value.message == "2 entries have ids starting 'abc'; give more of the id"
    assert exc.value.exit_code == 2


@pytest.mark.parametrize("prefix", ["0", "abc7", "abc12300000000001", "ff"])
def test_find_unknown(three: Store, prefix: str) -> None:
    with pytest.raises(NotFound) as exc:
        three.find(prefix)
    assert exc.value.exit_code == 1
    assert "no entry with an id starting" in exc.value.message


@pytest.mark.parametrize("prefix", ["", "  ", "xyz", "abc-1", "abc 1", "g", "../abc", "a" * 33])
def test_find_refuses_what_is_not_hex(three: Store, prefix: str) -> None:
    with pytest.raises(UsageError) as exc:
        three.find(prefix)
    assert exc.value.message.startswith("not an entry id: ")
    assert "hexadecimal" in exc.value.message


@pytest.mark.planted  # writes broken or unusual entry files on purpose
def test_find_an_unreadable_entry_says_so(st: Store, broken_files: dict[str, Path]) -> None:
    with pytest.raises(AttuneError) as exc:
        st.find(hex_id(1))
    assert not isinstance(exc.value, NotFound | UsageError)
    assert "could not be read" in exc.value.message


# dates


def at(y: int, m: int, d: int, hh: int, mm: int, tz: timezone = TZ) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=tz)


@pytest.fixture
def around_midnight(st: Store) -> Store:
    moments = {
        "a": at(2026, 11, 24, 23, 59),  # 04:59 UTC on the 25th
        "b": at(2026, 11, 25, 0, 1),
        "c": at(2026, 11, 25, 23, 30),  # 04:30 UTC on the 26th
        "d": at(2026, 11, 26, 0, 30),
        "e": at(2026, 11, 26, 23, 59),  # 04:59 UTC on the 27th
        "f": at(2026, 11, 26, 0, 10, timezone(timedelta(hours=14))),  # 10:10 UTC on the 25th
        "9": at(2026, 11, 25, 23, 50, timezone(timedelta(hours=-12))),  # 11:50 UTC on the 26th
    }
    for letter, when in moments.items():
        st.save(make(letter * 16, when))
    return st


def letters(entries: Any) -> str:
    """The first characters of the ids, sorted (ids are hex, so "9" stands in for a 7th)."""
    return "".join(sorted(e.id[0] for e in entries))


@pytest.mark.parametrize(
    ("since", "until", "want"),
    [
        (None, None, "9abcdef"),
        (date(2026, 11, 25), date(2026, 11, 25), "9bc"),
        (None, date(2026, 11, 24), "a"),
        (None, date(2026, 11, 25), "9abc"),
        (date(2026, 11, 26), None, "def"),
        (date(2026, 11, 25), None, "9bcdef"),
        (date(2026, 11, 27), None, ""),
        (None, date(2026, 11, 23), ""),
    ],
)
def test_since_and_until_use_the_entrys_local_date(
    around_midnight: Store, since: date | None, until: date | None, want: str
) -> None:
    assert letters(around_midnight.entries(since=since, until=until)) == want


def test_practice_filter_and_newest_first(st: Store) -> None:
    for i in range(5):
        st.save(make(hex_id(i), NOW + timedelta(hours=i), "reflect" if i % 2 else "slow-down"))
    assert [e.id for e in st.entries(newest_first=True)] == [hex_id(i) for i in (4, 3, 2, 1, 0)]
    assert [e.id for e in st.entries(practice="reflect")] == [hex_id(1), hex_id(3)]
    assert list(st.entries(practice="repair")) == []


def test_recent_is_newest_first_and_at_most_n(st: Store) -> None:
    # saved out of order, across a month boundary
    for i in (3, 0, 4, 1, 2):
        st.save(make(hex_id(i), datetime(2026, 11, 30, 23, 0, tzinfo=UTC) + timedelta(hours=i)))
    assert [e.id for e in st.recent(3)] == [hex_id(4), hex_id(3), hex_id(2)]
    assert [e.id for e in st.recent(1)] == [hex_id(4)]
    assert len(st.recent(99)) == 5
    assert [e.id for e in st.recent(2, since=date(2026, 12, 1))] == [hex_id(4), hex_id(3)]


@pytest.mark.planted  # writes broken or unusual entry files on purpose
def test_recent_skips_unreadable_files_without_counting_them(
    st: Store, broken_files: dict[str, Path]
) -> None:
    assert [e.id for e in st.recent(1)] == ["0123456789abcdef"]


def test_recent_zero_is_empty(st: Store) -> None:
    st.save(make())
    assert st.recent(0) == []


# repairs


@pytest.mark.planted  # writes broken or unusual entry files on purpose
def test_open_repairs_oldest_first_without_those_done(st: Store) -> None:
    r1 = make(hex_id(1), NOW, "repair")
    r2 = make(hex_id(2), NOW + timedelta(hours=1), "repair")
    r3 = make(hex_id(3), NOW + timedelta(hours=2), "repair")
    for e in (r3, r1, r2):
        st.save(e)
    st.save(make(hex_id(10), NOW + timedelta(days=1), "repair-done", refers_to=r2.id))
    st.save(make(hex_id(11), NOW + timedelta(days=1, hours=1), "repair-done", refers_to="f" * 16))
    st.save(make(hex_id(12), NOW + timedelta(days=2), "slow-down"))
    st.save(make(hex_id(13), NOW + timedelta(days=2, hours=1), "repair-done"))  # refers to none
    assert [r.id for r in st.open_repairs()] == [r1.id, r3.id]


def test_incomplete_repairs_are_not_listed_open(st: Store) -> None:
    st.save(make(hex_id(1), NOW, "repair", complete=False))
    assert st.open_repairs() == []


def test_done_before_the_repair_still_closes_it(st: Store) -> None:
    # two machines syncing may see the follow-up first; the order of files must not matter
    st.save(make(hex_id(9), NOW - timedelta(days=1), "repair-done", refers_to=hex_id(1)))
    st.save(make(hex_id(1), NOW, "repair"))
    assert st.open_repairs() == []


def test_mark_done_writes_a_follow_up_entry(st: Store) -> None:
    st.save(make(hex_id(1), NOW, "repair"))
    done, path = repairs.mark_done(st, "00000000", note="  we talked  ", now=lambda: NOW)
    assert done.refers_to == hex_id(1)
    assert [a.answer for a in done.answers] == ["we talked"]
    VALIDATOR.validate(json.loads(path.read_text()))
    assert st.open_repairs() == []


def test_mark_done_on_an_incomplete_repair_does_not_claim_it_was_done(st: Store) -> None:
    st.save(make(hex_id(1), NOW, "repair", complete=False))
    try:
        repairs.mark_done(st, hex_id(1), note=None, now=lambda: NOW)
    except UsageError as exc:
        assert "already marked done" not in exc.message


# migrations


def test_migrate_current_version_is_unchanged() -> None:
    data = entry_dict()
    assert migrate(dict(data)) == data


@pytest.mark.planted  # writes broken or unusual entry files on purpose
def test_migrate_from_version_0_with_a_registered_step(
    st: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def zero_to_one(data: dict[str, Any]) -> dict[str, Any]:
        calls.append(data["schema_version"])
        out = {k: v for k, v in data.items() if k != "when"}
        out["created_at"] = data["when"]
        out["schema_version"] = 1
        return out

    monkeypatch.setattr(store, "MIGRATIONS", {**store.MIGRATIONS, 0: zero_to_one})
    old = {k: v for k, v in entry_dict().items() if k != "created_at"}
    old.update(schema_version=0, when="2026-11-25T20:30:00-05:00")
    assert migrate(dict(old))["created_at"] == "2026-11-25T20:30:00-05:00"
    assert calls == [0]
    assert migrate(dict(old))["schema_version"] == SCHEMA_VERSION

    # on disk: read through the migration, never rewritten
    month = st.root / "2026" / "11"
    month.mkdir(parents=True)
    path = month / "20261126T013000Z-fedcba9876543210.json"
    raw = json.dumps(old).encode()
    path.write_bytes(raw)
    [entry] = list(st.entries())
    assert entry.created_at == NOW
    assert entry.schema_version == SCHEMA_VERSION
    assert path.read_bytes() == raw


def test_migrations_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    def step(to: int) -> Any:
        def run(data: dict[str, Any]) -> dict[str, Any]:
            return {**data, "schema_version": to, "trail": [*data.get("trail", []), to]}

        return run

    monkeypatch.setattr(store, "MIGRATIONS", {v: step(v + 1) for v in range(-1, SCHEMA_VERSION)})
    out = migrate({"schema_version": -1})
    assert out == {"schema_version": SCHEMA_VERSION, "trail": list(range(SCHEMA_VERSION + 1))}


def test_version_1_becomes_version_2_written_when_it_began(st: Store) -> None:
    """Version 2 only adds written_at (filled in later); a version-1 entry keeps every
    field and reads as written when it began."""
    old = dict(entry_dict(), schema_version=1)
    new = migrate(dict(old))
    assert new == {**old, "schema_version": 2}
    assert "written_at" not in new
    entry = Entry.from_json(new)
    assert entry.written_at is None and not entry.filled_in_later


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"schema_version": 0}, "no migration from schema 0"),
        ({}, "schema_version is missing or not a whole number"),
        ({"schema_version": "1"}, "schema_version is missing or not a whole number"),
        ({"schema_version": True}, "schema_version is missing or not a whole number"),
        ({"schema_version": 1.0}, "schema_version is missing or not a whole number"),
        ({"schema_version": SCHEMA_VERSION + 1}, "written by a newer attune"),
    ],
)
def test_migrate_refuses(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        migrate(data)


@pytest.mark.parametrize("year", [1, 999, 9999])
def test_a_year_before_1000_or_far_ahead_still_makes_an_entry_file_name(
    tmp_path: Path, year: int
) -> None:
    """strftime("%Y") does not pad years before 1000; a name without 8 digits is not an entry."""
    st = Store(tmp_path / "data")
    when = datetime(year, 6, 1, 12, 0, tzinfo=UTC)
    path = st.save(Entry("0123456789abcdef", when, "slow-down", [Answer("note", "text", "Q", "x")]))
    assert path.name == f"{year:04d}0601T120000Z-0123456789abcdef.json"
    assert path.parent == st.root / f"{year:04d}" / "06"
    assert [e.created_at for e in st.entries()] == [when]
