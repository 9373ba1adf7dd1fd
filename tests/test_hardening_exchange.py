"""Export and import under hostile data: whole-string ids and dates, calendar edges,
the user's own folders, and text that would run in a spreadsheet or render as Markdown."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunecli import exchange
from attunecli.errors import AttuneError
from attunecli.models import Answer, Entry
from attunecli.plain import literal
from attunecli.store import Store
from tests.conftest import NOW, ROOT, SCHEMA, entry_files, load_entries

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def record(n: int = 1, **changes: Any) -> dict[str, Any]:
    """A valid export record; `changes` replace its fields."""
    rec: dict[str, Any] = {
        "schema_version": 1,
        "id": f"{n:016x}",
        "created_at": (NOW - timedelta(days=n)).isoformat(timespec="seconds"),
        "practice": "checkin",
        "complete": True,
        "answers": [
            {"id": "notice.feeling", "kind": "feeling", "question": "Which?", "answer": "calm"},
            {"id": "close.note", "kind": "text", "question": "One line?", "answer": f"note {n}"},
        ],
        "app_version": "test",
    }
    rec.update(changes)
    return rec


def jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(r if isinstance(r, str) else json.dumps(r) + "\n" for r in records))
    return path


def fresh(tmp_path: Path, monkeypatch: Any) -> Path:
    target = tmp_path / "fresh"
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(target))
    return target


# 4. ids, dates and names are matched whole, in ASCII digits ------------------------------


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for k, v in node.items() if k != "pattern" for p in _patterns(v)]
    if isinstance(node, list):
        return [p for v in node for p in _patterns(v)]
    return []


PATTERNS = _patterns(SCHEMA)


def test_the_schema_has_the_patterns_this_file_checks() -> None:
    # ids, refers_to, created_at, written_at, answer ids, dates, own practice ids
    assert len(PATTERNS) == 7
    assert not [p for p in PATTERNS if "\\d" in p]  # \d also matches other scripts' digits


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_schema_pattern_matches_the_whole_string(pattern: str, data: Any) -> None:
    """Python's `$` (jsonschema uses re.search) also matches before a final newline."""
    good = data.draw(st.from_regex(pattern, fullmatch=True))
    assert re.search(pattern, good)
    assert re.search(pattern, good + "\n") is None
    assert re.search(pattern, good + "\r") is None
    assert re.search(pattern, good + "\x00") is None
    if any(c.isdigit() for c in good):
        assert re.search(pattern, good.translate(ARABIC_INDIC)) is None


def _answers_with(**change: Any) -> list[dict[str, Any]]:
    answers = record()["answers"]
    answers[0] = {**answers[0], **change}
    return answers


BAD_RECORDS = {
    "id ending in a newline": record(id="0123456789abcdef\n"),
    "id ending in a carriage return": record(id="0123456789abcde\r"),
    "id ending in NUL": record(id="0123456789abcde\x00"),
    "id of Arabic-Indic digits": record(id="٠١٢٣٤٥٦٧٨٩abcdef"),
    "refers_to ending in a newline": record(practice="repair-done", refers_to="0123456789abcdef\n"),
    "created_at ending in a newline": record(created_at="2026-11-20T10:00:00-05:00\n"),
    "created_at of Arabic-Indic digits": record(
        created_at="2026-11-20T10:00:00-05:00".translate(ARABIC_INDIC)
    ),
    "answer id ending in a newline": record(answers=_answers_with(id="notice.feeling\n")),
    "date answer ending in a newline": record(
        answers=_answers_with(id="follow_up", kind="date", answer="2026-12-01\n")
    ),
    "date answer of Arabic-Indic digits": record(
        answers=_answers_with(id="follow_up", kind="date", answer="٢٠٢٦-١٢-٠١")
    ),
    "date answer that is no day": record(
        answers=_answers_with(id="follow_up", kind="date", answer="2026-02-30")
    ),
}


@pytest.mark.parametrize("bad", BAD_RECORDS.values(), ids=BAD_RECORDS.keys())
def test_import_refuses_ids_and_dates_that_are_not_whole(
    cli: Any, tmp_path: Path, monkeypatch: Any, bad: dict[str, Any]
) -> None:
    src = jsonl(tmp_path / "in.jsonl", [record(1), bad, record(3)])
    target = fresh(tmp_path, monkeypatch)
    r = cli("import", str(src))
    assert r.exit_code == 1, r.stdout
    assert r.stdout == "added 0, already present 0, invalid 1\n"
    problems = r.stderr.splitlines()
    assert problems[0].startswith(f"attune: invalid: {src} line 2: ")
    assert problems[-1].startswith("attune: nothing was written")
    assert entry_files(target) == []


def test_a_file_name_with_a_newline_or_other_digits_is_no_entry(data_dir: Path) -> None:
    store = Store(data_dir)
    good = Entry.from_json(record(1))
    path = store.save(good)
    (path.parent / (path.name + "\n")).write_bytes(path.read_bytes())
    stamp, _, rest = path.name.partition("-")
    (path.parent / f"{stamp.translate(ARABIC_INDIC)}-{rest}").write_bytes(path.read_bytes())
    warnings: list[str] = []
    assert Store(data_dir, warn=warnings.append).paths() == [path]
    assert len(warnings) == 2
    assert all("not an entry file name" in w for w in warnings)


# 5. a record that cannot be converted is invalid, and nothing is written -----------------

DEEP = "[" * 100_000 + "]" * 100_000
EDGE_RECORDS = {
    "year 1 east of UTC": record(2, created_at="0001-01-01T00:00:00+14:00"),
    "year 9999 west of UTC": record(2, created_at="9999-12-31T23:59:59-14:00"),
    "a lone surrogate": '{"schema_version": 1, "id": "0000000000000002", '
    '"created_at": "2026-11-20T10:00:00-05:00", "practice": "checkin", "complete": true, '
    '"answers": [{"id": "note", "kind": "text", "question": "q", "answer": "\\ud800"}]}\n',
    "NaN in details": '{"schema_version": 1, "id": "0000000000000002", '
    '"created_at": "2026-11-20T10:00:00-05:00", "practice": "checkin", "complete": true, '
    '"answers": [{"id": "x", "kind": "scale", "question": "q", "answer": 3, '
    '"details": {"score": NaN}}]}\n',
    "nested too deeply": json.dumps(record(2))[:-1] + ', "x": ' + DEEP + "}\n",
}


@pytest.mark.parametrize("edge", EDGE_RECORDS.values(), ids=EDGE_RECORDS.keys())
def test_a_record_that_cannot_be_saved_stops_the_import_before_any_write(
    cli: Any, tmp_path: Path, monkeypatch: Any, edge: Any
) -> None:
    src = jsonl(tmp_path / "in.jsonl", [record(1), edge, record(3)])
    target = fresh(tmp_path, monkeypatch)
    r = cli("import", str(src))
    assert r.exit_code == 1, r.stderr
    assert r.stdout == "added 0, already present 0, invalid 1\n"
    assert r.stderr.count("\n") == 2 and "unexpected" not in r.stderr
    assert r.stderr.startswith(f"attune: invalid: {src} line 2: ")
    assert entry_files(target) == []
    r = cli("import", str(src), "--skip-invalid")
    assert (r.exit_code, r.stdout) == (0, "added 2, already present 0, invalid 1\n")
    assert len(entry_files(target)) == 2


def test_calendar_edges_that_fit_in_utc_are_imported(
    cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    edges = [
        record(1, created_at="0001-01-01T00:00:00-14:00"),
        record(2, created_at="9999-12-31T23:59:59+14:00"),
    ]
    target = fresh(tmp_path, monkeypatch)
    r = cli("import", str(jsonl(tmp_path / "in.jsonl", edges)))
    assert (r.exit_code, r.stdout) == (0, "added 2, already present 0, invalid 0\n"), r.stderr
    assert sorted(e["created_at"] for e in load_entries(target)) == sorted(
        e["created_at"] for e in edges
    )


def test_an_export_array_nested_too_deeply_is_a_usage_error(cli: Any, tmp_path: Path) -> None:
    src = tmp_path / "deep.json"
    src.write_text(DEEP)
    r = cli("import", str(src))
    assert r.exit_code == 2
    assert r.stderr == f"attune: {src}: nested too deeply to be an export\n"


def test_a_failed_save_says_how_many_were_added_before_it(data_dir: Path, monkeypatch: Any) -> None:
    store = Store(data_dir)
    real_save = Store.save_many
    calls: list[list[str]] = []

    def failing_save(self: Store, entries: list[Entry]) -> list[Path]:
        calls.append([e.id for e in entries])
        if len(calls) == 2:
            raise AttuneError("could not save to somewhere: No space left on device")
        return real_save(self, entries)

    monkeypatch.setattr(Store, "save_many", failing_save)
    monkeypatch.setattr(exchange, "IMPORT_BATCH", 1)  # one entry a batch: fails on the second
    records = [(f"r{n}", record(n)) for n in (1, 2, 3)]
    with pytest.raises(AttuneError) as caught:
        exchange.import_records(records, store, skip_invalid=False)
    assert caught.value.message == (
        "could not save to somewhere: No space left on device; 1 of 3 new entries were "
        "added before this, and importing again adds the rest"
    )
    monkeypatch.setattr(Store, "save_many", real_save)
    report = exchange.import_records(records, store, skip_invalid=False)
    assert (len(report.added), len(report.present)) == (2, 1)


def test_a_batch_is_written_as_single_saves_would_write_it(data_dir: Path, tmp_path: Path) -> None:
    from attunecli.store import entry_bytes

    store = Store(data_dir)
    entries = [Entry.from_json(record(n)) for n in range(1, 6)]
    paths = store.save_many(entries)
    assert [p.read_bytes() for p in paths] == [entry_bytes(e) for e in entries]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in paths)
    assert [p for p in paths[0].parent.iterdir() if p.name.startswith(".attune-tmp-")] == []


def test_a_batch_never_replaces_a_file_and_leaves_no_temp_file(data_dir: Path) -> None:
    store = Store(data_dir)
    entries = [Entry.from_json(record(n)) for n in range(1, 4)]
    store.save(entries[1])
    before = store.path_for(entries[1]).read_bytes()
    with pytest.raises(AttuneError, match="already exists"):
        store.save_many(entries)
    assert store.path_for(entries[0]).exists()  # published before the clash, and whole
    assert store.path_for(entries[1]).read_bytes() == before
    assert not store.path_for(entries[2]).exists()
    leftovers = list(data_dir.rglob(".attune-tmp-*"))
    assert leftovers == []


# 7. an export never changes the mode of a folder attune did not create ------------------


@pytest.mark.parametrize("mode", [0o755, 0o1777, 0o2775], ids=["0755", "1777", "2775"])
def test_export_leaves_the_destination_folder_mode_alone(
    cli: Any, tmp_path: Path, mode: int
) -> None:
    assert cli("checkin", "--feeling", "calm", "--intensity", "3").exit_code == 0
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, mode)
    if stat.S_IMODE(folder.stat().st_mode) != mode:
        pytest.skip(f"this file system does not keep mode {mode:o}")
    for fmt in exchange.FORMATS:
        out = folder / f"export.{fmt}"
        r = cli("export", "--format", fmt, "-o", str(out))
        assert r.exit_code == 0, r.stderr
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == mode
    r = cli("export", "-o", str(folder / "export.json"), "--force")
    assert r.exit_code == 0, r.stderr
    assert stat.S_IMODE(folder.stat().st_mode) == mode
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"export.{f}" for f in exchange.FORMATS
    )


def test_export_makes_missing_folders_private_and_keeps_existing_ones(
    cli: Any, tmp_path: Path
) -> None:
    assert cli("checkin", "--feeling", "calm", "--intensity", "3").exit_code == 0
    home = tmp_path / "me"
    home.mkdir()
    os.chmod(home, 0o751)
    out = home / "new" / "deeper" / "export.json"
    assert cli("export", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o751
    assert stat.S_IMODE((home / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "new" / "deeper").stat().st_mode) == 0o700
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_the_store_still_tightens_its_own_folder(cli: Any, data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    os.chmod(data_dir, 0o755)
    assert cli("checkin", "--feeling", "calm", "--intensity", "3").exit_code == 0
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


# 13. csv and md exports make text inert; json keeps it exact -----------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]

# Each line of these is checked to show exactly as typed (no line starts with spaces:
# a renderer drops those, as it should).
MD_HOSTILE = [
    "# not a heading",
    "line one\n# heading\n## two\n> quote\n- item\n+ item\n* item\n1. one\n2) two\n---\n***\n___"
    "\n===\n```\nfenced\n```\n~~~\nstill fenced\n~~~\n[ref]: http://evil.example\n| a | b |"
    "\n|---|---|\n: definition",
    "[click](http://evil.example) ![img](http://evil.example/x.png) [ref][r] [r] [x]()",
    "<script>alert(1)</script> <img src=x onerror=alert(1)> <http://evil.example> <b>b</b>",
    "&lt;b&gt; &#60;b&#62; &amp; &copy Tom & Jerry, R&D",
    "`code` *em* _em_ **strong** __strong__ ~~gone~~ ~one~ snake_case_word 2*3*4",
    "back\\slash \\# \\[x\\](http://evil.example) trailing \\",
    "a\\](http://evil.example) [t\\](http://evil.example) !\\[i](http://evil.example)",
    "tab\tand \x1b[31mred\x1b[0m, a \r=cr and \x00",
    "a [bold] quiet, day — 3.5 hours, 10) not a list, (brackets) fine! -> <- 2 > 1",
    *FORMULAS,
]
# Blank lines and indentation end the list an answer is in; still no markup may appear.
MD_LOOSE = (
    "ok\n\n# after a blank line\n\nsetext\n===\n\n   > indented quote\n\n  - item\n\n"
    "[x]: http://evil.example\n\n[x]\n\n<div>html block</div>\n\n<!-- comment -->\n\n"
    "   ```\n   fence\n   ```\n\n| a | b |\n| - | - |\n| 1 | 2 |"
)


def hostile_entries(data_dir: Path) -> list[Entry]:
    store = Store(data_dir)
    entries = []

    def add(n: int, practice: str, answers: list[Answer]) -> None:
        e = Entry(
            id=f"{n:016x}",
            created_at=NOW - timedelta(hours=n),
            practice=practice,
            answers=answers,
            app_version="test",
        )
        store.save(e)
        entries.append(e)

    add(
        1,
        "checkin",
        [
            Answer("notice.feeling", "feeling", "Which word?", FORMULAS[0]),
            Answer("notice.intensity", "scale", "How strong?", 7, {"measure": "intensity"}),
            Answer("notice.body_where", "multi", "Where?", [FORMULAS[3], "jaw"]),
            Answer("notice.trigger", "text", "What set it off?", FORMULAS[1]),
            Answer("context", "choice", "Who?", FORMULAS[2]),
            Answer("what", "text", "What happened?", FORMULAS[4]),
            Answer("their_feelings", "feelings", "Theirs?", [FORMULAS[5], "hurt"]),
            Answer("my_part", "text", "Your part?", FORMULAS[6]),
            Answer("follow_up", "date", "When?", "2026-12-01"),
            Answer("close.note", "text", "One line?", "a [bold] quiet, day - fine"),
        ],
    )
    add(
        2,
        "regulate",
        [
            Answer("arousal_before", "scale", "Before?", 8, {"measure": "arousal_before"}),
            Answer("exercise", "choice", "Which?", "[x](http://evil.example) <b>"),
            Answer("arousal_after", "scale", "After?", 5, {"measure": "arousal_after"}),
        ],
    )
    add(
        3,
        "checkin",
        [
            Answer("notice.feeling", "feeling", "# Which **word**? <i>", "+cmd <b>x</b>"),
            *(Answer(f"n{i}", "text", f"Q {i} [x](y)?", t) for i, t in enumerate(MD_HOSTILE)),
        ],
    )
    add(4, "reflect", [Answer("loose", "text", "Loose?", MD_LOOSE)])
    return entries


def inert(text: str) -> str:
    """What a csv text cell holds: control characters as codes, then an apostrophe
    before anything a spreadsheet would run."""
    from attunecli.plain import literal

    shown = literal(text)
    return (
        "'" + shown
        if shown.startswith(("=", "+", "-", "@", "\t", "＝", "＋", "－", "＠"))
        else shown
    )


def test_csv_cells_that_would_run_as_formulas_get_an_apostrophe(cli: Any, data_dir: Path) -> None:
    entries = hostile_entries(data_dir)
    r = cli("export", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    reader = csv.reader(io.StringIO(r.stdout))
    rows = [dict(zip(exchange.CSV_COLUMNS, row, strict=True)) for row in reader]
    row = next(x for x in rows if x["id"] == entries[0].id)
    assert row["feeling"] == "'" + FORMULAS[0]
    assert row["trigger"] == "'" + FORMULAS[1]
    assert row["context"] == "'" + FORMULAS[2]
    assert row["body"] == inert(FORMULAS[3] + "; jaw")
    assert row["what"] == "'" + FORMULAS[4]
    # a carriage return is shown as a code first, so the cell no longer starts a formula
    assert row["their_feelings"] == inert(FORMULAS[5] + "; hurt")
    assert row["my_part"] == "'" + FORMULAS[6]
    assert row["note"] == "a [bold] quiet, day - fine"  # harmless text as it was
    assert (row["intensity"], row["follow_up"], row["complete"]) == ("7", "2026-12-01", "yes")
    # The JSON column starts with "[", and holds every answer exactly.
    assert row["answers_json"].startswith("[")
    assert json.loads(row["answers_json"]) == [a.to_json() for a in entries[0].answers]
    regulate = next(x for x in rows if x["id"] == entries[1].id)
    assert (regulate["arousal_before"], regulate["arousal_after"]) == ("8", "5")
    for x in rows[1:]:
        for col, cell in x.items():
            assert not cell.startswith(exchange.FORMULA_START), (col, cell)


def test_numbers_stay_numbers_and_text_gets_the_apostrophe() -> None:
    assert exchange._cell(-3) == "-3"
    assert exchange._cell(0) == "0"
    assert exchange._cell("-3") == "'-3"
    assert exchange._cell(True) == "yes"
    assert exchange._cell(["=a", "b"]) == "'=a; b"
    assert exchange._cell("a=b") == "a=b"


def _markdown(text: str) -> list[Any]:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)


def _shown(inline: Any) -> str:
    """The text an inline token shows, with line breaks as newlines and strong as **."""
    parts = []
    for child in inline.children:
        if child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type in ("strong_open", "strong_close"):
            parts.append("**")
        else:
            assert child.type == "text", child.type
            parts.append(child.content)
    return "".join(parts)


def test_md_shows_user_text_as_typed_and_never_as_markup(cli: Any, data_dir: Path) -> None:
    entries = hostile_entries(data_dir)
    r = cli("export", "--format", "md")
    assert r.exit_code == 0, r.stderr
    tokens = _markdown(r.stdout)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    allowed = {
        "heading_open",
        "heading_close",
        "paragraph_open",
        "paragraph_close",
        "bullet_list_open",
        "bullet_list_close",
        "list_item_open",
        "list_item_close",
        "inline",
        "text",
        "softbreak",
        "strong_open",
        "strong_close",
    }
    assert kinds <= allowed, kinds - allowed
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert len(headings) == 3 + len(entries)
    assert headings[1:3] == ["Summary", "Entries"]
    # Every answer of the exact set shows as typed (control characters made visible).
    shown = {_shown(t) for t in tokens if t.type == "inline"}
    hostile = entries[2]
    for a in hostile.answers:
        want = f"**{literal(a.question)}** {literal(a.answer)}"
        assert want in shown, (want, [s for s in shown if s.startswith(want[:12])])
    exercise = entries[1].answer("exercise")
    assert any(s.startswith(f"{exercise}: 1 time") for s in shown)
    assert any(s.startswith("Feelings named most:") and "+cmd <b>x</b> (1)" in s for s in shown)
    assert "<b>" not in r.stdout and "](" not in r.stdout.replace("\\](", "")


def test_md_keeps_ordinary_text_readable() -> None:
    plain = "a [bold] quiet, day — 3.5 hours, (brackets) fine! Tom & Jerry -> 2 > 1"
    assert exchange.md_text(plain) == plain
    assert exchange.md_text("# hi\n1. one\n- two") == "\\# hi\n1\\. one\n\\- two"
    assert exchange.md_text("<b> &amp; *x* [a](b)") == "&lt;b> &amp;amp; \\*x\\* [a\\](b)"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_exports_keep_hostile_text_exact_through_import(
    cli: Any, data_dir: Path, tmp_path: Path, monkeypatch: Any, fmt: str
) -> None:
    entries = hostile_entries(data_dir)
    # Separators JSON leaves unescaped inside strings, which a jsonl reader must not cut at.
    extra = Entry(
        id="00000000000000ff",
        created_at=NOW - timedelta(days=2),
        practice="checkin",
        answers=[Answer("close.note", "text", "q", "line\u2028sep\u2029para\x85nel\x0bvt\x1cfs")],
    )
    Store(data_dir).save(extra)
    original = {e["id"]: e for e in load_entries(data_dir)}
    assert len(original) == len(entries) + 1
    out = tmp_path / f"export.{fmt}"
    r = cli("export", "--format", fmt, "-o", str(out))
    assert r.exit_code == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    for e in [*entries, extra]:
        for a in e.answers:
            if isinstance(a.answer, str):
                assert json.dumps(a.answer, ensure_ascii=False) in text  # not altered
    target = fresh(tmp_path, monkeypatch)
    r = cli("import", str(out))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == f"added {len(original)}, already present 0, invalid 0\n"
    assert {e["id"]: e for e in load_entries(target)} == original


def test_readme_says_what_export_neutralises() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.partition("## Export and import")[2].partition("\n## ")[0]
    assert "apostrophe" in section and "escape" in section and "exact" in section
