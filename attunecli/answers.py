"""Check and tidy one answer against its step; the same rules for typed and scripted answers.

`normalise` returns the value to store plus details worth keeping beside it, or
raises `UsageError` with one line that lists what is allowed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from attunecli.catalog import vocabulary
from attunecli.errors import UsageError
from attunecli.models import JSON, KINDS, Step

_TRUE = {"y", "yes", "true", "1", "on"}
_FALSE = {"n", "no", "false", "0", "off"}
MAX_TEXT = 10_000


def _valid(step: Step, text: str) -> str:
    """Text that can be written as UTF-8 (no lone surrogates, as from a stray byte)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{step.id}: not valid text (a byte that is not UTF-8?)") from None
    return text


def _text(step: Step, raw: JSON) -> str:
    if not isinstance(raw, str):
        raise UsageError(f"{step.id}: expected text, got {type(raw).__name__}")
    text = _valid(step, raw).strip()
    if len(text) > MAX_TEXT:
        raise UsageError(f"{step.id}: at most {MAX_TEXT} characters, got {len(text)}")
    return text


def parse_scale(step: Step, raw: JSON) -> int:
    allowed = f"a whole number from {step.min} to {step.max}"
    if isinstance(raw, bool):
        raise UsageError(f"{step.id}: expected {allowed}, got {raw!r}")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and re.fullmatch(r"\s*-?\d{1,6}\s*", raw):
        raw = int(raw)
    if not isinstance(raw, int):
        raise UsageError(f"{step.id}: expected {allowed}, got {str(raw)[:40]!r}")
    if not step.min <= raw <= step.max:
        raise UsageError(f"{step.id}: {raw} is out of range; expected {allowed}")
    return raw


def _match_option(step: Step, raw: str) -> str | None:
    key = raw.strip().lower()
    for o in step.options:
        if key in (o.value.lower(), o.label.lower()):
            return o.value
    return None


def _choices_line(step: Step) -> str:
    return ", ".join(o.value for o in step.options)


def parse_choice(step: Step, raw: JSON) -> str:
    if not isinstance(raw, str):
        raise UsageError(f"{step.id}: expected one of: {_choices_line(step)}")
    value = _match_option(step, raw)
    if value is None:
        raise UsageError(
            f"{step.id}: unknown value {raw[:40]!r}; expected one of: {_choices_line(step)}"
        )
    return value


def _as_list(step: Step, raw: JSON) -> list[str]:
    """A list answer's items. One string is one item, commas and all: "When I cancel,
    what goes through your mind?" is one question. Several come as a JSON array or
    as a repeated option."""
    if isinstance(raw, str):
        items = [raw]
    elif isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        items = raw
    else:
        raise UsageError(f"{step.id}: expected a list of strings, or one string")
    out: list[str] = []
    for item in items:
        word = " ".join(_valid(step, item).split())
        if word and word not in out:
            out.append(word)
    return out


def _need_some(step: Step, values: list[str]) -> None:
    if not values and not step.optional:
        raise UsageError(f"{step.id}: an answer is needed")


def parse_multi(step: Step, raw: JSON) -> list[str]:
    values: list[str] = []
    for item in _as_list(step, raw):
        value = _match_option(step, item)
        if value is None:
            if not step.allow_other:
                allowed = _choices_line(step)
                raise UsageError(
                    f"{step.id}: unknown value {item[:40]!r}; expected any of: {allowed}"
                )
            value = item[:200]
        if value not in values:
            values.append(value)
    _need_some(step, values)
    return values


def feeling_details(word: str) -> dict[str, JSON]:
    f = vocabulary().get(word)
    if f is None:
        return {"own_word": True}
    return {"quadrant": f.quadrant}


def parse_feeling(step: Step, raw: JSON) -> str:
    word = _text(step, raw).lower()
    # Punctuation alone (" , ,") names nothing; an emoji does, so only P* and Z* count as empty.
    if not any(not unicodedata.category(c).startswith(("P", "Z")) for c in word):
        raise UsageError(f"{step.id}: a feeling word is needed")
    if len(word) > 60:
        raise UsageError(f"{step.id}: a feeling word of at most 60 characters, got {len(word)}")
    return word


def parse_confirm(step: Step, raw: JSON) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise UsageError(f"{step.id}: expected yes or no, got {str(raw)[:40]!r}")


def parse_date(text: str, today: date) -> date:
    """today, tomorrow, +N, in N days, a weekday name, or YYYY-MM-DD."""
    t = " ".join(text.strip().lower().split())
    if t in ("today", "now"):
        return today
    if t == "tomorrow":
        return today + timedelta(days=1)
    m = re.fullmatch(r"(?:\+|in )?(\d{1,3})(?: ?d| days?)?", t)
    if m and (t.startswith(("+", "in ")) or t.endswith(("d", "day", "days"))):
        return today + timedelta(days=int(m.group(1)))
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    for i, name in enumerate(weekdays):
        if t in (name, name[:3]):
            ahead = (i - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    try:
        return date.fromisoformat(t)
    except ValueError:
        raise UsageError(
            f"not a date: {text[:40]!r}; use today, tomorrow, +3, a weekday, or YYYY-MM-DD"
        ) from None


def normalise(step: Step, raw: JSON, now: datetime) -> tuple[JSON, dict[str, Any]]:
    """The value to store for `raw`, and details to keep with it.

    `None` (or empty text) on an optional step means "skipped" and is stored as null.
    """
    details: dict[str, Any] = {}
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        if step.optional or KINDS[step.kind].may_be_empty:
            return None, details
        raise UsageError(f"{step.id}: an answer is needed")
    kind = step.kind
    if KINDS[kind].free_text:
        return _text(step, raw), details
    if kind == "scale":
        if step.measure:
            details["measure"] = step.measure
        if step.max != 10:  # a 0-5 scale: its top, so 4 of 5 is read as near the top
            details["of"] = step.max
        return parse_scale(step, raw), details
    if kind == "choice":
        return parse_choice(step, raw), details
    if kind == "multi":
        return parse_multi(step, raw), details
    if kind == "feeling":
        word = parse_feeling(step, raw)
        return word, feeling_details(word)
    if kind == "feelings":
        words = list(dict.fromkeys(parse_feeling(step, w) for w in _as_list(step, raw)))
        _need_some(step, words)
        own = [w for w in words if vocabulary().get(w) is None]
        if own:
            details["own_words"] = own
        return words, details
    if kind == "confirm":
        return parse_confirm(step, raw), details
    if kind == "date":
        if isinstance(raw, date):
            return raw.isoformat(), details
        return parse_date(_text(step, raw), now.date()).isoformat(), details
    if kind == "guide":
        return raw, details
    raise UsageError(f"{step.id}: cannot answer a step of kind {kind}")


def read_json_answers(source: str, stdin_text: Callable[[], str]) -> object:
    """The JSON given with `--answers FILE` or `--answers -`, parsed; a UsageError (exit 2)
    for a missing or unreadable file and for anything `json` cannot turn into data."""
    import json
    from pathlib import Path

    try:
        text = stdin_text() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--answers: no such file: {source}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--answers: could not read {source}: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--answers: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise UsageError("--answers: not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise UsageError(f"--answers: not usable JSON ({exc})") from None
