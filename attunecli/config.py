"""The small settings file: `config.toml` in the config dir.

Only a few keys exist; unknown keys are kept as they are when attune writes the
file back, so a newer version's settings survive an older version, and so are
the user's comments (see "writing" below).
"""

from __future__ import annotations

import contextlib
import math
import re
import tomllib
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from attunecli.catalog import ATTACHMENT_ALIASES, ATTACHMENT_CHOICES, ATTACHMENT_STYLES
from attunecli.days import clock_time
from attunecli.errors import AttuneError, UsageError
from attunecli.fsutil import NotRegular, TooLarge, read_regular, shown, write_atomic


def _check_day_start(value: str) -> str:
    found = clock_time(value)
    if found is None:
        raise UsageError(f"day-start: expected a time like 04:00, got {value[:40]!r}")
    return f"{found:%H:%M}"


_REGION = re.compile(r"^[A-Za-z]{2}$")


def _check_region(value: str) -> str:
    v = value.strip().upper()
    if not _REGION.match(v):
        raise UsageError(
            f"region: expected a two-letter country code like GB or US, got {value[:40]!r}"
        )
    return "GB" if v == "UK" else v


# key -> the allowed values (a tuple) or a function that checks and tidies one.
SETTINGS: dict[str, tuple[str, ...] | Callable[[str], str]] = {
    "attachment": ATTACHMENT_CHOICES,
    "day-start": _check_day_start,
    "region": _check_region,
}
DEFAULTS: dict[str, str] = {"day-start": "04:00"}


MAX_CONFIG_BYTES = 1 << 20  # a settings file is a few lines; a MiB is not one
# Written at the top of a new config.toml: each key, what it takes and what it does.
HEADER = (
    "attune settings. Change them here or with `attune config set KEY VALUE`.",
    "attachment: secure, anxious, avoidant, fearful-avoidant or unsure. Adds one tip to",
    "  each practice; it never scores you, and patterns shift between relationships.",
    "day-start: when a new day begins, like 04:00 (the default), so a check-in after",
    "  midnight still counts for the evening before.",
    "region: a two-letter country code (GB, US, AU...): whose help lines come first.",
)


def _read(path: Path) -> str | None:
    """The text of `path`, or None when there is no file.

    Every command reads this, so only a regular file is opened: a FIFO or a
    device in its place would block or never end (see `read_regular`).
    """
    try:
        data = read_regular(path, limit=MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return None
    except NotRegular:
        raise AttuneError(
            f"{shown(path)} is not a regular file; attune reads its settings only from "
            "one (move it away or delete it)"
        ) from None
    except TooLarge:
        raise AttuneError(
            f"{shown(path)} is too large to be attune's settings (over "
            f"{MAX_CONFIG_BYTES >> 20} MiB); fix or delete it"
        ) from None
    except OSError as exc:
        raise AttuneError(f"could not read {shown(path)}: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AttuneError(
            f"could not read {shown(path)}: not valid UTF-8 ({exc.reason} at byte {exc.start})"
        ) from exc


def _parse(text: str, path: Path) -> dict[str, Any]:
    """The settings in `text`; a failure of any kind is one line naming the file."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        why = shown(str(exc))
    except (RecursionError, MemoryError):
        why = "nested too deeply to read"
    except Exception as exc:  # the parser's own failure on odd input: still one line
        why = shown(f"{type(exc).__name__}: {exc}")
    raise AttuneError(f"{shown(path)} is not valid TOML ({why}); fix or delete it")


def load(path: Path) -> dict[str, Any]:
    text = _read(path)
    return {} if text is None else _parse(text, path)


def _near(word: str, options: Iterable[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def problems(settings: dict[str, Any]) -> list[str]:
    """What in the settings attune cannot use, one line each: a key it does not know (a
    typo, or a newer attune's setting) and a value it cannot take. Those are ignored
    when read, so saying so is the only way a typo gets noticed."""
    out: list[str] = []
    for key, value in settings.items():
        if key not in SETTINGS:
            out.append(f"unknown setting {shown(key)!r}{_near(key, SETTINGS)}; it is ignored")
            continue
        if not isinstance(value, str):
            out.append(f"{key}: expected text, got {type(value).__name__}; it is ignored")
            continue
        try:
            check(key, value)
        except UsageError:
            allowed = SETTINGS[key]
            hint = _near(value, allowed) if isinstance(allowed, tuple) else ""
            out.append(
                f"{key}: {shown(value[:40])!r} is not a value attune takes{hint}; it is ignored"
            )
    return out


# writing ----------------------------------------------------------------------------------
#
# The file is the user's too: they may keep comments in it, and settings a newer
# attune wrote. So writing edits their text with tomlkit (which keeps comments and
# layout), changing only the keys that changed. What is written must load back to
# exactly the settings meant; tomlkit's text is checked for that, and if it is not
# so (or tomlkit fails), `_dump` renders the settings afresh (comments lost, every
# value kept). If neither holds, nothing is written.

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")  # fullmatch: `$` would let "a\n" through
# Escaped in a TOML basic string: what must be (quote, backslash, C0 controls and
# DEL), and the C1 controls and line separators, which TOML allows raw but no one
# can see.
_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u2028\u2029]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(text: str) -> str:
    """`text` as a TOML basic string that reads back to exactly `text`."""
    return (
        '"' + _ESCAPE.sub(lambda m: _SHORT.get(m.group(), f"\\u{ord(m.group()):04x}"), text) + '"'
    )


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _value(value: Any) -> str:
    """One TOML value. Settings attune does not know are written back as they were read."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)  # repr: inf, -inf, 1e+16, -0.0
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise AttuneError(f"cannot write a setting of type {type(value).__name__}")


def _dump(settings: dict[str, Any], prefix: str = "") -> str:
    """`settings` as TOML: plain keys first, then each table under its own header."""
    lines = [] if prefix else [f"# {line}" for line in HEADER]
    tables = {k: v for k, v in settings.items() if isinstance(v, dict)}
    for key, value in settings.items():
        if key not in tables:
            lines.append(f"{_key(key)} = {_value(value)}")
    out = "\n".join(lines) + "\n" if lines else ""
    for key, table in tables.items():
        name = f"{prefix}.{_key(key)}" if prefix else _key(key)
        out += f"\n[{name}]\n" + _dump(table, name)
    return out


def _same(a: Any, b: Any) -> bool:
    """`a` and `b` are the same TOML data: same types (1 is not true, nor 1.0), NaN is NaN,
    -0.0 is not 0.0, and a time keeps its offset."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, datetime | time):
        return bool(a == b) and a.utcoffset() == b.utcoffset()
    return bool(a == b)


def _reads_as(text: str, settings: dict[str, Any]) -> bool:
    try:
        return _same(tomllib.loads(text), settings)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return False


def _edited(original: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    """The user's text with only the keys that changed from `before` to `after` edited."""
    import tomlkit  # only here: reading settings, which every command does, never needs it

    if original.strip():
        doc = tomlkit.parse(original if original.endswith("\n") else original + "\n")
    else:
        doc = tomlkit.document()
        for line in HEADER:
            doc.add(tomlkit.comment(line))
    for key in before:
        if key not in after:
            del doc[key]
    for key, value in after.items():
        if key not in before or not _same(before[key], value):
            doc[key] = value
    return tomlkit.dumps(doc)


def _render(original: str, before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """Text that loads back to exactly `after`: the user's own file edited, else afresh;
    None when neither does."""
    try:
        text = _edited(original, before, after)
    except Exception:  # tomlkit cannot take this file (or is missing): render afresh
        pass
    else:
        if _reads_as(text, after):
            return text
    try:
        text = _dump(after)
    except RecursionError:
        return None
    return text if _reads_as(text, after) else None


def _write(path: Path, original: str | None, before: dict[str, Any], after: dict[str, Any]) -> None:
    text = _render(original or "", before, after)
    if text is None:
        raise AttuneError(
            f"could not rewrite {shown(path)} so that it keeps every setting in it (nested "
            "too deeply?); nothing was changed: edit it by hand"
        )
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise AttuneError(
            f"could not write {shown(path)}: {shown(exc.strerror or str(exc))}; nothing was changed"
        ) from exc


def check(key: str, value: str) -> str:
    if key not in SETTINGS:
        raise UsageError(f"unknown setting {key!r}; known: {', '.join(SETTINGS)}")
    allowed = SETTINGS[key]
    if callable(allowed):
        return allowed(value)
    v = value.strip().lower()
    if v not in allowed:
        raise UsageError(
            f"{key}: unknown value {value[:40]!r}; expected one of: {', '.join(allowed)}"
        )
    return v


def set_value(path: Path, key: str, value: str) -> dict[str, Any]:
    original = _read(path)
    before = {} if original is None else _parse(original, path)
    settings = {**before, key: check(key, value)}
    _write(path, original, before, settings)
    return settings


def unset(path: Path, key: str) -> dict[str, Any]:
    if key not in SETTINGS:
        raise UsageError(f"unknown setting {key!r}; known: {', '.join(SETTINGS)}")
    original = _read(path)
    before = {} if original is None else _parse(original, path)
    settings = {k: v for k, v in before.items() if k != key}
    if key in before:
        _write(path, original, before, settings)
    return settings


def day_start(settings: dict[str, Any]) -> str:
    """When a day begins (HH:MM), for every count by day; a bad value falls back to the default."""
    value = settings.get("day-start")
    if isinstance(value, str):
        with contextlib.suppress(UsageError):
            return _check_day_start(value)
    return DEFAULTS["day-start"]


def attachment_style(settings: dict[str, Any]) -> str | None:
    """The set of tips to show: "fearful-avoidant" and "disorganized" name the same one."""
    value = settings.get("attachment")
    if not isinstance(value, str):
        return None
    value = ATTACHMENT_ALIASES.get(value, value)
    return value if value in ATTACHMENT_STYLES else None


def region(settings: dict[str, Any]) -> str | None:
    """The region set with `attune config set region`, if any and if it is well formed."""
    value = settings.get("region")
    if isinstance(value, str):
        with contextlib.suppress(UsageError):
            return _check_region(value)
    return None
