"""Text views without Rich: tables, highlights and styles as plain strings.

The reading commands (`history`, `search`, `insights`) print through this
module so they can answer before Rich (tens of milliseconds to import) would
have loaded. User text is data here too: it passes through `literal`, which
shows control characters (escape sequences included) as visible codes, and
styles are our own fixed SGR codes, never parsed out of text.
"""

from __future__ import annotations

import os
import re
import unicodedata

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import IO

MIN_WIDTH, FALLBACK_WIDTH = 20, 40  # a $COLUMNS narrower than 20 is no width to lay out in
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SGR = {"bold": "1", "dim": "2", "reverse": "7", "green": "32", "yellow": "33", "cyan": "36"}
GAP = "  "  # between table columns


def literal(text: str) -> str:
    """`text` with control characters made visible (ESC shows as \\x1b)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class Painter:
    """Wraps text in SGR styles, or leaves it plain when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        if not self.color or not style or not text:
            return text
        codes = ";".join(_SGR[s] for s in style.split())
        return f"\x1b[{codes}m{text}\x1b[0m"


def width_of(text: str) -> int:
    """Terminal cells `text` takes: wide (East Asian) letters two, combining marks none."""
    if text.isascii():
        return len(text)
    cells = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        cells += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return cells


def output_width(stream: IO[str], explicit: int | None = None) -> int:
    """The width to lay text out in: given, $COLUMNS, the terminal's, else 80."""
    if explicit:
        return explicit
    columns = os.environ.get("COLUMNS", "")
    if columns.isdecimal() and int(columns) > 0:
        return int(columns)
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        pass
    return 80


def fold(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken at spaces where it can be."""
    width = max(width, 8)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width_of(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while width_of(word) > width:  # one word longer than the line: cut it
                cut = len(word)
                while width_of(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def pad(text: str, width: int, *, right: bool = False) -> str:
    space = " " * max(width - width_of(text), 0)
    return space + text if right else text + space


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    paint: Painter,
    *,
    width: int,
    styles: Sequence[str] = (),
    right: Sequence[int] = (),
    header_style: str = "bold",
) -> str:
    """Columns two spaces apart; the last one folds to fit `width`.

    Cells are plain text (already made `literal`); `styles` colours whole columns.
    """
    count = len(headers)
    sizes = [width_of(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row[: count - 1]):
            sizes[i] = max(sizes[i], width_of(cell))
    used = sum(sizes[:-1]) + len(GAP) * (count - 1)
    if count > 2 and width - used < NARROW_LAST:
        return _stacked(rows, paint, width, styles)
    last = max(width - used, 20)
    out = []
    if any(headers):
        heads = [pad(h, sizes[i], right=i in right) for i, h in enumerate(headers[:-1])]
        out.append(
            GAP.join([*(paint(h, header_style) for h in heads), paint(headers[-1], header_style)])
        )
    for row in rows:
        wrapped = fold(row[-1], last) if row[-1] else [""]
        cells = []
        for i, cell in enumerate(row[:-1]):
            style = styles[i] if i < len(styles) else ""
            cells.append(paint(pad(cell, sizes[i], right=i in right), style))
        style = styles[count - 1] if count - 1 < len(styles) else ""
        first = GAP.join([*cells, paint(wrapped[0], style)])
        out.append(first.rstrip() if not paint.color else first)
        indent = " " * (used)
        out += [indent + paint(more, style) for more in wrapped[1:]]
    return "\n".join(out) + "\n"


NARROW_LAST = 12  # below this much room for the last column, rows are stacked instead


def _stacked(
    rows: Sequence[Sequence[str]], paint: Painter, width: int, styles: Sequence[str]
) -> str:
    """Each row as a short block, for a terminal too narrow for columns: the first two
    cells on one line (when they fit), the rest under them, indented and folded."""

    def styled(i: int, text: str) -> str:
        return paint(text, styles[i] if i < len(styles) else "")

    out: list[str] = []
    for n, row in enumerate(rows):
        if n:
            out.append("")
        rest = list(enumerate(row))
        head = styled(0, row[0])
        if len(row) > 1 and width_of(row[0]) + len(GAP) + width_of(row[1]) <= width:
            head += GAP + styled(1, row[1])
            rest = rest[2:]
        else:
            rest = rest[1:]
        out.append(head)
        for i, cell in rest:
            if cell:
                out += ["  " + styled(i, piece) for piece in fold(cell, max(width - 2, 10))]
    return "\n".join(out) + "\n"


def highlight(text: str, spans: Sequence[tuple[int, int]], paint: Painter, style: str) -> str:
    """`text` shown literally, the `spans` in `style` (without colour, the text as it is)."""
    parts = []
    cursor = 0
    for start, end in spans:
        parts.append(literal(text[cursor:start]))
        parts.append(paint(literal(text[start:end]), style))
        cursor = end
    parts.append(literal(text[cursor:]))
    return "".join(parts)


def write_json(out: IO[str], data: object) -> None:
    """JSON for a listing: indented for a person at a terminal, one compact line for a
    pipe (as `gh` does). Compact JSON comes from the C encoder; `indent` falls back to
    a Python one, which shows on a whole store's insights."""
    import json

    try:
        pretty = out.isatty()
    except (ValueError, AttributeError):
        pretty = False
    out.write(json.dumps(data, ensure_ascii=False, indent=2 if pretty else None) + "\n")


def tsv(fields: Sequence[object]) -> str:
    """One record for `--plain`: fields joined by tabs, never folded. A tab, a newline
    or any other control character inside a field is shown escaped (`literal`), so a
    record is always exactly one line and its fields can be cut by tab."""
    return "\t".join(_field("" if f is None else str(f)) for f in fields) + "\n"


_LINE_BREAKS = str.maketrans(
    {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _field(text: str) -> str:
    return literal(text.translate(_LINE_BREAKS))
