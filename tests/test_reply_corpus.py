"""The labelled corpus of replies, its fixed split, and the model trained from it."""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from attunecli import replies
from tests.conftest import ROOT
from tests.model_files import assert_reproduces
from tools import anchors, reply_corpus
from tools.reply_corpus import CONTEXTS, KINDS, CorpusError

CORPUS = reply_corpus.load()
CONTENT = ROOT / "attunecli" / "content"


def test_the_corpus_is_large_and_mostly_has_replies_that_should_pass() -> None:
    assert len(CORPUS) >= 2500
    none = sum(1 for r in CORPUS if not r.labels)
    assert none / len(CORPUS) >= 0.40
    kinds = Counter(k for r in CORPUS for k in r.labels)
    assert set(kinds) == set(KINDS)
    assert min(kinds.values()) >= 150
    contexts = Counter(r.context for r in CORPUS)
    assert set(contexts) == set(CONTEXTS)
    assert min(contexts.values()) >= 200
    assert sum(1 for r in CORPUS if len(r.labels) > 1) >= 300  # replies that carry several


def test_the_kinds_match_the_checkers_content() -> None:
    assert list(replies.load().kinds) == list(KINDS)


def test_every_split_has_every_kind_and_clean_replies() -> None:
    for name in reply_corpus.SPLITS:
        part = reply_corpus.split(CORPUS, name)
        kinds = Counter(k for r in part for k in r.labels)
        assert set(kinds) == set(KINDS), name
        assert min(kinds.values()) >= 20, (name, kinds)
        assert sum(1 for r in part if not r.labels) >= 0.35 * len(part)


def test_the_split_is_fixed_and_near_70_15_15() -> None:
    sizes = Counter(r.split for r in CORPUS)
    for name, share in (("train", 0.70), ("dev", 0.15), ("test", 0.15)):
        assert abs(sizes[name] / len(CORPUS) - share) < 0.03, sizes
    # A function of the text alone: the same answer every time, whatever the order.
    assert [reply_corpus.split_of(r.text) for r in CORPUS] == [r.split for r in CORPUS]
    assert reply_corpus.split_of("You should RELAX") == reply_corpus.split_of(" you should  relax")


def test_the_test_split_holds_no_reply_of_the_others() -> None:
    keys = {
        name: {reply_corpus.key(r.text) for r in reply_corpus.split(CORPUS, name)}
        for name in reply_corpus.SPLITS
    }
    assert not keys["test"] & (keys["train"] | keys["dev"])
    assert not keys["dev"] & keys["train"]


LINE = '{"id": "a-1", "text": "you should relax", "labels": ["advice"], "context": "friend"}'


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["{not json"], "corpus:1: not JSON"),
        (['{"id": "a", "text": "x", "labels": []}'], "corpus:1: expected id, text"),
        ([LINE.replace('"advice"', '"sarcasm"')], "unknown label"),
        ([LINE.replace('["advice"]', '["advice", "advice"]')], "repeated"),
        ([LINE.replace('"friend"', '"stranger"')], "unknown context"),
        ([LINE.replace('"you should relax"', '"  "')], "empty text"),
        (
            [LINE, LINE.replace("you should", "YOU  SHOULD").replace("a-1", "a-2")],
            "corpus:2: the same reply",
        ),
        ([LINE, LINE.replace("relax", "rest")], "corpus:2: id 'a-1' is used twice"),
    ],
)
def test_a_bad_corpus_line_is_named(lines: list[str], message: str) -> None:
    with pytest.raises(CorpusError, match=re.escape(message)):
        reply_corpus.parse(lines)


def test_blank_lines_are_skipped() -> None:
    assert [r.id for r in reply_corpus.parse(["", LINE, "  "])] == ["a-1"]


# patterns are tried only where their anchors are: that must never change what they find


def test_anchors_never_change_what_the_patterns_find() -> None:
    content = tomllib.loads((CONTENT / "replies.toml").read_text())
    unanchored = replies.build(content, None)
    anchored = replies.load()
    assert any(r.anchors for r in anchored.rules)
    for r in CORPUS:
        for sentence in replies.split_sentences(r.text):
            s = replies.normalise(sentence, anchored.spellings)
            assert replies.scan(s, anchored.rules) == replies.scan(s, unanchored.rules), s


@pytest.mark.parametrize(
    ("pattern", "want"),
    [
        (r"\byou should\b", ["you should"]),
        (r"\b(?:calm|settle) down\b", [" down"]),
        (r"(?:^|\bjust )relax", ["relax"]),
        (r"\bhave (?:you|u) tried", [" tried"]),
        (r"a?b", ["b"]),
        (r"x*", None),
        (r"(?:you|)\b", None),
        (r".*", None),
    ],
)
def test_anchors_are_strings_every_match_contains(pattern: str, want: list[str] | None) -> None:
    found = anchors.anchors(pattern)
    if want is None:
        assert found is None
        return
    assert found == sorted(want)


def test_the_model_file_anchors_every_pattern_the_analysis_can() -> None:
    content = tomllib.loads((CONTENT / "replies.toml").read_text())
    data = json.loads((CONTENT / replies.MODEL).read_text())
    expected = {
        m: found
        for r in content["rule"]
        for m in replies.matches(r)
        if (found := anchors.anchors(m))
    }
    assert data["anchors"] == expected, "replies.toml changed: run python -m tools.train_replies"


def test_the_weights_file_is_reproduced_by_the_script(tmp_path: Path) -> None:
    from tools import train_replies  # scikit-learn comes with the test extra

    out = tmp_path / "model.json"
    assert train_replies.main(["--out", str(out)]) == 0
    assert_reproduces(out, CONTENT / replies.MODEL)


def test_the_comparison_forgives_rounding_noise_and_nothing_more(tmp_path: Path) -> None:
    shipped = CONTENT / replies.MODEL
    data = json.loads(shipped.read_text())

    def variant(change: object) -> Path:
        copy = json.loads(json.dumps(data))
        change(copy)  # type: ignore[operator]
        out = tmp_path / "variant.json"
        out.write_text(json.dumps(copy))
        return out

    def nudge(d: dict[str, list[int]]) -> None:
        d["weights"][0] += 1

    assert_reproduces(variant(nudge), shipped)  # one unit on one weight: noise

    def push(d: dict[str, list[int]]) -> None:
        d["weights"][0] += 2

    def many(d: dict[str, list[int]]) -> None:
        d["weights"][:] = [w + 1 for w in d["weights"]]

    def threshold(d: dict[str, list[float]]) -> None:
        d["thresholds"][0] += 0.01

    for change in (push, many, threshold):
        with pytest.raises(AssertionError):
            assert_reproduces(variant(change), shipped)
