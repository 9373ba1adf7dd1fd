"""Practice files of one's own (issue 15, part 1, first step): checked by line and key,
and turned into the same Practice the built-in ones are."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunecli import practicefile
from attunecli.askers import ScriptedAsker
from attunecli.engine import RunOptions, run_practice
from attunecli.session import flag_names
from tests.conftest import NOW

GOOD = """\
# A card of my own
id = "evening-card"
title = "Evening card"
summary = "Three things at the end of the day."
intro = "A minute before bed."

[[section]]
id = "card"

[[section.step]]
id = "mood"
kind = "scale"
question = "How was today, 0 to 5?"
min = 0
max = 5
low_label = "hard"
high_label = "good"

[[section.step]]
id = "skills"
kind = "multi"
question = "What helped?"
options = ["a walk", "a call", "music"]
optional = true

[[section.step]]
id = "acted"
kind = "confirm"
question = "Did you do the thing you planned?"
optional = true

[[section.step]]
id = "why"
kind = "text"
question = "What got in the way?"
optional = true
when = { step = "acted", equals = false }
"""


def test_a_good_file_becomes_a_practice_that_runs() -> None:
    p = practicefile.load_text(GOOD, "evening-card.toml")
    assert p.id == "evening-card" and [s.id for s in p.steps()[0][0].steps][:2] == [
        "mood",
        "skills",
    ]
    given = {"mood": 3, "skills": ["a walk"], "acted": False, "why": "rain"}
    entry = run_practice(p, ScriptedAsker(given, flags=flag_names(p)), RunOptions(now=lambda: NOW))
    assert {a.id: a.answer for a in entry.answers} == given


def test_every_unknown_key_is_named_on_its_own_line() -> None:
    text = GOOD.replace(
        'question = "What helped?"', 'question = "What helped?"\nflag = "x"\nvary = 1'
    )
    _, problems = practicefile.check_text(text)
    named = sorted((p.line, p.where.rsplit(", ", 1)[-1]) for p in problems)
    assert named == [(23, "flag"), (24, "vary")]


@pytest.mark.parametrize(
    ("change", "line", "said"),
    [
        (("min = 0", "min = 6"), 15, "max (5) must be more than min (6)"),
        (('kind = "multi"', 'kind = "multii"'), 21, "is not one of"),
        (
            (
                'optional = true\n\n[[section.step]]\nid = "acted"',
                'colour = 1\noptional = true\n\n[[section.step]]\nid = "acted"',
            ),
            24,
            'step "skills", colour: not a key',
        ),
        (("equals = false }", "equals = false }\n"), None, None),  # harmless: still fine
        (('step = "acted", equals', 'step = "nope", equals'), 37, "not an earlier step"),
        (('id = "evening-card"', 'id = "checkin"'), 2, "built-in practice"),
        (('id = "evening-card"', 'id = "Evening Card"'), 2, "does not match"),
        (
            ('options = ["a walk", "a call", "music"]', 'options = ["a walk", "a walk"]'),
            23,
            "listed twice",
        ),
        (('question = "What helped?"\n', ""), 19, "'question' is a required property"),
    ],
)
def test_each_problem_is_named_by_line_and_key(
    change: tuple[str, str], line: int | None, said: str | None
) -> None:
    old, new = change
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    data, problems = practicefile.check_text(text)
    if said is None:
        assert problems == [] and data is not None
        return
    assert data is None and problems
    first = problems[0]
    assert said in str(first), [str(p) for p in problems]
    assert first.line == line, [str(p) for p in problems]


def test_a_file_that_is_not_toml_says_where() -> None:
    _, [problem] = practicefile.check_text('id = "x"\ntitle = "unclosed\nsummary = "y"\n')
    assert problem.line == 2 and "not valid TOML" in str(problem)


def test_the_error_is_one_line_with_a_count() -> None:
    text = GOOD.replace("min = 0", "min = 6").replace('kind = "multi"', 'kind = "multii"')
    with pytest.raises(practicefile.PracticeFileError) as caught:
        practicefile.load_text(text, "card.toml")
    message = caught.value.message
    assert message.startswith("card.toml: line ") and "\n" not in message


def test_text_in_a_practice_is_never_interpreted() -> None:
    text = GOOD.replace("How was today, 0 to 5?", "[bold]{mood}</b> \\u001b[31m %s")
    p = practicefile.load_text(text, "card.toml")
    step = p.sections[0].steps[0]
    assert step.question == "[bold]{mood}</b> \x1b[31m %s"  # kept as written, for literal() to show


# hypothesis: any file either checks clean and runs, or gives problems naming where

KEYS = [
    "id",
    "kind",
    "question",
    "help",
    "optional",
    "options",
    "min",
    "max",
    "when",
    "default",
    "bogus",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.text(max_size=12),
    st.lists(st.text(max_size=6), max_size=3),
    st.sampled_from(["text", "choice", "multi", "scale", "confirm", "date", "info", "compose"]),
    st.fixed_dictionaries({"step": st.sampled_from(["a", "b", "zz"])}),
)


def _toml_value(v: Any) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    return json.dumps(v)


@st.composite
def practice_files(draw: Any) -> str:
    lines = [
        'id = "mine"',
        'title = "Mine"',
        'summary = "s"',
        'intro = "i"',
        "",
        "[[section]]",
        'id = "s"',
    ]
    for n in range(draw(st.integers(1, 4))):
        lines += ["", "[[section.step]]"]
        step = {
            "id": ["a", "b", "c", "d"][n],
            "kind": draw(st.sampled_from(["text", "choice", "scale", "confirm", "multi"])),
            "question": "q?",
        }
        for key in draw(st.lists(st.sampled_from(KEYS), max_size=3, unique=True)):
            step[key] = draw(VALUES)
        for key, value in step.items():
            if value is not None:
                lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(practice_files())
def test_any_file_checks_clean_and_runs_or_names_its_problems(text: str) -> None:
    data, problems = practicefile.check_text(text)
    if data is None:
        assert problems and all(str(p) and "\n" not in str(p) for p in problems)
        assert all(p.line is None or 1 <= p.line <= len(text.splitlines()) for p in problems)
        return
    p = practicefile.practice_of(data)
    asker = ScriptedAsker({}, flags=flag_names(p))
    # a required answer the script did not give is the ordinary one-line error
    with contextlib.suppress(practicefile.UsageError):
        run_practice(p, asker, RunOptions(now=lambda: NOW))


# the commands: attune practices (list, new, check, add) and attune run NAME


def test_new_check_run_and_list(cli: Any, attune_dirs: Any, data_dir: Any) -> None:
    r = cli("practices", "new", "evening-card")
    assert r.exit_code == 0, r.stderr
    [made] = list(attune_dirs.glob("**/practices/evening-card.toml"))
    assert made.stat().st_mode & 0o777 == 0o600
    assert cli("practices", "check", str(made)).exit_code == 0
    r = cli(
        "run", "evening-card", "--feeling", "calm", "--how-strong", "2", "--planned", "no",
        "--why-not", "rain", "--helped", "a walk", "--helped", "rest", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    import json

    saved = json.loads(r.stdout)
    assert saved["practice"] == "evening-card"
    got = {a["id"]: a["answer"] for a in saved["answers"]}
    assert got == {
        "feeling": "calm",
        "how_strong": 2,
        "helped": ["a walk", "rest"],
        "planned": False,
        "why_not": "rain",
    }
    listed = cli("practices").stdout
    assert "Built in:" in listed and "evening-card" in listed.split("Your own")[1]
    again = cli("practices", "new", "evening-card")
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert cli("history").stdout.count("evening-card") == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("run", "nope"), "no practice called 'nope'"),
        (("run", "evening-card", "--bogus", "1"), "--bogus: not a step of evening-card"),
        (("run", "evening-card", "--how-strong", "9", "--feeling", "calm"), "out of range"),
        (("run", "evening-card", "--how-strong"), "give it a value"),
        (("run", "evening-card"), "how_strong"),  # no terminal: what is missing is named
        (("practices", "new", "Checkin"), "lowercase letters"),
        (("practices", "new", "checkin"), "not a built-in practice"),
        (("practices", "check", "/nonexistent.toml"), "no such file"),
    ],
)
def test_the_bad_cases_are_one_line_and_exit_2(cli: Any, args: tuple[str, ...], said: str) -> None:
    assert cli("practices", "new", "evening-card").exit_code == 0
    r = cli(*args)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert said in r.stderr and r.stderr.count("\n") == 1


def test_a_bad_file_is_refused_by_add_and_named_by_check(cli: Any, tmp_path: Any) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("min = 0", "min = 6"))
    r = cli("practices", "check", str(bad))
    assert r.exit_code == 1
    assert f"{bad}: line 15: " in r.stderr and "must be more than min" in r.stderr
    r = cli("practices", "add", str(bad))
    assert r.exit_code == 2 and "line 15" in r.stderr
    good = tmp_path / "good.toml"
    good.write_text(GOOD)
    assert cli("practices", "add", str(good)).exit_code == 0
    assert cli("run", "evening-card", "--mood", "3").exit_code == 0


@pytest.mark.parametrize("name", ["diary-card", "thought-record"])
def test_the_shipped_practices_check_clean_and_say_what_they_are_for(name: str) -> None:
    from importlib import resources

    text = resources.files("attunecli.content").joinpath(f"shipped/{name}.toml").read_text()
    data, problems = practicefile.check_text(text)
    assert problems == [] and data is not None
    assert "therapist" in data["about"] and "does not replace" in data["about"]


def test_the_thought_record_runs_by_script(cli: Any, data_dir: Any) -> None:
    r = cli(
        "run", "thought-record", "--situation", "late to work", "--feeling", "ashamed",
        "--before", "7", "--thought", "I always mess up", "--balanced", "I was late once",
        "--after", "4", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    import json

    got = {a["id"]: a["answer"] for a in json.loads(r.stdout)["answers"]}
    assert (got["before"], got["after"], got["balanced"]) == (7, 4, "I was late once")


@pytest.mark.parametrize(("urge", "support"), [(3, False), (4, True), (5, True)])
def test_a_strong_urge_on_the_diary_card_shows_support(
    cli: Any, data_dir: Any, urge: int, support: bool
) -> None:
    r = cli("run", "diary-card", "--urge-harm", str(urge), "--acted-harm", "no", "--joy", "1")
    assert r.exit_code == 0, r.stderr
    assert ("Samaritans" in r.stderr or "988" in r.stderr) is support
    import json

    [entry] = [json.loads(p.read_text()) for p in data_dir.rglob("*.json")]
    [answer] = [a for a in entry["answers"] if a["id"] == "urges.urge_harm"]
    assert answer["details"] == {"measure": "urge", "of": 5}


def test_a_card_with_every_step_skipped_saves_nothing(cli: Any, data_dir: Any) -> None:
    r = cli("run", "diary-card")
    assert r.exit_code == 0, r.stderr
    assert "Nothing to save this time" in r.stderr
    assert list(data_dir.rglob("*.json")) == []
