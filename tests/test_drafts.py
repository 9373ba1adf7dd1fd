"""Drafts: answers kept after every step, so Ctrl-C, a closed terminal or a crash lose nothing."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from tests.conftest import answers_of, entry_files, load_entries

DOWN, ENTER, SPACE, CTRL_C = "\x1b[B", "\r", " ", "\x03"
KEEP_DRAFT, SAVE_ENTRY, THROW_AWAY = ENTER, DOWN + ENTER, DOWN + DOWN + ENTER
RESUME, START_OVER, THROW_AND_START_OVER = ENTER, DOWN + ENTER, DOWN + DOWN + ENTER
CHEST_TIGHT_STOP = SPACE + ENTER + SPACE + ENTER + CTRL_C  # slow-down: chest, tight, Ctrl-C


@pytest.fixture
def typed(cli: Any) -> Any:
    """Run attune as a person typing `keys` (a fresh pipe per run)."""

    def run(keys: str, *args: str) -> Any:
        with create_pipe_input() as pipe:
            pipe.send_text(keys)
            pipe.close()
            return cli(*args, interactive=True, prompt_input=pipe, prompt_output=DummyOutput())

    return run


def draft_path(attune_dirs: Path, name: str = "slow-down") -> Path:
    return attune_dirs / "state" / "drafts" / f"{name}.json"


def rest_of_slow_down() -> str:
    # others: no; feeling: a word of my own; intensity; trigger and note skipped
    return ENTER + DOWN * 4 + ENTER + "wobbly" + ENTER + "4" + ENTER + ENTER + ENTER


def test_a_draft_is_written_after_every_step_and_resumed(
    typed: Any, data_dir: Path, attune_dirs: Path, clock: Any
) -> None:
    first = typed(CHEST_TIGHT_STOP + KEEP_DRAFT, "slow-down")
    assert first.exit_code == 130
    assert draft_path(attune_dirs).exists()
    clock.advance(hours=2)
    second = typed(RESUME + rest_of_slow_down(), "slow-down")
    assert second.exit_code == 0, second.stderr
    [entry] = load_entries(data_dir)
    a = answers_of(entry)
    assert a["body_where"] == ["chest"] and a["body_how"] == ["tight"]  # not asked again
    assert (a["feeling"], a["intensity"]) == ("wobbly", 4)
    assert entry["created_at"] == "2026-11-25T20:30:00-05:00"  # when the practice began
    assert not draft_path(attune_dirs).exists()  # a saved entry removes its draft


def test_starting_over_keeps_the_draft_for_later(
    typed: Any, data_dir: Path, attune_dirs: Path
) -> None:
    # Each run has a draft of its own: one started afresh leaves the others alone.
    typed(CHEST_TIGHT_STOP + KEEP_DRAFT, "slow-down")
    before = draft_path(attune_dirs).read_bytes()
    r = typed(START_OVER + ENTER + rest_of_slow_down(), "slow-down")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["body_where"] is None
    assert draft_path(attune_dirs).read_bytes() == before


def test_throwing_the_draft_away_and_starting_over(
    typed: Any, data_dir: Path, attune_dirs: Path
) -> None:
    typed(CHEST_TIGHT_STOP + KEEP_DRAFT, "slow-down")
    r = typed(THROW_AND_START_OVER + ENTER + rest_of_slow_down(), "slow-down")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["body_where"] is None
    assert not list((attune_dirs / "state" / "drafts").iterdir())


def test_skipped_sections_stay_skipped_on_resume(
    typed: Any, data_dir: Path, attune_dirs: Path
) -> None:
    # check-in: skip "notice" and "settle", begin "someone", pick partner, stop
    r = typed("n" + "n" + ENTER + ENTER + CTRL_C + KEEP_DRAFT, "checkin")
    assert r.exit_code == 130, r.stderr
    draft = json.loads(draft_path(attune_dirs, "checkin").read_text())
    assert draft["skipped_sections"] == ["notice", "settle"]
    # resume: straight to their feelings (first kind, first word), the reflection, then
    # skip the small moment and the closing line; had "notice" been asked again, "n"
    # would not fit its prompts
    r = typed(RESUME + SPACE + ENTER + SPACE + ENTER + ENTER + "n" + "n", "checkin")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    a = answers_of(entry)
    assert a["someone.context"] == "partner"
    assert len(a["someone.their_feelings"]) == 1
    assert not any(k.startswith(("notice.", "settle.")) for k in a)


def test_scripts_resume_or_discard_by_flag(
    typed: Any, cli: Any, data_dir: Path, attune_dirs: Path
) -> None:
    typed(CHEST_TIGHT_STOP + KEEP_DRAFT, "slow-down")
    r = cli("slow-down", "--feeling", "calm", "--intensity", "2")  # no flag: draft left alone
    assert r.exit_code == 0
    assert draft_path(attune_dirs).exists()
    r = cli("slow-down", "--resume", "--feeling", "calm", "--intensity", "3")
    assert r.exit_code == 0, r.stderr
    resumed = [e for e in load_entries(data_dir) if answers_of(e)["intensity"] == 3]
    assert answers_of(resumed[0])["body_where"] == ["chest"]
    assert not draft_path(attune_dirs).exists()
    r = cli("slow-down", "--resume", "--feeling", "calm", "--intensity", "3")
    assert r.exit_code == 2
    assert "no draft of slow-down to resume" in r.stderr


def test_discard_flag(typed: Any, cli: Any, data_dir: Path, attune_dirs: Path) -> None:
    typed(CHEST_TIGHT_STOP + KEEP_DRAFT, "slow-down")
    r = cli("slow-down", "--discard", "--feeling", "calm", "--intensity", "2")
    assert r.exit_code == 0
    assert answers_of(load_entries(data_dir)[0])["body_where"] is None
    assert not draft_path(attune_dirs).exists()
    both = cli("slow-down", "--discard", "--resume", "--feeling", "calm", "--intensity", "2")
    assert both.exit_code == 2 and "contradict" in both.stderr


def test_a_failed_save_keeps_the_draft_and_says_how_to_resume(
    typed: Any, data_dir: Path, attune_dirs: Path, monkeypatch: Any
) -> None:
    import attunecli.store as store

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(data_dir))

    original = store.write_atomic
    monkeypatch.setattr(store, "write_atomic", full_disk)
    keys = SPACE + ENTER + SPACE + ENTER + rest_of_slow_down()
    r = typed(keys, "slow-down")
    assert r.exit_code == 1
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("attune: could not save to ")
    assert "No space left on device" in line
    assert "`attune slow-down --resume`" in line
    assert r.stdout == ""
    assert entry_files(data_dir) == []
    draft = json.loads(draft_path(attune_dirs).read_text())
    assert {a["id"] for a in draft["answers"]} >= {"body_where", "feeling", "intensity"}
    monkeypatch.setattr(store, "write_atomic", original)  # the disk has room again
    again = typed(RESUME, "slow-down")  # every answer is in the draft: nothing left to ask
    assert again.exit_code == 0, again.stderr
    assert answers_of(load_entries(data_dir)[0])["feeling"] == "wobbly"


def test_when_drafts_cannot_be_written_either_the_answers_go_to_stdout(
    typed: Any, data_dir: Path, attune_dirs: Path, monkeypatch: Any
) -> None:
    import attunecli.drafts as drafts
    import attunecli.store as store

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EACCES, "Permission denied", "x")

    monkeypatch.setattr(store, "write_atomic", broken)
    monkeypatch.setattr(drafts, "write_atomic", broken)
    r = typed(SPACE + ENTER + SPACE + ENTER + rest_of_slow_down(), "slow-down")
    assert r.exit_code == 1
    assert "printed to stdout as JSON" in r.stderr
    kept = json.loads(r.stdout)
    assert answers_of(kept)["feeling"] == "wobbly"


def test_a_closed_terminal_leaves_the_draft(attune_dirs: Path) -> None:
    """SIGHUP (the terminal window closed) mid-practice: the answers so far survive."""
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "attunecli", "slow-down"],
        env=env,
        dimensions=(30, 100),
        encoding="utf-8",
        timeout=10,
        # A closed window is SIGHUP's default action; a parent run under nohup would
        # pass SIGHUP on ignored, and the child would never end.
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL),
    )
    try:
        child.expect_exact("Where do you notice")
        child.send(SPACE + ENTER)
        child.expect_exact("What is it like there")
        deadline = time.monotonic() + 10
        while not draft_path(attune_dirs).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        child.kill(signal.SIGHUP)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    draft = json.loads(draft_path(attune_dirs).read_text())
    assert [a["answer"] for a in draft["answers"]] == [["chest"]]
    # and the next run offers it back
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "attunecli",
            "slow-down",
            "--resume",
            "--feeling",
            "calm",
            "--intensity",
            "1",
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert r.returncode == 0, r.stderr
    assert not draft_path(attune_dirs).exists()
