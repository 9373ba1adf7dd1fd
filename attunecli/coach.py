"""Pure helpers that write or read a little text: no I/O, content passed in.

Drafting a reflection, a validation or a repair message; picking an
attachment-aware tip; noticing when an entry shows a lot of distress.
Checking a reply lives in `replies.py`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from attunecli.models import JSON, KINDS, UNKNOWN_KIND, Entry


def join_words(words: Sequence[str], last: str = "and") -> str:
    """'hurt', 'hurt and sad', 'hurt, sad and tired' (or, with `last`, 'hurt or sad')."""
    words = [w for w in words if w]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + f" {last} " + words[-1]


def _clause(text: str) -> str:
    """User text set inside a sentence: no trailing full stop, no leading capital 'When'."""
    text = " ".join(str(text).split()).rstrip(" .!")
    return re.sub(r"^(when|that)\s+", "", text, flags=re.IGNORECASE)


def _feelings(answers: Mapping[str, JSON], key: str = "their_feelings") -> str:
    value = answers.get(key)
    if isinstance(value, str):
        value = [value]
    return join_words(list(value or [])) or "this way"


def _pick(options: Sequence[str], *keys: str) -> str:
    """One of `options`, picked by `keys`: the same answers give the same draft (so a
    resumed run offers what it offered before), different moments get different words."""
    return str(options[zlib.crc32("\x1f".join(keys).encode("utf-8")) % len(options)])


def _by_context(table: Mapping[str, Any], answers: Mapping[str, JSON]) -> Mapping[str, Any]:
    """The drafts for this context, falling back to the shared ones key by key."""
    context = answers.get("context")
    base: Mapping[str, Any] = table.get("default", table)
    own = table.get(context) if isinstance(context, str) else None
    if not isinstance(own, Mapping):
        return base
    return {**base, **own}


def _statement(answers: Mapping[str, JSON], text: Mapping[str, Any]) -> str:
    drafts = _by_context(text["reflection"], answers)
    feelings = _feelings(answers)
    situation = _clause(answers.get("situation") or "")
    if situation:
        line = _pick(drafts["with_situation"], feelings, situation)
        return line.format(feelings=feelings, situation=situation)
    return _pick(drafts["without_situation"], feelings).format(feelings=feelings)


# Words for the other person in the third person: in a message to them, "I called him
# lazy. You may have felt..." speaks of them and to them at once.
_ABOUT_THEM = re.compile(r"\b(?:he|him|his|she|her|hers|they|them|their|theirs)\b", re.I)


def _repair_message(answers: Mapping[str, JSON], text: Mapping[str, Any]) -> str:
    r = _by_context(text["repair"], answers)
    what = _clause(answers.get("what") or "what happened")
    to_them = answers.get("context") != "self"
    if to_them and _ABOUT_THEM.search(what):
        parts = [str(r.get("acknowledge_plain", text["repair"]["acknowledge_plain"]))]
    else:
        parts = [str(r["acknowledge"]).format(what=what)]
    my_part = _clause(answers.get("my_part") or "")
    if my_part and not (to_them and _ABOUT_THEM.search(my_part)):
        parts.append(str(r["own"]).format(my_part=my_part))
    elif my_part:
        parts.append(str(r.get("own_plain", text["repair"]["own_plain"])))
    parts.append(str(r["validate"]).format(feelings=_feelings(answers)))
    if answers.get("differently"):
        parts.append(str(r["differently"]).format(differently=_lower_first(answers["differently"])))
    parts.append(str(r["reconnect"]))
    return " ".join(parts)


def _lower_first(text: JSON) -> str:
    """User text set after "Next time, I'll": a leading "I'll" goes, and "Ask first"
    reads "ask first" (a word in capitals, or "I", stays as it is)."""
    clause = re.sub(
        r"^(i'll|i will|i'm going to|i am going to|i'd like to|i want to|i can)\s+",
        "",
        _clause(text),
        flags=re.IGNORECASE,
    )
    first = clause.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower() and not first.startswith("I'"):
        return clause[0].lower() + clause[1:]
    return clause


def _curious_sentence(answers: Mapping[str, JSON], text: Mapping[str, Any]) -> str:
    t = text["curious_sentence"]
    agree = re.sub(
        r"^(you'?re|you are) right( that)?\s*",
        "",
        _clause(answers.get("agree_part") or ""),
        flags=re.IGNORECASE,
    )
    if agree:
        return str(t["with_agree"]).format(agree=agree)
    questions = answers.get("questions")
    if isinstance(questions, list):
        picked = [q for q in questions if isinstance(q, str) and q.strip()]
        if picked:
            return str(t["with_question"]).format(question=" ".join(picked[0].split()))
    return str(t["plain"])


def _received(answers: Mapping[str, JSON], text: Mapping[str, Any]) -> str:
    t = text["received"]
    feelings = _feelings(answers, "my_feelings")
    what = _clause(answers.get("what") or "what happened")
    side = answers.get("side")
    key = "ask" if side == "ask" else str(answers.get("ready") or "accept")
    if key == "yes" or key not in t:
        key = "accept"
    parts = [str(t[key]).format(feelings=feelings, what=what)]
    need = _clause(answers.get("need") or "")
    if need:
        parts.append(str(t["need"]).format(need=need))
    return " ".join(parts)


def compose(template: str, answers: Mapping[str, JSON], text: Mapping[str, Any]) -> str:
    """Draft the text a `compose` step offers, from answers keyed by step id."""
    if template == "reflection":
        statement = _statement(answers, text)
        checks = _by_context(text["reflection"], answers)["checks"]
        return f"{statement} {_pick(checks, statement)}"
    if template == "reflection_statement":  # without the check: to lead a kinder reply
        return _statement(answers, text)
    if template == "validation":
        table = text["validation"]
        context = answers.get("context")
        own = table.get(context) if isinstance(context, str) else None
        lines = own if isinstance(own, list) and own else table["default"]
        feelings = _feelings(answers)
        return _pick(lines, feelings).format(feelings=feelings)
    if template == "repair_message":
        return _repair_message(answers, text)
    if template == "curious_sentence":
        return _curious_sentence(answers, text)
    if template == "received_message":
        return _received(answers, text)
    raise ValueError(f"unknown template {template!r}")


def without_check(reflection: str, text: Mapping[str, Any]) -> str:
    """A reflection without the check that ends a draft ("Did I get that right?"): a
    kinder reply starts from what was said back, and asks its own question."""
    for drafts in text["reflection"].values():
        for check in drafts.get("checks", ()) if isinstance(drafts, Mapping) else ():
            if reflection.endswith(" " + check):
                return reflection[: -len(check) - 1]
    return reflection


def hint(name: str, answers: Mapping[str, JSON], text: Mapping[str, Any]) -> str:
    """A line of help the coach writes from earlier answers (`text`: the content it
    draws on, such as the cues table for `cue_guess`)."""
    if name == "cue_guess":
        return _cue_guess(answers, text)
    raise ValueError(f"unknown hint {name!r}")


def _cue_guess(answers: Mapping[str, JSON], text: Mapping[str, Any]) -> str:
    """From the cues noticed in someone, the feelings such cues often go with."""
    guesses: Mapping[str, Sequence[str]] = text["guess"]["by_cue"]
    counts: dict[str, int] = {}
    for step in ("others_tone", "others_face", "others_posture"):
        picked = answers.get(step)
        for cue in picked if isinstance(picked, list) else []:
            for rank, word in enumerate(guesses.get(str(cue), ())):
                counts[word] = counts.get(word, 0) + 10 - rank
    if not counts:
        return str(text["guess"]["none"])
    words = sorted(counts, key=lambda w: (-counts[w], w))[:4]
    return str(text["guess"]["some"]).format(feelings=join_words(words, "or"))


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _normalise(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).lower().split())


def tip_for(style: str | None, practice_id: str, attachment: Mapping[str, Any]) -> str | None:
    if not style or style not in attachment:
        return None
    tips = attachment[style].get("tips", {})
    tip = tips.get(practice_id)
    return str(tip) if tip else None


def stock_options() -> frozenset[str]:
    """Every option a practice offers to pick from: picked, they are attune's words, not the
    person's, and are never read for signs of crisis."""
    from attunecli.catalog import coach_text

    found: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, list):
            found.update(s for s in x if isinstance(s, str))
        elif isinstance(x, dict):
            for y in x.values():
                walk(y)

    walk(coach_text())
    return frozenset(found)


def free_text(entry: Entry, *, vocabulary_feelings: bool = True) -> Iterable[str]:
    """Everything the person wrote in `entry`, one string an answer or list item.

    Without `vocabulary_feelings`, a feeling picked from attune's own list
    ("hopeless") is left out: its rating speaks for it (see `high_distress`),
    while a word of one's own ("suicidal") is read like any other text.
    """
    for a in entry.answers:
        if not vocabulary_feelings and (
            a.kind == "feelings" or (a.kind == "feeling" and a.details.get("quadrant"))
        ):
            continue
        if a.kind == "compose" and a.details.get("drafted") is True:
            continue  # attune's draft, unedited: its words are ours, built from answers above
        if not KINDS.get(a.kind, UNKNOWN_KIND).own_words:
            continue
        if isinstance(a.answer, str):
            yield a.answer
        elif isinstance(a.answer, list):
            yield from (x for x in a.answer if isinstance(x, str))


# Scales whose high end is itself unpleasant ("overwhelmed"), whatever feeling goes with them.
UNPLEASANT_MEASURES = ("arousal_before", "arousal_after", "distress")
# Scales of an urge, read against their own top (4 of 5), since an urge near the top
# is a reason to show support, whatever the feeling.
URGE_MEASURES = ("urge",)


def high_distress(entry: Entry, threshold: int = 9) -> bool:
    """A rating of `threshold` or more on something unpleasant: a feeling in the same section
    not known to be pleasant, or how stirred up someone is before or after regulating.

    A word of the user's own is not in the vocabulary, so its pleasantness is
    unknown; it counts, since showing resources to someone who did not need
    them costs little.
    """
    for a in entry.answers:
        if a.kind != "scale" or not isinstance(a.answer, int) or isinstance(a.answer, bool):
            continue
        measure = a.details.get("measure")
        top = a.details.get("of", 10)
        if measure in URGE_MEASURES and isinstance(top, int) and top > 0:
            # An urge (a diary card's urge to hurt yourself) counts near the top of its scale.
            if a.answer >= max(1, round(top * 0.8)):
                return True
            continue
        if a.answer < threshold:
            continue
        if measure in UNPLEASANT_MEASURES:
            return True
        if measure != "intensity":
            continue
        prefix = a.id.rpartition(".")[0]
        for f in entry.by_kind("feeling"):
            if f.id.rpartition(".")[0] != prefix or not f.answer:
                continue
            if f.details.get("quadrant", "").endswith("-pleasant"):
                continue
            return True
    return False
