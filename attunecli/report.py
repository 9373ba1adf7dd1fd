"""`attune report`: one self-contained HTML page of a period, to read or to take along.

Pure: entries in, a string of HTML out. No network and no script: inline CSS and
SVG only, and a Content-Security-Policy that forbids loading anything, so the page
opens offline forever and nothing in it can run. Every word that came from an entry
is escaped (`_text`): an entry that holds `<script>` shows those characters.

The pictures are built from `Day`, one per day of the period (by the day start),
so a chart and the figure beside it always agree; tests count the SVG elements.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from attunecli.days import logical_date
from attunecli.labels import PRACTICE_LABELS, QUADRANT_LABELS, QUADRANTS
from attunecli.plain import literal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from attunecli.models import Entry

# Okabe-Ito colours, told apart with the common kinds of colour blindness, ordered
# light to dark so that they stay apart in greyscale too; unpleasant days are also
# hatched (see `_defs`), which greyscale keeps.
COLOURS = {
    "high-pleasant": "#F0E442",
    "low-pleasant": "#56B4E9",
    "high-unpleasant": "#D55E00",
    "low-unpleasant": "#0072B2",
}
EMPTY = "#ffffff"
CELL = 14  # px, one day in the calendar
WEEK_GRID_WEEKS = 8  # the most recent weeks shown as a diary card


@dataclass
class Day:
    day: date
    entries: int = 0
    quadrants: Counter[str] = field(default_factory=Counter)
    intensities: list[int] = field(default_factory=list)
    feelings: list[str] = field(default_factory=list)
    exercises: list[str] = field(default_factory=list)
    repairs_opened: int = 0
    repairs_closed: int = 0

    @property
    def quadrant(self) -> str | None:
        """The kind of feeling most named that day (ties: the more unpleasant, then the
        higher energy, so a hard day is never painted as an easy one)."""
        if not self.quadrants:
            return None
        order = ("high-unpleasant", "low-unpleasant", "high-pleasant", "low-pleasant")
        return max(order, key=lambda q: (self.quadrants[q], -order.index(q)))

    @property
    def intensity(self) -> float | None:
        return sum(self.intensities) / len(self.intensities) if self.intensities else None


@dataclass
class Period:
    since: date
    until: date
    days: list[Day]
    entries: list[Entry]
    exercises: dict[str, list[int | None]]  # exercise -> changes (after - before)
    body: Counter[str]
    repairs: list[tuple[Entry, Entry | None]]  # a repair, and its follow-up if any

    @property
    def days_with_entries(self) -> int:
        return sum(1 for d in self.days if d.entries)


def _moments(entry: Entry) -> list[tuple[str, int | None, str | None, list[str]]]:
    from attunecli.insights import feeling_moments

    return feeling_moments(entry)


def period(entries: Iterable[Entry], since: date, until: date, day_start: time) -> Period:
    """Everything the report shows, from the entries of `since`..`until`."""
    days = {
        since + timedelta(n): Day(since + timedelta(n)) for n in range((until - since).days + 1)
    }
    kept: list[Entry] = []
    exercises: dict[str, list[int | None]] = {}
    body: Counter[str] = Counter()
    repairs: dict[str, Entry] = {}
    done: dict[str, Entry] = {}
    for e in entries:
        on = logical_date(e.created_at, day_start)
        day = days.get(on)
        if day is None:
            continue
        kept.append(e)
        day.entries += 1
        for word, intensity, quadrant, places in _moments(e):
            day.feelings.append(word)
            if quadrant in COLOURS:
                day.quadrants[quadrant] += 1
            if intensity is not None:
                day.intensities.append(intensity)
            body.update(places)
        exercise = e.answer("exercise") or e.answer("settle.exercise")
        ran = e.answer("guide") or e.answer("settle.guide")
        if isinstance(exercise, str) and (e.practice == "regulate" or ran is not None):
            before, after = e.answer("arousal_before"), e.answer("arousal_after")
            change = (
                after - before
                if isinstance(before, int)
                and isinstance(after, int)
                and not isinstance(before, bool)
                and not isinstance(after, bool)
                else None
            )
            exercises.setdefault(exercise, []).append(change)
            day.exercises.append(exercise)
        if e.practice == "repair" and e.complete:
            repairs[e.id] = e
            day.repairs_opened += 1
        elif e.practice == "repair-done" and e.refers_to:
            done[e.refers_to] = e
            day.repairs_closed += 1
    return Period(
        since=since,
        until=until,
        days=list(days.values()),
        entries=kept,
        exercises=exercises,
        body=body,
        repairs=[(r, done.get(i)) for i, r in repairs.items()],
    )


# words ---------------------------------------------------------------------------------------


def _text(value: object) -> str:
    """User text as inert HTML: control characters made visible, then escaped."""
    return html.escape(literal(str(value)), quote=True)


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def _summary(p: Period) -> str:
    n_days = (p.until - p.since).days + 1
    have = p.days_with_entries
    parts = [
        f"From {_day(p.since)} to {_day(p.until)}: {len(p.entries)} "
        f"entr{'y' if len(p.entries) == 1 else 'ies'} on {have} of {n_days} days."
    ]
    quadrants = Counter(q for d in p.days for q in d.quadrants.elements())
    if quadrants:
        top, _ = max(quadrants.items(), key=lambda kv: kv[1])
        parts.append(f"The kind of feeling named most often: {QUADRANT_LABELS[top].lower()}.")
    if p.exercises:
        name = max(p.exercises, key=lambda x: len(p.exercises[x]))
        parts.append(f"What you turned to most to settle: {_text(_exercise(name))}.")
    if have < n_days:
        parts.append("Days without an entry are left blank; there is no score to keep.")
    return " ".join(parts)


def _exercise(exercise_id: str) -> str:
    from attunecli.display import exercise_label

    return exercise_label(exercise_id)


# pictures ------------------------------------------------------------------------------------


def _defs() -> str:
    return (
        '<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="1.5" height="4" fill="#000" '
        'fill-opacity="0.35"/></pattern></defs>'
    )


def calendar(p: Period) -> str:
    """Weeks as columns, Monday to Sunday down: a month or a whole year in pixels."""
    first = p.since - timedelta(days=p.since.weekday())
    weeks = ((p.until - first).days // 7) + 1
    cell = CELL * 2 if weeks <= 13 else CELL  # a season or less: squares big enough to read
    left, top = 30, 16
    width, height = left + weeks * cell + 4, top + 7 * cell + 4
    out = [
        f'<svg class="calendar" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-labelledby="cal-title"><title id="cal-title">Calendar of '
        f"the period, one square a day, coloured by the kind of feeling named most</title>",
        _defs(),
    ]
    for row, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        if name:
            y = top + row * cell + cell - 3
            out.append(f'<text x="0" y="{y}" class="axis">{name}</text>')
    month = None
    for d in p.days:
        col = (d.day - first).days // 7
        row = d.day.weekday()
        x, y = left + col * cell, top + row * cell
        if d.day.month != month and row <= 3:
            month = d.day.month
            out.append(f'<text x="{x}" y="11" class="axis">{d.day:%b}</text>')
        q = d.quadrant
        label = _day(d.day)
        if q is None:
            what = "an entry, no feeling named" if d.entries else "no entry"
            fill = "#e8e8e8" if d.entries else EMPTY
            out.append(
                f'<rect class="day" data-day="{d.day}" x="{x}" y="{y}" width="{cell - 2}" '
                f'height="{cell - 2}" fill="{fill}" stroke="#bbb"><title>{label}: {what}'
                "</title></rect>"
            )
            continue
        strength = d.intensity
        opacity = 0.45 + 0.055 * strength if strength is not None else 0.8
        said = f"mostly {QUADRANT_LABELS[q].lower()}"
        if strength is not None:
            said += f", intensity {strength:.1f}"
        out.append(
            f'<rect class="day" data-day="{d.day}" data-quadrant="{q}" x="{x}" y="{y}" '
            f'width="{cell - 2}" height="{cell - 2}" fill="{COLOURS[q]}" '
            f'fill-opacity="{opacity:.2f}" stroke="#555"><title>{label}: {said}</title></rect>'
        )
        if q.endswith("-unpleasant"):
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                'fill="url(#hatch)" pointer-events="none"/>'
            )
    out.append("</svg>")
    return "".join(out)


def legend() -> str:
    items = []
    for q in QUADRANTS:
        hatch = (
            '<rect width="12" height="12" fill="url(#hatch)"/>' if q.endswith("-unpleasant") else ""
        )
        items.append(
            f'<li><svg width="12" height="12" aria-hidden="true">{_defs()}'
            f'<rect width="12" height="12" fill="{COLOURS[q]}" stroke="#555"/>{hatch}</svg> '
            f"{html.escape(QUADRANT_LABELS[q])}</li>"
        )
    items.append(
        '<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
        'fill="#e8e8e8" stroke="#bbb"/></svg> An entry, no feeling named</li>'
    )
    items.append(
        f'<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
        f'fill="{EMPTY}" stroke="#bbb"/></svg> No entry</li>'
    )
    return '<ul class="legend">' + "".join(items) + "</ul>"


def intensity_line(p: Period) -> str:
    """Each day's average intensity, 0 to 10, as a line broken where a day has none."""
    w, h, left, top = 640, 180, 28, 10
    n = max(len(p.days) - 1, 1)
    plot_w, plot_h = w - left - 10, h - top - 24

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + plot_w * i / n, top + plot_h * (1 - v / 10)

    out = [
        f'<svg class="intensity" role="img" viewBox="0 0 {w} {h}" aria-labelledby="int-title">'
        '<title id="int-title">Average intensity of the feelings named, day by day, 0 to 10'
        "</title>"
    ]
    for v in (0, 5, 10):
        _, y = xy(0, v)
        out.append(
            f'<line x1="{left}" x2="{w - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="0" y="{y + 4:.1f}" class="axis">{v}</text>'
        )
    run: list[str] = []
    points = []
    for i, d in enumerate(p.days):
        level = d.intensity
        if level is None:
            if len(run) > 1:
                out.append(f'<polyline class="line" points="{" ".join(run)}"/>')
            run = []
            continue
        x, y = xy(i, level)
        run.append(f"{x:.1f},{y:.1f}")
        points.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="2.5"><title>{_day(d.day)}: '
            f"{level:.1f}</title></circle>"
        )
    if len(run) > 1:
        out.append(f'<polyline class="line" points="{" ".join(run)}"/>')
    out += points
    out.append(
        f'<text x="{left}" y="{h - 6}" class="axis">{_day(p.since)}</text>'
        f'<text x="{w - 10}" y="{h - 6}" class="axis" text-anchor="end">{_day(p.until)}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _bars(rows: Sequence[tuple[str, int, str]], css: str, title: str) -> str:
    """Horizontal bars: (label, value, note) each."""
    if not rows:
        return ""
    most = max(v for _, v, _ in rows) or 1
    row_h, label_w, bar_w = 22, 170, 300
    h = row_h * len(rows) + 4
    out = [
        f'<svg class="{css}" role="img" viewBox="0 0 {label_w + bar_w + 150} {h}" '
        f'aria-label="{html.escape(title)}">'
    ]
    for i, (label, value, note) in enumerate(rows):
        y = i * row_h + 2
        length = max(bar_w * value / most, 1)
        out.append(
            f'<text x="0" y="{y + 14}" class="label">{_text(label)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{length:.1f}" height="14">'
            f"<title>{_text(label)}: {value}</title></rect>"
            f'<text x="{label_w + length + 6:.1f}" y="{y + 14}" class="label">{value}'
            f"{_text(note)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def settles(p: Period) -> str:
    rows = []
    for exercise, changes in sorted(p.exercises.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        known = [c for c in changes if c is not None]
        note = f" · {sum(known) / len(known):+.1f} on average" if known else ""
        rows.append((_exercise(exercise), len(changes), note))
    return _bars(rows, "settles", "Times each exercise was used, and the average change")


def quadrant_bars(p: Period) -> str:
    counts = Counter(q for d in p.days for q in d.quadrants.elements())
    rows = [(QUADRANT_LABELS[q], counts[q], "") for q in QUADRANTS if counts[q]]
    return _bars(rows, "quadrants", "How often each kind of feeling was named")


def _feelings_cell(d: Day) -> str:
    return ", ".join(_text(w) for w in dict.fromkeys(d.feelings))


def _intensity_cell(d: Day) -> str:
    v = d.intensity
    return "" if v is None else f"{v:.0f}"


def _settling_cell(d: Day) -> str:
    return ", ".join(_text(_exercise(x)) for x in dict.fromkeys(d.exercises))


GRID_ROWS: tuple[tuple[str, Callable[[Day], str]], ...] = (
    ("Feelings", _feelings_cell),
    ("Intensity", _intensity_cell),
    ("Settling", _settling_cell),
    ("Repairs", lambda d: _repair_cell(d)),
)


def week_grid(p: Period) -> str:
    """A diary card: the most recent weeks, days across, what was noticed down."""
    by_day = {d.day: d for d in p.days}
    last_monday = p.until - timedelta(days=p.until.weekday())
    weeks = [last_monday - timedelta(weeks=k) for k in range(WEEK_GRID_WEEKS)]
    weeks = [w for w in reversed(weeks) if w + timedelta(days=6) >= p.since]
    out = []
    for monday in weeks:
        days = [monday + timedelta(n) for n in range(7)]
        head = "".join(f"<th scope='col'>{d:%a %d}</th>" for d in days)
        rows = []
        for name, cell in GRID_ROWS:
            tds = "".join(f"<td>{cell(by_day[d]) if d in by_day else ''}</td>" for d in days)
            rows.append(f"<tr><th scope='row'>{name}</th>{tds}</tr>")
        out.append(
            f'<div class="scroll"><table class="week"><caption>Week of {_day(monday)}</caption>'
            f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
    return "".join(out)


def _repair_cell(d: Day) -> str:
    parts = []
    if d.repairs_opened:
        parts.append(f"{d.repairs_opened} begun")
    if d.repairs_closed:
        parts.append(f"{d.repairs_closed} followed up")
    return ", ".join(parts)


def words(p: Period) -> str:
    counted = Counter(w for d in p.days for w in d.feelings)
    if not counted:
        return "<p>No feelings named in this period.</p>"
    items = "".join(
        f"<li>{_text(w)} <span class='n'>{n}</span></li>" for w, n in counted.most_common(12)
    )
    body = ""
    if p.body:
        places = ", ".join(f"{_text(b)} ({n})" for b, n in p.body.most_common(6))
        body = f"<p>Where in the body, most often: {places}.</p>"
    return f'<ol class="words">{items}</ol>{body}'


def repairs(p: Period) -> str:
    if not p.repairs:
        return "<p>No repairs begun in this period.</p>"
    from attunecli.display import shown

    rows = []
    for r, done in p.repairs:
        state = f"followed up {_day(done.created_at.date())}" if done else "still open"
        context = shown("repair", "context", r.answer("context"))
        rows.append(
            f"<tr><td>{_day(r.created_at.date())}</td><td>{_text(context or '')}</td>"
            f"<td>{_text(r.answer('what') or '')}</td><td>{state}</td></tr>"
        )
    return (
        '<div class="scroll"><table class="repairs"><thead><tr><th>Begun</th><th>With</th>'
        f"<th>What happened</th><th>Now</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></div>"
    )


def entries(p: Period) -> str:
    from attunecli.display import answer_text, shown

    out = []
    for e in reversed(p.entries):
        name = PRACTICE_LABELS.get(e.practice, e.practice).capitalize()
        if not e.complete:
            name += " (kept partway)"
        items = []
        for a in e.answers:
            if a.answer is None:
                continue
            value = shown(e.practice, a.id, a.answer)
            if isinstance(value, list):
                said = (
                    "<ul>" + "".join(f"<li>{_text(answer_text(v))}</li>" for v in value) + "</ul>"
                )
            else:
                said = _text(answer_text(value))
            items.append(f"<dt>{_text(a.question)}</dt><dd>{said}</dd>")
        when = e.created_at.strftime("%a %d %b %Y, %H:%M")
        if e.filled_in_later and e.written_at is not None:
            when += e.written_at.strftime(" · filled in %a %d %b %Y, %H:%M")
        out.append(
            f'<article class="entry"><h3>{_text(name)} <small>{when}</small></h3>'
            f"<dl>{''.join(items)}</dl></article>"
        )
    return "".join(out) or "<p>No entries in this period.</p>"


STYLE = """
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
  max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.muted, small { color: #666; font-weight: normal; }
svg { max-width: 100%; height: auto; }
.scroll { overflow-x: auto; }
.axis, .label { font-size: 10px; fill: #444; }
.label { font-size: 12px; }
.grid { stroke: #ddd; }
.line { fill: none; stroke: #0072B2; stroke-width: 2; }
.point { fill: #0072B2; }
.bar { fill: #009E73; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
.legend svg { vertical-align: -1px; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: .25rem .4rem; text-align: left; vertical-align: top; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
.words li { margin: .1rem 0; } .n { color: #666; }
.entry { border-top: 1px solid #eee; padding-top: .4rem; }
.entry h3 { font-size: 1rem; margin: .4rem 0; }
dt { font-weight: 600; margin-top: .3rem; } dd { margin: 0 0 0 1rem; white-space: pre-wrap; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  @page { margin: 16mm; }
  h2 { break-before: page; } section:first-of-type h2 { break-before: auto; }
  svg, table, .entry { break-inside: avoid; }
}
"""


def page(p: Period, *, generated: datetime, version: str) -> str:
    sections = [
        ("Calendar", calendar(p) + legend()),
        ("A week at a time", week_grid(p)),
        ("Intensity over time", intensity_line(p)),
        ("What settles you", settles(p) or "<p>No exercises in this period.</p>"),
        ("Feelings", quadrant_bars(p) + words(p)),
        ("Repairs", repairs(p)),
        ("Entries", entries(p)),
    ]
    body = "".join(f"<section><h2>{name}</h2>{content}</section>" for name, content in sections)
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        # Nothing may be loaded or run: the page is whole in itself, and stays inert.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>attune: {_day(p.since)} to {_day(p.until)}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Your attune report</h1><p class='muted'>Made {generated:%d %b %Y, %H:%M} by "
        f"attune {html.escape(version)}, on your machine. A self-reflection record, not a "
        "diagnosis or an assessment.</p>"
        f"<p class='summary'>{_summary(p)}</p>{body}</body></html>\n"
    )
