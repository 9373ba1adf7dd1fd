"""Export entries (json, jsonl, csv, md) and import them back, checked against the schema.

An export holds each entry exactly as its file does, so exporting and then
importing into an empty data dir gives back the same entries, field for field.
json and jsonl are never altered. csv and md are for other programs to show, so
text from an entry is made inert there: a csv cell that a spreadsheet would run
as a formula gets a leading apostrophe, and Markdown and HTML in md are escaped.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from importlib import resources
from pathlib import Path
from typing import IO, Any

from attunecli.days import logical_date
from attunecli.errors import AttuneError, UsageError
from attunecli.fsutil import atomic_text_writer
from attunecli.insights import Insights
from attunecli.models import Entry
from attunecli.plain import literal
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
    "written_at",  # for an entry filled in later: when it was written (else empty)
)


ANSWER_FOR_COLUMN = {"body": "body_where"}


# A spreadsheet runs a cell that starts with one of these as a formula
# ("=HYPERLINK(...)", "@SUM(...)", "-2+3"); tab and CR are read as a cell start too,
# and some spreadsheets take the full-width forms for the ASCII ones.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def inert_cell(text: str) -> str:
    """`text` as a spreadsheet shows it, never runs it: a leading `'` when it would be a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)  # a number attune wrote (intensity, arousal): stays a number
    if isinstance(value, list):
        return inert_cell(literal("; ".join(str(v) for v in value)))
    text = str(value)
    # Control characters shown as codes (a cell printed by `cat` never drives the terminal);
    # printable text holds none of them, and needs no look for them.
    return inert_cell(text if text.isprintable() else literal(text))


def on_days(
    store: Store, since: date | None, until: date | None, day_start: time
) -> Iterator[Entry]:
    """The entries of days `since`..`until` by `day_start`, oldest first, read one at a time.

    An entry before the day start is on the day before its calendar date, so the
    files are looked for up to a calendar day past `until`.
    """
    late = until + timedelta(days=1) if until and until < date.max else until
    for e in store.entries(since=since, until=late):
        day = logical_date(e.created_at, day_start)
        if (since is None or since <= day) and (until is None or day <= until):
            yield e


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


# JSON escapes C0 controls itself; DEL and the C1 controls (U+009B starts a terminal
# escape sequence as ESC [ does) it leaves raw, so the csv cell escapes them too.
_RAW_IN_JSON = re.compile("[\x7f-\x9f]")


def _inert_json(value: Any) -> str:
    """`value` as JSON with no raw control character: the same JSON to any reader."""
    text = json.dumps(value, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _csv_row(e: Entry) -> list[str]:
    # Each column's answer as Entry.answer finds it (its own id first, then the first
    # `<section>.<id>`), looked up in one pass over the answers instead of one a column.
    exact: dict[str, Any] = {}
    dotted: dict[str, Any] = {}
    for a in e.answers:
        if a.id not in exact:
            exact[a.id] = a.answer
        _, dot, step = a.id.rpartition(".")
        if dot and step not in dotted:
            dotted[step] = a.answer
    row: dict[str, Any] = {
        "id": e.id,
        "created_at": e.created_at.isoformat(timespec="seconds"),
        "practice": e.practice,
        "complete": e.complete,
        "refers_to": e.refers_to,
        "written_at": (
            e.written_at.isoformat(timespec="seconds")
            if e.written_at and e.filled_in_later
            else None
        ),
    }
    cells = []
    for col in CSV_COLUMNS:
        if col == "answers_json":
            # It always starts with "[", so a spreadsheet never runs it, and it stays JSON.
            cells.append(_inert_json([a.to_json() for a in e.answers]))
            continue
        if col in row:
            value = row[col]
        else:
            key = ANSWER_FOR_COLUMN.get(col, col)
            value = exact[key] if key in exact else dotted.get(key)
        cells.append(_cell(value))
    return cells


class _Rows:
    """Where csv.writer puts each row (one `write` a row, its CRLF at the end): written
    on to `out` ending in LF."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, row: str) -> None:
        self.out.write(row[:-2] + "\n")


def write_csv(entries: Iterable[Entry], out: IO[str]) -> int:
    # csv quotes a field only for the characters of its line terminator, and a reader
    # ends a row at a bare CR too: so each row is laid out ending in CRLF (a field
    # holding CR or LF is then quoted) and written ending in LF, as it always was.
    writer = csv.writer(_Rows(out), lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for e in entries:
        writer.writerow(_csv_row(e))
        n += 1
    return n


# Markdown and HTML that text from an entry could start, escaped so it shows as typed:
# anywhere in a line, a backslash (so no escape of ours can be undone), code, emphasis,
# strikethrough, an HTML tag or autolink, an entity, an image, and the "](" / "][" that
# close a link (a bare "[word]" stays as it is: no reference to it can be defined).
_MD_INLINE = re.compile(r"[\\`*_~<]|&(?=[#A-Za-z])|!(?=\[)|\](?=[(\[])")
# At the start of a line: a heading, quote, list item, rule, setext underline, table
# row, definition, or link reference definition.
_MD_LINE_START = re.compile(r"^([ \t]*)(?:([#>+\-=|:\[])|([0-9]{1,9})(?=[.)](?:[ \t]|$)))", re.M)


def md_text(text: str) -> str:
    """`text` for an md export: shown exactly as typed, never turned into markup.

    Markdown is escaped with backslashes, `<` and `&` as HTML entities; control
    characters are made visible as elsewhere (`literal`).
    """
    from attunecli.plain import literal

    def inline(m: re.Match[str]) -> str:
        c = m.group()
        return "&lt;" if c == "<" else "&amp;" if c == "&" else "\\" + c

    def line_start(m: re.Match[str]) -> str:
        indent, mark, number = m.groups()
        return f"{indent}\\{mark}" if mark else f"{indent}{number}\\"  # "1\\. x" is no list

    return literal(_MD_LINE_START.sub(line_start, _MD_INLINE.sub(inline, text)))


def _md_summary(ins: Insights) -> str:
    from attunecli.display import exercise_label

    lines = [
        f"# attune: {ins.since:%d %B %Y} to {ins.until:%d %B %Y}",
        "",
        "## Summary",
        "",
        f"- Days with a check-in: {len(ins.checkin_days)} (longest run: {ins.longest_run})",
    ]
    if ins.feelings:
        words = ", ".join(
            f"{md_text(f.word)} ({f.count}"
            + (f", mean intensity {f.mean_intensity:.1f}" if f.mean_intensity is not None else "")
            + ")"
            for f in ins.feelings[:5]
        )
        lines.append(f"- Feelings named most: {words}")
    for x in ins.exercises:
        change = f", mean change {x.mean_change:+.1f}" if x.mean_change is not None else ""
        lines.append(
            f"- {md_text(exercise_label(x.exercise))}: {x.count} time{'s' if x.count != 1 else ''}"
            + change
        )
    if ins.open_repairs:
        lines.append(f"- Repairs still open: {len(ins.open_repairs)}")
    return "\n".join([*lines, "", "## Entries"]) + "\n"


def _md_entry(e: Entry, still_open: set[str] | frozenset[str] = frozenset()) -> str:
    """One entry for the md export; `still_open`: the repairs no follow-up has closed."""
    from attunecli.display import answer_text, shown
    from attunecli.labels import PRACTICE_LABELS

    name = PRACTICE_LABELS.get(e.practice, e.practice)
    if not e.complete:
        name += " (kept partway)"
    elif e.practice == "repair":
        name += " (open)" if e.id in still_open else " (done)"
    # In a heading, a "#" at the end would close it: escape every one.
    label = re.sub(r"(?<!\\)#", r"\\#", md_text(name))
    lines = ["", f"### {e.created_at:%a %d %b %Y, %H:%M} · {label}", ""]
    if e.filled_in_later and e.written_at is not None:
        lines[-1:] = ["", f"*Filled in {e.written_at:%a %d %b %Y, %H:%M}*", ""]
    for a in e.answers:
        if a.answer is None:
            continue
        question = f"- **{md_text(a.question)}**"
        answer = shown(e.practice, a.id, a.answer)  # "Cyclic sighing", not "cyclic-sighing"
        if isinstance(answer, list) and answer:
            # A list stays a list: each item its own bullet, never joined with commas.
            lines.append(question)
            lines += [f"  - {md_text(answer_text(item))}" for item in answer]
        else:
            lines.append(f"{question} {md_text(answer_text(answer))}")
    return "\n".join(lines) + "\n"


def write_markdown(entries: Iterable[Entry], ins: Insights, out: IO[str]) -> int:
    """A readable summary and the entries of the period, to bring to a session."""
    out.write(_md_summary(ins))
    still_open = {r.id for r in ins.open_repairs}
    n = 0
    for e in entries:
        out.write(_md_entry(e, still_open))
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
        # The folder is the user's (their home, ~/Documents, /tmp): its mode is left alone.
        with atomic_text_writer(output, exclusive=not force, private_dir=False) as out:
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


class _Validator:
    """The published entry schema, checked fast by jsonschema-rs where it is installed
    (thousands of records a second; jsonschema takes milliseconds each), and by
    jsonschema for the words of an error, and wherever jsonschema-rs is missing."""

    def __init__(self) -> None:
        text = resources.files("attunecli").joinpath("schema/entry.schema.json").read_text("utf-8")
        self.schema = json.loads(text)
        self._slow: Any = None
        try:
            import jsonschema_rs
        except ImportError:
            self.fast: Any = None
        else:
            self.fast = jsonschema_rs.Draft202012Validator(self.schema, validate_formats=True)

    def _jsonschema(self) -> Any:
        if self._slow is None:
            import jsonschema

            self._slow = jsonschema.Draft202012Validator(
                self.schema, format_checker=jsonschema.FormatChecker()
            )
        return self._slow

    def iter_errors(self, record: Any) -> list[Any]:
        if self.fast is not None:
            try:
                if self.fast.is_valid(record):
                    return []
            except (ValueError, OverflowError, RecursionError):
                pass  # a value it cannot take in: jsonschema says what is wrong
        return list(self._jsonschema().iter_errors(record))


def _validator() -> Any:
    return _Validator()


# What names a file or is typed on the command line, matched whole and in ASCII digits
# (the schema says the same; this holds even if a pattern there is loosened).
_ID = re.compile(r"[0-9a-f]{16}")
_CREATED_AT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[+-][0-9]{2}:[0-9]{2}|Z)"
)
_ANSWER_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?")


def _whole(pattern: re.Pattern[str], value: Any, where: str) -> None:
    if not (isinstance(value, str) and pattern.fullmatch(value)):
        raise ValueError(f"{where}: {value!r} is not in the form attune writes")


# What a pattern in the schema asks for, in words (its regular expression means
# nothing to a person reading why a record was refused).
_PATTERNS_IN_WORDS = {
    "created_at": "a time with its offset, like 2026-11-30T21:30:00-05:00",
    "written_at": "a time with its offset, like 2026-11-30T21:30:00-05:00",
    "id": "16 lowercase hex digits",
    "refers_to": "16 lowercase hex digits",
    "practice": "a practice id (lowercase letters, digits and dashes)",
}


def _plainly(error: Any) -> str:
    """A schema error as a person reads it: a pattern is said in words."""
    key = next((p for p in reversed(list(error.path)) if isinstance(p, str)), None)
    if error.validator == "pattern" and key in _PATTERNS_IN_WORDS:
        return f"{literal(repr(error.instance)[:60])} is not {_PATTERNS_IN_WORDS[key]}"
    return str(error.message)


def _entry_of(record: Any, validator: Any, store: Store) -> Entry:
    """The entry `record` holds, checked and converted as far as saving it goes.

    Raises ValueError (with the field at fault) for anything that would stop
    `store.save`, so an import finds every problem before it writes a file.
    """
    from attunecli.store import migrate

    if isinstance(record, dict) and isinstance(record.get("schema_version"), int):
        record = migrate(record)
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        at = "/".join(str(p) for p in first.path) or "record"
        raise ValueError(f"{at}: {_plainly(first)}")
    _whole(_ID, record["id"], "id")
    if "refers_to" in record:
        _whole(_ID, record["refers_to"], "refers_to")
    _whole(_CREATED_AT, record["created_at"], "created_at")
    for i, answer in enumerate(record["answers"]):
        _whole(_ANSWER_ID, answer["id"], f"answers/{i}/id")
    entry = Entry.from_json(record)
    try:
        store.path_for(entry)  # its UTC time names the file
    except OverflowError:
        raise ValueError(
            f"created_at: {record['created_at']!r} is outside the years 1 to 9999 in UTC"
        ) from None
    try:
        # What `entry_bytes` will need, checked by the C encoder (the file's own layout,
        # indented, is the slow Python one: it is made once, when saving).
        json.dumps(entry.to_json(), allow_nan=False, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("holds text that is not valid Unicode (a lone surrogate escape)") from None
    except ValueError:
        raise ValueError("holds a number JSON cannot hold (NaN or Infinity)") from None
    return entry


def read_records(source: Path) -> list[tuple[str, Any]]:
    """(where, record) for every record in a json or jsonl export, or in another data dir."""
    if source.is_dir():
        root = source if (source / "entries").is_dir() else source.parent
        problems: dict[Path, str] = {}
        other = Store(root, on_problem=problems.__setitem__)
        found: list[tuple[str, Any]] = []
        for path in other.paths():
            # Read as the reading commands do: no link followed (an entry-named link to a
            # file elsewhere, or to a FIFO that would block), nothing but a regular file
            # opened, and nothing larger than an entry read into memory.
            try:
                raw = other.read_bytes(path)
                if raw is None:
                    found.append((str(path), ValueError(problems.get(path, "not readable"))))
                    continue
                found.append((str(path), json.loads(raw.decode("utf-8"))))
            except (OSError, ValueError, RecursionError) as exc:
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
        except RecursionError:
            raise UsageError(f"{source}: nested too deeply to be an export") from None
        except ValueError as exc:  # a number of more than 4,300 digits
            raise UsageError(f"{source}: not usable JSON ({exc})") from None
        return [(f"{source} record {i + 1}", r) for i, r in enumerate(data)]
    records: list[tuple[str, Any]] = []
    # Lines end at "\n" only: str.splitlines() would also cut at U+2028, NEL and other
    # separators, which JSON text may hold unescaped inside a string.
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append((f"{source} line {n}", json.loads(line)))
        except json.JSONDecodeError as exc:
            records.append((f"{source} line {n}", ValueError(f"not valid JSON ({exc.msg})")))
        except RecursionError:
            records.append((f"{source} line {n}", ValueError("nested too deeply")))
        except ValueError as exc:  # a number of more than 4,300 digits
            records.append((f"{source} line {n}", ValueError(f"not usable JSON ({exc})")))
    return records


IMPORT_BATCH = 1000  # entries made durable together: one sync each


def import_records(
    records: Sequence[tuple[str, Any]],
    store: Store,
    *,
    skip_invalid: bool,
    dry_run: bool = False,
    on_check: Callable[[int, int], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check and convert every record, then (only if all are valid, or `skip_invalid`)
    save the new ones. A record that fails in any way is reported, never half-saved.
    With `dry_run`, `added` lists what would be saved, and nothing is."""
    validator = _validator()
    report = ImportReport()
    known = {p.name.rpartition("-")[2].removesuffix(".json") for p in store.paths()}
    ready: list[Entry] = []
    seen: set[str] = set()
    for n, (where, record) in enumerate(records, start=1):
        if on_check is not None and n % 500 == 0:
            on_check(n, len(records))
        if isinstance(record, Exception):
            report.invalid.append(f"{where}: {' '.join(str(record).split())[:200]}")
            continue
        try:
            entry = _entry_of(record, validator, store)
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as exc:
            report.invalid.append(f"{where}: {' '.join(str(exc).split())[:200]}")
            continue
        if entry.id in known or entry.id in seen:
            report.present.append(entry.id)
            continue
        seen.add(entry.id)
        ready.append(entry)
    if on_check is not None:
        on_check(len(records), len(records))
    if report.invalid and not skip_invalid:
        return report  # nothing at all is written
    if dry_run:
        report.added.extend(e.id for e in ready)
        return report
    for start in range(0, len(ready), IMPORT_BATCH):
        batch = ready[start : start + IMPORT_BATCH]
        try:
            store.save_many(batch)
        except AttuneError as exc:  # the disk, not the record: say how far it got
            raise AttuneError(
                f"{exc.message}; {len(report.added)} of {len(ready)} new entries were added "
                "before this, and importing again adds the rest"
            ) from exc
        report.added.extend(e.id for e in batch)
        if on_progress is not None:
            on_progress(len(report.added), len(ready))
    return report
