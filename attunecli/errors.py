"""The one exception type the core raises, and the exit codes it maps to.

The CLI layer turns an `AttuneError` into its message on one line of stderr and
its `exit_code`; nothing else in the program prints a traceback.
"""

from __future__ import annotations

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
