"""Support resources: always available, shown calmly after saving when an entry shows distress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_entries


def test_support_always_lists_resources(cli: Any) -> None:
    r = cli("support")
    assert r.exit_code == 0
    assert "988" in r.stdout
    assert "findahelpline.com" in r.stdout
    assert "emergency number" in r.stdout
    assert "not therapy" in r.stdout
    assert "last checked on" in r.stdout
    data = json.loads(cli("support", "--json").stdout)
    assert any("988" in line["how"] for line in data["lines"])
    assert all(line["checked"] and line["source"] for line in data["lines"])


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["--feeling", "hopeless", "--intensity", "9"], True),
        (["--feeling", "despairing", "--intensity", "10"], True),  # own word: pleasantness unknown
        (["--feeling", "hopeless", "--intensity", "8"], False),  # the word picked from the list
        (["--feeling", "suicidal", "--intensity", "3"], True),  # a word of one's own is read
        (["--feeling", "elated", "--intensity", "10"], False),
        (["--feeling", "tired", "--intensity", "3", "--note", "I want to die"], True),
        (["--feeling", "tired", "--intensity", "3", "--note", "this diet is killing me"], False),
    ],
)
def test_distress_shows_resources_after_saving(
    cli: Any, data_dir: Path, args: list[str], shown: bool
) -> None:
    r = cli("slow-down", *args)
    assert r.exit_code == 0, r.stderr
    assert len(load_entries(data_dir)) == 1  # saved first, never blocked
    assert ("988" in r.stderr) is shown
    assert "988" not in r.stdout  # results stay clean for scripts


def test_first_run_says_what_and_where_once(cli: Any, data_dir: Path) -> None:
    first = cli("slow-down", "--feeling", "calm", "--intensity", "1")
    second = cli("slow-down", "--feeling", "calm", "--intensity", "1")
    assert "self-reflection tool, not therapy" in first.stderr
    assert str(data_dir) in first.stderr
    assert first.stderr.count("\n") == 2
    assert second.stderr == ""


def test_a_failed_save_prints_the_answers_instead_of_losing_them(cli: Any, data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "entries").write_text("not a folder")  # makes every save fail
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2", "--note", "keep me")
    assert r.exit_code == 1
    assert r.stderr.startswith("attune: could not save to ")
    assert r.stderr.count("\n") == 1
    kept = json.loads(r.stdout)
    assert {a["id"]: a["answer"] for a in kept["answers"]}["note"] == "keep me"
    assert (data_dir / "entries").read_text() == "not a folder"
