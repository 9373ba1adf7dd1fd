"""Nothing planted by another user, and no link inside attune's folders, is trusted or followed."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from attunecli import paths, quick
from attunecli.paths import LOCATIONS_FILE, fingerprint, remembered
from tests.test_doctor import findings, of_kind

linux = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the remembered locations are read on Linux/BSD"
)
as_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root"
)
NOBODY = 65534


def both(cli: Any, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[Any, Any]:
    """(quick path, Typer path) results of `attune args`, each as (code, stdout, stderr)."""
    capsys.readouterr()
    code = quick.main(list(args))
    got = capsys.readouterr()
    r = cli(*args)
    return (code, got.out, got.err), (r.exit_code, r.stdout, r.stderr)


def save(cli: Any, feeling: str = "calm") -> str:
    r = cli("checkin", "--quick", "--feeling", feeling, "--intensity", "3", "--json")
    assert r.exit_code == 0, r.stderr
    return str(json.loads(r.stdout)["id"])


def entry_file(data_dir: Path) -> Path:
    (found,) = sorted((data_dir / "entries").glob("*/*/*.json"))
    return found


# 8: a `locations` file (or cache folder) another user could have planted


@pytest.fixture
def defaults(monkeypatch: pytest.MonkeyPatch, attune_dirs: Path) -> Path:
    """No ATTUNE_DATA_DIR / ATTUNE_CACHE_DIR: the quick path may read `locations`."""
    monkeypatch.delenv("ATTUNE_DATA_DIR")
    monkeypatch.delenv("ATTUNE_CACHE_DIR")
    return Path(os.environ["XDG_CACHE_HOME"]) / "attune"


def plant(cache: Path, attune_dirs: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Someone else's entries, and a `locations` file pointing at them and at the home folder."""
    theirs = attune_dirs / "theirs"
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(theirs))
    save(cli, "planted")
    monkeypatch.delenv("ATTUNE_DATA_DIR")
    home = Path(os.environ["HOME"])
    home.mkdir(exist_ok=True)
    home.chmod(0o755)
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / LOCATIONS_FILE
    target.write_text(f"{fingerprint()}\n{theirs / 'entries'}\n{home}\n", encoding="utf-8")
    return target


def assert_ignored(cli: Any, capsys: pytest.CaptureFixture[str], attune_dirs: Path) -> None:
    assert remembered() is None
    home = Path(os.environ["HOME"])
    fast, typer = both(cli, capsys, "history", "--json")
    assert fast == typer
    assert fast[0] == 0
    assert "planted" not in fast[1]
    assert (home.stat().st_mode & 0o777) == 0o755  # the home folder was not tightened
    assert not (home / "index.sqlite3").exists()


@linux
def test_a_locations_file_others_may_write_is_ignored(
    cli: Any,
    capsys: pytest.CaptureFixture[str],
    attune_dirs: Path,
    defaults: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save(cli)  # one of the user's own, in the default data folder
    planted = plant(defaults, attune_dirs, cli, monkeypatch)
    planted.chmod(0o666)
    assert paths.untrusted(planted) is not None
    assert_ignored(cli, capsys, attune_dirs)


@linux
@as_root
def test_a_locations_file_another_user_owns_is_ignored(
    cli: Any,
    capsys: pytest.CaptureFixture[str],
    attune_dirs: Path,
    defaults: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save(cli)
    planted = plant(defaults, attune_dirs, cli, monkeypatch)
    planted.chmod(0o600)
    os.chown(planted, NOBODY, NOBODY)
    assert_ignored(cli, capsys, attune_dirs)


@linux
@as_root
def test_a_cache_folder_another_user_made_first_is_not_used(
    cli: Any,
    capsys: pytest.CaptureFixture[str],
    attune_dirs: Path,
    defaults: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = save(cli)
    planted = plant(defaults, attune_dirs, cli, monkeypatch)
    planted.chmod(0o644)
    os.chown(planted, NOBODY, NOBODY)
    defaults.chmod(0o755)
    os.chown(defaults, NOBODY, NOBODY)
    assert_ignored(cli, capsys, attune_dirs)
    fast, typer = both(cli, capsys, "history", "--json")
    assert fast == typer and mine in fast[1]  # answered from the files themselves
    assert fast[2].count("\n") == 1 and "another user" in fast[2]  # a one-line note
    assert not (defaults / "index.sqlite3").exists()
    assert planted.read_text(encoding="utf-8").count("\n") == 3  # not rewritten by us either


# 9: links inside the folders are not followed


def outside_entry(cli: Any, attune_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real entry file written elsewhere (another data folder)."""
    other = attune_dirs / "elsewhere"
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(other))
    save(cli, "linked")
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(attune_dirs / "data"))
    return entry_file(other)


def test_an_entry_file_that_is_a_link_is_skipped_and_named_once(
    cli: Any,
    capsys: pytest.CaptureFixture[str],
    attune_dirs: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = save(cli)
    theirs = outside_entry(cli, attune_dirs, monkeypatch)
    link = entry_file(data_dir).parent / theirs.name
    link.symlink_to(theirs)
    fast, typer = both(cli, capsys, "history", "--json")
    for code, out, err in (fast, typer):
        assert code == 0
        assert mine in out and "linked" not in out
        assert err.count("skipped") == 1 and link.name in err and "symbolic link" in err
    assert fast[1] == typer[1]


def test_a_month_folder_that_is_a_link_is_not_read(
    cli: Any,
    capsys: pytest.CaptureFixture[str],
    attune_dirs: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = save(cli)
    theirs = outside_entry(cli, attune_dirs, monkeypatch)
    (data_dir / "entries" / "2031").mkdir()
    (data_dir / "entries" / "2031" / "01").symlink_to(theirs.parent, target_is_directory=True)
    fast, typer = both(cli, capsys, "history", "--json")
    for code, out, err in (fast, typer):
        assert code == 0
        assert mine in out and "linked" not in out
        assert "symbolic link" in err and err.count("skipped") == 1


def test_a_save_into_a_month_folder_that_is_a_link_is_refused(
    cli: Any, attune_dirs: Path, data_dir: Path
) -> None:
    outside = attune_dirs / "outside"
    outside.mkdir()
    month = data_dir / "entries" / "2026" / "11"  # where NOW's entry goes (UTC)
    month.parent.mkdir(parents=True)
    month.symlink_to(outside, target_is_directory=True)
    r = cli("checkin", "--quick", "--feeling", "calm", "--intensity", "3")
    assert r.exit_code != 0
    assert list(outside.iterdir()) == []
    (line,) = r.stderr.strip().splitlines()
    assert "symbolic link" in line and "JSON" in line
    assert json.loads(r.stdout.strip().splitlines()[-1])["practice"] == "checkin"


def test_doctor_fix_never_deletes_through_a_link(
    cli: Any, attune_dirs: Path, data_dir: Path
) -> None:
    save(cli)
    outside = attune_dirs / "outside"
    outside.mkdir()
    stray = outside / ".attune-tmp-999999999-x"
    stray.write_text("{}")
    (data_dir / "entries" / "2031").mkdir()
    link = data_dir / "entries" / "2031" / "01"
    link.symlink_to(outside, target_is_directory=True)
    r, found = findings(cli)
    assert r.exit_code == 1
    assert str(link) in of_kind(found, "bad-file")
    assert of_kind(found, "temp-file") == {}
    r = cli("doctor", "--fix", "--yes")
    assert stray.exists()
    assert link.is_symlink()


def test_a_symlinked_data_folder_is_fine_for_doctor(
    cli: Any, attune_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = attune_dirs / "synced"
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(real))
    save(cli)
    shutil.rmtree(attune_dirs / "cache", ignore_errors=True)
    (attune_dirs / "linked").symlink_to(real, target_is_directory=True)
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(attune_dirs / "linked"))
    r, found = findings(cli)
    assert of_kind(found, "bad-file") == {}, found
    assert r.exit_code == 0, found
    assert cli("doctor", "--fix", "--yes").exit_code == 0
    r, found = findings(cli)
    assert r.exit_code == 0 and found == [], found


def test_a_dangling_link_at_the_index_path_is_refused(
    cli: Any, capsys: pytest.CaptureFixture[str], attune_dirs: Path
) -> None:
    mine = save(cli)
    cache = attune_dirs / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(mode=0o700)
    elsewhere = attune_dirs / "elsewhere.sqlite3"
    (cache / "index.sqlite3").symlink_to(elsewhere)
    fast, typer = both(cli, capsys, "history", "--json")
    for code, out, err in (fast, typer):
        assert code == 0 and mine in out
        assert "symbolic link" in err
    assert not elsewhere.exists()
    _, found = findings(cli)
    assert str(cache / "index.sqlite3") in of_kind(found, "bad-file")
    cli("doctor", "--fix", "--yes")
    assert not elsewhere.exists()
    assert (cache / "index.sqlite3").is_symlink()


def test_a_linked_remind_lock_is_not_followed(cli: Any, attune_dirs: Path) -> None:
    state = attune_dirs / "state"
    state.mkdir(mode=0o700)
    target = attune_dirs / "elsewhere.lock"
    (state / "remind.lock").symlink_to(target)
    r = cli("remind")
    assert not target.exists()
    assert r.exit_code != 0
    assert "remind.lock" in r.stderr
