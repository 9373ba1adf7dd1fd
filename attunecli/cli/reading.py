"""Commands that read: history, show, repairs, feelings, path."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from attunecli.cli.common import JsonOpt, PlainListOpt, deps, guarded, parse_day
from attunecli.labels import HISTORY_SHOWN, PRACTICE_CHOICES, SEARCH_SHOWN


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (ValueError, AttributeError):
        return False


def _dump(d: Any, data: Any) -> None:
    from attunecli.plain import write_json

    write_json(d.out, data)


def register(app: typer.Typer) -> None:
    @app.command("history")
    @guarded
    def history(
        ctx: typer.Context,
        last: Annotated[
            int, typer.Option("--last", "-n", min=1, help="How many entries, newest first.")
        ] = HISTORY_SHOWN,
        practice: Annotated[
            str | None,
            typer.Option(
                "--practice", help="Only this practice: " + ", ".join(PRACTICE_CHOICES) + "."
            ),
        ] = None,
        since: Annotated[
            str | None,
            typer.Option("--since", help="From this day: YYYY-MM-DD, today, yesterday, 7d."),
        ] = None,
        until: Annotated[
            str | None, typer.Option("--until", help="Up to and including this day.")
        ] = None,
        as_json: JsonOpt = False,
        plain: PlainListOpt = False,
    ) -> None:
        """Your recent entries, newest first.

        --plain prints one entry a line for scripts: when (ISO 8601), id, practice,
        complete (yes/no), its summary and, for an entry filled in later, when it
        was written (else empty), separated by tabs, never folded.

        \b
        Examples:
          attune history
          attune history --last 30 --practice regulate
          attune history --since 2026-11-01 --until 2026-11-30 --json | jq '.[].id'
        """
        from attunecli import readers

        readers.history(
            deps(ctx).read_env(),
            last=last,
            since=since,
            until=until,
            practice=practice,
            as_json=as_json,
            plain=plain,
        )

    @app.command("show")
    @guarded
    def show(
        ctx: typer.Context,
        entry_id: Annotated[
            str,
            typer.Argument(
                metavar="ID",
                help="An entry id (a unique prefix is enough), or the entry's file name.",
            ),
        ],
        as_json: Annotated[bool, typer.Option("--json", help="Print the entry's JSON.")] = False,
    ) -> None:
        """One entry in full.

        Every question as it was shown, and your answer. When one id is in two
        files (a copy), each is shown under its file name; give the file name
        to show one.

        \b
        Examples:
          attune show 3f9a1c2e
          attune show 3f9a --json
          attune show 20261125T193000Z-3f9a1c2e5b7d9e01.json
        """
        from attunecli.errors import AttuneError, UsageError
        from attunecli.fsutil import shown
        from attunecli.index import copies_named, find_copies
        from attunecli.plain import literal

        d = deps(ctx)
        store = d.store()
        paths = find_copies(store, entry_id)
        key = literal(entry_id.strip().lower())
        if len(paths) > 1:  # one id in several files: say the whole id
            key = paths[0].name.partition("-")[2].removesuffix(".json")
        if as_json:
            if len(paths) > 1:
                raise UsageError(
                    f"id {key} is in {len(paths)} files: {copies_named(paths)}; "
                    "give the file name to show one (`attune show FILE-NAME --json`)"
                )
            # The file's own JSON, fields this version does not know included.
            [path] = paths
            if store.load(path) is None:
                raise AttuneError(f"entry {key} could not be read: {shown(path)}")
            _dump(d, json.loads(path.read_text(encoding="utf-8")))
            return
        from attunecli.render import entry_view

        if len(paths) == 1:
            entry = store.load(paths[0])
            if entry is None:
                raise AttuneError(f"entry {key} could not be read: {shown(paths[0])}")
            d.console().print(entry_view(entry))
            return
        con = d.console()
        con.print(f"id {key} is in {len(paths)} files; each is shown under its name.")
        readable = 0
        for path in paths:
            con.print()
            con.print(f"file {shown(path.name)}", style="dim")
            entry = store.load(path)
            if entry is None:
                con.print(f"  could not be read: {shown(path)}")
                continue
            readable += 1
            con.print(entry_view(entry))
        if not readable:
            raise AttuneError(f"entry {key} could not be read in any of its files")

    @app.command("repairs")
    @guarded
    def repairs(ctx: typer.Context, as_json: JsonOpt = False, plain: PlainListOpt = False) -> None:
        """Repairs still open, with their follow-up dates.

        --plain prints one repair a line: id, when (ISO 8601), follow-up date,
        context and what happened, separated by tabs.

        \b
        Examples:
          attune repairs
          attune repairs --json
        """
        from attunecli import readers
        from attunecli.days import days_since

        d = deps(ctx)
        env = d.read_env()
        open_ = readers.open_repairs(env)
        today, day_start = env.today(), env.day_start()
        if as_json:
            _dump(
                d,
                [
                    {
                        "id": r.id,
                        "created_at": r.created_at.isoformat(timespec="seconds"),
                        "context": r.answer("context"),
                        "what": r.answer("what"),
                        "follow_up": r.answer("follow_up"),
                        "days_open": days_since(r.created_at, today, day_start),
                    }
                    for r in open_
                ],
            )
            return
        if plain:
            from attunecli.plain import tsv

            for r in open_:
                when = r.created_at.isoformat(timespec="seconds")
                d.out.write(
                    tsv([r.id, when, r.answer("follow_up"), r.answer("context"), r.answer("what")])
                )
            return
        if not open_:
            d.say("No open repairs.")
            return
        from attunecli.render import repairs_table

        d.console().print(repairs_table(open_, today, day_start))
        d.say("Mark one done with `attune repair done ID`.")

    @app.command("feelings")
    @guarded
    def feelings(
        ctx: typer.Context,
        quadrant: Annotated[
            str | None,
            typer.Option(
                "--quadrant",
                help="Only high-pleasant, high-unpleasant, low-pleasant or low-unpleasant.",
            ),
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """The feeling words, with their meanings.

        Grouped by energy (high or low) and pleasantness.

        \b
        Examples:
          attune feelings
          attune feelings --quadrant low-unpleasant
          attune feelings --json | jq 'map(.word)'
        """
        from attunecli.catalog import vocabulary
        from attunecli.errors import UsageError
        from attunecli.labels import QUADRANT_LABELS, QUADRANTS

        d = deps(ctx)
        if quadrant is not None and quadrant not in QUADRANTS:
            raise UsageError(f"--quadrant: expected one of: {', '.join(QUADRANTS)}")
        shown = [quadrant] if quadrant else list(QUADRANTS)
        vocab = vocabulary()
        if as_json:
            _dump(
                d,
                [
                    {
                        "word": f.word,
                        "quadrant": f.quadrant,
                        "energy": f.energy,
                        "pleasant": f.pleasant,
                        "means": f.means,
                    }
                    for q in shown
                    for f in vocab.in_quadrant(q)
                ],
            )
            return
        from rich.table import Table

        con = d.console()
        for q in shown:
            table = Table(
                title=QUADRANT_LABELS[q], title_justify="left", box=None, show_header=False
            )
            table.add_column("word", style="bold", no_wrap=True)
            table.add_column("means")
            for f in vocab.in_quadrant(q):
                table.add_row(f.word, f.means)
            con.print(table)
            con.print()

    @app.command("path")
    @guarded
    def path(ctx: typer.Context, as_json: JsonOpt = False) -> None:
        """Where attune keeps your data.

        The entries, the settings file, state and cache folders.

        \b
        Examples:
          attune path
          attune path --json | jq -r .data
        """
        d = deps(ctx)
        p = d.paths
        places = {
            "data": str(p.data),
            "entries": str(p.entries),
            "config": str(p.config_file),
            "state": str(p.state),
            "cache": str(p.cache),
        }
        if as_json:
            _dump(d, places)
            return
        width = max(map(len, places))
        for k, v in places.items():
            d.out.write(f"{k.ljust(width)}  {v}\n")


def register_insights(app: typer.Typer) -> None:
    @app.command("insights")
    @guarded
    def insights(
        ctx: typer.Context,
        since: Annotated[
            str | None, typer.Option("--since", help="From this day (default: 30 days ago).")
        ] = None,
        until: Annotated[
            str | None,
            typer.Option("--until", help="Up to and including this day (default: today)."),
        ] = None,
        everything: Annotated[bool, typer.Option("--all", help="Every entry you have.")] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """What your entries show over time.

        Days you checked in (a calendar, and your longest run, said gently: a
        missed day is not a failure), feelings by energy and pleasantness, the
        words you used most and where you felt them, intensity by day, what
        settles you, and the repairs still open.

        \b
        Examples:
          attune insights
          attune insights --since 2026-01-01 --until 2026-06-30
          attune insights --all --json | jq .longest_run
        """
        from attunecli import readers

        readers.insights(
            deps(ctx).read_env(), since=since, until=until, everything=everything, as_json=as_json
        )

    @app.command("search")
    @guarded
    def search(
        ctx: typer.Context,
        text: Annotated[str, typer.Argument(help="What to look for (case does not matter).")],
        practice: Annotated[
            str | None, typer.Option("--practice", help="Only this practice.")
        ] = None,
        since: Annotated[str | None, typer.Option("--since", help="From this day.")] = None,
        last: Annotated[
            int, typer.Option("--last", "-n", min=1, help="How many matches, newest first.")
        ] = SEARCH_SHOWN,
        everything: Annotated[bool, typer.Option("--all", help="Every match.")] = False,
        as_json: JsonOpt = False,
        plain: PlainListOpt = False,
    ) -> None:
        """Find words in everything you have written, newest first.

        Case does not matter ("strasse" finds "Straße"). The 20 newest matches
        are shown; stderr says how many there are in all. --plain prints one
        match a line: when, id, practice, answer id and the text, by tabs.

        \b
        Examples:
          attune search "the dishes"
          attune search sister --practice reflect --since 2026-01-01
          attune search tired --all --json | jq '.[].id'
        """
        from attunecli import readers

        readers.search(
            deps(ctx).read_env(),
            text=text,
            practice=practice,
            since=since,
            last=None if everything else last,
            as_json=as_json,
            plain=plain,
        )


def register_exchange(app: typer.Typer) -> None:
    @app.command("export")
    @guarded
    def export(
        ctx: typer.Context,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="json, jsonl, csv or md.")
        ] = "json",
        since: Annotated[str | None, typer.Option("--since", help="From this day.")] = None,
        until: Annotated[
            str | None, typer.Option("--until", help="Up to and including this day.")
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write to this file (default, or -: stdout)."),
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Replace --output if it exists.")
        ] = False,
    ) -> None:
        """Export entries: json or jsonl to keep or import, csv for a spreadsheet, md to read.

        `md` is a short summary followed by the entries of the period, fit to
        bring to a therapy session. An existing file is never replaced without
        --force; the file is readable by you only.

        \b
        Examples:
          attune export --format jsonl -o attune.jsonl
          attune export --format md --since 30d -o for-my-session.md
          attune export --format csv | head
        """
        from attunecli import exchange, readers
        from attunecli.errors import UsageError

        d = deps(ctx)
        if output is not None and str(output) == "-":
            output = None  # `-o -`: stdout, as everywhere
        if fmt not in exchange.FORMATS:
            raise UsageError(f"--format: expected one of: {', '.join(exchange.FORMATS)}")
        env = d.read_env()
        today = env.today()
        lo = parse_day(since, today, "--since") if since else None
        hi = parse_day(until, today, "--until") if until else None
        if lo and hi and lo > hi:
            raise UsageError(f"--since {lo} is after --until {hi}")
        if output is not None and output.exists() and not force:
            raise UsageError(f"{output} already exists; add --force to replace it")
        store = d.store()
        # The summary counts from the index; the entries themselves come from their files.
        figures = readers.period_figures(env, lo, hi) if fmt == "md" else None
        # read one file at a time, as written; each on its day by day-start
        entries = exchange.on_days(store, lo, hi, env.day_start())
        from attunecli.progress import bars, counted

        # A bar on stderr at a terminal, unless the export itself is going to that screen.
        screen = output is None and _isatty(d.out)
        with bars(d.err, "Exporting", show=not screen) as (update,):
            entries = counted(entries, len(store.paths()), update)
            if output is None:
                exchange.write(fmt, entries, figures, d.out)
                return
            n = exchange.write_export(fmt, entries, figures, output, force=force)
        d.say(f"Exported {n} entries to {output}")

    @app.command("import")
    @guarded
    def import_(
        ctx: typer.Context,
        source: Annotated[
            Path, typer.Argument(help="A json or jsonl export, or another attune data folder.")
        ],
        skip_invalid: Annotated[
            bool,
            typer.Option("--skip-invalid", help="Import the valid records even if some are not."),
        ] = False,
        dry_run: Annotated[
            bool,
            typer.Option(
                "--dry-run", help="Check everything and say what would be added; write nothing."
            ),
        ] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Bring entries in from an export or another data folder; ids you have are skipped.

        Every record is checked against the entry schema first. If any is
        invalid, nothing at all is written (unless --skip-invalid).

        \b
        Examples:
          attune import attune.jsonl
          attune import /media/backup/attune --skip-invalid
          attune import attune.jsonl --dry-run
        """
        from attunecli import exchange
        from attunecli.errors import EXIT_ERROR

        d = deps(ctx)
        records = exchange.read_records(source)
        from attunecli.progress import bars

        with bars(d.err, "Checking", "Importing") as (checked, saved):
            report = exchange.import_records(
                records,
                d.store(),
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                on_check=checked,
                on_progress=saved,
            )
        written = (not report.invalid or skip_invalid) and not dry_run
        if as_json:
            _dump(
                d,
                {
                    "added": len(report.added),
                    "already_present": len(report.present),
                    "invalid": len(report.invalid),
                    "written": written,
                    "dry_run": dry_run,
                    "problems": report.invalid,
                },
            )
        else:
            for line in report.invalid[:20]:
                d.say(f"attune: invalid: {line}")
            if len(report.invalid) > 20:
                d.say(f"attune: ... and {len(report.invalid) - 20} more invalid records")
            added = "would add" if dry_run else "added"
            d.out.write(
                f"{added} {len(report.added)}, already present {len(report.present)}, "
                f"invalid {len(report.invalid)}\n"
            )
        if report.invalid and not skip_invalid:
            d.say("attune: nothing was written; fix the records or pass --skip-invalid")
            raise typer.Exit(EXIT_ERROR)
