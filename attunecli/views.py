"""What `history`, `search` and `insights` print, as text (see `plain.py`)."""

from __future__ import annotations

from datetime import date, datetime

from attunecli.labels import PRACTICE_LABELS, QUADRANT_LABELS
from attunecli.plain import GAP, Painter, fold, highlight, literal, pad, table, width_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from attunecli.insights import Insights

    # (created_at ISO, id, practice, complete, summary, closed: a repair followed up,
    # written_at ISO: set only for an entry filled in later)
    HistoryRow = tuple[str, str, str, int, str, int, str | None]
    # (created_at ISO, id, practice, answer id, question, text, spans)
    # ... spans, written_at ISO: set only for an entry filled in later)
    Hit = tuple[str, str, str, str, str, str, tuple[tuple[int, int], ...], str | None]

HEATMAP_LABEL = 4  # "Mon " before the squares


def when(created_at: str) -> str:
    return datetime.fromisoformat(created_at).strftime("%a %d %b %Y %H:%M")


def practice_label(
    practice: str, complete: bool = True, closed: bool = False, later: bool = False
) -> str:
    label = PRACTICE_LABELS.get(practice) or literal(practice)  # a hand-edited file: any text
    if not complete:
        label += " (partial)"
    elif closed and practice == "repair":
        label += " (done)"
    return label + " (filled in later)" if later else label


def history(rows: Sequence[HistoryRow], paint: Painter, width: int) -> str:
    return table(
        ["when", "id", "practice", "summary"],
        [
            [
                when(c),
                literal(i[:8]),
                practice_label(p, bool(done), bool(closed), bool(w)),
                literal(s),
            ]
            for c, i, p, done, s, closed, w in rows
        ],
        paint,
        width=width,
        styles=["", "dim"],
    )


def search(hits: Sequence[Hit], paint: Painter) -> str:
    """Each match under a line saying where it is; the words found highlighted."""
    out = []
    for created, entry_id, practice, _aid, question, text, spans, written in hits:
        head = f"{when(created)}  {literal(entry_id[:8])}  "
        label = practice_label(practice, later=bool(written))
        out.append(paint(head, "dim") + label + paint(f"  {literal(question)}", "dim"))
        out.append("  " + highlight(text, spans, paint, "bold reverse"))
    return "\n".join(out) + "\n"


def heatmap(days: set[date], since: date, until: date, paint: Painter, width: int) -> list[str]:
    """Weeks across, Monday to Sunday down: a filled square for a day with a check-in.

    When the period has more weeks than fit, the most recent ones are drawn.
    """
    # Day numbers, not dates: the week around date.min or date.max runs off the calendar.
    lo, hi = since.toordinal(), until.toordinal()
    start = lo - since.weekday()
    weeks = (hi - start) // 7 + 1
    room = max((width - HEATMAP_LABEL) // 2, 4)
    shown = min(weeks, room)
    first = weeks - shown
    lines = []
    for weekday, name in enumerate(["Mon", "", "Wed", "", "Fri", "", "Sun"]):
        cells = []
        for w in range(first, weeks):
            n = start + 7 * w + weekday
            if n < lo or n > hi:
                cells.append(" ")
            elif date.fromordinal(n) in days:
                cells.append(paint("■", "green"))
            else:
                cells.append(paint("·", "dim"))
        lines.append((paint(pad(name, HEATMAP_LABEL - 1), "dim") + " " + " ".join(cells)).rstrip())
    if first:
        note = f"(the last {shown} weeks of {weeks}; `--json` lists every day)"
        lines += [paint(line, "dim") for line in fold(note, width)]
    return lines


def intensity(ins: Insights, width: int) -> tuple[str, str]:
    """A title and a sparkline that fits: by day, else by week, else by month."""
    from attunecli.insights import daily_series, sparkline

    series = daily_series(ins)
    if len(series) <= width:
        return "Intensity by day (0 to 10; a gap is a day without a rating)", sparkline(series)
    for name, size in (("week", 7), ("month", 30)):
        grouped = []
        for i in range(0, len(series), size):
            values = [v for v in series[i : i + size] if v is not None]
            grouped.append(sum(values) / len(values) if values else None)
        if len(grouped) <= width or name == "month":
            return (
                f"Intensity by {name} (0 to 10, the mean of each {name}; a gap has no rating)",
                sparkline(grouped[-width:]),
            )
    raise AssertionError("unreachable")


def insights(ins: Insights, paint: Painter, width: int) -> str:
    days = (ins.until - ins.since).days + 1
    out = [
        paint("Insights", "bold")
        + paint(f"  {ins.since:%d %b %Y} to {ins.until:%d %b %Y} ({days} days)", "dim"),
        "",
    ]
    out += heatmap(set(ins.checkin_days), ins.since, ins.until, paint, width)
    n = len(ins.checkin_days)
    if n:
        line = (
            f"You checked in on {n} day{'s' if n != 1 else ''} in this period "
            f"({ins.days_this_month} this month)"
        )
        if ins.longest_run > 1:
            line += f"; your longest run was {ins.longest_run} days in a row"
        out += fold(line + ".", width)
    else:
        out += fold("No check-ins in this period. Whenever you are ready: attune checkin", width)
    out.append("")
    if ins.quadrants:
        out.append(paint("Feelings by energy and pleasantness", "bold"))
        total = sum(ins.quadrants.values())
        label_width = max(width_of(label) for label in QUADRANT_LABELS.values())
        count_width = max(len(str(c)) for c in ins.quadrants.values())
        for key, label in QUADRANT_LABELS.items():
            count = ins.quadrants.get(key, 0)
            bar = "█" * round(20 * count / total) if total else ""
            number = pad(str(count), count_width, right=True)
            out.append(f"{pad(label, label_width)}{GAP}{number}{GAP}{bar}".rstrip())
        out.append("")
    if ins.feelings:
        out.append(paint("Words you used most", "bold"))
        rows = []
        for f in ins.feelings:
            body = ", ".join(f"{literal(place)} ({k})" for place, k in f.body)
            mean = f"{f.mean_intensity:.1f}" if f.mean_intensity is not None else "—"
            rows.append([literal(f.word), str(f.count), mean, body or "—"])
        out.append(
            table(
                ["word", "times", "mean intensity", "felt in"],
                rows,
                paint,
                width=width,
                right=(1, 2),
                header_style="dim",
            ).rstrip("\n")
        )
        out.append("")
    if ins.intensity_by_day:
        title, line = intensity(ins, width)
        out += [paint(title, "bold"), paint(line, "cyan"), ""]
    if ins.exercises:
        from attunecli.display import exercise_label

        out.append(paint("What settles you", "bold"))
        rows = []
        for x in ins.exercises:
            if x.mean_change is None:
                change = "—"
            else:
                change = f"{x.mean_change:+.1f}" + (" (calmer)" if x.mean_change < 0 else "")
            rows.append([literal(exercise_label(x.exercise)), str(x.count), change])
        out.append(
            table(
                ["exercise", "times", "change, before to after"],
                rows,
                paint,
                width=width,
                right=(1,),
                header_style="dim",
            ).rstrip("\n")
        )
        out.append("")
    counts = ins.practice_counts
    out.append(
        f"Reflections {counts.get('reflect', 0)} · curiosity {counts.get('curious', 0)} · "
        f"repairs {counts.get('repair', 0)} · follow-ups {counts.get('repair-done', 0)}"
    )
    if ins.open_repairs:
        out.append(paint("Open repairs", "bold"))
        for r in ins.open_repairs:
            follow = f", follow up {r.follow_up}" if r.follow_up else ""
            out.append(f"  {literal(r.id[:8])}  open {r.days_open} d{literal(follow)}")
    return "\n".join(out) + "\n"


def insights_json(ins: Insights) -> dict[str, object]:
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
