"""Days as people type them on the command line."""

from __future__ import annotations

import re
from datetime import date, timedelta

from attunecli.errors import UsageError


def parse_day(text: str, today: date, option: str) -> date:
    """YYYY-MM-DD, today, yesterday, or N days/weeks ago as 7d / 2w."""
    t = text.strip().lower()
    if t == "today":
        return today
    if t == "yesterday":
        return today - timedelta(days=1)
    m = re.fullmatch(r"(\d{1,5})\s*([dw])", t)
    if m:
        n = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
        return today - timedelta(days=n)
    try:
        return date.fromisoformat(t)
    except ValueError:
        raise UsageError(
            f"{option}: not a date: {text[:40]!r}; use YYYY-MM-DD, today, yesterday, 7d or 2w"
        ) from None


def period(since: str | None, until: str | None, today: date) -> tuple[date | None, date | None]:
    """--since and --until as days; a period that ends before it starts is a usage error."""
    lo = parse_day(since, today, "--since") if since else None
    hi = parse_day(until, today, "--until") if until else None
    if lo and hi and lo > hi:
        raise UsageError(f"--since {lo} is after --until {hi}")
    return lo, hi
