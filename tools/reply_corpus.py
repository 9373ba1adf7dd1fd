"""The labelled corpus of replies in tests/data/replies/, and its fixed split.

Each line of `corpus.jsonl` is one reply to someone upset, written by the
project: `{"id": ..., "text": ..., "labels": [...], "context": ...}`, where
`labels` lists the kinds the reply carries (empty: it should not be flagged).

A reply's split is a pure function of its normalised text and `SEED`: 70% of
replies train, 15% are for choosing between approaches (dev), and 15% are
only ever used to report (test). Adding replies never moves an old one to
another split, and two copies of the same reply always land together.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tools.corpus_split import bucket, key

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "replies" / "corpus.jsonl"
KINDS = (
    "advice",
    "fixing",
    "minimising",
    "dismissing",
    "reassuring",
    "blaming",
    "defending",
    "about-me",
)
CONTEXTS = ("partner", "child", "friend", "family", "colleague", "client")
SEED = "attune-replies-1"
SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Reply:
    id: str
    text: str
    labels: frozenset[str]
    context: str

    @property
    def split(self) -> str:
        return split_of(self.text)


def split_of(text: str) -> str:
    b = bucket(SEED, text)
    return "train" if b < 70 else "dev" if b < 85 else "test"


class CorpusError(ValueError):
    pass


def parse(lines: Iterator[str] | list[str], where: str = "corpus") -> list[Reply]:
    """Every reply, checked: known keys, kinds and contexts; unique ids and texts."""
    replies: list[Reply] = []
    ids: set[str] = set()
    texts: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{where}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(data, dict) or set(data) != {"id", "text", "labels", "context"}:
            raise CorpusError(f"{where}:{number}: expected id, text, labels and context")
        text, labels = data["text"], data["labels"]
        if not isinstance(text, str) or not text.strip():
            raise CorpusError(f"{where}:{number}: empty text")
        if not isinstance(labels, list) or not set(labels) <= set(KINDS):
            raise CorpusError(f"{where}:{number}: unknown label in {labels!r}")
        if len(set(labels)) != len(labels):
            raise CorpusError(f"{where}:{number}: a label is repeated")
        if data["context"] not in CONTEXTS:
            raise CorpusError(f"{where}:{number}: unknown context {data['context']!r}")
        if data["id"] in ids:
            raise CorpusError(f"{where}:{number}: id {data['id']!r} is used twice")
        if key(text) in texts:
            raise CorpusError(f"{where}:{number}: the same reply is already in the corpus")
        ids.add(data["id"])
        texts.add(key(text))
        replies.append(Reply(data["id"], text, frozenset(labels), data["context"]))
    return replies


def load(path: Path = CORPUS) -> list[Reply]:
    with path.open(encoding="utf-8") as f:
        return parse(list(f), where=path.name)


def split(replies: list[Reply], *names: str) -> list[Reply]:
    return [r for r in replies if r.split in names]
