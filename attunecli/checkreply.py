"""`attune check-reply`: look at any message before you send it, and print what was found.

The quick path (`quick.py`) and the Typer command both end here. Nothing is
saved; the text is shown back only through `literal()`, so a message cannot
move the cursor, change colours or clear the screen. The exit code is 0
whether or not anything was flagged: a flag is a note, never a verdict.
"""

from __future__ import annotations

import json
import textwrap

from attunecli import stdin
from attunecli.errors import UsageError
from attunecli.plain import Painter, literal, output_width

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import IO

    from attunecli.replies import Checked

EMPTY = "there is no reply to check (give it as an argument, or on stdin)"


def _all_of(stdin_text: Callable[[], str]) -> str:
    try:
        return stdin_text()
    except UnicodeDecodeError:
        raise UsageError("stdin is not UTF-8 text") from None


def read_text(text: str | None, stdin_text: Callable[[], str], terminal: bool) -> str:
    """The message: the argument, or all of stdin when there is none (or it is "-")."""
    if text is None or text == "-":
        if terminal:
            raise UsageError('give the reply to check: attune check-reply "TEXT", or pipe it in')
        text = _all_of(stdin_text)
    if not text.strip():
        raise UsageError(EMPTY)
    return text


def read_jsonl(stdin_text: Callable[[], str], terminal: bool) -> list[str]:
    """Every line's "text", checked before anything is written: a bad line names itself."""
    if terminal:
        raise UsageError("--jsonl reads one JSON object per line from stdin; pipe them in")
    texts: list[str] = []
    for number, line in enumerate(_all_of(stdin_text).splitlines(), 1):
        if not line.strip():
            raise UsageError(f'--jsonl: line {number} is empty; expected {{"text": ...}}')
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--jsonl: line {number} is not JSON ({exc.msg})") from None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise UsageError(f'--jsonl: line {number} has no "text" string')
        texts.append(data["text"])
    return texts


def run(
    text: str | None,
    *,
    as_json: bool,
    jsonl: bool,
    out: IO[str],
    color: bool,
    stdin_text: Callable[[], str] = stdin.read_all,
    terminal: bool | None = None,
) -> None:
    """Check one message (the argument or stdin) or, with `jsonl`, one per line of stdin.

    `terminal` says whether stdin is a person at a keyboard (then it is not
    read: there is nothing piped to wait for); None asks the real stdin.
    """
    if jsonl and as_json:
        raise UsageError("--json and --jsonl are two ways of asking for JSON; give one")
    if jsonl and text is not None:
        raise UsageError("--jsonl reads its messages from stdin; leave out the TEXT argument")
    at_keyboard = stdin.is_terminal() if terminal is None else terminal
    from attunecli import replies

    if jsonl:
        texts = read_jsonl(stdin_text, at_keyboard)
        checker = replies.load()
        for t in texts:
            out.write(json.dumps(replies.check(t, checker).to_json(), ensure_ascii=False) + "\n")
        return
    checked = replies.check(read_text(text, stdin_text, at_keyboard))
    if as_json:
        out.write(json.dumps(checked.to_json(), ensure_ascii=False) + "\n")
    else:
        out.write(plain(checked, color=color, width=output_width(out)))


def plain(checked: Checked, *, color: bool, width: int) -> str:
    """The result for a person: each note on its own lines, then another way to say it."""
    paint = Painter(color)
    width = max(20, min(width, 100))
    if not checked.flags:
        return "Nothing in this reply stood out.\n"
    from attunecli.replies import notes

    lines: list[str] = []
    for note in notes(f.to_json() for f in checked.flags):
        lines += _wrap(note, width, "  ")
    lines += ["", paint("Another way to say it:", "bold")]
    lines += _wrap(literal(checked.alternative or ""), width, "  ", "  ")
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int, indent: str, first: str = "") -> Sequence[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first]
