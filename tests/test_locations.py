"""The quick paths find the folders without platformdirs only when platformdirs said so."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from attunecli import paths, quick
from attunecli.paths import LOCATIONS_FILE, remembered, resolve_paths

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the remembered locations are read on Linux/BSD"
)


@pytest.fixture
def defaults(monkeypatch: pytest.MonkeyPatch) -> Path:
    """No ATTUNE_*_DIR: the folders come from platformdirs (XDG folders under a temp HOME)."""
    for name in ("DATA", "CACHE", "CONFIG", "STATE"):
        monkeypatch.delenv(f"ATTUNE_{name}_DIR", raising=False)
    import os

    return Path(os.environ["XDG_CACHE_HOME"]) / "attune"


def test_nothing_is_remembered_before_platformdirs_was_asked(defaults: Path) -> None:
    assert remembered() is None


def test_what_platformdirs_said_is_remembered_once_the_cache_folder_exists(
    defaults: Path,
) -> None:
    found = resolve_paths()
    assert not (defaults / LOCATIONS_FILE).exists()  # no folder is made just for this
    defaults.mkdir(parents=True)
    found = resolve_paths()
    assert found.cache == defaults
    assert (defaults / LOCATIONS_FILE).stat().st_mode & 0o777 == 0o600
    assert remembered() == (str(found.entries), str(found.cache))
    assert quick.locations() == (str(found.entries), str(found.cache))


@pytest.mark.parametrize(
    "change",
    [
        ("XDG_DATA_HOME", "/elsewhere/data"),
        ("XDG_CACHE_HOME", "/elsewhere/cache"),
        ("HOME", "/elsewhere/home"),
        ("ATTUNE_DATA_DIR", "/elsewhere/attune"),
    ],
)
def test_a_changed_variable_means_asking_platformdirs_again(
    defaults: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str]
) -> None:
    defaults.mkdir(parents=True)
    resolve_paths()
    cache_file = defaults / LOCATIONS_FILE
    assert cache_file.exists()
    monkeypatch.setenv(*change)
    if change[0] != "XDG_CACHE_HOME" and change[0] != "HOME":
        # the file is still found where it was, but says it was made under other values
        assert cache_file.exists()
    assert remembered() is None


def test_a_file_that_says_something_else_is_not_trusted(defaults: Path) -> None:
    defaults.mkdir(parents=True)
    resolve_paths()
    cache_file = defaults / LOCATIONS_FILE
    lines = cache_file.read_text(encoding="utf-8").split("\n")
    cache_file.write_text("\n".join(["linux\0HOME=/someone-else", *lines[1:]]), encoding="utf-8")
    assert remembered() is None
    cache_file.write_text("half a line", encoding="utf-8")
    assert remembered() is None
    cache_file.write_bytes(b"\xff\xfe not text")
    assert remembered() is None


def test_the_quick_path_and_typer_read_the_same_folder_without_variables(
    defaults: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from attunecli.entry import main

    assert main(["slow-down", "--feeling", "calm", "--intensity", "2", "--no-input"]) == 0
    capsys.readouterr()
    assert main(["history", "--json"]) == 0  # builds the index: the cache folder now exists
    first = capsys.readouterr().out
    assert main(["history", "--json"]) == 0  # asks platformdirs once more, and remembers
    assert (defaults / LOCATIONS_FILE).exists()

    def not_asked(*args: object) -> None:
        raise AssertionError("platformdirs was asked again")

    monkeypatch.setattr(paths, "resolve_paths", not_asked)
    assert main(["history", "--json"]) == 0  # answered from what was remembered
    assert capsys.readouterr().out.count('"calm"') == 2 and '"calm"' in first
    assert paths.remembered() is not None


def test_a_relative_data_dir_is_not_taken_from_another_folder(
    defaults: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ATTUNE_DATA_DIR=journal means ./journal wherever attune runs, not where it ran first."""
    defaults.mkdir(parents=True)
    monkeypatch.setenv("ATTUNE_DATA_DIR", "journal")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    resolve_paths()
    monkeypatch.chdir(tmp_path / "b")
    assert remembered() is None
    assert quick.locations()[0] == str(tmp_path / "b" / "journal" / "entries")


@pytest.mark.parametrize("home", [None, "", "relative/home"])
def test_without_an_absolute_home_no_file_in_the_current_folder_is_trusted(
    defaults: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, home: str | None
) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME")
    if home is None:
        monkeypatch.delenv("HOME")
    else:
        monkeypatch.setenv("HOME", home)
    monkeypatch.chdir(tmp_path)
    planted = tmp_path / (home or "") / ".cache" / "attune" / LOCATIONS_FILE
    planted.parent.mkdir(parents=True)
    planted.write_text(f"{paths.fingerprint()}\n/elsewhere/entries\n/elsewhere/cache\n")
    assert remembered() is None
