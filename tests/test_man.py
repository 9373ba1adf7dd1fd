"""The man page: current with the commands' help, well-formed roff, installed where
`man attune` looks."""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest

from tools import make_man


def test_the_man_page_is_current_with_the_help() -> None:
    # After changing any help text: python -m tools.make_man
    assert make_man.PAGE.read_text(encoding="utf-8") == make_man.page()
    assert make_man.main(["--check"]) == 0


def test_the_check_notices_a_stale_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "attune.1"
    stale.write_text(make_man.page().replace("reflect", "reflekt"), encoding="utf-8")
    monkeypatch.setattr(make_man, "PAGE", stale)
    assert make_man.main(["--check"]) == 1


def test_every_command_has_its_section() -> None:
    text = make_man.page()
    for path, _ in make_man._helps()[1:]:
        assert f"\n.SS {path}\n" in text


def test_user_text_cannot_become_a_roff_request() -> None:
    assert make_man._roff(".TH X\n'br\nback\\slash") == "\\&.TH X\n\\&'br\nback\\eslash"


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed on this machine")
def test_the_page_renders_without_warnings() -> None:
    r = subprocess.run(
        ["man", "--warnings", "-l", str(make_man.PAGE)],
        capture_output=True,
        text=True,
        env={**os.environ, "MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat"},
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "attune - a few calm minutes of emotional attunement" in r.stdout
    assert "attune repair done" in r.stdout


def test_the_installed_package_carries_the_page() -> None:
    try:
        files = distribution("attunecli").files or []
    except PackageNotFoundError:
        pytest.skip("attunecli is not installed (run from a source tree): nothing to check")
    [page] = [f for f in files if str(f).endswith("share/man/man1/attune.1")]
    installed = Path(str(distribution("attunecli").locate_file(page)))
    assert installed.read_text(encoding="utf-8").startswith(".TH ATTUNE 1")
