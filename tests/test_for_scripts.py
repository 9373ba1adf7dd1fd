"""Forms for scripts (issue 16, part 7): `-o -` is stdout, `--dry-run` changes nothing,
`--json` where a script needs to know what happened."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import entry_files, load_entries

ATTUNE = Path(sys.executable).with_name("attune")


def _two(cli: Any) -> list[str]:
    ids = []
    for feeling in ("calm", "tired"):
        r = cli("slow-down", "--feeling", feeling, "--intensity", "2", "--json")
        assert r.exit_code == 0, r.stderr
        ids.append(json.loads(r.stdout)["id"])
    return ids


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_dash_o_dash_is_stdout(cli: Any, data_dir: Path, tmp_path: Path, monkeypatch: Any) -> None:
    _two(cli)
    monkeypatch.chdir(tmp_path)
    r = cli("export", "--format", "jsonl", "-o", "-")
    assert r.exit_code == 0, r.stderr
    assert len(r.stdout.splitlines()) == 2
    assert not (tmp_path / "-").exists()  # no file called "-"


def test_forget_dry_run_deletes_nothing_and_says_what(cli: Any, data_dir: Path) -> None:
    ids = _two(cli)
    before = _tree(data_dir)
    r = cli("forget", "--id", ids[0], "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Would forget 1 entry:\n")
    assert ids[0] in r.stdout
    assert _tree(data_dir) == before
    r = cli("forget", "--all", "--dry-run", "--json")
    assert r.exit_code == 0, r.stderr
    said = json.loads(r.stdout)
    assert said["dry_run"] is True and said["files_deleted"] is None
    assert len(said["entries"]) == 2
    assert _tree(data_dir) == before


def test_forget_json_says_what_went(cli: Any, data_dir: Path) -> None:
    ids = _two(cli)
    r = cli("forget", "--id", ids[1], "--yes", "--json")
    assert r.exit_code == 0, r.stderr
    said = json.loads(r.stdout)
    assert said["dry_run"] is False and said["files_deleted"] >= 1
    assert [Path(p).name.endswith(f"{ids[1]}.json") for p in said["entries"]] == [True]
    assert [e["id"] for e in load_entries(data_dir)] == [ids[0]]
    r = cli("forget", "--id", "ffffffff", "--json")
    assert (r.exit_code, r.stdout) == (1, "")  # an unknown id stays an error, one line
    assert r.stderr == "attune: no entry with an id starting 'ffffffff'\n"
    r = cli("forget", "--before", "2000-01-01", "--json")  # nothing chosen
    assert r.exit_code == 0 and json.loads(r.stdout)["entries"] == []


def test_import_dry_run_checks_everything_and_writes_nothing(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    _two(cli)
    export = tmp_path / "all.jsonl"
    assert cli("export", "--format", "jsonl", "-o", str(export)).exit_code == 0
    records = [json.loads(line) for line in export.read_text().splitlines()]
    new = dict(records[0], id="0123456789abcdef")
    export.write_text("\n".join(json.dumps(x) for x in [*records, new]) + "\n")
    before = _tree(data_dir)
    r = cli("import", str(export), "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "would add 1, already present 2, invalid 0\n"
    assert _tree(data_dir) == before
    r = cli("import", str(export), "--dry-run", "--json")
    said = json.loads(r.stdout)
    assert (said["added"], said["written"], said["dry_run"]) == (1, False, True)
    assert _tree(data_dir) == before
    r = cli("import", str(export))
    assert r.stdout == "added 1, already present 2, invalid 0\n"
    assert len(entry_files(data_dir)) == 3


def test_repair_done_json_is_the_follow_up_entry(cli: Any, data_dir: Path) -> None:
    r = cli(
        "repair", "--context", "friend", "--what", "I was late", "--their-feeling", "hurt", "--json"
    )
    repair_id = json.loads(r.stdout)["id"]
    r = cli("repair", "done", repair_id[:6], "--note", "we talked", "--json")
    assert r.exit_code == 0, r.stderr
    done = json.loads(r.stdout)
    assert done["practice"] == "repair-done" and done["refers_to"] == repair_id
    assert done in load_entries(data_dir)


def test_doctor_fix_dry_run_mends_nothing(cli: Any, data_dir: Path) -> None:
    _two(cli)
    [one] = entry_files(data_dir)[:1]
    one.chmod(0o644)  # loose: doctor --fix would tighten it
    r = cli("doctor", "--fix", "--dry-run")
    assert "would " in r.stderr and str(one.name) in r.stderr
    assert one.stat().st_mode & 0o777 == 0o644
    assert r.exit_code == 1  # it still needs attention


PLANTED = "a\ttab, a\nnewline and \x1b[31mred"


def _planted(cli: Any) -> tuple[str, str]:
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2", "--note", PLANTED, "--json")
    one = json.loads(r.stdout)["id"]
    r = cli("repair", "--context", "friend", "--what", PLANTED, "--their-feeling", "hurt", "--json")
    return one, json.loads(r.stdout)["id"]


def _one_line_each(out: str, n: int, fields: int) -> list[list[str]]:
    lines = out.splitlines()
    assert len(lines) == n, out
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == fields for r in rows), rows
    assert "\x1b" not in out
    return rows


@pytest.mark.parametrize("way", ["in process", "quick path"])
def test_history_plain_is_one_entry_a_line(cli: Any, data_dir: Path, way: str) -> None:
    one, repair = _planted(cli)
    if way == "in process":
        out = cli("history", "--plain").stdout
    else:
        r = subprocess.run(
            [str(ATTUNE), "history", "--plain"], capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 0, r.stderr
        out = r.stdout
    rows = _one_line_each(out, 2, 6)  # the sixth: when it was written, if filled in later
    assert {r[1] for r in rows} == {repair, one}  # one clock: the same moment, either order
    assert all(r[0] == "2026-11-25T20:30:00-05:00" for r in rows)  # ISO 8601
    assert [r[2:4] for r in rows if r[1] == one] == [["slow-down", "yes"]]
    assert [r[5] for r in rows] == ["", ""]


@pytest.mark.parametrize("way", ["in process", "quick path"])
def test_search_plain_is_one_match_a_line(cli: Any, data_dir: Path, way: str) -> None:
    one, repair = _planted(cli)
    if way == "in process":
        out = cli("search", "newline", "--plain").stdout
    else:
        r = subprocess.run(
            [str(ATTUNE), "search", "newline", "--plain"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        out = r.stdout
    rows = _one_line_each(out, 3, 5)  # the note, what happened, and the drafted message
    assert {(r[1], r[3]) for r in rows} == {(one, "note"), (repair, "what"), (repair, "message")}
    planted = "a\\ttab, a\\nnewline and \\x1b[31mred"
    assert [r[4] for r in rows if r[3] != "message"] == [planted, planted]


def test_repairs_plain_is_one_repair_a_line(cli: Any, data_dir: Path) -> None:
    _, repair = _planted(cli)
    rows = _one_line_each(cli("repairs", "--plain").stdout, 1, 5)
    assert rows[0][0] == repair and rows[0][3] == "friend"
    assert rows[0][2] == "2026-11-26"
