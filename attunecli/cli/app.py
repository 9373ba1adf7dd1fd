"""The `attune` command: the Typer app, its global options, and where each command lives."""

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer._click.core import Command, Context
from typer._click.exceptions import NoArgsIsHelpError
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperGroup, TyperOption

from attunecli import __version__
from attunecli.cli import (
    checking,
    helping,
    other,
    own,
    practices,
    reading,
    reminders,
    reporting,
    safety,
)
from attunecli.cli.common import DataDirOpt
from attunecli.cli.deps import Deps
from attunecli.errors import AttuneError, report
from attunecli.fsutil import shown

HELP = """\
attune: a few calm minutes of emotional attunement, in your terminal.

Notice what you feel, reflect what others feel, stay curious, settle
yourself, and repair after a miss. Everything stays on this machine as
JSON files you own.

attune is a self-reflection tool, not therapy and not for emergencies:
`attune support` lists help lines.

\b
Examples:
  attune checkin            the daily check-in
  attune checkin --quick    one minute: feeling, intensity, one line
  attune history --last 5   your last five entries
"""


class AttuneGroup(TyperGroup):
    """Typer's group, with every error as one line on stderr.

    Click prints usage errors as three lines (usage, a hint, the error). attune
    says `attune: <what is wrong> (see 'attune CMD --help')` instead, with the
    same exit code, so scripts and cron mail get one clear line.
    """

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        _globals_after_every_command(self)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:
            # A bare `attune` (or `attune config`) is someone exploring: help, on stdout, exit 0.
            if exc.ctx is not None:
                sys.stdout.write(exc.ctx.get_help() + "\n")
            _exit(0)
        except ClickUsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "attune"
            _fail(f"{exc.format_message()} (see '{where} --help')", exc.exit_code)
        except typer.Abort:
            _fail("aborted", 1)
        except typer.TyperException as exc:
            fmt = getattr(exc, "format_message", None)
            _fail(str(fmt() if fmt else exc), int(getattr(exc, "exit_code", 1)))
        return _exit(rv if isinstance(rv, int) else 0)


def _set_data_dir(ctx: Context, _param: Any, value: str | None) -> None:
    if value is None:
        return
    if not value.strip():
        raise typer.BadParameter("expected a folder, got an empty name")
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise typer.BadParameter(f"{shown(value)} is a file, not a folder")
    deps = ctx.find_root().obj
    if isinstance(deps, Deps):
        deps.data_dir = path
        deps._paths = None


def _set_no_color(ctx: Context, _param: Any, value: bool) -> None:
    deps = ctx.find_root().obj
    if value and isinstance(deps, Deps):
        deps.color = False


def _globals_after_every_command(command: Command) -> None:
    """`attune history --no-color` and `attune show ID --data-dir X`: the global options
    after the command too, parsed by each command as its own (so a value such as
    `--note --no-color` stays a value) and applied as the global ones are. Hidden from
    each command's help; `attune --help` lists them."""
    for sub in getattr(command, "commands", {}).values():
        if not any(p.name == "after_data_dir" for p in sub.params):
            sub.params += [
                TyperOption(
                    param_decls=["--data-dir", "after_data_dir"],
                    callback=_set_data_dir,
                    expose_value=False,
                    hidden=True,
                    metavar="<directory>",
                ),
                TyperOption(
                    param_decls=["--no-color", "after_no_color"],
                    is_flag=True,
                    default=False,
                    callback=_set_no_color,
                    expose_value=False,
                    hidden=True,
                ),
                # Acted on before Typer starts (attunecli.pager); taken here so that it
                # is never an error, wherever it is given.
                TyperOption(
                    param_decls=["--no-pager", "after_no_pager"],
                    is_flag=True,
                    default=False,
                    expose_value=False,
                    hidden=True,
                ),
            ]
        _globals_after_every_command(sub)


def _fail(message: str, code: int) -> NoReturn:
    """Click's own errors through the one reporter: its lines joined into one."""
    error = AttuneError(" ".join(message.split()))
    error.exit_code = code
    _exit(report(error))


def _exit(code: int) -> NoReturn:
    sys.stdout.flush()
    raise SystemExit(code)


app = typer.Typer(
    cls=AttuneGroup,
    name="attune",
    help=HELP,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"attune {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: DataDirOpt = None,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour or styles (NO_COLOR is honoured too).")
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Never page long output (feelings, insights, show, history, search); "
            "ATTUNE_PAGER= does the same, ATTUNE_PAGER or PAGER picks the pager.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    deps = ctx.obj if isinstance(ctx.obj, Deps) else Deps()
    if data_dir is not None:
        deps.data_dir = data_dir
        deps._paths = None
    if no_color:
        deps.color = False
    ctx.obj = deps


practices.register(app)
checking.register(app)
reading.register(app)
reading.register_insights(app)
reading.register_exchange(app)
own.register(app)
reporting.register(app)
reminders.register(app)
other.register(app)
safety.register(app)
other.register_care(app)
helping.register(app)
