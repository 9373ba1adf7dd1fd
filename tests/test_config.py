"""`attune config`: a tiny private settings file, and the attachment tip it switches on."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest

from attunecli import config
from attunecli.askers import ScriptedAsker
from attunecli.catalog import (
    ALL_PRACTICE_IDS,
    ATTACHMENT_STYLES,
    attachment,
    attachment_note,
    practice,
)
from attunecli.engine import RunOptions, run_practice
from attunecli.errors import AttuneError, Cancelled, UsageError
from attunecli.models import Section, Step
from tests.conftest import NOW, entry_files

ALLOWED = "secure, anxious, avoidant, fearful-avoidant, disorganized, disorganised, unsure"


@pytest.fixture
def config_file(attune_dirs: Path) -> Path:
    return attune_dirs / "config" / "config.toml"


def shown(cli: Any) -> Any:
    r = cli("config", "show", "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


# show, set, unset


def test_show_when_nothing_is_set(cli: Any, config_file: Path) -> None:
    r = cli("config", "show")
    assert r.exit_code == 0
    assert r.stdout == "attachment = (not set)\nday-start = 04:00 (default)\nregion = (not set)\n"
    assert r.stderr == f"(from {config_file})\n"
    assert shown(cli) == {"attachment": None, "day-start": "04:00", "region": None}
    assert not config_file.exists()  # showing writes nothing


def test_set_show_unset(cli: Any, config_file: Path) -> None:
    r = cli("config", "set", "attachment", "anxious")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (
        f"attachment = anxious\nAnxious: {attachment()['anxious']['about']}\n{attachment_note()}\n"
    )
    assert "differ from one relationship to another" in attachment_note()
    assert tomllib.loads(config_file.read_text()) == {"attachment": "anxious"}
    assert (
        cli("config", "show").stdout
        == "attachment = anxious\nday-start = 04:00 (default)\nregion = (not set)\n"
    )
    assert shown(cli) == {"attachment": "anxious", "day-start": "04:00", "region": None}

    r = cli("config", "unset", "attachment")
    assert r.exit_code == 0
    assert r.stdout == "attachment unset\n"
    assert shown(cli) == {"attachment": None, "day-start": "04:00", "region": None}
    assert tomllib.loads(config_file.read_text()) == {}


@pytest.mark.parametrize("typed", ["Avoidant", "  avoidant ", "AVOIDANT"])
def test_set_tidies_the_value(cli: Any, typed: str) -> None:
    r = cli("config", "set", "attachment", typed)
    assert r.exit_code == 0
    assert r.stdout.startswith("attachment = avoidant\nAvoidant: ")
    assert shown(cli) == {"attachment": "avoidant", "day-start": "04:00", "region": None}


def test_fearful_avoidant_is_the_adult_name_and_picks_the_same_tips(cli: Any) -> None:
    r = cli("config", "set", "attachment", "Fearful-Avoidant")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith(
        "attachment = fearful-avoidant\nFearful-avoidant (disorganised): Closeness can feel"
    )
    assert config.attachment_style({"attachment": "fearful-avoidant"}) == "disorganized"


@pytest.mark.parametrize("style", ATTACHMENT_STYLES)
def test_every_style_can_be_set(cli: Any, style: str) -> None:
    assert cli("config", "set", "attachment", style).exit_code == 0
    assert shown(cli) == {"attachment": style, "day-start": "04:00", "region": None}


def test_set_twice_replaces(cli: Any, config_file: Path) -> None:
    cli("config", "set", "attachment", "secure")
    cli("config", "set", "attachment", "unsure")
    assert tomllib.loads(config_file.read_text()) == {"attachment": "unsure"}


def test_unset_when_not_set_is_fine_and_writes_nothing(cli: Any, config_file: Path) -> None:
    r = cli("config", "unset", "attachment")
    assert r.exit_code == 0
    assert not config_file.exists()


def test_config_file_is_private(cli: Any, config_file: Path) -> None:
    old = os.umask(0)
    try:
        assert cli("config", "set", "attachment", "secure").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_file.parent.stat().st_mode) == 0o700
    cli("config", "unset", "attachment")
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600


# bad keys and values


@pytest.mark.parametrize(
    "args",
    [("set", "colour", "blue"), ("unset", "colour"), ("set", "Attachment", "secure")],
)
def test_unknown_key_exits_2_and_names_the_known_ones(
    cli: Any, config_file: Path, args: tuple[str, ...]
) -> None:
    r = cli("config", *args)
    assert r.exit_code == 2
    assert (
        r.stderr == f"attune: unknown setting {args[1]!r}; known: attachment, day-start, region\n"
    )
    assert r.stdout == ""
    assert not config_file.exists()


@pytest.mark.parametrize("value", ["clingy", "", "secure,anxious", "x" * 100])
def test_unknown_value_exits_2_and_lists_allowed_values(
    cli: Any, config_file: Path, value: str
) -> None:
    cli("config", "set", "attachment", "secure")
    before = config_file.read_bytes()
    r = cli("config", "set", "attachment", value)
    assert r.exit_code == 2
    assert r.stderr.startswith("attune: attachment: unknown value ")
    assert r.stderr.rstrip("\n").endswith(f"expected one of: {ALLOWED}")
    assert r.stderr.count("\n") == 1
    assert config_file.read_bytes() == before


def test_missing_value_is_a_usage_error(cli: Any) -> None:
    r = cli("config", "set", "attachment")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1


# a broken file


@pytest.mark.parametrize(
    "args",
    [
        ("config", "show"),
        ("config", "set", "attachment", "secure"),
        ("config", "unset", "attachment"),
        ("slow-down", "--feeling", "calm", "--intensity", "2"),
    ],
)
def test_invalid_toml_is_one_line_exit_1_and_left_alone(
    cli: Any, config_file: Path, data_dir: Path, args: tuple[str, ...]
) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('attachment = "anx\n')
    before = config_file.read_bytes()
    r = cli(*args)
    assert r.exit_code == 1
    assert r.stderr.startswith(f"attune: {config_file} is not valid TOML (")
    assert r.stderr.endswith("; fix or delete it\n")
    assert r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr
    assert config_file.read_bytes() == before
    assert entry_files(data_dir) == []


def test_undecodable_config_is_an_error(config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_bytes(b'attachment = "\xff"\n')
    with pytest.raises(AttuneError, match="could not read"):
        config.load(config_file)


# the library underneath


def test_check() -> None:
    assert config.check("attachment", " Secure ") == "secure"
    with pytest.raises(
        UsageError, match="unknown setting 'x'; known: attachment, day-start, region"
    ):
        config.check("x", "secure")
    with pytest.raises(UsageError, match=f"expected one of: {ALLOWED}"):
        config.check("attachment", "nope")


@pytest.mark.parametrize(
    ("settings", "style"),
    [
        ({}, None),
        ({"attachment": "anxious"}, "anxious"),
        ({"attachment": "clingy"}, None),  # hand-edited to something unknown: no tip
        ({"attachment": "Anxious"}, None),
        ({"attachment": 3}, None),
        ({"attachment": ["anxious"]}, None),
    ],
)
def test_attachment_style_from_settings(settings: dict[str, Any], style: str | None) -> None:
    assert config.attachment_style(settings) == style


def test_set_keeps_other_simple_settings(config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('future = "kept"\ncount = 3\nratio = 0.5\nloud = false\n')
    config.set_value(config_file, "attachment", "secure")
    assert tomllib.loads(config_file.read_text()) == {
        "future": "kept",
        "count": 3,
        "ratio": 0.5,
        "loud": False,
        "attachment": "secure",
    }
    config.unset(config_file, "attachment")
    assert tomllib.loads(config_file.read_text()) == {
        "future": "kept",
        "count": 3,
        "ratio": 0.5,
        "loud": False,
    }


def test_strings_with_quotes_and_newlines_survive(config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('motto = "say \\"hi\\"\\nthen \\\\ go ünïcode"\n')
    config.set_value(config_file, "attachment", "secure")
    assert tomllib.loads(config_file.read_text())["motto"] == 'say "hi"\nthen \\ go ünïcode'


def test_set_keeps_tables_arrays_and_dates(config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    original = 'tags = ["a", "b"]\nsince = 2026-01-01\n[reminder]\ntime = "20:00"\n'
    config_file.write_text(original)
    config.set_value(config_file, "attachment", "secure")
    after = tomllib.loads(config_file.read_text())
    assert after == {**tomllib.loads(original), "attachment": "secure"}


def test_set_keeps_the_file_valid_with_a_quoted_key(config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('"two words" = 1\n')
    config.set_value(config_file, "attachment", "secure")
    assert config.load(config_file) == {"two words": 1, "attachment": "secure"}


# the tip reaches the asker


class TipAsker(ScriptedAsker):
    """A scripted asker that remembers what it was told, and stops at the first question."""

    def __init__(self) -> None:
        super().__init__({}, flags={})
        self.said: list[tuple[str, str]] = []

    def say(self, text: str, kind: str = "text") -> None:
        self.said.append((text, kind))

    def enter_section(self, section: Section, answer_ids: list[str]) -> bool:
        return True

    def ask(self, step: Step, answer_id: str, default: Any) -> Any:
        raise KeyboardInterrupt  # the tip comes before any question


@pytest.mark.parametrize("practice_id", ALL_PRACTICE_IDS)
def test_anxious_tip_is_said_for_each_practice(practice_id: str) -> None:
    asker = TipAsker()
    with pytest.raises(Cancelled):
        run_practice(
            practice(practice_id), asker, RunOptions(now=lambda: NOW, attachment_style="anxious")
        )
    p = practice(practice_id)
    tip = attachment()["anxious"]["tips"][practice_id]
    assert asker.said[:3] == [(p.title, "title"), (p.intro, "text"), (tip, "tip")]
    assert [kind for _, kind in asker.said].count("tip") == 1
    assert tip != attachment()["avoidant"]["tips"][practice_id]


@pytest.mark.parametrize("style", [None, "clingy", ""])
def test_no_tip_without_a_known_style(style: str | None) -> None:
    asker = TipAsker()
    with pytest.raises(Cancelled):
        run_practice(
            practice("reflect"), asker, RunOptions(now=lambda: NOW, attachment_style=style)
        )
    assert [kind for _, kind in asker.said] == ["title", "text"]  # reflect has no info step


def test_the_configured_style_reaches_a_scripted_run(cli: Any, data_dir: Path) -> None:
    # scripted runs stay silent (no tip on stdout or stderr), but still save normally
    assert cli("config", "set", "attachment", "anxious").exit_code == 0
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2")
    assert r.exit_code == 0, r.stderr
    assert attachment()["anxious"]["tips"]["slow-down"] not in r.stdout + r.stderr
    assert len(entry_files(data_dir)) == 1


@pytest.mark.parametrize(
    ("value", "stored"),
    [("5:30", "05:30"), ("04:00", "04:00"), ("23:59", "23:59"), (" 0:00 ", "00:00")],
)
def test_day_start_is_a_time(cli: Any, config_file: Path, value: str, stored: str) -> None:
    r = cli("config", "set", "day-start", value)
    assert r.exit_code == 0, r.stderr
    assert tomllib.loads(config_file.read_text())["day-start"] == stored


@pytest.mark.parametrize("value", ["24:00", "4", "noon", "4:7", "4:00pm"])
def test_day_start_refuses_what_is_not_a_time(cli: Any, config_file: Path, value: str) -> None:
    r = cli("config", "set", "day-start", value)
    assert r.exit_code == 2
    assert r.stderr.startswith("attune: day-start: expected a time like 04:00")
    assert not config_file.exists()


# what attune cannot use in the settings is named, once, with a "did you mean"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('atachment = "anxious"\n', "unknown setting 'atachment' (did you mean 'attachment'?)"),
        (
            'attachment = "anxous"\n',
            "attachment: 'anxous' is not a value attune takes (did you mean 'anxious'?)",
        ),
        ('day-start = "25:00"\n', "day-start: '25:00' is not a value attune takes; it is ignored"),
        ("region = 5\n", "region: expected text, got int; it is ignored"),
        ('colour = "blue"\n', "unknown setting 'colour'; it is ignored"),
    ],
)
def test_a_typo_in_the_settings_is_named_once(
    cli: Any, config_file: Path, text: str, said: str
) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(text)
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2")
    assert r.exit_code == 0, r.stderr
    [line] = [x for x in r.stderr.splitlines() if str(config_file) in x]
    assert line.startswith(f"attune: {config_file}: ") and said in line
    assert config_file.read_text() == text  # never rewritten behind your back


def test_good_settings_say_nothing(cli: Any, config_file: Path) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text('attachment = "secure"\nday-start = "05:00"\nregion = "GB"\n')
    assert config.problems(config.load(config_file)) == []
    r = cli("config", "show")
    assert r.exit_code == 0 and str(config_file) not in r.stderr.replace(
        f"(from {config_file})", ""
    )


def test_config_show_marks_a_value_it_ignores(cli: Any, config_file: Path) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text('attachment = "anxous"\n')
    r = cli("config", "show")
    assert r.exit_code == 0
    assert "attachment = anxous (ignored: see above)\n" in r.stdout
    assert "did you mean 'anxious'" in r.stderr


def test_doctor_names_what_the_settings_get_wrong(cli: Any, config_file: Path) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text('atachment = "anxious"\nday-start = "4pm"\n')
    r = cli("doctor", "--json")
    assert r.exit_code == 1
    found = [f for f in json.loads(r.stdout)["findings"] if f["kind"] == "settings"]
    assert [f["path"] for f in found] == [str(config_file)] * 2
    assert "did you mean 'attachment'" in found[0]["message"]
    assert "day-start" in found[1]["message"]
    assert all(f["attention"] and not f["fix"] for f in found)  # yours to edit, not ours
    config_file.write_text('attachment = "anxious"\n')
    r = cli("doctor", "--json")
    assert not [f for f in json.loads(r.stdout)["findings"] if f["kind"] == "settings"]


def test_a_new_settings_file_explains_each_key(cli: Any, config_file: Path) -> None:
    assert cli("config", "set", "region", "gb").exit_code == 0
    text = config_file.read_text()
    comments = [line for line in text.splitlines() if line.startswith("#")]
    for key in config.SETTINGS:
        assert any(line.startswith(f"# {key}: ") for line in comments), key
    assert tomllib.loads(text) == {"region": "GB"}
