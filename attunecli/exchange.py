"""Export entries (json, jsonl, csv, md) and import them back, checked against the schema.

An export holds each entry exactly as its file does, so exporting and then
importing into an empty data dir gives back the same entries, field for field.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any

from attunecli.errors import AttuneError, UsageError
from attunecli.fsutil import atomic_text_writer
from attunecli.insights import Insights
from attunecli.models import Entry
from attunecli.store import Store

FORMATS = ("json", "jsonl", "csv", "md")

# One row per entry; these columns never change order (new ones go at the end).
CSV_COLUMNS = (
    "id",
    "created_at",
    "practice",
    "complete",
    "feeling",
    "intensity",
    "body",
    "trigger",
    "context",
    "what",
    "their_feelings",
    "exercise",
    "arousal_before",
    "arousal_after",
    "my_part",
    "follow_up",
    "refers_to",
    "note",
    "answers_json",
)


ANSWER_FOR_COLUMN = {"body": "body_where"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def write_json(entries: Iterable[Entry], out: IO[str]) -> int:
    """A JSON array laid out exactly as `json.dumps(list, indent=2)` would, one entry at a time."""
    n = 0
    for n, e in enumerate(entries, start=1):
        out.write(",\n  " if n > 1 else "[\n  ")
        # Strings escape their newlines, so every newline here is layout: indent it one level.
        out.write(json.dumps(e.to_json(), ensure_ascii=False, indent=2).replace("\n", "\n  "))
    out.write("\n]\n" if n else "[]\n")
    return n


def write_jsonl(entries: Iterable[Entry], out: IO[str]) -> int:
    n = 0
    for e in entries:
        out.write(json.dumps(e.to_json(), ensure_ascii=False) + "\n")
        n += 1
    return n


def _csv_row(e: Entry) -> list[str]:
    row: dict[str, Any] = {
        "id": e.id,
        "created_at": e.created_at.isoformat(timespec="seconds"),
        "practice": e.practice,
        "complete": e.complete,
        "refers_to": e.refers_to,
        "answers_json": json.dumps([a.to_json() for a in e.answers], ensure_ascii=False),
    }
    for col in CSV_COLUMNS:
        if col not in row:
            row[col] = e.answer(ANSWER_FOR_COLUMN.get(col, col))
    return [_cell(row[c]) if c != "answers_json" else row[c] for c in CSV_COLUMNS]


def write_csv(entries: Iterable[Entry], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for e in entries:
        writer.writerow(_csv_row(e))
        n += 1
    return n


def _md_summary(ins: Insights) -> str:
    from attunecli.render import literal

    lines = [
        f"# attune: {ins.since:%d %B %Y} to {ins.until:%d %B %Y}",
        "",
        "## Summary",
        "",
        f"- Days with a check-in: {len(ins.checkin_days)} (longest run: {ins.longest_run})",
    ]
    if ins.feelings:
        words = ", ".join(
            f"{literal(f.word)} ({f.count}"
            + (f", mean intensity {f.mean_intensity:.1f}" if f.mean_intensity is not None else "")
            + ")"
            for f in ins.feelings[:5]
        )
        lines.append(f"- Feelings named most: {words}")
    for x in ins.exercises:
        change = f", mean change {x.mean_change:+.1f}" if x.mean_change is not None else ""
        lines.append(f"- {x.exercise}: {x.count} time{'s' if x.count != 1 else ''}{change}")
    if ins.open_repairs:
        lines.append(f"- Repairs still open: {len(ins.open_repairs)}")
    return "\n".join([*lines, "", "## Entries"]) + "\n"


def _md_entry(e: Entry) -> str:
    from attunecli.render import PRACTICE_LABELS, answer_text, literal

    label = PRACTICE_LABELS.get(e.practice, e.practice)
    lines = ["", f"### {e.created_at:%a %d %b %Y, %H:%M} · {label}", ""]
    lines += [
        f"- **{literal(a.question)}** {literal(answer_text(a.answer))}"
        for a in e.answers
        if a.answer is not None
    ]
    return "\n".join(lines) + "\n"


def write_markdown(entries: Iterable[Entry], ins: Insights, out: IO[str]) -> int:
    """A readable summary and the entries of the period, to bring to a session."""
    out.write(_md_summary(ins))
    n = 0
    for e in entries:
        out.write(_md_entry(e))
        n += 1
    return n


def write(fmt: str, entries: Iterable[Entry], ins: Insights | None, out: IO[str]) -> int:
    """Write the export to `out` entry by entry; how many entries it holds.

    `ins` (the period's figures) is needed for md only.
    """
    if fmt == "json":
        return write_json(entries, out)
    if fmt == "jsonl":
        return write_jsonl(entries, out)
    if fmt == "csv":
        return write_csv(entries, out)
    if fmt == "md" and ins is not None:
        return write_markdown(entries, ins, out)
    raise UsageError(f"--format: expected one of: {', '.join(FORMATS)}")


def write_export(
    fmt: str, entries: Iterable[Entry], ins: Insights | None, output: Path, *, force: bool
) -> int:
    """`write` into the file `output` (0600: an export is as private as the entries)."""
    if output.is_dir():
        raise UsageError(f"--output {output} is a folder; give a file name")
    try:
        with atomic_text_writer(output, exclusive=not force) as out:
            return write(fmt, entries, ins, out)
    except FileExistsError:
        raise UsageError(f"{output} already exists; add --force to replace it") from None
    except OSError as exc:
        raise AttuneError(f"could not write {output}: {exc.strerror or exc}") from exc


# import ------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # one line per bad record


def _validator() -> Any:
    import jsonschema

    text = resources.files("attunecli").joinpath("schema/entry.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def read_records(source: Path) -> list[tuple[str, Any]]:
    """(where, record) for every record in a json or jsonl export, or in another data dir."""
    if source.is_dir():
        root = source if (source / "entries").is_dir() else source.parent
        other = Store(root)
        found = []
        for path in other.paths():
            try:
                found.append((str(path), json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError) as exc:
                found.append((str(path), exc))
        return found
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such file: {source}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"could not read {source}: {exc}") from None
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{source}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        return [(f"{source} record {i + 1}", r) for i, r in enumerate(data)]
    records: list[tuple[str, Any]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((f"{source} line {n}", json.loads(line)))
        except json.JSONDecodeError as exc:
            records.append((f"{source} line {n}", ValueError(f"not valid JSON ({exc.msg})")))
    return records


def import_records(
    records: Sequence[tuple[str, Any]], store: Store, *, skip_invalid: bool
) -> ImportReport:
    from attunecli.store import migrate

    validator = _validator()
    report = ImportReport()
    known = {p.name.rpartition("-")[2].removesuffix(".json") for p in store.paths()}
    ready: list[Entry] = []
    seen: set[str] = set()
    for where, record in records:
        if isinstance(record, Exception):
            report.invalid.append(f"{where}: {record}")
            continue
        try:
            if isinstance(record, dict) and isinstance(record.get("schema_version"), int):
                record = migrate(record)
            errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
            if errors:
                first = errors[0]
                at = "/".join(str(p) for p in first.path) or "record"
                raise ValueError(f"{at}: {first.message}")
            entry = Entry.from_json(record)
        except (ValueError, KeyError, TypeError) as exc:
            report.invalid.append(f"{where}: {' '.join(str(exc).split())[:200]}")
            continue
        if entry.id in known or entry.id in seen:
            report.present.append(entry.id)
            continue
        seen.add(entry.id)
        ready.append(entry)
    if report.invalid and not skip_invalid:
        return report  # nothing at all is written
    for entry in ready:
        store.save(entry)
        report.added.append(entry.id)
    return report
