"""Entries that break the reading commands: odd file names, wrong shapes, edges of the calendar.

Every read command still answers: each bad file is named once on stderr (remind,
made for cron, stays silent), no traceback, and every good entry is still shown.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunecli.fsutil import shown
from attunecli.plain import Painter
from attunecli.views import heatmap

pytestmark = pytest.mark.planted

ROOT = Path(__file__).resolve().parent.parent
MONTH = ("2026", "11")


def good_checkin(n: int, note: str = "hello there") -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": f"{n:016x}",
        "created_at": f"2026-11-{20 + n % 5:02d}T10:00:00-05:00",
        "practice": "checkin",
        "complete": True,
        "answers": [
            {
                "id": "notice.feeling",
                "kind": "feeling",
                "question": "Which word?",
                "answer": "calm",
                "details": {"quadrant": "low-pleasant"},
            },
            {"id": "notice.intensity", "kind": "scale", "question": "How strong?", "answer": 3},
            {"id": "close.note", "kind": "text", "question": "One line?", "answer": note},
        ],
    }


def good_repair(n: int) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": f"{n:016x}",
        "created_at": "2026-11-22T09:00:00-05:00",
        "practice": "repair",
        "complete": True,
        "answers": [
            {"id": "context", "kind": "choice", "question": "Who?", "answer": "partner"},
            {"id": "what", "kind": "text", "question": "What?", "answer": "hello dishes"},
            {"id": "follow_up", "kind": "date", "question": "When?", "answer": "2026-11-24"},
        ],
    }


def name_for(n: int, stamp: str = "20261121T150000Z") -> str:
    return f"{stamp}-{n:016x}.json"


def plant(data_dir: Path, name: str | bytes, content: bytes | str) -> Path:
    month = data_dir / "entries" / MONTH[0] / MONTH[1]
    month.mkdir(parents=True, exist_ok=True)
    raw = content.encode("utf-8") if isinstance(content, str) else content
    where = os.fsencode(month) + b"/" + (name if isinstance(name, bytes) else name.encode())
    fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, raw)
    finally:
        os.close(fd)
    return Path(os.fsdecode(where))


def plant_good(data_dir: Path) -> list[str]:
    ids = []
    for n, entry in ((1, good_checkin(1)), (2, good_checkin(2)), (3, good_repair(3))):
        stamp = "202611" + f"{19 + n:02d}" + "T150000Z"
        plant(data_dir, name_for(n, stamp), json.dumps(entry))
        ids.append(entry["id"])
    return ids


def read_commands(good_id: str) -> list[tuple[str, ...]]:
    return [
        ("history",),
        ("history", "--json", "--last", "1000"),
        ("search", "hello"),
        ("insights",),
        ("insights", "--all"),
        ("insights", "--json", "--all"),
        ("repairs",),
        ("show", good_id),
        ("export", "--format", "json"),
        ("export", "--format", "csv"),
        ("export", "--format", "md"),
        ("remind",),
        ("remind", "--json"),
    ]


def check_all(cli: Any, good: list[str], bad: list[Path]) -> None:
    for args in read_commands(good[0]):
        r = cli(*args)
        where = " ".join(args)
        assert r.exit_code == 0, (where, r.exit_code, r.stderr)
        assert "Traceback" not in r.stdout + r.stderr, (where, r.stderr)
        for path in bad:
            named = r.stderr.count(shown(path))
            if args[0] == "remind":
                assert named == 0, (where, r.stderr)  # remind is made for cron: silent
            elif args[0] == "show":
                assert named <= 1, (where, r.stderr)  # show reads the one file it shows
            else:
                assert named == 1, (where, str(path), r.stderr)
            assert shown(path) not in r.stdout, where
        if args[:2] == ("history", "--json"):
            ids = {e["id"] for e in json.loads(r.stdout)}
            assert set(good) <= ids, (ids, r.stderr)
        if args[0] == "show":
            assert good[0][:8] in r.stdout


# 14: a name that is not UTF-8
@pytest.mark.parametrize("raw", [b"2026\xff.json", b"20261121T150000Z-\xff\x0a01.json"])
def test_a_file_name_that_is_not_utf8_is_named_once_and_skipped(
    cli: Any, data_dir: Path, raw: bytes
) -> None:
    good = plant_good(data_dir)
    bad = plant(data_dir, raw, b"{}")
    check_all(cli, good, [bad])
    check_all(cli, good, [bad])  # the second time the index is fresh: still named


# 15: valid JSON, wrong shape
def _with(change: Any) -> bytes:
    entry = good_checkin(9, "hello bad")
    change(entry)
    return json.dumps(entry).encode()


def _set(key: str, value: Any) -> Any:
    return lambda e: e.__setitem__(key, value)


def _answer(i: int, key: str, value: Any) -> Any:
    return lambda e: e["answers"][i].__setitem__(key, value)


def _guide(e: dict[str, Any]) -> None:
    e["answers"].append(
        {
            "id": "guide",
            "kind": "guide",
            "question": "Breathe",
            "answer": {"planned_seconds": 60, "seconds": "abc", "stopped_early": False},
        }
    )


DEEP = (
    b'{"schema_version": 1, "id": "0000000000000009", "created_at": "2026-11-21T10:00:00-05:00",'
    b' "practice": "checkin", "complete": true, "answers": '
    + b"[" * 200_000
    + b"]" * 200_000
    + b"}"
)
SHAPES: dict[str, bytes] = {
    "deep": DEEP,
    "id_null": _with(_set("id", None)),
    "practice_null": _with(_set("practice", None)),
    "question_null": _with(_answer(0, "question", None)),
    "id_list": _with(_set("id", ["a", "b"])),
    "refers_to_list": _with(_set("refers_to", ["0000000000000001"])),
    "answer_id_number": _with(_answer(0, "id", 7)),
    "guide_seconds": _with(_guide),
    "flags_not_objects": _with(_answer(2, "details", {"flags": ["advice", 3]})),
    "flags_a_string": _with(_answer(2, "details", {"flags": "advice"})),
    "practice_list": _with(_set("practice", ["checkin"])),
    "details_list": _with(_answer(0, "details", ["x"])),
    "answers_dict": _with(_set("answers", {"a": 1})),
    "answer_not_object": _with(lambda e: e["answers"].append("x")),
    "created_far_future": _with(_set("created_at", "9999-12-31T23:59:59-14:00")),
    "created_far_past": _with(_set("created_at", "0001-01-01T00:00:00+14:00")),
    "created_number": _with(_set("created_at", 20261121)),
    "complete_string": _with(_set("complete", "yes")),
    "intensity_string": _with(_answer(1, "answer", "3")),
    "nan": _with(_answer(1, "answer", float("nan"))),
}


@pytest.mark.parametrize("case", sorted(SHAPES))
def test_an_entry_of_the_wrong_shape_is_named_once_and_skipped(
    cli: Any, data_dir: Path, case: str
) -> None:
    good = plant_good(data_dir)
    bad = plant(data_dir, name_for(9), SHAPES[case])
    check_all(cli, good, [bad])
    r = cli("history")
    [line] = [x for x in r.stderr.splitlines() if shown(bad) in x]
    assert line.startswith("attune: warning: skipped "), line


def test_entries_at_the_edges_of_the_calendar_are_read(cli: Any, data_dir: Path) -> None:
    good = plant_good(data_dir)
    late = good_checkin(10)
    late["created_at"] = "9999-12-31T10:00:00+00:00"
    early = good_checkin(11)
    early["created_at"] = "0001-01-01T10:00:00+00:00"
    plant(data_dir, name_for(10, "99991231T100000Z"), json.dumps(late))
    plant(data_dir, name_for(11, "00010101T100000Z"), json.dumps(early))
    check_all(cli, [*good, late["id"], early["id"]], [])


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (date(9999, 12, 20), date.max),
        (date.max, date.max),
        (date.min, date(1, 1, 20)),
        (date.min, date.max),
    ],
)
def test_heatmap_does_not_overflow_at_the_ends_of_the_calendar(since: date, until: date) -> None:
    lines = heatmap({since, until}, since, until, Painter(False), 80)
    assert len(lines) >= 7
    assert "■" in "".join(lines)


# 17: unreadable entries, and widths that are no width
def test_history_warns_once_about_an_entry_it_can_no_longer_read(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = plant_good(data_dir)
    path = data_dir / "entries" / "2026" / "11" / name_for(1, "20261120T150000Z")
    assert path.exists()
    assert cli("history").exit_code == 0  # indexed while readable
    if os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads anything: what the kernel would say to anyone else
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode, **kw: False if Path(p) == path else real(p, mode, **kw)
        )
    try:
        r = cli("history")
        assert r.exit_code == 0
        assert r.stderr.count(shown(path)) == 1, r.stderr
        assert "22 Nov 2026 10:00" in r.stdout  # the others still show
        assert "21 Nov 2026" not in r.stdout
        assert len(good) == 3
    finally:
        path.chmod(0o600)


def _subprocess(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attunecli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("columns", ["0", "-5", "abc", "1", "19"])
def test_a_width_that_is_no_width_still_prints(
    data_dir: Path, columns: str, tmp_path: Path
) -> None:
    good = plant_good(data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTUNE_")}
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        env[f"ATTUNE_{name}_DIR"] = str(tmp_path / name.lower())
    env["COLUMNS"] = columns
    for args in (["show", good[0]], ["repairs"], ["feelings"], ["history"], ["insights"]):
        r = _subprocess(args, env)
        assert r.returncode == 0, (args, r.stderr)
        assert "Traceback" not in r.stderr
        assert len(r.stdout.strip().splitlines()) >= 2, (args, columns, r.stdout)


# 21 (part): random entries, good and bad
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
KINDS = ["text", "choice", "multi", "scale", "feeling", "feelings", "confirm", "date", "guide"]


@st.composite
def good_answers(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(KINDS))
    value: Any = {
        "text": TEXT,
        "choice": TEXT,
        "feeling": TEXT,
        "multi": st.lists(TEXT, max_size=3),
        "feelings": st.lists(TEXT, max_size=3),
        "scale": st.integers(0, 10),
        "confirm": st.booleans(),
        "date": st.dates().map(date.isoformat),
        "guide": st.fixed_dictionaries(
            {
                "planned_seconds": st.integers(0, 600),
                "seconds": st.integers(0, 600),
                "stopped_early": st.booleans(),
            }
        ),
    }[kind]
    aid = draw(st.sampled_from(["what", "context", "follow_up", "notice.feeling", "exercise"]))
    return {"id": aid, "kind": kind, "question": draw(TEXT), "answer": draw(st.none() | value)}


PRACTICES = ["checkin", "slow-down", "reflect", "curious", "regulate", "repair", "repair-done"]


@st.composite
def good_entries(draw: Any, n: int) -> dict[str, Any]:
    practice = draw(st.sampled_from(PRACTICES))
    entry: dict[str, Any] = {
        "schema_version": 1,
        "id": f"{n:016x}",
        "created_at": f"2026-11-{draw(st.integers(1, 28)):02d}T12:00:00-05:00",
        "practice": practice,
        "complete": draw(st.booleans()),
        "answers": draw(st.lists(good_answers(), max_size=4)),
    }
    if practice == "repair-done":
        entry["refers_to"] = f"{draw(st.integers(1, 9)):016x}"
    return entry


@st.composite
def bad_entries(draw: Any, n: int) -> dict[str, Any]:
    entry = draw(good_entries(n))
    key = draw(
        st.sampled_from(["id", "created_at", "practice", "answers", "refers_to", "complete"])
    )
    value = draw(JSONISH.filter(lambda v: not isinstance(v, str | bool) and v not in (None, [])))
    if key == "answers" and isinstance(value, list) and entry["answers"]:
        entry["answers"][0][draw(st.sampled_from(["id", "kind", "question"]))] = value
    else:
        entry[key] = value
    return entry


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    goods=st.integers(1, 3).flatmap(
        lambda k: st.tuples(*[good_entries(n) for n in range(1, k + 1)])
    ),
    bads=st.integers(0, 2).flatmap(
        lambda k: st.tuples(*[bad_entries(n) for n in range(100, 100 + k)])
    ),
)
def test_random_entries_never_break_a_read_command(
    cli: Any, data_dir: Path, goods: tuple[dict[str, Any], ...], bads: tuple[dict[str, Any], ...]
) -> None:
    import shutil

    shutil.rmtree(data_dir / "entries", ignore_errors=True)
    good_ids = []
    for k, entry in enumerate(goods):
        plant(data_dir, name_for(k + 1, f"202611{k + 10:02d}T170000Z"), json.dumps(entry))
        good_ids.append(entry["id"])
    bad_paths = [
        plant(data_dir, name_for(100 + k, f"202611{k + 15:02d}T170000Z"), json.dumps(entry))
        for k, entry in enumerate(bads)
    ]
    check_all(cli, good_ids, bad_paths)
