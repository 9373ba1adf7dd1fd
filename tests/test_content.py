"""The shipped content: every practice loads, every list resolves, the words and lines are sound."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import typer

from attunecli import catalog, coach
from attunecli.catalog import (
    ALL_PRACTICE_IDS,
    ATTACHMENT_STYLES,
    PRACTICE_IDS,
    QUADRANTS,
    attachment,
    coach_text,
    exercises,
    practice,
    support,
    vocabulary,
)
from attunecli.cli import app
from attunecli.models import STEP_KINDS

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "attunecli" / "schema" / "entry.schema.json").read_text())


def raw(name: str) -> dict[str, Any]:
    text = resources.files("attunecli.content").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def raw_steps(practice_id: str) -> list[dict[str, Any]]:
    return [
        s for sec in raw(f"practices/{practice_id}.toml")["section"] for s in sec.get("step", [])
    ]


# practices


@pytest.mark.parametrize("practice_id", ALL_PRACTICE_IDS)
def test_every_practice_loads(practice_id: str) -> None:
    p = practice(practice_id)
    assert p.id == practice_id
    assert p.title and p.summary and p.intro and p.closing
    assert p.sections
    for sec, st in p.steps():
        assert sec.id and st.id and st.question.strip()
        assert st.kind in STEP_KINDS
        if st.kind == "scale":
            assert st.min < st.max
            assert st.measure, st.id
        if st.kind in ("choice", "multi", "feeling", "feelings"):
            assert st.options, st.id
        if st.kind == "compose":
            assert st.template in (
                "reflection",
                "validation",
                "repair_message",
                "curious_sentence",
                "received_message",
            )
            assert coach.compose(st.template, {}, coach_text())


def test_quick_checkin_loads_and_keeps_every_listed_step() -> None:
    quick = practice("checkin", quick=True)
    ids = [quick.answer_id(sec, st) for sec, st in quick.steps()]
    assert ids == raw("practices/checkin.toml")["quick"]
    assert not any(sec.skippable for sec in quick.sections)
    assert all(sec.skippable for sec in practice("checkin").sections)


def test_unknown_practice() -> None:
    with pytest.raises(KeyError):
        practice("yoga")


def test_all_practices_are_known_to_the_schema() -> None:
    assert set(SCHEMA["properties"]["practice"]["anyOf"][0]["enum"]) == {
        *ALL_PRACTICE_IDS,
        "repair-done",
    }
    answer_kinds = set(SCHEMA["$defs"]["answer"]["properties"]["kind"]["enum"])
    assert answer_kinds == set(STEP_KINDS) - {"info"}


def test_every_options_from_resolves() -> None:
    seen = 0
    for pid in ALL_PRACTICE_IDS:
        for step in raw_steps(pid):
            if "options_from" not in step:
                continue
            seen += 1
            options = catalog._options(step["options_from"])
            assert len(options) >= 2, step["options_from"]
            values = [o.value for o in options]
            assert len(values) == len(set(values)), step["options_from"]
            assert all(o.value.strip() and o.label.strip() for o in options)
    assert seen >= 8


def test_defaults_of_choices_are_among_the_options() -> None:
    for pid in ALL_PRACTICE_IDS:
        for _, st in practice(pid).steps():
            if st.kind == "choice" and st.default is not None:
                assert st.default in [o.value for o in st.options], (pid, st.id)


@pytest.mark.parametrize("practice_id", ALL_PRACTICE_IDS)
def test_no_step_id_collides_within_a_practice(practice_id: str) -> None:
    p = practice(practice_id)
    ids = [p.answer_id(sec, st) for sec, st in p.steps()]
    assert len(ids) == len(set(ids)), ids
    for sec in p.sections:
        step_ids = [st.id for st in sec.steps]
        assert len(step_ids) == len(set(step_ids))
    sections = [sec.id for sec in p.sections]
    assert len(sections) == len(set(sections))


@pytest.mark.parametrize("practice_id", ALL_PRACTICE_IDS)
def test_answer_ids_fit_the_schema(practice_id: str) -> None:
    import re

    pattern = SCHEMA["$defs"]["answer"]["properties"]["id"]["pattern"]
    p = practice(practice_id)
    for sec, st in p.steps():
        assert re.fullmatch(pattern, p.answer_id(sec, st)), (practice_id, st.id)


@pytest.mark.parametrize("practice_id", ALL_PRACTICE_IDS)
def test_conditions_point_back_to_an_earlier_step_in_the_section(practice_id: str) -> None:
    for sec in practice(practice_id).sections:
        earlier: set[str] = set()
        for st in sec.steps:
            if st.when is not None:
                assert st.when.step in earlier, (practice_id, st.id)
                # A skipped step must be allowed empty (an info step stores nothing).
                assert st.optional or st.kind == "info", (practice_id, st.id)
            earlier.add(st.id)


@pytest.mark.parametrize("practice_id", PRACTICE_IDS)
def test_every_required_step_is_answerable_by_a_flag(practice_id: str) -> None:
    required = [
        st
        for _, st in practice(practice_id).steps()
        if not st.optional
        and st.kind not in ("info", "guide")
        and st.default is None
        and st.when is None
    ]
    assert required
    for st in required:
        assert st.flag, f"{practice_id}: required step {st.id} has no flag"


@pytest.mark.parametrize("practice_id", PRACTICE_IDS)
def test_flags_are_unique_within_a_practice(practice_id: str) -> None:
    flags = [st.flag for _, st in practice(practice_id).steps() if st.flag]
    assert len(flags) == len(set(flags))


def command_options(name: str) -> set[str]:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return {opt for param in command.params for opt in param.opts if opt.startswith("--")}


@pytest.mark.parametrize(
    "practice_id",
    [
        *PRACTICE_IDS,
        "checkin",
    ],
)
def test_every_flag_is_an_option_of_its_command(practice_id: str) -> None:
    options = command_options(practice_id)
    for _, st in practice(practice_id).steps():
        if st.flag:
            assert f"--{st.flag}" in options, (practice_id, st.id, st.flag)


# feelings


def test_at_least_120_feeling_words_in_all_four_quadrants() -> None:
    vocab = vocabulary()
    assert len(vocab.feelings) >= 120
    for q in QUADRANTS:
        assert len(vocab.in_quadrant(q)) >= 20, q
    assert set(raw("feelings.toml")) == set(QUADRANTS)


def test_no_feeling_word_is_in_two_quadrants() -> None:
    # read the file itself: the loader would silently keep only the last
    data = raw("feelings.toml")
    seen: dict[str, str] = {}
    for q, words in data.items():
        for word in words:
            assert word not in seen, f"{word!r} in {seen.get(word)} and {q}"
            seen[word] = q
    assert len(seen) == len(vocabulary().feelings)


def test_every_feeling_has_a_short_definition() -> None:
    for f in vocabulary().feelings.values():
        assert f.means.strip(), f.word
        assert len(f.means) < 80, f.word
        assert f.means[0].isupper() and f.means.endswith("."), f.word
        assert f.word == f.word.strip().lower(), f.word
        assert len(f.word) <= 60


def test_vocabulary_lookup_and_quadrants() -> None:
    vocab = vocabulary()
    calm = vocab.get("  Calm ")
    assert calm is not None and calm.quadrant == "low-pleasant" and calm.pleasant
    anxious = vocab.get("anxious")
    assert anxious is not None and anxious.energy == "high" and not anxious.pleasant
    assert vocab.get("wobbly") is None
    words = [f.word for f in vocab.in_quadrant("high-unpleasant")]
    assert words == sorted(words)
    assert vocab.in_quadrant("sideways") == []


def test_feeling_options_carry_their_quadrant() -> None:
    step = next(st for _, st in practice("slow-down").steps() if st.kind == "feeling")
    assert len(step.options) == len(vocabulary().feelings)
    assert {o.group for o in step.options} == set(QUADRANTS)
    assert all(o.description for o in step.options)


# exercises


def test_every_exercise_has_phases_with_positive_seconds() -> None:
    ex = exercises()
    assert set(ex) >= {"cyclic-sighing", "slow-breathing", "box-breathing", "grounding"}
    for e in ex.values():
        assert e.label.strip() and e.about.strip(), e.id
        assert e.minutes > 0, e.id
        assert e.phases, e.id
        for phase in e.phases:
            assert phase.name.strip(), e.id
            assert phase.seconds > 0, (e.id, phase.name)
        # at least one whole round fits in the planned time
        assert sum(p.seconds for p in e.phases) <= e.minutes * 60, e.id


def test_regulate_help_lists_every_exercise() -> None:
    command = typer.main.get_command(app).commands["regulate"]  # type: ignore[attr-defined]
    [param] = [p for p in command.params if "--exercise" in p.opts]
    for name in exercises():
        assert name in (param.help or ""), name


# support


def test_support_content() -> None:
    s = support()
    assert isinstance(s.last_checked, date)
    assert date(2025, 1, 1) <= s.last_checked <= date.today()
    hows = " ".join(f"{x.name} {x.how}" for x in s.lines)
    for number in ("988", "116 123", "85258", "13 11 14", "1-800-799-7233", "findahelpline.com"):
        assert number in hows, number
    assert "not therapy" in s.not_therapy
    assert len(s.coping) >= 3
    assert {x.purpose for x in s.lines} == {"crisis", "abuse", "emergency", "directory"}


def test_every_help_line_is_dated_and_sourced() -> None:
    s = support()
    for x in s.lines:
        assert isinstance(x.checked, date), x.name
        assert x.checked <= date.today() and x.checked <= s.last_checked, x.name
        assert x.source.strip(), x.name
        assert set(x.regions) <= set(s.regions), x.name
    for code in s.regions:  # every region has a crisis line, an abuse line and an emergency number
        for purpose in ("crisis", "abuse", "emergency"):
            assert any(code in x.regions for x in s.lines if x.purpose == purpose), (code, purpose)


# attachment


def test_attachment_has_every_style_and_no_other() -> None:
    assert set(attachment()) == set(ATTACHMENT_STYLES)


@pytest.mark.parametrize("style", ATTACHMENT_STYLES)
def test_attachment_tips_for_every_practice(style: str) -> None:
    data = attachment()[style]
    assert data["label"].strip() and data["about"].strip()
    assert set(data["tips"]) == set(ALL_PRACTICE_IDS)
    for pid in ALL_PRACTICE_IDS:
        tip = data["tips"][pid]
        assert isinstance(tip, str) and tip.strip(), (style, pid)
        assert len(tip) < 120, (style, pid)


def test_config_accepts_exactly_the_attachment_styles_and_their_other_names() -> None:
    from attunecli.catalog import ATTACHMENT_ALIASES
    from attunecli.config import SETTINGS, attachment_style

    assert set(SETTINGS["attachment"]) == {*ATTACHMENT_STYLES, *ATTACHMENT_ALIASES}
    for name in SETTINGS["attachment"]:
        assert attachment_style({"attachment": name}) in ATTACHMENT_STYLES
    assert attachment_style({"attachment": "fearful-avoidant"}) == "disorganized"
    assert "Fearful-avoidant" in attachment()["disorganized"]["label"]


# coach text


def test_validations_hold_feelings_and_are_not_flagged_as_replies() -> None:
    from attunecli import replies

    table = coach_text()["validation"]
    lines = [x for v in table.values() if isinstance(v, list) for x in v if "{" in x]
    assert len(lines) >= len(table["default"]) + 3
    for line in lines:
        assert "{feelings}" in line
        assert replies.check(line.format(feelings="hurt")).flags == (), line


def test_curious_and_context_lists() -> None:
    text = coach_text()
    assert set(text["contexts"]) == {
        "partner",
        "child",
        "friend",
        "family",
        "colleague",
        "client",
        "self",
    }
    assert len(text["curious"]["other_explanations"]) >= 5
    assert all(q.endswith("?") for q in text["curious"]["open_questions"])


# One spelling convention: British, in everything attune says (README "Conventions").

AMERICAN = re.compile(
    r"\b(?:\w+(?:iz|yz)(?:e|es|ed|ing|ation|ations)|\w*(?:center|color|behavior|favorite)\w*"
    r"|judgment|labeled|labeling|canceled|canceling|gray|skeptical|traveled|traveling)\b",
    re.IGNORECASE,
)
# Names that keep a wider convention (README): options, variables and the research term.
# Typer's own line for --show-completion ("customize the installation") is not ours.
KEPT = re.compile(
    r"--no-color|NO_COLOR|FORCE_COLOR|\bdisorganized\b|\b(?:size|prize|seize)\b|customize\s+the\s+installation"
)


def _prose(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [x for v in value for x in _prose(v)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _prose(v)]
    return []


# The detectors' patterns read the person's words, in either spelling: not prose.
PATTERN_FILES = ("crisis.toml", "replies.toml")


def test_everything_attune_says_is_in_one_spelling() -> None:
    root = resources.files("attunecli.content")
    found: list[str] = []
    names = [p.name for p in root.iterdir() if p.name.endswith(".toml")]
    names += [f"practices/{p.name}" for p in root.joinpath("practices").iterdir()]
    for name in names:
        if name in PATTERN_FILES or not name.endswith(".toml"):
            continue
        data = tomllib.loads(root.joinpath(name).read_text(encoding="utf-8"))
        for text in _prose(data) + list(data):
            words = AMERICAN.findall(KEPT.sub("", text))
            found += [f"{name}: {w}" for w in words]
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    found += [f"README: {w}" for w in AMERICAN.findall(KEPT.sub("", readme))]
    assert found == []


def test_the_spelling_check_can_fail() -> None:
    assert AMERICAN.findall("I realized the color was centered") == [
        "realized",
        "color",
        "centered",
    ]
    assert AMERICAN.findall(KEPT.sub("", "--no-color, disorganized, size")) == []


HELP_COMMANDS = [
    (),
    *[(c,) for c in ("checkin", "slow-down", "reflect", "curious", "regulate", "repair")],
    *[(c,) for c in ("check-reply", "history", "show", "repairs", "feelings", "path")],
    *[(c,) for c in ("insights", "search", "export", "import", "remind", "support")],
    *[(c,) for c in ("safety-plan", "doctor", "forget", "schedule", "config")],
    ("repair", "done"),
    ("config", "set"),
]


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "attune")
def test_every_help_text_is_in_one_spelling(cli: Any, command: tuple[str, ...]) -> None:
    r = cli(*command, "--help")
    assert r.exit_code == 0, r.stderr
    assert len(r.stdout) > 100
    assert AMERICAN.findall(KEPT.sub("", r.stdout)) == []
