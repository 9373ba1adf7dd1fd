"""Completion of commands, options and values, answered without Typer (issue 16, part 6),
driven through a real bash the way a TAB press runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from attunecli import completion
from tools import make_completion

ATTUNE = Path(sys.executable).with_name("attune")
TABLE = json.loads(make_completion.TABLE.read_text(encoding="utf-8"))


def test_the_table_is_current_with_the_app() -> None:
    # After adding a command or option: python -m tools.make_completion
    assert make_completion.main(["--check"]) == 0


def test_every_command_is_in_the_table() -> None:
    assert set(TABLE["commands"]) >= {"checkin", "history", "show", "export", "repair", "config"}
    assert set(TABLE["commands"]["repair"]["commands"]) == {"done"}


def _entries(data_dir: Path, ids: list[str]) -> None:
    """Valid entries with these ids, one a month from January: the last is the newest."""
    for n, entry_id in enumerate(ids):
        folder = data_dir / "entries" / "2026" / f"{n + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        entry = {
            "schema_version": 1,
            "id": entry_id,
            "created_at": f"2026-{n + 1:02d}-01T10:00:00+00:00",
            "practice": "slow-down",
            "complete": True,
            "answers": [],
            "app_version": "0.1.0",
        }
        name = f"2026{n + 1:02d}01T100000Z-{entry_id}.json"
        (folder / name).write_text(json.dumps(entry))


@pytest.mark.parametrize(
    ("words", "incomplete", "want"),
    [
        ([], "his", ["history"]),
        (["history"], "--pr", ["--practice"]),
        (
            ["history", "--practice"],
            "re",
            ["reflect", "regulate", "repair", "repair-received", "repair-done"],
        ),
        (["export", "--format"], "", ["json", "jsonl", "csv", "md"]),
        (["export", "-f"], "j", ["json", "jsonl"]),
        (["feelings", "--quadrant"], "low", ["low-pleasant", "low-unpleasant"]),
        (["regulate", "--exercise"], "b", ["box-breathing"]),
        (["reflect", "--context"], "c", ["child", "colleague", "client"]),
        (["checkin", "--feeling"], "anx", ["anxious"]),
        (["repair", "--their-feeling"], "hur", ["hurt"]),
        (["config", "set"], "", ["attachment", "day-start", "region"]),
        (["config", "set", "attachment"], "a", ["anxious", "avoidant"]),
        (["config", "unset"], "d", ["day-start"]),
        (["repair"], "d", ["done"]),
        (["schedule", "install", "--via"], "", ["cron", "systemd", "launchd"]),
        (["history", "--no-color", "--practice"], "cu", ["curious"]),  # after a flag
        (["history", "--practice=curious", "--last"], "", []),  # a number: nothing to offer
        (["history", "--bogus"], "", None),  # not ours to say: Typer answers
    ],
)
def test_values_complete(words: list[str], incomplete: str, want: list[str] | None) -> None:
    got = completion.complete(words, incomplete, TABLE)
    assert got == want if want is None or not want else sorted(got or []) == sorted(want)


def test_entry_ids_complete_newest_first(data_dir: Path) -> None:
    _entries(data_dir, ["1111aaaa22223333", "4444bbbb55556666", "7777cccc88889999"])
    assert completion.complete(["show"], "", TABLE) == [
        "7777cccc88889999",
        "4444bbbb55556666",
        "1111aaaa22223333",
    ]
    assert completion.complete(["repair", "done"], "44", TABLE) == ["4444bbbb55556666"]
    assert completion.complete(["forget", "--id"], "1", TABLE) == ["1111aaaa22223333"]


BASH_SCRIPT = """
_attune_completion() {
    local IFS=$'\\n'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" \\
                   COMP_CWORD=$COMP_CWORD \\
                   _ATTUNE_COMPLETE=complete_bash $1 ) )
    return 0
}
complete -o default -F _attune_completion attune
"""


def _bash_tab(line: str) -> list[str]:
    """What bash offers for `line` (ending where TAB is pressed), through the same
    function Typer installs."""
    words = line.split(" ")
    cword = len(words) - 1
    array = " ".join(f"'{w}'" for w in words)
    script = (
        BASH_SCRIPT
        + f"COMP_WORDS=({array}); COMP_CWORD={cword}; _attune_completion attune; "
        + 'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    env = {**os.environ, "PATH": f"{ATTUNE.parent}{os.pathsep}{os.environ['PATH']}"}
    r = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    return [x for x in r.stdout.splitlines() if x]


BASH_CASES = [
    ("attune sa", ["safety-plan"]),
    ("attune history --practice cu", ["curious"]),
    ("attune export --format m", ["md"]),
    ("attune feelings --quadrant high-", ["high-pleasant", "high-unpleasant"]),
    ("attune regulate --exercise cyc", ["cyclic-sighing"]),
    ("attune repair --context fr", ["friend"]),
    ("attune config set att", ["attachment"]),
    ("attune config set attachment fe", ["fearful-avoidant"]),
    ("attune slow-down --feeling lonel", ["lonely"]),
    ("attune show 7777", ["7777cccc88889999"]),
]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed here")
@pytest.mark.parametrize(("line", "want"), BASH_CASES, ids=[c[0] for c in BASH_CASES])
def test_a_real_bash_completes(data_dir: Path, line: str, want: list[str]) -> None:
    _entries(data_dir, ["1111aaaa22223333", "7777cccc88889999"])
    assert _bash_tab(line) == want


def test_a_tab_press_does_not_import_typer(data_dir: Path) -> None:
    code = (
        "import sys; from attunecli.entry import main; rc = main([]); "
        "print('typer' in sys.modules, file=sys.stderr); sys.exit(rc)"
    )
    env = {
        **os.environ,
        "_ATTUNE_COMPLETE": "complete_bash",
        "COMP_WORDS": "attune his",
        "COMP_CWORD": "1",
    }
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["history"]
    assert r.stderr.strip() == "False"


@pytest.mark.parametrize("shell", ["complete_zsh", "complete_fish"])
def test_zsh_and_fish_get_their_own_forms(shell: str, data_dir: Any) -> None:
    env = {
        **os.environ,
        "_ATTUNE_COMPLETE": shell,
        "_TYPER_COMPLETE_ARGS": "attune export --format c",
    }
    if shell == "complete_fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    r = subprocess.run([str(ATTUNE)], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("_arguments '*: :((\"csv\"))'\n" if shell == "complete_zsh" else "csv\n")
