"""Output hardening: text from a file never reaches the terminal raw, and one id in
two files is still addressable (every copy is shown, forgotten, named)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import entry_files

EVIL = "\x1b[31mX\x1b]0;T\x07"
CR = "a\rb"  # a lone carriage return
KINDS = {list: "multi", int: "scale", str: "text"}  # anything else: a kind no one knows
RAW = re.compile(r"[\x1b\x07]|\r(?!\n)")


def _answers(extra: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for aid, value in extra:
        out.append(
            {
                "id": aid,
                "kind": KINDS.get(type(value), EVIL),
                "question": EVIL + " " + CR,
                "answer": value,
                "details": {"note": EVIL, "other": CR, "alternative": EVIL, "draft": CR},
            }
        )
    return out


def _flags() -> dict[str, Any]:
    return {
        "id": "reply",
        "kind": "reply",
        "question": EVIL,
        "answer": EVIL,
        "details": {
            "flags": [
                {"kind": EVIL, "note": EVIL + CR},
                {"kind": "advice", "note": CR, "phrase": EVIL},
            ],
            "alternative": EVIL,
            "draft": CR,
        },
    }


def plant(data_dir: Path, name_id: str, hour: int, record: dict[str, Any]) -> Path:
    month = data_dir / "entries" / "2026" / "11"
    month.mkdir(parents=True, exist_ok=True)
    path = month / f"20261124T{hour:02d}0000Z-{name_id}.json"
    base = {
        "schema_version": 1,
        "id": name_id,
        "created_at": f"2026-11-24T{hour:02d}:00:00+00:00",
        "complete": True,
        "app_version": EVIL + CR,
    }
    path.write_text(json.dumps({**base, **record}), encoding="utf-8")
    return path


def plant_evil(data_dir: Path) -> dict[str, str]:
    """Entries whose every string holds escape sequences and a lone CR; name id -> practice."""
    evil_list = [EVIL, CR]
    plants = {
        # every string field, the id, practice and refers_to included
        "e0000000000000a1": {
            "id": EVIL + CR,
            "practice": EVIL + CR,
            "refers_to": EVIL + CR,
            "answers": [*_answers([("feeling", EVIL), ("note", evil_list)]), _flags()],
        },
        # the same, but the id a hex one so `show` and `export` reach it by name
        "e0000000000000a2": {
            "practice": EVIL + CR,
            "refers_to": EVIL + CR,
            "answers": [*_answers([("feeling", EVIL + CR), ("trigger", evil_list)]), _flags()],
        },
        "e0000000000000a3": {
            "practice": "repair",
            "answers": _answers(
                [("context", EVIL + CR), ("what", EVIL + CR), ("follow_up", EVIL + CR)]
            ),
        },
        "e0000000000000a4": {
            "practice": "regulate",
            "answers": _answers(
                [("exercise", EVIL + CR), ("arousal_before", 6), ("arousal_after", 3)]
            ),
        },
        "e0000000000000a5": {
            "practice": "slow-down",
            "answers": _answers(
                [("feeling", EVIL + CR), ("intensity", 5), ("body", evil_list), ("note", EVIL)]
            ),
        },
        "e0000000000000a6": {
            "practice": "repair-done",
            "refers_to": EVIL + CR,
            "answers": [*_answers([("outcome", EVIL + CR)]), _flags()],
        },
        "e0000000000000a7": {
            "practice": "checkin",
            "answers": [*_answers([("feeling", EVIL), ("intensity", 4), ("note", CR)]), _flags()],
        },
    }
    for i, (name_id, record) in enumerate(plants.items()):
        plant(data_dir, name_id, 10 + i, record)
    return {k: str(v["practice"]) for k, v in plants.items()}


READS = [
    ("history", "--last", "50"),
    ("history", "--last", "50", "--json"),
    ("search", "X"),
    ("search", "X", "--json"),
    ("insights",),
    ("insights", "--all"),
    ("insights", "--all", "--json"),
    ("repairs",),
    ("repairs", "--json"),
    ("export", "--format", "json"),
    ("export", "--format", "jsonl"),
    ("export", "--format", "md"),
    ("remind",),
    ("doctor",),
]


@pytest.mark.planted
def test_no_raw_control_characters_reach_the_terminal(cli: Any, data_dir: Path) -> None:
    practices = plant_evil(data_dir)
    commands: list[tuple[str, ...]] = list(READS)
    for name_id in practices:
        commands += [("show", name_id), ("show", name_id, "--json")]
    shown_ids = set()
    leaks = []
    for args in commands:
        r = cli(*args)
        for stream, text in (("stdout", r.stdout), ("stderr", r.stderr)):
            bad = RAW.search(text)
            if bad is not None:
                leaks.append(f"{args} {stream}: raw {bad.group()!r} in {text!r}")
        if "--json" in args or args[-1] in ("json", "jsonl"):
            # JSON escapes them instead, and the values come back whole.
            for line in r.stdout.splitlines():
                if line.strip():
                    json.loads(line) if args[-1] == "jsonl" else None
            if r.stdout.strip():
                assert "\\u001b" in r.stdout or args[0] in ("insights", "search"), args
        if args[0] == "show" and "--json" not in args and r.exit_code == 0:
            shown_ids.add(args[1])
            assert "\\x1b" in r.stdout, args  # shown, as visible codes
    assert not leaks, "\n".join(leaks)
    # Everything but the entry whose own id is not an id can be shown.
    assert shown_ids >= set(practices) - {"e0000000000000a1"}
    md = cli("export", "--format", "md").stdout
    assert "\\x1b" in md and "\\x0d" in md


@pytest.mark.planted
def test_show_and_repairs_make_each_field_visible(cli: Any, data_dir: Path) -> None:
    plant_evil(data_dir)
    show = cli("show", "e0000000000000a2")
    assert show.exit_code == 0, show.stderr
    # practice label, refers_to and each flag's kind and note are all shown literally
    assert show.stdout.count("\\x1b") >= 6
    assert "\\x0d" in show.stdout
    repairs = cli("repairs")
    assert repairs.exit_code == 0, repairs.stderr
    assert "\\x1b[31mX" in repairs.stdout  # context and follow-up, visibly
    assert RAW.search(repairs.stdout) is None


@pytest.mark.planted
def test_csv_export_shows_no_raw_control_characters(cli: Any, data_dir: Path) -> None:
    plant_evil(data_dir)
    r = cli("export", "--format", "csv")
    assert RAW.search(r.stdout.replace("\r\n", "\n")) is None


# one id in two files

DUP = "d0000000000000b1"


def plant_twice(data_dir: Path, practice: str = "repair") -> tuple[Path, Path]:
    """The same entry (one id) in two files, as a sync tool's copy or a restore leaves it."""
    answers = [
        {"id": "context", "kind": "choice", "question": "With whom?", "answer": "partner"},
        {"id": "what", "kind": "text", "question": "What happened?", "answer": "copy words"},
    ]
    record = {"practice": practice, "answers": answers}
    first = plant(data_dir, DUP, 10, {**record, "app_version": "0.1.0"})
    second = plant(data_dir, DUP, 11, {**record, "app_version": "0.1.0"})
    second.write_text(
        second.read_text(encoding="utf-8").replace("copy words", "second words"), encoding="utf-8"
    )
    for path in (first, second):
        path.chmod(0o600)
    for folder in (first.parent, first.parent.parent, data_dir / "entries", data_dir):
        folder.chmod(0o700)
    return first, second


def test_forget_all_removes_every_copy(cli: Any, data_dir: Path) -> None:
    plant_twice(data_dir)
    r = cli("forget", "--all", "--yes")
    assert r.exit_code == 0, r.stderr
    assert "Forgot 2 entries" in r.stdout
    assert entry_files(data_dir) == []
    history = cli("history")
    assert "words" not in history.stdout


def test_show_a_duplicated_id_shows_each_file(cli: Any, data_dir: Path) -> None:
    first, second = plant_twice(data_dir)
    r = cli("show", DUP)
    assert r.exit_code == 0, r.stderr
    assert "is in 2 files" in r.stdout
    assert first.name in r.stdout and second.name in r.stdout
    assert "copy words" in r.stdout and "second words" in r.stdout
    # --json wants one: it names both files, and the file name picks one
    j = cli("show", DUP[:6], "--json")
    assert j.exit_code == 2
    assert first.name in j.stderr and second.name in j.stderr
    for path in (first, second):
        one = cli("show", path.name, "--json")
        assert one.exit_code == 0, one.stderr
        assert json.loads(one.stdout) == json.loads(path.read_text(encoding="utf-8"))
        text = cli("show", path.name.removesuffix(".json"))
        assert text.exit_code == 0 and "is in 2 files" not in text.stdout


def test_forget_id_forgets_every_copy_after_saying_so(cli: Any, data_dir: Path) -> None:
    plant_twice(data_dir)
    ask = cli("forget", "--id", DUP)  # no terminal, no --yes: says what it would do
    assert ask.exit_code != 0 or "--yes" in ask.stderr
    assert f"2 entries (id {DUP} is in 2 files" in ask.stderr
    assert len(entry_files(data_dir)) == 2
    r = cli("forget", "--id", DUP, "--yes")
    assert r.exit_code == 0, r.stderr
    assert "Forgot 2 entries" in r.stdout
    assert entry_files(data_dir) == []


def test_repair_done_on_a_duplicated_id_asks_for_the_file(cli: Any, data_dir: Path) -> None:
    first, second = plant_twice(data_dir)
    r = cli("repair", "done", DUP)
    assert r.exit_code == 2
    assert first.name in r.stderr and second.name in r.stderr and "file name" in r.stderr
    assert len(entry_files(data_dir)) == 2
    ok = cli("repair", "done", first.name)
    assert ok.exit_code == 0, ok.stderr
    assert "Closed repair d0000000" in ok.stdout
    assert cli("repairs", "--json").stdout.strip() == "[]"  # the id is closed, in both files


def test_doctor_names_a_duplicated_id(cli: Any, data_dir: Path) -> None:
    first, second = plant_twice(data_dir)
    r = cli("doctor")
    assert DUP in r.stdout and first.name in r.stdout and second.name in r.stdout
