"""Write `attunecli/content/completion.json`: every command, its options (and whether
each takes a value), its arguments, and which kind of value each completes to.

    python -m tools.make_completion          # write it
    python -m tools.make_completion --check  # exit 1 if it is out of date (a test runs this)

`attunecli.completion` answers TAB presses from it without importing Typer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent.parent / "attunecli" / "content" / "completion.json"

# Which kind of value an option or argument completes to (attunecli.completion.VALUES).
OPTION_KINDS = {
    "--practice": "practice",
    "--format": "format",
    "-f": "format",
    "--quadrant": "quadrant",
    "--exercise": "exercise",
    "--context": "context",
    "--feeling": "feeling",
    "--their-feeling": "feeling",
    "--my-feeling": "feeling",
    "--softer": "feeling",
    "--via": "via",
    "--days": "days",
    "--side": "side",
    "--ready": "ready",
    "--listen-or-help": "listen_or_help",
    "--id": "id",
}
ARG_KINDS = {
    ("show", "entry_id"): "id",
    ("repair done", "entry_id"): "id",
    ("config set", "key"): "config_key",
    ("config set", "value"): "config_value",
    ("config unset", "key"): "config_key",
}


def _node(cmd: Any, path: str) -> dict[str, Any]:
    from typer.core import TyperArgument

    options: dict[str, bool] = {}
    values: dict[str, str] = {}
    hidden: list[str] = []
    args: list[str | None] = []
    for p in cmd.params:
        if isinstance(p, TyperArgument):
            args.append(ARG_KINDS.get((path, p.name or "")))
            continue
        for name in [*p.opts, *p.secondary_opts]:
            options[name] = not p.is_flag
            if getattr(p, "hidden", False):
                hidden.append(name)
            if name in OPTION_KINDS and not p.is_flag:
                values[name] = OPTION_KINDS[name]
    options.update({"--help": False, "-h": False})  # Click adds these at run time
    node: dict[str, Any] = {"options": dict(sorted(options.items()))}
    if values:
        node["values"] = dict(sorted(values.items()))
    if hidden:
        node["hidden"] = sorted(set(hidden))
    if args:
        node["args"] = args
    subs = getattr(cmd, "commands", None)
    if subs:
        node["commands"] = {
            name: _node(sub, f"{path} {name}".strip()) for name, sub in subs.items()
        }
    return node


def table() -> str:
    import typer.main

    from attunecli.cli import app
    from attunecli.cli.app import _globals_after_every_command

    group = typer.main.get_command(app)
    _globals_after_every_command(group)  # as AttuneGroup.main adds them on every run
    return json.dumps(_node(group, ""), indent=1, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    from tools.generated import write_or_check

    return write_or_check(argv, doc=__doc__ or "", path=TABLE, make=table, tool="make_completion")


if __name__ == "__main__":
    raise SystemExit(main())
