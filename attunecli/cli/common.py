"""Pieces every command shares: the error guard, option aliases, date parsing."""

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from attunecli.cli.deps import Deps
from attunecli.days import parse_day as parse_day  # the commands' one place for it
from attunecli.errors import EXIT_INTERRUPTED, UsageError, report

F = TypeVar("F", bound=Callable[..., Any])


def deps(ctx: typer.Context) -> Deps:
    obj = ctx.find_root().obj
    assert isinstance(obj, Deps)
    return obj


def guarded(fn: F) -> F:
    """Turn any error into one line on stderr and the documented exit code (`errors.report`)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # Typer hands the context in as whatever Context class it builds; look for its method.
        ctx = next((a for a in [*args, *kwargs.values()] if hasattr(a, "find_root")), None)
        d = deps(ctx) if ctx is not None else Deps()
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            raise typer.Exit(report(exc, d.say)) from None

    return wrapper  # type: ignore[return-value]


def confirmed(d: Deps, question: str, *, yes: bool, without_terminal: str, default: bool) -> bool:
    """Whether to go ahead with a change: --yes, or a person who says so.

    Without a terminal only --yes goes ahead; anything else is a usage error
    (`without_terminal` says what to do), because `echo y |` must not pass.
    """
    if yes:
        return True
    if not d.is_interactive():
        raise UsageError(without_terminal)
    try:
        if typer.confirm(question, default=default, err=True):
            return True
    except typer.Abort:  # Ctrl-C (or Ctrl-D) at the question: stopped, like anywhere else
        d.say("\nStopped. Nothing was changed.")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    d.say("Nothing was changed.")
    return False


def complete_feeling(incomplete: str) -> list[str]:
    from attunecli.catalog import vocabulary

    return sorted(w for w in vocabulary().feelings if w.startswith(incomplete.lower()))


def complete_context(incomplete: str) -> list[str]:
    from attunecli.catalog import contexts

    return [c for c in contexts() if c.startswith(incomplete.lower())]


def complete_exercise(incomplete: str) -> list[str]:
    from attunecli.catalog import exercises

    return [e for e in exercises() if e.startswith(incomplete.lower())]


# Options shared by several commands, declared once.
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
PlainListOpt = Annotated[
    bool,
    typer.Option("--plain", help="One record a line, fields by tabs, ISO dates, never folded."),
]
NoInputOpt = Annotated[
    bool,
    typer.Option(
        "--no-input",
        help="Never prompt; take answers from options and --answers only (also ATTUNE_NO_INPUT=1).",
    ),
]
AnswersOpt = Annotated[
    str | None,
    typer.Option(
        "--answers",
        metavar="FILE",
        help='JSON object of answers keyed by prompt id, from FILE or "-" for stdin.',
    ),
]
ForOpt = Annotated[
    str | None,
    typer.Option(
        "--for",
        metavar="WHEN",
        help="Fill in a day you missed: yesterday, a weekday, YYYY-MM-DD or 3d, "
        "with an optional time (yesterday 21:30), or a time alone (earlier today). "
        "It counts on that day.",
    ),
]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="Pick up the draft a stopped run left (no question asked).")
]
DiscardOpt = Annotated[
    bool, typer.Option("--discard", help="Throw away the draft a stopped run left, and start over.")
]
NoteOpt = Annotated[str | None, typer.Option("--note", help="Anything else to keep.")]
FeelingOpt = Annotated[
    str | None,
    typer.Option(
        "--feeling",
        help="A feeling word (see `attune feelings`; your own word is kept too).",
        autocompletion=complete_feeling,
    ),
]
IntensityOpt = Annotated[
    int | None, typer.Option("--intensity", min=0, max=10, help="How strong, 0 to 10.")
]
ContextOpt = Annotated[
    str | None,
    typer.Option(
        "--context",
        help="Who: partner, child, friend, family, colleague, client or self.",
        autocompletion=complete_context,
    ),
]
TheirFeelingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--their-feeling",
        help="A feeling they may have had (repeat for more).",
        autocompletion=complete_feeling,
    ),
]
WhatOpt = Annotated[str | None, typer.Option("--what", help="What happened, in a few words.")]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where entries are kept (default: ATTUNE_DATA_DIR, else the platform's data dir).",
        file_okay=False,
        show_default=False,
    ),
]
