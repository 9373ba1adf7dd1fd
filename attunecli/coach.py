"""Pure helpers that write or read a little text: no I/O, content passed in.

Drafting a reflection, a validation or a repair message; picking an
attachment-aware tip; noticing when an entry shows a lot of distress.
Checking a reply lives in `replies.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from attunecli.models import JSON, Entry


def join_words(words: Sequence[str]) -> str:
    """'hurt', 'hurt and sad', 'hurt, sad and tired'."""
    words = [w for w in words if w]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _clause(text: str) -> str:
    """User text set inside a sentence: no trailing full stop, no leading capital 'When'."""
    text = " ".join(str(text).split()).rstrip(" .!")
    return re.sub(r"^(when|that)\s+", "", text, flags=re.IGNORECASE)


def _feelings(answers: Mapping[str, JSON], key: str = "their_feelings") -> str:
    value = answers.get(key)
    if isinstance(value, str):
        value = [value]
    return join_words(list(value or [])) or "this way"


def compose(template: str, answers: Mapping[str, JSON], text: Mapping[str, Any]) -> str:
    """Draft the text a `compose` step offers, from answers keyed by step id."""
    if template == "reflection":
        feelings = _feelings(answers)
        situation = _clause(answers.get("situation") or "")
        r = text["reflection"]
        if situation:
            return str(r["with_situation"]).format(feelings=feelings, situation=situation)
        return str(r["without_situation"]).format(feelings=feelings)
    if template == "validation":
        lines = text["reflection"]["validations"]
        feelings = _feelings(answers)
        # Pick a line by the feelings, so the same answers always give the same draft.
        index = sum(map(ord, feelings)) % len(lines)
        return str(lines[index]).format(feelings=feelings)
    if template == "repair_message":
        r = text["repair"]
        parts = [
            str(r["acknowledge"]).format(what=_clause(answers.get("what") or "what happened")),
        ]
        if answers.get("my_part"):
            parts.append(str(r["own"]).format(my_part=_clause(answers["my_part"])))
        parts.append(str(r["validate"]).format(feelings=_feelings(answers)))
        parts.append(str(r["reconnect"]))
        return " ".join(parts)
    raise ValueError(f"unknown template {template!r}")


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
        if isinstance(a.answer, str) and a.kind in ("text", "compose", "reply", "feeling"):
            yield a.answer
        elif isinstance(a.answer, list):
            yield from (x for x in a.answer if isinstance(x, str))


# Scales whose high end is itself unpleasant ("overwhelmed"), whatever feeling goes with them.
UNPLEASANT_MEASURES = ("arousal_before", "arousal_after")


def high_distress(entry: Entry, threshold: int = 9) -> bool:
    """A rating of `threshold` or more on something unpleasant: a feeling in the same section
    not known to be pleasant, or how stirred up someone is before or after regulating.

    A word of the user's own is not in the vocabulary, so its pleasantness is
    unknown; it counts, since showing resources to someone who did not need
    them costs little.
    """
    for a in entry.answers:
        if a.kind != "scale" or not isinstance(a.answer, int) or a.answer < threshold:
            continue
        measure = a.details.get("measure")
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
