"""A pager for long output at a terminal: `feelings`, `insights`, `show`, `history`
and `search` page when what they print is taller than the screen.

The command writes into `Held`, a stand-in for stdout that says it is a terminal
(so colour and layout are decided as for the terminal itself); at the end the text
goes to the pager when it overflows, else straight out. Never when stdout is not
a terminal, with `--no-pager`, or with ATTUNE_PAGER set empty. The pager is
ATTUNE_PAGER, else PAGER, else `less` (with LESS=FRX unless LESS is set: quit if it
fits, keep colour, leave the text on screen).
"""

from __future__ import annotations

import io
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import IO

PAGED = frozenset({"feelings", "insights", "show", "history", "search"})
FLAG = "--no-pager"


class Held(io.StringIO):
    """stdout held back until the command is done; a terminal for everyone who asks."""

    def __init__(self, real: IO[str]) -> None:
        super().__init__()
        self.real = real

    def isatty(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.real, "encoding", None) or "utf-8"


def the_command(args: list[str]) -> str | None:
    """The command word, after any global options before it."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("--no-color", FLAG) or arg.startswith("--data-dir="):
            i += 1
        elif arg == "--data-dir":
            i += 2
        else:
            return arg
    return None


def wanted(args: list[str], *, isatty: bool) -> tuple[bool, list[str]]:
    """Whether this run may page, and its arguments without `--no-pager` (the Typer app
    takes it anywhere too, and ignores it; `--` ends the options, so `search --
    --no-pager` looks for those words)."""
    if the_command(args) not in PAGED:
        return False, args
    end = args.index("--") if "--" in args else len(args)
    asked_not = FLAG in args[:end]
    rest = [a for i, a in enumerate(args) if not (i < end and a == FLAG)]
    return isatty and not asked_not, rest


def command(environ: Mapping[str, str]) -> list[str] | None:
    """The pager to run, or None for none (ATTUNE_PAGER set empty, or `cat`)."""
    import shlex

    if "ATTUNE_PAGER" in environ:
        chosen = environ["ATTUNE_PAGER"]
    else:
        chosen = environ.get("PAGER", "") or "less"
    try:
        argv = shlex.split(chosen)
    except ValueError:
        return None
    if not argv or argv[0] == "cat":
        return None
    return argv


def overflows(text: str, rows: int) -> bool:
    return text.count("\n") >= max(rows - 1, 1)


def show(text: str, real: IO[str], environ: Mapping[str, str] | None = None) -> None:
    """`text` through the pager when it is taller than the screen, else as it is.

    What is only needed to page is imported here: the quick reading paths pay for
    it only when there is something to page."""
    environ = os.environ if environ is None else environ
    try:
        rows = os.get_terminal_size(real.fileno()).lines
    except (AttributeError, OSError, ValueError):
        rows = 24
    if not (text and overflows(text, rows)):
        real.write(text)
        return
    import shutil
    import signal
    import subprocess

    argv = command(environ)
    if argv is None or shutil.which(argv[0]) is None:
        real.write(text)
        return
    env = dict(environ)
    if os.path.basename(argv[0]) == "less" and "LESS" not in env:
        env["LESS"] = "FRX"
    real.flush()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the pager's
    try:
        pager = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
        assert pager.stdin is not None
        try:
            pager.stdin.write(text.encode(getattr(real, "encoding", None) or "utf-8", "replace"))
            pager.stdin.close()
        except BrokenPipeError:
            pass  # quit before the end: that is the reader's choice
        pager.wait()
    except OSError:
        real.write(text)  # the pager would not start: the text still reaches the screen
    finally:
        signal.signal(signal.SIGINT, previous)
