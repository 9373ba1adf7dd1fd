"""The flow engine: one walk for every practice, whoever answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from attunecli import __version__, coach
from attunecli.askers import ScriptedAsker
from attunecli.catalog import Exercise, coach_text, practice
from attunecli.engine import RunOptions, run_practice
from attunecli.errors import Cancelled, MissingAnswers, UsageError
from attunecli.models import JSON, Entry, Practice, Section, Step
from attunecli.session import flag_names
from tests.conftest import NOW, TZ, VALIDATOR, Clock

OPTIONS = RunOptions(now=lambda: NOW)


class FakeAsker:
    """Answers from a dict; records everything the engine asks and says."""

    interactive = True

    def __init__(
        self,
        answers: dict[str, Any] | None = None,
        *,
        sections: set[str] | None = None,
        interrupt_at: str | None = None,
        keep: bool = False,
        review: Callable[[str, list[dict[str, str]], str], str] | None = None,
        guide_result: dict[str, JSON] | None = None,
        interrupt_in_finish: bool = False,
    ) -> None:
        self.answers = dict(answers or {})
        self.sections = sections  # None: enter every skippable section
        self.interrupt_at = interrupt_at
        self.keep = keep
        self.review = review
        self.guide_result = guide_result
        self.interrupt_in_finish = interrupt_in_finish
        self.said: list[tuple[str, str]] = []
        self.asked: list[str] = []
        self.defaults: dict[str, JSON] = {}
        self.shown: dict[str, Step] = {}  # each step as it was asked
        self.entered: list[str] = []
        self.reviews: list[tuple[str, list[dict[str, str]], str]] = []
        self.guides: list[tuple[str, float]] = []
        self.keep_calls = 0
        self.finished = 0

    def say(self, text: str, kind: str = "text") -> None:
        self.said.append((text, kind))

    def enter_section(self, section: Section, answer_ids: list[str]) -> bool:
        self.entered.append(section.id)
        return self.sections is None or section.id in self.sections

    def ask(self, step: Step, answer_id: str, default: JSON) -> JSON:
        self.asked.append(answer_id)
        self.defaults[answer_id] = default
        self.shown[answer_id] = step
        if answer_id == self.interrupt_at:
            raise KeyboardInterrupt
        return self.answers.get(answer_id, default)

    def review_reply(self, reply: str, flags: list[dict[str, str]], alternative: str) -> str:
        self.reviews.append((reply, flags, alternative))
        return self.review(reply, flags, alternative) if self.review else reply

    def guide(self, exercise: Exercise, minutes: float) -> dict[str, JSON] | None:
        self.guides.append((exercise.id, minutes))
        return self.guide_result

    def when_stopped(self, *, drafts: bool) -> str:
        self.keep_calls += 1
        return "save" if self.keep else "discard"

    def finish(self, practice: Practice) -> None:
        self.finished += 1
        if self.interrupt_in_finish:
            raise KeyboardInterrupt


def run(practice_id: str, asker: Any, options: RunOptions = OPTIONS, quick: bool = False) -> Entry:
    entry = run_practice(practice(practice_id, quick=quick), asker, options)
    VALIDATOR.validate(entry.to_json())
    return entry


def answers(entry: Entry) -> dict[str, Any]:
    return {a.id: a.answer for a in entry.answers}


def scripted(practice_id: str, given: dict[str, Any], quick: bool = False) -> ScriptedAsker:
    return ScriptedAsker(given, flags=flag_names(practice(practice_id, quick=quick)))


SLOW = {"feeling": "anxious", "intensity": 6}
REFLECT = {"context": "partner", "what": "said I never listen", "their_feelings": ["hurt"]}
REPAIR = {
    "context": "friend",
    "what": "I forgot the call",
    "their_feelings": ["let down"],
    "my_part": "I didn't write it down",
}


# the entry itself


def test_entry_has_id_time_practice_and_version() -> None:
    entry = run("slow-down", FakeAsker(SLOW))
    assert re.fullmatch(r"[0-9a-f]{16}", entry.id)
    assert entry.practice == "slow-down"
    assert entry.complete is True
    assert entry.app_version == __version__
    assert entry.refers_to is None
    assert run("slow-down", FakeAsker(SLOW)).id != entry.id


def test_created_at_is_the_clocks_aware_time_when_the_practice_began() -> None:
    clock = Clock()
    ticks: list[datetime] = []

    def now() -> datetime:
        ticks.append(clock())
        clock.advance(minutes=1)  # every look at the clock moves it on
        return ticks[-1]

    entry = run("repair", FakeAsker(REPAIR), RunOptions(now=now))
    assert entry.created_at == NOW
    assert entry.created_at.utcoffset() == timedelta(hours=-5)
    assert entry.created_at.tzinfo is TZ
    assert entry.to_json()["created_at"] == "2026-11-25T20:30:00-05:00"
    assert len(ticks) > 1  # the date step looked again, later


def test_answers_keep_the_question_and_kind_as_shown() -> None:
    entry = run("slow-down", FakeAsker(SLOW))
    steps = {s.id: s for _, s in practice("slow-down").steps()}
    for a in entry.answers:
        assert a.question == steps[a.id].question
        assert a.kind == steps[a.id].kind
    feeling = next(a for a in entry.answers if a.id == "feeling")
    assert feeling.details == {"quadrant": "high-unpleasant"}
    intensity = next(a for a in entry.answers if a.id == "intensity")
    assert intensity.details == {"measure": "intensity"}


def test_answers_are_checked_whoever_gives_them() -> None:
    with pytest.raises(UsageError, match="intensity: 11 is out of range"):
        run("slow-down", FakeAsker({"feeling": "sad", "intensity": 11}))
    with pytest.raises(UsageError, match="intensity: 11 is out of range"):
        run("slow-down", scripted("slow-down", {"feeling": "sad", "intensity": 11}))


def test_title_intro_and_closing_are_said_in_order() -> None:
    asker = FakeAsker(SLOW)
    run("slow-down", asker)
    p = practice("slow-down")
    assert asker.said[0] == (p.title, "title")
    assert asker.said[1] == (p.intro, "text")
    assert asker.said[-1] == (p.closing, "note")
    assert asker.finished == 1


# conditions and info steps


def test_info_step_is_said_and_stores_nothing() -> None:
    asker = FakeAsker(SLOW)
    entry = run("slow-down", asker)
    pause = next(s for _, s in practice("slow-down").steps() if s.id == "pause")
    assert (pause.question, "text") in asker.said
    assert "pause" not in asker.asked
    assert "pause" not in answers(entry)
    assert all(a.kind != "info" for a in entry.answers)


def test_conditions_skip_steps_when_the_earlier_answer_is_empty() -> None:
    asker = FakeAsker(SLOW)  # body_where skipped, others left at its default (no)
    entry = run("slow-down", asker)
    for skipped in ("body_how", "others_tone", "others_face", "others_posture"):
        assert skipped not in asker.asked
        assert skipped not in answers(entry)
    assert answers(entry)["body_where"] is None
    assert answers(entry)["others"] is False


def test_conditions_ask_steps_when_the_earlier_answer_holds() -> None:
    given = {
        **SLOW,
        "body_where": ["chest"],
        "body_how": "tight",
        "others": "yes",
        "others_tone": "sharp",
    }
    asker = FakeAsker(given)
    entry = run("slow-down", asker)
    got = answers(entry)
    assert got["body_how"] == ["tight"]
    assert got["others"] is True
    assert got["others_tone"] == ["sharp"]
    assert got["others_face"] is None  # asked, skipped
    order = asker.asked
    assert order.index("body_where") < order.index("body_how") < order.index("others")
    assert {"others_tone", "others_face", "others_posture"} <= set(order)


def test_conditions_look_at_the_normalised_answer() -> None:
    # "no" normalises to False, so the steps about others are not asked
    asker = FakeAsker({**SLOW, "others": "no", "body_where": "  "})
    run("slow-down", asker)
    assert "others_tone" not in asker.asked
    assert "body_how" not in asker.asked


def test_a_given_answer_for_a_skipped_step_is_not_dropped_silently() -> None:
    asker = scripted("slow-down", {**SLOW, "body_how": ["tight"]})
    try:
        entry = run("slow-down", asker)
    except UsageError as exc:
        assert "sensation" in exc.message
    else:
        assert answers(entry).get("body_how") == ["tight"]


# compose


def test_compose_drafts_from_earlier_answers() -> None:
    asker = FakeAsker(
        {**REFLECT, "their_feelings": ["hurt", "lonely"], "situation": "When I left."}
    )
    entry = run("reflect", asker)
    draft = coach.compose(
        "reflection", {"their_feelings": ["hurt", "lonely"], "situation": "I left"}, coach_text()
    )
    assert "hurt and lonely when I left." in draft
    assert asker.defaults["reflection"] == draft
    assert answers(entry)["reflection"] == draft
    validation = asker.defaults["validation"]
    assert "hurt and lonely" in validation
    assert validation in [
        v.format(feelings="hurt and lonely") for v in coach_text()["validation"]["default"]
    ]


def test_compose_without_situation() -> None:
    asker = FakeAsker(REFLECT)
    run("reflect", asker)
    assert asker.defaults["reflection"] == coach.compose(
        "reflection", {"their_feelings": ["hurt"]}, coach_text()
    )
    assert (
        "you felt hurt." in asker.defaults["reflection"]
        or "feeling hurt." in (asker.defaults["reflection"])
    )


def test_a_given_answer_overrides_the_draft() -> None:
    given = {**REFLECT, "reflection": "  You felt unheard.  ", "validation": "That makes sense."}
    for asker in (FakeAsker(given), scripted("reflect", given)):
        got = answers(run("reflect", asker))
        assert got["reflection"] == "You felt unheard."
        assert got["validation"] == "That makes sense."


def test_scripted_compose_uses_the_draft_when_not_given() -> None:
    got = answers(run("reflect", scripted("reflect", REFLECT)))
    assert got["reflection"] == coach.compose(
        "reflection", {"context": REFLECT["context"], "their_feelings": ["hurt"]}, coach_text()
    )
    assert "hurt" in got["validation"]


def test_repair_message_drafted_from_what_and_my_part() -> None:
    asker = FakeAsker(REPAIR)
    got = answers(run("repair", asker))
    assert got["message"] == asker.defaults["message"]
    assert got["message"].startswith("I've been thinking about what happened: I forgot the call.")
    assert "I'm sorry for my part in it: I didn't write it down." in got["message"]
    assert "You may have felt let down" in got["message"]
    assert got["follow_up"] == "2026-11-26"


def test_compose_refuses_an_emptied_draft() -> None:
    with pytest.raises(UsageError, match="reflection: an answer is needed"):
        run("reflect", FakeAsker({**REFLECT, "reflection": "   "}))


# reply flags


def reply_answer(entry: Entry) -> Any:
    return next(a for a in entry.answers if a.id == "reply")


def test_reply_is_flagged_with_an_alternative() -> None:
    asker = FakeAsker({**REFLECT, "reply": "Calm down. You should just get some sleep."})
    entry = run("reflect", asker)
    a = reply_answer(entry)
    assert a.answer == "Calm down. You should just get some sleep."  # the fake kept its own
    assert [f["kind"] for f in a.details["flags"]] == ["advice", "dismissing"]
    assert all(set(f) == {"kind", "note"} and f["note"] for f in a.details["flags"])
    alternative = a.details["alternative"]
    # It starts from what was said back, without the draft's "Did I get that right?".
    said = answers(entry)["reflection"]
    statement = coach.without_check(said, coach_text())
    assert statement != said and "hurt" in statement
    assert alternative.startswith(statement + " ")
    assert alternative.endswith("?")
    assert "sleep" not in alternative and "Calm" not in alternative
    assert "draft" not in a.details
    [(reply, flags, offered)] = asker.reviews
    assert reply == a.answer
    assert flags == a.details["flags"]
    assert offered == alternative


@pytest.mark.parametrize(
    ("kind", "reply"),
    [
        ("advice", "You need to talk to them."),
        ("advice", "maybe you could try talking to them"),
        ("fixing", "Leave it with me, I'll ring the school tomorrow."),
        ("minimising", "At least it's Friday."),
        ("dismissing", "you're overreacting"),
        ("reassuring", "I'm sure it'll be fine."),
        ("blaming", "Why didn't you tell me sooner?"),
        ("defending", "That's not what I meant."),
        ("about-me", "That happened to me last year, I was furious and quit on the spot."),
    ],
)
def test_each_kind_of_reply_is_flagged(kind: str, reply: str) -> None:
    a = reply_answer(run("reflect", FakeAsker({**REFLECT, "reply": reply})))
    assert kind in [f["kind"] for f in a.details["flags"]]


def test_a_rewritten_reply_is_checked_again() -> None:
    rewrites = iter(["ok but have you tried just talking to him?", "ok but have you tried..."])

    def review(reply: str, flags: list[dict[str, str]], alt: str) -> str:
        return next(rewrites, reply)

    asker = FakeAsker({**REFLECT, "reply": "You should relax"}, review=review)
    a = reply_answer(run("reflect", asker))
    # The first rewrite is still advice, so it is offered for review again; so is the second.
    assert [r for r, _, _ in asker.reviews] == [
        "You should relax",
        "ok but have you tried just talking to him?",
        "ok but have you tried...",
    ]
    assert a.answer == "ok but have you tried..."
    assert a.details["draft"] == "You should relax"
    assert [f["kind"] for f in a.details["flags"]] == ["advice"]


def test_a_rewrite_that_is_kind_ends_the_review() -> None:
    asker = FakeAsker(
        {**REFLECT, "reply": "You should relax"}, review=lambda r, f, alt: "That sounds hard."
    )
    a = reply_answer(run("reflect", asker))
    assert len(asker.reviews) == 1
    assert a.answer == "That sounds hard."
    assert a.details["draft"] == "You should relax"
    assert "kept_flags" not in a.details


def test_a_rewrite_still_flagged_and_kept_is_recorded() -> None:
    replies = iter(["you're overreacting, honestly"])
    asker = FakeAsker(
        {**REFLECT, "reply": "You should relax"}, review=lambda r, f, alt: next(replies, r)
    )
    a = reply_answer(run("reflect", asker))
    assert a.answer == "you're overreacting, honestly"
    assert "dismissing" in [f["kind"] for f in a.details["kept_flags"]]
    assert len(asker.reviews) == 2


def test_alternative_uses_the_users_own_reflection() -> None:
    given = {**REFLECT, "reflection": "You felt unheard.", "reply": "at least I listened"}
    a = reply_answer(run("reflect", FakeAsker(given)))
    assert a.details["alternative"].startswith("You felt unheard. ")


def test_choosing_the_alternative_keeps_the_original_as_draft() -> None:
    asker = FakeAsker({**REFLECT, "reply": "You should relax"}, review=lambda r, f, alt: alt)
    a = reply_answer(run("reflect", asker))
    assert a.answer == a.details["alternative"]
    assert a.details["draft"] == "You should relax"


@pytest.mark.parametrize("kept", ["", "   ", "You should relax", " You should relax \n"])
def test_an_empty_or_unchanged_review_keeps_the_reply(kept: str) -> None:
    asker = FakeAsker({**REFLECT, "reply": "You should relax"}, review=lambda r, f, alt: kept)
    a = reply_answer(run("reflect", asker))
    assert a.answer == "You should relax"
    assert "draft" not in a.details
    assert a.details["flags"]


def test_a_kind_reply_is_not_flagged_or_reviewed() -> None:
    asker = FakeAsker({**REFLECT, "reply": "That sounds hard. Tell me more?"})
    a = reply_answer(run("reflect", asker))
    assert a.details == {}
    assert asker.reviews == []


def test_a_skipped_reply_is_not_reviewed() -> None:
    asker = FakeAsker(REFLECT)
    a = reply_answer(run("reflect", asker))
    assert a.answer is None
    assert asker.reviews == []


def test_scripted_reply_is_flagged_and_kept() -> None:
    entry = run("reflect", scripted("reflect", {**REFLECT, "reply": "don't worry about it"}))
    a = reply_answer(entry)
    assert a.answer == "don't worry about it"
    assert [f["kind"] for f in a.details["flags"]] == ["reassuring"]


def test_the_reply_kept_after_review_is_checked_like_any_answer() -> None:
    huge = "x" * 20_000
    asker = FakeAsker({**REFLECT, "reply": "You should relax"}, review=lambda r, f, alt: huge)
    try:
        entry = run("reflect", asker)
    except UsageError:
        return
    assert len(reply_answer(entry).answer) <= 10_000


# the guide


GUIDE_HELP = next(st.help for _, st in practice("regulate").steps() if st.kind == "guide")


def test_guide_runs_the_chosen_exercise_for_its_minutes() -> None:
    result = {"planned_seconds": 180, "seconds": 100, "stopped_early": True}
    asker = FakeAsker(
        {"arousal_before": 7, "exercise": "box-breathing", "arousal_after": 4},
        guide_result=result,
    )
    entry = run("regulate", asker)
    assert asker.guides == [("box-breathing", 3.0)]
    guide = next(a for a in entry.answers if a.id == "guide")
    assert guide.answer == result
    assert guide.question == "Box breathing"  # a guide asks nothing: headed by the exercise
    assert guide.details == {"exercise": "box-breathing", "instruction": GUIDE_HELP}


def test_guide_minutes_from_options_and_from_the_step_default() -> None:
    given = {"arousal_before": 7, "exercise": "grounding", "arousal_after": 4}
    asker = FakeAsker(given)
    run("regulate", asker, RunOptions(now=lambda: NOW, guide_minutes=2.5))
    assert asker.guides == [("grounding", 2.5)]
    checkin = FakeAsker({"notice.feeling": "calm", "notice.intensity": 2}, sections={"settle"})
    got = answers(run("checkin", checkin))
    assert checkin.guides == [("slow-breathing", 1.0)]  # the settle step's default minute
    assert got["settle.exercise"] == "slow-breathing"


def test_guide_that_did_not_run_stores_null_without_details() -> None:
    given = {"arousal_before": 5, "exercise": "grounding", "arousal_after": 3}
    entry = run("regulate", scripted("regulate", given))
    guide = next(a for a in entry.answers if a.id == "guide")
    assert guide.answer is None
    assert guide.details == {}


# Ctrl-C


@pytest.mark.parametrize("keep", [True, False])
def test_interrupt_after_some_answers(keep: bool) -> None:
    asker = FakeAsker({"feeling": "sad"}, interrupt_at="intensity", keep=keep)
    with pytest.raises(Cancelled) as exc:
        run("slow-down", asker)
    assert asker.keep_calls == 1
    assert exc.value.exit_code == 130
    assert asker.finished == 0
    assert practice("slow-down").closing not in [t for t, _ in asker.said]
    if not keep:
        assert exc.value.entry is None
        return
    entry = exc.value.entry
    assert isinstance(entry, Entry)
    assert entry.complete is False
    assert entry.created_at == NOW
    assert entry.practice == "slow-down"
    assert answers(entry) == {"body_where": None, "others": False, "feeling": "sad"}
    data = entry.to_json()
    VALIDATOR.validate(data)
    assert data["complete"] is False


def test_interrupt_before_any_answer_asks_nothing_and_keeps_nothing() -> None:
    asker = FakeAsker(interrupt_at="context", keep=True)
    with pytest.raises(Cancelled) as exc:
        run("reflect", asker)
    assert exc.value.entry is None
    assert asker.keep_calls == 0


def test_interrupt_after_only_skipped_answers_keeps_nothing() -> None:
    # body_where and others were passed by (null and the default), then Ctrl-C
    asker = FakeAsker({"others": None}, interrupt_at="feeling", keep=True)
    with pytest.raises(Cancelled) as exc:
        run("slow-down", asker)
    assert exc.value.entry is None
    assert asker.keep_calls == 0


def test_interrupt_at_the_end_keeps_everything_as_incomplete() -> None:
    asker = FakeAsker(SLOW, keep=True, interrupt_in_finish=True)
    with pytest.raises(Cancelled) as exc:
        run("slow-down", asker)
    entry = exc.value.entry
    assert isinstance(entry, Entry)
    assert entry.complete is False
    assert answers(entry)["intensity"] == 6


def test_scripted_asker_never_keeps_a_partial_entry() -> None:
    asker = scripted("slow-down", SLOW)

    def boom(*_: Any) -> None:
        raise KeyboardInterrupt

    asker.finish = boom  # type: ignore[method-assign]
    with pytest.raises(Cancelled) as exc:
        run("slow-down", asker)
    assert exc.value.entry is None


# skippable sections


def test_skipped_sections_leave_no_answers() -> None:
    asker = FakeAsker({"close.note": "a good day"}, sections={"close"})
    entry = run("checkin", asker)
    assert asker.entered == ["notice", "settle", "someone", "bid", "close"]
    assert answers(entry) == {"close.note": "a good day"}
    assert not any(a.startswith(("notice.", "settle.", "someone.")) for a in asker.asked)


def test_entered_sections_are_walked_with_ids_prefixed() -> None:
    given = {
        "notice.feeling": "calm",
        "notice.intensity": 3,
        "someone.context": "child",
        "someone.their_feelings": ["tired"],
    }
    asker = FakeAsker(given, sections={"notice", "someone"})
    got = answers(run("checkin", asker))
    assert got["notice.feeling"] == "calm"
    want = coach.compose(
        "reflection", {"context": "child", "their_feelings": ["tired"]}, coach_text()
    )
    assert got["someone.reflection"] == want
    assert asker.defaults["someone.reflection"] == want
    assert not any(k.startswith(("settle.", "close.")) for k in got)


def test_non_skippable_sections_are_not_offered() -> None:
    asker = FakeAsker(SLOW)
    run("slow-down", asker)
    assert asker.entered == []


def test_scripted_checkin_enters_only_sections_with_answers() -> None:
    got = answers(
        run("checkin", scripted("checkin", {"notice.feeling": "calm", "notice.intensity": 2}))
    )
    assert set(got) == {
        "notice.body_where",
        "notice.feeling",
        "notice.intensity",
        "notice.trigger",
    }


def test_scripted_checkin_with_nothing_names_the_first_sections_required_answers() -> None:
    with pytest.raises(MissingAnswers) as exc:
        run("checkin", scripted("checkin", {}))
    assert exc.value.missing == [
        'notice.feeling (--feeling, or "notice.feeling" in --answers)',
        'notice.intensity (--intensity, or "notice.intensity" in --answers)',
    ]
    assert exc.value.exit_code == 2


# missing answers, all together


@pytest.mark.parametrize(
    ("practice_id", "given", "missing"),
    [
        ("slow-down", {}, ["feeling (--feeling", "intensity (--intensity"]),
        ("slow-down", {"intensity": 4}, ["feeling (--feeling"]),
        ("reflect", {}, ["context (--context", "what (--what", "their_feelings (--their-feeling"]),
        ("curious", {}, ["defensive_about (--about", "story (--story"]),
        ("regulate", {"exercise": "grounding"}, ["arousal_before (--before", "arousal_after ("]),
        ("repair", {"context": "friend"}, ["what (--what", "their_feelings ("]),
    ],
)
def test_missing_answers_are_reported_all_together(
    practice_id: str, given: dict[str, Any], missing: list[str]
) -> None:
    asker = scripted(practice_id, given)
    with pytest.raises(MissingAnswers) as exc:
        run(practice_id, asker)
    assert len(exc.value.missing) == len(missing)
    for item, start in zip(exc.value.missing, missing, strict=True):
        assert item.startswith(start)
    assert exc.value.message == "missing answers: " + "; ".join(exc.value.missing)
    assert "\n" not in exc.value.message


def test_missing_answers_without_a_flag_name_the_answers_key() -> None:
    asker = ScriptedAsker({}, flags={})
    with pytest.raises(MissingAnswers) as exc:
        run("slow-down", asker)
    assert exc.value.missing == [
        'feeling ("feeling" in --answers)',
        'intensity ("intensity" in --answers)',
    ]


def test_a_bad_answer_stops_before_missing_ones_are_counted() -> None:
    with pytest.raises(UsageError) as exc:
        run("slow-down", scripted("slow-down", {"intensity": "lots"}))
    assert not isinstance(exc.value, MissingAnswers)
    assert "intensity: expected a whole number" in exc.value.message


# the quick check-in


def test_quick_checkin_has_exactly_three_answers() -> None:
    entry = run(
        "checkin",
        scripted("checkin", {"notice.feeling": "tired", "notice.intensity": 5}, True),
        quick=True,
    )
    assert [a.id for a in entry.answers] == ["notice.feeling", "notice.intensity", "close.note"]
    assert answers(entry) == {
        "notice.feeling": "tired",
        "notice.intensity": 5,
        "close.note": None,
    }


def test_quick_checkin_asks_three_questions_and_offers_no_sections() -> None:
    asker = FakeAsker({"notice.feeling": "glad", "notice.intensity": 2, "close.note": "ok"})
    entry = run("checkin", asker, quick=True)
    assert asker.asked == ["notice.feeling", "notice.intensity", "close.note"]
    assert asker.entered == []
    assert [a.id for a in entry.answers] == asker.asked


def test_quick_checkin_still_needs_feeling_and_intensity() -> None:
    with pytest.raises(MissingAnswers) as exc:
        run("checkin", scripted("checkin", {"close.note": "hi"}, True), quick=True)
    assert [m.split(" ")[0] for m in exc.value.missing] == ["notice.feeling", "notice.intensity"]
