"""Commands around the practices: support and config."""

import json
from typing import Annotated

import typer

from attunecli.cli.common import JsonOpt, deps, guarded


def register(app: typer.Typer) -> None:
    @app.command("support")
    @guarded
    def support_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
        """Crisis lines, and what attune is not.

        \b
        Examples:
          attune support
        """
        from attunecli.catalog import support

        d = deps(ctx)
        s = support()
        if as_json:
            d.out.write(
                json.dumps(
                    {
                        "not_therapy": s.not_therapy,
                        "resources": [{"name": r.name, "how": r.how} for r in s.resources],
                        "coping": list(s.coping),
                        "last_checked": s.last_checked.isoformat(),
                    },
                    indent=2,
                )
                + "\n"
            )
            return
        lines = [s.not_therapy, "", s.intro, ""]
        lines += [f"  {r.name}: {r.how}" for r in s.resources]
        lines += ["", "Things that can help right now:"] + [f"  - {c}" for c in s.coping]
        lines += ["", f"(These resources were last checked on {s.last_checked.isoformat()}.)"]
        d.out.write("\n".join(lines) + "\n")

    config_app = typer.Typer(
        help=(
            "Your settings: attachment-aware tips, and when a day starts.\n\n"
            "\b\nExamples:\n"
            "  attune config set attachment anxious\n"
            "  attune config show\n"
            "  attune config unset attachment"
        ),
        no_args_is_help=True,
        rich_markup_mode=None,
    )

    @config_app.command("show")
    @guarded
    def config_show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
        """Show your settings and where they are kept.

        \b
        Examples:
          attune config show
        """
        from attunecli import config

        d = deps(ctx)
        settings = config.load(d.paths.config_file)
        known = {k: settings.get(k, config.DEFAULTS.get(k)) for k in config.SETTINGS}
        if as_json:
            d.out.write(json.dumps(known, indent=2) + "\n")
            return
        for k, v in known.items():
            note = " (default)" if k not in settings and v is not None else ""
            d.out.write(f"{k} = {v if v is not None else '(not set)'}{note}\n")
        d.say(f"(from {d.paths.config_file})")

    @config_app.command("set")
    @guarded
    def config_set(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(help="The setting: attachment or day-start.")],
        value: Annotated[
            str,
            typer.Argument(
                help="attachment: secure, anxious, avoidant, disorganized or unsure; "
                "day-start: a time like 04:00."
            ),
        ],
    ) -> None:
        """Change a setting.

        `attachment` adds a fitting tip to each practice. It never scores or
        labels you; pick `unsure` for general tips, or `attune config unset
        attachment` for none.

        `day-start` is when a new day begins for reminders (default 04:00), so a
        check-in after midnight still counts for the evening before.

        \b
        Examples:
          attune config set attachment anxious
          attune config set day-start 05:30
        """
        from attunecli import config

        d = deps(ctx)
        config.set_value(d.paths.config_file, key, value)
        d.out.write(f"{key} = {config.check(key, value)}\n")

    @config_app.command("unset")
    @guarded
    def config_unset(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(help="The setting: attachment or day-start.")],
    ) -> None:
        """Remove a setting.

        \b
        Examples:
          attune config unset attachment
        """
        from attunecli import config

        d = deps(ctx)
        config.unset(d.paths.config_file, key)
        d.out.write(f"{key} unset\n")

    app.add_typer(config_app, name="config")
