"""The live guide: pure timing, an injected clock and sleep, and drawing to any Rich console."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from attunecli.catalog import Exercise, Phase, exercises
from attunecli.guide import frame, position, run_guide

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
    result = run_guide(SIGH, 1, con, clock=fake.clock, sleep=fake.sleep, tick=0.5)
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
