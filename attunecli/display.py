"""What a person reads for what is stored: an option's label in place of its id, an
answer as text, and the one line that sums an entry up. Plain text, no Rich: the
index and the exports use it too.

Entries keep ids ("cyclic-sighing", "partner") so that scripts and `jq` can rely
on them; every view a person reads (`history`, `show`, the md export) shows the
label instead ("Cyclic sighing", "Partner"). A value no practice offers (a word
of one's own, a hand-edited file) is shown as it is.
"""

from __future__ import annotations

from functools import cache

from attunecli.models import JSON, KINDS, Entry


@cache
def _labels(practice_id: str) -> dict[str, dict[str, str]]:
    """For each choice step of the practice, its options' labels by value."""
    from attunecli import catalog

    try:
        practice = catalog.practice(practice_id)
    except KeyError:  # "repair-done", or a practice a hand-edited file made up
        return {}
    out: dict[str, dict[str, str]] = {}
    for section, step in practice.steps():
        if KINDS[step.kind].options and step.options:
            labels = {o.value: o.label for o in step.options if o.label != o.value}
            if labels:
                out[practice.answer_id(section, step)] = labels
    return out


def shown(practice_id: str, answer_id: str, value: JSON) -> JSON:
    """`value` as a person should read it: ids of options become their labels."""
    labels = _labels(practice_id).get(answer_id)
    if not labels:
        return value
    if isinstance(value, str):
        return labels.get(value, value)
    if isinstance(value, list):
        return [labels.get(v, v) if isinstance(v, str) else v for v in value]
    return value


def exercise_label(exercise_id: str) -> str:
    """An exercise's name ("Cyclic sighing") for its id; an unknown id as it is."""
    from attunecli import catalog

    found = catalog.exercises().get(exercise_id)
    return found.label if found else exercise_id


def answer_text(value: JSON) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "—"
    if isinstance(value, dict):
        if "seconds" in value:
            done = "stopped early" if value.get("stopped_early") else "to the end"
            return f"{int(value['seconds'])} s of {int(value.get('planned_seconds', 0))} s, {done}"
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def summary(entry: Entry) -> str:
    """One line that says what an entry holds."""
    a = entry.answer
    p = entry.practice
    if p in ("slow-down", "checkin"):
        parts = [str(a("feeling") or ""), str(a("intensity") if a("intensity") is not None else "")]
        line = " ".join(x for x in parts if x)
        extra = a("trigger") or a("note")
        return f"{line} · {extra}" if extra and line else (line or str(extra or ""))
    if p == "reflect":
        return f"{shown(p, 'context', a('context'))}: {answer_text(a('their_feelings'))}"
    if p == "curious":
        return str(a("story") or a("defensive_about") or "")
    if p == "regulate":
        before, after = a("arousal_before"), a("arousal_after")
        return f"{shown(p, 'exercise', a('exercise'))} {before}→{after}"
    if p == "repair":
        return f"{shown(p, 'context', a('context'))}: {a('what')} (follow up {a('follow_up')})"
    if p == "repair-received":
        side = "asking for a repair" if a("side") == "ask" else "a repair offered"
        return f"{shown(p, 'context', a('context'))}, {side}: {a('what')}"
    if p == "repair-done":
        return f"closed repair {(entry.refers_to or '')[:8]}"
    # A practice of one's own: its first few answers, as given.
    said = [answer_text(x.answer) for x in entry.answers if x.answer not in (None, "", [])]
    return " · ".join(said[:3])
