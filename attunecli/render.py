"""The Rich views: one entry in full, open repairs, the console they print on.

`history`, `search` and `insights` print plain text instead (`views.py`), so
they can answer before Rich is imported.

User text is data: consoles are built with markup, emoji and highlighting off,
and every piece of user text passes through `literal`, which shows control
characters (escape sequences included) as visible codes instead of sending
them to the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import IO, TYPE_CHECKING

from attunecli.display import answer_text as answer_text
from attunecli.display import shown
from attunecli.display import summary as summary
from attunecli.labels import PRACTICE_LABELS as PRACTICE_LABELS
from attunecli.models import Entry
from attunecli.plain import FALLBACK_WIDTH, MIN_WIDTH
from attunecli.plain import literal as literal

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


def usable_width(width: int | None) -> int | None:
    """`width`, or $COLUMNS when it is None, unless it is too narrow to lay out in
    (COLUMNS=0 would print nothing): then a sensible minimum. None: Rich decides."""
    import os

    if width is None:
        columns = os.environ.get("COLUMNS", "").strip()
        try:
            width = int(columns) if columns else None
        except ValueError:
            return None  # not a number: Rich ignores it too, and asks the terminal
    if width is not None and width < MIN_WIDTH:
        return FALLBACK_WIDTH
    return width


def make_console(file: IO[str], *, color: bool, width: int | None = None) -> Console:
    from rich.console import Console

    width = usable_width(width)

    return Console(
        file=file,
        color_system="standard" if color else None,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
        width=width,
        soft_wrap=False,
    )


def short_id(entry_id: str) -> str:
    return entry_id[:8]


def when(dt: datetime) -> str:
    return dt.strftime("%a %d %b %Y %H:%M")


def entry_view(entry: Entry) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    head = Text()
    known = PRACTICE_LABELS.get(entry.practice)
    # A hand-edited file's practice can be any text: shown as it is, control characters visible.
    head.append(known.capitalize() if known else literal(entry.practice), style="bold")
    head.append(f"  {when(entry.created_at)}  id {literal(entry.id)}", style="dim")
    if not entry.complete:
        head.append("  (kept partway)", style="dim")
    if entry.filled_in_later and entry.written_at is not None:
        head.append(f"  (filled in {when(entry.written_at)})", style="dim")
    parts: list[RenderableType] = [head]
    if entry.refers_to:
        parts.append(Text(f"Closes repair {literal(entry.refers_to)}", style="dim"))
    for ans in entry.answers:
        parts.append(Text(""))
        parts.append(Text(literal(ans.question), style="bold"))
        parts.append(Text("  " + literal(answer_text(shown(entry.practice, ans.id, ans.answer)))))
        flags = ans.details.get("flags")
        if flags:
            from attunecli.replies import notes

            for f, line in zip(flags, notes(flags), strict=True):
                if f.get(
                    "phrase"
                ):  # entries written before the reply checker was retrained quoted what it matched
                    line = f"{f.get('kind', '')}: “{f['phrase']}”. {f.get('note', '')}"
                parts.append(Text("  ! " + literal(line), style="yellow"))
            if ans.details.get("alternative"):
                parts.append(
                    Text(
                        "  Another way: " + literal(str(ans.details["alternative"])), style="green"
                    )
                )
            if ans.details.get("draft"):
                parts.append(
                    Text("  (first draft: " + literal(str(ans.details["draft"])) + ")", style="dim")
                )
    return Group(*parts)


def repairs_table(repairs: Sequence[Entry], today: date, day_start: time) -> RenderableType:
    """Open repairs; `today` and the days each has been open are by day start."""
    from rich.table import Table

    from attunecli.days import days_since

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("id", no_wrap=True, style="dim")
    table.add_column("with", no_wrap=True)
    table.add_column("what happened", overflow="fold")
    table.add_column("follow up", no_wrap=True)
    table.add_column("open", no_wrap=True, justify="right")
    for r in repairs:
        days = days_since(r.created_at, today, day_start)
        follow = str(r.answer("follow_up") or "—")
        due = " (due)" if follow != "—" and follow <= today.isoformat() else ""
        table.add_row(
            literal(short_id(r.id)),
            literal(str(r.answer("context") or "")),
            literal(str(r.answer("what") or "")),
            literal(follow) + due,
            f"{days} d",
        )
    return table
