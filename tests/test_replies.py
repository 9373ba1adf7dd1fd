"""The reply checker: what it flags, what it must leave alone, and the draft it offers instead."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from attunecli import replies
from tests.conftest import ROOT

CONTENT = ROOT / "attunecli" / "content"
CHECKER = replies.load()


def kinds(text: str) -> list[str]:
    return replies.check(text).kinds


# Every kind the checker knows, in the wording people use for it (the examples first).
FLAGGED = [
    ("advice", "maybe you could try talking to them"),
    ("advice", "have you considered volunteering?"),
    ("advice", "I suggest finding a hobby"),
    ("advice", "it might be a good idea to tell your boss"),
    ("advice", "you need better friends"),
    ("advice", "have you thought about therapy?"),
    ("advice", "it might help to write it all down"),
    ("advice", "how about a long bath tonight"),
    ("advice", "I'd recommend talking to HR"),
    ("advice", "You should just leave him."),
    ("advice", "why don't you ask for an extension"),
    ("advice", "u need to block him tbh"),
    ("fixing", "Leave it with me, I'll ring the school tomorrow."),
    ("fixing", "Right, here's what we're going to do."),
    ("fixing", "I'm calling her mum right now to sort this out."),
    ("minimising", "At least you still have a job."),
    ("minimising", "could be worse"),
    ("minimising", "look on the bright side"),
    ("minimising", "everything happens for a reason"),
    ("minimising", "it's only one exam, love"),
    ("dismissing", "calm down"),
    ("dismissing", "you're overreacting"),
    ("dismissing", "don't be so sensitive"),
    ("dismissing", "it's not a big deal"),
    ("dismissing", "stop crying, it's just a toy"),
    ("reassuring", "I'm sure it'll be fine"),
    ("reassuring", "don't worry"),
    ("reassuring", "she'll come round, she always does"),
    ("blaming", "you always do this"),
    ("blaming", "you never listen"),
    ("blaming", "why didn't you tell me sooner?"),
    ("blaming", "well what did you expect"),
    ("defending", "that's not what I meant"),
    ("defending", "I was only trying to help"),
    ("defending", "but I told you I'd be late"),
    ("defending", "I said sorry already, what more do you want"),
    ("about-me", "omg same, my ex did exactly that to me and I cried for a week"),
    ("about-me", "you think that's bad, my boss made me work all weekend"),
    ("about-me", "that reminds me, did I tell you about my interview?"),
]

# Reflections, restatements, open questions, validation and checks: never flagged,
# even with the words a careless checker would catch.
CLEAN = [
    "I hear you, but I want to understand more",
    "It sounds like you never feel heard",
    "So you feel that you need to relax?",
    "you feel you need to rest",
    "how do you think you should handle it?",
    "at least you told me, thank you",
    "did I get that right?",
    "That makes sense. Of course you're upset.",
    "What happened?",
    "you're not overreacting, that was hurtful",
    "so your boss told you to calm down? that's awful",
    "I'm not going to tell you it'll be fine, because I don't know that",
    "do you want ideas, or do you just need to vent?",
    "Thank you for telling me.",
    "I'm here. Take your time.",
    "That sounds really lonely.",
]


@pytest.mark.parametrize(("kind", "text"), FLAGGED)
def test_each_kind_is_flagged(kind: str, text: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize("text", CLEAN)
def test_reflective_and_curious_replies_are_not_flagged(text: str) -> None:
    assert kinds(text) == []


def test_a_reply_may_carry_several_kinds() -> None:
    found = kinds("Calm down. You should just get some sleep.")
    assert found == ["advice", "dismissing"]


def test_kinds_come_in_the_order_the_content_lists_them() -> None:
    order = list(CHECKER.kinds)
    found = kinds("Calm down, at least it's over. You should just go to bed.")
    assert found == sorted(found, key=order.index)
    assert len(found) >= 2


def test_each_flag_has_a_plain_note_and_no_quoted_fragment() -> None:
    checked = replies.check("have you tried just talking to her?")
    [flag] = checked.flags
    assert flag.kind == "advice"
    assert flag.note == CHECKER.kinds["advice"].note
    assert "have you tried" not in flag.note.lower()
    assert checked.to_json() == {
        "text": "have you tried just talking to her?",
        "flags": [{"kind": "advice", "note": flag.note}],
        "alternative": checked.alternative,
    }


def test_nothing_flagged_means_no_alternative() -> None:
    checked = replies.check("That sounds hard. Tell me more?")
    assert checked.flags == ()
    assert checked.alternative is None
    assert checked.to_json()["alternative"] is None


# the alternative


def test_the_alternative_keeps_the_writers_own_kind_sentences() -> None:
    checked = replies.check("aw I'm so sorry hun. Have you tried just talking to her?")
    assert checked.alternative is not None
    assert checked.alternative.startswith("aw I'm so sorry hun. ")
    assert "talking to her" not in checked.alternative
    assert checked.alternative.endswith("?")


def test_the_alternative_leads_with_the_reflection_when_there_is_one() -> None:
    checked = replies.check("You should relax.", reflection="It sounds like you felt unheard.")
    assert checked.alternative is not None
    assert checked.alternative.startswith("It sounds like you felt unheard. ")
    assert "relax" not in checked.alternative


@pytest.mark.parametrize(("kind", "text"), FLAGGED)
def test_the_alternative_never_repeats_a_stem_and_is_not_flagged(kind: str, text: str) -> None:
    for reflection in ("", "It sounds like you felt hurt.", "That sounds really hard."):
        checked = replies.check(text, reflection=reflection)
        assert checked.alternative
        stems = [replies.stem(s) for s in replies.split_sentences(checked.alternative)]
        assert len(stems) == len(set(stems)), checked.alternative
        if not reflection:
            assert kinds(checked.alternative) == [], checked.alternative


def test_the_alternative_with_nothing_kept_is_an_acknowledgement_and_a_question() -> None:
    flags = (replies.Flag("advice", "n"),)
    got = replies.alternative(flags, CHECKER.kinds, [])
    advice = CHECKER.kinds["advice"]
    assert got == f"{advice.acknowledge[0]} {advice.ask[0]}"


def test_the_alternative_skips_lines_whose_stem_is_already_there() -> None:
    flags = (replies.Flag("advice", "n"),)
    advice = CHECKER.kinds["advice"]
    kept = [advice.acknowledge[0].upper()]  # same first two words, other case
    got = replies.alternative(flags, CHECKER.kinds, kept)
    assert got.count(replies.stem(advice.acknowledge[0]).split()[0].upper()) >= 1
    assert advice.acknowledge[0] not in got
    assert advice.acknowledge[1] in got


def test_the_alternative_adds_no_question_after_one_of_the_writers() -> None:
    flags = (replies.Flag("advice", "n"),)
    got = replies.alternative(flags, CHECKER.kinds, ["What do you want to do?"])
    assert got.endswith("What do you want to do?")
    assert got.count("?") == 1


# reading a reply


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("U SHOULD just dump him", "you should just dump him"),
        ("dont worry ur fine", "don't worry your fine"),
        ("You\u2019re   overreacting", "you're overreacting"),
        ("idk tbh", "i don't know to be honest"),
    ],
)
def test_texting_is_spelt_out(typed: str, read: str) -> None:
    assert replies.normalise(typed, CHECKER.spellings) == read


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("first line\nsecond line", ["first line", "second line"]),
        ("ok - but why", ["ok", "but why"]),
        ("", []),
        ("   ", []),
    ],
)
def test_sentences(text: str, sentences: list[str]) -> None:
    assert replies.split_sentences(text) == sentences


def test_patterns_set_a_hit_aside_after_a_reflecting_frame() -> None:
    rules = replies.build(tomllib.loads((CONTENT / "replies.toml").read_text()), None).rules
    assert replies.rule_hits("you should leave", rules) == {"advice"}
    assert replies.rule_hits("you feel you should leave", rules) == set()
    assert replies.rule_hits("calm down", rules) == {"dismissing"}
    assert replies.rule_hits("your boss told you to calm down?", rules) == set()
    assert replies.rule_hits("i'm not going to tell you to calm down", rules) == set()


def test_control_sequences_are_not_words() -> None:
    typed = "I'm sorry \x07\x1b]0;title\x1b\\. You \x1b[1;31mshould\x1b[0m calm\tdown\x00"
    assert replies.normalise(typed, {}) == "i'm sorry . you should calm down"
    assert replies.check(typed).kinds == replies.check("I'm sorry. You should calm down").kinds


def test_text_with_control_codes_is_checked_as_plain_words() -> None:
    checked = replies.check("\x1b[31myou should\x1b[0m leave him\x00")
    assert checked.kinds == ["advice"]
    assert checked.text == "\x1b[31myou should\x1b[0m leave him\x00"


@pytest.mark.parametrize("text", ["", " ", "\n\n", "?!", "\u200b", "😀" * 500, "a" * 20_000])
def test_odd_text_never_raises(text: str) -> None:
    checked = replies.check(text)
    assert isinstance(checked.flags, tuple)


# the data files


def test_the_model_names_the_kinds_of_the_content_in_order() -> None:
    assert CHECKER.model is not None
    assert list(CHECKER.model.kinds) == list(CHECKER.kinds)


def test_every_pattern_compiles_and_names_a_known_kind() -> None:
    import re

    content = tomllib.loads((CONTENT / "replies.toml").read_text())
    for rule in content["rule"]:
        assert rule["kind"] in content["kinds"]
        for match in replies.matches(rule):
            re.compile(match)
        for key in ("unless_before", "unless_after", "unless"):
            if key in rule:
                re.compile(rule[key])
        assert set(rule.get("guards", content["guards"])) <= set(content["guards"])


def test_every_kind_has_what_an_alternative_is_built_from() -> None:
    for kind in CHECKER.kinds.values():
        assert kind.label and kind.note.endswith(".")
        assert kind.acknowledge and kind.ask
        assert all(q.endswith("?") for q in kind.ask)
        assert len({replies.stem(x) for x in kind.acknowledge}) == len(kind.acknowledge)


def test_the_model_file_is_the_shape_the_loader_expects() -> None:
    data = json.loads((CONTENT / replies.MODEL).read_text())
    assert data["format"] == 3
    width = len(data["kinds"]) + 1  # each kind, then "any"
    assert len(data["bias"]) == width
    assert 0 <= data["gate"] < 1
    assert len(data["features"].split("\n")) * width == len(data["weights"])
    assert all(isinstance(w, int) for w in data["weights"])
    assert all(0 < t < 1 for t in data["thresholds"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": 1}, "unknown format"),
        ({"kinds": ["advice", "nonsense"]}, "kinds not in"),
        ({"weights": [1, 2, 3]}, "do not line up"),
    ],
)
def test_a_damaged_model_file_is_refused(change: dict[str, object], message: str) -> None:
    content = tomllib.loads((CONTENT / "replies.toml").read_text())
    data = {**json.loads((CONTENT / replies.MODEL).read_text()), **change}
    with pytest.raises(ValueError, match=message):
        replies.build(content, data)


def test_no_kind_is_flagged_under_the_gate() -> None:
    model = CHECKER.model
    assert model is not None
    sure = dict.fromkeys(model.outputs, 0.99)
    assert replies.decide(model, sure) == set(model.kinds)
    if model.gate > 0:
        assert replies.decide(model, {**sure, replies.ANY: model.gate / 2}) == set()
    low = {**dict.fromkeys(model.kinds, 0.0), replies.ANY: 0.99}
    assert replies.decide(model, low) == set()


def test_a_rule_with_an_unknown_kind_is_refused() -> None:
    content = tomllib.loads((CONTENT / "replies.toml").read_text())
    content["rule"] = [{"kind": "sarcasm", "match": "x"}]
    with pytest.raises(ValueError, match="unknown kind 'sarcasm'"):
        replies.build(content, None)


def test_checking_does_not_import_typer_rich_or_questionary(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from attunecli import replies; replies.check('you should relax');"
        "print(sorted(m for m in ('typer', 'rich', 'questionary', 'dataclasses')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
