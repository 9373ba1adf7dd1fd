"""Every Rich view attune prints.

User text is data: consoles are built with markup, emoji and highlighting off,
and every piece of user text passes through `literal`, which shows control
characters (escape sequences included) as visible codes instead of sending
them to the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import IO, TYPE_CHECKING

from attunecli.models import JSON, Entry

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from attunecli.insights import Insights, Match

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

PRACTICE_LABELS = {
    "slow-down": "slow down",
    "reflect": "reflect",
    "curious": "curious",
    "regulate": "regulate",
    "repair": "repair",
    "repair-done": "repair done",
    "checkin": "check-in",
}


def literal(text: str) -> str:
    """`text` with control characters made visible (ESC shows as \\x1b)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def make_console(file: IO[str], *, color: bool, width: int | None = None) -> Console:
    from rich.console import Console

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


def answer_text(value: JSON) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "—"
    if isinstance(value, dict):
        if "seconds" in value:
            done = "stopped early" if value.get("stopped_early") else "to the end"
            return f"{int(value['seconds'])} s of {int(value.get('planned_seconds', 0))} s, {done}"
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def summary(entry: Entry) -> str:
    """One line that says what an entry holds."""
    a = entry.answer
    p = entry.practice
    if p in ("slow-down", "checkin"):
        parts = [str(a("feeling") or ""), str(a("intensity") if a("intensity") is not None else "")]
        line = " ".join(x for x in parts if x)
        extra = a("trigger") or a("note")
        return f"{line} · {extra}" if extra and line else (line or str(extra or ""))
    if p == "reflect":
        return f"{a('context')}: {answer_text(a('their_feelings'))}"
    if p == "curious":
        return str(a("story") or a("defensive_about") or "")
    if p == "regulate":
        before, after = a("arousal_before"), a("arousal_after")
        return f"{a('exercise')} {before}→{after}"
    if p == "repair":
        return f"{a('context')}: {a('what')} (follow up {a('follow_up')})"
    if p == "repair-done":
        return f"closed repair {short_id(entry.refers_to or '')}"
    return ""


def history_table(entries: Sequence[Entry]) -> RenderableType:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("when", no_wrap=True)
    table.add_column("id", no_wrap=True, style="dim")
    table.add_column("practice", no_wrap=True)
    table.add_column("summary", overflow="fold")
    for e in entries:
        label = PRACTICE_LABELS.get(e.practice, e.practice)
        if not e.complete:
            label += " (partial)"
        table.add_row(when(e.created_at), short_id(e.id), label, literal(summary(e)))
    return table


def entry_view(entry: Entry) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    head = Text()
    head.append(PRACTICE_LABELS.get(entry.practice, entry.practice).capitalize(), style="bold")
    head.append(f"  {when(entry.created_at)}  id {entry.id}", style="dim")
    if not entry.complete:
        head.append("  (kept partway)", style="dim")
    parts: list[RenderableType] = [head]
    if entry.refers_to:
        parts.append(Text(f"Closes repair {entry.refers_to}", style="dim"))
    for ans in entry.answers:
        parts.append(Text(""))
        parts.append(Text(literal(ans.question), style="bold"))
        parts.append(Text("  " + literal(answer_text(ans.answer))))
        flags = ans.details.get("flags")
        if flags:
            for f in flags:
                parts.append(
                    Text(f"  ! {f['kind']}: “{literal(f['phrase'])}”. {f['note']}", style="yellow")
                )
            if ans.details.get("alternative"):
                parts.append(
                    Text("  Another way: " + literal(ans.details["alternative"]), style="green")
                )
            if ans.details.get("draft"):
                parts.append(
                    Text("  (first draft: " + literal(ans.details["draft"]) + ")", style="dim")
                )
    return Group(*parts)


def repairs_table(repairs: Sequence[Entry], today: date) -> RenderableType:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("id", no_wrap=True, style="dim")
    table.add_column("with", no_wrap=True)
    table.add_column("what happened", overflow="fold")
    table.add_column("follow up", no_wrap=True)
    table.add_column("open", no_wrap=True, justify="right")
    for r in repairs:
        days = (today - r.created_at.date()).days
        follow = str(r.answer("follow_up") or "—")
        due = " (due)" if follow != "—" and follow <= today.isoformat() else ""
        table.add_row(
            short_id(r.id),
            str(r.answer("context") or ""),
            literal(str(r.answer("what") or "")),
            follow + due,
            f"{days} d",
        )
    return table


def insights_view(ins: Insights, today: date) -> RenderableType:
    """The `attune insights` screen: heatmap, runs, feelings, intensity, what settles you."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from attunecli.catalog import QUADRANT_LABELS
    from attunecli.insights import daily_series, sparkline

    days = (ins.until - ins.since).days + 1
    parts: list[RenderableType] = []
    head = Text()
    head.append("Insights", style="bold")
    head.append(f"  {ins.since:%d %b %Y} to {ins.until:%d %b %Y} ({days} days)", style="dim")
    parts += [head, Text("")]

    parts.append(heatmap(set(ins.checkin_days), ins.since, ins.until))
    n = len(ins.checkin_days)
    if n:
        line = (
            f"You checked in on {n} day{'s' if n != 1 else ''} in this period "
            f"({ins.days_this_month} this month)"
        )
        if ins.longest_run > 1:
            line += f"; your longest run was {ins.longest_run} days in a row"
        parts.append(Text(line + "."))
    else:
        parts.append(Text("No check-ins in this period. Whenever you are ready: attune checkin"))
    parts.append(Text(""))

    if ins.quadrants:
        parts.append(Text("Feelings by energy and pleasantness", style="bold"))
        total = sum(ins.quadrants.values())
        q = Table(box=None, show_header=False, pad_edge=False)
        q.add_column(no_wrap=True)
        q.add_column(justify="right")
        q.add_column()
        for key, label in QUADRANT_LABELS.items():
            count = ins.quadrants.get(key, 0)
            q.add_row(label, str(count), "█" * round(20 * count / total) if total else "")
        parts += [q, Text("")]
    if ins.feelings:
        parts.append(Text("Words you used most", style="bold"))
        t = Table(box=None, pad_edge=False, header_style="dim")
        t.add_column("word")
        t.add_column("times", justify="right")
        t.add_column("mean intensity", justify="right")
        t.add_column("felt in")
        for f in ins.feelings:
            body = ", ".join(f"{literal(place)} ({k})" for place, k in f.body)
            mean = f"{f.mean_intensity:.1f}" if f.mean_intensity is not None else "—"
            t.add_row(literal(f.word), str(f.count), mean, body or "—")
        parts += [t, Text("")]
    if ins.intensity_by_day:
        series = daily_series(ins)
        parts.append(
            Text("Intensity by day (0 to 10; a gap is a day without a rating)", style="bold")
        )
        parts += [Text(sparkline(series), style="cyan"), Text("")]
    if ins.exercises:
        parts.append(Text("What settles you", style="bold"))
        t = Table(box=None, pad_edge=False, header_style="dim")
        t.add_column("exercise")
        t.add_column("times", justify="right")
        t.add_column("change, before to after", justify="right")
        for x in ins.exercises:
            if x.mean_change is None:
                change = "—"
            else:
                change = f"{x.mean_change:+.1f}" + (" (calmer)" if x.mean_change < 0 else "")
            t.add_row(x.exercise, str(x.count), change)
        parts += [t, Text("")]
    counts = ins.practice_counts
    parts.append(
        Text(
            f"Reflections {counts.get('reflect', 0)} · curiosity {counts.get('curious', 0)} · "
            f"repairs {counts.get('repair', 0)} · follow-ups {counts.get('repair-done', 0)}"
        )
    )
    if ins.open_repairs:
        parts.append(Text("Open repairs", style="bold"))
        for r in ins.open_repairs:
            follow = f", follow up {r.follow_up}" if r.follow_up else ""
            parts.append(Text(f"  {short_id(r.id)}  open {r.days_open} d{follow}"))
    return Group(*parts)


def heatmap(days: set[date], since: date, until: date) -> RenderableType:
    """Weeks across, Monday to Sunday down; a filled square for a day with a check-in."""
    from rich.table import Table
    from rich.text import Text

    start = since - timedelta(days=since.weekday())
    weeks = (until - start).days // 7 + 1
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    for _ in range(weeks):
        grid.add_column(no_wrap=True)
    for weekday, name in enumerate(["Mon", "", "Wed", "", "Fri", "", "Sun"]):
        row: list[Text | str] = [Text(name, style="dim")]
        for w in range(weeks):
            d = start + timedelta(days=7 * w + weekday)
            if d < since or d > until:
                row.append(" ")
            elif d in days:
                row.append(Text("■", style="green"))
            else:
                row.append(Text("·", style="dim"))
        grid.add_row(*row)
    return grid


def insights_json(ins: Insights) -> dict[str, JSON]:
    return {
        "since": ins.since.isoformat(),
        "until": ins.until.isoformat(),
        "checkin_days": [d.isoformat() for d in ins.checkin_days],
        "days_this_month": ins.days_this_month,
        "longest_run": ins.longest_run,
        "quadrants": ins.quadrants,
        "feelings": [
            {
                "word": f.word,
                "count": f.count,
                "mean_intensity": f.mean_intensity,
                "body": [{"where": w, "count": k} for w, k in f.body],
            }
            for f in ins.feelings
        ],
        "intensity_by_day": [{"day": d.isoformat(), "mean": m} for d, m in ins.intensity_by_day],
        "exercises": [
            {"exercise": x.exercise, "count": x.count, "mean_change": x.mean_change}
            for x in ins.exercises
        ],
        "practice_counts": ins.practice_counts,
        "open_repairs": [
            {
                "id": r.id,
                "opened": r.opened.isoformat(),
                "days_open": r.days_open,
                "follow_up": r.follow_up,
            }
            for r in ins.open_repairs
        ],
    }


def search_view(matches: Sequence[Match]) -> RenderableType:
    """Each match with the query highlighted; user text still shown literally."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = []
    for m in matches:
        head = Text()
        head.append(when(m.entry.created_at), style="dim")
        head.append(f"  {short_id(m.entry.id)}  ", style="dim")
        head.append(PRACTICE_LABELS.get(m.entry.practice, m.entry.practice))
        head.append(f"  {literal(m.question)}", style="dim")
        body = Text("  ")
        cursor = 0
        for start, end in m.spans:
            body.append(literal(m.text[cursor:start]))
            body.append(literal(m.text[start:end]), style="bold reverse")
            cursor = end
        body.append(literal(m.text[cursor:]))
        parts += [head, body]
    return Group(*parts)
