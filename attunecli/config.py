"""The small settings file: `config.toml` in the config dir.

Only a few keys exist; unknown keys are kept as they are when attune writes the
file back, so a newer version's settings survive an older version.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from attunecli.catalog import ATTACHMENT_STYLES
from attunecli.errors import AttuneError, UsageError
from attunecli.fsutil import write_atomic

SETTINGS: dict[str, tuple[str, ...]] = {
    "attachment": ATTACHMENT_STYLES,
}


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


def _dump(settings: dict[str, Any]) -> str:
    lines = ["# attune settings; `attune config --help` explains each key."]
    for key, value in settings.items():
        if isinstance(value, str):
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def check(key: str, value: str) -> str:
    if key not in SETTINGS:
        raise UsageError(f"unknown setting {key!r}; known: {', '.join(SETTINGS)}")
    allowed = SETTINGS[key]
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


def attachment_style(settings: dict[str, Any]) -> str | None:
    value = settings.get("attachment")
    return value if isinstance(value, str) and value in ATTACHMENT_STYLES else None
