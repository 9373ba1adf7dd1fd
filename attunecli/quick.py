"""The quick path: plain forms of `history`, `search`, `insights` and `check-reply`, without Typer.

People run these to look back, often many times a day; importing Typer and
Rich alone costs several times what answering from the index does. Here the
arguments are read by hand, and only forms we fully understand are taken:
anything else (help, a typo, a value that is not a number, a global option)
returns None, and the Typer app answers and explains. Both end in the same
functions in `readers.py`.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# command: {option: takes a value}; flags map to False
OPTIONS: dict[str, dict[str, bool]] = {
    "history": {
        "--last": True,
        "-n": True,
        "--practice": True,
        "--since": True,
        "--until": True,
        "--json": False,
        "--plain": False,
    },
    "search": {
        "--practice": True,
        "--since": True,
        "--last": True,
        "-n": True,
        "--all": False,
        "--json": False,
        "--plain": False,
    },
    "insights": {"--since": True, "--until": True, "--all": False, "--json": False},
    "check-reply": {"--json": False, "--jsonl": False},
}
POSITIONAL = {"search": (1, 1), "check-reply": (0, 1)}  # command: (fewest, most)
ALIASES = {"-n": "--last"}


def parse(command: str, args: Sequence[str]) -> tuple[dict[str, str | bool], list[str]] | None:
    """Options (last one wins, as in Click) and positionals, or None to leave it to Typer."""
    known = OPTIONS.get(command)
    if known is None:
        return None
    options: dict[str, str | bool] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
        elif name in known:
            if known[name]:
                if not eq:
                    i += 1
                    if i >= len(args):
                        return None
                    value = args[i]
                options[ALIASES.get(name, name)] = value
            elif eq:
                return None
            else:
                options[name] = True
        else:
            return None  # --help, -h, --, an unknown option, a typo
        i += 1
    fewest, most = POSITIONAL.get(command, (0, 0))
    if not fewest <= len(positional) <= most:
        return None
    last = options.get("--last")
    if last is not None and not (isinstance(last, str) and (whole(last) or 0) >= 1):
        return None  # Typer says what a whole number at least 1 is
    return options, positional


def whole(text: str) -> int | None:
    """`text` as a whole number in ASCII digits, or None (not one, or too long for `int`)."""
    if not (text.isascii() and text.isdecimal()):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than int() takes (4,300)
        return None


def main(argv: Sequence[str]) -> int | None:
    """Run a reading command, or return None when Typer should."""
    if not argv:
        return None
    parsed = parse(argv[0], argv[1:])
    if parsed is None:
        return None
    options, positional = parsed
    from attunecli.errors import report

    try:
        run(argv[0], options, positional)
        sys.stdout.flush()
    except (Exception, KeyboardInterrupt) as exc:
        return report(exc)
    return 0


def run(command: str, options: dict[str, str | bool], positional: list[str]) -> None:
    if command == "check-reply":
        from attunecli import checkreply

        checkreply.run(
            positional[0] if positional else None,
            as_json=bool(options.get("--json")),
            jsonl=bool(options.get("--jsonl")),
            out=sys.stdout,
            color=use_color(),
        )
        return

    from datetime import datetime

    from attunecli import readers
    from attunecli.labels import HISTORY_SHOWN, SEARCH_SHOWN

    def text(name: str) -> str | None:
        value = options.get(name)
        return value if isinstance(value, str) else None

    entries, cache = locations()
    env = readers.ReadEnv(
        entries=entries,
        cache=cache,
        out=sys.stdout,
        err=sys.stderr,
        now=lambda: datetime.now().astimezone(),
        color=use_color(),
    )
    as_json = bool(options.get("--json"))
    if command == "history":
        readers.history(
            env,
            last=int(text("--last") or HISTORY_SHOWN),
            since=text("--since"),
            until=text("--until"),
            practice=text("--practice"),
            as_json=as_json,
            plain=bool(options.get("--plain")),
        )
    elif command == "search":
        last = None if options.get("--all") else int(text("--last") or SEARCH_SHOWN)
        readers.search(
            env,
            text=positional[0],
            practice=text("--practice"),
            since=text("--since"),
            last=last,
            as_json=as_json,
            plain=bool(options.get("--plain")),
        )
    else:
        readers.insights(
            env,
            since=text("--since"),
            until=text("--until"),
            everything=bool(options.get("--all")),
            as_json=as_json,
        )


def use_color() -> bool:
    """Colour by the one rule (`attunecli.colour`), as `Deps` decides it."""
    from attunecli.colour import wanted

    try:
        isatty = sys.stdout.isatty()
    except (ValueError, AttributeError):
        isatty = False
    return wanted(isatty=isatty, environ=os.environ)


def locations() -> tuple[str, str]:
    """The entries folder and the cache dir, as `paths.resolve_paths` finds them.

    With both variables set (tests, benchmarks, people who choose their folders)
    nothing more is imported. Otherwise platformdirs is asked through
    `resolve_paths`, unless what it said last time still holds (`remembered`).
    """
    data = os.environ.get("ATTUNE_DATA_DIR", "").strip()
    cache = os.environ.get("ATTUNE_CACHE_DIR", "").strip()
    if not data or not cache:
        from attunecli.paths import remembered, resolve_paths

        known = remembered()
        if known is not None:
            return known
        found = resolve_paths()  # and remembers, for next time
        return str(found.entries), str(found.cache)
    return (
        os.path.join(os.path.abspath(os.path.expanduser(data)), "entries"),
        os.path.abspath(os.path.expanduser(cache)),
    )
