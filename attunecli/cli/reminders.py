"""Commands for reminders: remind (cron-safe) and schedule (install, status, remove)."""

from typing import Annotated

import typer

from attunecli.cli.common import confirmed, deps, guarded


def register(app: typer.Typer) -> None:
    @app.command("remind")
    @guarded
    def remind(
        ctx: typer.Context,
        notify: Annotated[
            bool,
            typer.Option("--notify", help="A desktop notification instead of a line (falls back)."),
        ] = False,
        as_json: Annotated[
            bool, typer.Option("--json", help="Always print what was decided, as JSON.")
        ] = False,
        max_per_day: Annotated[
            int, typer.Option("--max-per-day", min=1, help="Nudge at most this many times a day.")
        ] = 1,
    ) -> None:
        """A gentle nudge, for cron and timers: silent when there is nothing to say.

        Nudges when you have not checked in yet today (a day starts at the
        `day-start` setting, 04:00 by default) or when a repair's follow-up date
        has come. Otherwise it prints nothing and exits 0. It never prompts and
        never writes colour.

        \b
        Examples:
          attune remind
          attune remind --notify
          attune remind --json --max-per-day 2
        """
        import warnings

        from attunecli import remind as core

        warnings.simplefilter("ignore")
        d = deps(ctx)
        core.run(
            d.paths, d.now(), max_per_day=max_per_day, as_json=as_json, desktop=notify, out=d.out
        )

    schedule_app = typer.Typer(
        help=(
            "Install, show or remove a daily reminder (cron, systemd timer or launchd).\n\n"
            "\b\nExamples:\n"
            "  attune schedule install --at 20:30\n"
            "  attune schedule status\n"
            "  attune schedule remove"
        ),
        no_args_is_help=True,
        rich_markup_mode=None,
    )

    @schedule_app.command("install")
    @guarded
    def schedule_install(
        ctx: typer.Context,
        at: Annotated[str, typer.Option("--at", help="When, in 24-hour local time: 20:30.")],
        days: Annotated[
            str,
            typer.Option("--days", help="daily, weekdays, weekends, mon-fri or mon,wed,fri."),
        ] = "daily",
        via: Annotated[
            str | None,
            typer.Option("--via", help="cron, systemd or launchd (default: what this system has)."),
        ] = None,
        notify: Annotated[
            bool | None,
            typer.Option(
                "--notify/--no-notify",
                help="Desktop notification instead of a line (default: on, except for cron).",
            ),
        ] = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Print what would be written; change nothing.")
        ] = False,
    ) -> None:
        """Install the daily reminder; shows exactly what it will write and asks first.

        Installing again replaces the reminder; nothing else in your crontab or
        timers changes. The data, config, state and cache folders attune uses
        now are written into the reminder, since cron and timers do not see
        your shell's environment.

        \b
        Examples:
          attune schedule install --at 20:30
          attune schedule install --at 21:00 --days mon-fri --via cron --yes
          attune schedule install --at 08:00 --dry-run
        """
        from attunecli import schedule as core
        from attunecli.errors import UsageError

        d = deps(ctx)
        plan_at, plan_days = core.parse_at(at), core.parse_days(days)
        if not (yes or dry_run or d.is_interactive()):  # refuse before printing anything
            raise UsageError("run again with --yes to install without a terminal, or --dry-run")
        way = via.strip().lower() if via else core.default_via()
        if way not in core.VIAS:
            raise UsageError(f"--via: unknown {via!r}; expected one of: {', '.join(core.VIAS)}")
        want_notify = notify if notify is not None else way != "cron"
        plan = core.Plan.make(plan_at, plan_days, d.paths, notify=want_notify)
        target = d.scheduler(way)
        d.say(f"attune will remind you {plan.describe()}, through {way}, by writing:")
        d.out.write(target.preview(plan) + "\n")
        d.out.flush()
        if dry_run:
            d.say("(dry run: nothing was changed)")
            return
        if not confirmed(
            d,
            "Install it?",
            yes=yes,
            without_terminal="run again with --yes to install without a terminal, or --dry-run",
            default=True,
        ):
            return
        d.say(f"Done: {target.install(plan)}.")

    @schedule_app.command("status")
    @guarded
    def schedule_status(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    ) -> None:
        """Show the reminders attune has installed: when and how, then the line or unit.

        \b
        Examples:
          attune schedule status
          attune schedule status --json
        """
        import json

        from attunecli import schedule as core

        d = deps(ctx)
        found = {way: d.scheduler(way).status() for way in core.VIAS}
        when = {way: d.scheduler(way).when() for way, lines in found.items() if lines}
        if as_json:
            installed = {k: v for k, v in found.items() if v}
            d.out.write(json.dumps({"installed": installed, "when": when}) + "\n")
            return
        if not any(found.values()):
            d.out.write(
                "No reminder is installed. `attune schedule install --at 20:30` adds one.\n"
            )
            return
        # In words first; the installed line or unit after, for those who want it.
        for way, said in when.items():
            for words in said:
                d.out.write(f"A reminder {words}, through {way}.\n")
        for way, lines in found.items():
            for line in lines:
                d.out.write(f"  {way}: {line}\n")

    @schedule_app.command("remove")
    @guarded
    def schedule_remove(
        ctx: typer.Context,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    ) -> None:
        """Remove the reminders attune installed, and nothing else.

        \b
        Examples:
          attune schedule remove
          attune schedule remove --yes
        """
        from attunecli import schedule as core
        from attunecli.errors import UsageError

        d = deps(ctx)
        found = {way: d.scheduler(way).status() for way in core.VIAS}
        if not any(found.values()):
            d.out.write("No reminder is installed; nothing to remove.\n")
            return
        if not (yes or d.is_interactive()):  # refuse before printing anything
            raise UsageError("run again with --yes to remove without a terminal")
        for way, lines in found.items():
            for line in lines:
                d.say(f"{way}: {line}")
        if not confirmed(
            d,
            "Remove these?",
            yes=yes,
            without_terminal="run again with --yes to remove without a terminal",
            default=True,
        ):
            return
        for way in core.VIAS:
            for item in d.scheduler(way).remove():
                d.out.write(f"removed ({way}): {item}\n")

    app.add_typer(schedule_app, name="schedule")
