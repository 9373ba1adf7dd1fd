"""The live guide: pure timing, an injected clock and sleep, and drawing to any Rich console."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from attunecli.catalog import Exercise, Phase, exercises, practice
from attunecli.guide import frame, frame_width, position, run_guide
from tests.conftest import NOW, VALIDATOR

# in 2, a little more 1, out 6: a 9-second cycle
SIGH = Exercise(
    id="sigh",
    label="Sighing",
    about="test",
    minutes=1,
    phases=(Phase("In", 2), Phase("More", 1), Phase("Out", 6)),
)


def console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=70, color_system=None, force_terminal=False), buf


class FakeTime:
    """A monotonic clock that only moves when the guide sleeps."""

    def __init__(self, start: float = 1000.0, *, stop_on: int | None = None) -> None:
        self.t = start
        self.sleeps: list[float] = []
        self.stop_on = stop_on

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.stop_on is not None and len(self.sleeps) == self.stop_on:
            raise KeyboardInterrupt
        self.t += seconds


# position


@pytest.mark.parametrize(
    ("elapsed", "index", "round_", "left"),
    [
        (0, 0, 1, 2),
        (0.5, 0, 1, 2),  # 1.5 s left shows as 2, counting down to 1
        (1.0, 0, 1, 1),
        (1.99, 0, 1, 1),
        (2.0, 1, 1, 1),
        (2.5, 1, 1, 1),
        (3.0, 2, 1, 6),
        (8.5, 2, 1, 1),
        (8.999, 2, 1, 1),
        (9.0, 0, 2, 2),  # the next round
        (11.0, 1, 2, 1),
        (12.0, 2, 2, 6),
        (18.0, 0, 3, 2),
        (900.0, 0, 101, 2),
        (-5.0, 0, 1, 2),  # a clock that stepped back is treated as the start
    ],
)
def test_position_over_a_cycle_and_across_rounds(
    elapsed: float, index: int, round_: int, left: int
) -> None:
    pos = position(SIGH, elapsed)
    assert (pos.index, pos.round, pos.left) == (index, round_, left)
    assert pos.phase is SIGH.phases[index]


def test_position_never_counts_below_one() -> None:
    for tenth in range(200):
        pos = position(SIGH, tenth / 10)
        assert 1 <= pos.left <= pos.phase.seconds


@pytest.mark.parametrize("name", sorted(exercises()))
def test_position_for_every_shipped_exercise(name: str) -> None:
    ex = exercises()[name]
    cycle = sum(p.seconds for p in ex.phases)
    assert position(ex, 0).index == 0
    assert position(ex, cycle).round == 2
    assert position(ex, cycle - 0.01).index == len(ex.phases) - 1
    assert position(ex, ex.phases[0].seconds).index == (1 if len(ex.phases) > 1 else 0)


# run_guide


def test_run_guide_completes() -> None:
    fake = FakeTime()
    con, buf = console()
    result = run_guide(SIGH, 1, con, clock=fake.clock, sleep=fake.sleep, tick=0.5, plain=False)
    assert result == {"planned_seconds": 60, "seconds": 60, "stopped_early": False}
    assert fake.sleeps == [0.5] * 120
    out = buf.getvalue()
    assert "Sighing" in out
    assert "0:00 left" in out


def test_run_guide_never_reports_more_than_planned() -> None:
    fake = FakeTime()
    result = run_guide(SIGH, 0.5, console()[0], clock=fake.clock, sleep=fake.sleep, tick=7)
    assert fake.t - 1000.0 == 35  # overshot by 5 seconds
    assert result == {"planned_seconds": 30, "seconds": 30, "stopped_early": False}


def test_run_guide_at_least_one_second() -> None:
    fake = FakeTime()
    result = run_guide(SIGH, 0, console()[0], clock=fake.clock, sleep=fake.sleep, tick=0.25)
    assert result["planned_seconds"] == 1
    assert len(fake.sleeps) == 4


def test_ctrl_c_on_the_third_tick_stops_early_and_keeps_the_time() -> None:
    fake = FakeTime(stop_on=3)
    con, buf = console()
    result = run_guide(SIGH, 2, con, clock=fake.clock, sleep=fake.sleep, tick=10)
    assert result == {"planned_seconds": 120, "seconds": 20, "stopped_early": True}
    assert len(fake.sleeps) == 3
    assert "Sighing" in buf.getvalue()


def test_ctrl_c_on_the_first_tick() -> None:
    fake = FakeTime(stop_on=1)
    result = run_guide(SIGH, 1, console()[0], clock=fake.clock, sleep=fake.sleep)
    assert result == {"planned_seconds": 60, "seconds": 0, "stopped_early": True}


def test_other_errors_are_not_swallowed() -> None:
    def broken(_: float) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_guide(SIGH, 1, console()[0], clock=lambda: 0.0, sleep=broken)


# rendering


def render(elapsed: float, total: float, ex: Exercise = SIGH) -> str:
    con, buf = console()
    con.print(frame(ex, elapsed, total))
    return buf.getvalue()


def test_frame_shows_label_phase_count_time_and_round() -> None:
    out = render(3.5, 90)
    assert "Sighing" in out
    assert "Out" in out
    assert "   6" in out  # ceil(6 - 0.5)
    assert "1:26 left" in out
    assert "round 1" in out
    assert "Ctrl-C stops, your entry is kept" in out


def test_frame_past_the_end_shows_no_negative_time() -> None:
    out = render(200, 90)
    assert "0:00 left" in out
    assert "-" not in out.split("left")[0].splitlines()[-1]


@pytest.mark.parametrize("name", sorted(exercises()))
def test_every_exercise_renders(name: str) -> None:
    ex = exercises()[name]
    total = ex.minutes * 60
    for elapsed in (0, 1.5, total / 2, total - 0.1, total):
        out = render(elapsed, total, ex)
        assert ex.label in out
        assert position(ex, elapsed).phase.name in out
        assert "\x1b" not in out  # plain text on a console without colour


# plain mode: one line per phase, never a redraw, no escape codes


DONE = "Done. Breathe normally."


def terminal(width: int = 80) -> tuple[Console, io.StringIO]:
    """A console that believes it is a colour terminal, to see what would be sent."""
    buf = io.StringIO()
    return Console(file=buf, width=width, height=24, force_terminal=True), buf


def test_plain_guide_says_one_line_per_phase_and_ends_on_the_closing_line() -> None:
    fake = FakeTime()
    con, buf = terminal()
    result = run_guide(SIGH, 0.5, con, clock=fake.clock, sleep=fake.sleep, tick=0.5, plain=True)
    assert result == {"planned_seconds": 30, "seconds": 30, "stopped_early": False}
    out = buf.getvalue()
    assert "\x1b" not in out  # no colour, bold or cursor code, even on a terminal
    # 30 s of a 9 s cycle: three whole rounds and the first two phases of a fourth
    assert out.splitlines() == [
        "Sighing",
        *(["In · 2", "More · 1", "Out · 6"] * 3),
        "In · 2",
        "More · 1",
        DONE,
    ]


def test_plain_lines_do_not_depend_on_the_tick() -> None:
    lines = []
    for tick in (0.1, 0.25, 1.0):
        fake = FakeTime()
        con, buf = console()
        run_guide(SIGH, 0.5, con, clock=fake.clock, sleep=fake.sleep, tick=tick, plain=True)
        lines.append(buf.getvalue().splitlines())
    assert lines[0] == lines[1] == lines[2]


def test_ctrl_c_in_plain_mode_stops_keeps_the_time_and_still_closes() -> None:
    fake = FakeTime(stop_on=9)
    con, buf = console()
    result = run_guide(SIGH, 1, con, clock=fake.clock, sleep=fake.sleep, tick=1, plain=True)
    assert result == {"planned_seconds": 60, "seconds": 8, "stopped_early": True}
    assert buf.getvalue().splitlines() == ["Sighing", "In · 2", "More · 1", "Out · 6", DONE]


@pytest.mark.parametrize(
    ("env", "width", "plain"),
    [
        ({}, 80, False),  # the control: a wide terminal gets the live frame
        ({"TERM": "dumb"}, 80, True),
        ({"ATTUNE_PLAIN": "1"}, 80, True),
        ({"ATTUNE_PLAIN": "0"}, 80, False),
        ({}, 40, True),  # narrower than the frame (its bar alone is 42 wide)
    ],
    ids=["terminal", "TERM=dumb", "ATTUNE_PLAIN=1", "ATTUNE_PLAIN=0", "narrow"],
)
def test_plain_is_chosen_by_the_terminal_and_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], width: int, plain: bool
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("ATTUNE_PLAIN", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    fake = FakeTime()
    con, buf = terminal(width)
    run_guide(SIGH, 0.1, con, clock=fake.clock, sleep=fake.sleep, tick=0.5)
    out = buf.getvalue()
    assert ("\x1b" not in out) is plain
    assert ("In · 2" in out) is plain
    assert out.endswith(DONE + "\n")


def test_a_stream_that_is_not_a_terminal_gets_plain_lines() -> None:
    fake = FakeTime()
    con, buf = console()  # a StringIO: not a terminal
    run_guide(SIGH, 0.1, con, clock=fake.clock, sleep=fake.sleep, tick=0.5)
    assert buf.getvalue().splitlines() == ["Sighing", "In · 2", "More · 1", "Out · 6", DONE]


# live mode: the whole screen redrawn, so a resize leaves nothing stale


def test_live_guide_draws_on_the_alternate_screen_and_closes_after_it() -> None:
    fake = FakeTime()
    con, buf = terminal()
    ex = Exercise(SIGH.id, SIGH.label, SIGH.about, 1, SIGH.phases, instruction="Light-headed?")
    run_guide(ex, 0.1, con, clock=fake.clock, sleep=fake.sleep, tick=0.5, plain=False)
    out = buf.getvalue()
    enter, leave = out.index("\x1b[?1049h"), out.index("\x1b[?1049l")
    assert enter < out.index("Light-headed?") < leave  # the instruction is on the screen
    assert out[leave:].endswith(DONE + "\n")  # said on the normal screen, where it stays
    assert out.count(DONE) == 1


def test_a_terminal_narrowed_mid_guide_goes_on_in_plain_lines() -> None:
    con, buf = terminal(80)
    fake = FakeTime()

    def sleep(seconds: float) -> None:
        fake.sleep(seconds)
        if fake.t - 1000.0 == 3.5:  # half a second into "Out"
            con.size = (30, 24)

    result = run_guide(SIGH, 0.25, con, clock=fake.clock, sleep=sleep, tick=0.5)
    assert result["seconds"] == 15 and not result["stopped_early"]
    out = buf.getvalue()
    leave = "\x1b[?1049l"
    after = out[out.index(leave) + len(leave) :]
    assert "\x1b" not in after
    # what is left of "Out" (6 - 0.5), then whole phases
    assert after.splitlines() == ["Out · 6", "In · 2", "More · 1", "Out · 6", DONE]


def test_the_frame_follows_the_width_it_is_given() -> None:
    con, buf = console()
    con.print(frame(SIGH, 60, 60, instruction="Breathe normally if light-headed.", width=50))
    out = buf.getvalue()
    assert "Breathe normally if light-headed." in out
    assert "Ctrl-C stops" not in out  # the instruction says it instead
    bar = next(line for line in out.splitlines() if "━" in line)
    assert len(bar.strip()) == 40
    buf = io.StringIO()
    Console(file=buf, width=30, color_system=None).print(frame(SIGH, 60, 60, width=30))
    lines = buf.getvalue().splitlines()
    assert len(lines) == 6  # cut short, never wrapped onto more lines
    assert max(len(line.rstrip()) for line in lines) <= 30
    assert lines[-1].endswith("…")


@pytest.mark.parametrize("name", sorted(exercises()))
def test_every_exercise_fits_an_80_column_terminal(name: str) -> None:
    assert frame_width(exercises()[name]) <= 80


# what is stored is what was shown; closing words that fit the time


def run_regulate(seconds: float, *, guide: bool = True) -> tuple[Any, str, list[str]]:
    """regulate with its answers given, the guide run (plain, on a fake clock) for
    `seconds` through a real TerminalAsker: the entry, what the guide showed, what was said."""
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.output.plain_text import PlainTextOutput

    from attunecli.askers import PrefilledAsker
    from attunecli.engine import RunOptions, run_practice
    from attunecli.terminal import TerminalAsker

    con, buf = console()
    said = io.StringIO()
    fake = FakeTime(stop_on=int(seconds) + 1 if seconds < 60 else None)

    class Asker(TerminalAsker):
        def guide(self, exercise: Exercise, minutes: float) -> Any:
            if not self.guide_enabled:
                return None
            self.say(exercise.instruction, "note")
            return run_guide(
                exercise, minutes, con, clock=fake.clock, sleep=fake.sleep, tick=1, plain=True
            )

    class WideOutput(PlainTextOutput):
        # Wide enough that no line is broken, so each thing said is one line here.
        def get_size(self) -> Size:
            return Size(rows=40, columns=1000)

    inner = Asker(
        now=lambda: NOW,
        console=lambda: con,
        output=WideOutput(said),
        guide_enabled=guide,
        plain=True,
    )
    given = {"arousal_before": 6, "exercise": "box-breathing", "arousal_after": 3, "note": None}
    entry = run_practice(
        practice("regulate"),
        PrefilledAsker(given, inner),
        RunOptions(now=lambda: NOW, guide_minutes=max(seconds, 60) / 60),
    )
    return entry, buf.getvalue(), said.getvalue().splitlines()


def test_the_guide_is_stored_as_it_was_shown() -> None:
    entry, shown, said = run_regulate(20)
    guide = next(a for a in entry.answers if a.kind == "guide")
    assert guide.question == "Box breathing" == shown.splitlines()[0]
    instruction = guide.details["instruction"]
    assert "Light-headed? Breathe normally" in instruction
    assert instruction in said  # on the screen, word for word
    assert guide.answer == {"planned_seconds": 60, "seconds": 20, "stopped_early": True}
    VALIDATOR.validate(entry.to_json())


def test_a_guide_that_did_not_run_stores_no_instruction() -> None:
    entry, shown, said = run_regulate(20, guide=False)
    guide = next(a for a in entry.answers if a.kind == "guide")
    assert guide.answer is None and guide.details == {}
    assert shown == ""
    assert not any("Light-headed" in line for line in said)


@pytest.mark.parametrize(
    ("seconds", "closing"),
    [
        (20, "Even a short pause counts."),
        (60, "You gave yourself a minute."),
        (150, "You gave yourself 2 minutes."),  # rounded down, never up
    ],
)
def test_closing_words_fit_the_time_practised(seconds: float, closing: str) -> None:
    *_, said = run_regulate(seconds)
    assert said[-1].startswith(closing)
    assert "a few minutes" not in " ".join(said)


def test_closing_words_without_the_guide_claim_no_time() -> None:
    *_, said = run_regulate(20, guide=False)
    assert "minute" not in said[-1] and "pause" not in said[-1]
    assert said[-1] == practice("regulate").closing
