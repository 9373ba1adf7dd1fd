"""One list of the built-in practices (`labels.py`), and everything else agreeing with it:
the entry schema, the practice files in the package, the labels, the practice schema's
reserved names, the overview and the commands."""

from __future__ import annotations

import json
from importlib import resources

from attunecli import catalog, labels, practicefile
from attunecli.overview import GROUPS


def test_the_entry_schema_lists_what_an_entry_can_be() -> None:
    schema = json.loads(
        resources.files("attunecli.schema").joinpath("entry.schema.json").read_text("utf-8")
    )
    [enum] = [a["enum"] for a in schema["properties"]["practice"]["anyOf"] if "enum" in a]
    assert tuple(enum) == labels.ENTRY_PRACTICES


def test_each_built_in_practice_has_its_file_and_a_label() -> None:
    files = {
        p.name.removesuffix(".toml")
        for p in resources.files("attunecli.content").joinpath("practices").iterdir()
        if p.name.endswith(".toml")
    }
    assert files == set(labels.BUILT_IN_PRACTICES)
    for pid in labels.BUILT_IN_PRACTICES:
        assert catalog.practice(pid).id == pid
    assert set(labels.PRACTICE_LABELS) == set(labels.ENTRY_PRACTICES)
    assert set(labels.BUILT_IN_PRACTICES) <= set(labels.ENTRY_PRACTICES)


def test_own_practices_cannot_take_a_built_in_name() -> None:
    assert frozenset(labels.BUILT_IN_PRACTICES) == practicefile.BUILT_IN
    assert catalog.ALL_PRACTICE_IDS == labels.BUILT_IN_PRACTICES


def test_the_overview_and_the_commands_offer_the_five() -> None:
    [practise] = [names for group, names in GROUPS if group == "Practise"]
    assert practise == ("checkin", *labels.FIVE_PRACTICES)
    from typer.main import get_command

    from attunecli.cli.app import app

    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert set(labels.FIVE_PRACTICES) | {"checkin"} <= commands
