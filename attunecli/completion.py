"""Shell completion answered before Typer is imported: each TAB press runs attune.

The shell scripts are Typer's (`attune --install-completion`): on every TAB they
run `attune` with `_ATTUNE_COMPLETE=complete_bash` (or zsh, fish) and the words so
far. Importing Typer to answer costs most of a TAB, so the commands and options
are read from `content/completion.json` (written from the app by
`python -m tools.make_completion`; a test keeps it current) and values from the
content files and the entry file names. Whatever this cannot answer (another
shell, an odd line) returns None and Typer answers as before.
"""

from __future__ import annotations

import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

SHELLS = ("complete_bash", "complete_zsh", "complete_fish")
MAX_IDS = 50  # entry ids offered, newest first


def _table() -> dict[str, object]:
    from importlib import resources

    text = resources.files("attunecli.content").joinpath("completion.json").read_text("utf-8")
    found: dict[str, object] = json.loads(text)
    return found


def _toml(name: str) -> dict[str, object]:
    import tomllib
    from importlib import resources

    return tomllib.loads(resources.files("attunecli.content").joinpath(name).read_text("utf-8"))


def _feelings() -> list[str]:
    groups = _toml("feelings.toml")
    return sorted(w for g in groups.values() if isinstance(g, dict) for w in g)


def _contexts() -> list[str]:
    contexts = _toml("coach.toml")["contexts"]
    return list(contexts) if isinstance(contexts, dict) else []


def _exercises() -> list[str]:
    return [k for k, v in _toml("exercises.toml").items() if isinstance(v, dict) and "phases" in v]


def _practices() -> list[str]:
    from attunecli.labels import PRACTICE_CHOICES

    return list(PRACTICE_CHOICES)


def _quadrants() -> list[str]:
    from attunecli.labels import QUADRANTS

    return list(QUADRANTS)


def entry_ids() -> list[str]:
    """Entry ids, newest first, from the file names alone (nothing is opened)."""
    from attunecli.names import NAME_RE
    from attunecli.quick import locations

    entries = locations()[0]
    found: list[str] = []

    def folders(path: str) -> list[str]:
        try:
            return sorted((n for n in os.listdir(path) if n.isdigit()), reverse=True)
        except OSError:
            return []

    for year in folders(entries):
        for month in folders(os.path.join(entries, year)):
            try:
                names = sorted(os.listdir(os.path.join(entries, year, month)), reverse=True)
            except OSError:
                continue
            for name in names:
                match = NAME_RE.match(name)
                if match:
                    found.append(match.group(2))
                    if len(found) >= MAX_IDS:
                        return found
    return found


def _fixed(*values: str) -> Callable[[], list[str]]:
    return lambda: list(values)


# What each kind of value completes to. A kind not here (a file, a folder, free
# text) completes to nothing from attune, and the shell offers file names.
VALUES: dict[str, Callable[[], list[str]]] = {
    "practice": _practices,
    "format": _fixed("json", "jsonl", "csv", "md"),
    "quadrant": _quadrants,
    "exercise": _exercises,
    "context": _contexts,
    "feeling": _feelings,
    "via": _fixed("cron", "systemd", "launchd"),
    "days": _fixed("daily", "weekdays", "weekends", "mon-fri"),
    "side": _fixed("accept", "ask"),
    "ready": _fixed("yes", "partly", "not-yet"),
    "listen_or_help": _fixed("To be listened to", "Some help", "Both", "I'll ask them"),
    "id": entry_ids,
    "config_key": _fixed("attachment", "day-start", "region"),
}
CONFIG_VALUES: dict[str, tuple[str, ...]] = {
    "attachment": ("secure", "anxious", "avoidant", "fearful-avoidant", "unsure"),
    "day-start": ("04:00", "05:00", "03:00", "00:00"),
    "region": ("US", "CA", "GB", "IE", "AU", "NZ"),
}


def complete(words: list[str], incomplete: str, table: Mapping[str, object]) -> list[str] | None:
    """What may come next after `words` (the words after `attune`), starting with
    `incomplete`; None when this table cannot say (Typer then answers)."""
    node: Mapping[str, object] = table
    i = 0
    positional: list[str] = []
    pending: str | None = None  # the option whose value comes next
    while i < len(words):
        word = words[i]
        options = node.get("options", {})
        assert isinstance(options, dict)
        subs = node.get("commands", {})
        assert isinstance(subs, dict)
        if pending is not None:
            pending = None
        elif word == "--":
            return None
        elif word.startswith("-") and word != "-":
            name = word.split("=", 1)[0]
            takes = options.get(name)
            if takes is None:
                return None  # not an option we know here: let Typer say
            if takes and "=" not in word:
                pending = name
        elif word in subs and not positional:
            node = subs[word]
            assert isinstance(node, dict)
        else:
            positional.append(word)
        i += 1
    options = node.get("options", {})
    subs = node.get("commands", {})
    assert isinstance(options, dict) and isinstance(subs, dict)
    if pending is not None:
        kinds = node.get("values", {})
        assert isinstance(kinds, dict)
        kind = kinds.get(pending)
        values = VALUES[kind]() if isinstance(kind, str) and kind in VALUES else []
    elif incomplete.startswith("-"):
        values = sorted(options)
        hidden = node.get("hidden", [])
        values = [v for v in values if v not in (hidden if isinstance(hidden, list) else [])]
    elif subs and not positional:
        values = list(subs)
    else:
        args = node.get("args", [])
        assert isinstance(args, list)
        kind = args[len(positional)] if len(positional) < len(args) else None
        if kind == "config_value" and positional:
            values = list(CONFIG_VALUES.get(positional[0], ()))
        else:
            values = VALUES[kind]() if isinstance(kind, str) and kind in VALUES else []
    folded = incomplete.casefold()
    return [v for v in values if v.casefold().startswith(folded)]


def _split(text: str) -> list[str]:
    import shlex

    try:
        return shlex.split(text)
    except ValueError:  # an open quote: complete the words before it
        return shlex.split(text + '"') if text.count('"') % 2 else text.split()


def _request(shell: str, environ: Mapping[str, str]) -> tuple[list[str], str] | None:
    if shell == "complete_bash":
        words = _split(environ.get("COMP_WORDS", ""))
        try:
            cword = int(environ.get("COMP_CWORD", ""))
        except ValueError:
            return None
        if cword < 1:
            return None
        incomplete = words[cword] if cword < len(words) else ""
        return words[1:cword], incomplete
    line = environ.get("_TYPER_COMPLETE_ARGS", "")
    words = _split(line)[1:]
    if words and not line.endswith(" "):
        return words[:-1], words[-1]
    return words, ""


def _format(shell: str, values: list[str], environ: Mapping[str, str]) -> tuple[str, int]:
    if shell == "complete_bash":
        return "\n".join(values), 0
    if shell == "complete_zsh":
        if not values:
            return "_files", 0

        def esc(s: str) -> str:
            return (
                s.replace('"', '""')
                .replace("'", "''")
                .replace("$", "\\$")
                .replace("`", "\\`")
                .replace(":", r"\\:")
            )

        body = "\n".join(f'"{esc(v)}"' for v in values)
        return f"_arguments '*: :(({body}))'", 0
    if environ.get("_TYPER_COMPLETE_FISH_ACTION") == "is-args":
        return "", 0 if values else 1
    return "\n".join(values), 0


def main_fast(environ: Mapping[str, str] | None = None) -> int | None:
    """Answer a TAB press, or None to let Typer."""
    environ = os.environ if environ is None else environ
    shell = environ.get("_ATTUNE_COMPLETE", "")
    if shell not in SHELLS:
        return None
    request = _request(shell, environ)
    if request is None:
        return None
    try:
        values = complete(request[0], request[1], _table())
    except (OSError, ValueError, KeyError, AssertionError):
        return None
    if values is None:
        return None
    text, code = _format(shell, values, environ)
    if text:
        sys.stdout.write(text + "\n")
    return code
