"""A progress bar on stderr for long work (import, export, indexing, doctor), at a terminal only.

Nothing is drawn on a pipe or under TERM=dumb: each bar is then a callback
that does nothing. Rich is imported only when a bar is drawn.
"""

from __future__ import annotations

import contextlib
import os
from typing import TypeVar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import IO

T = TypeVar("T")


def _wanted(stream: IO[str]) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (ValueError, AttributeError):
        return False


@contextlib.contextmanager
def bars(
    stream: IO[str], *labels: str, show: bool = True
) -> Iterator[list[Callable[[int, int], None]]]:
    """One `update(done, total)` for each label, drawn as one bar each (Rich allows one
    live display at a time, so they share it); gone when the block ends."""
    if not (show and _wanted(stream)):
        yield [lambda done, total: None for _ in labels]
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(file=stream, highlight=False, markup=False)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,  # what a command prints stays on stdout, never in the bar
    ) as progress:

        def updater(task: object) -> Callable[[int, int], None]:
            def update(done: int, of: int) -> None:
                progress.update(task, completed=done, total=of)  # type: ignore[arg-type]

            return update

        yield [updater(progress.add_task(label, total=None)) for label in labels]


def counted(
    items: Iterable[T], total: int, update: Callable[[int, int], None], every: int = 200
) -> Iterator[T]:
    """`items`, telling `update` how many have gone by (every `every`, and at the end)."""
    n = 0
    for n, item in enumerate(items, start=1):
        if n % every == 0:
            update(n, max(total, n))
        yield item
    update(n, max(total, n))


BAR_FROM = 1000  # files to read before a progress bar is worth showing (a second or so)


class LazyBar:
    """An `update(done, total)` for work that may be small: one bar on `stream`, drawn
    once `total` reaches `at_least` (at a terminal only), gone when `done` reaches
    `total`. The store and the index take it as a plain callback and know nothing of
    bars."""

    def __init__(self, stream: IO[str], label: str, at_least: int = BAR_FROM) -> None:
        self.stream, self.label, self.at_least = stream, label, at_least
        self._open: contextlib.ExitStack | None = None
        self._update: Callable[[int, int], None] | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._update is None:
            if total < self.at_least or done >= total:
                return
            self._open = contextlib.ExitStack()
            (self._update,) = self._open.enter_context(bars(self.stream, self.label))
        self._update(done, total)
        if done >= total:
            self._open.close()  # type: ignore[union-attr]
            self._open = self._update = None
