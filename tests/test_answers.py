"""`answers.normalise` and `parse_date`: one set of rules for typed and scripted answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from attunecli.answers import MAX_TEXT, normalise, parse_date
from attunecli.catalog import practice
from attunecli.errors import UsageError
from attunecli.models import Option, Step
from tests.conftest import NOW

TODAY = NOW.date()  # 2026-11-25, a Wednesday, in the local zone (UTC-5)


def step(kind: Any, **kw: Any) -> Step:
    return Step(id=kw.pop("id", "s"), kind=kind, question="?", **kw)


def ok(st: Step, raw: Any, now: datetime = NOW) -> Any:
    value, _ = normalise(st, raw, now)
    return value


def refused(st: Step, raw: Any) -> str:
    with pytest.raises(UsageError) as exc:
        normalise(st, raw, NOW)
    assert exc.value.exit_code == 2
    assert "\n" not in exc.value.message
    return exc.value.message


def real_step(practice_id: str, step_id: str) -> Step:
    return next(s for _, s in practice(practice_id).steps() if s.id == step_id)


COLOURS = (Option("red", "Red"), Option("dark-blue", "Dark blue"), Option("green", "Green"))


# empty answers


@pytest.mark.parametrize("raw", [None, "", "   \n\t", []])
def test_empty_on_an_optional_step_is_stored_as_null(raw: Any) -> None:
    for kind in ("text", "scale", "choice", "multi", "feeling", "feelings", "confirm", "date"):
        st = step(kind, optional=True, options=COLOURS)
        assert normalise(st, raw, NOW) == (None, {})


@pytest.mark.parametrize("raw", [None, "", "   ", []])
def test_empty_on_a_required_step_is_refused(raw: Any) -> None:
    for kind in ("text", "scale", "choice", "multi", "feeling", "feelings", "compose", "date"):
        assert refused(step(kind, id="q", options=COLOURS), raw) == "q: an answer is needed"


def test_guide_may_always_be_empty_and_passes_its_result_through() -> None:
    guide = step("guide")
    assert normalise(guide, None, NOW) == (None, {})
    result = {"planned_seconds": 60, "seconds": 42, "stopped_early": True}
    assert ok(guide, result) == result


def test_zero_and_false_are_answers_not_empty() -> None:
    assert ok(step("scale"), 0) == 0
    assert ok(step("scale"), "0") == 0
    assert ok(step("confirm"), False) is False


def test_info_steps_cannot_be_answered() -> None:
    assert "cannot answer a step of kind info" in refused(step("info"), "x")


# text


def test_text_is_stripped_inner_text_kept() -> None:
    assert ok(step("text"), "  two  words \n") == "two  words"
    assert ok(step("compose"), " It sounds hard. ") == "It sounds hard."
    assert ok(step("reply"), "you should rest") == "you should rest"


@pytest.mark.parametrize(("raw", "kind"), [(["a", "b"], "list"), (5, "int"), ({"a": 1}, "dict")])
def test_text_refuses_other_types(raw: Any, kind: str) -> None:
    assert refused(step("text", id="note"), raw) == f"note: expected text, got {kind}"


def test_text_length_limit() -> None:
    at_limit = "x" * MAX_TEXT
    assert ok(step("text"), at_limit) == at_limit
    assert ok(step("text"), "  " + at_limit + "  ") == at_limit  # counted after stripping
    message = refused(step("text", id="note"), "x" * (MAX_TEXT + 1))
    assert message == f"note: at most {MAX_TEXT} characters, got {MAX_TEXT + 1}"
    refused(step("compose"), "y" * (MAX_TEXT + 1))
    refused(step("reply"), "z" * (MAX_TEXT + 1))


# scale


@pytest.mark.parametrize(("raw", "want"), [(6, 6), (6.0, 6), ("6", 6), (" 6 ", 6), (10, 10)])
def test_scale_accepts_whole_numbers(raw: Any, want: int) -> None:
    value = ok(step("scale"), raw)
    assert value == want
    assert type(value) is int


@pytest.mark.parametrize("raw", [True, False, "6.5", 6.5, "six", "lots", [6], "1e1", "0x6"])
def test_scale_refuses_what_is_not_a_whole_number(raw: Any) -> None:
    message = refused(step("scale", id="intensity"), raw)
    assert message.startswith("intensity: expected a whole number from 0 to 10, got ")


@pytest.mark.parametrize("raw", [11, -1, "11", "-1", 10.0 + 1])
def test_scale_refuses_out_of_range(raw: Any) -> None:
    message = refused(step("scale", id="intensity"), raw)
    assert "is out of range; expected a whole number from 0 to 10" in message


def test_scale_uses_the_steps_own_range_and_keeps_its_measure() -> None:
    st = step("scale", min=1, max=5, measure="intensity")
    assert normalise(st, "5", NOW) == (5, {"measure": "intensity", "of": 5})  # its own top
    assert "from 1 to 5" in refused(st, 0)
    assert "from 1 to 5" in refused(st, 6)
    assert normalise(step("scale"), 3, NOW) == (3, {})  # no measure, no detail


# choice


def test_choice_matches_value_or_label_in_any_case() -> None:
    st = step("choice", options=COLOURS)
    assert ok(st, "red") == "red"
    assert ok(st, "  RED ") == "red"
    assert ok(st, "Dark Blue") == "dark-blue"
    assert ok(st, "dark-blue") == "dark-blue"


def test_choice_refuses_unknown_values_listing_them_all() -> None:
    st = step("choice", id="colour", options=COLOURS)
    assert refused(st, "purple") == (
        "colour: unknown value 'purple'; expected one of: red, dark-blue, green"
    )
    assert refused(st, 3) == "colour: expected one of: red, dark-blue, green"
    assert refused(st, ["red"]) == "colour: expected one of: red, dark-blue, green"


def test_choice_of_a_real_exercise_by_label() -> None:
    assert ok(real_step("regulate", "exercise"), "Box breathing") == "box-breathing"


# multi


def test_multi_takes_a_list_or_one_string_and_never_splits_it() -> None:
    st = step("multi", options=COLOURS)
    assert ok(st, "Dark blue") == ["dark-blue"]
    assert ok(st, ["GREEN", "red"]) == ["green", "red"]
    assert ok(st, ["red", "RED", "red"]) == ["red"]  # each once, in order given
    own = step("multi", options=COLOURS, allow_other=True)
    assert ok(own, "When I cancel, what goes through your mind?") == [
        "When I cancel, what goes through your mind?"
    ]


def test_multi_without_allow_other_refuses_unknown_words() -> None:
    st = step("multi", id="where", options=COLOURS)
    assert refused(st, ["red", "purple"]) == (
        "where: unknown value 'purple'; expected any of: red, dark-blue, green"
    )


def test_multi_with_allow_other_keeps_own_words_tidied() -> None:
    st = step("multi", options=COLOURS, allow_other=True)
    assert ok(st, ["red", "  a   busy   day "]) == ["red", "a busy day"]
    assert ok(st, ["x" * 500]) == ["x" * 200]  # own words are capped


@pytest.mark.parametrize("raw", [[1, 2], ["red", None], 7, {"red": True}, True])
def test_multi_refuses_other_types(raw: Any) -> None:
    message = refused(step("multi", id="where", options=COLOURS, allow_other=True), raw)
    assert message == "where: expected a list of strings, or one string"


@pytest.mark.parametrize(
    ("practice_id", "step_id", "raw"),
    [
        ("reflect", "their_feelings", " , ,"),
        ("reflect", "their_feelings", ["  "]),
    ],
)
def test_required_multi_refuses_an_answer_with_no_words(
    practice_id: str, step_id: str, raw: Any
) -> None:
    st = real_step(practice_id, step_id)
    assert not st.optional
    with pytest.raises(UsageError):
        normalise(st, raw, NOW)


# feeling and feelings


def test_feeling_from_the_vocabulary_gets_its_quadrant() -> None:
    assert normalise(step("feeling"), "  Anxious ", NOW) == (
        "anxious",
        {"quadrant": "high-unpleasant"},
    )
    assert normalise(step("feeling"), "calm", NOW)[1] == {"quadrant": "low-pleasant"}


def test_feeling_of_ones_own_is_kept_and_marked() -> None:
    assert normalise(step("feeling"), "Wobbly", NOW) == ("wobbly", {"own_word": True})


def test_feeling_refuses_long_words_and_non_text() -> None:
    assert ok(step("feeling"), "a" * 60) == "a" * 60
    assert "at most 60 characters, got 61" in refused(step("feeling"), "a" * 61)
    assert "expected text, got list" in refused(step("feeling"), ["sad"])


def test_feelings_lowercases_and_names_own_words() -> None:
    value, details = normalise(step("feelings"), ["Hurt", "LONELY", "wobbly"], NOW)
    assert value == ["hurt", "lonely", "wobbly"]
    assert details == {"own_words": ["wobbly"]}
    assert normalise(step("feelings"), ["sad"], NOW) == (["sad"], {})
    # One string is one word of one's own, comma and all, never two.
    assert normalise(step("feelings"), "hurt, but fine", NOW) == (
        ["hurt, but fine"],
        {"own_words": ["hurt, but fine"]},
    )


def test_feelings_refuses_an_overlong_word() -> None:
    assert "at most 60 characters" in refused(step("feelings"), ["sad", "b" * 61])


def test_feelings_are_each_kept_once_whatever_their_case() -> None:
    assert ok(step("feelings"), ["Hurt", "hurt", "HURT"]) == ["hurt"]


# confirm


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        (True, True),
        (False, False),
        ("yes", True),
        (" Y ", True),
        ("on", True),
        ("1", True),
        ("no", False),
        ("N", False),
        ("off", False),
        ("0", False),
        ("false", False),
    ],
)
def test_confirm_accepts_yes_and_no(raw: Any, want: bool) -> None:
    assert ok(step("confirm"), raw) is want


@pytest.mark.parametrize("raw", ["maybe", "yess", 1, 0.0, ["yes"]])
def test_confirm_refuses_anything_else(raw: Any) -> None:
    assert "expected yes or no" in refused(step("confirm", id="others"), raw)


# date


def test_date_step_is_relative_to_the_local_day_of_now() -> None:
    # 20:30 at UTC-5 is already the 26th in UTC; "today" is still the 25th here.
    st = step("date")
    assert ok(st, "today") == "2026-11-25"
    assert ok(st, "tomorrow") == "2026-11-26"
    assert ok(st, date(2027, 1, 2)) == "2027-01-02"
    assert "not a date: 'someday'" in refused(st, "someday")
    assert "expected text" in refused(st, 20261201)


def test_repair_follow_up_default_is_tomorrow() -> None:
    st = real_step("repair", "follow_up")
    assert ok(st, st.default) == "2026-11-26"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("today", date(2026, 11, 25)),
        (" Now ", date(2026, 11, 25)),
        ("tomorrow", date(2026, 11, 26)),
        ("TOMORROW", date(2026, 11, 26)),
        ("+3", date(2026, 11, 28)),
        ("+0", date(2026, 11, 25)),
        ("3d", date(2026, 11, 28)),
        ("3 d", date(2026, 11, 28)),
        ("3 days", date(2026, 11, 28)),
        ("1 day", date(2026, 11, 26)),
        ("in 3 days", date(2026, 11, 28)),
        ("in  10   days", date(2026, 12, 5)),
        ("in 3", date(2026, 11, 28)),
        ("+40", date(2027, 1, 4)),
        ("thursday", date(2026, 11, 26)),
        ("Thu", date(2026, 11, 26)),
        ("monday", date(2026, 11, 30)),
        ("sun", date(2026, 11, 29)),
        ("wednesday", date(2026, 12, 2)),  # today's name means a week ahead, never today
        ("2026-12-01", date(2026, 12, 1)),
        ("2027-02-28", date(2027, 2, 28)),
    ],
)
def test_parse_date_accepts(text: str, want: date) -> None:
    assert parse_date(text, TODAY) == want


@pytest.mark.parametrize(
    "text",
    [
        "",
        "someday",
        "3",
        "+",
        "in days",
        "next week",
        "2026-13-01",
        "2026-02-30",
        "+1000",
        "thurs",
        "3 weeks",
        "-3",
        "yesterday-ish",
        "in 3 weeks",
    ],
)
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse_date(text, TODAY)
    assert exc.value.message.startswith("not a date: ")
    assert "use today, tomorrow, +3, a weekday, or YYYY-MM-DD" in exc.value.message


def test_parse_date_quotes_at_most_40_characters_of_garbage() -> None:
    with pytest.raises(UsageError) as exc:
        parse_date("z" * 500, TODAY)
    assert "z" * 40 in exc.value.message
    assert "z" * 41 not in exc.value.message
