"""Install, show and remove the daily reminder: cron, a systemd user timer, or launchd.

Each way is a small class with the same four methods: `preview` (exactly what
would be written), `install`, `status` and `remove`. Only what attune wrote is
ever touched: the cron line carries a marker comment, the unit and plist files
have names of their own.
"""

from __future__ import annotations

import os
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, Protocol

from attunecli.days import clock_time, weekday_of
from attunecli.errors import AttuneError, UsageError
from attunecli.fsutil import write_atomic
from attunecli.paths import ENV_CACHE, ENV_CONFIG, ENV_DATA, ENV_STATE, Paths

MARKER = "attune-remind"
UNIT = "attune-remind"
LAUNCHD_LABEL = "org.attune.remind"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS = (1, 2, 3, 4, 5, 6, 7)

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def _run(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
        check=False,
    )


def parse_at(text: str) -> time:
    found = clock_time(text)
    if found is None:
        raise UsageError(f"--at: expected a time like 20:30, got {text[:20]!r}")
    return found


def _day_number(word: str) -> int | None:
    """1 for mon, monday (or any start of it of three letters or more), ... 7 for sunday."""
    found = weekday_of(word)
    return None if found is None else found + 1


def parse_days(text: str) -> tuple[int, ...]:
    """daily, weekdays, weekends, mon-fri, sat-sun, mon,wed,fri (ISO weekdays, Monday = 1)."""
    t = text.strip().lower()
    named = {
        "daily": ALL_DAYS,
        "every": ALL_DAYS,
        "*": ALL_DAYS,
        "weekdays": (1, 2, 3, 4, 5),
        "weekends": (6, 7),
    }
    if t in named:
        return named[t]
    days: set[int] = set()
    for part in t.split(","):
        ends = [_day_number(p.strip()) for p in part.split("-")]
        if not 1 <= len(ends) <= 2 or None in ends:
            raise UsageError(
                f"--days: not a day or range: {part.strip()[:20]!r}; use daily, weekdays, "
                "weekends, mon-fri or mon,wed,fri"
            )
        first, last = ends[0] or 1, ends[-1] or 1
        span = range(first, last + 1) if first <= last else [*range(first, 8), *range(1, last + 1)]
        days.update(span)
    return tuple(sorted(days))


def days_text(days: Sequence[int]) -> str:
    if tuple(days) == ALL_DAYS:
        return "every day"
    return ", ".join(DAY_NAMES[d - 1] for d in days)


def attune_command() -> list[str]:
    """How to start this attune from anywhere: an absolute path, never a PATH lookup."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "attune" and argv0.exists():
        return [str(argv0.absolute())]
    found = shutil.which("attune")
    if found:
        return [str(Path(found).absolute())]
    return [sys.executable, "-m", "attunecli"]


# A line break would start a second crontab line or a new systemd directive; any other
# control character (or a line separator, or bytes that are not UTF-8) has no safe
# spelling in a crontab, a unit file and a plist alike. Such a path is refused.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_WHAT = {
    ENV_DATA: "the data folder",
    ENV_CONFIG: "the config folder",
    ENV_STATE: "the state folder",
    ENV_CACHE: "the cache folder",
}


def refuse_unsafe(plan: Plan) -> None:
    """A UsageError, before anything is shown or written, for a path the reminder cannot hold."""
    named = [(f"{_WHAT.get(k, k)} ({k})", v) for k, v in plan.env]
    named += [
        ("the attune program's path" if i == 0 else "an argument", v)
        for i, v in enumerate(plan.command)
    ]
    for what, value in named:
        bad = _UNSAFE.search(value)
        if bad is None:
            continue
        kind = (
            "bytes that are not UTF-8"
            if 0xD800 <= ord(bad.group()) <= 0xDFFF
            else f"a control character ({bad.group()!r})"
        )
        raise UsageError(
            f"{what} holds {kind}, which would break the reminder's schedule: {value!r}; "
            "use a path without one (nothing was written)"
        )


@dataclass(frozen=True)
class Plan:
    at: time
    days: tuple[int, ...]
    command: tuple[str, ...]  # the program and its arguments
    env: tuple[tuple[str, str], ...]  # baked in: cron and timers do not see the shell's XDG_*

    def __post_init__(self) -> None:
        refuse_unsafe(self)

    @classmethod
    def make(cls, at: time, days: tuple[int, ...], paths: Paths, *, notify: bool) -> Plan:
        command = (*attune_command(), "remind", *(["--notify"] if notify else []))
        env = (
            (ENV_DATA, str(paths.data)),
            (ENV_CONFIG, str(paths.config)),
            (ENV_STATE, str(paths.state)),
            (ENV_CACHE, str(paths.cache)),
        )
        return cls(at, days, command, env)

    def describe(self) -> str:
        return f"at {self.at:%H:%M}, {days_text(self.days)}"


class Scheduler(Protocol):
    name: str

    def preview(self, plan: Plan) -> str: ...
    def install(self, plan: Plan) -> str: ...
    def status(self) -> list[str]: ...
    def when(self) -> list[str]: ...
    def remove(self) -> list[str]: ...


HAND_SET = "at a time of its own (edited by hand)"


def when_text(at: time | None, days: Sequence[int] | None) -> str:
    """ "at 20:30, every day"; what an installed reminder says when read back."""
    if at is None or not days:
        return HAND_SET
    return f"at {at:%H:%M}, {days_text(sorted(set(days)))}"


def _clock(hour: str, minute: str) -> time | None:
    if not (hour.isascii() and hour.isdigit() and minute.isascii() and minute.isdigit()):
        return None
    h, m = int(hour), int(minute)
    return time(h, m) if h < 24 and m < 60 else None


def cron_when(line: str) -> str:
    """When our crontab line runs, in words; a line edited beyond our own shape says so."""
    fields = line.split()
    if len(fields) < 6 or fields[2:4] != ["*", "*"]:
        return HAND_SET
    at = _clock(fields[1], fields[0])
    dow = fields[4]
    if dow == "*":
        return when_text(at, ALL_DAYS)
    days: list[int] = []
    for part in dow.split(","):
        if not (part.isascii() and part.isdigit()) or int(part) > 7:
            return HAND_SET
        days.append(int(part) or 7)  # cron: Sunday is 0 (or 7)
    return when_text(at, days)


def systemd_when(timer_text: str) -> str:
    """When our timer runs, from its OnCalendar= line."""
    found = re.search(r"^OnCalendar=(?:([A-Za-z,]+) )?\*-\*-\* (\d\d):(\d\d):00$", timer_text, re.M)
    if not found:
        return HAND_SET
    names, hour, minute = found.groups()
    if names is None:
        return when_text(_clock(hour, minute), ALL_DAYS)
    try:
        days = [DAY_NAMES.index(n.lower()) + 1 for n in names.split(",")]
    except ValueError:
        return HAND_SET
    return when_text(_clock(hour, minute), days)


def launchd_when(plist: bytes) -> str:
    """When our launch agent runs, from its StartCalendarInterval."""
    try:
        interval = plistlib.loads(plist).get("StartCalendarInterval")
    except Exception:  # any damage (not a plist, not a dict): say it was changed by hand
        return HAND_SET
    items = interval if isinstance(interval, list) else [interval]
    if not items or not all(isinstance(i, dict) for i in items):
        return HAND_SET
    times = {(i.get("Hour"), i.get("Minute")) for i in items}
    if len(times) != 1:
        return HAND_SET
    [(hour, minute)] = times
    at = _clock(str(hour), str(minute))
    if not isinstance(interval, list) or all("Weekday" not in i for i in items):
        return when_text(at, ALL_DAYS)
    weekdays = [i.get("Weekday") for i in items]
    if not all(isinstance(w, int) and 0 <= w <= 7 for w in weekdays):
        return HAND_SET
    return when_text(at, [int(w) or 7 for w in weekdays if isinstance(w, int)])


# cron -------------------------------------------------------------------------------------


def cron_command(plan: Plan) -> str:
    """The command part of our crontab line, before cron's `%` escaping."""
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in plan.env)
    return f"{env} {shlex.join(plan.command)}"


def cron_days(days: Sequence[int]) -> str:
    if tuple(days) == ALL_DAYS:
        return "*"
    cron = sorted(d % 7 for d in days)  # cron: Sunday is 0
    return ",".join(str(d) for d in cron)


_OURS = re.compile(r"\s#\s*" + re.escape(MARKER) + r"\s*$")


def cron_line(plan: Plan) -> str:
    """Our line, rendered by python-crontab (which also escapes `%` for cron)."""
    from crontab import CronTab

    job = CronTab(tab="").new(command=cron_command(plan), comment=MARKER)
    job.setall(f"{plan.at.minute} {plan.at.hour} * * {cron_days(plan.days)}")
    return str(job.render())


class CronScheduler:
    """Our one line in a user crontab; every other line stays exactly as it was.

    python-crontab runs `crontab -l` and `crontab FILE` for us and renders our
    line. It is not allowed to re-render the rest: it would normalise
    spacing, move comments and drop `NAME = value` lines, so the edit is made
    on the text it read. Reading refuses to go on when `crontab -l` failed for
    any reason but "no crontab", so a failed read can never become an empty
    crontab.
    """

    name = "cron"

    def __init__(self, user: str | bool = True) -> None:
        self.user = user

    def _crontab(self, *args: str, action: str = "") -> tuple[int, str, str]:
        """Run `crontab` through python-crontab's runner for our user: `action` is "l"
        (list), "r" (remove) or "" (install the file in `args`)."""
        from crontab import CRON_COMMAND, Process

        user = self.user if isinstance(self.user, str) else None
        try:
            if action == "l":
                proc = Process(CRON_COMMAND, l="", u=user) if user else Process(CRON_COMMAND, l="")
            elif action == "r":
                proc = Process(CRON_COMMAND, r="", u=user) if user else Process(CRON_COMMAND, r="")
            else:
                proc = (
                    Process(CRON_COMMAND, *args, u=user) if user else Process(CRON_COMMAND, *args)
                )
            proc.run()
        except FileNotFoundError:
            raise AttuneError("crontab is not installed here; use --via systemd") from None
        return proc.returncode or 0, proc.stdout or "", proc.stderr or ""

    def read_text(self) -> str | None:
        """The crontab as it is, or None when there is none."""
        code, out, err = self._crontab(action="l")
        if "no crontab for" in err:
            return None
        if code != 0 or err.strip():
            why = " ".join(err.split()) or f"exit {code}"
            raise AttuneError(f"could not read the crontab ({why}); nothing was changed")
        return out

    def write_text(self, text: str | None) -> None:
        """Install `text` as the crontab; None removes the crontab altogether."""
        if text is None:
            code, _, err = self._crontab(action="r")
        else:
            fd, name = tempfile.mkstemp(prefix="attune-crontab-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                code, _, err = self._crontab(name)
            finally:
                os.unlink(name)
        if code:
            why = " ".join(err.split()) or f"exit {code}"
            raise AttuneError(f"could not write the crontab ({why})")

    @staticmethod
    def _without_ours(text: str) -> list[str]:
        return [line for line in text.splitlines() if not _OURS.search(line)]

    def preview(self, plan: Plan) -> str:
        return cron_line(plan)

    def install(self, plan: Plan) -> str:
        current = self.read_text() or ""
        lines = [*self._without_ours(current), cron_line(plan)]
        self.write_text("\n".join(lines) + "\n")
        return "added to your crontab"

    def status(self) -> list[str]:
        if not self._available():
            return []
        current = self.read_text() or ""
        return [line for line in current.splitlines() if _OURS.search(line)]

    def when(self) -> list[str]:
        return [cron_when(line) for line in self.status()]

    def remove(self) -> list[str]:
        if not self._available():
            return []
        current = self.read_text()
        if current is None:
            return []
        ours = [line for line in current.splitlines() if _OURS.search(line)]
        if ours:
            rest = self._without_ours(current)
            # Nothing but ours was there: leave no crontab, as before the install.
            self.write_text("\n".join(rest) + "\n" if any(x.strip() for x in rest) else None)
        return ours

    def _available(self) -> bool:
        return shutil.which("crontab") is not None


# systemd ----------------------------------------------------------------------------------


def systemd_units(plan: Plan) -> dict[str, str]:
    def escape(text: str) -> str:
        return text.replace("%", "%%")  # systemd reads %x as a specifier

    env = "\n".join(f"Environment={escape(shlex.quote(f'{k}={v}'))}" for k, v in plan.env)
    exec_start = escape(shlex.join(plan.command))
    days = (
        ""
        if tuple(plan.days) == ALL_DAYS
        else ",".join(DAY_NAMES[d - 1].capitalize() for d in plan.days) + " "
    )
    service = f"""\
[Unit]
Description=attune: a gentle reminder for the daily check-in

[Service]
Type=oneshot
{env}
ExecStart={exec_start}
"""
    timer = f"""\
[Unit]
Description=attune: daily check-in reminder ({plan.describe()})

[Timer]
OnCalendar={days}*-*-* {plan.at:%H:%M}:00
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


class SystemdScheduler:
    """A user service and timer in ~/.config/systemd/user, enabled with systemctl --user."""

    name = "systemd"

    def __init__(self, unit_dir: Path | None = None, run: Runner = _run) -> None:
        config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        self.unit_dir = unit_dir or config_home / "systemd" / "user"
        self.run = run

    def preview(self, plan: Plan) -> str:
        return "\n".join(
            f"# {self.unit_dir / name}\n{text}" for name, text in systemd_units(plan).items()
        )

    def _systemctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(["systemctl", "--user", *args])

    def install(self, plan: Plan) -> str:
        for name, text in systemd_units(plan).items():
            write_atomic(self.unit_dir / name, text.encode("utf-8"))
        reload = self._systemctl("daemon-reload")
        enable = self._systemctl("enable", "--now", f"{UNIT}.timer")
        if reload.returncode or enable.returncode:
            why = (enable.stderr or reload.stderr or "").strip().splitlines()
            raise AttuneError(
                f"wrote {self.unit_dir / (UNIT + '.timer')} but could not enable it"
                f" ({why[0] if why else 'systemctl failed'}); "
                f"try: systemctl --user enable --now {UNIT}.timer"
            )
        return "timer written and enabled"

    def status(self) -> list[str]:
        timer = self.unit_dir / f"{UNIT}.timer"
        if not timer.exists():
            return []
        found = [str(timer), str(self.unit_dir / f"{UNIT}.service")]
        state = self._systemctl("is-enabled", f"{UNIT}.timer")
        found.append(f"enabled: {(state.stdout or state.stderr).strip() or 'unknown'}")
        listing = self._systemctl("list-timers", "--all", "--no-legend", f"{UNIT}.timer")
        if listing.returncode == 0 and listing.stdout.strip():
            found.append("next: " + " ".join(listing.stdout.split()[:4]))
        return found

    def when(self) -> list[str]:
        timer = self.unit_dir / f"{UNIT}.timer"
        if not timer.exists():
            return []
        try:
            return [systemd_when(timer.read_text(encoding="utf-8"))]
        except (OSError, UnicodeDecodeError):
            return [HAND_SET]

    def remove(self) -> list[str]:
        files = [self.unit_dir / f"{UNIT}.timer", self.unit_dir / f"{UNIT}.service"]
        present = [f for f in files if f.exists()]
        if not present:
            return []
        self._systemctl("disable", "--now", f"{UNIT}.timer")
        for f in present:
            f.unlink()
        self._systemctl("daemon-reload")
        return [str(f) for f in present]


# launchd ----------------------------------------------------------------------------------


def launchd_plist(plan: Plan) -> bytes:
    if tuple(plan.days) == ALL_DAYS:
        when: Any = {"Hour": plan.at.hour, "Minute": plan.at.minute}
    else:  # launchd: Sunday is 0
        when = [
            {"Weekday": d % 7, "Hour": plan.at.hour, "Minute": plan.at.minute} for d in plan.days
        ]
    return plistlib.dumps(
        {
            "Label": LAUNCHD_LABEL,
            "ProgramArguments": list(plan.command),
            "EnvironmentVariables": dict(plan.env),
            "StartCalendarInterval": when,
            "StandardInputPath": "/dev/null",
        }
    )


class LaunchdScheduler:
    """A LaunchAgent in ~/Library/LaunchAgents, loaded with launchctl (macOS)."""

    name = "launchd"

    def __init__(self, agent_dir: Path | None = None, run: Runner = _run) -> None:
        self.path = (
            agent_dir or Path.home() / "Library" / "LaunchAgents"
        ) / f"{LAUNCHD_LABEL}.plist"
        self.run = run

    def preview(self, plan: Plan) -> str:
        return f"# {self.path}\n" + launchd_plist(plan).decode("utf-8")

    def install(self, plan: Plan) -> str:
        if sys.platform != "darwin":
            raise UsageError("launchd is macOS only; use --via cron or --via systemd")
        self.run(["launchctl", "unload", str(self.path)])
        write_atomic(self.path, launchd_plist(plan))
        loaded = self.run(["launchctl", "load", "-w", str(self.path)])
        if loaded.returncode:
            raise AttuneError(
                f"wrote {self.path} but launchctl could not load it: {loaded.stderr.strip()}"
            )
        return "launch agent written and loaded"

    def status(self) -> list[str]:
        return [str(self.path)] if self.path.exists() else []

    def when(self) -> list[str]:
        if not self.path.exists():
            return []
        try:
            return [launchd_when(self.path.read_bytes())]
        except OSError:
            return [HAND_SET]

    def remove(self) -> list[str]:
        if not self.path.exists():
            return []
        if sys.platform == "darwin":
            self.run(["launchctl", "unload", "-w", str(self.path)])
        self.path.unlink()
        return [str(self.path)]


# choosing ---------------------------------------------------------------------------------

VIAS = ("cron", "systemd", "launchd")


def default_via(run: Runner = _run) -> str:
    """What the platform has: launchd on macOS; a running systemd user manager; else cron."""
    if sys.platform == "darwin":
        return "launchd"
    if shutil.which("systemctl"):
        try:
            probe = run(["systemctl", "--user", "is-system-running"])
        except (OSError, subprocess.SubprocessError):
            probe = None
        if probe is not None and probe.stdout.strip() in ("running", "degraded"):
            return "systemd"
    if shutil.which("crontab"):
        return "cron"
    raise AttuneError("found neither a systemd user session nor crontab; pick one with --via")


def scheduler(via: str, *, cron_user: str | bool = True) -> Scheduler:
    if via == "cron":
        return CronScheduler(cron_user)
    if via == "systemd":
        return SystemdScheduler()
    if via == "launchd":
        return LaunchdScheduler()
    raise UsageError(f"--via: expected one of: {', '.join(VIAS)}")
