"""The live breathing and grounding guide for `attune regulate`, drawn with Rich.

The timing is a pure function (`position`) so it can be tested without waiting;
`run_guide` takes its clock and sleep from the caller for the same reason.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attunecli.catalog import Exercise, Phase
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


def frame(exercise: Exercise, elapsed: float, total: float) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding
    from rich.progress_bar import ProgressBar
    from rich.text import Text

    pos = position(exercise, elapsed)
    head = Text(exercise.label, style="bold")
    phase = Text()
    phase.append(f"  {pos.phase.name}", style="bold cyan")
    phase.append(f"   {pos.left}", style="bold")
    left = max(0, int(total - elapsed))
    clock_left = f"{left // 60}:{left % 60:02d}"
    foot = Text(
        f"  {clock_left} left · round {pos.round} · Ctrl-C stops, your entry is kept", style="dim"
    )
    # Padding also gives the bar its own line (a bare ProgressBar ends without a line break).
    bar = Padding(ProgressBar(total=total, completed=min(elapsed, total), width=40), (0, 0, 0, 2))
    return Group(head, Text(""), phase, Text(""), bar, foot)


def run_guide(
    exercise: Exercise,
    minutes: float,
    console: Console,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    tick: float = 0.2,
) -> dict[str, JSON]:
    """Show the guide for `minutes`; Ctrl-C ends it early and is not an error."""
    from rich.live import Live

    total = max(1.0, minutes * 60.0)
    start = clock()
    elapsed = 0.0
    stopped = False
    try:
        with Live(
            frame(exercise, 0, total), console=console, auto_refresh=False, transient=False
        ) as live:
            while elapsed < total:
                sleep(tick)
                elapsed = clock() - start
                live.update(frame(exercise, elapsed, total), refresh=True)
    except KeyboardInterrupt:
        stopped = True
        elapsed = clock() - start
    return {
        "planned_seconds": round(total),
        "seconds": round(min(elapsed, total)),
        "stopped_early": stopped,
    }
