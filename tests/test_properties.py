"""Properties over what people and scripts type: answers, option values, dates, ids.

Every run either exits 0, keeps the text exactly (after the documented tidying:
surrounding whitespace trimmed, feeling words lower-cased) and shows it literally,
or exits 2 with one line on stderr and writes nothing. Never a traceback.

Examples are derandomized (the same ones every run) and not stored, so CI is not flaky.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from attunecli.catalog import practice as load_practice
from attunecli.models import Entry
from attunecli.render import literal, summary
from attunecli.session import answer_ids
from tests.conftest import NOW, VALIDATOR

TODAY = NOW.date()
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

PROPS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

NASTY = [
    "[bold]",
    "[/]",
    "[/bold]",
    "[link=http://x]y[/link]",
    "[red]",
    "\x1b[31m",
    "\x1b[0m",
    "\x1b]0;title\x07",
    "\x1b[2J",
    "\x9b31m",
    "\x07",
    "\x08",
    "\r",
    "\n",
    "\t",
    "\x00",
    "\x7f",
    "\x85",
    "\u202e",
    "\u2028",
    "\u200b",
    "\ufeff",
    "é",
    "e\u0301",
    "日本語",
    "👩‍👩‍👧",
    ":smile:",
    "%s",
    "{0}",
    "\\",
    '"',
    "'",
    " ",
]

user_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=4)), max_size=10).map("".join),
    st.builds(
        lambda piece, n: (piece * n)[:n],
        st.sampled_from(["a", "é", "日", "\x1b[", "[b]", "ab "]),
        st.sampled_from([59, 60, 61, 9_999, 10_000, 10_001, 20_000]),
    ),
)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 13),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    user_text,
)
json_value = st.recursive(
    json_scalar,
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3)
    ),
    max_leaves=6,
)


def squash(text: str) -> str:
    return "".join(text.split())


def step_kinds(practice_id: str) -> dict[str, str]:
    """answer id -> step kind."""
    p = load_practice(practice_id)
    return {p.answer_id(sec, st_): st_.kind for sec, st_ in p.steps()}


def expected_text(kind: str, raw: str) -> str | None:
    text = raw.strip()
    if kind == "feeling":
        return text.lower()
    return text or None


def reset(attune_dirs: Path) -> None:
    for name in ("data", "state", "cache"):
        shutil.rmtree(attune_dirs / name, ignore_errors=True)


def files_under(attune_dirs: Path) -> list[Path]:
    return [p for name in ("data", "state", "cache") for p in (attune_dirs / name).rglob("*")]


def assert_usage_error(r: Any, attune_dirs: Path | None = None) -> None:
    assert r.exit_code == 2, (r.exit_code, r.stdout, r.stderr)
    assert r.stdout == ""
    assert r.stderr.endswith("\n") and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("attune: "), r.stderr
    assert not CONTROL.search(r.stderr.rstrip("\n")), r.stderr
    if attune_dirs is not None:
        assert files_under(attune_dirs) == [], "something was written on error"


def no_traceback(r: Any) -> None:
    assert "Traceback" not in r.stdout + r.stderr
    assert "unexpected error" not in r.stderr, r.stderr


def saved_entry(attune_dirs: Path) -> dict[str, Any]:
    [path] = [p for p in (attune_dirs / "data" / "entries").rglob("*") if p.is_file()]
    data = json.loads(path.read_text(encoding="utf-8"))
    VALIDATOR.validate(data)
    return data


def shown_literally(cli: Any, entry: dict[str, Any], texts: list[str]) -> None:
    """`show` prints each text as typed, and `history` the entry's summary line, with
    control characters made visible (ESC as \\x1b) and markup left as it is."""
    line = summary(Entry.from_json(entry))
    for args, expected in (
        (["show", entry["id"]], texts),
        (["history", "--last", "1"], [line] if line else []),
    ):
        r = cli(*args)
        assert r.exit_code == 0, r.stderr
        assert not CONTROL.search(r.stdout.replace("\n", "")), (args, r.stdout[:300])
        for text in expected:
            assert squash(literal(text)) in squash(r.stdout), (args, text[:80])


# --answers


def plausible(step: Any) -> st.SearchStrategy[Any]:
    """A value of the right shape for `step` (which may still be refused, for example as
    too long); `json_value` covers the wrong shapes."""
    words = [o.value for o in step.options] or ["chest", "tight"]
    by_kind: dict[str, st.SearchStrategy[Any]] = {
        "scale": st.integers(step.min - 1, step.max + 1) | st.integers(0, 10).map(str),
        "confirm": st.booleans() | st.sampled_from(["yes", "no", "maybe"]),
        "choice": st.sampled_from(words) | user_text,
        "multi": st.lists(st.sampled_from(words) | user_text, max_size=3),
        "feelings": st.lists(user_text, max_size=3) | user_text,
        "date": st.sampled_from(["tomorrow", "+3", "2026-12-01", "soon"]),
    }
    return by_kind.get(step.kind, user_text)


def answers_strategy(practice_id: str) -> st.SearchStrategy[dict[str, Any]]:
    p = load_practice(practice_id)
    steps = {p.answer_id(sec, s): s for sec, s in p.steps()}
    names = answer_ids(p)  # every name an answer may be given under -> answer id
    feeling_key = "feeling" if practice_id == "slow-down" else "notice.feeling"
    intensity_key = "intensity" if practice_id == "slow-down" else "notice.intensity"

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        keys = draw(st.lists(st.sampled_from(sorted(names)), unique=True, max_size=4))
        if draw(st.integers(0, 5)) == 0:
            keys.append(draw(st.sampled_from(["feelin", "", "notes", "notice", "."])))
        out = {}
        for k in keys:
            shape = plausible(steps[names[k]]) if k in names else user_text
            out[k] = draw(st.one_of(shape, shape, shape, json_value))
        if draw(st.integers(0, 3)):  # mostly a plausible core, so that saves happen too
            out.setdefault(feeling_key, draw(user_text))
            out.setdefault(intensity_key, draw(st.integers(0, 10)))
        return out

    return build()


def check_answers_run(
    cli: Any, attune_dirs: Path, practice_id: str, args: list[str], given_: dict[str, Any]
) -> None:
    reset(attune_dirs)
    r = cli(*args, "--answers", "-", stdin=json.dumps(given_))
    event(f"exit {r.exit_code}")
    no_traceback(r)
    if r.exit_code != 0:
        assert_usage_error(r, attune_dirs)
        return
    entry = saved_entry(attune_dirs)
    stored = {a["id"]: a["answer"] for a in entry["answers"]}
    names = answer_ids(load_practice(practice_id, quick="--quick" in args))
    kinds = step_kinds(practice_id)
    shown: list[str] = []
    last = {names[key]: key for key in given_}  # a step given under two names: the last wins
    for key, raw in given_.items():
        aid = names[key]
        if last[aid] != key:
            continue
        kind = kinds[aid]
        if kind in ("text", "feeling") and isinstance(raw, str):
            assert stored[aid] == expected_text(kind, raw), (key, raw[:80])
            if stored[aid]:
                shown.append(stored[aid])
        if kind == "scale" and raw is not None:
            assert stored[aid] == int(raw)
    shown_literally(cli, entry, shown)


@PROPS
@given(given_=answers_strategy("slow-down"))
def test_slow_down_answers_json(cli: Any, attune_dirs: Path, given_: dict[str, Any]) -> None:
    check_answers_run(cli, attune_dirs, "slow-down", ["slow-down"], given_)


@PROPS
@given(given_=answers_strategy("checkin"))
def test_checkin_answers_json(cli: Any, attune_dirs: Path, given_: dict[str, Any]) -> None:
    check_answers_run(cli, attune_dirs, "checkin", ["checkin"], given_)


@st.composite
def text_answers(draw: Any) -> tuple[str, dict[str, Any]]:
    """Every free-text answer of slow-down or the check-in, under any of its names."""
    practice_id = draw(st.sampled_from(["slow-down", "checkin"]))
    prefix = {
        "slow-down": {},
        "checkin": {
            "feeling": "notice.",
            "intensity": "notice.",
            "trigger": "notice.",
            "note": "close.",
        },
    }[practice_id]
    out: dict[str, Any] = {}
    for step in ("feeling", "intensity", "trigger", "note"):
        name = step if not prefix or draw(st.booleans()) else prefix[step] + step
        if step == "intensity":
            out[name] = draw(st.integers(0, 10) | st.integers(0, 10).map(lambda i: f" {i} "))
        elif step == "feeling" or draw(st.booleans()):
            out[name] = draw(user_text)
    return practice_id, out


@PROPS
@given(case=text_answers())
def test_text_answers_round_trip(
    cli: Any, attune_dirs: Path, case: tuple[str, dict[str, Any]]
) -> None:
    practice_id, given_ = case
    check_answers_run(cli, attune_dirs, practice_id, [practice_id], given_)


def test_one_prompt_given_under_two_names_is_refused(cli: Any, attune_dirs: Path) -> None:
    reset(attune_dirs)
    given_ = {"feeling": "calm", "notice.feeling": "sad", "notice.intensity": 3}
    r = cli("checkin", "--answers", "-", stdin=json.dumps(given_))
    assert_usage_error(r, attune_dirs)


@PROPS
@given(raw=st.one_of(json_value, st.text(max_size=30), st.binary(max_size=30).map(repr)))
def test_answers_that_are_not_an_object(cli: Any, attune_dirs: Path, raw: Any) -> None:
    reset(attune_dirs)
    text = raw if isinstance(raw, str) else json.dumps(raw)
    r = cli("slow-down", "--answers", "-", stdin=text)
    no_traceback(r)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and r.exit_code == 0:
        return
    assert_usage_error(r, attune_dirs)


# option values


def intensity_ok(text: str) -> bool:
    """What an int option accepts: Python's int() of the text, then 0 to 10."""
    try:
        value = int(text)
    except ValueError:
        return False
    return 0 <= value <= 10


intensity_text = st.one_of(
    st.integers(-3, 13).map(str),
    st.integers().map(str),
    st.sampled_from([" 5", "5 ", "+5", "05", "1_0", "٥", "five", "", "5.0", "0x5", "-0", "1e1"]),
    st.text(max_size=4),
)


@PROPS
@given(
    practice=st.sampled_from(["slow-down", "checkin"]),
    feeling=user_text,
    intensity=intensity_text,
    note=st.none() | user_text,
)
def test_option_values(
    cli: Any,
    attune_dirs: Path,
    practice: str,
    feeling: str,
    intensity: str,
    note: str | None,
) -> None:
    reset(attune_dirs)
    args = [practice] + (["--quick"] if practice == "checkin" else [])
    args += [f"--feeling={feeling}", f"--intensity={intensity}"]
    if note is not None:
        args.append(f"--note={note}")
    r = cli(*args)
    event(f"exit {r.exit_code}")
    no_traceback(r)
    word = feeling.strip()
    ok = (
        intensity_ok(intensity)
        and len(word) <= 10_000
        and 0 < len(word.lower()) <= 60
        and (note is None or len(note.strip()) <= 10_000)
    )
    if not ok:
        assert_usage_error(r, attune_dirs)
        return
    assert r.exit_code == 0, r.stderr
    entry = saved_entry(attune_dirs)
    stored = {a["id"].rpartition(".")[2]: a["answer"] for a in entry["answers"]}
    assert stored["feeling"] == word.lower()
    assert stored["intensity"] == int(intensity)
    assert stored.get("note") == (expected_text("text", note) if note is not None else None)
    shown_literally(cli, entry, [t for t in (stored["feeling"], stored.get("note")) if t])


# dates


def padded(text: str) -> st.SearchStrategy[str]:
    return st.tuples(
        st.sampled_from(["", " ", "\t"]), st.sampled_from([str.lower, str.upper, str.title])
    ).map(lambda t: t[0] + t[1](text) + t[0])


@st.composite
def a_day(draw: Any) -> tuple[str, date | None]:
    """A --since/--until value and the day it means (None: not a date at all)."""
    kind = draw(st.sampled_from(["iso", "iso", "rel", "word", "junk"]))
    if kind == "iso":
        # Every day except the last one at either end of the calendar (tested on its own below).
        d = draw(st.dates(min_value=date(1, 1, 2), max_value=date(9999, 12, 29)))
        return draw(padded(d.isoformat())), d
    if kind == "rel":
        n = draw(st.integers(0, 99_999))
        unit = draw(st.sampled_from(["d", "w"]))
        sep = draw(st.sampled_from(["", " "]))
        return draw(padded(f"{n}{sep}{unit}")), TODAY - timedelta(
            days=n * (7 if unit == "w" else 1)
        )
    if kind == "word":
        word = draw(st.sampled_from(["today", "yesterday"]))
        return draw(padded(word)), TODAY - timedelta(days=0 if word == "today" else 1)
    return draw(
        st.one_of(st.text(max_size=12), st.sampled_from(["2026-02-30", "7x", "w7", "-1d"]))
    ), None


@pytest.fixture
def spread(cli: Any, clock: Any, data_dir: Path) -> dict[str, date]:
    """Entries on a handful of local days: id -> day."""
    out = {}
    for when in (NOW - timedelta(days=400), NOW - timedelta(days=8), NOW - timedelta(days=1), NOW):
        clock.now = when.replace(hour=23, minute=30)  # late: the UTC file name is the next day
        r = cli("slow-down", "--feeling", "calm", "--intensity", "1", "--json")
        out[json.loads(r.stdout)["id"]] = clock.now.date()
    clock.now = NOW
    return out


@PROPS
@given(since=st.none() | a_day(), until=st.none() | a_day())
def test_history_since_until(
    cli: Any, spread: dict[str, date], since: tuple[str, Any] | None, until: tuple[str, Any] | None
) -> None:
    args = ["history", "--json", "--last", "100"]
    if since is not None:
        args += ["--since", since[0]]
    if until is not None:
        args += ["--until", until[0]]
    r = cli(*args)
    event(f"exit {r.exit_code}")
    no_traceback(r)
    known = all(x is None or x[1] is not None for x in (since, until))
    lo = since[1] if since else None
    hi = until[1] if until else None
    if not known:
        assert r.exit_code in (0, 2), r.stderr
        if r.exit_code == 2:
            assert_usage_error(r)
        return
    if lo and hi and lo > hi:
        assert_usage_error(r)
        assert "is after" in r.stderr
        return
    assert r.exit_code == 0, r.stderr
    listed = {e["id"] for e in json.loads(r.stdout)}
    expected = {i for i, d in spread.items() if (lo is None or d >= lo) and (hi is None or d <= hi)}
    assert listed == expected


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "0001-01-01"],
        ["--until", "9999-12-31"],
        ["--until", "9999-12-30"],
        ["--since", "0001-01-01", "--until", "9999-12-31"],
    ],
)
def test_history_at_the_ends_of_the_calendar(cli: Any, spread: Any, args: list[str]) -> None:
    r = cli("history", "--json", *args)
    no_traceback(r)
    assert r.exit_code == 0, r.stderr
    assert len(json.loads(r.stdout)) == len(spread)


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@st.composite
def a_follow_up(draw: Any) -> tuple[str, date | None]:
    kind = draw(st.sampled_from(["iso", "plus", "in", "suffix", "weekday", "word", "junk"]))
    if kind == "iso":
        d = draw(st.dates())
        return draw(padded(d.isoformat())), d
    n = draw(st.integers(0, 999))
    if kind == "plus":
        return draw(padded(f"+{n}")), TODAY + timedelta(days=n)
    if kind == "in":
        return draw(padded(f"in {n} days")), TODAY + timedelta(days=n)
    if kind == "suffix":
        return draw(
            padded(f"{n}{draw(st.sampled_from(['d', ' d', ' day', ' days']))}")
        ), TODAY + timedelta(days=n)
    if kind == "weekday":
        i = draw(st.integers(0, 6))
        name = WEEKDAYS[i] if draw(st.booleans()) else WEEKDAYS[i][:3]
        ahead = (i - TODAY.weekday()) % 7 or 7
        return draw(padded(name)), TODAY + timedelta(days=ahead)
    if kind == "word":
        word = draw(st.sampled_from(["today", "now", "tomorrow"]))
        return draw(padded(word)), TODAY + timedelta(days=1 if word == "tomorrow" else 0)
    return draw(
        st.one_of(
            st.text(max_size=12), st.sampled_from(["someday", "+1000", "in 5 weeks", "2026-02-29"])
        )
    ), None


@PROPS
@given(follow=a_follow_up())
def test_repair_follow_up(cli: Any, attune_dirs: Path, follow: tuple[str, date | None]) -> None:
    reset(attune_dirs)
    text, when = follow
    r = cli(
        "repair",
        "--context=friend",
        "--what=late",
        "--their-feeling=hurt",
        "--my-part=I forgot",
        f"--follow-up={text}",
    )
    event(f"exit {r.exit_code}")
    no_traceback(r)
    if when is None and r.exit_code != 0:
        assert_usage_error(r, attune_dirs)
        return
    assert r.exit_code == 0, r.stderr
    entry = saved_entry(attune_dirs)
    stored = {a["id"]: a["answer"] for a in entry["answers"]}
    if when is not None:
        assert stored["follow_up"] == when.isoformat(), text
    else:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stored["follow_up"])


# ids


@pytest.fixture
def five(cli: Any, clock: Any) -> list[str]:
    ids = []
    for i in range(5):
        clock.advance(minutes=1)
        r = cli("checkin", "--quick", "--feeling", "calm", "--intensity", str(i), "--json")
        ids.append(json.loads(r.stdout)["id"])
    return ids


@st.composite
def an_id(draw: Any, ids: list[str]) -> str:
    kind = draw(st.sampled_from(["prefix", "hex", "text", "nasty"]))
    if kind == "prefix":
        whole = draw(st.sampled_from(ids))
        cut = draw(st.integers(1, 16))
        return draw(padded(whole[:cut]))
    if kind == "hex":
        return draw(st.from_regex(r"[0-9a-fA-F]{1,34}", fullmatch=True))
    if kind == "nasty":
        return draw(st.lists(st.sampled_from(NASTY), min_size=1, max_size=4).map("".join))
    return draw(st.text(max_size=40))


@PROPS
@given(data=st.data())
def test_show_any_id(cli: Any, five: list[str], data: Any) -> None:
    text = data.draw(an_id(five))
    r = cli("show", "--", text)
    event(f"exit {r.exit_code}")
    no_traceback(r)
    key = text.strip().lower()
    matches = [i for i in five if i.startswith(key)]
    if not re.fullmatch(r"[0-9a-f]{1,32}", key):
        assert_usage_error(r)
        assert "not an entry id" in r.stderr
    elif len(matches) == 1:
        assert r.exit_code == 0, r.stderr
        assert f"id {matches[0]}" in r.stdout
    elif matches:
        assert_usage_error(r)
        assert "give more of the id" in r.stderr
    else:
        assert r.exit_code == 1
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("attune: no entry with an id")
        assert not CONTROL.search(r.stderr.rstrip("\n"))


# text that is not UTF-8


@pytest.mark.parametrize(
    "content",
    [
        b'{"feeling": "caf\xe9", "intensity": 3}',
        b"\xff\xfe{\x00}\x00",
        b'{"feeling": "calm", "intensity": 3, "note": "\xed\xa0\x80"}',  # an encoded surrogate
        b'{"feeling": "calm\xc0\xaf", "intensity": 3}',  # an overlong encoding
    ],
)
def test_answers_file_that_is_not_utf8(
    cli: Any, attune_dirs: Path, tmp_path: Path, content: bytes
) -> None:
    f = tmp_path / "inputs" / "answers.json"
    f.parent.mkdir()
    f.write_bytes(content)
    reset(attune_dirs)
    r = cli("slow-down", "--answers", str(f))
    no_traceback(r)
    assert_usage_error(r, attune_dirs)
    assert "--answers" in r.stderr


@pytest.mark.parametrize("key", ["feeling", "note", "trigger"])
def test_a_json_escaped_lone_surrogate_in_answers(cli: Any, attune_dirs: Path, key: str) -> None:
    reset(attune_dirs)
    given_ = {"feeling": "calm", "intensity": 3, key: "x\udcffy"}
    r = cli("slow-down", "--answers", "-", stdin=json.dumps(given_))
    no_traceback(r)
    assert_usage_error(r, attune_dirs)


def subprocess_run(
    args: list[str | bytes], stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    for name in ("NO_COLOR", "ATTUNE_NO_INPUT", "ATTUNE_DEBUG"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "attunecli", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )


def check_subprocess(proc: subprocess.CompletedProcess[bytes], attune_dirs: Path) -> None:
    err = proc.stderr.decode("utf-8", "backslashreplace")
    assert "Traceback" not in err
    assert "unexpected error" not in err, err
    assert proc.returncode in (0, 2), err
    if proc.returncode == 2:
        assert err.count("\n") == 1 and err.startswith("attune: "), err
        assert files_under(attune_dirs) == [] or not (attune_dirs / "data").exists()


NOT_UTF8 = os.fsencode("\udcff")  # the byte 0xff, as a shell would pass it


@pytest.mark.parametrize(
    "args",
    [
        ["show", NOT_UTF8],
        ["history", "--since", NOT_UTF8],
        ["slow-down", "--feeling", "calm", "--intensity", NOT_UTF8],
        ["reflect", "--context", NOT_UTF8, "--what", "x", "--their-feeling", "hurt"],
        ["config", "set", "attachment", NOT_UTF8],
        [NOT_UTF8],
    ],
)
def test_a_non_utf8_argument(attune_dirs: Path, args: list[str | bytes]) -> None:
    reset(attune_dirs)
    check_subprocess(subprocess_run(args), attune_dirs)


@pytest.mark.parametrize("command", [["path"], ["history"], ["doctor", "--json"]])
def test_a_non_utf8_data_dir(attune_dirs: Path, command: list[str]) -> None:
    reset(attune_dirs)
    where = os.fsencode(attune_dirs) + b"/data-\xff"
    proc = subprocess_run(["--data-dir", where, *command])
    check_subprocess(proc, attune_dirs)


@pytest.mark.parametrize(
    "args",
    [
        ["slow-down", "--feeling", NOT_UTF8, "--intensity", "3"],
        ["checkin", "--quick", "--feeling", "calm", "--intensity", "3", "--note", b"caf\xe9"],
    ],
)
def test_a_non_utf8_byte_in_free_text(attune_dirs: Path, args: list[str | bytes]) -> None:
    reset(attune_dirs)
    check_subprocess(subprocess_run(args), attune_dirs)


def test_answers_on_stdin_that_are_not_utf8(attune_dirs: Path) -> None:
    reset(attune_dirs)
    proc = subprocess_run(
        ["slow-down", "--answers", "-"], stdin=b'{"feeling": "caf\xe9", "intensity": 3}'
    )
    check_subprocess(proc, attune_dirs)
    assert proc.returncode == 2
