"""`attune doctor`: names what needs attention, changes nothing unless asked, mends what is safe."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from attunecli.drafts import Draft, Drafts
from attunecli.models import Answer
from tests.conftest import NOW
from tests.test_bad_data import (
    EXTRA_ID,
    NAMED_BY_READERS,
    REASONS,
    count,
    plant_bad,
    seed_good,
    seed_store,
    snapshot,
)

KINDS = {"bad-file", "permissions", "temp-file", "index", "draft", "location"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def everything(attune_dirs: Path) -> dict[str, dict[str, Any]]:
    """A snapshot of all four folders attune keeps."""
    return {name: snapshot(attune_dirs / name) for name in ("data", "config", "state", "cache")}


def age_folders(data_dir: Path, seconds: float = 3600) -> None:
    """Make the entry folders look as if they last changed an hour ago."""
    then = time.time() - seconds
    for p in [
        data_dir / "entries",
        *(data_dir / "entries").glob("*"),
        *(data_dir / "entries").glob("*/*"),
    ]:
        if p.is_dir():
            os.utime(p, (then, then))


def build_index(cli: Any, data_dir: Path) -> Path:
    """The index as `attune remind` builds it, over folders that settled an hour ago."""
    age_folders(data_dir)
    r = cli("remind", "--json")
    assert r.exit_code == 0, r.stderr
    return data_dir.parent / "cache" / "index.sqlite3"


def index_ids(index: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM entries WHERE practice IS NOT NULL")}
    finally:
        conn.close()


def leave_draft(attune_dirs: Path, practice: str = "slow-down") -> Path:
    drafts = Drafts(attune_dirs / "state")
    draft = Draft(
        practice,
        False,
        NOW,
        [Answer("feeling", "feeling", "Which word comes closest to what you feel?", "uneasy")],
    )
    assert drafts.save(draft)
    return drafts.path(practice)


def findings(cli: Any, *args: str) -> tuple[Any, list[dict[str, Any]]]:
    r = cli("doctor", "--json", *args)
    return r, json.loads(r.stdout)["findings"]


def of_kind(found: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in found if f["kind"] == kind}


# a clean store


def test_nothing_at_all_looks_right(cli: Any, attune_dirs: Path) -> None:
    r = cli("doctor")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.endswith("Everything looks right.\n")
    assert "0 entries read" in r.stdout
    assert r.stderr == ""
    assert not (attune_dirs / "data").exists()  # looking created nothing
    assert not (attune_dirs / "cache").exists()


def test_a_clean_store_with_a_settled_index_looks_right(
    cli: Any, clock: Any, data_dir: Path
) -> None:
    seed_good(cli, clock, data_dir)
    build_index(cli, data_dir)
    r = cli("doctor")
    assert r.exit_code == 0, r.stdout
    assert "3 entries read" in r.stdout
    assert r.stdout.endswith("Everything looks right.\n")
    assert "!" not in r.stdout.replace("Everything looks right.", "")
    r, found = findings(cli)
    assert r.exit_code == 0
    assert found == []
    assert json.loads(r.stdout)["needs_attention"] is False


def test_a_store_attune_just_wrote_looks_right(cli: Any, clock: Any, data_dir: Path) -> None:
    seed_good(cli, clock, data_dir)
    r = cli("doctor")
    assert r.exit_code == 0
    assert "Everything looks right." in r.stdout


def test_a_freshly_built_index_is_not_called_behind(cli: Any, clock: Any, data_dir: Path) -> None:
    seed_good(cli, clock, data_dir)
    assert cli("remind", "--json").exit_code == 0  # builds the index right after the saves
    _, found = findings(cli)
    assert of_kind(found, "index") == {}, found


# naming things


@pytest.mark.planted
def test_every_bad_case_is_named_once_by_path_and_doctor_exits_1(
    cli: Any, clock: Any, data_dir: Path
) -> None:
    s = seed_store(cli, clock, data_dir)
    r = cli("doctor")
    assert r.exit_code == 1, r.stdout
    assert r.stderr == ""
    assert "Traceback" not in r.stdout
    assert "Everything looks right." not in r.stdout
    assert "4 entries read" in r.stdout  # three good ones and the one with extra fields
    for case in NAMED_BY_READERS:
        path = s.bad[case]
        assert count(r.stdout, path) == 1, (case, r.stdout)
        [line] = [x for x in r.stdout.splitlines() if str(path) in x]
        assert line.startswith(f"! {path}: "), line
        if case not in ("folder",):
            assert REASONS[case] in line, (case, line)
    [temp_line] = [x for x in r.stdout.splitlines() if str(s.bad["temp"]) in x]
    assert temp_line.startswith("! ") and "interrupted" in temp_line
    assert count(r.stdout, s.bad["extra_fields"]) == 0  # it is read, not a problem
    for good in s.good.values():
        assert count(r.stdout, good) == 0
    assert "a folder where an entry file should be" in r.stdout

    r, found = findings(cli)
    assert r.exit_code == 1
    bad = of_kind(found, "bad-file")
    assert set(bad) == {str(s.bad[c]) for c in NAMED_BY_READERS}
    assert all(f["attention"] and f["fix"] == "" for f in bad.values())  # never "fixed"
    assert set(of_kind(found, "temp-file")) == {str(s.bad["temp"])}
    assert of_kind(found, "permissions") == {}  # everything was planted 0600 / 0700


@pytest.mark.planted
def test_doctor_changes_nothing_without_fix(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path
) -> None:
    s = seed_good(cli, clock, data_dir)
    index = build_index(cli, data_dir)  # before the temp file: remind would sweep it
    plant_bad(s)
    s.good["slow-down"].chmod(0o644)
    s.month.chmod(0o755)
    index.write_bytes(b"\x00garbage, not SQLite\xff" * 10)
    index.chmod(0o644)
    leave_draft(attune_dirs)
    (attune_dirs / "config").mkdir(mode=0o755)
    (attune_dirs / "config" / "config.toml").write_text('attachment = "secure"\n')
    before = everything(attune_dirs)
    for args in (["doctor"], ["doctor", "--json"], ["doctor", "--fix"]):
        r = cli(*args)
        assert r.exit_code in (1, 2), (args, r.stderr)
        assert everything(attune_dirs) == before, args
    assert [p for p in before["data"] if ".attune-tmp-" in p]  # the temp file was there all along


@pytest.mark.planted
def test_fix_without_a_terminal_or_yes_exits_2_and_changes_nothing(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path
) -> None:
    s = seed_store(cli, clock, data_dir)
    s.good["checkin"].chmod(0o644)
    before = everything(attune_dirs)
    r = cli("doctor", "--fix")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith("attune: ") and "--yes" in r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert everything(attune_dirs) == before
    assert mode(s.good["checkin"]) == 0o644 and s.bad["temp"].exists()


def test_fix_at_a_terminal_asks_first_and_no_changes_nothing(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path
) -> None:
    s = seed_good(cli, clock, data_dir)
    s.good["checkin"].chmod(0o644)
    before = everything(attune_dirs)
    r = cli("doctor", "--fix", interactive=True, stdin="n\n")
    assert r.exit_code == 1
    assert "Mend 2 things" in r.stderr  # the loose file, and the index to build
    assert "Nothing was changed." in r.stderr
    assert everything(attune_dirs) == before
    r = cli("doctor", "--fix", interactive=True, stdin="y\n")
    assert r.exit_code == 0, r.stderr
    assert mode(s.good["checkin"]) == 0o600


# permissions


def test_loose_permissions_are_named(cli: Any, clock: Any, data_dir: Path) -> None:
    s = seed_good(cli, clock, data_dir)
    entry, month = s.good["slow-down"], s.month
    entry.chmod(0o644)
    month.chmod(0o755)
    r = cli("doctor")
    assert r.exit_code == 1
    assert f"! {entry}: readable by others (mode 644; attune keeps 600)" in r.stdout
    assert f"! {month}: readable by others (mode 755; attune keeps 700)" in r.stdout
    r, found = findings(cli)
    perms = of_kind(found, "permissions")
    assert set(perms) == {str(entry), str(month)}
    assert perms[str(entry)]["fix"] == "chmod 600"
    assert perms[str(month)]["fix"] == "chmod 700"
    assert all(f["attention"] for f in perms.values())


@pytest.mark.parametrize("loose", ["data", "state", "cache", "config", "config_file", "draft"])
def test_loose_permissions_anywhere_attune_keeps_things(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path, loose: str
) -> None:
    seed_good(cli, clock, data_dir)
    build_index(cli, data_dir)
    assert cli("config", "set", "attachment", "secure").exit_code == 0
    draft = leave_draft(attune_dirs)
    target = {
        "data": data_dir,
        "state": attune_dirs / "state",
        "cache": attune_dirs / "cache",
        "config": attune_dirs / "config",
        "config_file": attune_dirs / "config" / "config.toml",
        "draft": draft,
    }[loose]
    target.chmod(0o755 if target.is_dir() else 0o644)
    r, found = findings(cli)
    assert r.exit_code == 1
    assert set(of_kind(found, "permissions")) == {str(target)}
    assert cli("doctor", "--fix", "--yes").exit_code == 0
    assert mode(target) == (0o700 if target.is_dir() else 0o600)


# the index


def test_a_stale_index_is_named(cli: Any, clock: Any, data_dir: Path) -> None:
    s = seed_good(cli, clock, data_dir)
    index = build_index(cli, data_dir)
    _, found = findings(cli)
    assert of_kind(found, "index") == {}
    # someone adds an entry file by hand (or a sync tool brings one)
    data = json.loads(s.good["slow-down"].read_bytes())
    data["id"] = "abcdef0123456789"
    by_hand = s.month / "20261101T120000Z-abcdef0123456789.json"
    by_hand.write_text(json.dumps(data))
    by_hand.chmod(0o600)
    r = cli("doctor")
    assert r.exit_code == 0  # stale is not wrong: it catches up by itself
    assert f"- {index}: behind the entry files" in r.stdout
    _, found = findings(cli)
    [stale] = of_kind(found, "index").values()
    assert stale["attention"] is False and stale["fix"] == "refresh it"
    assert "abcdef0123456789" not in index_ids(index)
    assert cli("doctor", "--fix", "--yes").exit_code == 0
    assert "abcdef0123456789" in index_ids(index)


def test_a_damaged_index_is_named_and_rebuilt(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path
) -> None:
    s = seed_good(cli, clock, data_dir)
    index = build_index(cli, data_dir)
    index.write_bytes(b"SQLite format 3\x00" + os.urandom(2000))
    r = cli("doctor")
    assert r.exit_code == 1
    [line] = [x for x in r.stdout.splitlines() if str(index) in x]
    assert line.startswith(f"! {index}: damaged")
    assert "safe to rebuild" in line
    _, found = findings(cli)
    [damaged] = of_kind(found, "index").values()
    assert damaged["attention"] is True and damaged["fix"] == "rebuild it"
    entries_before = snapshot(data_dir)
    r = cli("doctor", "--fix", "--yes")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert f"rebuilt {index}" in r.stderr
    assert index_ids(index) == set(s.ids.values())
    assert mode(index) == 0o600
    assert snapshot(data_dir) == entries_before


def test_an_index_from_another_version_is_informational(
    cli: Any, clock: Any, data_dir: Path
) -> None:
    seed_good(cli, clock, data_dir)
    index = build_index(cli, data_dir)
    conn = sqlite3.connect(index)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    conn.commit()
    conn.close()
    r, found = findings(cli)
    assert r.exit_code == 0
    [old] = of_kind(found, "index").values()
    assert old["attention"] is False and old["fix"] == "rebuild it"


# drafts


def test_a_draft_left_behind_is_named_with_how_to_resume(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path
) -> None:
    seed_good(cli, clock, data_dir)
    build_index(cli, data_dir)
    draft = leave_draft(attune_dirs)
    r = cli("doctor")
    assert r.exit_code == 0  # an unfinished practice is not a fault
    [line] = [x for x in r.stdout.splitlines() if str(draft) in x]
    assert line.startswith(f"- {draft}: an unfinished slow-down (1 answer, started ")
    assert "`attune slow-down --resume`" in line
    _, found = findings(cli)
    assert set(of_kind(found, "draft")) == {str(draft)}
    # doctor --fix leaves drafts alone: they are the user's words
    before = draft.read_bytes()
    assert cli("doctor", "--fix", "--yes").exit_code == 0
    assert draft.read_bytes() == before


def test_an_unreadable_draft_needs_attention(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path
) -> None:
    seed_good(cli, clock, data_dir)
    build_index(cli, data_dir)
    drafts = attune_dirs / "state" / "drafts"
    drafts.mkdir(mode=0o700)
    broken = drafts / "reflect.json"
    broken.write_bytes(b'{"draft_version": 1, "practice": "refl')
    broken.chmod(0o600)
    r = cli("doctor")
    assert r.exit_code == 1
    assert f"! {broken}: a draft attune cannot read; it is left as it is" in r.stdout
    assert cli("doctor", "--fix", "--yes").exit_code == 1
    assert broken.read_bytes() == b'{"draft_version": 1, "practice": "refl'


# where things live, and --json


def test_doctor_says_where_each_thing_lives(cli: Any, attune_dirs: Path) -> None:
    r = cli("doctor")
    lines = r.stdout.splitlines()
    expected = {
        "data": attune_dirs / "data",
        "entries": attune_dirs / "data" / "entries",
        "config": attune_dirs / "config" / "config.toml",
        "state": attune_dirs / "state",
        "cache": attune_dirs / "cache",
    }
    for (name, where), line in zip(expected.items(), lines, strict=False):
        assert line.split() == [name, str(where)]
    report = json.loads(cli("doctor", "--json").stdout)
    assert report["locations"] == {k: str(v) for k, v in expected.items()}


@pytest.mark.planted
def test_json_structure(cli: Any, clock: Any, data_dir: Path, attune_dirs: Path) -> None:
    s = seed_store(cli, clock, data_dir)
    s.good["repair"].chmod(0o640)
    leave_draft(attune_dirs)
    r = cli("doctor", "--json")
    assert r.exit_code == 1
    assert r.stderr == ""
    report = json.loads(r.stdout)
    assert set(report) == {"locations", "entries_read", "needs_attention", "findings"}
    assert report["entries_read"] == 4
    assert report["needs_attention"] is True
    assert set(report["locations"]) == {"data", "entries", "config", "state", "cache"}
    for f in report["findings"]:
        assert set(f) == {"kind", "path", "message", "attention", "fix"}
        assert f["kind"] in KINDS
        assert isinstance(f["path"], str) and Path(f["path"]).is_absolute()
        assert isinstance(f["message"], str) and f["message"] and "\n" not in f["message"]
        assert isinstance(f["attention"], bool)
        assert isinstance(f["fix"], str)
    kinds = {f["kind"] for f in report["findings"]}
    assert {"bad-file", "permissions", "temp-file", "index", "draft"} <= kinds
    paths = [f["path"] for f in report["findings"] if f["kind"] != "permissions"]
    assert len(paths) == len(set(paths))  # each thing once


# --fix --yes


@pytest.mark.planted
def test_fix_yes_mends_only_what_is_safe(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path
) -> None:
    s = seed_good(cli, clock, data_dir)
    index = build_index(cli, data_dir)  # before the temp file: remind would sweep it
    plant_bad(s)
    index.write_bytes(b"not a database at all" * 50)
    s.good["slow-down"].chmod(0o644)
    s.bad["truncated"].chmod(0o664)  # a bad file's mode is mended, its bytes are not
    s.month.chmod(0o755)
    alive = s.month / f".attune-tmp-{os.getpid()}-writing"  # a save running right now
    alive.write_bytes(b"{")
    alive.chmod(0o600)
    draft = leave_draft(attune_dirs)
    contents = {
        p: p.read_bytes()
        for p in s.month.iterdir()
        if p.is_file() and p.name != s.bad["temp"].name and p.stat().st_size < 2**20
    }
    r = cli("doctor", "--fix", "--yes")
    assert r.exit_code == 1, r.stderr  # the bad files still need the user
    assert "Traceback" not in r.stdout + r.stderr
    said = r.stderr.splitlines()
    assert f"chmod 600 {s.good['slow-down']}" in said
    assert f"chmod 600 {s.bad['truncated']}" in said
    assert f"chmod 700 {s.month}" in said
    assert f"deleted {s.bad['temp']}" in said
    assert f"rebuilt {index}" in said
    # permissions mended
    assert mode(s.good["slow-down"]) == 0o600
    assert mode(s.bad["truncated"]) == 0o600
    assert mode(s.month) == 0o700
    # only the stray temp file went; the one a live writer owns stays
    assert not s.bad["temp"].exists()
    assert alive.exists()
    for case, path in s.bad.items():
        if case != "temp":
            assert path.exists(), case
    assert s.bad["huge"].stat().st_size == 50 * 1024 * 1024
    # no entry's content changed, bad or good
    assert {p: p.read_bytes() for p in contents} == contents
    assert draft.exists()
    # the index is rebuilt and holds every readable entry
    assert index_ids(index) == {*s.ids.values(), EXTRA_ID}
    # afterwards only what the user must decide is left
    r, found = findings(cli)
    assert {f["kind"] for f in found if f["attention"]} == {"bad-file"}
    assert set(of_kind(found, "bad-file")) == {str(s.bad[c]) for c in NAMED_BY_READERS}
    alive.unlink()


def test_fix_yes_on_a_clean_store_asks_nothing_and_exits_0(
    cli: Any, clock: Any, data_dir: Path, attune_dirs: Path
) -> None:
    seed_good(cli, clock, data_dir)
    build_index(cli, data_dir)
    before = everything(attune_dirs)
    r = cli("doctor", "--fix")  # nothing to mend: no question, no --yes needed
    assert r.exit_code == 0, r.stderr
    assert r.stdout.endswith("Everything looks right.\n")
    assert everything(attune_dirs) == before


@pytest.mark.planted
def test_fix_never_follows_a_symlink_out_of_the_store(
    cli: Any, clock: Any, data_dir: Path, tmp_path: Path
) -> None:
    s = seed_good(cli, clock, data_dir)
    outside = tmp_path / "elsewhere" / "mine.txt"
    outside.parent.mkdir()
    outside.write_text("not attune's")
    outside.chmod(0o644)
    link = s.month / "20261120T010000Z-00000000000000aa.json"
    link.symlink_to(outside)
    cli("doctor", "--fix", "--yes")
    assert mode(outside) == 0o644
    assert outside.read_text() == "not attune's"


def test_fix_reports_what_it_could_not_mend(
    cli: Any, clock: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = seed_good(cli, clock, data_dir)
    build_index(cli, data_dir)
    s.good["repair"].chmod(0o644)

    def refuse(self: Path, mode: int, **kw: Any) -> None:
        raise PermissionError(1, "Operation not permitted", str(self))

    monkeypatch.setattr(Path, "chmod", refuse)
    r = cli("doctor", "--fix", "--yes")
    assert r.exit_code == 1
    assert f"could not mend {s.good['repair']}: Operation not permitted" in r.stderr
    assert "Traceback" not in r.stdout + r.stderr
