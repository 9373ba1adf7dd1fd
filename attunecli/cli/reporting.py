"""`attune report`: a page of a period, in HTML (and PDF where a browser can print one)."""

from pathlib import Path
from typing import Annotated

import typer

from attunecli.cli.common import deps, guarded
from attunecli.labels import PRACTICE_CHOICES

DEFAULT_SINCE = "30d"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def register(app: typer.Typer) -> None:
    @app.command("report")
    @guarded
    def report(
        ctx: typer.Context,
        since: Annotated[
            str | None,
            typer.Option("--since", help="From this day (default: the last 30 days)."),
        ] = None,
        until: Annotated[
            str | None, typer.Option("--until", help="Up to and including this day.")
        ] = None,
        everything: Annotated[bool, typer.Option("--all", help="Every entry you have.")] = False,
        practice: Annotated[
            str | None,
            typer.Option(
                "--practice", help="Only this practice: " + ", ".join(PRACTICE_CHOICES) + "."
            ),
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="The file to write (- for stdout)."),
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Replace --output if it exists.")
        ] = False,
        pdf: Annotated[
            bool,
            typer.Option("--pdf", help="Write a PDF instead, printed by a headless Chromium."),
        ] = False,
    ) -> None:
        """A page of a period to read or to take along: calendar, week grid, charts, entries.

        One self-contained HTML file: no network, nothing that runs, readable
        offline; your words are shown as text, never as markup. Printing it from
        a browser gives clean pages; --pdf prints it for you where Chromium is
        installed. The file is readable by you only and never replaced without
        --force.

        \\b
        Examples:
          attune report -o month.html
          attune report --since 2026-01-01 --until 2026-03-31 -o winter.html
          attune report --all --pdf -o year.pdf
          attune report -o - | wc -c
        """
        import os
        import sys

        from attunecli import __version__, exchange
        from attunecli import report as build
        from attunecli.cli.common import parse_day
        from attunecli.errors import UsageError
        from attunecli.readers import check_practice

        d = deps(ctx)
        check_practice(practice)
        to_stdout = output is not None and str(output) == "-"
        if output is None and (sys.stdout.isatty() if d.out is sys.stdout else False):
            raise UsageError("give a file to write with -o FILE (or -o - for stdout)")
        if pdf and (output is None or to_stdout):
            raise UsageError("--pdf needs a file to write: -o FILE.pdf")
        if everything and (since or until):
            raise UsageError("--all takes every day; leave out --since and --until")
        env = d.read_env()
        today = env.today()
        store = d.store()
        day_start = env.day_start()
        hi = parse_day(until, today, "--until") if until else today
        if everything:
            first = next(iter(exchange.on_days(store, None, None, day_start)), None)
            lo = min(first.created_at.date(), hi) if first else hi
        else:
            lo = parse_day(since or DEFAULT_SINCE, today, "--since")
        if lo > hi:
            raise UsageError(f"--since {lo} is after --until {hi}")
        chosen = (
            e for e in exchange.on_days(store, lo, hi, day_start)
            if practice is None or e.practice == practice
        )  # fmt: skip
        text = build.page(
            build.period(chosen, lo, hi, day_start),
            generated=d.now(),
            version=__version__,
        )
        if output is None or to_stdout:
            d.out.write(text)
            return
        if output.is_dir():
            raise UsageError(f"--output {output} is a folder; give a file name")
        if output.exists() and not force:
            raise UsageError(f"{output} already exists; add --force to replace it")
        if pdf:
            _print_pdf(text, output, d.paths.cache, force=force)
        else:
            _write_private(output, text.encode("utf-8"), force=force)
        d.say(f"Wrote {output} ({os.path.getsize(output):,} bytes, {lo} to {hi})")


def _write_private(output: Path, data: bytes, *, force: bool) -> None:
    from attunecli.errors import AttuneError, UsageError
    from attunecli.fsutil import atomic_writer

    try:
        # The folder is the user's: its mode is left alone; the file is 0600.
        with atomic_writer(output, exclusive=not force, private_dir=False) as out:
            out.write(data)
    except FileExistsError:
        raise UsageError(f"{output} already exists; add --force to replace it") from None
    except OSError as exc:
        raise AttuneError(f"could not write {output}: {exc.strerror or exc}") from exc


def find_browser() -> str | None:
    import shutil

    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _print_pdf(text: str, output: Path, cache: Path, *, force: bool) -> None:
    """Print the page to PDF with a headless Chromium, from a private folder in the cache
    (the page never leaves attune's folders before it is the PDF you asked for)."""
    import os
    import subprocess
    import tempfile

    from attunecli.errors import AttuneError
    from attunecli.fsutil import ensure_private_dir

    browser = find_browser()
    if browser is None:
        raise AttuneError(
            "--pdf needs Chromium, which is not installed here (on Debian or Ubuntu: "
            "sudo apt install chromium); or open the HTML in a browser and print it"
        )
    ensure_private_dir(cache)
    with tempfile.TemporaryDirectory(dir=cache, prefix="report-") as work:
        page = Path(work) / "report.html"
        page.write_text(text, encoding="utf-8")
        made = Path(work) / "report.pdf"
        argv = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--print-to-pdf={made}",
            page.as_uri(),
        ]
        if os.geteuid() == 0:
            argv.insert(1, "--no-sandbox")  # Chromium will not start as root with it
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AttuneError(f"Chromium could not print the report ({exc})") from exc
        if done.returncode != 0 or not made.exists():
            why = (done.stderr or "").strip().splitlines()
            raise AttuneError(
                f"Chromium could not print the report ({why[-1] if why else 'no PDF made'})"
            )
        _write_private(output, made.read_bytes(), force=force)
