"""Export in four formats, and import back: the round trip keeps every field."""

from __future__ import annotations

import csv
import io
import json
import re
import tracemalloc
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from attunecli.exchange import CSV_COLUMNS, FORMATS
from attunecli.models import Entry
from attunecli.store import Store
from benchmarks.synth import generate
from tests.conftest import NOW, entry_files, load_entries


def seed(cli: Any, clock: Any) -> str:
    runs = [
        ["checkin", "--feeling", "calm", "--intensity", "3", "--note", "a [bold] quiet, day"],
        [
            "slow-down",
            "--feeling",
            "anxious",
            "--intensity",
            "7",
            "--body",
            "chest",
            "--body",
            "jaw",
        ],
        [
            "reflect",
            "--context",
            "partner",
            "--what",
            "said I never listen",
            "--their-feeling",
            "hurt",
            "--reply",
            "you should relax",
        ],
        [
            "curious",
            "--about",
            "a late reply",
            "--story",
            "they don't care",
            "--other-explanation",
            "a busy day",
        ],
        ["regulate", "--before", "8", "--exercise", "box-breathing", "--after", "5"],
        [
            "repair",
            "--context",
            "friend",
            "--what",
            "I forgot",
            "--their-feeling",
            "hurt",
            "--my-part",
            "I did not write it down",
            "--json",
        ],
    ]
    for args in runs:
        r = cli(*args)
        assert r.exit_code == 0, r.stderr
        clock.advance(hours=5)
    repair_id = json.loads(r.stdout)["id"]
    assert cli("repair", "done", repair_id[:8], "--note", "we talked").exit_code == 0
    return repair_id


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_export_then_import_into_an_empty_store_gives_back_every_field(
    cli: Any, clock: Any, data_dir: Path, tmp_path: Path, monkeypatch: Any, fmt: str
) -> None:
    seed(cli, clock)
    original = {e["id"]: e for e in load_entries(data_dir)}
    out = tmp_path / f"export.{fmt}"
    r = cli("export", "--format", fmt, "--output", str(out))
    assert r.exit_code == 0, r.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(fresh))
    r = cli("import", str(out), "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["added"] == len(original) == 7
    back = {e["id"]: e for e in load_entries(fresh)}
    assert back == original  # every field of every entry
    names = sorted(p.relative_to(fresh) for p in entry_files(fresh))
    assert names == sorted(p.relative_to(data_dir) for p in entry_files(data_dir))
    again = json.loads(cli("import", str(out), "--json").stdout)
    assert (again["added"], again["already_present"]) == (0, 7)


def test_import_from_another_data_folder(
    cli: Any, clock: Any, data_dir: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    seed(cli, clock)
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "other"))
    r = cli("import", str(data_dir))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "added 7, already present 0, invalid 0\n"


def test_one_invalid_record_writes_nothing_unless_skipped(
    cli: Any, tmp_path: Path, monkeypatch: Any, clock: Any, data_dir: Path
) -> None:
    seed(cli, clock)
    lines = cli("export", "--format", "jsonl").stdout.splitlines()
    bad = json.loads(lines[0])
    bad["answers"][0]["kind"] = "telepathy"
    lines[0] = json.dumps(bad)
    lines.insert(2, "{not json")
    src = tmp_path / "mixed.jsonl"
    src.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "fresh"))
    r = cli("import", str(src))
    assert r.exit_code == 1
    assert "added 0, already present 0, invalid 2" in r.stdout
    assert "nothing was written" in r.stderr
    assert entry_files(tmp_path / "fresh") == []
    r = cli("import", str(src), "--skip-invalid")
    assert r.exit_code == 0
    assert "added 6, already present 0, invalid 2" in r.stdout
    assert len(entry_files(tmp_path / "fresh")) == 6


def test_a_refused_time_or_id_is_said_in_words_not_as_a_pattern(
    cli: Any, tmp_path: Path, monkeypatch: Any, clock: Any
) -> None:
    seed(cli, clock)
    good = json.loads(cli("export", "--format", "jsonl").stdout.splitlines()[0])
    cases = {
        "created_at": "2026-11-30 21:30",
        "written_at": "1850-06-01T12:00:00-04:56:02",
        "id": "NOT-AN-ID",
    }
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "fresh"))
    for key, value in cases.items():
        src = tmp_path / f"{key}.jsonl"
        src.write_text(json.dumps({**good, key: value}) + "\n")
        r = cli("import", str(src))
        assert r.exit_code == 1, key
        assert "does not match" not in r.stderr + r.stdout, key
        said = "16 lowercase hex digits" if key == "id" else "a time with its offset"
        assert f"{key}: {value!r} is not {said}" in r.stderr + r.stdout, (key, r.stderr)


def test_csv_has_one_row_per_entry_and_stable_columns(cli: Any, clock: Any) -> None:
    seed(cli, clock)
    rows = list(csv.reader(io.StringIO(cli("export", "--format", "csv").stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + 7
    by_practice = {r[2]: dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_practice["slow-down"]["feeling"] == "anxious"
    assert by_practice["slow-down"]["body"] == "chest; jaw"
    assert by_practice["checkin"]["note"] == "a [bold] quiet, day"
    assert by_practice["regulate"]["arousal_after"] == "5"
    assert json.loads(by_practice["reflect"]["answers_json"])[0]["id"] == "context"


def test_markdown_is_a_summary_then_the_entries(cli: Any, clock: Any) -> None:
    seed(cli, clock)
    md = cli("export", "--format", "md").stdout
    assert md.startswith("# attune: ")
    assert "## Summary" in md and "## Entries" in md
    assert "Days with a check-in: 1" in md
    # People read names, not ids: the exercise, the context and each answer's option.
    assert "Box breathing: 1 time, mean change -3.0" in md
    assert "box-breathing" not in md
    assert "** Partner\n" in md and "** Friend\n" in md
    assert "** partner\n" not in md
    # The seeded repair was followed up: its heading says so.
    assert re.search(r"^### .* · repair \\?\(done\\?\)$", md, re.M), md
    assert "**Which word comes closest to what you feel?** anxious" in md
    # A list answer is a list: one bullet per item under its question, never "chest, jaw".
    assert "chest, jaw" not in md
    body = md.index("**Where do you notice something in your body?**")
    assert md[body:].split("\n")[1:3] == ["  - chest", "  - jaw"]


def test_exports_never_overwrite_without_force(cli: Any, clock: Any, tmp_path: Path) -> None:
    seed(cli, clock)
    out = tmp_path / "keep.json"
    out.write_text("precious")
    r = cli("export", "--output", str(out))
    assert r.exit_code == 2
    assert r.stderr == f"attune: {out} already exists; add --force to replace it\n"
    assert out.read_text() == "precious"
    assert cli("export", "--output", str(out), "--force").exit_code == 0
    assert len(json.loads(out.read_text())) == 7
    assert cli("export", "--format", "xml").exit_code == 2


def test_import_of_what_is_not_an_export(cli: Any, tmp_path: Path) -> None:
    assert cli("import", str(tmp_path / "missing.json")).exit_code == 2
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    r = cli("import", str(broken))
    assert r.exit_code == 2 and r.stderr.startswith("attune: ")


def whole_text(fmt: str, entries: list[Entry], md_head: str) -> str:
    """Each format laid out in one piece, as export built it before it streamed."""
    if fmt == "json":
        return json.dumps([e.to_json() for e in entries], ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(e.to_json(), ensure_ascii=False) + "\n" for e in entries)
    from attunecli.display import shown
    from attunecli.render import PRACTICE_LABELS, answer_text, literal

    lines = md_head.split("\n")  # the summary (the period's figures), up to "## Entries"
    closed = {e.refers_to for e in entries if e.practice == "repair-done"}
    for e in entries:
        label = PRACTICE_LABELS.get(e.practice, e.practice)
        if not e.complete:
            label += " (kept partway)"
        elif e.practice == "repair":
            label += " (done)" if e.id in closed else " (open)"
        lines += [f"### {e.created_at:%a %d %b %Y, %H:%M} · {label}", ""]
        for a in e.answers:
            answer = shown(e.practice, a.id, a.answer)
            if isinstance(answer, list) and answer:
                lines.append(f"- **{literal(a.question)}**")
                lines += [f"  - {literal(str(item))}" for item in answer]
            elif answer is not None:
                lines.append(f"- **{literal(a.question)}** {literal(answer_text(answer))}")
        lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "md"])
@pytest.mark.parametrize("since", [None, "2099-01-01"])
def test_streamed_export_is_the_text_built_in_one_piece(
    cli: Any, clock: Any, data_dir: Path, tmp_path: Path, fmt: str, since: str | None
) -> None:
    seed(cli, clock)
    note = 'two\nlines, "quoted" — ünï\tcode {"not": "json"}'
    clock.advance(hours=1)
    assert cli("checkin", "--feeling", "calm", "--intensity", "2", "--note", note).exit_code == 0
    window = ["--since", since] if since else []
    streamed = cli("export", "--format", fmt, *window).stdout
    out = tmp_path / f"export.{fmt}"
    r = cli("export", "--format", fmt, *window, "--output", str(out))
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes() == streamed.encode("utf-8")
    entries = list(Store(data_dir).entries(since=date(2099, 1, 1) if since else None))
    assert r.stderr == f"Exported {len(entries)} entries to {out}\n"
    assert len(entries) == (0 if since else 8)
    if fmt == "csv":  # csv.writer lays out each row the same whether or not it streams
        rows = list(csv.reader(io.StringIO(streamed)))
        assert rows[0] == list(CSV_COLUMNS)
        assert [r[0] for r in rows[1:]] == [e.id for e in entries]
        assert [r[CSV_COLUMNS.index("note")] for r in rows[1:]][-1:] == ([] if since else [note])
        return
    head, heading, _ = streamed.partition("## Entries\n")
    assert streamed == whole_text(fmt, entries, head + heading)


def test_export_holds_one_entry_at_a_time(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    """Exporting every entry takes hardly more memory than exporting none of them.

    Building the whole text first (as export once did) grows the peak by 6-20 KB
    an entry; streaming, by little more than the paths it lists (about 200 bytes).
    """
    n = 1000
    generate(data_dir, n, end=NOW - timedelta(days=1))

    def peak(fmt: str, *args: str) -> int:
        tracemalloc.start()
        try:
            r = cli("export", "--format", fmt, *args)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert r.exit_code == 0, r.stderr
        return peak

    nothing = ["--since", "2099-01-01"]
    for fmt in FORMATS:
        cli("export", "--format", fmt, *nothing, "-o", str(tmp_path / f"warm-up.{fmt}"))
        base = peak(fmt, *nothing, "-o", str(tmp_path / f"none.{fmt}"))
        grown = peak(fmt, "-o", str(tmp_path / f"all.{fmt}")) - base
        assert (tmp_path / f"all.{fmt}").stat().st_size > 200 * n
        assert grown < 1000 * n, f"{fmt}: {grown / n:.0f} bytes an entry"


def test_history_and_md_say_which_repairs_are_done_and_which_entries_partway(
    cli: Any, clock: Any, data_dir: Path
) -> None:
    done_id = seed(cli, clock)  # a repair, then its follow-up
    clock.advance(hours=1)
    r = cli(
        "repair",
        "--context",
        "friend",
        "--what",
        "I was short",
        "--their-feeling",
        "hurt",
        "--my-part",
        "I rushed",
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    open_id = json.loads(r.stdout)["id"]
    Store(data_dir).save(
        Entry(
            id="00000000000000aa",
            created_at=NOW + timedelta(hours=3),
            practice="slow-down",
            answers=[],
            complete=False,
            app_version="0.1.0",
        )
    )
    history = cli("history").stdout
    rows = {line.split()[5]: line for line in history.splitlines()[1:]}
    assert "repair (done)" in rows[done_id[:8]]
    assert "(done)" not in rows[open_id[:8]] and "repair" in rows[open_id[:8]]
    assert "slow down (partial)" in rows["00000000"]
    md = cli("export", "--format", "md").stdout
    heads = [line for line in md.splitlines() if line.startswith("### ")]
    assert sum("repair \\(done\\)" in h or "repair (done)" in h for h in heads) == 1
    assert sum("repair \\(open\\)" in h or "repair (open)" in h for h in heads) == 1
    assert sum("kept partway" in h for h in heads) == 1
