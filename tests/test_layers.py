"""The layer rules of docs/design.md, checked on every import in the package (those
inside functions too, which is where attune keeps its heavy ones).

- Only the UI modules and the CLI import Typer, Rich, questionary or prompt_toolkit.
- The store and the index never import the UI or the CLI: they take callbacks
  (a progress bar is `on_progress(done, total)`), and return data.
- Nothing below the CLI imports the CLI; the content package imports nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "attunecli"
FRAMEWORKS = ("typer", "rich", "questionary", "prompt_toolkit", "click")
UI = {"terminal", "render", "guide", "pickerui", "progress", "welcome", "picker", "pager"}
# What an entry is, where it is kept, and the derived index over it.
STORE = {"models", "names", "fsutil", "store", "record", "drafts", "exchange", "forget"}
STORE |= {"doctor", "index", "indexing", "repairs", "safetyplan"}
ENTRY_POINT = {"entry", "__main__"}  # the two fast paths start here and hand on to the CLI


def modules() -> dict[str, Path]:
    return {
        ".".join(p.relative_to(PACKAGE).with_suffix("").parts): p for p in PACKAGE.rglob("*.py")
    }


def imported(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it, as a dotted name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "attunecli":  # from attunecli import store, config
                found.update(f"attunecli.{a.name}" for a in node.names)
    return found


def ours(names: set[str]) -> set[str]:
    return {n.removeprefix("attunecli.") for n in names if n.startswith("attunecli.")}


MODULES = modules()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_only_the_ui_and_the_cli_import_the_terminal_frameworks(name: str) -> None:
    if name in UI or name.startswith("cli"):
        return
    used = {n for n in imported(MODULES[name]) if n.split(".")[0] in FRAMEWORKS}
    assert not used, f"{name} imports {sorted(used)}"


@pytest.mark.parametrize("name", sorted(STORE))
def test_the_store_and_the_index_never_reach_up(name: str) -> None:
    reached = {n for n in ours(imported(MODULES[name])) if n in UI or n.startswith("cli")}
    assert not reached, f"{name} imports {sorted(reached)}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_nothing_below_the_cli_imports_it(name: str) -> None:
    if name.startswith("cli") or name in ENTRY_POINT:
        return
    reached = {n for n in ours(imported(MODULES[name])) if n == "cli" or n.startswith("cli.")}
    assert not reached, f"{name} imports {sorted(reached)}"


def test_content_imports_nothing_of_attune() -> None:
    for name, path in MODULES.items():
        if name.startswith("content"):
            assert not ours(imported(path)), name


def test_the_lists_name_real_modules() -> None:
    """A module renamed or moved must be named here again, or its rule would lapse."""
    assert set(MODULES) >= (UI | STORE | ENTRY_POINT)
