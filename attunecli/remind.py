"""`attune remind`: one gentle nudge, made for cron and timers.

It nudges when there is no check-in yet today (a day starts at `day-start`,
04:00 unless set, so a check-in at 1 a.m. counts for the evening before) or
when an open repair's follow-up date has come. It says nothing at all
otherwise, never prompts, never writes colour, and does not nudge more than
`max_per_day` times a day (the count lives in the state dir, under a lock).
"""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import date, datetime, time

from attunecli.days import DEFAULT_DAY_START as DEFAULT_DAY_START
from attunecli.days import logical_day as logical_day
from attunecli.days import parse_day_start as parse_day_start
from attunecli.errors import AttuneError
from attunecli.record import Record

# Cron and timers run `attune remind` every day, and on most days it has nothing to
# say: this module loads only what that answer needs (no dataclasses, json, pathlib,
# subprocess or the store's models); the rest is imported where it is used.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from typing import Any

    from attunecli.index import OpenRepair
    from attunecli.paths import Paths


class Nudge(Record):
    """What there is to say today (a plain class: dataclasses cost this path their import)."""

    __slots__ = ("checked_in", "day", "due")

    def __init__(self, day: date, checked_in: bool, due: list[OpenRepair] | None = None) -> None:
        self.day = day
        self.checked_in = checked_in
        self.due: list[OpenRepair] = [] if due is None else due

    @property
    def needed(self) -> bool:
        return not self.checked_in or bool(self.due)

    def line(self) -> str:
        parts = []
        if not self.checked_in:
            parts.append("a few minutes for today's check-in? attune checkin")
        if self.due:
            n = len(self.due)
            what = "a repair is" if n == 1 else f"{n} repairs are"
            parts.append(f"{what} ready for a follow-up: attune repairs")
        text = "; ".join(parts)
        return "attune: " + text[0].lower() + text[1:] if text else ""

    def to_json(self, *, reminded: bool) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "checked_in": self.checked_in,
            "due_repairs": [
                {"id": r.id, "follow_up": r.follow_up, "context": r.context, "what": r.what}
                for r in self.due
            ],
            "remind": reminded,
            "message": self.line() if reminded else "",
        }


def decide(paths: Paths, now: datetime, day_start: time) -> Nudge:
    """What there is to say today; reads the index, never the whole store."""
    import sqlite3

    from attunecli.index import Index

    day, start, end = logical_day(now, day_start)
    # The store's folder, as `Store(paths.data).root` names it (without loading the
    # store); silent: a reminder is no place to report file problems.
    root = os.path.join(os.fspath(paths.data), "entries")
    if not _is_dir(root):
        return Nudge(day, checked_in=False)
    try:
        index = Index(root, paths.cache, sweep=True)
        with index.connection() as conn:
            return _decided(conn, day, start, end)
    except (sqlite3.Error, OSError):
        # The cache folder cannot hold the index (a link at its place, a folder another
        # user made): the index is never needed to be right, so the files are read into
        # one in memory, as the reading commands do; quietly, since this is cron's.
        # A problem with the entries themselves fails again here, and is reported.
        index = Index(root, None, sweep=True)
        with index.connection() as conn:
            return _decided(conn, day, start, end)


def _is_dir(path: str) -> bool:
    """`Path(path).is_dir()`, without pathlib: False when there is nothing there, and
    any other failure (no permission to look) raised, for `run` to report."""
    import errno
    import stat

    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            return False
        raise
    except ValueError:
        return False


def _decided(conn: sqlite3.Connection, day: date, start: datetime, end: datetime) -> Nudge:
    from attunecli.index import Index

    checked_in = Index.practised_between(conn, "checkin", start, end)
    due = [r for r in Index.open_repairs(conn) if r.follow_up and r.follow_up <= day.isoformat()]
    return Nudge(day, checked_in=checked_in, due=due)


# How many nudges went out today: a read-modify-write, so under a lock.
@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    from attunecli.fsutil import ensure_private_dir

    ensure_private_dir(path.parent)
    # Not through a link: one planted here would have us create or lock a file elsewhere.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def take_turn(state_dir: Path, day: date, max_per_day: int) -> bool:
    """Count one nudge for `day` if fewer than `max_per_day` went out; False if none is left."""
    import json

    from attunecli.fsutil import read_regular, write_atomic

    state = state_dir / "remind.json"
    with _locked(state_dir / "remind.lock"):
        try:
            # Only a regular file: a FIFO here would hold every reminder up for good.
            data = json.loads(read_regular(state, limit=1 << 16).decode("utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        count = data.get("count", 0) if data.get("day") == day.isoformat() else 0
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            count = 0  # a damaged count is no count
        if count >= max_per_day:
            return False
        payload = {"day": day.isoformat(), "count": count + 1}
        write_atomic(state, json.dumps(payload).encode("utf-8"))
    return True


def notify(message: str, run: Callable[..., Any] | None = None) -> bool:
    """A desktop notification; False when no notifier worked (the caller prints instead).

    `run` is `subprocess.run` unless given (tests give their own).
    """
    import json
    import shutil
    import subprocess
    from pathlib import Path

    if run is None:
        run = subprocess.run
    title, body = "attune", message.removeprefix("attune: ")
    if sys.platform == "darwin":
        script = f"display notification {json.dumps(body)} with title {json.dumps(title)}"
        command = ["osascript", "-e", script]
    else:
        exe = shutil.which("notify-send") or shutil.which("notify-send", path="/usr/bin:/bin")
        if exe is None:
            return False
        command = [exe, "--app-name=attune", title, body]
    env = dict(os.environ)
    bus = f"/run/user/{os.getuid()}/bus"
    if "DBUS_SESSION_BUS_ADDRESS" not in env and Path(bus).exists():
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={bus}"  # as under cron
    try:
        done = run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return getattr(done, "returncode", 1) == 0


def run(
    paths: Paths,
    now: datetime,
    *,
    max_per_day: int = 1,
    as_json: bool = False,
    desktop: bool = False,
    out: Any = None,
    notifier: Callable[[str], bool] = notify,
) -> None:
    """Decide, count, and say it (or say nothing). Raises AttuneError on a real failure."""
    import sqlite3

    from attunecli.days import configured_day_start

    out = out or sys.stdout
    start = configured_day_start(paths.config_file)
    try:
        nudge = decide(paths, now, start)
        reminded = nudge.needed and take_turn(paths.state, nudge.day, max_per_day)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise AttuneError(f"could not check for reminders{where}: {exc.strerror or exc}") from exc
    except sqlite3.Error as exc:
        raise AttuneError(
            f"could not use the index in {paths.cache} ({exc}); `attune doctor --fix` rebuilds it"
        ) from exc
    if as_json:
        import json

        out.write(json.dumps(nudge.to_json(reminded=reminded)) + "\n")
    elif reminded and not (desktop and notifier(nudge.line())):
        out.write(nudge.line() + "\n")
    out.flush()


def fast_args(args: list[str]) -> dict[str, Any] | None:
    """`attune remind` options, when they are plain enough to skip Typer (cron calls it daily).

    Anything else (help, a typo, a global option) returns None and goes through
    Typer, which explains itself properly.
    """
    from attunecli.quick import whole

    opts: dict[str, Any] = {"max_per_day": 1, "as_json": False, "desktop": False}
    it = iter(args)
    for arg in it:
        if arg == "--json":
            opts["as_json"] = True
        elif arg == "--notify":
            opts["desktop"] = True
        elif arg == "--max-per-day" or arg.startswith("--max-per-day="):
            value = whole(arg.partition("=")[2] if "=" in arg else next(it, ""))
            if value is None or value < 1:
                return None  # Typer explains
            opts["max_per_day"] = value
        else:
            return None
    return opts


def main_fast(args: list[str]) -> int | None:
    """Run `attune remind` without Typer; None when the arguments need Typer."""
    opts = fast_args(args)
    if opts is None:
        return None
    import warnings

    from attunecli.errors import report
    from attunecli.paths import resolve_paths

    warnings.simplefilter("ignore")  # nothing but our own line may reach cron's mail
    try:
        run(resolve_paths(), datetime.now().astimezone(), **opts)
    except (Exception, KeyboardInterrupt) as exc:  # Ctrl-C, a closed pipe: one line, no trace
        return report(exc)
    return 0
