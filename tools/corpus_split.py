"""The one rule both labelled corpora split by: a seeded hash of the normalised text."""

from __future__ import annotations

import hashlib


def key(text: str) -> str:
    """The text as a split sees it: case and spacing do not make a new line."""
    return " ".join(text.lower().split())


def bucket(seed: str, text: str) -> int:
    """0-99, a pure function of `seed` and the normalised text: adding lines never moves an
    old one, and two copies of the same text always land together."""
    return int(hashlib.sha256(f"{seed}:{key(text)}".encode()).hexdigest()[:8], 16) % 100
