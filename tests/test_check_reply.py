"""`attune check-reply`: by argument, on stdin and as JSON lines; with and without a terminal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from attunecli import entry, quick
from tests.conftest import Result

ADVICE = "aw I'm so sorry hun. Have you tried just talking to her?"
KIND = "That sounds really hard. What's been the worst of it?"
ATTUNE = str(Path(sys.executable).parent / "attune")


@pytest.fixture
def quick_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """The console script's own door (`entry.main`): the quick path when it takes the form."""

    def run(*args: str, stdin: bytes = b"") -> Result:
        fake = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", fake)
        code = entry.main(list(args))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def test_the_quick_path_takes_the_plain_forms() -> None:
    assert quick.parse("check-reply", ["hi"]) == ({}, ["hi"])
    assert quick.parse("check-reply", []) == ({}, [])
    assert quick.parse("check-reply", ["--json", "hi"]) == ({"--json": True}, ["hi"])
    assert quick.parse("check-reply", ["--jsonl"]) == ({"--jsonl": True}, [])
    for unusual in (["--help"], ["a", "b"], ["--jsonl=1"], ["--", "-x"], ["--no-color", "x"]):
        assert quick.parse("check-reply", unusual) is None, unusual


@pytest.mark.parametrize(
    "args",
    [[ADVICE], [KIND], ["--json", ADVICE], ["--json", KIND], ["calm down, you're overreacting"]],
)
def test_both_doors_print_the_same(args: list[str], cli: Any, quick_cli: Any) -> None:
    typer_way = cli("check-reply", *args)
    quick_way = quick_cli("check-reply", *args)
    assert typer_way.exit_code == quick_way.exit_code == 0
    assert typer_way.stdout == quick_way.stdout
    assert typer_way.stderr == quick_way.stderr == ""


def test_a_flagged_reply_shows_each_note_and_another_way(cli: Any) -> None:
    r = cli("check-reply", ADVICE)
    assert r.exit_code == 0  # a flag is a note, not a failure
    assert r.stdout.startswith("Advice: Ideas offered this early")
    assert "Another way to say it:" in r.stdout
    assert "  aw I'm so sorry hun." in r.stdout
    assert "talking to her" not in r.stdout


def test_a_kind_reply_says_so_in_one_line(cli: Any) -> None:
    r = cli("check-reply", KIND)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "Nothing in this reply stood out.\n", "")


def test_json_is_one_object(cli: Any) -> None:
    r = cli("check-reply", "--json", ADVICE)
    data = json.loads(r.stdout)
    assert data["text"] == ADVICE
    assert [f["kind"] for f in data["flags"]] == ["advice"]
    assert data["alternative"].startswith("aw I'm so sorry hun.")
    assert r.stdout.count("\n") == 1
    clean = json.loads(cli("check-reply", "--json", KIND).stdout)
    assert clean == {"text": KIND, "flags": [], "alternative": None}


@pytest.mark.parametrize("args", [[], ["-"]])
def test_stdin_is_read_when_there_is_no_text(args: list[str], cli: Any, quick_cli: Any) -> None:
    for run in (cli, quick_cli):
        stdin = ADVICE + "\n"
        r = run("check-reply", "--json", *args, stdin=stdin if run is cli else stdin.encode())
        assert r.exit_code == 0, r.stderr
        assert json.loads(r.stdout)["text"] == stdin
        assert json.loads(r.stdout)["flags"]


def test_jsonl_answers_each_line_in_order(cli: Any, quick_cli: Any) -> None:
    texts = [ADVICE, KIND, "calm down", "ok", "I'm sure it'll be fine \x1b[2J"]
    stdin = "".join(json.dumps({"text": t, "id": i}) + "\n" for i, t in enumerate(texts))
    for run in (cli, quick_cli):
        r = run("check-reply", "--jsonl", stdin=stdin if run is cli else stdin.encode())
        assert r.exit_code == 0, r.stderr
        results = [json.loads(line) for line in r.stdout.splitlines()]
        assert [x["text"] for x in results] == texts
        assert all(set(x) == {"text", "flags", "alternative"} for x in results)
        assert [bool(x["flags"]) for x in results] == [True, False, True, False, True]
        assert "\x1b" not in r.stdout  # JSON escapes it


def test_jsonl_with_nothing_piped_writes_nothing(cli: Any) -> None:
    r = cli("check-reply", "--jsonl", stdin="")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--json", "--jsonl"], "", "give one"),
        (["--jsonl", "text"], "", "leave out the TEXT argument"),
        (["--jsonl"], "not json\n", "line 1 is not JSON"),
        (["--jsonl"], '{"text": "ok"}\n[1, 2]\n', 'line 2 has no "text" string'),
        (["--jsonl"], '{"text": 5}\n', 'line 1 has no "text" string'),
        (["--jsonl"], '{"reply": "ok"}\n', 'line 1 has no "text" string'),
        (["--jsonl"], '{"text": "a"}\n\n{"text": "b"}\n', "line 2 is empty"),
        ([""], "", "there is no reply to check"),
        (["   \n\t"], "", "there is no reply to check"),
        ([], "", "there is no reply to check"),
        ([], "  \n", "there is no reply to check"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_with_nothing_on_stdout(
    args: list[str], stdin: str, message: str, cli: Any, quick_cli: Any
) -> None:
    for run in (cli, quick_cli):
        r = run("check-reply", *args, stdin=stdin if run is cli else stdin.encode())
        assert r.exit_code == 2, (run, r)
        assert r.stdout == ""
        assert r.stderr.startswith("attune: ") and r.stderr.count("\n") == 1, r.stderr
        assert message in r.stderr


def test_stdin_that_is_not_utf8_is_a_usage_error(quick_cli: Any) -> None:
    r = quick_cli("check-reply", stdin=b"you should \xff\xfe relax")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == "attune: stdin is not UTF-8 text\n"


def test_the_text_is_shown_literally(cli: Any) -> None:
    r = cli("check-reply", "I'm so sorry \x1b[2J\x1b]0;owned\x07. You should just quit.")
    assert r.exit_code == 0
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "\\x1b[2J" in r.stdout


def test_nothing_is_saved(cli: Any, attune_dirs: Path) -> None:
    before = sorted(attune_dirs.rglob("*"))
    assert cli("check-reply", ADVICE).exit_code == 0
    assert cli("check-reply", "--jsonl", stdin=json.dumps({"text": ADVICE}) + "\n").exit_code == 0
    assert sorted(attune_dirs.rglob("*")) == before


def test_an_unknown_option_goes_to_typer_and_is_one_line(quick_cli: Any) -> None:
    r = quick_cli("check-reply", "--tone", "x")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "--tone" in r.stderr


def test_help_says_what_it_cannot_judge(cli: Any) -> None:
    r = cli("check-reply", "--help")
    assert r.exit_code == 0
    assert "not tone" in r.stdout and "never stops you sending" in r.stdout
    assert "--jsonl" in r.stdout and "Examples:" in r.stdout


# with no terminal at all, as a script or cron runs it


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTUNE_")}
    env.update({k: v for k, v in os.environ.items() if k.endswith("_DIR") and "ATTUNE" in k})
    return env


def attune(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    """The installed console script in a fresh process, as a script or cron would run it."""
    kw.setdefault("stdin", None if "input" in kw else subprocess.DEVNULL)
    return subprocess.run(
        [ATTUNE, *args], capture_output=True, text=True, env=_env(), timeout=30, check=False, **kw
    )


def test_no_terminal_by_argument(attune_dirs: Path) -> None:
    done = attune("check-reply", "--json", "you should relax")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["flags"][0]["kind"] == "advice"


def test_no_terminal_nothing_given_is_a_clear_error(attune_dirs: Path) -> None:
    done = attune("check-reply")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "attune: there is no reply to check (give it as an argument, or on stdin)\n"
    )


def test_no_terminal_stdin_closed(attune_dirs: Path) -> None:
    done = attune("check-reply", "--jsonl", preexec_fn=lambda: os.close(0))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_piped_through_a_real_pipe(attune_dirs: Path) -> None:
    lines = "".join(json.dumps({"text": t}) + "\n" for t in ["you never listen", "thank you"])
    done = attune("check-reply", "--jsonl", input=lines)
    assert done.returncode == 0, done.stderr
    results = [json.loads(x) for x in done.stdout.splitlines()]
    assert [[f["kind"] for f in r["flags"]] for r in results] == [["blaming"], []]


# at a terminal


@pytest.mark.pty
@pytest.mark.parametrize("columns", [80, 40])
def test_at_a_terminal_the_notes_wrap_to_its_width(columns: int, attune_dirs: Path) -> None:
    import pexpect

    child = pexpect.spawn(
        ATTUNE,
        ["check-reply", ADVICE],
        env={**_env(), "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1"},
        dimensions=(24, columns),
        encoding="utf-8",
        timeout=20,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = child.before.replace("\r\n", "\n")
    plain = text.replace("\x1b[1m", "").replace("\x1b[0m", "")
    assert "Another way to say it:" in plain
    assert all(len(line) <= columns for line in plain.splitlines()), plain
    assert "\x1b[1mAnother way to say it:\x1b[0m" in text  # bold at a colour terminal


@pytest.mark.pty
def test_at_a_terminal_with_nothing_given_it_does_not_wait(attune_dirs: Path) -> None:
    import pexpect

    child = pexpect.spawn(
        ATTUNE,
        ["check-reply"],
        env={**_env(), "TERM": "xterm-256color"},
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=20,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert 'give the reply to check: attune check-reply "TEXT", or pipe it in' in child.before
