"""The deeper steps of each practice (issue 12, part 7): asked only where they fit, in
words that fit the person, and stored exactly as they were shown."""

from __future__ import annotations

from typing import Any

import pytest

from attunecli import coach
from attunecli.catalog import coach_text, cues, practice
from attunecli.engine import RunOptions
from attunecli.models import Entry
from tests.conftest import NOW
from tests.test_engine import OPTIONS, FakeAsker, answers, run, scripted


def said(asker: FakeAsker) -> str:
    return "\n".join(text for text, _ in asker.said)


def questions(entry: Entry) -> dict[str, str]:
    return {a.id: a.question for a in entry.answers}


# slow-down: the cues noticed become a guess at what they may feel


def test_cues_noticed_in_someone_become_a_guess_to_check() -> None:
    given = {
        "feeling": "worried",
        "intensity": 5,
        "others": True,
        "others_tone": ["tearful"],
        "others_face": ["tears"],
        "others_posture": ["slumped"],
        "others_feelings": ["sad"],
    }
    asker = FakeAsker(given)
    entry = run("slow-down", asker)
    step = asker.shown["others_feelings"]
    assert step.help == coach.hint("cue_guess", given, cues())
    assert "sad" in step.help and "Only they can say" in step.help
    assert answers(entry)["others_feelings"] == ["sad"]
    assert asker.defaults["others_feelings"] is None  # a hint, never a choice made for you


def test_no_one_else_no_guess() -> None:
    asker = FakeAsker({"feeling": "calm", "intensity": 2, "others": False})
    entry = run("slow-down", asker)
    assert "others_feelings" not in asker.asked
    assert "others_feelings" not in answers(entry)


# reflect: presence, the unsaid, a check, listen or help, and words for each person

REFLECT = {"context": "partner", "what": "said I never listen", "their_feelings": ["hurt"]}


def test_reflect_asks_for_presence_the_unsaid_and_listen_or_help() -> None:
    asker = FakeAsker({**REFLECT, "unsaid": "scared I'll leave", "listen_or_help": "Both"})
    entry = run("reflect", asker)
    assert "put the phone down" in said(asker)
    got = answers(entry)
    assert got["unsaid"] == "scared I'll leave"
    assert got["listen_or_help"] == "Both"
    assert "Do you want me to listen, or to help?" in questions(entry)["listen_or_help"]
    checks = coach_text()["reflection"]["default"]["checks"]
    assert got["reflection"].endswith(tuple(checks))  # the draft ends with a check
    assert "presence" not in got  # said, not stored


def test_reflect_for_yourself_asks_about_you_not_them() -> None:
    given = {"context": "self", "what": "skipped lunch again", "their_feelings": ["drained"]}
    asker = FakeAsker(given)
    entry = run("reflect", asker)
    asked = questions(entry)
    assert asked["what"] == "What happened for you?"
    assert asked["their_feelings"] == "Which feelings did you have?"
    assert "they" not in asked["situation"].lower() + asked["reflection"].lower()
    for other in ("unsaid", "listen_or_help", "reply"):  # questions about someone else
        assert other not in asker.asked
    assert answers(entry)["reflection"].startswith(("I felt", "I'm feeling", "I've been"))
    assert "as you would toward a friend" in said(asker)
    # what is stored is what was shown
    assert all(asker.shown[a].question == q for a, q in asked.items())


def test_reflect_with_a_child_gets_plainer_words() -> None:
    asker = FakeAsker({**REFLECT, "context": "child"})
    entry = run("reflect", asker)
    assert "eye level" in said(asker)
    assert "hug" in questions(entry)["listen_or_help"]
    assert answers(entry)["reflection"].endswith(
        tuple(coach_text()["reflection"]["child"]["checks"])
    )


def test_every_deeper_reflect_step_can_be_scripted() -> None:
    given = {**REFLECT, "unsaid": "they were scared", "listen_or_help": "I'll ask them"}
    got = answers(run("reflect", scripted("reflect", given)))
    assert got["unsaid"] == "they were scared" and got["listen_or_help"] == "I'll ask them"


def test_listen_or_help_offers_only_its_options() -> None:
    from attunecli.errors import UsageError

    with pytest.raises(UsageError):
        run("reflect", scripted("reflect", {**REFLECT, "listen_or_help": "fix it"}))


# curious: the softer feeling, a grain of truth, one sentence


CURIOUS = {"defensive_about": "the late reply", "story": "they think I don't care"}


def test_curious_asks_for_the_softer_feeling_and_the_part_i_can_agree_with() -> None:
    given = {**CURIOUS, "softer": ["hurt"], "agree_part": "I did reply late twice"}
    asker = FakeAsker(given)
    got = answers(run("curious", asker))
    assert got["softer"] == ["hurt"]
    assert got["say_now"] == asker.defaults["say_now"]
    assert got["say_now"].startswith("You're right that I did reply late twice.")


def test_after_fear_or_harm_curious_does_not_ask_what_to_agree_with() -> None:
    given = {**CURIOUS, "defensive_about": "he hit me when I was late home"}
    asker = FakeAsker(given)
    run("curious", asker)
    assert "agree_part" not in asker.asked
    assert "softer" in asker.asked  # the rest stays


# regulate: still flooded afterwards


@pytest.mark.parametrize(("after", "pause"), [(6, False), (7, True), (10, True)])
def test_still_flooded_after_regulating_suggests_a_pause(after: int, pause: bool) -> None:
    asker = FakeAsker({"arousal_before": 8, "exercise": "slow-breathing", "arousal_after": after})
    run("regulate", asker)
    text = said(asker)
    assert ("at least twenty minutes" in text) is pause
    if pause:
        assert "when you'll come back" in text


def test_stay_with_it_names_overcorrecting() -> None:
    from attunecli.catalog import exercises

    about = exercises()["stay-with-it"].about
    assert "over-apologising" in about and "rushing to fix" in about


# repair: one thing differently, their side, not ready, overcorrecting, context


REPAIR = {
    "context": "partner",
    "what": "I made plans without asking",
    "their_feelings": ["hurt"],
    "my_part": "I didn't check with you",
}


def test_repair_asks_what_i_will_do_differently_and_their_side() -> None:
    given = {
        **REPAIR,
        "differently": "ask before I make plans",
        "their_side": "that it happens a lot",
    }
    asker = FakeAsker(given)
    got = answers(run("repair", asker))
    assert "Next time, I'll ask before I make plans." in got["message"]
    assert got["their_side"] == "that it happens a lot"
    text = said(asker)
    assert "overcorrecting" in text and "not ready" in text


def test_repair_without_my_part_does_not_ask_for_a_change() -> None:
    asker = FakeAsker({**REPAIR, "my_part": None})
    run("repair", asker)
    assert "differently" not in asker.asked


def test_after_fear_or_harm_repair_does_not_ask_for_their_side() -> None:
    asker = FakeAsker({**REPAIR, "what": "he pushed me against the wall"})
    run("repair", asker)
    assert "their_side" not in asker.asked


def test_a_repair_with_a_client_does_not_say_you_matter_to_me() -> None:
    got = answers(run("repair", FakeAsker({**REPAIR, "context": "client"})))
    assert "You matter to me" not in got["message"]


# repair --received: the listener's side


RECEIVED = {"context": "friend", "what": "you left without a word", "my_feelings": ["hurt"]}


def test_taking_in_a_repair_asks_what_they_did_and_whether_i_am_ready() -> None:
    given = {**RECEIVED, "side": "accept", "heard": "said sorry", "ready": "not-yet"}
    asker = FakeAsker(given)
    entry = run("repair-received", asker)
    got = answers(entry)
    assert got["heard"] == "said sorry" and got["ready"] == "not-yet"
    assert got["message"].startswith("Thank you for coming to me. I'm not ready yet")
    assert "never means what happened was okay" in asker.shown["ready"].help


def test_asking_for_a_repair_skips_what_only_fits_taking_one_in() -> None:
    asker = FakeAsker({**RECEIVED, "side": "ask", "need": "a text next time"})
    got = answers(run("repair-received", asker))
    assert "heard" not in asker.asked and "ready" not in asker.asked
    assert got["message"] == (
        "Could we talk about something? When you left without a word, I felt hurt. "
        "What would help me is a text next time."
    )


def test_a_received_repair_is_never_an_open_repair() -> None:
    entry = run("repair-received", scripted("repair-received", {**RECEIVED, "side": "ask"}))
    assert entry.practice == "repair-received"
    assert not any(a.id == "follow_up" for a in entry.answers)


def test_the_received_side_carries_the_note_on_harm() -> None:
    options = RunOptions(now=lambda: NOW, region="GB")
    given = {**RECEIVED, "side": "accept", "what": "he hit me and now says sorry"}
    asker = FakeAsker(given)
    run("repair-received", asker, options)
    assert any(kind == "text" for _, kind in asker.said)
    from attunecli.engine import harm_note

    assert harm_note("GB")[0] in said(asker)


# the check-in: a small bid for connection


def test_checkin_notices_a_bid_and_how_it_was_met() -> None:
    given = {"bid.bid": "she showed me a photo", "bid.response": "toward"}
    asker = FakeAsker(given, sections={"bid"})
    got = answers(run("checkin", asker))
    assert got == {"bid.bid": "she showed me a photo", "bid.response": "toward"}


def test_no_bid_no_question_about_it() -> None:
    asker = FakeAsker({"bid.bid": None}, sections={"bid"})
    run("checkin", asker)
    assert "bid.response" not in asker.asked


def test_the_quick_checkin_stays_one_minute() -> None:
    quick = practice("checkin", quick=True)
    assert [s.id for s in quick.sections] == ["notice", "close"]


def test_every_new_step_is_in_the_schema_shape() -> None:
    # run() validates each entry against the schema; one full walk of each new flow.
    for pid, given in (
        ("repair-received", {**RECEIVED, "side": "accept", "ready": "partly"}),
        ("curious", {**CURIOUS, "softer": ["worried"]}),
    ):
        entry: Any = run(pid, FakeAsker(given), OPTIONS)
        assert entry.complete
