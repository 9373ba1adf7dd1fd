"""The one exception type the core raises, and the exit codes it maps to.

`report` turns any exception into one line of stderr and its exit code (an
`AttuneError` into its message and `exit_code`); every way into the program ends
there, and nothing else prints a traceback.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class AttuneError(Exception):
    """A failure the user can act on: one line of text and an exit code."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(AttuneError):
    """Bad or missing input: an option, an answer, a value out of range."""

    exit_code = EXIT_USAGE


class MissingAnswers(UsageError):
    """A practice ran without a terminal and some required answers were not given."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__("missing answers: " + "; ".join(missing))


class NotFound(AttuneError):
    """An id or file that does not exist."""


class SaveFailed(AttuneError):
    """The entry could not be written. `entry` holds it; `draft_kept` says whether the
    answers are safe in a draft, or must be printed so that nothing is lost."""

    def __init__(self, message: str, entry: object, *, draft_kept: bool = False) -> None:
        super().__init__(message)
        self.entry = entry
        self.draft_kept = draft_kept


class Cancelled(AttuneError):
    """The user stopped (Ctrl-C or Ctrl-D).

    `kept` says what they chose: "entry" (then `entry` holds it, marked
    incomplete), "draft" (finish later), "discard", or "nothing" (nothing had
    been answered yet).
    """

    exit_code = EXIT_INTERRUPTED

    def __init__(self, entry: object | None = None, *, kept: str = "nothing") -> None:
        super().__init__("cancelled")
        self.entry = entry
        self.kept = kept


class StdoutClosed(ValueError):
    """A write to a stdout that was closed before attune started (`attune show >&-`).

    A ValueError, as writing to a closed Python file is."""


class StdoutFailed(OSError):
    """A write to stdout failed (a full disk, a device error): what `entry.main` makes of
    stdout's OSError, so that it is told apart from a file's."""


_NOT_ON_ONE_LINE = "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]"


def one_line(text: str) -> str:
    """`text` with every character that could break or hide part of a line (C0 and C1
    controls, DEL, line separators, undecodable bytes) shown as a ``\\x0a``-style code."""
    import re

    def code(m: re.Match[str]) -> str:
        n = ord(m.group())
        return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"

    return re.sub(_NOT_ON_ONE_LINE, code, text)


def _stderr_line(line: str) -> None:
    import sys

    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def quiet_stdout() -> None:
    """Point fd 1 at /dev/null once stdout has failed, so that what is still buffered
    cannot fail again (and print Python's own complaint) when the program exits."""
    import contextlib
    import os

    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
        finally:
            os.close(devnull)


def _stdout_failed(exc: BaseException) -> bool:
    return isinstance(exc, StdoutClosed | StdoutFailed | BrokenPipeError)


def report(exc: BaseException, say: Callable[[str], None] | None = None) -> int:
    """The one error reporter: `exc` as one line on stderr and its documented exit code.

    Every way in uses it: the console script's door (`entry.main`), the quick
    path, the remind fast path and every Typer command (`cli.common.guarded`),
    the guide and the prompts included. `say` writes the line (stderr unless
    given). With ATTUNE_DEBUG set, an unexpected error is raised again, traceback
    and all.
    """
    import contextlib
    import os

    line: str | None
    code = EXIT_ERROR
    if isinstance(exc, AttuneError):
        line, code = exc.message, exc.exit_code
    elif isinstance(exc, KeyboardInterrupt):
        line, code = "interrupted", EXIT_INTERRUPTED
    elif _stdout_failed(exc):
        quiet_stdout()
        if isinstance(exc, BrokenPipeError):
            line = None  # the reader went away (`attune history | head`): nothing to say
        elif isinstance(exc, StdoutClosed):
            line = "could not write to stdout: it is closed"
        else:
            assert isinstance(exc, OSError)
            line = f"could not write to stdout: {exc.strerror or exc}"  # full, or failing
    elif os.environ.get("ATTUNE_DEBUG"):
        raise exc
    elif isinstance(exc, RecursionError):
        line = "unexpected error: something was nested too deeply to read"
    else:
        line = f"unexpected error: {type(exc).__name__}: {' '.join(str(exc).split())}"
        line += " (set ATTUNE_DEBUG=1 to see where)"
    # When stderr itself is gone, the exit code is all that is left to say it.
    if line is not None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            (say or _stderr_line)("attune: " + one_line(line))
    return code
