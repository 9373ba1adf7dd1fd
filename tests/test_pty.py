"""The installed `attune` on a real pseudo-terminal, keys typed the way a person would."""

from __future__ import annotations

import io
import os
import shlex
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import answers_of, entry_files, load_entries

pexpect = pytest.importorskip("pexpect")

pytestmark = [
    pytest.mark.pty,
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
]

DOWN = "\x1b[B"
ATTUNE = Path(sys.executable).with_name("attune")
TIMEOUT = 10  # generous, for a loaded machine; a healthy run takes well under a second


def command() -> list[str]:
    return [str(ATTUNE)] if ATTUNE.exists() else [sys.executable, "-m", "attunecli"]


def spawn(*args: str, size: tuple[int, int] = (30, 100), **env: str) -> Any:
    rows, cols = size
    environ = dict(os.environ)  # the autouse fixture pointed ATTUNE_*_DIR at tmp_path
    environ.update(
        PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows)
    )
    environ.pop("NO_COLOR", None)
    environ.update(env)
    argv = [*command(), *args] if args[0] != "/bin/sh" else list(args)
    return pexpect.spawn(
        argv[0],
        argv[1:],
        env=environ,
        dimensions=size,
        encoding="utf-8",
        timeout=TIMEOUT,
        preexec_fn=_default_signals,
    )


def _default_signals() -> None:
    """Ctrl-C and a closed window as a person's terminal delivers them: a test run
    started in the background (`cmd &`, nohup) would pass them on as ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def finish(child: Any) -> tuple[int, str]:
    """Wait for the end; the exit status and whatever was shown since the last match."""
    child.expect(pexpect.EOF)
    shown = child.before
    child.close()
    status = child.exitstatus
    assert isinstance(status, int), f"ended by signal {child.signalstatus}"
    return status, shown


def test_checkin_on_a_terminal(data_dir: Path) -> None:
    child = spawn("checkin")
    try:
        child.expect_exact("Notice what you feel")
        child.send("\r")  # begin
        child.expect_exact("Where do you notice something in your body?")
        child.send("\r")  # nothing ticked
        child.expect_exact("Which word comes closest")
        child.send(DOWN * 2 + "\r")  # quiet and pleasant
        child.expect_exact("Which word fits best?")
        child.send(DOWN * 3 + "\r")  # accepted, balanced, blissful, calm
        child.expect_exact("How strong is it?")
        child.send("3\r")
        child.expect_exact("What set it off?")
        child.send("\r")
        child.expect_exact("A minute of slow breathing")
        child.send("n")
        child.expect_exact("Someone on your mind")
        child.send("n")
        child.expect_exact("A small moment of connection")
        child.send("n")
        child.expect_exact("One line to end on")
        child.send("\r")
        child.expect_exact("One line to close with")
        child.send("a quiet evening\r")
        child.expect_exact("Saved check-in")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
    [entry] = load_entries(data_dir)
    assert entry["practice"] == "checkin"
    assert entry["complete"] is True
    assert answers_of(entry) == {
        "notice.body_where": None,
        "notice.feeling": "calm",
        "notice.intensity": 3,
        "notice.trigger": None,
        "close.note": "a quiet evening",
    }


def test_ctrl_c_at_the_first_prompt(data_dir: Path) -> None:
    child = spawn("checkin")
    try:
        child.expect_exact("Notice what you feel")
        child.sendcontrol("c")
        child.expect_exact("Stopped. Nothing was saved.")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 130
    assert entry_files(data_dir) == []


@pytest.mark.parametrize(
    ("args", "env", "styled"),
    [
        (["feelings"], {}, True),  # the control: on a terminal, attune does style its output
        (["feelings"], {"NO_COLOR": "1"}, False),
        (["--no-color", "feelings"], {}, False),
    ],
    ids=["terminal", "NO_COLOR", "--no-color"],
)
def test_no_color_on_a_terminal(args: list[str], env: dict[str, str], styled: bool) -> None:
    child = spawn(*args, ATTUNE_PAGER="", **env)  # the list is taller than the screen: no pager
    try:
        child.expect_exact("Lively and pleasant")
        child.expect(pexpect.EOF)
        shown = child.before
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
    assert "accomplished" in shown
    assert ("\x1b[" in shown) is styled


def test_prompts_stay_on_the_terminal_when_stderr_is_redirected(tmp_path: Path) -> None:
    log = tmp_path / "err.log"
    script = " ".join(shlex.quote(a) for a in command()) + f" checkin 2>{shlex.quote(str(log))}"
    child = spawn("/bin/sh", "-c", script)
    try:
        child.expect_exact("Notice what you feel")  # drawn on stdout, the terminal
        child.sendcontrol("c")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 130
    assert log.read_text().splitlines()[-1] == "Stopped. Nothing was saved."


@pytest.mark.parametrize(
    "args", [("forget", "--all"), ("safety-plan", "--clear"), ("forget", "--before", "2099-01-01")]
)
def test_ctrl_c_at_a_confirmation_stops_with_130_and_changes_nothing(
    data_dir: Path, args: tuple[str, ...]
) -> None:
    import subprocess

    subprocess.run(
        [*command(), "slow-down", "--feeling", "calm", "--intensity", "2"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*command(), "safety-plan", "--answers", "-"],
        input='{"reasons_for_living": ["my dog"]}',
        text=True,
        check=True,
        capture_output=True,
    )
    before = sorted(p.name for p in data_dir.rglob("*") if p.is_file())
    child = spawn(*args)
    try:
        child.expect(r"\[y/N\]")
        child.sendcontrol("c")
        status, shown = finish(child)
    finally:
        child.close(force=True)
    assert status == 130
    assert "Nothing was changed" in shown and "aborted" not in shown.lower()
    assert sorted(p.name for p in data_dir.rglob("*") if p.is_file()) == before


ESCAPE = "\x1b"
SIGH_PHASES = [
    "Breathe in through the nose · 2",
    "A little more in · 1",
    "Long, slow breath out · 6",
]


def test_regulate_under_term_dumb_is_plain_lines_one_per_phase(data_dir: Path) -> None:
    child = spawn(
        *("regulate", "--before", "6", "--exercise", "cyclic-sighing", "--after", "3"),
        *("--note", "after the call"),
        TERM="dumb",
    )
    child.logfile_read = seen = io.StringIO()  # everything the terminal was sent
    try:
        child.expect_exact("Light-headed? Breathe normally")
        child.expect_exact(SIGH_PHASES[-1] + "\r\n")  # three seconds in
        child.sendcontrol("c")  # stops the guide, not the practice
        child.expect_exact("Done. Breathe normally.")
        child.expect_exact("Even a short pause counts.")
        child.expect_exact("Saved regulate")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
    shown = seen.getvalue()
    assert ESCAPE not in shown
    # (the terminal echoes Ctrl-C as ^C)
    lines = [line.replace("^C", "") for line in shown.split("\r\n")]
    lines = [line for line in lines if line.strip()]
    start = lines.index("Cyclic sighing")
    # each phase once, on its own line, never redrawn; then the closing line
    assert lines[start + 1 : start + 5] == [*SIGH_PHASES, "Done. Breathe normally."]
    [entry] = load_entries(data_dir)
    [step] = [a for a in entry["answers"] if a["kind"] == "guide"]
    assert step["question"] == "Cyclic sighing"
    assert step["details"]["instruction"].startswith("Follow the guide. Light-headed?")
    assert step["answer"]["stopped_early"] is True
    assert step["answer"]["seconds"] < 60


@pytest.mark.parametrize(
    ("args", "env", "styled"),
    [
        ((), {}, True),  # the control: on a terminal, the prompts are styled
        ((), {"TERM": "dumb"}, False),
        ((), {"ATTUNE_PLAIN": "1"}, False),
        (("--plain",), {}, False),
    ],
    ids=["terminal", "TERM=dumb", "ATTUNE_PLAIN", "--plain"],
)
def test_prompts_send_no_bold_under_term_dumb_or_plain(
    args: tuple[str, ...], env: dict[str, str], styled: bool, data_dir: Path
) -> None:
    import re

    child = spawn("regulate", *args, **env)
    try:
        child.expect_exact("How stirred up do you feel right now?")
        child.expect_exact("overwhelmed")
        shown = child.before
        child.sendcontrol("c")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 130
    assert bool(re.search(r"\x1b\[[0-9;]*m", shown)) is styled  # colour or bold codes


def on_screen(text: str) -> str:
    """A pattern for `text` as prompt_toolkit draws it: a space may come as a move of
    the cursor to the right, and a line may break between words."""
    import re

    return r"(?:\s|\x1b\[\d*C)+".join(re.escape(w) for w in text.split())


SIZES = [pytest.param((30, 100), id="100x30"), pytest.param((24, 80), id="80x24"),
         pytest.param((12, 40), id="40x12")]  # fmt: skip


def _to_the_feeling(child: Any) -> None:
    child.expect(on_screen("Where do you notice"))
    child.send("\r")  # nothing ticked
    child.expect(on_screen("someone else part"))
    child.send("n")
    child.expect(on_screen("Which word comes closest"))


def _after_the_feeling(child: Any) -> int:
    child.expect(on_screen("How strong"))
    child.send("3\r")
    child.expect(on_screen("What set it off"))
    child.send("\r")
    child.expect(on_screen("Anything else"))
    child.send("\r")
    status, _ = finish(child)
    return status


@pytest.mark.parametrize("size", SIZES)
def test_a_misspelt_feeling_is_offered_not_replaced(data_dir: Path, size: tuple[int, int]) -> None:
    """ "scard" + Enter once saved "afraid": now it offers the close word, with its
    meaning on screen, and Enter takes only what is shown highlighted."""
    child = spawn("slow-down", size=size)
    try:
        _to_the_feeling(child)
        child.send("scard")
        child.expect(on_screen("did you mean scared?"))
        child.expect(on_screen("Frightened by something"))  # the meaning, in view while choosing
        child.send("\r")
        status = _after_the_feeling(child)
    finally:
        child.close(force=True)
    assert status == 0
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["feeling"] == "scared"


@pytest.mark.parametrize("size", SIZES)
def test_a_word_nothing_matches_is_kept_as_typed(data_dir: Path, size: tuple[int, int]) -> None:
    child = spawn("slow-down", size=size)
    try:
        _to_the_feeling(child)
        child.send("wobbly")
        child.expect(on_screen("keep 'wobbly' as my own word"))
        child.send(DOWN * 0 + "\r")  # nothing is close to it: keeping it is the highlight
        status = _after_the_feeling(child)
    finally:
        child.close(force=True)
    assert status == 0
    [entry] = load_entries(data_dir)
    feeling = next(a for a in entry["answers"] if a["id"] == "feeling")
    assert (feeling["answer"], feeling["details"]) == ("wobbly", {"own_word": True})


@pytest.mark.parametrize("size", SIZES)
def test_a_multi_select_echoes_what_was_ticked(data_dir: Path, size: tuple[int, int]) -> None:
    child = spawn("slow-down", size=size)
    try:
        child.expect(on_screen("Where do you notice"))
        child.send(" " + DOWN + " \r")  # the first two
        child.expect(on_screen("chest, throat"))
        child.expect(on_screen("What is it like there?"))
        child.sendcontrol("c")
        child.expect(on_screen("Keep a draft"))
        child.sendcontrol("c")
        finish(child)
    finally:
        child.close(force=True)


@pytest.mark.parametrize("size", SIZES)
def test_the_guide_at_every_size_shows_its_note_and_ends_with_a_closing_line(
    data_dir: Path, size: tuple[int, int]
) -> None:
    """Live where the frame fits (100x30, 80x24), plain lines where it does not (40x12);
    either way the light-headedness note is on screen and the guide says it is done."""
    from attunecli.catalog import exercises
    from attunecli.guide import frame_width

    child = spawn(
        *("regulate", "--before", "6", "--exercise", "cyclic-sighing", "--after", "3"),
        size=size,
    )
    child.logfile_read = seen = io.StringIO()
    try:
        child.expect(on_screen("Light-headed? Breathe normally"))
        child.expect(on_screen("Long, slow breath out"))
        child.sendcontrol("c")  # stops the guide, not the practice
        child.expect(on_screen("Done. Breathe normally."))
        child.expect(on_screen("Anything else"))
        child.send("\r")
        child.expect_exact("Saved regulate")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
    shown = seen.getvalue()
    plain = size[1] < frame_width(exercises()["cyclic-sighing"])
    assert ("Breathe in through the nose · 2\r\n" in shown) is plain
    assert ("\x1b[" in shown.split("Cyclic sighing", 1)[1].split("Done.", 1)[0]) is not plain


def _walk(child: Any, steps: list[tuple[str, str]]) -> None:
    for prompt, keys in steps:
        child.expect(on_screen(prompt))
        child.send(keys)


@pytest.mark.parametrize("size", SIZES)
def test_repair_received_by_hand(data_dir: Path, size: tuple[int, int]) -> None:
    child = spawn("repair", "--received", size=size)
    try:
        _walk(
            child,
            [
                ("Who is this with?", DOWN * 2 + "\r"),  # friend
                ("Which fits?", "\r"),  # they came to me to repair something
                ("What happened?", "you forgot my birthday\r"),
                ("What did you feel?", "hurt"),
                ("hurt", " \r"),
                ("What did they say or do", "said sorry and took me out\r"),
                ("Are you ready to accept it?", DOWN + "\r"),  # partly
                ("What would help you now?", "\r"),
                ("Something you could say to them", "\r"),  # the draft as it is
                ("Anything else", "\r"),
            ],
        )
        child.expect_exact("Saved repair")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
    [entry] = load_entries(data_dir)
    a = answers_of(entry)
    assert entry["practice"] == "repair-received"
    assert (a["context"], a["side"], a["ready"]) == ("friend", "accept", "partly")
    assert a["my_feelings"] == ["hurt"]
    assert a["message"].startswith("Thank you for saying that. I still feel hurt about you forgot")


@pytest.mark.parametrize("size", SIZES)
def test_reflect_for_yourself_by_hand(data_dir: Path, size: tuple[int, int]) -> None:
    child = spawn("reflect", size=size)
    try:
        _walk(
            child,
            [
                ("Who is it?", DOWN * 6 + "\r"),  # myself
                ("What happened for you?", "a long day\r"),
                ("Which feelings did you have?", "drained"),
                ("drained", " \r"),
                ("When what?", "the deadline moved\r"),
                ("A line to say to yourself", "\r"),
                ("validates the feeling", "\r"),
                ("Anything else", "\r"),
            ],
        )
        child.expect_exact("Saved reflect")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
    [entry] = load_entries(data_dir)
    a = answers_of(entry)
    assert a["context"] == "self" and a["their_feelings"] == ["drained"]
    assert "I felt drained" in a["reflection"]
    assert not {"unsaid", "listen_or_help", "reply"} & set(a)


def test_import_shows_progress_at_a_terminal_and_none_in_a_pipe(tmp_path: Path) -> None:
    import json
    import subprocess

    export = tmp_path / "all.jsonl"
    base = {"schema_version": 1, "practice": "slow-down", "complete": True, "answers": []}
    rows = [
        {
            **base,
            "id": f"{i:016x}",
            "created_at": f"2026-11-{1 + i % 28:02d}T10:{i % 60:02d}:00+00:00",
        }
        for i in range(1200)
    ]
    export.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    child = spawn("import", str(export))
    child.logfile_read = seen = io.StringIO()
    try:
        child.expect_exact("added 1200, already present 0, invalid 0")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0
    assert "Importing" in seen.getvalue()
    r = subprocess.run(
        [*command(), "import", str(export)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0
    assert r.stdout == "added 0, already present 1200, invalid 0\n"
    assert r.stderr == ""  # no bar, no escape codes, in a pipe


def test_export_to_a_file_shows_progress_and_to_the_screen_does_not(
    data_dir: Path, tmp_path: Path
) -> None:
    for n in range(3):
        child = spawn("slow-down", "--feeling", "calm", "--intensity", str(n), "--no-input")
        finish(child)
    out = tmp_path / "all.jsonl"
    child = spawn("export", "--format", "jsonl", "-o", str(out))
    child.logfile_read = seen = io.StringIO()
    try:
        child.expect_exact("Exported 3 entries")
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0 and len(out.read_text().splitlines()) == 3
    assert "Exporting" in seen.getvalue()
    child = spawn("export", "--format", "jsonl")
    child.logfile_read = seen = io.StringIO()
    try:
        status, _ = finish(child)
    finally:
        child.close(force=True)
    assert status == 0 and "Exporting" not in seen.getvalue()  # the export is the screen


class Screen:
    """Just enough of a terminal to say on which row each thing ended up: printable
    text with deferred wrapping, CR and LF (scrolling at the bottom), and the cursor
    moves and erases prompt_toolkit sends; colours and modes are ignored."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.y = self.x = 0
        self.wrap = False

    def _down(self) -> None:
        if self.y == self.rows - 1:
            self.grid.pop(0)
            self.grid.append([" "] * self.cols)
        else:
            self.y += 1

    def _csi(self, params: str, final: str) -> None:
        nums = [int(p) if p.isdigit() else 0 for p in params.lstrip("?").split(";")]
        n = max(nums[0], 1)
        self.wrap = False
        if final == "A":
            self.y = max(self.y - n, 0)
        elif final == "B":
            self.y = min(self.y + n, self.rows - 1)
        elif final == "C":
            self.x = min(self.x + n, self.cols - 1)
        elif final == "D":
            self.x = max(self.x - n, 0)
        elif final == "G":
            self.x = min(n - 1, self.cols - 1)
        elif final in "Hf":
            self.y = min(max(nums[0], 1), self.rows) - 1
            self.x = min(max(nums[1] if len(nums) > 1 else 1, 1), self.cols) - 1
        elif final == "K":
            row = self.grid[self.y]
            start, end = {0: (self.x, self.cols), 1: (0, self.x + 1)}.get(nums[0], (0, self.cols))
            row[start:end] = [" "] * (end - start)
        elif final == "J":
            if nums[0] == 0:
                self._csi("0", "K")
                for r in range(self.y + 1, self.rows):
                    self.grid[r] = [" "] * self.cols
            elif nums[0] == 2:
                self.grid = [[" "] * self.cols for _ in range(self.rows)]

    def feed(self, text: str) -> None:
        import re

        i = 0
        while i < len(text):
            c = text[i]
            if c == "\x1b":
                csi = re.match(r"\x1b\[([0-9;?]*)([@-~])", text[i:])
                osc = re.match(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)", text[i:])
                if csi:
                    self._csi(csi.group(1), csi.group(2))
                    i += csi.end()
                elif osc:
                    i += osc.end()
                else:
                    i += 2
                continue
            if c == "\r":
                self.x, self.wrap = 0, False
            elif c == "\n":
                self._down()
                self.wrap = False
            elif c == "\b":
                self.x = max(self.x - 1, 0)
            elif c >= " ":
                if self.wrap:
                    self.x, self.wrap = 0, False
                    self._down()
                self.grid[self.y][self.x] = c
                if self.x == self.cols - 1:
                    self.wrap = True
                else:
                    self.x += 1
            i += 1

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.grid]

    def row_of(self, text: str) -> int:
        """The last row that holds `text`."""
        found = [n for n, line in enumerate(self.lines()) if text in line]
        assert found, f"{text!r} not on screen:\n" + "\n".join(self.lines())
        return found[-1]


def _shown(size: tuple[int, int], keys: str, until: str, **env: str) -> Screen:
    """The screen of `attune regulate` once `keys`, typed at its first rating, showed
    `until` (no keys: the screen as the rating is first asked)."""
    import contextlib

    rows, cols = size
    child = spawn("regulate", size=size, **env)
    seen = io.StringIO()
    child.logfile_read = seen
    try:
        child.expect(on_screen("overwhelmed)"))
        if keys:
            child.send(keys)
            child.expect(on_screen(until))
        with contextlib.suppress(pexpect.EOF):  # let the rest of that redraw arrive
            child.expect(pexpect.TIMEOUT, timeout=0.5)
        screen = Screen(rows, cols)
        screen.feed(seen.getvalue())
        child.sendcontrol("c")
        finish(child)
    finally:
        child.close(force=True)
    return screen


REFUSALS = [
    pytest.param("11\r", "11 is out of range;", id="out-of-range"),
    pytest.param("\r", "an answer is needed", id="empty"),
    pytest.param("lots\r", "expected a whole number", id="not-a-number"),
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("keys", "message"), REFUSALS)
def test_a_refused_answer_says_why_right_under_its_prompt(
    data_dir: Path, size: tuple[int, int], keys: str, message: str
) -> None:
    """It once showed at the bottom of the screen, 28 rows below the cursor at 100x30."""
    screen = _shown(size, keys, message)
    prompt = screen.row_of("overwhelmed)")  # the last row of the question and its hint
    assert 1 <= screen.row_of(message) - prompt <= 2, "\n".join(screen.lines())
    assert all(len(line) <= size[1] for line in screen.lines())


@pytest.mark.parametrize("size", SIZES)
def test_a_refused_answer_says_why_right_under_its_prompt_under_term_dumb(
    data_dir: Path, size: tuple[int, int]
) -> None:
    screen = _shown(size, "11\r", "11 is out of range;", TERM="dumb")
    assert 1 <= screen.row_of("11 is out of range;") - screen.row_of("overwhelmed)") <= 2


@pytest.mark.parametrize("size", SIZES)
def test_a_required_rating_says_why_on_the_prompt(data_dir: Path, size: tuple[int, int]) -> None:
    screen = _shown(size, "", "")
    text = " ".join(" ".join(screen.lines()).split())
    assert "How stirred up do you feel right now? Needed: your before and after show " in text
    assert all(len(line) < size[1] for line in screen.lines()), "\n".join(screen.lines())


@pytest.mark.parametrize("size", SIZES)
def test_the_quick_check_in_says_its_title_once(data_dir: Path, size: tuple[int, int]) -> None:
    child = spawn("checkin", "--quick", size=size)
    try:
        child.expect(on_screen("Which word comes closest"))
        shown = child.before
        child.sendcontrol("c")
        finish(child)
    finally:
        child.close(force=True)
    assert "Quick check-in" in shown
    assert "Daily check-in" not in shown and "daily check-in" not in shown
    assert "skipped" not in shown  # nothing in the quick check-in is skipped by section
