"""Drafts under pressure: two runs at once, a state dir that takes no writes, a hand-edited
or damaged draft, and a stdout that is closed or full after the entry is on disk."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pexpect
import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from attunecli.catalog import practice as load_practice
from attunecli.drafts import Draft, Drafts
from attunecli.models import Answer
from tests.conftest import NOW, answers_of, entry_files, load_entries

DOWN, ENTER, SPACE, CTRL_C = "\x1b[B", "\r", " ", "\x03"
KEEP_DRAFT = ENTER  # the first choice after Ctrl-C
RESUME = ENTER  # the first choice when drafts wait: the newest
CHEST = SPACE + ENTER  # slow-down: the first body place, "chest"
TIGHT = SPACE + ENTER  # and the first sensation, "tight"
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def start_over(waiting: int) -> str:
    """The keys for "Start over (kept for later)", below one "Pick up" per waiting draft."""
    return DOWN * waiting + ENTER


def rest_of_slow_down() -> str:
    # others: no; feeling: a word of my own; intensity; trigger and note skipped
    return ENTER + DOWN * 4 + ENTER + "wobbly" + ENTER + "4" + ENTER + ENTER + ENTER


@pytest.fixture
def typed(cli: Any) -> Any:
    """Run attune as a person typing `keys` (a fresh pipe per run)."""

    def run(keys: str, *args: str) -> Any:
        with create_pipe_input() as pipe:
            pipe.send_text(keys)
            pipe.close()
            return cli(*args, interactive=True, prompt_input=pipe, prompt_output=DummyOutput())

    return run


def drafts_dir(attune_dirs: Path) -> Path:
    return attune_dirs / "state" / "drafts"


def draft_files(attune_dirs: Path) -> list[Path]:
    folder = drafts_dir(attune_dirs)
    return sorted(folder.glob("*.json")) if folder.exists() else []


def answers_in(path: Path) -> dict[str, Any]:
    return {a["id"]: a["answer"] for a in json.loads(path.read_text())["answers"]}


def plant(attune_dirs: Path, name: str, data: Any, *, raw: str | None = None) -> Path:
    """A draft file written by hand (an earlier version, a hand edit, damage)."""
    folder = drafts_dir(attune_dirs)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    path.write_text(raw if raw is not None else json.dumps(data))
    path.chmod(0o600)
    return path


def slow_down_draft(**answers: Any) -> dict[str, Any]:
    questions = {
        "body_where": ("multi", "Where do you notice something in your body?"),
        "body_how": ("multi", "What is it like there?"),
        "others": ("confirm", "Is someone else part of this moment?"),
        "feeling": ("feeling", "Which word comes closest to what you feel?"),
        "intensity": ("scale", "How strong is it?"),
    }
    return {
        "draft_version": 1,
        "practice": "slow-down",
        "quick": False,
        "started_at": "2026-11-25T20:30:00-05:00",
        "skipped_sections": [],
        "answers": [
            {"id": k, "kind": questions[k][0], "question": questions[k][1], "answer": v}
            for k, v in answers.items()
        ],
    }


def two_drafts(typed: Any, clock: Any, attune_dirs: Path) -> tuple[Path, Path]:
    """An older draft (chest) and, two hours later, a newer one (chest, tight)."""
    assert typed(CHEST + CTRL_C + KEEP_DRAFT, "slow-down").exit_code == 130
    [older] = draft_files(attune_dirs)
    clock.advance(hours=2)
    r = typed(start_over(1) + CHEST + TIGHT + CTRL_C + KEEP_DRAFT, "slow-down")
    assert r.exit_code == 130, r.stderr
    [newer] = [p for p in draft_files(attune_dirs) if p != older]
    assert answers_in(older) == {"body_where": ["chest"]}
    assert answers_in(newer) == {"body_where": ["chest"], "body_how": ["tight"]}
    return older, newer


# 1. A draft per run


def spawn(*args: str) -> Any:
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "attunecli", *args],
        env=env,
        dimensions=(30, 100),
        encoding="utf-8",
        timeout=15,
        # A closed window is SIGHUP's default action; a parent run under nohup would
        # pass SIGHUP on ignored, and the child would never end.
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL),
    )


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 15
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@POSIX
def test_two_runs_at_two_terminals_each_keep_their_own_draft(
    attune_dirs: Path, data_dir: Path
) -> None:
    """A answers two steps; B starts over, answers one; A's terminal closes; B finishes."""
    a = spawn("slow-down")
    b = None
    try:
        a.expect_exact("Where do you notice")
        a.send(CHEST)
        a.expect_exact("What is it like there")
        a.send(TIGHT)
        a.expect_exact("Is someone else part")
        wait_for(lambda: any(len(answers_in(p)) == 2 for p in draft_files(attune_dirs)), "A")
        [a_draft] = draft_files(attune_dirs)

        b = spawn("slow-down")
        b.expect_exact("You have an unfinished draft (2 answers, started ")
        b.send(start_over(1))  # the second choice, "Start over"
        b.expect_exact("Where do you notice")
        b.send(DOWN + SPACE + ENTER)  # the second place
        b.expect_exact("What is it like there")
        wait_for(lambda: len(draft_files(attune_dirs)) == 2, "B's own draft")
        assert answers_in(a_draft) == {"body_where": ["chest"], "body_how": ["tight"]}

        a.kill(signal.SIGHUP)  # A's terminal window is closed
        a.expect(pexpect.EOF)

        b.send(ENTER)
        b.expect_exact("Is someone else part")
        b.send(ENTER)
        b.expect_exact("Which word comes closest")
        b.send(DOWN * 4 + ENTER)
        b.expect_exact("Your word")
        b.send("wobbly" + ENTER)
        b.expect_exact("How strong is it?")
        b.send("4" + ENTER)
        b.expect_exact("What set it off?")
        b.send(ENTER)
        b.expect_exact("Anything else")
        b.send(ENTER)
        b.expect_exact("Saved slow down")
        b.expect(pexpect.EOF)
    finally:
        a.close(force=True)
        if b is not None:
            b.close(force=True)
    assert b is not None and b.exitstatus == 0
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["feeling"] == "wobbly"
    assert answers_of(entry)["body_where"] != ["chest"]
    # B removed only its own draft: A's two answers are still there to pick up.
    assert draft_files(attune_dirs) == [a_draft]
    assert answers_in(a_draft) == {"body_where": ["chest"], "body_how": ["tight"]}


@POSIX
def test_every_waiting_draft_is_offered_newest_first_with_a_summary(
    typed: Any, clock: Any, attune_dirs: Path, data_dir: Path
) -> None:
    older, newer = two_drafts(typed, clock, attune_dirs)
    child = spawn("slow-down")
    try:
        child.expect_exact("You have 2 unfinished drafts of this practice.")
        child.expect_exact("Pick up: 2 answers, started Wed 25 Nov 22:30")
        child.expect_exact("Pick up: 1 answer, started Wed 25 Nov 20:30")
        child.expect_exact("Start over (the drafts kept for later)")
        child.expect_exact("Throw all 2 away and start over")
        child.sendcontrol("c")  # not now: both stay
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130
    assert draft_files(attune_dirs) == sorted([older, newer])
    # the older one, picked from the list, and finished: the newer one still waits
    r = typed(DOWN + ENTER + TIGHT + rest_of_slow_down(), "slow-down")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert entry["created_at"] == "2026-11-25T20:30:00-05:00"
    assert draft_files(attune_dirs) == [newer]


def test_throwing_them_all_away(typed: Any, clock: Any, attune_dirs: Path) -> None:
    two_drafts(typed, clock, attune_dirs)
    r = typed(DOWN * 3 + ENTER + CTRL_C, "slow-down")  # throw both away, then stop at once
    assert r.exit_code == 130, r.stderr
    assert draft_files(attune_dirs) == []


def test_resume_flag_picks_the_newest_and_says_how_many_others_wait(
    typed: Any, cli: Any, clock: Any, attune_dirs: Path, data_dir: Path
) -> None:
    older, _ = two_drafts(typed, clock, attune_dirs)
    r = cli("slow-down", "--resume", "--feeling", "calm", "--intensity", "3")
    assert r.exit_code == 0, r.stderr
    [note] = [line for line in r.stderr.splitlines() if "Picked up" in line]
    assert note.startswith("Picked up the newest draft of slow-down (2 answers, started Wed 25")
    assert "; 1 other draft of it waits" in note
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["body_how"] == ["tight"]
    assert draft_files(attune_dirs) == [older]
    r = cli("slow-down", "--resume", "--feeling", "calm", "--intensity", "3")
    assert r.exit_code == 0, r.stderr
    assert "Picked up" not in r.stderr  # the last one: nothing more to say
    assert draft_files(attune_dirs) == []


def test_discard_flag_throws_the_newest_away_and_says_so(
    typed: Any, cli: Any, clock: Any, attune_dirs: Path, data_dir: Path
) -> None:
    older, _ = two_drafts(typed, clock, attune_dirs)
    r = cli("slow-down", "--discard", "--feeling", "calm", "--intensity", "2")
    assert r.exit_code == 0, r.stderr
    assert (
        "Threw away the newest draft of slow-down (2 answers, started Wed 25 Nov 22:30); "
        "1 other draft of it waits." in r.stderr.splitlines()
    )
    assert answers_of(load_entries(data_dir)[0])["body_where"] is None  # started afresh
    assert draft_files(attune_dirs) == [older]
    r = cli("slow-down", "--discard", "--feeling", "calm", "--intensity", "2")
    assert "Threw away the draft of slow-down (1 answer, started Wed 25 Nov 20:30)." in r.stderr
    assert draft_files(attune_dirs) == []


def test_a_single_file_draft_from_an_earlier_version_is_found_and_offered(
    typed: Any, cli: Any, attune_dirs: Path, data_dir: Path
) -> None:
    legacy = plant(attune_dirs, "slow-down.json", slow_down_draft(body_where=["chest"]))
    other = slow_down_draft(body_where=["throat"])
    other["started_at"], other["run_id"] = "2026-11-25T21:00:00-05:00", "0123456789ab"
    own = plant(attune_dirs, "slow-down-0123456789ab.json", other)
    doctor = cli("doctor").stdout
    assert (
        f"- {legacy}: an unfinished slow-down (1 answer, started Wed 25 Nov 20:30); one of 2;"
        in doctor
    )
    assert doctor.count("one of 2; `attune slow-down` offers each") == 2
    # newest first: the run's own draft, then the old single file
    r = typed(DOWN + ENTER + TIGHT + rest_of_slow_down(), "slow-down")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["body_where"] == ["chest"]
    assert draft_files(attune_dirs) == [own]
    one = cli("doctor").stdout
    assert f"- {own}: an unfinished slow-down (1 answer, started " in one
    assert "`attune slow-down --resume` picks it up, --discard drops it" in one


def test_forget_before_a_date_takes_a_runs_own_draft(
    typed: Any, cli: Any, clock: Any, attune_dirs: Path
) -> None:
    _, newer = two_drafts(typed, clock, attune_dirs)
    assert newer.name != "slow-down.json"  # one with a run id
    clock.advance(days=10)
    r = cli("forget", "--before", (clock.now - timedelta(days=5)).date().isoformat(), "--yes")
    assert r.exit_code == 0, r.stderr
    assert "2 drafts" in r.stdout
    assert draft_files(attune_dirs) == []


# 2. Drafts that cannot be written


def _older_draft(typed: Any, attune_dirs: Path) -> tuple[Path, bytes]:
    assert typed(CHEST + CTRL_C + KEEP_DRAFT, "slow-down").exit_code == 130
    [path] = draft_files(attune_dirs)
    return path, path.read_bytes()


def _read_only(attune_dirs: Path, monkeypatch: Any) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 0500 does not stop root writing (see disk-full)")
    drafts_dir(attune_dirs).chmod(0o500)


def _disk_full(attune_dirs: Path, monkeypatch: Any) -> None:
    import attunecli.drafts as drafts

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(drafts, "write_atomic", full)


def assert_printed_for_import(r: Any, cli: Any, tmp_path: Path, data_dir: Path) -> dict[str, Any]:
    assert r.exit_code == 130, r.stderr
    assert "Nothing was saved" not in r.stderr
    last = r.stderr.splitlines()[-1]
    assert last.startswith("Stopped. No draft could be written (")
    assert last.endswith(
        "so your answers were printed to stdout as JSON (`attune import FILE` takes them back)."
    )
    [line] = r.stdout.splitlines()
    printed = json.loads(line)
    assert printed["complete"] is False
    assert entry_files(data_dir) == []
    export = tmp_path / "answers.jsonl"
    export.write_text(r.stdout)
    imported = cli("import", str(export))
    assert imported.exit_code == 0, imported.stderr
    [entry] = load_entries(data_dir)
    return answers_of(entry)


@pytest.mark.parametrize("stop", [KEEP_DRAFT, CTRL_C], ids=["keep-a-draft", "second-ctrl-c"])
@pytest.mark.parametrize("broken", [_read_only, _disk_full], ids=["read-only", "disk-full"])
def test_a_draft_that_cannot_be_written_prints_the_answers_and_keeps_the_older_draft(
    typed: Any,
    cli: Any,
    attune_dirs: Path,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: Any,
    broken: Callable[[Path, Any], None],
    stop: str,
) -> None:
    older, before = _older_draft(typed, attune_dirs)
    broken(attune_dirs, monkeypatch)
    try:
        r = typed(RESUME + TIGHT + CTRL_C + stop, "slow-down")  # picked up, one more, stop
    finally:
        drafts_dir(attune_dirs).chmod(0o700)
    answers = assert_printed_for_import(r, cli, tmp_path, data_dir)
    assert answers == {"body_where": ["chest"], "body_how": ["tight"]}
    assert older.read_bytes() == before  # not replaced, so not deleted either
    assert draft_files(attune_dirs) == [older]


def test_a_state_dir_that_cannot_be_made_loses_nothing(
    typed: Any, cli: Any, attune_dirs: Path, data_dir: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    # A regular file where a folder should be: no write below it works, root or not.
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv("ATTUNE_STATE_DIR", str(blocker / "state"))
    r = typed(CHEST + TIGHT + CTRL_C + KEEP_DRAFT, "slow-down")
    monkeypatch.setenv("ATTUNE_STATE_DIR", str(attune_dirs / "state"))
    assert "(Not a directory)" in r.stderr.splitlines()[-1]
    answers = assert_printed_for_import(r, cli, tmp_path, data_dir)
    assert answers == {"body_where": ["chest"], "body_how": ["tight"]}


def test_a_draft_picked_up_and_stopped_at_once_is_kept(typed: Any, attune_dirs: Path) -> None:
    older, before = _older_draft(typed, attune_dirs)
    r = typed(RESUME + CTRL_C + KEEP_DRAFT, "slow-down")  # nothing new to write
    assert r.exit_code == 130, r.stderr
    assert "kept as a draft" in r.stderr.splitlines()[-1]
    assert older.read_bytes() == before


# 3. Answers from a draft meet the same rules as typed ones


def test_resumed_answers_are_checked_again_in_a_script(
    cli: Any, attune_dirs: Path, data_dir: Path
) -> None:
    draft = plant(
        attune_dirs,
        "slow-down.json",
        slow_down_draft(body_where=["chest"], feeling={"word": "calm"}, intensity=99),
    )
    r = cli("slow-down", "--resume")
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert (
        "attune: the draft's answer to intensity was left out (99 is out of range; "
        "expected a whole number from 0 to 10); it is not saved" in lines
    )
    assert any(
        line.startswith("attune: the draft's answer to feeling was left out") for line in lines
    )
    assert "missing answers: feeling" in lines[-1] and "intensity" in lines[-1]
    assert entry_files(data_dir) == []
    assert draft.exists()  # nothing was saved, so the draft waits
    r = cli("slow-down", "--resume", "--feeling", "calm", "--intensity", "3")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answers_of(entry) == {
        "body_where": ["chest"],
        "body_how": None,
        "others": False,
        "feeling": "calm",
        "intensity": 3,
        "trigger": None,
        "note": None,
    }
    assert not draft.exists()


def test_a_resumed_answer_that_fails_is_asked_again_at_the_terminal(
    typed: Any, attune_dirs: Path, data_dir: Path
) -> None:
    plant(
        attune_dirs,
        "slow-down.json",
        slow_down_draft(body_where=["chest"], body_how=["tight"], others=False, intensity=99),
    )
    keys = RESUME + DOWN * 4 + ENTER + "wobbly" + ENTER + "4" + ENTER + ENTER + ENTER
    r = typed(keys, "slow-down")
    assert r.exit_code == 0, r.stderr
    assert any(
        line.startswith("attune: the draft's answer to intensity was left out (99 is out of")
        and line.endswith("; it is asked again")
        for line in r.stderr.splitlines()
    )
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["intensity"] == 4
    assert answers_of(entry)["body_how"] == ["tight"]


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps(slow_down_draft(body_where=["chest"])).replace('["chest"]', "NaN"),
        json.dumps(slow_down_draft(intensity=3)).replace(": 3}", ": Infinity}"),
        json.dumps(slow_down_draft(intensity=3)).replace(": 3}", ": 1e999}"),
        "[1, 2]",
        '{"draft_version": 1, "practice": "slow-down", "quick": false, '
        '"started_at": "2026-11-25T20:30:00-05:00", "answers": [["body_where", "chest"]]}',
        '{"draft_version": 1, "practice": "slow-down", "quick": "no", '
        '"started_at": "2026-11-25T20:30:00-05:00", "answers": []}',
    ],
    ids=["NaN", "Infinity", "too-large", "not-an-object", "answer-not-an-object", "quick-text"],
)
def test_a_bad_draft_is_named_in_one_line_and_left_alone(
    cli: Any, attune_dirs: Path, data_dir: Path, raw: str
) -> None:
    path = plant(attune_dirs, "slow-down.json", None, raw=raw)
    r = cli("slow-down", "--resume")
    assert r.exit_code == 2
    assert "unexpected error" not in r.stderr
    [named] = [line for line in r.stderr.splitlines() if str(path) in line]
    assert named.startswith("attune: warning: a draft attune cannot read is left as it is: ")
    assert r.stderr.splitlines()[-1] == "attune: there is no draft of slow-down to resume"
    assert entry_files(data_dir) == []
    assert path.read_text() == raw
    assert Drafts(attune_dirs / "state").load("slow-down") is None  # doctor, forget: no crash
    doctor = cli("doctor")
    assert f"! {path}: a draft attune cannot read; it is left as it is" in doctor.stdout


def test_guide_results_and_reply_notes_from_a_draft_are_checked() -> None:
    from attunecli.session import checked_draft

    regulate = load_practice("regulate")
    guide_id = next(regulate.answer_id(s, st) for s, st in regulate.steps() if st.kind == "guide")
    good = {"planned_seconds": 60, "seconds": 60, "stopped_early": False}
    dropped: list[str] = []
    draft = Draft(
        "regulate",
        False,
        NOW,
        [
            Answer("arousal_before", "scale", "How stirred up?", 7.0),
            Answer(guide_id, "guide", "Guide", {"planned_seconds": "a", "seconds": None}),
        ],
    )
    progress = checked_draft(regulate, draft, NOW, lambda aid, why: dropped.append(aid))
    assert [(a.id, a.answer) for a in progress.answers] == [("arousal_before", 7)]
    assert dropped == [guide_id]
    draft.answers = [Answer(guide_id, "guide", "Guide", good, {"exercise": "box-breathing"})]
    progress = checked_draft(regulate, draft, NOW, lambda aid, why: dropped.append(aid))
    assert progress.answers[0].answer == good
    assert progress.answers[0].details == {"exercise": "box-breathing"}
    # The instruction the guide showed stays with it on resume; anything not text is dropped.
    said = {"exercise": "box-breathing", "instruction": "Follow the guide.", "other": "x"}
    draft.answers = [Answer(guide_id, "guide", "Box breathing", good, said)]
    progress = checked_draft(regulate, draft, NOW, lambda aid, why: dropped.append(aid))
    assert progress.answers[0].details == {
        "exercise": "box-breathing",
        "instruction": "Follow the guide.",
    }
    draft.answers = [Answer(guide_id, "guide", "Box breathing", good, {"instruction": 3})]
    assert checked_draft(regulate, draft, NOW, lambda aid, why: None).answers[0].details == {}


# 6. The entry is on disk; stdout is closed or full


def run_attune(argv: list[str], stdout: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


QUICK = ("checkin", "--quick", "--feeling", "calm", "--intensity", "3", "--note", "x")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_saved_entry_with_stdout_full_exits_0(data_dir: Path, as_json: bool) -> None:
    argv = [sys.executable, "-m", "attunecli", *QUICK, *(["--json"] if as_json else [])]
    with open("/dev/full", "w") as full:
        r = run_attune(argv, stdout=full)
    assert r.returncode == 0, r.stderr
    [entry] = load_entries(data_dir)
    [line] = [x for x in r.stderr.splitlines() if x.startswith("attune:")]
    assert line.startswith(f"attune: saved check-in {entry['id'][:8]} (")
    assert line.endswith("but could not write to stdout (No space left on device)")
    assert "Traceback" not in r.stderr


@POSIX
def test_a_saved_entry_with_stdout_closed_exits_0(data_dir: Path) -> None:
    script = 'exec "$0" -m attunecli "$@" >&-'  # stdout closed, as `attune ... >&-` does
    r = run_attune(["/bin/sh", "-c", script, sys.executable, *QUICK], stdout=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    [entry] = load_entries(data_dir)
    [line] = [x for x in r.stderr.splitlines() if x.startswith("attune:")]
    assert line.startswith(f"attune: saved check-in {entry['id'][:8]} (")
    assert line.endswith("but stdout is closed")
    assert "Traceback" not in r.stderr
