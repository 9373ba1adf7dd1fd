"""Issue 11, item 21: random entry files on disk, and every read command over them.

Good entries are drawn from the published schema itself (its required keys, enums,
patterns, and each answer kind's `then` rule), and each is checked against the
schema before it is written. Bad ones break the shape the readers must refuse:
wrong types, missing keys, nulls, nesting too deep to parse, invalid JSON, bytes
that are not UTF-8, files cut short. Beside them lie two known good entries. Every
read command must exit as the README documents, print no traceback and no raw
control character, name each bad file on stderr, and still show every good entry.

In process (the conftest's `cli`, the Typer path with injected streams), so
hypothesis can try many stores within the time a CI run allows; derandomized and
without an example database, so every run tries the same stores.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunecli.fsutil import shown
from attunecli.store import migrate
from tests.conftest import SCHEMA, VALIDATOR

pytestmark = pytest.mark.planted

DEFS = SCHEMA["$defs"]
PROPS = SCHEMA["properties"]
ANSWER = DEFS["answer"]
MARK = "fuzzmarker"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # newline aside, no control character

# ------------------------------------------------------------------ from the schema


def _pattern(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    """Strings matching a schema pattern (its `$(?!\\n)` is Python's whole-string match)."""
    body = spec["pattern"].removeprefix("^").removesuffix("$(?!\\n)")
    return st.from_regex(body, fullmatch=True)


# Text as people type it, odd Unicode and control characters included (an entry may
# hold any string; what matters is that no output ever sends them raw).
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from("\x1b\x07\r\x9b\u202e"),
    max_size=16,
)


def _strings(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    """A string field: its enum, any of its alternatives, its pattern, or any text."""
    if "enum" in spec:
        return st.sampled_from(spec["enum"])
    if "anyOf" in spec:
        return st.one_of(*[_strings(alt) for alt in spec["anyOf"]])
    if "pattern" in spec:
        return _pattern(spec)
    return TEXT


def _of_type(spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A value for a `then.properties.answer` (or details) rule of the schema."""
    if "enum" in spec:
        return st.sampled_from(spec["enum"])
    kind = spec.get("type")
    if kind == "integer":
        return st.integers(spec.get("minimum", -(2**31)), spec.get("maximum", 2**31))
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(_of_type(spec.get("items", {"type": "string"})), max_size=3)
    if kind == "string" and spec.get("format") == "date":
        return st.dates().map(lambda d: d.isoformat())
    if kind == "string":
        return TEXT
    if kind == "object" and "required" in spec:  # a guide's answer
        return st.fixed_dictionaries({k: st.integers(0, 600) for k in spec["required"]}).map(
            lambda d: {**d, "stopped_early": bool(d["stopped_early"] % 2)}
        )
    if kind == "object":
        return st.dictionaries(TEXT, TEXT, max_size=2)
    if "$ref" in spec:
        return _flags()
    return st.none()


def _flags() -> st.SearchStrategy[list[dict[str, Any]]]:
    item = DEFS["reply_flags"]["items"]["properties"]
    return st.lists(
        st.fixed_dictionaries(
            {"kind": st.sampled_from(item["kind"]["enum"]), "note": TEXT},
            optional={"phrase": TEXT},
        ),
        max_size=2,
    )


def _then_for(kind: str) -> dict[str, Any] | None:
    """The schema's rule for an answer of `kind`, from its allOf if/then."""
    for rule in ANSWER["allOf"]:
        cond = rule["if"]["properties"]["kind"]
        if cond.get("const") == kind or kind in cond.get("enum", []):
            return dict(rule["then"]["properties"]["answer"])
    return None


@st.composite
def answers(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(ANSWER["properties"]["kind"]["enum"]))
    rule = _then_for(kind)
    if rule is None:  # compose, reply and the like: any of the answer's types
        value = draw(st.none() | TEXT | st.integers(-5, 50) | st.booleans())
    else:
        value = draw(st.none() | _of_type(rule))
    out = {
        "id": draw(_pattern(ANSWER["properties"]["id"])),
        "kind": kind,
        "question": draw(TEXT),
        "answer": value,
    }
    props = ANSWER["properties"]["details"]["properties"]
    keys = draw(st.lists(st.sampled_from(sorted(props)), max_size=3, unique=True))
    if keys:
        out["details"] = {k: draw(_of_type(props[k])) for k in keys}
    return out


ZONES = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@st.composite
def good_entries(draw: Any, prefix: str) -> dict[str, Any]:
    """An entry the schema accepts, every key drawn from the schema's own rules."""
    when = draw(st.datetimes(datetime(2020, 1, 1), datetime(2026, 11, 1), timezones=ZONES))
    entry: dict[str, Any] = {
        "schema_version": PROPS["schema_version"]["const"],
        "id": prefix + draw(_pattern(PROPS["id"]))[len(prefix) :],
        "created_at": when.replace(microsecond=0).isoformat(),
        "practice": draw(_strings(PROPS["practice"])),
        "complete": draw(st.booleans()),
        "answers": draw(st.lists(answers(), max_size=4)),
    }
    if entry["practice"] == "repair-done" or draw(st.booleans()):
        entry["refers_to"] = draw(_pattern(PROPS["refers_to"]))
    if draw(st.booleans()):
        entry["app_version"] = draw(TEXT)
    assert re.fullmatch(PROPS["created_at"]["pattern"][1:-7], entry["created_at"])
    return entry


# ------------------------------------------------------------------ breaking the shape

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _wrong(value: Any, wanted: type | tuple[type, ...]) -> bool:
    if wanted is int:
        return not isinstance(value, int) or isinstance(value, bool)
    return not isinstance(value, wanted)


@st.composite
def bad_files(draw: Any, prefix: str) -> tuple[str, bytes]:
    """(how it is broken, the file's bytes): a shape every reader must refuse."""
    entry = draw(good_entries(prefix))
    how = draw(
        st.sampled_from(
            [
                "wrong type",
                "missing key",
                "null",
                "answer wrong type",
                "scale out of range",
                "too deep",
                "not json",
                "truncated",
                "not utf-8",
                "not an object",
            ]
        )
    )
    text_keys = {"id": str, "created_at": str, "practice": str, "answers": list, "complete": bool}
    if how == "wrong type":
        key = draw(st.sampled_from(sorted(text_keys)))
        entry[key] = draw(JUNK.filter(lambda v, k=key: _wrong(v, text_keys[k]) and v is not None))
    elif how == "missing key":
        del entry[
            draw(st.sampled_from(["schema_version", "id", "created_at", "practice", "answers"]))
        ]
    elif how == "null":
        entry[draw(st.sampled_from(["id", "created_at", "practice", "answers"]))] = None
    elif how == "answer wrong type":
        key = draw(st.sampled_from(["id", "kind", "question"]))
        bad = {"id": "x", "kind": "text", "question": "q?", "answer": None}
        bad[key] = draw(JUNK.filter(lambda v: not isinstance(v, str)))
        entry["answers"].insert(draw(st.integers(0, len(entry["answers"]))), bad)
    elif how == "scale out of range":
        value = draw(st.integers(11, 10**6) | st.integers(-(10**6), -1) | st.just("3"))
        entry["answers"].append({"id": "x", "kind": "scale", "question": "q?", "answer": value})
    raw = json.dumps(entry, ensure_ascii=draw(st.booleans())).encode()
    if how == "too deep":
        depth = draw(st.integers(5_000, 60_000))
        raw = raw[:-1] + b', "answers": ' + b"[" * depth + b"]" * depth + b"}"
        raw = raw.replace(b'"answers": [', b'"_": [', 1)
    elif how == "not json":
        raw = draw(st.sampled_from([b"{", b"{'id': 1}", b"", b"\x00", b'{"a": 1,}', b"NaN"]))
    elif how == "truncated":
        raw = raw[: draw(st.integers(0, len(raw) - 1))]
    elif how == "not utf-8":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\xed\xa0\x80"])) + raw[at:]
    elif how == "not an object":
        raw = json.dumps(draw(st.lists(st.integers(), max_size=2) | st.integers())).encode()
    return how, raw


# ------------------------------------------------------------------ on disk


def name_of(entry_id: str, created_at: str | None) -> str:
    try:
        when = datetime.fromisoformat(created_at or "").astimezone(UTC)
    except (TypeError, ValueError, OverflowError):
        when = datetime(2026, 10, 1, tzinfo=UTC)
    return f"{when:%Y%m%dT%H%M%SZ}-{entry_id}.json"


def put(data_dir: Path, name: str, raw: bytes) -> Path:
    stamp = name[:8]
    folder = data_dir / "entries" / stamp[:4] / stamp[4:6]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    path.write_bytes(raw)
    path.chmod(0o600)
    return path


KNOWN = [
    {
        "schema_version": 1,
        "id": "a0000000000000f1",
        "created_at": "2026-11-20T10:00:00-05:00",
        "practice": "checkin",
        "complete": True,
        "answers": [
            {"id": "notice.feeling", "kind": "feeling", "question": "Which?", "answer": "calm"},
            {"id": "notice.intensity", "kind": "scale", "question": "How?", "answer": 3},
            {"id": "close.note", "kind": "text", "question": "Note?", "answer": MARK + " one"},
        ],
    },
    {
        "schema_version": 1,
        "id": "a0000000000000f2",
        "created_at": "2026-11-21T09:00:00+01:00",
        "practice": "repair",
        "complete": True,
        "answers": [
            {"id": "context", "kind": "choice", "question": "Who?", "answer": "partner"},
            {"id": "what", "kind": "text", "question": "What?", "answer": MARK + " two"},
            {"id": "follow_up", "kind": "date", "question": "When?", "answer": "2026-11-24"},
        ],
    },
]

# (args, what it shows of the good entries, whether it names bad files on stderr)
READS: list[tuple[tuple[str, ...], str, bool]] = [
    (("history", "--last", "1000"), "ids", True),
    (("history", "--last", "1000", "--json"), "json", True),
    (("show", KNOWN[0]["id"]), "known", False),
    (("search", MARK, "--all", "--json"), "json-known", True),
    (("insights", "--all"), "", True),
    (("insights", "--all", "--json"), "", True),
    (("repairs", "--json"), "", True),
    (("export", "--format", "json"), "json", True),
    (("export", "--format", "csv"), "ids", True),
    (("export", "--format", "md"), "", True),
    (("doctor",), "", False),
]


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    goods=st.lists(st.integers(0, 0), max_size=3).flatmap(
        lambda xs: st.tuples(*[good_entries(f"c{i:x}") for i in range(len(xs))])
    ),
    bads=st.lists(st.integers(0, 0), min_size=1, max_size=3).flatmap(
        lambda xs: st.tuples(*[bad_files(f"d{i:x}") for i in range(len(xs))])
    ),
)
def test_random_entry_files_never_break_a_read_command(
    cli: Any,
    data_dir: Path,
    attune_dirs: Path,
    goods: tuple[dict[str, Any], ...],
    bads: tuple[tuple[str, bytes], ...],
) -> None:
    shutil.rmtree(data_dir / "entries", ignore_errors=True)
    shutil.rmtree(attune_dirs / "cache", ignore_errors=True)
    good = [*KNOWN, *goods]
    for entry in good:
        VALIDATOR.validate(migrate(dict(entry)))  # drawn from the schema, and held to it
        put(data_dir, name_of(entry["id"], entry["created_at"]), json.dumps(entry).encode())
    bad = [
        put(data_dir, f"2026100{1 + i}T000000Z-d{i:x}{'0' * 14}.json", raw)
        for i, (_how, raw) in enumerate(bads)
    ]
    hows = [how for how, _ in bads]
    good_ids = {e["id"] for e in good}
    for args, shows, names in READS:
        r = cli(*args)
        where = (" ".join(args), hows)
        want = {1} if args[0] == "doctor" else {0}
        assert r.exit_code in want, (where, r.exit_code, r.stderr[-2000:])
        assert "Traceback" not in r.stdout + r.stderr, where
        assert "unexpected error" not in r.stderr, (where, r.stderr)
        text_out = r.stdout if "--json" not in args and "json" not in args else ""
        assert RAW.search(text_out.replace("\r\n", "\n")) is None, (where, "raw control")
        assert RAW.search(r.stderr) is None, (where, "raw control on stderr")
        for path in bad:
            seen = r.stdout + r.stderr if args[0] == "doctor" else r.stderr
            lines = [x for x in seen.splitlines() if shown(path) in x]
            if names:
                assert len(lines) == 1, (where, shown(path), r.stderr[-2000:])
                assert lines[0].startswith("attune: warning: skipped "), (where, lines)
            elif args[0] == "doctor":
                assert lines, (where, "doctor did not name", shown(path))
            assert shown(path) not in (r.stdout if args[0] != "doctor" else ""), where
        if shows == "json":
            ids = {e["id"] for e in json.loads(r.stdout)}
            assert ids == good_ids, (where, ids ^ good_ids)
        elif shows == "ids":
            for entry in good:
                assert entry["id"][:8] in r.stdout, (where, entry["id"])
        elif shows == "known":
            assert MARK + " one" in r.stdout, (where, r.stdout)
        elif shows == "json-known":
            ids = {e["id"] for e in json.loads(r.stdout)}
            assert {k["id"] for k in KNOWN} <= ids, (where, ids)
