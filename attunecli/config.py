"""The small settings file: `config.toml` in the config dir.

Only a few keys exist; unknown keys are kept as they are when attune writes the
file back, so a newer version's settings survive an older version.
"""

from __future__ import annotations

import contextlib
import json
import re
import tomllib
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

from attunecli.catalog import ATTACHMENT_STYLES
from attunecli.errors import AttuneError, UsageError
from attunecli.fsutil import write_atomic

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _check_day_start(value: str) -> str:
    m = _HHMM.match(value.strip())
    if not m:
        raise UsageError(f"day-start: expected a time like 04:00, got {value[:40]!r}")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


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
    "attachment": ATTACHMENT_STYLES,
    "day-start": _check_day_start,
    "region": _check_region,
}
DEFAULTS: dict[str, str] = {"day-start": "04:00"}


def load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise AttuneError(f"could not read {path}: {exc}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AttuneError(f"{path} is not valid TOML ({exc}); fix or delete it") from exc


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    """One TOML value. Settings attune does not know are written back as they were read."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise AttuneError(f"cannot write a setting of type {type(value).__name__}")


def _dump(settings: dict[str, Any], prefix: str = "") -> str:
    lines = [] if prefix else ["# attune settings; `attune config --help` explains each key."]
    tables = {k: v for k, v in settings.items() if isinstance(v, dict)}
    for key, value in settings.items():
        if key not in tables:
            lines.append(f"{_key(key)} = {_value(value)}")
    out = "\n".join(lines) + "\n" if lines else ""
    for key, table in tables.items():
        name = f"{prefix}.{_key(key)}" if prefix else _key(key)
        out += f"\n[{name}]\n" + _dump(table, name)
    return out


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
    settings = load(path)
    settings[key] = check(key, value)
    write_atomic(path, _dump(settings).encode("utf-8"))
    return settings


def unset(path: Path, key: str) -> dict[str, Any]:
    if key not in SETTINGS:
        raise UsageError(f"unknown setting {key!r}; known: {', '.join(SETTINGS)}")
    settings = load(path)
    if settings.pop(key, None) is not None:
        write_atomic(path, _dump(settings).encode("utf-8"))
    return settings


def day_start(settings: dict[str, Any]) -> str:
    """When a day begins for reminders (HH:MM); a bad value falls back to the default."""
    value = settings.get("day-start")
    if isinstance(value, str):
        with contextlib.suppress(UsageError):
            return _check_day_start(value)
    return DEFAULTS["day-start"]


def attachment_style(settings: dict[str, Any]) -> str | None:
    value = settings.get("attachment")
    return value if isinstance(value, str) and value in ATTACHMENT_STYLES else None


def region(settings: dict[str, Any]) -> str | None:
    """The region set with `attune config set region`, if any and if it is well formed."""
    value = settings.get("region")
    if isinstance(value, str):
        with contextlib.suppress(UsageError):
            return _check_region(value)
    return None
