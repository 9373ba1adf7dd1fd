"""Write the man page, `man/attune.1`, from the same help the commands print.

    python -m tools.make_man          # write it
    python -m tools.make_man --check  # exit 1 if it is out of date (a test runs this)

The wheel installs it as share/man/man1/attune.1 (pyproject: shared-data), where
`man attune` finds it beside the `attune` script. Each command's help is kept as
printed (no-fill), so the page says exactly what `attune COMMAND --help` says.
"""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "man" / "attune.1"
WIDTH = 72  # with the 7-column indent of man, a page fits 80 columns


def _roff(text: str) -> str:
    """Plain text set literally: backslashes doubled, and a line that starts with a
    dot or an apostrophe (a request to roff) guarded with the zero-width \\&."""
    out = []
    for line in text.replace("\\", "\\e").splitlines():
        out.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(out)


def _helps() -> list[tuple[str, str]]:
    """(command path, help text) for attune and every command and subcommand."""
    import typer.main
    from typer.testing import CliRunner

    from attunecli.cli import app

    runner = CliRunner()
    group = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = [()]
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        paths.append((name,))
        for sub in getattr(cmd, "commands", {}):
            paths.append((name, sub))
    out = []
    for path in paths:
        r = runner.invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDTH)}, terminal_width=WIDTH)
        if r.exit_code != 0:
            raise SystemExit(f"attune {' '.join(path)} --help failed: {r.output}")
        out.append((" ".join(("attune", *path)), r.output.rstrip("\n")))
    return out


def page() -> str:
    from attunecli import __version__
    from attunecli.overview import HEAD

    helps = _helps()
    summary = HEAD.splitlines()[0].split(": ", 1)[1].rstrip(".")
    parts = [
        f'.TH ATTUNE 1 "" "attune {__version__}" "User Commands"',
        ".SH NAME",
        f"attune \\- {_roff(summary)}",
        ".SH SYNOPSIS",
        ".B attune",
        "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        ".nf",
        _roff(helps[0][1]),
        ".fi",
        ".SH COMMANDS",
    ]
    for path, text in helps[1:]:
        parts += [f".SS {_roff(path)}", ".nf", _roff(text), ".fi"]
    parts += [
        ".SH FILES",
        "Run \\fBattune path\\fR to see where entries, settings, state and the index are kept.",
        ".SH SEE ALSO",
        "\\fBattune help COMMAND\\fR, and README.md in the source distribution.",
    ]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    from tools.generated import write_or_check

    return write_or_check(argv, doc=__doc__ or "", path=PAGE, make=page, tool="make_man")


if __name__ == "__main__":
    raise SystemExit(main())
