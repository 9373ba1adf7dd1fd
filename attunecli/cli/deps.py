"""What a command needs from the outside world, in one object passed as Typer's `ctx.obj`.

Tests build their own `Deps` (a fixed clock, a pipe input for prompts, string
buffers for output) instead of patching module globals.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from attunecli import stdin
from attunecli.paths import Paths, resolve_paths

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output
    from rich.console import Console

    from attunecli.askers import Asker
    from attunecli.readers import ReadEnv
    from attunecli.schedule import Scheduler
    from attunecli.store import Store


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (ValueError, AttributeError):
        return False


def _local_now() -> datetime:
    return datetime.now().astimezone()


@dataclass
class Deps:
    data_dir: Path | None = None
    out: IO[str] = field(default_factory=lambda: sys.stdout)
    err: IO[str] = field(default_factory=lambda: sys.stderr)
    now: Callable[[], datetime] = _local_now
    interactive: bool | None = None  # None: decide from the streams
    color: bool | None = None  # None: decide from the streams and NO_COLOR
    width: int | None = None
    prompt_input: Input | None = None
    prompt_output: Output | None = None
    stdin_text: Callable[[], str] = field(default=lambda: stdin.read_all())
    schedulers: dict[str, Scheduler] = field(default_factory=dict)  # tests put their own here
    _paths: Paths | None = None
    _settings_checked: bool = False  # problems in config.toml said once a run

    @property
    def paths(self) -> Paths:
        if self._paths is None:
            self._paths = resolve_paths(self.data_dir)
        return self._paths

    def stdin_is_terminal(self) -> bool:
        """Whether stdin is a keyboard (so there is nothing piped in to read)."""
        return stdin.is_terminal()

    def is_interactive(self, no_input: bool = False) -> bool:
        if no_input or os.environ.get("ATTUNE_NO_INPUT", "") not in ("", "0"):
            return False
        if self.interactive is not None:
            return self.interactive
        return _isatty(sys.stdin) and _isatty(self.out)

    def use_color(self, stream: IO[str]) -> bool:
        from attunecli.colour import wanted

        return wanted(isatty=_isatty(stream), environ=os.environ, choice=self.color)

    def console(self) -> Console:
        from attunecli.render import make_console

        return make_console(self.out, color=self.use_color(self.out), width=self.width)

    def err_console(self) -> Console:
        from attunecli.render import make_console

        return make_console(self.err, color=self.use_color(self.err), width=self.width)

    def say(self, line: str) -> None:
        """One plain line on stderr (messages, warnings, errors)."""
        from attunecli.render import literal

        self.err.write(literal(line) + "\n")
        self.err.flush()

    def tell(self, text: str) -> None:
        """Words for a person at a terminal, on stderr: broken between words to its
        width there (never mid-word), one line as `say` when stderr is not a terminal."""
        try:
            at_terminal = self.err.isatty()
        except (AttributeError, ValueError):
            at_terminal = False
        if not at_terminal:
            self.say(text)
            return
        import shutil
        import textwrap

        width = max(shutil.get_terminal_size().columns - 1, 20)
        for line in textwrap.wrap(text, width) or [""]:
            self.say(line)

    def store(self) -> Store:
        from attunecli.store import Store

        return Store(self.paths.data, warn=lambda msg: self.say(f"attune: warning: {msg}"))

    def read_env(self) -> ReadEnv:
        """What `history`, `search` and `insights` need (see `readers.py`)."""
        from attunecli.readers import ReadEnv

        return ReadEnv(
            entries=self.paths.entries,
            cache=self.paths.cache,
            out=self.out,
            err=self.err,
            now=self.now,
            color=self.use_color(self.out),
            width=self.width,
            config_file=self.paths.config_file,
        )

    def settings(self) -> dict[str, Any]:
        """The settings; what attune cannot use in them is named on stderr, once a run."""
        from attunecli import config

        found = config.load(self.paths.config_file)
        if not self._settings_checked:
            self._settings_checked = True
            for problem in config.problems(found):
                self.say(f"attune: {self.paths.config_file}: {problem}")
        return found

    def region(self) -> str | None:
        """Whose help lines come first: the `region` setting, else the locale's country."""
        from attunecli import care, config

        return care.pick_region(config.region(self.settings()), os.environ)

    def scheduler(self, via: str) -> Scheduler:
        if via not in self.schedulers:
            from attunecli.schedule import scheduler

            self.schedulers[via] = scheduler(via)
        return self.schedulers[via]

    def terminal_asker(self, *, guide: bool = True) -> Asker:
        from attunecli.render import make_console
        from attunecli.terminal import TerminalAsker, prompt_stream

        def guide_console() -> Console:
            # The live guide belongs where the prompts are drawn, which is not
            # always stderr (see `prompt_stream`).
            stream = self.err if self.prompt_output is not None else prompt_stream()
            return make_console(stream, color=self.use_color(stream), width=self.width)

        return TerminalAsker(
            now=self.now,
            console=guide_console,
            input=self.prompt_input,
            output=self.prompt_output,
            guide_enabled=guide,
            color=self.use_color(self.err),
        )
