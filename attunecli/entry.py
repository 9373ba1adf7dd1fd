"""The `attune` console script.

`attune --version` and a plain `attune remind` are answered here, before
Typer is imported: scripts, package managers, cron and timers call them most,
and Typer's import alone costs several times a bare Python start. Everything
else (help and completion included) goes to the Typer app.
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

        quick = main_fast(args[1:])
        if quick is not None:
            return quick
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
