"""The coach's pure helpers: drafts, reply flags, tips, distress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from attunecli import coach
from attunecli.askers import ScriptedAsker
from attunecli.catalog import (
    ALL_PRACTICE_IDS,
    ATTACHMENT_STYLES,
    attachment,
    coach_text,
    practice,
)
from attunecli.engine import RunOptions, run_practice
from attunecli.models import Answer, Entry
from tests.conftest import NOW

TEXT = coach_text()


# join_words


@pytest.mark.parametrize(
    ("words", "want"),
    [
        ([], ""),
        ([""], ""),
        (["hurt"], "hurt"),
        (["hurt", "sad"], "hurt and sad"),
        (["hurt", "sad", "tired"], "hurt, sad and tired"),
        (["hurt", "", "sad", ""], "hurt and sad"),
        (["a", "b", "c", "d"], "a, b, c and d"),
    ],
)
def test_join_words(words: list[str], want: str) -> None:
    assert coach.join_words(words) == want


# compose


@pytest.mark.parametrize(
    ("situation", "ending"),
    [
        ("When I looked at my phone.", "when I looked at my phone."),
        ("when I looked at my phone", "when I looked at my phone."),
        ("  WHEN   I looked\nat my phone...  ", "when I looked at my phone."),
        ("that the plans changed!", "when the plans changed."),
        ("the plans changed", "when the plans changed."),
        ("whenever it rains.", "when whenever it rains."),  # only the whole word is dropped
    ],
)
def test_reflection_with_situation(situation: str, ending: str) -> None:
    answers = {"their_feelings": ["hurt", "lonely"], "situation": situation}
    assert coach.compose("reflection", answers, TEXT) == (
        "It sounds like you felt hurt and lonely " + ending
    )


@pytest.mark.parametrize("situation", [None, "", "   ", ".", " . ! "])
def test_reflection_without_situation(situation: Any) -> None:
    answers = {"their_feelings": ["hurt"], "situation": situation}
    assert coach.compose("reflection", answers, TEXT) == "It sounds like you felt hurt."


def test_reflection_feelings_as_one_word_or_none() -> None:
    assert coach.compose("reflection", {"their_feelings": "tired"}, TEXT) == (
        "It sounds like you felt tired."
    )
    assert coach.compose("reflection", {}, TEXT) == "It sounds like you felt this way."
    assert coach.compose("reflection", {"their_feelings": []}, TEXT) == (
        "It sounds like you felt this way."
    )


def test_validation_is_deterministic_and_from_the_list() -> None:
    lines = TEXT["reflection"]["validations"]
    seen = set()
    for words in (["hurt"], ["sad", "tired"], ["angry"], ["lonely"], ["afraid"], ["calm"]):
        answers = {"their_feelings": words}
        first = coach.compose("validation", answers, TEXT)
        assert first == coach.compose("validation", dict(answers), TEXT)
        feelings = coach.join_words(words)
        assert first in {line.format(feelings=feelings) for line in lines}
        assert feelings in first
        seen.add(first.replace(feelings, "{feelings}"))
    assert len(seen) > 1  # different feelings do not all get the same line


def test_repair_message_with_my_part() -> None:
    answers = {
        "what": "When I snapped about the dishes.",
        "my_part": "I was short with you.",
        "their_feelings": ["hurt", "dismissed"],
    }
    assert coach.compose("repair_message", answers, TEXT) == (
        "I've been thinking about what happened: I snapped about the dishes. "
        "I'm sorry for my part in it: I was short with you. "
        "You may have felt hurt and dismissed, and that makes sense to me. "
        "You matter to me. Could we talk about it when it suits you?"
    )


@pytest.mark.parametrize("my_part", [None, ""])
def test_repair_message_without_my_part(my_part: Any) -> None:
    answers = {"what": "I was late", "their_feelings": ["let down"], "my_part": my_part}
    message = coach.compose("repair_message", answers, TEXT)
    assert message == (
        "I've been thinking about what happened: I was late. "
        "You may have felt let down, and that makes sense to me. "
        "You matter to me. Could we talk about it when it suits you?"
    )
    assert "sorry" not in message


def test_repair_message_with_nothing_yet() -> None:
    message = coach.compose("repair_message", {}, TEXT)
    assert message.startswith("I've been thinking about what happened: what happened.")
    assert "You may have felt this way" in message


def test_unknown_template() -> None:
    with pytest.raises(ValueError, match="unknown template 'poem'"):
        coach.compose("poem", {}, TEXT)


# crisis and distress


def slow_down(feeling: str, intensity: int, **more: Any) -> Entry:
    asker = ScriptedAsker({"feeling": feeling, "intensity": intensity, **more}, flags={})
    return run_practice(practice("slow-down"), asker, RunOptions(now=lambda: NOW))


@pytest.mark.parametrize(
    ("feeling", "intensity", "flagged"),
    [
        ("hopeless", 9, True),  # unpleasant at the threshold
        ("anxious", 10, True),
        ("hopeless", 8, False),  # under it
        ("elated", 9, False),  # pleasant
        ("calm", 10, False),
        ("despairing", 10, True),  # a word of one's own: pleasantness unknown, so it counts
        ("despairing", 8, False),
    ],
)
def test_high_distress(feeling: str, intensity: int, flagged: bool) -> None:
    entry = slow_down(feeling, intensity)
    assert coach.high_distress(entry) is flagged


def test_high_distress_threshold_is_a_parameter() -> None:
    entry = slow_down("sad", 7)
    assert not coach.high_distress(entry)
    assert coach.high_distress(entry, threshold=7)
    assert not coach.high_distress(entry, threshold=8)


def _answer(aid: str, kind: str, value: Any, **details: Any) -> Answer:
    return Answer(aid, kind, "?", value, dict(details))


def _entry(*answers: Answer) -> Entry:
    return Entry("0" * 16, datetime(2026, 1, 1, tzinfo=NOW.tzinfo), "checkin", list(answers))


def test_high_distress_is_scoped_to_a_section() -> None:
    scale = _answer("notice.intensity", "scale", 9, measure="intensity")
    same = _entry(_answer("notice.feeling", "feeling", "sad", quadrant="low-unpleasant"), scale)
    assert coach.high_distress(same)
    elsewhere = _entry(
        _answer("notice.feeling", "feeling", "calm", quadrant="low-pleasant"),
        scale,
        _answer("other.feeling", "feeling", "sad", quadrant="low-unpleasant"),
    )
    assert not coach.high_distress(elsewhere)


def test_high_distress_needs_an_intensity_and_a_feeling() -> None:
    sad = _answer("feeling", "feeling", "sad", quadrant="low-unpleasant")
    assert not coach.high_distress(_entry(sad, _answer("arousal_before", "scale", 10)))
    # how stirred up someone is: its high end ("overwhelmed") is unpleasant in itself
    assert coach.high_distress(
        _entry(sad, _answer("arousal_before", "scale", 10, measure="arousal_before"))
    )
    assert coach.high_distress(
        _entry(_answer("arousal_after", "scale", 9, measure="arousal_after"))
    )
    assert not coach.high_distress(
        _entry(_answer("arousal_after", "scale", 8, measure="arousal_after"))
    )
    assert not coach.high_distress(_entry(_answer("intensity", "scale", 10, measure="intensity")))
    skipped = _answer("feeling", "feeling", None)
    assert not coach.high_distress(
        _entry(skipped, _answer("intensity", "scale", 10, measure="intensity"))
    )


def _checkin(**answers: Any) -> Entry:
    asker = ScriptedAsker(answers, flags={})
    return run_practice(practice("checkin"), asker, RunOptions(now=lambda: NOW))


def test_checkin_distress_through_the_engine() -> None:
    assert coach.high_distress(_checkin(**{"notice.feeling": "hopeless", "notice.intensity": 9}))
    # someone else's feelings, however dark, are not the user's own distress
    calm = _checkin(
        **{
            "notice.feeling": "content",
            "notice.intensity": 9,
            "someone.context": "friend",
            "someone.their_feelings": ["hopeless", "despairing"],
        }
    )
    assert not coach.high_distress(calm)


# tips


@pytest.mark.parametrize("style", ATTACHMENT_STYLES)
def test_tip_for_each_style_and_practice(style: str) -> None:
    data = attachment()
    tips = [coach.tip_for(style, pid, data) for pid in ALL_PRACTICE_IDS]
    assert tips == [data[style]["tips"][pid] for pid in ALL_PRACTICE_IDS]
    assert all(isinstance(t, str) and t for t in tips)
    assert len(set(tips)) == len(tips)  # one tip per practice, not one for all


@pytest.mark.parametrize("style", [None, "", "clingy", "Anxious", "tips"])
def test_tip_for_unknown_or_no_style(style: Any) -> None:
    assert coach.tip_for(style, "reflect", attachment()) is None


def test_tip_for_unknown_practice_or_missing_tips() -> None:
    assert coach.tip_for("anxious", "repair-done", attachment()) is None
    assert coach.tip_for("anxious", "reflect", {"anxious": {"label": "Anxious"}}) is None
    assert coach.tip_for("anxious", "reflect", {"anxious": {"tips": {"reflect": ""}}}) is None
    assert coach.tip_for("x", "reflect", {"x": {"tips": {"reflect": "Breathe."}}}) == "Breathe."
