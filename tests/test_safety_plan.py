"""`attune safety-plan`: a personal safety plan, kept on its own, owner-only, beside the entries."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from attunecli import safetyplan
from attunecli.paths import resolve_paths
from tests.conftest import NOW, Result, entry_files

STEP_IDS = [
    "warning_signs",
    "coping_alone",
    "people_places",
    "ask_for_help",
    "professionals",
    "safer_surroundings",
    "reasons_for_living",
]
DOWN, ENTER, CTRL_C = "\x1b[B", "\r", "\x03"
CLEAR = "\x15"  # Ctrl-U: clear the line (an item being changed comes prefilled)
KEEP, ADD, CHANGE = ENTER, DOWN + ENTER, DOWN + DOWN + ENTER
RESUME, START_OVER = ENTER, DOWN + ENTER
QUESTIONS = [s.question for s in safetyplan.steps()]


def plan_file(data_dir: Path) -> Path:
    return data_dir / "safety-plan.json"


def draft_file(attune_dirs: Path) -> Path:
    return attune_dirs / "state" / "drafts" / "safety-plan.json"


def items(data_dir: Path) -> dict[str, list[str]]:
    data = json.loads(plan_file(data_dir).read_text(encoding="utf-8"))
    return {s["id"]: s["items"] for s in data["steps"]}


def empty_but(**given: list[str]) -> dict[str, list[str]]:
    return {sid: given.get(sid, []) for sid in STEP_IDS}


def one_line_error(r: Result, code: int) -> None:
    assert r.exit_code == code, (r.stdout, r.stderr)
    assert r.stderr.startswith("attune: ")
    assert r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stdout + r.stderr


@pytest.fixture
def write(cli: Any) -> Any:
    """Write (part of) the plan from a script, as `--answers -` on stdin."""

    def run(answers: object, *args: str) -> Result:
        text = answers if isinstance(answers, str) else json.dumps(answers)
        r: Result = cli("safety-plan", "--answers", "-", *args, stdin=text)
        return r

    return run


@pytest.fixture
def typed(cli: Any) -> Any:
    """Run attune as a person typing `keys` at a terminal (a fresh pipe per run)."""

    def run(keys: str, *args: str) -> Result:
        with create_pipe_input() as pipe:
            pipe.send_text(keys)
            pipe.close()  # out of keys: the prompt ends (as after Ctrl-D) instead of hanging
            r: Result = cli(
                "safety-plan",
                *args,
                interactive=True,
                prompt_input=pipe,
                prompt_output=DummyOutput(),
            )
            return r

    return run


# scripted: write, show, JSON, merge


def test_scripted_write_then_show(write: Any, cli: Any, data_dir: Path) -> None:
    r = write(
        {
            "warning_signs": ["not sleeping, and pulling away", "  lots   of\nspace  "],
            "reasons_for_living": ["my sister", "the dog"],
        }
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout == f"Saved your safety plan ({plan_file(data_dir)})\n"
    # one item per entry, never split at commas; runs of spaces become one
    assert items(data_dir) == empty_but(
        warning_signs=["not sleeping, and pulling away", "lots of space"],
        reasons_for_living=["my sister", "the dog"],
    )
    shown = cli("safety-plan", "--show")
    assert shown.exit_code == 0, shown.stderr
    out = shown.stdout.splitlines()
    assert out[0] == "Your safety plan (last changed Wed 25 Nov 2026 20:30)"
    assert "1. My warning signs" in out
    assert "   - not sleeping, and pulling away" in out
    assert "7. My reasons for living" in out
    assert out[-2:] == ["   - my sister", "   - the dog"]
    assert out.count("   (nothing here yet)") == 5  # every empty step says so
    assert shown.stderr == ""


def test_json_output(write: Any, cli: Any) -> None:
    saved = write({"coping_alone": ["a long shower"]}, "--json")
    assert saved.exit_code == 0, saved.stderr
    as_saved = json.loads(saved.stdout)
    for args in (["--json"], ["--show", "--json"]):
        r = cli("safety-plan", *args)
        assert r.exit_code == 0, r.stderr
        data = json.loads(r.stdout)
        assert data == as_saved
        assert list(data) == ["updated_at", "steps"]
        assert data["updated_at"] == NOW.isoformat()
        assert [s["id"] for s in data["steps"]] == STEP_IDS
        assert all(set(s) == {"id", "title", "items"} and s["title"] for s in data["steps"])
        assert data["steps"][1]["items"] == ["a long shower"]


def test_no_plan_says_how_to_make_one(cli: Any, data_dir: Path) -> None:
    r = cli("safety-plan", "--show")
    assert r.exit_code == 0
    assert "no safety plan yet" in r.stdout
    assert "`attune safety-plan`" in r.stdout
    data = json.loads(cli("safety-plan", "--json").stdout)
    assert data["updated_at"] is None
    assert [s["items"] for s in data["steps"]] == [[]] * 7
    assert not data_dir.exists()  # looking writes nothing


def test_scripted_answers_replace_only_the_steps_given(
    write: Any, data_dir: Path, clock: Any
) -> None:
    write({"warning_signs": ["a"], "coping_alone": ["b"], "professionals": ["Dr Lee, 555 0100"]})
    clock.advance(days=1)
    r = write({"coping_alone": ["c", "d"], "professionals": []})
    assert r.exit_code == 0, r.stderr
    assert items(data_dir) == empty_but(warning_signs=["a"], coping_alone=["c", "d"])
    saved = json.loads(plan_file(data_dir).read_text())
    assert saved["updated_at"] == "2026-11-26T20:30:00-05:00"


def test_the_json_output_is_taken_back_as_answers(write: Any, cli: Any, data_dir: Path) -> None:
    write({"ask_for_help": ["Sam, 07700 900123"], "reasons_for_living": ["the sea"]})
    exported = cli("safety-plan", "--json").stdout
    plan_file(data_dir).unlink()
    r = write(exported)
    assert r.exit_code == 0, r.stderr
    assert items(data_dir) == empty_but(
        ask_for_help=["Sam, 07700 900123"], reasons_for_living=["the sea"]
    )
    backup = plan_file(data_dir).read_text()  # the plan file itself, as from a backup
    plan_file(data_dir).unlink()
    assert write(backup).exit_code == 0
    assert items(data_dir)["ask_for_help"] == ["Sam, 07700 900123"]


def test_no_input_takes_answers_and_never_prompts(cli: Any, data_dir: Path) -> None:
    r = cli(
        "safety-plan",
        "--no-input",
        "--answers",
        "-",
        stdin='{"warning_signs": ["x"]}',
        interactive=True,
    )
    assert r.exit_code == 0, r.stderr
    assert items(data_dir)["warning_signs"] == ["x"]


@pytest.mark.parametrize("how", ["flag", "env", "no-terminal"])
def test_without_answers_and_without_a_terminal_is_a_usage_error(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ["safety-plan"]
    if how == "flag":
        args.append("--no-input")
    if how == "env":
        monkeypatch.setenv("ATTUNE_NO_INPUT", "1")
    r = cli(*args, interactive=how != "no-terminal")
    one_line_error(r, 2)
    assert "--answers" in r.stderr
    assert not data_dir.exists()


def test_answers_from_a_file(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "plan.json"
    f.write_text(json.dumps({"safer_surroundings": ["ask Jo to keep it for a while"]}))
    r = cli("safety-plan", "--answers", str(f))
    assert r.exit_code == 0, r.stderr
    assert items(data_dir)["safer_surroundings"] == ["ask Jo to keep it for a while"]


# bad answers: one line, exit 2, nothing written


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        ({"warning_sign": ["x"]}, "unknown step id 'warning_sign'; known: warning_signs"),
        ({"warning_signs": "not sleeping, pulling away"}, "warning_signs must be a list of text"),
        ({"warning_signs": None}, "must be a list of text"),
        ({"warning_signs": {"a": 1}}, "must be a list of text"),
        ({"warning_signs": ["ok", 3]}, "warning_signs item 2 must be text, got a number"),
        ({"reasons_for_living": [None]}, "item 1 must be text, got null"),
        ({"reasons_for_living": [["nested"]]}, "item 1 must be text"),
        ({"coping_alone": ["x" * 10_001]}, "at most 10000 characters"),
        (["warning_signs"], "expected a JSON object"),
        ('{"warning_signs": ["x"]', "not valid JSON"),
        ("", "not valid JSON"),
        ({"steps": "nope"}, "steps must be a list"),
    ],
)
def test_bad_answers_are_one_line_exit_2_and_nothing_is_written(
    write: Any, data_dir: Path, answers: object, says: str
) -> None:
    r = write(answers)
    one_line_error(r, 2)
    assert says in r.stderr
    assert not data_dir.exists()


def test_bad_answers_leave_an_existing_plan_as_it_was(write: Any, data_dir: Path) -> None:
    write({"warning_signs": ["a"]})
    before = plan_file(data_dir).read_bytes()
    r = write({"warning_signs": ["b"], "typo": ["c"]})
    one_line_error(r, 2)
    assert plan_file(data_dir).read_bytes() == before


def test_a_missing_answers_file(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    r = cli("safety-plan", "--answers", str(tmp_path / "nope.json"))
    one_line_error(r, 2)
    assert "no such file" in r.stderr
    assert not data_dir.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--clear", "--show"],
        ["--clear", "--json"],
        ["--clear", "--answers", "-"],
        ["--show", "--answers", "-"],
        ["--show", "--resume"],
        ["--resume", "--discard"],
    ],
)
def test_options_that_do_not_go_together(cli: Any, data_dir: Path, args: list[str]) -> None:
    r = cli("safety-plan", *args, stdin='{"warning_signs": ["x"]}')
    one_line_error(r, 2)
    assert not data_dir.exists()


# a plan attune cannot read


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        json.dumps({"plan_version": 99, "updated_at": None, "steps": []}).encode(),
        json.dumps({"updated_at": None, "steps": []}).encode(),
        json.dumps(
            {"plan_version": 1, "updated_at": None, "steps": [{"id": "x", "items": []}]}
        ).encode(),
        json.dumps(
            {
                "plan_version": 1,
                "updated_at": None,
                "steps": [{"id": "warning_signs", "items": "a, b"}],
            }
        ).encode(),
        json.dumps({"plan_version": 1, "updated_at": "yesterday", "steps": []}).encode(),
    ],
    ids=[
        "not-json",
        "not-utf8",
        "a-list",
        "newer",
        "no-version",
        "unknown-step",
        "items-text",
        "bad-time",
    ],
)
def test_a_corrupt_plan_is_one_line_and_left_untouched(
    cli: Any, write: Any, typed: Any, data_dir: Path, content: bytes
) -> None:
    data_dir.mkdir(parents=True)
    plan_file(data_dir).write_bytes(content)
    for r in (
        cli("safety-plan", "--show"),
        cli("safety-plan", "--json"),
        write({"warning_signs": ["x"]}),
        typed(ENTER * 10),
    ):
        one_line_error(r, 1)
        assert str(plan_file(data_dir)) in r.stderr
        assert "left as it is" in r.stderr
        assert plan_file(data_dir).read_bytes() == content
    assert [p.name for p in data_dir.iterdir()] == ["safety-plan.json"]


def test_a_corrupt_plan_can_be_cleared_when_the_person_says_so(cli: Any, data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    plan_file(data_dir).write_text("{not json")
    r = cli("safety-plan", "--clear", "--yes")
    assert r.exit_code == 0, r.stderr
    assert not plan_file(data_dir).exists()


# private, and kept apart from the entries


def test_the_plan_file_is_owner_only_whatever_the_umask(write: Any, data_dir: Path) -> None:
    old = os.umask(0)
    try:
        assert write({"warning_signs": ["a"]}).exit_code == 0
        assert write({"warning_signs": ["b"]}).exit_code == 0  # and when it is replaced
    finally:
        os.umask(old)
    assert stat.S_IMODE(plan_file(data_dir).stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert [p.name for p in data_dir.iterdir()] == ["safety-plan.json"]  # no temp file left


def test_the_plan_never_shows_in_entries_history_search_insights_or_export(
    cli: Any, write: Any, data_dir: Path
) -> None:
    secret = "zebracorn-lighthouse"
    assert write({"warning_signs": [secret], "reasons_for_living": [secret]}).exit_code == 0
    assert cli("slow-down", "--feeling", "calm", "--intensity", "2").exit_code == 0
    assert len(entry_files(data_dir)) == 1
    assert not any((data_dir / "entries").rglob("*safety*"))
    history = json.loads(cli("history", "--json").stdout)
    assert [e["practice"] for e in history] == ["slow-down"]
    looked = [
        cli("history"),
        cli("history", "--json"),
        cli("search", "zebracorn", "--json"),
        cli("insights", "--all", "--json"),
        *(cli("export", "--format", fmt) for fmt in ("json", "jsonl", "csv", "md")),
    ]
    for r in looked:
        assert r.exit_code == 0, r.stderr
        assert secret not in r.stdout + r.stderr
    assert json.loads(cli("search", "zebracorn", "--json").stdout) == []
    # and a plan next to the entries is nothing for doctor to worry about
    assert cli("doctor").exit_code == 0


def test_plan_path_and_lines_for_other_commands(write: Any, data_dir: Path) -> None:
    assert safetyplan.plan_path(resolve_paths()) == plan_file(data_dir)
    write({"people_places": ["[bold]the park[/bold]", "\x1b[31mred"]})
    plan = safetyplan.load(plan_file(data_dir))
    assert plan is not None
    shown = safetyplan.lines(plan)
    assert "   - [bold]the park[/bold]" in shown  # markup stays as typed
    assert "   - \\x1b[31mred" in shown  # an escape sequence is shown, not sent
    assert not any("\x1b" in line for line in shown)
    assert shown[0] == "1. My warning signs"  # no heading: the caller gives its own
    assert shown[-1] == "   (nothing here yet)"
    assert safetyplan.lines(plan, skip_empty=True) == [
        "3. People and places that take my mind off it",
        "   - [bold]the park[/bold]",
        "   - \\x1b[31mred",
    ]
    assert safetyplan.heading(plan) == "Your safety plan (last changed Wed 25 Nov 2026 20:30)"


def test_merge_and_to_json_are_pure() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=NOW.tzinfo)
    plan = safetyplan.merge(None, {"warning_signs": ["a"]}, when)
    again = safetyplan.merge(plan, {"coping_alone": ["b"]}, when)
    assert plan.items["coping_alone"] == []  # the first plan is not changed
    assert again.items == {**empty_but(warning_signs=["a"], coping_alone=["b"])}
    assert safetyplan.to_json(again)["updated_at"] == "2026-01-02T03:04:05-05:00"


# --clear


def test_clear_asks_first_and_needs_yes_without_a_terminal(
    cli: Any, write: Any, data_dir: Path
) -> None:
    write({"warning_signs": ["a"]})
    r = cli("safety-plan", "--clear")
    one_line_error(r, 2)
    assert "--yes" in r.stderr
    assert plan_file(data_dir).exists()
    no = cli("safety-plan", "--clear", interactive=True, stdin="n\n")
    assert no.exit_code == 0
    assert "Nothing was changed." in no.stderr
    assert plan_file(data_dir).exists()
    yes = cli("safety-plan", "--clear", interactive=True, stdin="y\n")
    assert yes.exit_code == 0, yes.stderr
    assert "Deleted your safety plan." in yes.stdout
    assert not plan_file(data_dir).exists()
    again = cli("safety-plan", "--clear", "--yes")
    assert again.exit_code == 0
    assert again.stdout == "There is no safety plan to delete.\n"


# at a terminal


def test_typing_two_signs_skipping_a_step_ctrl_c_then_resume(
    typed: Any, cli: Any, data_dir: Path, attune_dirs: Path, clock: Any
) -> None:
    keys = "not sleeping, pulling away" + ENTER + "[red]snapping[/red]" + ENTER + ENTER
    keys += ENTER  # coping_alone: skipped
    keys += CTRL_C  # at people_places
    first = typed(keys)
    assert first.exit_code == 130
    assert "kept as a draft" in first.stderr
    assert "--resume" in first.stderr
    assert not plan_file(data_dir).exists()  # nothing is saved until the end
    assert draft_file(attune_dirs).exists()
    assert stat.S_IMODE(draft_file(attune_dirs).stat().st_mode) == 0o600
    # doctor knows the draft, and how to pick it up
    doctor = cli("doctor")
    assert "safety-plan --resume" in doctor.stdout
    shown = cli("safety-plan", "--show")
    assert "unfinished changes" in shown.stderr

    clock.advance(hours=1)
    second = typed("a friend's kitchen, the library" + ENTER + ENTER + ENTER * 4, "--resume")
    assert second.exit_code == 0, second.stderr
    assert second.stdout.endswith(f"Saved your safety plan ({plan_file(data_dir)})\n")
    assert "   - [red]snapping[/red]" in second.stdout  # the plan, shown literally
    assert items(data_dir) == empty_but(
        warning_signs=["not sleeping, pulling away", "[red]snapping[/red]"],
        people_places=["a friend's kitchen, the library"],
    )
    assert not draft_file(attune_dirs).exists()


def test_ctrl_c_in_the_middle_of_a_step_keeps_its_items(
    typed: Any, data_dir: Path, attune_dirs: Path
) -> None:
    assert typed("one" + ENTER + CTRL_C).exit_code == 130
    # picked up without --resume: the draft is offered first
    r = typed(RESUME + ADD + "two" + ENTER + ENTER + ENTER * 6)
    assert r.exit_code == 0, r.stderr
    assert items(data_dir) == empty_but(warning_signs=["one", "two"])
    assert not draft_file(attune_dirs).exists()


def test_starting_over_throws_the_draft_away(typed: Any, data_dir: Path, attune_dirs: Path) -> None:
    typed("one" + ENTER + ENTER + CTRL_C)
    r = typed(START_OVER + "fresh" + ENTER + ENTER + ENTER * 6)
    assert r.exit_code == 0, r.stderr
    assert items(data_dir) == empty_but(warning_signs=["fresh"])
    assert not draft_file(attune_dirs).exists()


def test_a_draft_can_be_finished_or_dropped_from_a_script(
    typed: Any, cli: Any, data_dir: Path, attune_dirs: Path
) -> None:
    typed("one" + ENTER + ENTER + CTRL_C)
    r = cli("safety-plan", "--resume", "--no-input")
    assert r.exit_code == 0, r.stderr
    assert items(data_dir) == empty_but(warning_signs=["one"])
    assert not draft_file(attune_dirs).exists()
    one_line_error(cli("safety-plan", "--resume", "--no-input"), 2)  # no draft to resume
    typed("two" + ENTER + CTRL_C)
    dropped = cli("safety-plan", "--discard", "--no-input")
    assert dropped.exit_code == 0, dropped.stderr
    assert not draft_file(attune_dirs).exists()
    assert items(data_dir) == empty_but(warning_signs=["one"])


def test_ctrl_c_at_the_first_prompt_changes_nothing(
    typed: Any, data_dir: Path, attune_dirs: Path
) -> None:
    r = typed(CTRL_C)
    assert r.exit_code == 130
    assert "Stopped. Nothing was changed." in r.stderr
    assert not data_dir.exists()
    assert not draft_file(attune_dirs).exists()


def test_enter_all_the_way_keeps_everything(typed: Any, write: Any, data_dir: Path) -> None:
    write({"warning_signs": ["a", "b"], "reasons_for_living": ["c"]})
    before = plan_file(data_dir).read_bytes()
    r = typed(ENTER * 7)
    assert r.exit_code == 0, r.stderr
    assert "Nothing changed" in r.stderr
    assert plan_file(data_dir).read_bytes() == before


def test_nothing_typed_saves_nothing(typed: Any, data_dir: Path) -> None:
    r = typed(ENTER * 7)
    assert r.exit_code == 0, r.stderr
    assert "Nothing to save" in r.stderr
    assert not plan_file(data_dir).exists()


def test_change_add_and_keep_what_is_there(typed: Any, write: Any, data_dir: Path) -> None:
    write({"warning_signs": ["a", "b"], "coping_alone": ["walk"], "reasons_for_living": ["c"]})
    keys = CHANGE + CLEAR + "A, changed" + ENTER + CLEAR + ENTER + "new one" + ENTER + ENTER
    keys += ADD + "music" + ENTER + ENTER  # coping_alone: add to it
    keys += ENTER * 4  # the empty steps: skipped
    keys += KEEP  # reasons_for_living: kept
    r = typed(keys)
    assert r.exit_code == 0, r.stderr
    assert items(data_dir) == empty_but(
        warning_signs=["A, changed", "new one"],
        coping_alone=["walk", "music"],
        reasons_for_living=["c"],
    )


def test_changing_three_items_one_by_one(typed: Any, write: Any, data_dir: Path) -> None:
    write({"warning_signs": ["a", "b", "c"]})
    keys = CHANGE + ENTER + CLEAR + ENTER + CLEAR + "C" + ENTER + ENTER  # keep a, drop b, c to C
    r = typed(keys + ENTER * 6)
    assert r.exit_code == 0, r.stderr
    assert items(data_dir) == empty_but(warning_signs=["a", "C"])


def test_ctrl_c_while_changing_keeps_what_is_not_looked_at_yet(
    typed: Any, write: Any, data_dir: Path, attune_dirs: Path
) -> None:
    write({"warning_signs": ["a", "b", "c"]})
    assert typed(CHANGE + CLEAR + ENTER + CTRL_C).exit_code == 130  # a dropped, then stop
    draft = json.loads(draft_file(attune_dirs).read_text())
    assert draft["answers"][0]["answer"] == ["b", "c"]
    assert items(data_dir)["warning_signs"] == ["a", "b", "c"]  # the plan itself waits


def test_ctrl_c_before_changing_anything_leaves_no_draft(
    typed: Any, write: Any, data_dir: Path, attune_dirs: Path
) -> None:
    write({"warning_signs": ["a"]})
    before = plan_file(data_dir).read_bytes()
    r = typed(CTRL_C)  # at "what would you like to do with these?"
    assert r.exit_code == 130
    assert "Stopped. Nothing was changed." in r.stderr
    assert r.stdout == ""
    assert not draft_file(attune_dirs).exists()
    assert plan_file(data_dir).read_bytes() == before


def test_a_failed_save_keeps_what_was_typed_as_a_draft(
    typed: Any, cli: Any, data_dir: Path, attune_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attunecli import fsutil

    real = fsutil.write_atomic

    def full(path: Path, data: bytes, *, exclusive: bool = False) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fsutil, "write_atomic", full)  # the plan's writer; drafts keep theirs
    r = typed("keep me" + ENTER + ENTER + ENTER * 6)
    one_line_error(r, 1)
    assert "could not save your safety plan" in r.stderr
    assert "No space left on device" in r.stderr
    assert "kept as a draft" in r.stderr
    assert not plan_file(data_dir).exists()
    scripted = cli("safety-plan", "--answers", "-", stdin='{"warning_signs": ["x"]}')
    one_line_error(scripted, 1)
    monkeypatch.setattr(fsutil, "write_atomic", real)
    done = cli("safety-plan", "--resume", "--no-input")
    assert done.exit_code == 0, done.stderr
    assert items(data_dir) == empty_but(warning_signs=["keep me"])


# reachable: help, the console script, completion


def test_listed_in_help(cli: Any) -> None:
    r = cli("--help")
    assert "safety-plan" in r.stdout


def test_the_console_script_reaches_it(capsys: pytest.CaptureFixture[str]) -> None:
    from attunecli.entry import main

    assert main(["safety-plan", "--show"]) == 0
    assert "no safety plan yet" in capsys.readouterr().out
    assert main(["safety-plan", "--no-input"]) == 2


def test_shell_completion_offers_it() -> None:
    for words, cword, wanted in (
        ("attune saf", "1", "safety-plan"),
        ("attune safety-plan --sh", "2", "--show"),
    ):
        r = subprocess.run(
            [sys.executable, "-m", "attunecli"],
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "_ATTUNE_COMPLETE": "complete_bash",
                "COMP_WORDS": words,
                "COMP_CWORD": cword,
            },
            timeout=60,
        )
        assert wanted in r.stdout.split(), (r.stdout, r.stderr)


@pytest.mark.pty
@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_on_a_real_terminal(data_dir: Path, attune_dirs: Path) -> None:
    pytest.importorskip("pexpect")
    from tests.test_pty import finish, spawn

    child = spawn("safety-plan")
    try:
        child.expect_exact("Step 1 of 7: My warning signs")
        child.expect_exact(QUESTIONS[0])
        child.send("I stop answering messages, or calls" + ENTER)
        child.expect_exact("Another?")
        child.send("I can't sleep" + ENTER)
        child.expect_exact("Another?")
        child.send(ENTER)
        child.expect_exact("Step 2 of 7")
        child.expect_exact(QUESTIONS[1])
        child.send(ENTER)  # skipped
        child.expect_exact("Step 3 of 7")
        child.expect_exact(QUESTIONS[2])
        child.sendcontrol("c")
        child.expect_exact("kept as a draft")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 130
    assert draft_file(attune_dirs).exists()
    assert not plan_file(data_dir).exists()

    child = spawn("safety-plan", "--resume")
    try:
        child.expect_exact("Step 3 of 7")
        for n in range(4, 8):
            child.send(ENTER)
            child.expect_exact(f"Step {n} of 7")
        child.send("my sister" + ENTER)
        child.expect_exact("Another?")
        child.send(ENTER)
        child.expect_exact("Saved your safety plan")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
    assert items(data_dir) == empty_but(
        warning_signs=["I stop answering messages, or calls", "I can't sleep"],
        reasons_for_living=["my sister"],
    )
    assert not draft_file(attune_dirs).exists()
