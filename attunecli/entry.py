"""The `attune` console script.

`attune --version`, a plain `attune remind` and the plain forms of `history`,
`search`, `insights` and `check-reply` are answered here, before Typer is
imported: scripts, cron and people looking back call them most, and Typer's import alone costs
several times a bare Python start. Everything else (help and completion
included) goes to the Typer app.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from attunecli import __version__

        sys.stdout.write(f"attune {__version__}\n")
        return 0
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
    except KeyboardInterrupt:
        sys.stderr.write("attune: interrupted\n")
        return 130
    return 0
