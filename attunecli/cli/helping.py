"""`attune help [COMMAND]`: the help of any command, where people look for it first."""

from typing import Annotated

import typer
from typer._click.core import Command, Context
from typer.core import TyperGroup

from attunecli.cli.common import guarded
from attunecli.errors import UsageError


def register(app: typer.Typer) -> None:
    @app.command("help")
    @guarded
    def help_cmd(
        ctx: typer.Context,
        command: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="[COMMAND]...", help="A command, such as checkin or repair done."
            ),
        ] = None,
    ) -> None:
        """What a command does, with examples: `attune help repair` is `attune repair --help`.

        \b
        Examples:
          attune help
          attune help checkin
          attune help repair done
        """
        root = ctx.find_root()
        here: Context = root
        found: Command = root.command
        for name in command or []:
            sub = found.get_command(here, name) if isinstance(found, TyperGroup) else None
            if sub is None:
                path = " ".join([*here.command_path.split()[1:], name])
                raise UsageError(f"no such command: {path!r} (see 'attune --help')")
            here = Context(sub, info_name=name, parent=here)
            found = sub
        typer.echo(here.get_help())
