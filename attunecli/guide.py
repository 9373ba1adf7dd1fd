"""The live breathing and grounding guide for `attune regulate`, drawn with Rich.

The timing is a pure function (`position`) so it can be tested without waiting;
`run_guide` takes its clock and sleep from the caller for the same reason.

Two ways to show it. Live: the frame is redrawn whole on the terminal's
alternate screen, measured again every tick, so a resize never leaves a stale
copy behind. Plain: one line per phase and never a redraw, with no colour, bold
or cursor codes, for TERM=dumb, a stream that is not a terminal, a terminal
narrower than the frame, screen readers (`--plain`, ATTUNE_PLAIN=1).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attunecli.catalog import Exercise, Phase, guide_words
from attunecli.models import JSON

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


@dataclass(frozen=True)
class Position:
    phase: Phase
    index: int  # which phase
    round: int  # how many times round the loop, from 1
    left: int  # whole seconds left in this phase, counting down to 1


def position(exercise: Exercise, elapsed: float) -> Position:
    """Where the guide is `elapsed` seconds in: phases repeat in order."""
    cycle = sum(p.seconds for p in exercise.phases)
    rounds, t = divmod(max(elapsed, 0.0), cycle)
    for i, phase in enumerate(exercise.phases):
        if t < phase.seconds:
            return Position(phase, i, int(rounds) + 1, max(1, math.ceil(phase.seconds - t)))
        t -= phase.seconds
    last = exercise.phases[-1]
    return Position(last, len(exercise.phases) - 1, int(rounds) + 1, 1)


BAR_WIDTH = 40
PLAIN_ENV = "ATTUNE_PLAIN"


def plain_wanted(env: Mapping[str, str] | None = None) -> bool:
    """Whether plain output was asked for (ATTUNE_PLAIN=1) or the terminal cannot
    redraw or style anything (TERM=dumb): the guide and the prompts both follow it."""
    env = os.environ if env is None else env
    return env.get(PLAIN_ENV, "") not in ("", "0") or env.get("TERM", "") == "dumb"


def _count(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(math.ceil(seconds))


def frame_width(exercise: Exercise) -> int:
    """The narrowest terminal the live frame fits without a line wrapping."""
    longest = max(len(f"  {p.name}   {_count(p.seconds)}") for p in exercise.phases)
    return max(len(exercise.label), longest, BAR_WIDTH + 2)


def frame(
    exercise: Exercise,
    elapsed: float,
    total: float,
    *,
    instruction: str = "",
    width: int | None = None,
) -> RenderableType:
    """One picture of the guide; `instruction` (the step's words) goes under it."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.progress_bar import ProgressBar
    from rich.text import Text

    pos = position(exercise, elapsed)
    head = Text(exercise.label, style="bold", no_wrap=True, overflow="ellipsis")
    phase = Text(no_wrap=True, overflow="ellipsis")
    phase.append(f"  {pos.phase.name}", style="bold cyan")
    phase.append(f"   {pos.left}", style="bold")
    left = max(0, int(total - elapsed))
    foot_text = f"  {left // 60}:{left % 60:02d} left · round {pos.round}"
    if not instruction:
        foot_text += " · " + guide_words()["stops"]
    foot = Text(foot_text, style="dim", no_wrap=True, overflow="ellipsis")
    bar_width = BAR_WIDTH if width is None else max(10, min(BAR_WIDTH, width - 2))
    # Padding also gives the bar its own line (a bare ProgressBar ends without a line break).
    bar = Padding(
        ProgressBar(total=total, completed=min(elapsed, total), width=bar_width), (0, 0, 0, 2)
    )
    parts: list[RenderableType] = [head, Text(""), phase, Text(""), bar, foot]
    if instruction:
        # Prose, so it may wrap: the whole screen is drawn again every tick.
        parts += [Text(""), Padding(Text(instruction, style="dim"), (0, 0, 0, 2))]
    return Group(*parts)


def _measure(console: Console) -> None:
    """Follow a resized terminal: Rich keeps the width it started with (or $COLUMNS)."""
    if not console.is_terminal:
        return
    try:
        size = os.get_terminal_size(console.file.fileno())
    except (OSError, ValueError, AttributeError):
        return
    if size.columns > 0 and size.lines > 0:
        console.size = (size.columns, size.lines)


def use_plain(console: Console, exercise: Exercise, plain: bool | None = None) -> bool:
    """`plain` when given; else plain when asked for, on a dumb terminal or a
    stream that is not one, or when the terminal is narrower than the frame."""
    if plain is not None:
        return plain
    if plain_wanted() or not console.is_terminal or console.is_dumb_terminal:
        return True
    _measure(console)
    return console.width < frame_width(exercise)


def _say(console: Console, line: str) -> None:
    """One plain line: no style, no markup, never cut (the terminal wraps it)."""
    from rich.text import Text

    console.print(Text(line), soft_wrap=True)


def _run_live(
    exercise: Exercise,
    total: float,
    console: Console,
    elapsed_now: Callable[[], float],
    sleep: Callable[[float], None],
    tick: float,
    instruction: str,
) -> float:
    """Redraw the frame until the time is up, or the terminal gets too narrow for
    it (the plain lines take over): the seconds elapsed when it stopped."""
    from rich.live import Live

    need = frame_width(exercise)
    elapsed = elapsed_now()

    def picture() -> RenderableType:
        return frame(exercise, elapsed, total, instruction=instruction, width=console.width)

    # The alternate screen: each refresh draws the whole screen from its top corner,
    # so a resize, which reflows what is already shown, leaves nothing stale.
    # (Not a terminal, only when asked for by `plain=False`: the last frame, once.)
    screen = console.is_terminal
    with Live(
        picture(), console=console, auto_refresh=False, transient=False, screen=screen
    ) as live:
        while elapsed < total:
            sleep(tick)
            elapsed = elapsed_now()
            _measure(console)
            if console.is_terminal and console.width < need:
                break
            live.update(picture(), refresh=True)
    return elapsed


def _run_plain(
    exercise: Exercise,
    total: float,
    console: Console,
    elapsed_now: Callable[[], float],
    sleep: Callable[[float], None],
    tick: float,
    *,
    heading: bool,
) -> None:
    """One line per phase ("Breathe in · 4"), never a redraw, until the time is up."""
    elapsed = elapsed_now()
    if heading:
        _say(console, exercise.label)
    shown: tuple[int, int] | None = None
    while elapsed < total:
        pos = position(exercise, elapsed)
        if (pos.round, pos.index) != shown:
            # A phase joined partway (after a resize) says what is left of it.
            count = _count(pos.phase.seconds) if shown is not None or heading else str(pos.left)
            _say(console, f"{pos.phase.name} · {count}")
            shown = (pos.round, pos.index)
        sleep(tick)
        elapsed = elapsed_now()


def run_guide(
    exercise: Exercise,
    minutes: float,
    console: Console,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    tick: float = 0.2,
    plain: bool | None = None,
) -> dict[str, JSON]:
    """Show the guide for `minutes`; Ctrl-C ends it early and is not an error.

    `plain`: True for plain lines, False for the live frame, None to decide from
    the terminal (see `use_plain`). Either way it ends on the guide's closing line.
    """
    total = max(1.0, minutes * 60.0)
    start = clock()
    elapsed = 0.0
    stopped = False

    def elapsed_now() -> float:
        return clock() - start

    instruction = exercise.instruction
    try:
        plain_now = use_plain(console, exercise, plain)
        if not plain_now:
            elapsed = _run_live(exercise, total, console, elapsed_now, sleep, tick, instruction)
        if elapsed < total:  # plain from the start, or the terminal got too narrow
            _run_plain(exercise, total, console, elapsed_now, sleep, tick, heading=plain_now)
        elapsed = elapsed_now()
    except KeyboardInterrupt:
        stopped = True
        elapsed = elapsed_now()
    with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C: the result still counts
        _say(console, guide_words()["done"])
    return {
        "planned_seconds": round(total),
        "seconds": round(min(elapsed, total)),
        "stopped_early": stopped,
    }
