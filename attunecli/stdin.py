"""Standard input, read one way by every path (the quick path too, so nothing heavy here)."""

from __future__ import annotations

import sys


def read_all() -> str:
    """All of stdin as UTF-8, strictly: a bad byte is an error, never a silent stand-in."""
    # With file descriptor 0 closed (as some schedulers leave it) sys.stdin is None.
    if sys.stdin is None:
        return ""
    return sys.stdin.buffer.read().decode("utf-8")


def is_terminal() -> bool:
    """Whether stdin is a keyboard, so there is nothing piped in to read."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, AttributeError):
        return False
