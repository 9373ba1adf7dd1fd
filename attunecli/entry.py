"""The `attune` console script.

`attune --version`, a plain `attune remind` and the plain forms of `history`,
`search`, `insights` and `check-reply` are answered here, before Typer is
imported: scripts, cron and people looking back call them most, and Typer's import alone costs
several times a bare Python start. Everything else (help and completion
included) goes to the Typer app.

Whichever way a command goes, a failure ends in `errors.report`: one line on
stderr and the exit code the README documents, never a traceback.
"""

from __future__ import annotations

import io
import os
import sys

from attunecli.errors import EXIT_OK, StdoutClosed, StdoutFailed, report


class _ClosedStdout(io.TextIOBase):
    """What stdout is when attune started with it closed (`attune show >&-`): every
    write fails with `StdoutClosed`, which `report` turns into one line."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise StdoutClosed("stdout is closed")


class _Stdout(io.TextIOWrapper):
    """The process's stdout, whose failures say they are stdout's (`StdoutFailed`), so
    that `report` can name them rightly: a full disk there is not a file's problem."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutFailed(exc.errno, exc.strerror) from exc

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutFailed(exc.errno, exc.strerror) from exc


def _hold_standard_streams() -> io.TextIOWrapper | None:
    """Put /dev/null where fd 0, 1 or 2 is closed, so that no file attune opens later
    (an entry, the index) takes that number and receives what is printed; a closed
    stdout still says so on the first write (see `_ClosedStdout`). Returns the stdout
    that `_Stdout` stands in for, if it does, to be put back at the end."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            if os.open(os.devnull, os.O_RDWR) != fd:  # the lowest free number: this one
                continue
            if fd == 0:
                sys.stdin = open(fd, encoding="utf-8", closefd=False)  # noqa: SIM115
            elif fd == 1:
                sys.stdout = _ClosedStdout()
            else:
                sys.stderr = open(fd, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    out = sys.stdout
    if type(out) is io.TextIOWrapper and out is sys.__stdout__:  # not a test's capture
        out.flush()
        sys.stdout = _Stdout(
            open(1, "wb", closefd=False),  # noqa: SIM115 (lives to exit)
            encoding=out.encoding,
            errors=out.errors,
            newline=None if os.name == "nt" else "\n",
            line_buffering=out.line_buffering,
            write_through=out.write_through,
        )
        return out
    return None


def main(argv: list[str] | None = None) -> int:
    stood_in_for = _hold_standard_streams()
    args = sys.argv[1:] if argv is None else argv
    held = None
    if args and any(a in ("feelings", "insights", "show", "history", "search") for a in args):
        from attunecli import pager

        page, args = pager.wanted(args, isatty=_isatty(sys.stdout))
        if page:
            held = pager.Held(sys.stdout)
            sys.stdout = held
    try:
        try:
            code = _dispatch(args)
        finally:
            if held is not None:
                sys.stdout = held.real
                from attunecli.pager import show

                show(held.getvalue(), sys.stdout)
        if sys.stdout is not None:
            sys.stdout.flush()  # a full or vanished stdout fails here, and is said here
    except (Exception, KeyboardInterrupt) as exc:
        code = report(exc)
    if stood_in_for is not None and isinstance(sys.stdout, _Stdout):
        try:  # noqa: SIM105 (contextlib costs a start-up its import)
            sys.stdout.flush()  # nothing left, or fd 1 is /dev/null by now
        except (OSError, ValueError):
            pass
        sys.stdout = stood_in_for
    return code


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _dispatch(args: list[str]) -> int:
    if "_ATTUNE_COMPLETE" in os.environ:  # a TAB press: answered without Typer when it can be
        from attunecli.completion import main_fast as complete

        completed = complete()
        if completed is not None:
            return completed
    elif not args:  # someone exploring: a short map, at once
        from attunecli.overview import text

        sys.stdout.write(text())
        return EXIT_OK
    if args == ["--version"]:
        from attunecli import __version__

        sys.stdout.write(f"attune {__version__}\n")
        return EXIT_OK
    if args[:1] == ["remind"]:
        # Cron and timers call this every day; skipping Typer keeps it quick.
        from attunecli.remind import main_fast

        reminded = main_fast(args[1:])
        if reminded is not None:
            return reminded
    if args[:1] in (["history"], ["search"], ["insights"], ["check-reply"]):
        from attunecli.quick import main as quick

        answered = quick(args)
        if answered is not None:
            return answered
    from attunecli.cli import app

    try:
        app(args=args, prog_name="attune")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return EXIT_OK
