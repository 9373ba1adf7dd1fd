"""Commands around the practices: support and config."""

from typing import Annotated

import typer

from attunecli.cli.common import JsonOpt, confirmed, deps, guarded


def register(app: typer.Typer) -> None:
    @app.command("support")
    @guarded
    def support_cmd(
        ctx: typer.Context,
        every_region: Annotated[
            bool, typer.Option("--all", help="Every region's lines, not only yours.")
        ] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Help lines for any kind of distress, your safety plan, and what attune is not.

        Your own safety plan comes first when you have one. The lines shown are for
        your region (`attune config set region GB`; otherwise your locale's).

        \b
        Examples:
          attune support
          attune support --all
          attune config set region AU
        """
        from attunecli import care, safetyplan

        d = deps(ctx)
        if as_json:
            from attunecli.plain import write_json

            data = care.as_json()
            data["region"] = d.region()
            write_json(d.out, data)
            return
        from attunecli.errors import AttuneError

        try:  # help lines must show whatever state the plan's file is in
            plan = safetyplan.load(safetyplan.plan_path(d.paths))
        except AttuneError as exc:
            plan = None
            d.say(f"attune: {exc.message}")
        shown = safetyplan.lines(plan, skip_empty=True) if plan is not None else []
        lines = care.full(d.region(), every_region=every_region, plan=shown)
        from attunecli.plain import literal

        d.out.write("\n".join(literal(line) for line in lines) + "\n")

    config_app = typer.Typer(
        help=(
            "Your settings: attachment-aware tips, when a day starts, and your region.\n\n"
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
        settings = d.settings()  # and what in them attune cannot use, on stderr
        known = {k: settings.get(k, config.DEFAULTS.get(k)) for k in config.SETTINGS}
        if as_json:
            from attunecli.plain import write_json

            write_json(d.out, known)
            return
        for k, v in known.items():
            note = " (default)" if k not in settings and v is not None else ""
            if k in settings and config.problems({k: v}):
                note = " (ignored: see above)"
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
                help="attachment: secure, anxious, avoidant, fearful-avoidant (or disorganized) "
                "or unsure; "
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
        if key == "attachment":
            from attunecli.catalog import attachment, attachment_note

            chosen = attachment()[config.attachment_style({key: config.check(key, value)}) or ""]
            d.out.write(f"{chosen['label']}: {chosen['about']}\n{attachment_note()}\n")

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


def register_care(app: typer.Typer) -> None:
    @app.command("doctor")
    @guarded
    def doctor_cmd(
        ctx: typer.Context,
        fix: Annotated[
            bool,
            typer.Option("--fix", help="Mend what is safe: permissions, temp files, the index."),
        ] = False,
        yes: Annotated[
            bool, typer.Option("--yes", "-y", help="With --fix: do not ask first.")
        ] = False,
        dry_run: Annotated[
            bool,
            typer.Option("--dry-run", help="With --fix: say what would be mended; change nothing."),
        ] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Check everything attune keeps, and say what needs attention.

        Names unreadable or unexpected files, loose permissions, temp files left
        by an interrupted save, a damaged or stale index, and drafts left
        behind. It never changes an entry's content; --fix only tightens
        permissions, deletes stray temp files and rebuilds the index, after
        asking. Exits 1 when something needs attention.

        \b
        Examples:
          attune doctor
          attune doctor --fix
          attune doctor --json | jq '.findings[].path'
        """
        from attunecli import doctor
        from attunecli.errors import EXIT_ERROR
        from attunecli.progress import LazyBar

        d = deps(ctx)
        report = doctor.examine(d.paths, on_progress=LazyBar(d.err, "Checking entries"))
        if as_json:
            from attunecli.fsutil import json_text
            from attunecli.plain import write_json

            write_json(
                d.out,
                {
                    "locations": {k: json_text(v) for k, v in report.locations.items()},
                    "entries_read": report.entries_read,
                    "needs_attention": report.needs_attention,
                    "findings": [
                        {
                            "kind": f.kind,
                            "path": json_text(f.path),
                            "message": json_text(f.message),
                            "attention": f.attention,
                            "fix": f.fix,
                        }
                        for f in report.findings
                    ],
                },
            )
        else:
            from attunecli.fsutil import shown

            for name, where in report.locations.items():
                d.out.write(f"{name:<8} {shown(where)}\n")
            n = report.entries_read
            d.out.write(f"\n{n} entr{'y' if n == 1 else 'ies'} read\n")
            for f in report.findings:
                mark = "!" if f.attention else "-"
                d.out.write(f"{mark} {shown(f.path)}: {shown(f.message)}\n")
            if not report.needs_attention:
                d.out.write("Everything looks right.\n")
        if fix and report.fixable and dry_run:
            from attunecli.fsutil import shown

            for f in report.fixable:
                d.say(f"would {f.fix}: {shown(f.path)}")
        elif fix and report.fixable:
            todo = ", ".join(sorted({f.fix for f in report.fixable}))
            if not confirmed(
                d,
                f"Mend {len(report.fixable)} things ({todo})?",
                yes=yes,
                without_terminal="run again with --yes to mend without a terminal",
                default=True,
            ):
                raise typer.Exit(EXIT_ERROR if report.needs_attention else 0)
            for line in doctor.fix(d.paths, report):
                d.say(line)
            report = doctor.examine(d.paths, on_progress=LazyBar(d.err, "Checking entries"))
        if report.needs_attention:
            raise typer.Exit(EXIT_ERROR)

    @app.command("forget")
    @guarded
    def forget_cmd(
        ctx: typer.Context,
        entry_id: Annotated[
            list[str] | None,
            typer.Option("--id", help="An entry to forget (a unique id prefix; repeat for more)."),
        ] = None,
        before: Annotated[
            str | None,
            typer.Option("--before", help="Every entry (and draft) from before this day."),
        ] = None,
        everything: Annotated[
            bool, typer.Option("--all", help="Every entry and every draft.")
        ] = False,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Say what would be forgotten; delete nothing.")
        ] = False,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print what was (or would be) forgotten as JSON.")
        ] = False,
    ) -> None:
        """Delete entries for good, with their index rows and drafts; asks first.

        A repair's follow-up goes with the repair. Files attune cannot read are
        left for you (`attune doctor` names them).

        \b
        Examples:
          attune forget --id 3f9a1c2e
          attune forget --before 2025-01-01
          attune forget --all --yes
          attune forget --before 2025-01-01 --dry-run --json
        """
        from attunecli import forget
        from attunecli.cli.common import parse_day
        from attunecli.days import DEFAULT_DAY_START
        from attunecli.drafts import Drafts

        d = deps(ctx)
        store = d.store()
        env = d.read_env()
        day_start = env.day_start() if before else DEFAULT_DAY_START
        cutoff = parse_day(before, env.today(), "--before") if before else None
        chosen = forget.choose(
            store,
            Drafts(d.paths.state),
            ids=entry_id or [],
            before=cutoff,
            everything=everything,
            day_start=day_start,
        )

        def said(deleted: int | None) -> None:
            from attunecli.plain import write_json

            write_json(
                d.out,
                {
                    "entries": [str(p) for p in chosen.entries],
                    "drafts": [str(p) for p in chosen.drafts],
                    "dry_run": dry_run,
                    "files_deleted": deleted,
                },
            )

        if not chosen.entries and not chosen.drafts:
            if as_json:
                said(0)
            else:
                d.out.write("Nothing to forget.\n")
            return
        what = chosen.describe()
        if dry_run:
            if as_json:
                said(None)
                return
            d.out.write(f"Would forget {what}:\n")
            from attunecli.fsutil import shown

            for path in [*chosen.entries, *chosen.drafts]:
                d.out.write(f"  {shown(path)}\n")
            return
        if not confirmed(
            d,
            f"Forget {what}? This cannot be undone.",
            yes=yes,
            without_terminal=f"this would forget {what}; run again with --yes to confirm",
            default=False,
        ):
            return
        gone = forget.forget(chosen, store, d.paths.cache)
        if as_json:
            said(gone)
            return
        d.out.write(f"Forgot {what} ({gone} files deleted).\n")
