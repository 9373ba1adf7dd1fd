"""The labelled journal lines in tests/data/crisis/, and their fixed split.

Each line of `lines.jsonl` is something a person might type in a check-in,
written by the project: `{"id": ..., "text": ..., "kind": ...}`, where `kind`
is one of `attunecli.crisis.KINDS` or `none` (not a crisis, though it may sound
alarming).

A line's split is a pure function of its normalised text and `SEED`: half the
lines are for building and tuning the rules (dev), half are only ever read to
report (test). Adding lines never moves an old one, and two copies of the same
line always land together.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from attunecli.crisis import KINDS as CRISIS_KINDS
from tools.corpus_split import bucket, key

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "crisis" / "lines.jsonl"
KINDS = (*CRISIS_KINDS, "none")
SEED = "attune-crisis-1"
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class Line:
    id: str
    text: str
    kind: str

    @property
    def split(self) -> str:
        return split_of(self.text)


def split_of(text: str) -> str:
    b = bucket(SEED, text)
    return "dev" if b < 50 else "test"


class CorpusError(ValueError):
    pass


def parse(lines: Iterator[str] | list[str]) -> list[Line]:
    """The corpus lines; raises CorpusError naming the first bad line."""
    out: list[Line] = []
    ids: set[str] = set()
    texts: set[str] = set()
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            d = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"line {n}: not JSON ({exc.msg})") from None
        if not isinstance(d, dict) or set(d) != {"id", "text", "kind"}:
            raise CorpusError(f"line {n}: expected the keys id, text and kind")
        if not isinstance(d["text"], str) or not d["text"].strip():
            raise CorpusError(f"line {n}: text must be a non-empty string")
        if d["kind"] not in KINDS:
            raise CorpusError(f"line {n}: unknown kind {d['kind']!r}")
        if d["id"] in ids:
            raise CorpusError(f"line {n}: id {d['id']!r} used twice")
        if key(d["text"]) in texts:
            raise CorpusError(f"line {n}: the same text twice")
        ids.add(d["id"])
        texts.add(key(d["text"]))
        out.append(Line(d["id"], d["text"], d["kind"]))
    return out


def load(split: str | None = None, path: Path = CORPUS) -> list[Line]:
    with path.open(encoding="utf-8") as f:
        lines = parse(list(f))
    return [x for x in lines if split is None or x.split == split]
