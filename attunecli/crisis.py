"""Words that suggest someone may be in danger, read on this machine only.

Pure functions over `content/crisis.toml`. A journal line is lowercased, its
apostrophes dropped ("don't" and "dont" read the same), texting spelt out
("kms", "sucidal", "my self") and split into clauses; then each rule's patterns
are tried, and a hit is set aside when the same clause holds one of the rule's
guards ("killing time", "a talk on self-harm"), or when words of a `[[guard]]`
cover the hit itself ("hopeless at maths", "used to self harm years ago") and
nothing in the text speaks of intent now ("again", "tonight", "i want to").

A hit belongs to one of three concerns, because each calls for different help:

- `self`: the writer may be in danger (a wish to die, passive wishes, feeling a
  burden, hopelessness, plans or means, goodbyes, self-harm);
- `someone`: the same words said of someone else ("my daughter says she wants
  to die"), found from who the clause is about;
- `abuse`: fear, control or violence from a partner or family member.

The check favours recall: a calm card shown in error costs little, a missed
one may cost a great deal. It never says what triggered it.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

CONTENT = "crisis.toml"
MODEL = "crisis_model.json"
CONCERNS = ("self", "someone", "abuse")
SELF_KINDS = ("wish", "passive", "burden", "hopeless", "plan", "goodbye", "self-harm")
KINDS = (*SELF_KINDS, "someone", "abuse")
# A head that speaks for `ANY` was fit on every crisis line against the `none` ones: it
# hears what the kinds share ("letters written ... in my locker" is a goodbye worded
# like a plan) and lends its probability to the concern the other heads find likeliest.
ANY = "any"
WHO = ("writer", "reported", "other", "abuse", "abuse-by-other")

_APOSTROPHES = re.compile("['\u2019\u2018\u02bc`\u00b4]")
_CLAUSE_END = re.compile(r"[.!?;\n\r]+|\s[-\u2013\u2014]+\s|,\s*(?:but|and then|so)\s")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
# Macros a pattern may use: a few words in between, and a self or other subject.
_MACROS = {
    "{w}": r"(?:[a-z0-9]+ ){0,3}",
    "{w5}": r"(?:[a-z0-9]+ ){0,5}",
}


class Pattern:
    """A regular expression compiled on first need, and tried only where one of its
    anchors occurs: strings every match contains (worked out by `tools/anchors.py`
    and kept in the model file). Compiling all ~1,700 patterns and guards up front
    would cost about 175 ms on every save."""

    __slots__ = ("_compiled", "anchors", "source")

    def __init__(self, source: str, anchors: Sequence[str] = ()) -> None:
        self.source = source
        self.anchors = tuple(anchors)
        self._compiled: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        if self.anchors and not any(a in text for a in self.anchors):
            return None
        return self._regex().search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self.anchors and not any(a in text for a in self.anchors):
            return iter(())
        return self._regex().finditer(text)

    def _regex(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled


@dataclass(frozen=True)
class Rule:
    kind: str
    patterns: tuple[Pattern, ...]
    guards: tuple[Pattern, ...]
    # Who a hit is about: "writer" (the subject decides, the writer by default),
    # "reported" (the subject decides, someone else by default), "other" (always
    # someone else), "abuse" (always abuse), "abuse-by-other" (abuse only when the
    # clause names someone else before the hit: "he took my keys", not "took my meds").
    who: str


@dataclass(frozen=True)
class Guard:
    """Words that mark a hit of `kinds` as neutral, idiomatic or long past; see `[[guard]]`.

    Unlike a rule's `unless`, a guard sets aside only a hit its own match overlaps
    ("hopeless at maths" covers "hopeless", not the "want to die" later in the clause).
    """

    kinds: frozenset[str]
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class Subjects:
    """The words that tell who a hit is about; see `[subjects]` in the content file."""

    self_words: frozenset[str]
    other: frozenset[str]
    other_objects: frozenset[str]
    reflexive_self: frozenset[str]
    reflexive_other: frozenset[str]
    work: frozenset[str]
    reporting: frozenset[str]
    saying: frozenset[str]


@dataclass(frozen=True)
class Detector:
    rules: tuple[Rule, ...]
    spellings: re.Pattern[str] | None
    spelt: Mapping[str, str]
    who: Subjects
    # word -> the class it belongs to (`[classes]` in the content file): "tablets" and
    # "insulin" are both MEANS, so "counted the tablets" teaches "counted the insulin".
    classes: Mapping[str, str] = field(default_factory=dict)
    # `[[guard]]`, and `[intent]`: words of intent now that keep every guard off a text.
    guards: tuple[Guard, ...] = ()
    intent: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class Model:
    """Logistic regressions over `features`; weights are ints over `scale`.

    Each head is one regression, and `heads` names the concern it speaks for; a
    concern's probability is its most confident head's. One head per kind ("plan",
    "goodbye", ...) rather than one per concern: a plan and a goodbye share few
    words, and one line drawn through both misses more of each. A head for `ANY`
    raises whichever concern the others rank first. Without `heads`, each concern is
    its own head.
    """

    scale: int
    word_ngrams: int
    char_ngrams: tuple[int, int]
    bias: Mapping[str, float]
    threshold: Mapping[str, float]
    weights: Mapping[str, Mapping[str, int]]
    # Class n-grams up to this length (0: none; see `Detector.classes`).
    class_ngrams: int = 0
    # Fewer words than this and the model stays silent: in "to be left alone" the
    # few words there are ("be", "want") weigh as much as they do in a crisis line,
    # with nothing around them to say otherwise. Rules still read every text.
    min_words: int = 4
    # Whether a rule's hit raises its concern on its own, or only through the model
    # (in which the rules are features, the strongest ones it has). Written by the
    # trainer, which keeps whichever raises fewer false alarms at the same recall on
    # lines held out by group of voices. On texts too short for the model, the
    # rules always decide.
    rules_alone: bool = True
    # head -> the concern it speaks for; empty: one head per concern, named after it.
    heads: Mapping[str, str] = field(default_factory=dict)
    # Whether the model reads which guards' words a text holds (see `_guard_features`).
    guard_features: bool = False

    def heads_of(self) -> Mapping[str, str]:
        return self.heads or {c: c for c in CONCERNS}


@dataclass(frozen=True)
class Hit:
    kind: str
    concern: str


def expand(pattern: str) -> str:
    """A pattern as it is compiled: macros put in, and whole words only."""
    for macro, body in _MACROS.items():
        pattern = pattern.replace(macro, body)
    return r"(?<![a-z0-9])(?:" + pattern + r")(?![a-z0-9])"


def sources(content: Mapping[str, Any]) -> list[str]:
    """Every pattern and guard of the content file, expanded (for working out anchors)."""
    out: list[str] = []
    for raw in content["rule"]:
        out += [expand(p) for p in _many(raw["match"]) + _many(raw.get("unless"))]
    words = _words(content)
    for raw in content.get("guard", []):
        out += [expand(_fill(p, words)) for p in _many(raw["match"])]
    out += [expand(_fill(p, words)) for p in _many(content.get("intent", {}).get("match"))]
    return out


def _words(content: Mapping[str, Any]) -> dict[str, str]:
    """`[words]`: named alternatives a guard or intent pattern may use as `{name}`."""
    return {"{" + name + "}": f"(?:{body})" for name, body in content.get("words", {}).items()}


def _fill(pattern: str, words: Mapping[str, str]) -> str:
    for name, body in words.items():
        pattern = pattern.replace(name, body)
    return pattern


def _many(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def build(
    content: Mapping[str, Any], anchors: Mapping[str, Sequence[str]] | None = None
) -> Detector:
    """A detector from the parsed content file; raises ValueError on a rule it cannot use.

    Without `anchors` every pattern is compiled and tried everywhere (same results).
    """
    anchors = anchors or {}
    rules: list[Rule] = []

    def pattern(p: str) -> Pattern:
        source = expand(p)
        return Pattern(source, anchors.get(source, ()))

    for raw in content["rule"]:
        kind = raw["kind"]
        if kind not in KINDS:
            raise ValueError(f"crisis rule: unknown kind {kind!r}")
        patterns = tuple(pattern(p) for p in _many(raw["match"]))
        guards = tuple(pattern(p) for p in _many(raw.get("unless")))
        who = raw.get("who") or (
            "abuse" if kind == "abuse" else "other" if kind == "someone" else "writer"
        )
        if who not in WHO:
            raise ValueError(f"crisis rule: unknown who {who!r}")
        rules.append(Rule(kind, patterns, guards, who))
    spelt = dict(content.get("spellings", {}))
    keys = sorted(spelt, key=len, reverse=True)
    spellings = (
        re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![a-z0-9])")
        if keys
        else None
    )
    w = content["subjects"]
    who = Subjects(
        **{name: frozenset(w[key]) for name, key in _SUBJECT_KEYS.items()},
    )
    classes = {
        word: name.upper() for name, words in content.get("classes", {}).items() for word in words
    }
    words = _words(content)
    guarding: list[Guard] = []
    for raw in content.get("guard", []):
        named = frozenset(_many(raw.get("kinds"))) or frozenset(KINDS)
        if not named <= set(KINDS):
            raise ValueError(f"crisis guard: unknown kind {sorted(named - set(KINDS))[0]!r}")
        guarding.append(Guard(named, tuple(pattern(_fill(p, words)) for p in _many(raw["match"]))))
    intent = tuple(pattern(_fill(p, words)) for p in _many(content.get("intent", {}).get("match")))
    return Detector(
        rules=tuple(rules),
        spellings=spellings,
        spelt=spelt,
        who=who,
        classes=classes,
        guards=tuple(guarding),
        intent=intent,
    )


_SUBJECT_KEYS = {
    "self_words": "self",
    "other": "other",
    "other_objects": "other_objects",
    "reflexive_self": "reflexive_self",
    "reflexive_other": "reflexive_other",
    "work": "work",
    "reporting": "reporting",
    "saying": "saying",
}
_GIVING = frozenset(("gave", "sent", "showed", "asked", "rang", "called", "told"))
_AGED = re.compile(r"\d+(?:yo|yr|yrs|y)$")  # "my 14yo"


def _content_text(name: str = CONTENT) -> str:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "content", name)
    with open(path, encoding="utf-8") as f:
        return f.read()


@cache
def load() -> Detector:
    """The shipped rules, read once per process when text is first checked."""
    import tomllib

    return build(tomllib.loads(_content_text()), _model_data().get("anchors", {}))


@cache
def _model_data() -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(_content_text(MODEL))
    return data


def model_from(data: Mapping[str, Any]) -> Model:
    if data.get("format") != 2:
        raise ValueError("crisis model: unknown format")
    heads = data["heads"]
    return Model(
        scale=int(data["scale"]),
        word_ngrams=int(data["word_ngrams"]),
        char_ngrams=(int(data["char_ngrams"][0]), int(data["char_ngrams"][1])),
        bias={h: float(heads[h]["bias"]) for h in heads},
        threshold={c: float(data["threshold"][c]) for c in CONCERNS},
        weights={h: dict(heads[h]["weights"]) for h in heads},
        heads={h: str(heads[h]["concern"]) for h in heads},
        guard_features=bool(data.get("guard_features", False)),
        min_words=int(data.get("min_words", 4)),
        class_ngrams=int(data.get("class_ngrams", 0)),
        rules_alone=bool(data.get("rules_alone", True)),
    )


@cache
def load_model() -> Model:
    """The shipped model, read once per process when text is first checked."""
    return model_from(_model_data())


def clauses(text: str, detector: Detector) -> list[str]:
    """`text` as the rules read it: lowercase words, no apostrophes, texting spelt out."""
    text = _APOSTROPHES.sub("", text.lower())
    out: list[str] = []
    for part in _CLAUSE_END.split(text):
        words = _NOT_WORD.sub(" ", part).strip()
        if not words:
            continue
        words = _STRETCHED.sub(r"\1", words)
        if detector.spellings is not None:
            words = detector.spellings.sub(lambda m: detector.spelt[m.group(0)], words)
        out.append(words)
    return out


def _about(clause: str, match: re.Match[str], detector: Detector, default: str = "self") -> str:
    """Whether a hit in `clause` is about the writer (`self`) or someone else (`someone`).

    In order: a reflexive inside the hit ("kill herself"); the writer inside it
    ("nobody would miss me"); the nearest subject before it ("my daughter says
    she wants to die"), passing over "I saw" and "I think" and reading "she said
    I..." as her words; someone else's name for them inside the hit ("better off
    without her"); with nothing to go on, `default`. `work` is returned for a
    subject met at work ("a patient self-harmed").
    """
    who = detector.who
    before = clause[: match.start()].split()[-14:]
    inside = match.group(0).split()
    quoted = _said_by_other(before, who)
    for word in inside:
        if word in who.reflexive_self:
            return "someone" if quoted else "self"
        if word in who.reflexive_other:
            return "someone"
    if any(w in who.self_words for w in inside):
        return "someone" if quoted else "self"
    for i in range(len(before) - 1, -1, -1):
        word = before[i]
        if word in who.self_words:
            following = before[i + 1] if i + 1 < len(before) else ""
            previous = before[i - 1] if i else ""
            if following in who.reporting:
                continue
            if word == "me" and (previous in who.saying or previous in _GIVING):
                continue  # "she told me ...": me is spoken to, not the one it is about
            return "someone" if _said_by_other(before[:i], who) else "self"
        if word in who.work:
            return "work"
        if word in who.other or _AGED.match(word):
            return "someone"
    if any(w in who.other_objects for w in before):  # "her last text said sorry for everything"
        return "someone"
    if any(w in who.other or w in who.other_objects for w in inside):
        return "someone"
    return default


def _said_by_other(before: Sequence[str], who: Subjects) -> bool:
    """Whether `before` ends "<someone> said" (so what follows is their words)."""
    tail = list(before[-3:])
    for i, word in enumerate(tail):
        if word in who.saying:
            return any(
                w in who.other or _AGED.match(w) for w in before[: len(before) - len(tail) + i]
            )
    return False


def _concern(rule: Rule, clause: str, match: re.Match[str], detector: Detector) -> str | None:
    if rule.who in ("writer", "reported"):
        # A journal drops its "I" ("said goodbye to everyone"): with no subject, the writer.
        found = _about(clause, match, detector, "self")
        return None if found == "work" else found
    if rule.who == "other":
        return "someone"
    if rule.who == "abuse":
        return "abuse"
    before = clause[: match.start()].split()[-10:]
    for word in reversed(before):
        if word in detector.who.self_words:
            return None
        if word in detector.who.other:
            return "abuse"
    return None


def guarded(
    kind: str, clause: str, span: tuple[int, int], others: Sequence[str], detector: Detector
) -> bool:
    """Whether a hit of `kind` at `span` in `clause` is set aside by a guard: a guard's
    match overlaps it, and no `[intent]` pattern occurs in the rest of the clause (the
    guard's own words left out) or in the text's `others` clauses."""
    start, end = span
    for guard in detector.guards:
        if kind not in guard.kinds:
            continue
        for p in guard.patterns:
            for g in p.finditer(clause):
                if g.start() >= end or g.end() <= start:
                    continue
                rest = (clause[: g.start()] + " | " + clause[g.end() :], *others)
                if not any(i.search(r) for i in detector.intent for r in rest):
                    return True
    return False


def _unguarded(
    pattern: Pattern, kind: str, clause: str, others: Sequence[str], detector: Detector
) -> re.Match[str] | None:
    """The first match of `pattern` in `clause` that no guard sets aside."""
    m = pattern.search(clause)
    if m is None or not detector.guards:
        return m
    for m in pattern.finditer(clause):
        if not guarded(kind, clause, m.span(), others, detector):
            return m
    return None


def hits(text: str, detector: Detector | None = None) -> list[Hit]:
    """Every rule that fires in `text`, with the concern it raises, in rule order."""
    detector = detector or load()
    found: list[Hit] = []
    every = clauses(text, detector)
    for n, clause in enumerate(every):
        others = every[:n] + every[n + 1 :]
        for rule in detector.rules:
            if rule.guards and any(g.search(clause) for g in rule.guards):
                continue
            for pattern in rule.patterns:
                m = _unguarded(pattern, rule.kind, clause, others, detector)
                if m is None:
                    continue
                concern = _concern(rule, clause, m, detector)
                if concern is None:
                    continue
                found.append(Hit(rule.kind, concern))
                break
    return found


def features(
    text: str,
    detector: Detector,
    word_ngrams: int,
    chars: tuple[int, int],
    class_ngrams: int = 0,
    guards: bool = False,
) -> set[str]:
    """What the model reads: word n-grams inside clauses, letter n-grams inside words
    (padded with a space each side, so "sucide" still shares most of "suicide"), and
    which rules fired with which concern. With `class_ngrams`, also n-grams in which
    words of a class stand as its name ("g:counted the MEANS"), and which pairs of
    classes meet in one clause ("p:MEANS+TIME"): what a line is about, in words of
    its own that no line in the corpus used."""
    out: set[str] = set()
    for clause in clauses(text, detector):
        words = clause.split()
        for n in range(1, word_ngrams + 1):
            for i in range(len(words) - n + 1):
                out.add("w:" + " ".join(words[i : i + n]))
        if class_ngrams:
            classed = [detector.classes.get(w, w) for w in words]
            marked = [w in detector.classes for w in words]
            for n in range(1, class_ngrams + 1):
                for i in range(len(words) - n + 1):
                    if any(marked[i : i + n]):
                        out.add("g:" + " ".join(classed[i : i + n]))
            present = sorted({c for c, m in zip(classed, marked, strict=True) if m})
            for a in range(len(present)):
                for b in range(a + 1, len(present)):
                    out.add(f"p:{present[a]}+{present[b]}")
        low, high = chars
        if low:
            for word in words:
                padded = f" {word} "
                for n in range(low, high + 1):
                    for i in range(max(len(padded) - n + 1, 1)):
                        out.add("c:" + padded[i : i + n])
    for h in hits(text, detector):
        out.add("r:" + h.concern)
        out.add("k:" + h.kind)
    if guards:
        out |= _guard_features(text, detector)
    return out


def _guard_features(text: str, detector: Detector) -> set[str]:
    """Which guards' words the text holds ("x:goodbye" for "left without saying
    goodbye"), and which rules' `unless`: what made the rules set a hit aside is worth
    as much to the model, which otherwise reads "goodbye" alone."""
    out: set[str] = set()
    for clause in clauses(text, detector):
        for guard in detector.guards:
            if any(p.search(clause) for p in guard.patterns):
                out.update("x:" + k for k in guard.kinds)
        for rule in detector.rules:
            if rule.guards and any(g.search(clause) for g in rule.guards):
                out.add("u:" + rule.kind)
    return out


def probabilities(feats: Iterable[str], model: Model) -> dict[str, float]:
    """Each concern's probability: that of its most confident head, or, for the concern
    its heads rank first (ties: the earlier in `CONCERNS`), the `ANY` head's if surer."""
    found = list(feats)
    out = dict.fromkeys(CONCERNS, 0.0)
    pooled = 0.0
    for head, c in model.heads_of().items():
        w = model.weights[head]
        z = model.bias[head] + sum(w.get(f, 0) for f in found) / model.scale
        p = 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0
        if c == ANY:
            pooled = max(pooled, p)
        else:
            out[c] = max(out[c], p)
    first = max(CONCERNS, key=lambda c: out[c])
    out[first] = max(out[first], pooled)
    return out


def concerns(
    texts: Iterable[str], detector: Detector | None = None, model: Model | None = None
) -> set[str]:
    """Which of `CONCERNS` the texts raise; empty when nothing suggests danger.

    A concern is raised when a rule finds it or when the model's probability for
    it reaches the model's threshold for it, each text on its own.
    """
    detector = detector or load()
    model = model or load_model()
    found: set[str] = set()
    for text in texts:
        if not text or not text.strip():
            continue
        ruled = {h.concern for h in hits(text, detector)}
        if model.rules_alone or len(_NOT_WORD.sub(" ", text.lower()).split()) < model.min_words:
            found |= ruled
        if len(_NOT_WORD.sub(" ", text.lower()).split()) < model.min_words:
            continue
        feats = features(
            text,
            detector,
            model.word_ngrams,
            model.char_ngrams,
            model.class_ngrams,
            model.guard_features,
        )
        probs = probabilities(feats, model)
        found |= raised(probs, model.threshold)
    return found


def raised(probs: Mapping[str, float], threshold: Mapping[str, float]) -> set[str]:
    """The concerns the model raises: those at their threshold, except the writer's
    own when the model is surer the words are about someone else ("my son wants to
    die" has the words of a wish; the writer is the one worried). The rules, which
    read who a clause is about, still raise the writer's concern on their own."""
    out = {c for c in CONCERNS if probs[c] >= threshold[c]}
    if "self" in out and probs["someone"] > probs["self"]:
        out.discard("self")
    return out


def kinds(text: str, detector: Detector | None = None) -> set[str]:
    """The kinds of the hits in `text` (for measuring and tests)."""
    return {h.kind for h in hits(text, detector)}


def first_concern(found: Sequence[str] | set[str]) -> str | None:
    """The concern whose help comes first on the card: danger to the writer before all."""
    for c in ("self", "abuse", "someone"):
        if c in found:
            return c
    return None
