"""The real questionary prompts, driven in process through a prompt_toolkit pipe.

Every keystroke of a run is written into the pipe before the command starts,
and the pipe is then closed. prompt_toolkit keeps the keys one prompt did not
use as type-ahead for the next prompt on the same input, so a whole practice
can be scripted up front; and a run that needs more keys than the test gave
meets the end of the input and stops, instead of waiting for ever.
"""

from __future__ import annotations

import io
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.output import DummyOutput, Output
from prompt_toolkit.output.plain_text import PlainTextOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from attunecli.answers import normalise
from attunecli.catalog import QUADRANTS, exercises, vocabulary
from attunecli.models import Option, Step
from attunecli.terminal import TerminalAsker
from tests.conftest import NOW, Result, answers_of, entry_files, load_entries

UP = "\x1b[A"
DOWN = "\x1b[B"
ENTER = "\r"
SPACE = " "
CTRL_C = "\x03"
CTRL_D = "\x04"
CLEAR = "\x15"  # Ctrl-U: clear the line (drafted text comes prefilled)
OWN_WORD = 4  # "A word of my own" comes after the four kinds of feeling


def down(n: int) -> str:
    return DOWN * n


def word_keys(word: str) -> str:
    """Pick `word` with the arrow keys: its kind of feeling, then the word itself."""
    feeling = vocabulary().get(word)
    assert feeling is not None, word
    words = [f.word for f in vocabulary().in_quadrant(feeling.quadrant)]
    return down(QUADRANTS.index(feeling.quadrant)) + ENTER + down(words.index(word)) + ENTER


def tick_feelings(*words: str) -> str:
    """The two checkboxes of a `feelings` step, for words all of one kind."""
    first = vocabulary().get(words[0])
    assert first is not None, words[0]
    quadrant = first.quadrant
    options = [f.word for f in vocabulary().in_quadrant(quadrant)]
    keys = down(QUADRANTS.index(quadrant)) + SPACE + ENTER
    at = 0
    for w in sorted(words, key=options.index):
        keys += down(options.index(w) - at) + SPACE
        at = options.index(w)
    return keys + ENTER


def answer(entry: dict[str, Any], answer_id: str) -> dict[str, Any]:
    return next(a for a in entry["answers"] if a["id"] == answer_id)


@pytest.fixture
def drive(cli: Any, pipe: Any) -> Any:
    """Run attune with these keystrokes as the person at the keyboard."""

    def run(keys: str, *args: str, output: Output | None = None, color: bool = False) -> Result:
        pipe.send_text(keys)
        pipe.close()  # out of keys: the prompt ends (as after Ctrl-D) instead of hanging
        result: Result = cli(
            *args,
            interactive=True,
            prompt_input=pipe,
            prompt_output=output or DummyOutput(),
            color=color,
        )
        return result

    return run


def test_slow_down_end_to_end(drive: Any, data_dir: Path) -> None:
    keys = (
        SPACE + ENTER  # where in the body: tick the first (chest)
        + down(1) + SPACE + ENTER  # what it is like: tick the second (heavy)
        + "n"  # is someone else part of this? no
        + word_keys("calm")
        + "4" + ENTER  # intensity
        + ENTER  # what set it off: skipped
        + "slept badly" + ENTER  # note
    )  # fmt: skip
    r = drive(keys, "slow-down")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Saved slow down ")
    [entry] = load_entries(data_dir)
    assert entry["complete"] is True
    assert entry["created_at"] == NOW.isoformat()
    assert answers_of(entry) == {
        "body_where": ["chest"],
        "body_how": ["heavy"],
        "others": False,
        "feeling": "calm",
        "intensity": 4,
        "trigger": None,
        "note": "slept badly",
    }
    assert answer(entry, "feeling")["details"] == {"quadrant": "low-pleasant"}
    assert answer(entry, "intensity")["details"] == {"measure": "intensity"}


@pytest.mark.parametrize(
    "feeling_keys",
    [
        pytest.param(down(OWN_WORD) + ENTER, id="from-the-kinds"),
        # into the first kind's words; Up wraps to "Back", and once more to "A word of my own"
        pytest.param(ENTER + UP + UP + ENTER, id="from-the-words"),
    ],
)
def test_a_word_of_my_own(drive: Any, data_dir: Path, feeling_keys: str) -> None:
    keys = ENTER + ENTER + feeling_keys + "Wobbly" + ENTER + "3" + ENTER + ENTER + ENTER
    r = drive(keys, "slow-down")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answer(entry, "feeling")["answer"] == "wobbly"
    assert answer(entry, "feeling")["details"] == {"own_word": True}
    assert answers_of(entry)["body_where"] is None  # nothing ticked: skipped
    assert "body_how" not in answers_of(entry)  # and its follow-up never asked


def test_back_to_the_kinds_of_feeling(drive: Any, data_dir: Path) -> None:
    keys = ENTER + ENTER + ENTER + UP + ENTER  # into the first kind's words, then "Back"
    keys += word_keys("ashamed") + "7" + ENTER + ENTER + ENTER
    r = drive(keys, "slow-down")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answer(entry, "feeling")["answer"] == "ashamed"
    assert answer(entry, "feeling")["details"] == {"quadrant": "low-unpleasant"}


def test_own_word_cannot_be_empty(drive: Any, data_dir: Path) -> None:
    keys = ENTER + ENTER + down(OWN_WORD) + ENTER + ENTER + "  " + ENTER + CLEAR + "edgy"
    keys += ENTER + "5" + ENTER + ENTER + ENTER
    r = drive(keys, "slow-down")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["feeling"] == "edgy"


REFLECT_START = (
    ENTER  # who: partner, the first
    + "said I never listen" + ENTER
    + tick_feelings("hurt", "lonely")
    + ENTER  # anything unsaid: skipped
    + "I looked at my phone" + ENTER  # the situation
    + CLEAR + "It sounds like it hurt when I looked at my phone." + ENTER  # edit the draft
    + ENTER  # the drafted validation, as it is
    + ENTER  # listen or help: the first, "To be listened to"
    + "You should calm down" + ENTER  # the reply I was about to give
)  # fmt: skip
EDITED = "It sounds like it hurt when I looked at my phone."


@pytest.mark.parametrize(
    ("review_keys", "kept"),
    [
        pytest.param(ENTER, "alternative", id="the-other-way"),
        pytest.param(DOWN + ENTER, "You should calm down", id="mine"),
        pytest.param(down(2) + ENTER + CLEAR + "Tell me more." + ENTER, "Tell me more.", id="edit"),
    ],
)
def test_reflect_with_an_edited_draft_and_a_flagged_reply(
    drive: Any, data_dir: Path, review_keys: str, kept: str
) -> None:
    r = drive(REFLECT_START + review_keys + ENTER, "reflect")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    a = answers_of(entry)
    assert a["context"] == "partner"
    assert a["their_feelings"] == ["hurt", "lonely"]
    assert a["situation"] == "I looked at my phone"
    assert a["reflection"] == EDITED
    assert a["validation"].count("hurt and lonely") == 1
    assert a["unsaid"] is None and a["listen_or_help"] == "To be listened to"
    reply = answer(entry, "reply")
    details = reply["details"]
    assert [f["kind"] for f in details["flags"]] == ["advice", "dismissing"]
    # the other way starts from the reflection as the user left it, not the draft
    assert details["alternative"].startswith(EDITED + " ")
    if kept == "alternative":
        assert reply["answer"] == details["alternative"]
    else:
        assert reply["answer"] == kept
    if kept == "You should calm down":
        assert "draft" not in details
    else:
        assert details["draft"] == "You should calm down"


def test_repair_with_a_relative_follow_up_date(drive: Any, data_dir: Path) -> None:
    keys = (
        down(2) + ENTER  # friend
        + "I snapped about the dishes" + ENTER
        + tick_feelings("hurt")
        + "I was short with you" + ENTER
        + "ask before I plan" + ENTER  # one thing I'll do differently
        + ENTER  # the drafted message
        + ENTER  # their side: skipped
        + CLEAR + "someday" + ENTER  # refused: not a date
        + CLEAR + "+3" + ENTER
        + ENTER  # note
    )  # fmt: skip
    r = drive(keys, "repair")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    a = answers_of(entry)
    assert a["context"] == "friend"
    assert a["follow_up"] == "2026-11-28"  # three days after 25 November
    assert a["message"].startswith(
        "I've been thinking about what happened: I snapped about the dishes."
    )
    assert "I was short with you" in a["message"]
    assert "Next time, I'll ask before I plan." in a["message"]
    assert a["their_side"] is None


def test_checkin_skipping_sections(drive: Any, data_dir: Path) -> None:
    keys = (
        ENTER  # notice: begin
        + ENTER  # body: nothing ticked
        + word_keys("tired")
        + "6" + ENTER
        + "a long week" + ENTER  # what set it off
        + "n"  # settle: skip
        + "n"  # someone on your mind: skip
        + "n"  # a small moment of connection: skip
        + ENTER  # one line to end on: begin
        + "early night" + ENTER
    )  # fmt: skip
    r = drive(keys, "checkin")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Saved check-in ")
    [entry] = load_entries(data_dir)
    assert answers_of(entry) == {
        "notice.body_where": None,
        "notice.feeling": "tired",
        "notice.intensity": 6,
        "notice.trigger": "a long week",
        "close.note": "early night",
    }


def test_checkin_skipping_everything_saves_nothing(drive: Any, data_dir: Path) -> None:
    r = drive("nnnnn", "checkin")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    assert "Nothing to save this time" in r.stderr
    assert entry_files(data_dir) == []


STOP_AT_THIRD = SPACE + ENTER + SPACE + ENTER + CTRL_C  # chest, tight, then Ctrl-C
# After Ctrl-C: keep a draft (the default), save as an entry, or throw it away.
KEEP_DRAFT, SAVE_ENTRY, THROW_AWAY = ENTER, DOWN + ENTER, DOWN + DOWN + ENTER


def draft_file(attune_dirs: Path, practice: str) -> Path:
    return attune_dirs / "state" / "drafts" / f"{practice}.json"


def test_ctrl_c_then_throwing_away_writes_nothing(
    drive: Any, data_dir: Path, attune_dirs: Path
) -> None:
    r = drive(STOP_AT_THIRD + THROW_AWAY, "slow-down")
    assert r.exit_code == 130
    assert r.stderr.splitlines()[-1] == "Stopped. Nothing was saved."
    assert r.stdout == ""
    assert entry_files(data_dir) == []
    assert not draft_file(attune_dirs, "slow-down").exists()


def test_ctrl_c_keeps_a_draft_by_default(drive: Any, data_dir: Path, attune_dirs: Path) -> None:
    r = drive(STOP_AT_THIRD + KEEP_DRAFT, "slow-down")
    assert r.exit_code == 130
    assert "kept as a draft" in r.stderr.splitlines()[-1]
    assert entry_files(data_dir) == []
    draft = json.loads(draft_file(attune_dirs, "slow-down").read_text())
    assert {a["id"]: a["answer"] for a in draft["answers"]} == {
        "body_where": ["chest"],
        "body_how": ["tight"],
    }
    assert draft_file(attune_dirs, "slow-down").stat().st_mode & 0o777 == 0o600


def test_ctrl_c_then_keeping_saves_a_partial_entry(
    drive: Any, data_dir: Path, attune_dirs: Path
) -> None:
    r = drive(STOP_AT_THIRD + SAVE_ENTRY, "slow-down")
    assert r.exit_code == 130
    [entry] = load_entries(data_dir)
    assert entry["complete"] is False
    assert answers_of(entry) == {"body_where": ["chest"], "body_how": ["tight"]}
    assert f"Kept what you answered as entry {entry['id'][:8]}" in r.stderr
    assert not draft_file(attune_dirs, "slow-down").exists()


def test_ctrl_c_before_any_answer_asks_nothing_more(drive: Any, data_dir: Path) -> None:
    # A "y" is waiting: had attune asked whether to keep, it would have saved.
    r = drive(CTRL_C + "y", "slow-down")
    assert r.exit_code == 130
    assert "Nothing was saved" in r.stderr
    assert entry_files(data_dir) == []


def test_ctrl_d_stops_like_ctrl_c(drive: Any, data_dir: Path) -> None:
    keys = ENTER + ENTER + down(OWN_WORD) + ENTER + CTRL_D + SAVE_ENTRY
    r = drive(keys, "slow-down")
    assert r.exit_code == 130, r.stderr
    assert "unexpected error" not in r.stderr
    [entry] = load_entries(data_dir)
    assert entry["complete"] is False
    assert answers_of(entry) == {"body_where": None, "others": False}


def test_running_out_of_input_stops_cleanly_and_keeps_a_draft(
    drive: Any, data_dir: Path, attune_dirs: Path
) -> None:
    r = drive(SPACE + ENTER, "slow-down")  # the input ends at the second question
    assert r.exit_code == 130, r.stderr
    assert "kept as a draft" in r.stderr.splitlines()[-1]
    assert entry_files(data_dir) == []
    assert draft_file(attune_dirs, "slow-down").exists()


def test_a_prefilled_option_skips_its_prompt(drive: Any, data_dir: Path) -> None:
    # No keys for the feeling: were it asked, "3" and Enter would land in its lists.
    r = drive(ENTER + ENTER + "3" + ENTER + ENTER + ENTER, "slow-down", "--feeling", "calm")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["feeling"] == "calm"
    assert answers_of(entry)["intensity"] == 3
    assert answer(entry, "feeling")["details"] == {"quadrant": "low-pleasant"}


class Screen(PlainTextOutput):
    """A plain-text screen that types `then` once `when` has been drawn on it.

    Keys given up front are all handled before the next redraw, so a message a
    prompt shows in between never reaches the screen; this waits for it.
    """

    def __init__(self, pipe: Any, when: str, then: str) -> None:
        self.drawn = io.StringIO()
        super().__init__(self.drawn)
        self.pipe, self.when, self.then = pipe, when, then

    @property
    def text(self) -> str:
        return self.drawn.getvalue()

    def flush(self) -> None:
        super().flush()
        if self.then and self.when in self.text:
            self.pipe.send_text(self.then)
            self.pipe.close()
            self.then = ""


def test_a_bad_intensity_is_refused_by_the_prompt(cli: Any, pipe: Any, data_dir: Path) -> None:
    message = "11 is out of range; expected a whole number from 0 to 10"
    screen = Screen(pipe, when=message, then=CLEAR + "4" + ENTER + ENTER + ENTER)
    pipe.send_text(ENTER + ENTER + word_keys("calm") + "11" + ENTER)
    safety_net = threading.Timer(10, pipe.close)  # never shown: end the input, don't hang
    safety_net.start()
    try:
        r = cli("slow-down", interactive=True, prompt_input=pipe, prompt_output=screen)
    finally:
        safety_net.cancel()
    assert message in screen.text
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["intensity"] == 4


def test_regulate_without_the_guide(drive: Any, data_dir: Path) -> None:
    box = list(exercises()).index("box-breathing")
    keys = "7" + ENTER + down(box) + ENTER + "4" + ENTER + ENTER
    r = drive(keys, "regulate", "--no-guide")
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    assert answers_of(entry) == {
        "arousal_before": 7,
        "exercise": "box-breathing",
        "guide": None,
        "arousal_after": 4,
        "note": None,
    }


def no_console() -> Any:
    raise AssertionError("nothing here needs a console")


def quiet_asker(pipe: Any, clock: Any) -> TerminalAsker:
    """The real prompts on the test's keys, drawing nothing anywhere."""
    return TerminalAsker(now=clock, console=no_console, input=pipe, output=DummyOutput())


def test_skip_on_an_optional_choice_is_no_answer(pipe: Any, clock: Any) -> None:
    step = Step(
        id="pick",
        kind="choice",
        question="Pick one",
        optional=True,
        options=(Option("a", "A"), Option("b", "B")),
    )
    asker = quiet_asker(pipe, clock)
    pipe.send_text(UP + ENTER)  # Up from the first wraps to the last: "Skip"
    raw = asker.ask(step, "pick", None)
    assert raw is None
    assert normalise(step, raw, clock()) == (None, {})


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(text: str) -> list[str]:
    """The colour-setting parts (30-49, 90-107) of every SGR escape in `text`."""
    found = []
    for params in SGR.findall(text):
        for p in params.split(";"):
            if p.isdigit() and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                found.append(p)
    return found


@pytest.mark.parametrize("color", [True, False])
def test_no_color_reaches_the_prompts(drive: Any, data_dir: Path, color: bool) -> None:
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=30, columns=100), term="xterm-256color")
    keys = ENTER + ENTER + word_keys("calm") + "4" + ENTER + ENTER + ENTER
    r = drive(keys, "slow-down", output=output, color=color)
    assert r.exit_code == 0, r.stderr
    assert "Which word fits best?" in screen.getvalue()
    assert bool(colour_codes(screen.getvalue())) is color


def test_the_reply_review_shows_plain_notes(drive: Any, data_dir: Path) -> None:
    screen = io.StringIO()
    r = drive(REFLECT_START + DOWN + ENTER + ENTER, "reflect", output=PlainTextOutput(screen))
    assert r.exit_code == 0, r.stderr
    shown = screen.getvalue()
    assert "Advice: Ideas offered this early" in shown
    assert "Dismissing the feeling: " in shown
    assert "Another way to say it: " + EDITED in shown
    assert "“" not in shown.split("Advice:")[1].split("\n")[0]  # no quoted fragment


def test_the_other_way_shows_the_users_words_literally(pipe: Any) -> None:
    from attunecli.terminal import TerminalAsker

    screen = io.StringIO()
    asker = TerminalAsker(
        now=lambda: NOW, console=lambda: None, input=pipe, output=PlainTextOutput(screen)
    )
    pipe.send_text(DOWN + ENTER)  # keep mine
    typed = "I'm sorry \x07\x1b]0;x\x1b\\. You should calm down"
    flags = [{"kind": "advice", "note": "n"}]
    kept = asker.review_reply(typed, flags, "I'm sorry \x07\x1b]0;x\x1b\\. That sounds hard.")
    assert kept == typed
    shown = screen.getvalue()
    assert "Another way to say it: I'm sorry \\x07\\x1b]0;x\\x1b\\. That sounds hard." in shown
    assert "\x07" not in shown and "\x1b" not in shown


def test_own_words_are_asked_one_at_a_time_and_never_split(pipe: Any, clock: Any) -> None:
    step = Step(
        id="words",
        kind="multi",
        question="Which words fit?",
        allow_other=True,
        options=(Option("calm", "calm"), Option("tired", "tired")),
    )
    asker = quiet_asker(pipe, clock)
    # Down twice to "Something else…", tick it, Enter; then two words and an empty line.
    pipe.send_text(down(2) + SPACE + ENTER + "torn, but fine" + ENTER + "wary" + ENTER + ENTER)
    assert asker.ask(step, "words", None) == ["torn, but fine", "wary"]


class SizedOutput(DummyOutput):
    """Output that records what is written, on a terminal of a given width."""

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.written: list[str] = []

    def get_size(self) -> Size:
        return Size(rows=12, columns=self.columns)

    def write(self, data: str) -> None:
        self.written.append(data)

    def write_raw(self, data: str) -> None:
        self.written.append(data)


@pytest.mark.parametrize("columns", [40, 80])
def test_what_the_asker_says_breaks_between_words_never_inside_one(
    pipe: Any, clock: Any, columns: int
) -> None:
    out = SizedOutput(columns)
    asker = TerminalAsker(now=clock, console=no_console, input=pipe, output=out, plain=True)
    assert asker.plain
    text = (
        "Two breaths in through the nose, the second one topping up, then a long slow "
        "breath out through the mouth."
    )
    asker.say(text)
    lines = "".join(out.written).rstrip("\n").split("\n")
    assert len(lines) > 1
    assert all(len(line) < columns for line in lines)
    assert " ".join(lines) == text  # only the breaks moved: every word whole, in order


@pytest.mark.parametrize("columns", [40, 80])
def test_a_long_prompt_breaks_between_words(columns: int) -> None:
    from attunecli.terminal import _fitted

    question = "How stirred up do you feel right now?"
    hint = (
        "Needed: your before and after show what the practice did. (0 very settled, 10 overwhelmed)"
    )
    message, instruction = _fitted({"output": SizedOutput(columns), "qmark": "›"}, question, hint)
    assert instruction is not None
    # questionary draws "› message  instruction " on one run of lines
    drawn = f"› {message}  {instruction} "
    assert all(len(line) <= columns for line in drawn.split("\n")), drawn
    assert " ".join(message.split()) == question  # only the breaks moved
    assert " ".join(instruction.split()) == hint


def test_a_refused_answer_is_drawn_under_the_prompt_not_at_the_bottom(pipe: Any) -> None:
    import questionary
    from prompt_toolkit.filters import has_validation_error
    from prompt_toolkit.layout import HSplit

    from attunecli.terminal import _errors_under_the_prompt

    question = _errors_under_the_prompt(
        questionary.text("Q", validate=lambda v: "no", input=pipe, output=DummyOutput())
    )
    layout = question.application.layout
    assert layout.current_window.dont_extend_height()  # the input takes only its rows
    root = layout.container
    assert isinstance(root, HSplit)
    toolbars = [c for c in root.children if getattr(c, "content", None) is not None]
    assert not any(getattr(c.content, "filter", None) is has_validation_error for c in toolbars)


def test_the_quick_check_in_has_its_own_title_and_says_it_once(drive: Any, data_dir: Path) -> None:
    screen = io.StringIO()
    keys = word_keys("calm") + "3" + ENTER + ENTER
    r = drive(keys, "checkin", "--quick", output=PlainTextOutput(screen))
    assert r.exit_code == 0, r.stderr
    shown = screen.getvalue()
    assert shown.count("Quick check-in") == 1
    assert "Daily check-in" not in shown and "daily check-in" not in shown
    assert "skipped" not in shown  # its three steps are asked, not offered as parts
    [entry] = load_entries(data_dir)
    assert answers_of(entry) == {
        "notice.feeling": "calm",
        "notice.intensity": 3,
        "close.note": None,
    }


def test_the_full_check_in_says_which_answers_are_needed(drive: Any, data_dir: Path) -> None:
    screen = io.StringIO()
    keys = (
        ENTER  # begin "Notice what you feel"
        + ENTER  # nothing in the body
        + word_keys("calm")
        + ENTER  # Enter on "How strong is it?": refused, and the prompt says why
        + "3" + ENTER
        + ENTER  # what set it off: skipped
        + "n" + "n" + "n" + "n"  # the other parts skipped
    )  # fmt: skip
    r = drive(keys, "checkin", output=PlainTextOutput(screen))
    assert r.exit_code == 0, r.stderr
    shown = " ".join(screen.getvalue().split())  # broken between words to the width
    assert "Any part can be skipped, and most questions too; the few that can't say why." in shown
    assert "A number is needed: it's how `attune insights` shows your days over time." in shown
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["notice.intensity"] == 3  # the Enter was refused, not a skip
