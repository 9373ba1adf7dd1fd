"""Checking a reply before it is sent: careful patterns, a small linear model, and a kinder draft.

Everything here is a pure function of text and of data loaded from
`content/replies.toml` (kinds, notes, spellings, patterns) and
`content/reply_model.json` (weights learned by `tools/train_replies.py` from
the labelled corpus in `tests/data/replies/`). Nothing is loaded at start-up:
`load()` reads both files the first time a reply is checked.

How a reply is judged:

1. It is split into sentences, and each is spelt out ("u r" -> "you are",
   "dont" -> "don't"), lower-cased, with straight apostrophes.
2. Patterns look for each kind in each sentence. A hit is set aside when the
   words before it report or reflect ("it sounds like you never ...", "your
   boss told you to calm down?") or refuse ("I'm not going to tell you to
   ..."): saying back what someone feels is what attune asks for.
3. Word and letter n-grams of the whole reply, plus which kinds the patterns
   found, go into one logistic regression per kind. A kind is flagged when
   its probability reaches the threshold chosen on held-out data.

The comparison that chose this design is in docs/design.md.
"""

from __future__ import annotations

import json
import math
import os
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

# `attune check-reply` answers before Typer loads, so this module keeps to what
# Python has already imported or needs anyway: no dataclasses, no typing at run time.

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"'})
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+|;\s+|\s+[-–—]{1,2}\s+|(?<=[.!?])(?=[A-Za-z])")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[?!]")
_SPELL_TOKEN = re.compile(r"[a-z0-9/']+")
# Terminal control sequences (CSI, OSC) and other control characters are not words.
_CONTROL = re.compile(
    r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x1f\x7f-\x9f]"
)
MODEL = "reply_model.json"
ANY = "any"  # the model's last output: does this reply carry any kind at all?
CONTENT = "replies.toml"

_patterns: dict[str, re.Pattern[str]] = {}


def _re(pattern: str) -> re.Pattern[str]:
    """A pattern compiled the first time it is needed: compiling them all costs tens of ms."""
    found = _patterns.get(pattern)
    if found is None:
        found = _patterns[pattern] = re.compile(pattern)
    return found


class Kind:
    __slots__ = ("acknowledge", "ask", "id", "label", "note")

    def __init__(
        self, id: str, label: str, note: str, acknowledge: Sequence[str], ask: Sequence[str]
    ) -> None:
        self.id, self.label, self.note = id, label, note
        self.acknowledge, self.ask = tuple(acknowledge), tuple(ask)


class Rule:
    """A pattern for one kind, and what sets a hit aside (each a regular expression or "")."""

    __slots__ = ("anchors", "guards", "kind", "match", "unless", "unless_after", "unless_before")

    def __init__(
        self,
        kind: str,
        match: str,
        *,
        unless_before: str = "",
        unless_after: str = "",
        unless: str = "",
        guards: Sequence[str] = (),
        anchors: Sequence[str] = (),
    ) -> None:
        self.kind, self.match = kind, match
        # One of these is in every sentence `match` can match (empty: not known, always try).
        self.anchors = tuple(anchors)
        self.unless_before, self.unless_after, self.unless = unless_before, unless_after, unless
        self.guards = tuple(guards)


class Model:
    """One logistic regression per kind over binary features, as the training script wrote it.

    `weights` is flat, in units of 1/`scale`: the row of feature `f` starts at
    `index[f] * len(outputs)`.
    """

    __slots__ = (
        "bias",
        "char_ngrams",
        "decisive",
        "gate",
        "index",
        "kinds",
        "rule_features",
        "scale",
        "thresholds",
        "weights",
        "word_ngrams",
    )

    def __init__(
        self,
        kinds: Sequence[str],
        bias: Sequence[float],
        thresholds: Sequence[float],
        index: Mapping[str, int],
        weights: Sequence[float],
        word_ngrams: int,
        char_ngrams: tuple[int, int],
        rule_features: bool,
        scale: float = 1.0,
        decisive: Sequence[int] = (),
        gate: float = 0.0,
    ) -> None:
        self.kinds, self.bias, self.thresholds = tuple(kinds), tuple(bias), tuple(thresholds)
        self.scale = scale
        # Patterns (by place in replies.toml) whose find stands whatever the weights say.
        self.decisive = tuple(decisive)
        # No kind is flagged unless the "any" output reaches this: a second opinion, learned
        # from every flagged reply at once, on whether anything here may land badly.
        self.gate = gate
        self.index, self.weights = index, weights
        self.word_ngrams, self.char_ngrams, self.rule_features = (
            word_ngrams,
            char_ngrams,
            rule_features,
        )

    @property
    def outputs(self) -> tuple[str, ...]:
        """What each column of `weights` and each `bias` is for: the kinds, then ANY."""
        return (*self.kinds, ANY)


class Checker:
    __slots__ = ("kinds", "model", "rules", "spellings")

    def __init__(
        self,
        kinds: Mapping[str, Kind],
        spellings: Mapping[str, str],
        rules: Sequence[Rule],
        model: Model | None,
    ) -> None:
        self.kinds = kinds  # in the order notes are shown
        self.spellings, self.rules, self.model = spellings, tuple(rules), model


class Flag:
    __slots__ = ("kind", "note")

    def __init__(self, kind: str, note: str) -> None:
        self.kind, self.note = kind, note

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Flag) and (self.kind, self.note) == (other.kind, other.note)

    def __hash__(self) -> int:
        return hash((self.kind, self.note))

    def __repr__(self) -> str:
        return f"Flag({self.kind!r})"

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "note": self.note}


class Checked:
    """What the checker made of one reply."""

    __slots__ = ("alternative", "flags", "text")

    def __init__(self, text: str, flags: Sequence[Flag], alternative: str | None) -> None:
        self.text, self.flags = text, tuple(flags)
        self.alternative = alternative  # None when nothing was flagged

    def __repr__(self) -> str:
        return f"Checked({self.text!r}, {self.flags!r}, {self.alternative!r})"

    @property
    def kinds(self) -> list[str]:
        return [f.kind for f in self.flags]

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "flags": [f.to_json() for f in self.flags],
            "alternative": self.alternative,
        }


# Loading ---------------------------------------------------------------------------------------


def build(content: Mapping[str, Any], model: Mapping[str, Any] | None) -> Checker:
    """A checker from the parsed TOML content and the parsed model file (or None: rules only)."""
    kinds = {
        key: Kind(key, v["label"], v["note"], v["acknowledge"], v["ask"])
        for key, v in content["kinds"].items()
    }
    shared = dict(content["guards"])
    anchored: Mapping[str, Sequence[str]] = model.get("anchors", {}) if model else {}
    rules = []
    for r in content["rule"]:
        if r["kind"] not in kinds:
            raise ValueError(f"{CONTENT}: a rule names an unknown kind {r['kind']!r}")
        names = r.get("guards", list(shared))
        for match in matches(r):
            rules.append(
                Rule(
                    r["kind"],
                    match,
                    unless_before=r.get("unless_before", ""),
                    unless_after=r.get("unless_after", ""),
                    unless=r.get("unless", ""),
                    guards=[shared[n] for n in names],
                    anchors=anchored.get(match, ()),
                )
            )
    return Checker(kinds, dict(content["spellings"]), rules, _model(model, kinds))


def matches(rule: Mapping[str, Any]) -> list[str]:
    """A rule's patterns: `match` is one regular expression or a list of them.

    Each becomes a pattern of its own, tried on its own, with its own place
    in the model ("p:N") and its own anchors, so one reliable phrase is not
    judged by the company it keeps.
    """
    found = rule["match"]
    return [found] if isinstance(found, str) else list(found)


def _model(data: Mapping[str, Any] | None, kinds: Mapping[str, Kind]) -> Model | None:
    if data is None:
        return None
    if data.get("format") != 3:
        raise ValueError(f"{MODEL}: unknown format")
    unknown = set(data["kinds"]) - set(kinds)
    if unknown:
        raise ValueError(f"{MODEL}: kinds not in {CONTENT}: {sorted(unknown)}")
    names = data["features"].split("\n") if data["features"] else []
    width = len(data["kinds"]) + 1
    if len(names) * width != len(data["weights"]) or len(data["bias"]) != width:
        raise ValueError(f"{MODEL}: features and weights do not line up")
    low, high = data["char_ngrams"]
    scale = float(data["scale"])
    return Model(
        kinds=data["kinds"],
        bias=data["bias"],
        thresholds=data["thresholds"],
        index=dict(zip(names, range(len(names)), strict=True)),
        weights=data["weights"],
        scale=scale,
        decisive=data["decisive"],
        gate=float(data["gate"]),
        word_ngrams=int(data["word_ngrams"]),
        char_ngrams=(int(low), int(high)),
        rule_features=bool(data["rule_features"]),
    )


def _content_file(name: str) -> str:
    # The package's own folder: importlib.resources would cost more than the read.
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "content", name)
    with open(path, encoding="utf-8") as f:
        return f.read()


_loaded: list[Checker] = []


def load() -> Checker:
    """The shipped checker, read once per process, only when a reply is checked."""
    if not _loaded:
        import tomllib

        content = tomllib.loads(_content_file(CONTENT))
        _loaded.append(build(content, json.loads(_content_file(MODEL))))
    return _loaded[0]


# Reading a reply -------------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """The reply's sentences as written (trimmed), so kept ones can be offered back unchanged."""
    parts = (p.strip() for p in _SENTENCE_END.split(text.translate(_QUOTES)))
    return [p for p in parts if p]


def normalise(text: str, spellings: Mapping[str, str]) -> str:
    """Lower case, straight apostrophes, one space, and texting spelt out ("u r" -> "you are")."""
    text = _CONTROL.sub(" ", text)
    said = " ".join(text.translate(_APOSTROPHES).translate(_QUOTES).lower().split())
    return _SPELL_TOKEN.sub(lambda m: spellings.get(m.group(), m.group()), said)


def scan(sentence: str, rules: Iterable[Rule]) -> set[str]:
    """What the patterns find in one normalised sentence, as model features.

    "r:KIND" for a kind a pattern found, "p:N" for the pattern (its place in
    replies.toml) that found it, and "g:KIND" when a pattern matched but a
    guard set the hit aside: the model learns how far to trust each.
    """
    found: set[str] = set()
    for number, rule in enumerate(rules):
        if rule.anchors and not any(a in sentence for a in rule.anchors):
            continue
        hits = list(_re(rule.match).finditer(sentence))
        if not hits:
            continue
        if rule.unless and _re(rule.unless).search(sentence):
            found.add("g:" + rule.kind)
            continue
        for hit in hits:
            before, after = sentence[: hit.start()], sentence[hit.end() :]
            if (
                (rule.unless_before and _re(rule.unless_before).search(before))
                or (rule.unless_after and _re(rule.unless_after).search(after))
                or any(_re(g).search(before) for g in rule.guards)
            ):
                continue
            found.update(("r:" + rule.kind, f"p:{number}"))
            break
        else:
            found.add("g:" + rule.kind)
    return found


def rule_hits(sentence: str, rules: Iterable[Rule]) -> set[str]:
    """The kinds whose patterns hold in one normalised sentence, after their guards."""
    return {f[2:] for f in scan(sentence, rules) if f.startswith("r:")}


_letters: dict[tuple[str, int, int], tuple[str, ...]] = {}


def _letter_ngrams(token: str, low: int, high: int) -> tuple[str, ...]:
    """A word's letter n-grams, padded with spaces; kept, since words repeat across replies."""
    key = (token, low, high)
    found = _letters.get(key)
    if found is None:
        if len(_letters) > 100_000:
            _letters.clear()
        padded = f" {token} "
        found = _letters[key] = tuple(
            "c:" + padded[i : i + n]
            for n in range(low, high + 1)
            for i in range(len(padded) - n + 1)
        )
    return found


def features(sentences: Sequence[str], model: Model, patterns: Iterable[str] = ()) -> set[str]:
    """The binary features of a reply (its normalised sentences) that the model was trained on.

    Word n-grams start each sentence with "<s>", so "<s> but i" is a different
    feature from "but i" in the middle of one; letter n-grams are taken inside
    each word padded with spaces, which carries over to spellings the corpus
    never had. `patterns` is what `scan` found in the sentences.
    """
    out: set[str] = set()
    low, high = model.char_ngrams
    for sentence in sentences:
        tokens = ["<s>", *_TOKEN.findall(sentence)]
        for n in range(1, model.word_ngrams + 1):
            for i in range(len(tokens) - n + 1):
                out.add("w:" + " ".join(tokens[i : i + n]))
        if high:
            for token in tokens[1:]:
                out.update(_letter_ngrams(token, low, high))
    if model.rule_features:
        out.update(patterns)
    return out


def probabilities(model: Model, feats: Iterable[str]) -> dict[str, float]:
    """Each output's probability under the model (every kind, and ANY), for one reply's features."""
    width = len(model.bias)
    totals = [0.0] * width
    index, weights = model.index, model.weights
    for f in feats:
        row = index.get(f)
        if row is None:
            continue
        base = row * width
        for k in range(width):
            totals[k] += weights[base + k]
    return {
        kind: _sigmoid(b + t / model.scale)
        for kind, b, t in zip(model.outputs, model.bias, totals, strict=True)
    }


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def judge(sentences: Sequence[str], checker: Checker) -> set[str]:
    """The kinds a reply carries: the model's call when there is one, else the patterns'.

    The whole reply is scored at once. Scoring each sentence alone as well
    (a reply carries a kind when any sentence does) was measured and flagged
    twice as many kind replies for no gain in recall: docs/design.md. What
    that would have caught, a clear find in one sentence outweighed by the
    words of another, is caught instead by the model's decisive patterns.
    """
    found: set[str] = set()
    for s in sentences:
        found |= scan(s, checker.rules)
    model = checker.model
    if model is None:
        return {f[2:] for f in found if f.startswith("r:")}
    probs = probabilities(model, features(sentences, model, found))
    return decide(model, probs) | {
        checker.rules[n].kind for n in model.decisive if f"p:{n}" in found
    }


def decide(model: Model, probs: Mapping[str, float]) -> set[str]:
    """The kinds whose probability reaches its threshold, when ANY reaches the gate."""
    if probs[ANY] < model.gate:
        return set()
    pairs = zip(model.kinds, model.thresholds, strict=True)
    return {kind for kind, threshold in pairs if probs[kind] >= threshold}


def kinds_in(text: str, checker: Checker) -> set[str]:
    """The kinds `text` carries, by id."""
    sentences = [normalise(s, checker.spellings) for s in split_sentences(text)]
    return judge(sentences, checker)


def check(text: str, checker: Checker | None = None, *, reflection: str = "") -> Checked:
    """Flag what in `text` may land badly, and offer another way to say it.

    `reflection` (what the writer said back in `reflect`) leads the
    alternative when given; otherwise the writer's own sentences that carry
    no flag do.
    """
    checker = checker or load()
    written = split_sentences(text)
    sentences = [normalise(s, checker.spellings) for s in written]
    found = judge(sentences, checker)
    flags = tuple(Flag(k, v.note) for k, v in checker.kinds.items() if k in found)
    if not flags:
        return Checked(text, (), None)
    if len(written) > 1:
        kept = [w for w, s in zip(written, sentences, strict=True) if not judge([s], checker)]
    else:
        kept = []
    return Checked(text, flags, alternative(flags, checker.kinds, kept, reflection))


def notes(flags: Iterable[Mapping[str, str]], checker: Checker | None = None) -> list[str]:
    """One plain line per flag, as saved in an entry: "Advice: Ideas offered this early ..."."""
    kinds = (checker or load()).kinds
    out = []
    for f in flags:
        kind = kinds.get(f.get("kind", ""))
        label = kind.label if kind else f.get("kind", "")
        out.append(f"{label[:1].upper()}{label[1:]}: {f.get('note', '')}")
    return out


# A kinder draft --------------------------------------------------------------------------------


def stem(sentence: str) -> str:
    """The first two words, lower case: two lines with the same stem read as a repeat."""
    return " ".join(_TOKEN.findall(sentence.translate(_APOSTROPHES).lower())[:2])


def _ended(sentence: str) -> str:
    sentence = sentence.strip()
    return sentence if sentence[-1:] in ".!?…" else sentence + "."


def alternative(
    flags: Sequence[Flag], kinds: Mapping[str, Kind], kept: Sequence[str], reflection: str = ""
) -> str:
    """The reflection (or the writer's unflagged sentences), one acknowledging line, one question.

    The writer's own questions go last, and then no question of ours is
    added; no two sentences in it open with the same two words.
    """
    parts: list[str] = []
    stems: set[str] = set()

    def add(sentence: str) -> bool:
        s = stem(sentence)
        if not sentence.strip() or (s and s in stems):
            return False
        stems.add(s)
        parts.append(_ended(sentence))
        return True

    asks = [k for k in kept if k.rstrip().endswith("?")]
    if reflection.strip():
        add(reflection)
    for sentence in kept:
        if sentence not in asks:
            add(sentence)
    order = [kinds[f.kind] for f in flags]
    if not reflection.strip():
        next((line for k in order for line in k.acknowledge if add(line)), None)
    for sentence in asks:
        add(sentence)
    if not parts or not parts[-1].endswith("?"):
        next((line for k in order for line in k.ask if add(line)), None)
    return " ".join(parts)
