"""What a person reads for what is stored: an option's label in place of its id.

Entries keep ids ("cyclic-sighing", "partner") so that scripts and `jq` can rely
on them; every view a person reads (`history`, `show`, the md export) shows the
label instead ("Cyclic sighing", "Partner"). A value no practice offers (a word
of one's own, a hand-edited file) is shown as it is.
"""

from __future__ import annotations

from functools import cache

from attunecli.models import JSON, KINDS


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
