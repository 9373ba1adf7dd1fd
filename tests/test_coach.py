"""The coach's pure helpers: drafts, reply flags, tips, distress."""

from __future__ import annotations

import copy
import re
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
    cues,
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


def _one_draft(text: dict[str, Any]) -> dict[str, Any]:
    """The coach's text with one draft and one check per context: the clause rules alone."""
    out = copy.deepcopy(text)
    for drafts in out["reflection"].values():
        for key in ("with_situation", "without_situation", "checks"):
            drafts[key] = drafts[key][:1]
    return out


ONE = _one_draft(TEXT)


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
    assert coach.compose("reflection", answers, ONE) == (
        "It sounds like you felt hurt and lonely " + ending + " Did I get that right?"
    )
    assert coach.compose("reflection_statement", answers, ONE) == (
        "It sounds like you felt hurt and lonely " + ending
    )


@pytest.mark.parametrize("situation", [None, "", "   ", ".", " . ! "])
def test_reflection_without_situation(situation: Any) -> None:
    answers = {"their_feelings": ["hurt"], "situation": situation}
    assert coach.compose("reflection_statement", answers, ONE) == "It sounds like you felt hurt."


def test_reflection_feelings_as_one_word_or_none() -> None:
    assert coach.compose("reflection_statement", {"their_feelings": "tired"}, ONE) == (
        "It sounds like you felt tired."
    )
    assert coach.compose("reflection_statement", {}, ONE) == "It sounds like you felt this way."
    assert coach.compose("reflection_statement", {"their_feelings": []}, ONE) == (
        "It sounds like you felt this way."
    )


CONTEXTS = [*TEXT["contexts"], None, "someone new"]


@pytest.mark.parametrize("context", CONTEXTS)
def test_every_reflection_is_one_of_its_contexts_drafts_and_ends_with_its_check(
    context: str | None,
) -> None:
    table = TEXT["reflection"]
    drafts = {**table["default"], **table.get(context or "", {})}
    for situation in ("", "the plans changed"):
        for words in (["hurt"], ["sad", "tired"], ["angry"], ["lonely"], ["scared"]):
            answers = {"context": context, "their_feelings": words, "situation": situation}
            draft = coach.compose("reflection", answers, TEXT)
            assert draft == coach.compose("reflection", dict(answers), TEXT)  # same answers
            feelings = coach.join_words(words)
            options = drafts["with_situation" if situation else "without_situation"]
            statements = {o.format(feelings=feelings, situation=situation) for o in options}
            statement = coach.compose("reflection_statement", answers, TEXT)
            assert statement in statements
            assert draft.startswith(statement + " ")
            assert draft[len(statement) + 1 :] in drafts["checks"]


@pytest.mark.parametrize("context", CONTEXTS)
def test_reflections_vary_from_moment_to_moment(context: str | None) -> None:
    seen = {
        coach.compose("reflection", {"context": context, "their_feelings": [w]}, TEXT).replace(
            w, "{feelings}"
        )
        for w in ("hurt", "sad", "tired", "angry", "lonely", "scared", "calm", "worried")
    }
    assert len(seen) > 1


def test_a_reflection_to_yourself_speaks_as_i_and_checks_nothing() -> None:
    answers = {"context": "self", "their_feelings": ["tired"], "situation": "the day ran long"}
    draft = coach.compose("reflection", answers, TEXT)
    assert draft.startswith(("I felt", "When")), draft
    assert "I felt tired" in draft
    assert "you" not in draft.lower() and "?" not in draft


def test_a_reflection_for_a_child_or_a_client_fits_them() -> None:
    child = coach.compose("reflection", {"context": "child", "their_feelings": ["scared"]}, TEXT)
    client = coach.compose("reflection", {"context": "client", "their_feelings": ["upset"]}, TEXT)
    assert child.endswith(tuple(TEXT["reflection"]["child"]["checks"]))
    assert client.endswith(tuple(TEXT["reflection"]["client"]["checks"]))
    assert "It sounds like" not in child  # plainer words for a child


@pytest.mark.parametrize("context", CONTEXTS)
def test_validation_is_deterministic_and_from_its_contexts_list(context: str | None) -> None:
    table = TEXT["validation"]
    lines = table.get(context or "", table["default"])
    if not isinstance(lines, list):
        lines = table["default"]
    seen = set()
    for words in (["hurt"], ["sad", "tired"], ["angry"], ["lonely"], ["afraid"], ["calm"]):
        answers = {"context": context, "their_feelings": words}
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


@pytest.mark.parametrize("context", ["colleague", "client"])
def test_a_repair_at_work_does_not_say_you_matter_to_me(context: str) -> None:
    answers = {"context": context, "what": "I missed the deadline", "their_feelings": ["let down"]}
    message = coach.compose("repair_message", answers, TEXT)
    assert "You matter to me" not in message
    assert message.startswith("I've been thinking about what happened: I missed the deadline.")
    assert message.endswith(TEXT["repair"][context]["reconnect"])


def test_a_repair_with_a_child_and_with_yourself() -> None:
    child = coach.compose(
        "repair_message",
        {"context": "child", "what": "I shouted at bedtime", "my_part": "I was tired and short"},
        TEXT,
    )
    assert child == (
        "I've been thinking about earlier: I shouted at bedtime. I'm sorry: I was tired and "
        "short. You might have felt this way. That's okay. " + TEXT["repair"]["child"]["reconnect"]
    )
    me = coach.compose(
        "repair_message",
        {"context": "self", "what": "I skipped the run", "their_feelings": ["guilty"]},
        TEXT,
    )
    assert me.startswith("I've been hard on myself about what happened: I skipped the run.")
    assert "You may have felt" not in me and "I felt guilty" in me


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("ask before I make plans", "Next time, I'll ask before I make plans."),
        ("Ask before I make plans.", "Next time, I'll ask before I make plans."),
        ("I'll ask first", "Next time, I'll ask first."),
        ("I will ask first", "Next time, I'll ask first."),
        ("NOT shout", "Next time, I'll NOT shout."),  # capitals are kept as typed
        ("I'm going to ask first", "Next time, I'll ask first."),
        ("i want to Listen more", "Next time, I'll listen more."),
    ],
)
def test_one_thing_i_will_do_differently_joins_the_message(typed: str, said: str) -> None:
    answers = {"what": "I made plans", "my_part": "I didn't ask", "differently": typed}
    message = coach.compose("repair_message", answers, TEXT)
    assert said in message
    assert message.index(said) < message.index(TEXT["repair"]["reconnect"])


@pytest.mark.parametrize(
    ("answers", "want"),
    [
        ({"agree_part": "I did reply late"}, "You're right that I did reply late."),
        ({"agree_part": "You're right that I was late."}, "You're right that I was late."),
        ({"agree_part": "you are right i was late"}, "You're right that i was late."),
        ({"questions": ["What was that like for you?"]}, "Help me understand: What was"),
        ({"agree_part": "", "questions": []}, TEXT["curious_sentence"]["plain"]),
    ],
)
def test_one_sentence_to_say_in_the_moment(answers: dict[str, Any], want: str) -> None:
    assert coach.compose("curious_sentence", answers, TEXT).startswith(want)


@pytest.mark.parametrize(
    ("answers", "start"),
    [
        ({"side": "accept", "ready": "yes"}, "Thank you for coming back to this. I felt hurt"),
        ({"side": "accept"}, "Thank you for coming back to this."),
        ({"side": "accept", "ready": "partly"}, "Thank you for saying that. I still feel hurt"),
        ({"side": "accept", "ready": "not-yet"}, "Thank you for coming to me. I'm not ready yet"),
        ({"side": "ask"}, "Could we talk about something? When you left early, I felt hurt."),
        ({"side": "ask", "ready": "yes"}, "Could we talk about something?"),  # side decides
    ],
)
def test_a_message_from_the_side_that_was_hurt(answers: dict[str, Any], start: str) -> None:
    full = {**answers, "what": "you left early", "my_feelings": ["hurt"]}
    message = coach.compose("received_message", full, TEXT)
    assert message.startswith(start)
    assert "What would help me" not in message
    needing = coach.compose("received_message", {**full, "need": "a text next time."}, TEXT)
    assert needing == message + " What would help me is a text next time."


CUES = cues()


def test_cues_turn_into_a_guess_most_likely_first() -> None:
    answers = {"others_tone": ["tearful"], "others_face": ["tears"], "others_posture": ["slumped"]}
    hint = coach.hint("cue_guess", answers, CUES)
    # sad is first for two cues and second for one: it leads; hurt comes next.
    assert hint == CUES["guess"]["some"].format(feelings="sad, hurt, overwhelmed or tired")


def test_no_cues_no_guess() -> None:
    assert coach.hint("cue_guess", {}, CUES) == CUES["guess"]["none"]
    assert (
        coach.hint("cue_guess", {"others_tone": ["a word of my own"]}, CUES)
        == (CUES["guess"]["none"])
    )


def test_unknown_hint() -> None:
    with pytest.raises(ValueError, match="unknown hint 'x'"):
        coach.hint("x", {}, CUES)


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


@pytest.mark.parametrize(
    ("what", "my_part"),
    [("I called him lazy", "I snapped at him"), ("she asked and I ignored her", "")],
)
def test_a_repair_message_speaks_to_them_not_of_them(what: str, my_part: str) -> None:
    answers = {"context": "partner", "what": what, "my_part": my_part, "their_feelings": ["hurt"]}
    message = coach.compose("repair_message", answers, TEXT)
    assert not re.search(r"\b(?:him|her|she|he)\b", message), message
    assert message.startswith(TEXT["repair"]["acknowledge_plain"])
    assert "You may have felt hurt" in message
    if my_part:
        assert TEXT["repair"]["own_plain"] in message


def test_a_repair_message_to_yourself_may_speak_of_them() -> None:
    answers = {"context": "self", "what": "I shouted at her", "their_feelings": ["ashamed"]}
    assert "I shouted at her" in coach.compose("repair_message", answers, TEXT)
