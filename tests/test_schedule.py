"""`attune schedule`: what each way writes, and installing, showing and removing it.

cron is driven through a real `crontab` binary, but only for the throwaway user
`attune-ci` (root only; `.ci/run` creates the user): the developer's own
crontab is never read or written. systemd and launchd get a temporary folder
and a fake `run` that records the systemctl/launchctl calls.
"""

from __future__ import annotations

import json
import os
import plistlib
import pwd
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from attunecli import schedule
from attunecli.errors import AttuneError, UsageError
from attunecli.paths import Paths, resolve_paths
from attunecli.schedule import (
    ALL_DAYS,
    LAUNCHD_LABEL,
    MARKER,
    CronScheduler,
    LaunchdScheduler,
    Plan,
    SystemdScheduler,
    cron_days,
    cron_line,
    days_text,
    launchd_plist,
    parse_at,
    parse_days,
    systemd_units,
)
from tests.conftest import Result

SCRIPT = Path(sys.executable).with_name("attune")
CI_USER = "attune-ci"
CHECKIN_LINE = "attune: a few minutes for today's check-in? attune checkin"
ENV_NAMES = ("ATTUNE_DATA_DIR", "ATTUNE_CONFIG_DIR", "ATTUNE_STATE_DIR", "ATTUNE_CACHE_DIR")
DAYS_HELP = "use daily, weekdays, weekends, mon-fri or mon,wed,fri"


@pytest.fixture(autouse=True)
def argv0(monkeypatch: pytest.MonkeyPatch) -> None:
    """As when the installed `attune` script runs: the plan names it by its absolute path."""
    if not SCRIPT.exists():
        pytest.skip("the attune script is not installed next to this Python")
    monkeypatch.setattr(sys, "argv", [str(SCRIPT)])


def plan_for(data: Path, *, at: str = "20:30", days: str = "daily", notify: bool = False) -> Plan:
    root = data.parent
    paths = Paths(data, root / "config", root / "state", root / "cache")
    return Plan.make(parse_at(at), parse_days(days), paths, notify=notify)


# parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20:30", time(20, 30)),
        ("7:05", time(7, 5)),
        (" 08:00 ", time(8, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_at(text: str, expected: time) -> None:
    assert parse_at(text) == expected


@pytest.mark.parametrize("text", ["24:00", "7", "7:5", "20:60", "8pm", "", "20:30:00", "-1:00"])
def test_parse_at_refuses(text: str) -> None:
    with pytest.raises(UsageError, match=r"--at: expected a time like 20:30"):
        parse_at(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily", ALL_DAYS),
        ("Daily", ALL_DAYS),
        ("weekdays", (1, 2, 3, 4, 5)),
        ("weekends", (6, 7)),
        ("mon-fri", (1, 2, 3, 4, 5)),
        ("sat-sun", (6, 7)),
        ("fri-mon", (1, 5, 6, 7)),
        ("sun-sun", (7,)),
        ("mon,wed,fri", (1, 3, 5)),
        ("fri, mon ,wed", (1, 3, 5)),
        ("Monday", (1,)),
        ("Tuesday-Thursday", (2, 3, 4)),
        ("mon-wed,sat", (1, 2, 3, 6)),
        ("mon,tue,wed,thu,fri,sat,sun", ALL_DAYS),
    ],
)
def test_parse_days(text: str, expected: tuple[int, ...]) -> None:
    assert parse_days(text) == expected


@pytest.mark.parametrize(
    "text", ["", "funday", "mon-", "mon-tue-wed", "mon,,fri", "1-5", "weekday", "mo", "-"]
)
def test_parse_days_refuses_and_lists_the_forms(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_days(text)
    assert caught.value.message.startswith("--days: not a day or range: ")
    assert caught.value.message.endswith(DAYS_HELP)


@pytest.mark.parametrize("text", ["monkey", "sunshine", "mon-frisbee"])
def test_parse_days_refuses_words_that_only_start_like_a_day(text: str) -> None:
    with pytest.raises(UsageError):
        parse_days(text)


@pytest.mark.parametrize(
    ("days", "cron", "text"),
    [
        (ALL_DAYS, "*", "every day"),
        ((1, 2, 3, 4, 5), "1,2,3,4,5", "mon, tue, wed, thu, fri"),
        ((6, 7), "0,6", "sat, sun"),
        ((7,), "0", "sun"),
        ((1, 5, 6, 7), "0,1,5,6", "mon, fri, sat, sun"),
    ],
)
def test_cron_days_and_days_text(days: tuple[int, ...], cron: str, text: str) -> None:
    assert cron_days(days) == cron
    assert days_text(days) == text


def test_the_command_is_the_absolute_script(monkeypatch: pytest.MonkeyPatch) -> None:
    assert schedule.attune_command() == [str(SCRIPT)]
    monkeypatch.chdir(SCRIPT.parent)
    monkeypatch.setattr(sys, "argv", ["attune"])  # started as ./attune
    assert schedule.attune_command() == [str(SCRIPT)]


def test_the_command_without_a_script_is_this_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["/somewhere/pytest"])
    monkeypatch.setattr("attunecli.schedule.shutil.which", lambda name: None)
    command = schedule.attune_command()
    assert command == [sys.executable, "-m", "attunecli"]
    assert Path(command[0]).is_absolute()


def test_a_plan_bakes_in_the_four_folders(tmp_path: Path) -> None:
    plan = Plan.make(time(20, 30), ALL_DAYS, resolve_paths(), notify=True)
    assert plan.command == (str(SCRIPT), "remind", "--notify")
    assert dict(plan.env) == {
        "ATTUNE_DATA_DIR": str(tmp_path / "data"),
        "ATTUNE_CONFIG_DIR": str(tmp_path / "config"),
        "ATTUNE_STATE_DIR": str(tmp_path / "state"),
        "ATTUNE_CACHE_DIR": str(tmp_path / "cache"),
    }
    assert plan.describe() == "at 20:30, every day"


# what cron gets ---------------------------------------------------------------------------


def cron_as_cron_runs_it(command: str) -> str:
    """What cron hands to /bin/sh: `\\%` becomes `%`, and a bare `%` ends the command."""
    out: list[str] = []
    escaped = False
    for ch in command:
        if escaped:
            if ch == "%":
                out[-1] = "%"
            else:
                out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "%":
            break
        else:
            out.append(ch)
    return "".join(out)


def split_cron_line(line: str) -> tuple[str, str]:
    """The five time fields and the command (cron itself keeps a trailing `# ...` in it)."""
    fields = line.split(None, 5)
    assert len(fields) == 6, line
    return " ".join(fields[:5]), fields[5]


def test_cron_preview(tmp_path: Path) -> None:
    plan = plan_for(tmp_path / "data", at="21:05", days="mon-fri")
    line = CronScheduler("nobody").preview(plan)
    when, command = split_cron_line(line)
    assert when == "5 21 * * 1,2,3,4,5"
    assert command.endswith(f" # {MARKER}")
    assert "\n" not in line
    words = shlex.split(command.removesuffix(f" # {MARKER}"))
    assert words == [
        f"ATTUNE_DATA_DIR={tmp_path / 'data'}",
        f"ATTUNE_CONFIG_DIR={tmp_path / 'config'}",
        f"ATTUNE_STATE_DIR={tmp_path / 'state'}",
        f"ATTUNE_CACHE_DIR={tmp_path / 'cache'}",
        str(SCRIPT),
        "remind",
    ]
    assert Path(words[4]).is_absolute()


def test_cron_preview_with_notify_every_day(tmp_path: Path) -> None:
    line = CronScheduler("nobody").preview(plan_for(tmp_path / "d", at="07:00", notify=True))
    assert line.startswith("0 7 * * * ")
    assert line.endswith(f"{SCRIPT} remind --notify # {MARKER}")


def command_of(line: str) -> str:
    """The command part of a crontab line: after the five time fields, before our marker."""
    return line.split(None, 5)[5].rsplit(" # ", 1)[0]


def test_cron_command_quotes_spaces_and_escapes_percent(tmp_path: Path) -> None:
    data = tmp_path / "my data" / "100% me"
    command = command_of(cron_line(plan_for(data)))
    assert "%" not in command.replace("\\%", "")  # no bare % left for cron to eat
    assert f"ATTUNE_DATA_DIR='{data}'".replace("%", "\\%") in command
    # Through cron's % handling and then sh, the program sees the exact folders.
    probe = Plan(time(20, 30), ALL_DAYS, ("/usr/bin/env",), plan_for(data).env)
    shell = cron_as_cron_runs_it(command_of(cron_line(probe)))
    done = subprocess.run(
        ["/bin/sh", "-c", shell], capture_output=True, text=True, env={}, check=True
    )
    seen = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert seen["ATTUNE_DATA_DIR"] == str(data)
    assert seen["ATTUNE_CACHE_DIR"] == str(data.parent / "cache")


# what systemd gets ------------------------------------------------------------------------


def test_systemd_units(tmp_path: Path) -> None:
    plan = plan_for(tmp_path / "my data", at="20:30", days="mon-fri", notify=True)
    units = systemd_units(plan)
    assert set(units) == {"attune-remind.service", "attune-remind.timer"}
    service = units["attune-remind.service"].splitlines()
    assert "Type=oneshot" in service
    [exec_start] = [line for line in service if line.startswith("ExecStart=")]
    argv = shlex.split(exec_start.removeprefix("ExecStart="))
    assert argv == [str(SCRIPT), "remind", "--notify"]
    envs = [shlex.split(line.removeprefix("Environment="))[0] for line in service if "Env" in line]
    assert envs == [f"{k}={v}" for k, v in plan.env]
    assert f"ATTUNE_DATA_DIR={tmp_path / 'my data'}" in envs
    timer = units["attune-remind.timer"].splitlines()
    assert "OnCalendar=Mon,Tue,Wed,Thu,Fri *-*-* 20:30:00" in timer
    assert "Persistent=true" in timer
    assert "WantedBy=timers.target" in timer
    daily = systemd_units(plan_for(tmp_path / "d", at="06:05"))["attune-remind.timer"]
    assert "OnCalendar=*-*-* 06:05:00\n" in daily


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip("systemd-analyze is not installed")
    return found


def verify_units(folder: Path, plan: Plan) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in systemd_units(plan).items():
        (folder / name).write_text(text)
    done = subprocess.run(
        [systemd_analyze(), "verify", *(str(folder / n) for n in sorted(systemd_units(plan)))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.mark.parametrize("days", ["daily", "mon-fri", "fri-mon"])
def test_systemd_analyze_verifies_the_units(tmp_path: Path, days: str) -> None:
    plan = plan_for(tmp_path / "my data", days=days, notify=True)
    assert verify_units(tmp_path / "units", plan) == ""


def test_systemd_units_with_percent_in_a_folder(tmp_path: Path) -> None:
    plan = plan_for(tmp_path / "My%20Notes" / "data")
    assert verify_units(tmp_path / "units", plan) == ""


@pytest.mark.parametrize("days", ["daily", "weekdays", "fri-mon", "sun"])
def test_systemd_analyze_accepts_on_calendar(tmp_path: Path, days: str) -> None:
    timer = systemd_units(plan_for(tmp_path / "d", at="21:45", days=days))["attune-remind.timer"]
    [value] = [
        line.removeprefix("OnCalendar=")
        for line in timer.splitlines()
        if line.startswith("OnCalendar=")
    ]
    done = subprocess.run(
        [systemd_analyze(), "calendar", value],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "21:45:00" in done.stdout


# what launchd gets ------------------------------------------------------------------------


def test_launchd_plist(tmp_path: Path) -> None:
    plan = plan_for(tmp_path / "my data", at="20:30", days="sat-sun", notify=True)
    data = plistlib.loads(launchd_plist(plan))
    assert data["Label"] == LAUNCHD_LABEL
    assert data["ProgramArguments"] == [str(SCRIPT), "remind", "--notify"]
    assert Path(data["ProgramArguments"][0]).is_absolute()
    assert data["StartCalendarInterval"] == [
        {"Weekday": 6, "Hour": 20, "Minute": 30},
        {"Weekday": 0, "Hour": 20, "Minute": 30},  # launchd: Sunday is 0
    ]
    assert data["EnvironmentVariables"] == dict(plan.env)
    assert data["EnvironmentVariables"]["ATTUNE_DATA_DIR"] == str(tmp_path / "my data")
    assert data["StandardInputPath"] == "/dev/null"
    daily = plistlib.loads(launchd_plist(plan_for(tmp_path / "d", at="07:15")))
    assert daily["StartCalendarInterval"] == {"Hour": 7, "Minute": 15}
    weekdays = plistlib.loads(launchd_plist(plan_for(tmp_path / "d", days="mon-fri")))
    assert [d["Weekday"] for d in weekdays["StartCalendarInterval"]] == [1, 2, 3, 4, 5]


def test_launchd_preview_names_the_file(tmp_path: Path) -> None:
    agent = LaunchdScheduler(agent_dir=tmp_path / "agents")
    text = agent.preview(plan_for(tmp_path / "d"))
    head, _, body = text.partition("\n")
    assert head == f"# {tmp_path / 'agents' / (LAUNCHD_LABEL + '.plist')}"
    assert plistlib.loads(body.encode())["Label"] == LAUNCHD_LABEL


# fakes ------------------------------------------------------------------------------------


@dataclass
class FakeRun:
    """Records commands; answers with `answer(args)` -> (returncode, stdout, stderr)."""

    answer: Callable[[list[str]], tuple[int, str, str]] = lambda args: (0, "", "")
    calls: list[list[str]] = field(default_factory=list)
    watch: list[Path] = field(default_factory=list)
    seen: list[tuple[str, ...]] = field(default_factory=list)  # which watched files existed

    def __call__(self, args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        self.seen.append(tuple(p.name for p in self.watch if p.exists()))
        code, out, err = self.answer(list(args))
        return subprocess.CompletedProcess(args, code, out, err)


def systemctl(*args: str) -> list[str]:
    return ["systemctl", "--user", *args]


# systemd ----------------------------------------------------------------------------------


def test_systemd_install_writes_both_units_and_enables_the_timer(tmp_path: Path) -> None:
    units = tmp_path / "units"
    fake = FakeRun()
    plan = plan_for(tmp_path / "d", notify=True)
    said = SystemdScheduler(unit_dir=units, run=fake).install(plan)
    assert said == "timer written and enabled"
    for name, text in systemd_units(plan).items():
        assert (units / name).read_text() == text
        assert (units / name).stat().st_mode & 0o777 == 0o600
    assert fake.calls == [
        systemctl("daemon-reload"),
        systemctl("enable", "--now", "attune-remind.timer"),
    ]


def test_systemd_preview_names_the_files(tmp_path: Path) -> None:
    units = tmp_path / "units"
    text = SystemdScheduler(unit_dir=units, run=FakeRun()).preview(plan_for(tmp_path / "d"))
    assert f"# {units / 'attune-remind.service'}\n[Unit]" in text
    assert f"# {units / 'attune-remind.timer'}\n[Unit]" in text
    assert not units.exists()


@pytest.mark.parametrize("failing", ["daemon-reload", "enable"])
def test_systemd_install_that_cannot_enable_names_the_timer(tmp_path: Path, failing: str) -> None:
    units = tmp_path / "units"

    def answer(args: list[str]) -> tuple[int, str, str]:
        if args[2] == failing:
            return 1, "", "Failed to connect to bus: No medium found\n"
        return 0, "", ""

    with pytest.raises(AttuneError) as caught:
        SystemdScheduler(unit_dir=units, run=FakeRun(answer)).install(plan_for(tmp_path / "d"))
    message = caught.value.message
    assert str(units / "attune-remind.timer") in message
    assert "Failed to connect to bus: No medium found" in message
    assert "systemctl --user enable --now attune-remind.timer" in message
    assert "\n" not in message


def test_systemd_status(tmp_path: Path) -> None:
    units = tmp_path / "units"

    def answer(args: list[str]) -> tuple[int, str, str]:
        if "is-enabled" in args:
            return 0, "enabled\n", ""
        if "list-timers" in args:
            return 0, "Thu 2026-11-26 20:30:00 UTC 23h left n/a n/a attune-remind.timer\n", ""
        return 0, "", ""

    fake = FakeRun(answer)
    agent = SystemdScheduler(unit_dir=units, run=fake)
    assert agent.status() == []
    assert fake.calls == []
    agent.install(plan_for(tmp_path / "d"))
    assert agent.status() == [
        str(units / "attune-remind.timer"),
        str(units / "attune-remind.service"),
        "enabled: enabled",
        "next: Thu 2026-11-26 20:30:00 UTC",
    ]


def test_systemd_remove_touches_only_our_units(tmp_path: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    other = units / "backup.service"
    other.write_text("[Service]\nExecStart=/bin/true\n")
    mine = [units / "attune-remind.timer", units / "attune-remind.service"]
    fake = FakeRun(watch=mine)
    agent = SystemdScheduler(unit_dir=units, run=fake)
    assert agent.remove() == []
    assert fake.calls == []
    agent.install(plan_for(tmp_path / "d"))
    fake.calls.clear()
    fake.seen.clear()
    assert agent.remove() == [str(p) for p in mine]
    assert fake.calls == [
        systemctl("disable", "--now", "attune-remind.timer"),
        systemctl("daemon-reload"),
    ]
    # disabled while the files were there; reloaded once they were gone
    assert fake.seen == [("attune-remind.timer", "attune-remind.service"), ()]
    assert sorted(p.name for p in units.iterdir()) == ["backup.service"]
    assert other.read_text() == "[Service]\nExecStart=/bin/true\n"


# launchd ----------------------------------------------------------------------------------


def test_launchd_install_outside_macos_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    fake = FakeRun()
    agent = LaunchdScheduler(agent_dir=tmp_path / "agents", run=fake)
    with pytest.raises(UsageError, match="launchd is macOS only"):
        agent.install(plan_for(tmp_path / "d"))
    assert fake.calls == []
    assert not (tmp_path / "agents").exists()


def test_launchd_install_on_macos_loads_the_agent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    fake = FakeRun()
    agent = LaunchdScheduler(agent_dir=tmp_path / "agents", run=fake)
    plist = tmp_path / "agents" / f"{LAUNCHD_LABEL}.plist"
    assert agent.install(plan_for(tmp_path / "d")) == "launch agent written and loaded"
    assert plistlib.loads(plist.read_bytes())["Label"] == LAUNCHD_LABEL
    assert fake.calls == [
        ["launchctl", "unload", str(plist)],
        ["launchctl", "load", "-w", str(plist)],
    ]
    refused = FakeRun(
        lambda args: (
            (1, "", "Load failed: 5: Input/output error\n") if "load" in args else (0, "", "")
        )
    )
    with pytest.raises(AttuneError, match="launchctl could not load it: Load failed: 5"):
        LaunchdScheduler(agent_dir=tmp_path / "agents", run=refused).install(
            plan_for(tmp_path / "d")
        )


def test_launchd_status_and_remove_touch_only_our_plist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    agents = tmp_path / "agents"
    agents.mkdir()
    other = agents / "com.example.other.plist"
    other.write_bytes(plistlib.dumps({"Label": "com.example.other"}))
    fake = FakeRun()
    agent = LaunchdScheduler(agent_dir=agents, run=fake)
    assert agent.status() == [] and agent.remove() == []
    ours = agents / f"{LAUNCHD_LABEL}.plist"
    ours.write_bytes(launchd_plist(plan_for(tmp_path / "d")))
    assert agent.status() == [str(ours)]
    assert agent.remove() == [str(ours)]
    assert not ours.exists()
    assert plistlib.loads(other.read_bytes()) == {"Label": "com.example.other"}
    assert fake.calls == []  # no launchctl outside macOS


# default_via ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "tools", "probe", "expected"),
    [
        ("darwin", {}, None, "launchd"),
        ("linux", {"systemctl", "crontab"}, "running\n", "systemd"),
        ("linux", {"systemctl", "crontab"}, "degraded\n", "systemd"),
        ("linux", {"systemctl", "crontab"}, "offline\n", "cron"),
        ("linux", {"systemctl", "crontab"}, OSError, "cron"),
        ("linux", {"systemctl", "crontab"}, subprocess.TimeoutExpired, "cron"),
        ("linux", {"crontab"}, "running\n", "cron"),
    ],
)
def test_default_via(
    monkeypatch: pytest.MonkeyPatch, platform: str, tools: set[str], probe: Any, expected: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(
        "attunecli.schedule.shutil.which", lambda n: f"/usr/bin/{n}" if n in tools else None
    )
    calls: list[list[str]] = []

    def run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
        calls.append(list(args))
        if probe is OSError:
            raise OSError("no")
        if probe is subprocess.TimeoutExpired:
            raise subprocess.TimeoutExpired(args, 30)
        return subprocess.CompletedProcess(args, 0, probe, "")

    assert schedule.default_via(run) == expected
    if "systemctl" in tools and platform == "linux":
        assert calls == [["systemctl", "--user", "is-system-running"]]
    else:
        assert calls == []


def test_default_via_with_nothing_to_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr("attunecli.schedule.shutil.which", lambda n: None)
    with pytest.raises(AttuneError, match="pick one with --via"):
        schedule.default_via(FakeRun())


def test_scheduler_by_name() -> None:
    assert isinstance(schedule.scheduler("cron"), CronScheduler)
    assert isinstance(schedule.scheduler("systemd"), SystemdScheduler)
    assert isinstance(schedule.scheduler("launchd"), LaunchdScheduler)
    with pytest.raises(UsageError, match="--via: expected one of: cron, systemd, launchd"):
        schedule.scheduler("at")


# the CLI, with every way pointed somewhere harmless --------------------------------------


class FileCron(CronScheduler):
    """The cron logic on a crontab file instead of `crontab -u`: no root needed."""

    def __init__(self, path: Path) -> None:
        super().__init__(user=False)
        self.path = path
        path.touch()

    def read_text(self) -> str | None:
        return self.path.read_text() if self.path.exists() else None

    def write_text(self, text: str | None) -> None:
        if text is None:
            self.path.unlink()
        else:
            self.path.write_text(text)

    def _available(self) -> bool:
        return True


@dataclass
class Ways:
    cron: CronScheduler
    systemd: SystemdScheduler
    launchd: LaunchdScheduler
    systemctl: FakeRun

    def schedulers(self) -> dict[str, Any]:
        return {"cron": self.cron, "systemd": self.systemd, "launchd": self.launchd}


def ways_in(tmp_path: Path, cron: CronScheduler | None = None) -> Ways:
    fake = FakeRun()
    return Ways(
        cron=cron or FileCron(tmp_path / "crontab.txt"),
        systemd=SystemdScheduler(unit_dir=tmp_path / "units", run=fake),
        launchd=LaunchdScheduler(agent_dir=tmp_path / "agents", run=FakeRun()),
        systemctl=fake,
    )


@pytest.fixture
def cli_with(cli: Any) -> Callable[..., Result]:
    """Like the `cli` fixture, with the schedulers injected."""

    def run(*args: str, ways: Ways, stdin: str = "", interactive: bool = False) -> Result:
        result: Result = cli(
            *args, stdin=stdin, interactive=interactive, schedulers=ways.schedulers()
        )
        return result

    return run


def test_status_and_remove_with_nothing_installed(cli_with: Any, tmp_path: Path) -> None:
    ways = ways_in(tmp_path)
    r = cli_with("schedule", "status", "--json", ways=ways)
    assert (r.exit_code, r.stderr) == (0, "")
    assert json.loads(r.stdout) == {"installed": {}, "when": {}}
    r = cli_with("schedule", "status", ways=ways)
    assert r.exit_code == 0
    assert r.stdout == "No reminder is installed. `attune schedule install --at 20:30` adds one.\n"
    r = cli_with("schedule", "remove", ways=ways)
    assert (r.exit_code, r.stdout, r.stderr) == (
        0,
        "No reminder is installed; nothing to remove.\n",
        "",
    )
    assert ways.systemctl.calls == []
    assert (tmp_path / "crontab.txt").read_text() == ""


def test_install_via_systemd_from_the_cli(cli_with: Any, tmp_path: Path) -> None:
    ways = ways_in(tmp_path)
    r = cli_with("schedule", "install", "--at", "20:30", "--via", "systemd", "--yes", ways=ways)
    assert r.exit_code == 0, r.stderr
    assert "ExecStart=" in r.stdout and f"{SCRIPT} remind --notify" in r.stdout  # default: notify
    assert r.stderr.splitlines() == [
        "attune will remind you at 20:30, every day, through systemd, by writing:",
        "Done: timer written and enabled.",
    ]
    assert (tmp_path / "units" / "attune-remind.timer").exists()
    r = cli_with("schedule", "status", "--json", ways=ways)
    installed = json.loads(r.stdout)["installed"]
    assert list(installed) == ["systemd"]
    assert installed["systemd"][0] == str(tmp_path / "units" / "attune-remind.timer")
    r = cli_with("schedule", "remove", "--yes", ways=ways)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"removed (systemd): {tmp_path / 'units' / 'attune-remind.timer'}",
        f"removed (systemd): {tmp_path / 'units' / 'attune-remind.service'}",
    ]
    assert list((tmp_path / "units").iterdir()) == []


def test_install_via_launchd_outside_macos_from_the_cli(
    cli_with: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    ways = ways_in(tmp_path)
    r = cli_with("schedule", "install", "--at", "20:30", "--via", "launchd", "--yes", ways=ways)
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1] == (
        "attune: launchd is macOS only; use --via cron or --via systemd"
    )
    assert not (tmp_path / "agents").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "25:00"], "attune: --at: expected a time like 20:30, got '25:00'"),
        (["--at", "20:30", "--days", "funday"], "attune: --days: not a day or range: 'funday'"),
        (["--at", "20:30", "--via", "at"], "attune: --via: unknown 'at'; expected one of: cron"),
    ],
)
def test_install_refuses_bad_options(
    cli_with: Any, tmp_path: Path, args: list[str], message: str
) -> None:
    ways = ways_in(tmp_path)
    r = cli_with("schedule", "install", *args, "--yes", ways=ways)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(message)
    assert (tmp_path / "crontab.txt").read_text() == ""


def test_install_twice_on_a_crontab_file(cli_with: Any, tmp_path: Path) -> None:
    """The cron logic without root, on a crontab file."""
    ways = ways_in(tmp_path)
    tab = tmp_path / "crontab.txt"
    tab.write_text("MAILTO=me@example.org\n0 5 * * * /usr/bin/backup\n")
    for at in ("20:30", "21:15"):
        r = cli_with("schedule", "install", "--at", at, "--via", "cron", "--yes", ways=ways)
        assert r.exit_code == 0, r.stderr
    lines = tab.read_text().splitlines()
    ours = [line for line in lines if line.endswith(f"# {MARKER}")]
    assert len(ours) == 1 and ours[0].startswith("15 21 * * * ")
    assert lines[:2] == ["MAILTO=me@example.org", "0 5 * * * /usr/bin/backup"]


# cron, for real ---------------------------------------------------------------------------


@dataclass
class CiCrontab:
    """The crontab of the throwaway user, through the real `crontab` binary."""

    crontab: str
    user: str = CI_USER

    def read(self) -> str | None:
        done = subprocess.run(
            [self.crontab, "-u", self.user, "-l"], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            assert "no crontab for" in done.stderr, done.stderr
            return None
        return done.stdout

    def write(self, text: str) -> None:
        subprocess.run(
            [self.crontab, "-u", self.user, "-"], input=text, text=True, check=True, timeout=30
        )

    def clear(self) -> None:
        subprocess.run(
            [self.crontab, "-u", self.user, "-r"], capture_output=True, check=False, timeout=30
        )

    def ours(self) -> list[str]:
        return [line for line in (self.read() or "").splitlines() if line.endswith(f"# {MARKER}")]


@pytest.fixture
def ci_crontab() -> Iterator[CiCrontab]:
    if os.geteuid() != 0:
        pytest.skip("the real-crontab tests run as root only (crontab -u needs it)")
    crontab = shutil.which("crontab")
    if crontab is None:
        pytest.skip("no crontab binary (apt-get install cron)")
    try:
        pwd.getpwnam(CI_USER)
    except KeyError:
        pytest.skip(f"no user {CI_USER} (useradd --no-create-home {CI_USER})")
    tab = CiCrontab(crontab)
    saved = tab.read()
    tab.clear()
    try:
        yield tab
    finally:
        if saved is None:
            tab.clear()
        else:
            tab.write(saved)


BEFORE = (
    "MAILTO=someone@example.org\n"
    "# backups, every night\n"
    "0 5 * * * /usr/bin/backup --full\n"
    "30 6 * * 1-5 date +\\%Y-\\%m-\\%d >> /tmp/attune-ci-dates.log\n"
)


def test_real_crontab_install_status_reinstall_remove(
    cli_with: Any, tmp_path: Path, ci_crontab: CiCrontab
) -> None:
    ci_crontab.write(BEFORE)
    ways = ways_in(tmp_path, cron=CronScheduler(CI_USER))
    r = cli_with(
        "schedule",
        "install",
        "--at",
        "20:30",
        "--days",
        "mon-fri",
        "--via",
        "cron",
        "--yes",
        ways=ways,
    )
    assert r.exit_code == 0, r.stderr
    preview = CronScheduler(CI_USER).preview(plan_for(tmp_path / "data", days="mon-fri"))
    assert r.stdout == preview + "\n"
    assert r.stderr.splitlines()[-1] == "Done: added to your crontab."
    after = ci_crontab.read()
    assert after is not None and after.startswith(BEFORE)
    assert ci_crontab.ours() == [preview]
    assert "--notify" not in preview  # cron has no desktop to notify by default

    r = cli_with("schedule", "status", ways=ways)
    assert (r.exit_code, r.stdout) == (
        0,
        f"A reminder at 20:30, mon, tue, wed, thu, fri, through cron.\n  cron: {preview}\n",
    )
    r = cli_with("schedule", "status", "--json", ways=ways)
    assert json.loads(r.stdout) == {
        "installed": {"cron": [preview]},
        "when": {"cron": ["at 20:30, mon, tue, wed, thu, fri"]},
    }

    r = cli_with(
        "schedule", "install", "--at", "21:00", "--via", "cron", "--notify", "--yes", ways=ways
    )
    assert r.exit_code == 0, r.stderr
    [line] = ci_crontab.ours()
    assert line.startswith("0 21 * * * ") and line.endswith(f"remind --notify # {MARKER}")
    assert (ci_crontab.read() or "").startswith(BEFORE)

    r = cli_with("schedule", "remove", "--yes", ways=ways)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == f"removed (cron): {line}\n"
    assert ci_crontab.read() == BEFORE  # byte for byte
    r = cli_with("schedule", "status", "--json", ways=ways)
    assert json.loads(r.stdout) == {"installed": {}, "when": {}}


def test_real_crontab_install_without_a_crontab_yet(tmp_path: Path, ci_crontab: CiCrontab) -> None:
    assert ci_crontab.read() is None
    cron = CronScheduler(CI_USER)
    plan = plan_for(tmp_path / "data")
    assert cron.status() == [] and cron.remove() == []
    assert cron.install(plan) == "added to your crontab"
    assert ci_crontab.ours() == [cron.preview(plan)]
    assert cron.status() == [cron.preview(plan)]
    assert cron.remove() == [cron.preview(plan)]
    assert ci_crontab.ours() == []


@pytest.mark.parametrize(
    ("args", "stdin", "interactive", "last"),
    [
        (["--dry-run"], "", False, "(dry run: nothing was changed)"),
        (["--dry-run", "--yes"], "", False, "(dry run: nothing was changed)"),
        ([], "n\n", True, "Nothing was changed."),
    ],
    ids=["dry-run", "dry-run-yes", "declined"],
)
def test_real_crontab_unchanged(
    cli_with: Any,
    tmp_path: Path,
    ci_crontab: CiCrontab,
    args: list[str],
    stdin: str,
    interactive: bool,
    last: str,
) -> None:
    ci_crontab.write(BEFORE)
    ways = ways_in(tmp_path, cron=CronScheduler(CI_USER))
    r = cli_with(
        "schedule",
        "install",
        "--at",
        "20:30",
        "--via",
        "cron",
        *args,
        ways=ways,
        stdin=stdin,
        interactive=interactive,
    )
    assert r.exit_code == 0, r.stderr
    assert f"# {MARKER}" in r.stdout  # it showed what it would write
    assert last in r.stderr.splitlines()  # (the prompt itself comes through CliRunner)
    assert ci_crontab.read() == BEFORE


def test_real_crontab_prompt_accepted(cli_with: Any, tmp_path: Path, ci_crontab: CiCrontab) -> None:
    ci_crontab.write(BEFORE)
    ways = ways_in(tmp_path, cron=CronScheduler(CI_USER))
    r = cli_with(
        "schedule",
        "install",
        "--at",
        "20:30",
        "--via",
        "cron",
        ways=ways,
        stdin="y\n",
        interactive=True,
    )
    assert r.exit_code == 0, r.stderr
    assert "Install it?" in r.stderr
    assert len(ci_crontab.ours()) == 1
    r = cli_with("schedule", "remove", ways=ways, stdin="n\n", interactive=True)
    assert r.exit_code == 0 and "Remove these?" in r.stderr
    assert len(ci_crontab.ours()) == 1
    r = cli_with("schedule", "remove", ways=ways, stdin="y\n", interactive=True)
    assert r.exit_code == 0, r.stderr
    assert ci_crontab.read() == BEFORE


@pytest.mark.parametrize("command", ["install", "remove"])
def test_real_crontab_without_a_terminal_or_yes(
    cli_with: Any, tmp_path: Path, ci_crontab: CiCrontab, command: str
) -> None:
    ci_crontab.write(BEFORE)
    ways = ways_in(tmp_path, cron=CronScheduler(CI_USER))
    if command == "remove":
        done = cli_with("schedule", "install", "--at", "20:30", "--via", "cron", "--yes", ways=ways)
        assert done.exit_code == 0, done.stderr
        assert len(ci_crontab.ours()) == 1
    before = ci_crontab.read()
    args = ["--at", "20:30", "--via", "cron"] if command == "install" else []
    r = cli_with("schedule", command, *args, ways=ways)
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1].startswith(f"attune: run again with --yes to {command}")
    assert ci_crontab.read() == before


@pytest.mark.parametrize("command", ["install", "remove"])
def test_without_a_terminal_or_yes_only_one_line(
    cli_with: Any, tmp_path: Path, command: str
) -> None:
    ways = ways_in(tmp_path)
    if command == "remove":
        cli_with("schedule", "install", "--at", "20:30", "--via", "cron", "--yes", ways=ways)
    args = ["--at", "20:30", "--via", "cron"] if command == "install" else []
    r = cli_with("schedule", command, *args, ways=ways)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("attune: run again with --yes")


def cron_run(line: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run a crontab line's command as cron would: its % handling, /bin/sh, a bare env."""
    _, command = split_cron_line(line)
    read_end, write_end = os.pipe()
    os.close(write_end)
    try:
        return subprocess.run(
            ["/bin/sh", "-c", cron_as_cron_runs_it(command)],
            stdin=read_end,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "HOME": str(home), "LOGNAME": "root"},
            timeout=30,
            check=False,
        )
    finally:
        os.close(read_end)


def test_the_installed_cron_line_runs_as_cron_runs_it(
    tmp_path: Path, ci_crontab: CiCrontab
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    data = tmp_path / "my data" / "data"
    data.mkdir(parents=True)  # an empty data dir
    plan = plan_for(data)
    CronScheduler(CI_USER).install(plan)
    [line] = ci_crontab.ours()
    first = cron_run(line, home)
    assert (first.returncode, first.stdout, first.stderr) == (0, CHECKIN_LINE + "\n", "")
    state = data.parent / "state"
    assert (state / "remind.json").exists()
    (state / "remind.json").unlink()  # a fresh day's count
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), **dict(plan.env)}
    saved = subprocess.run(
        [str(SCRIPT), "checkin", "--quick", "--feeling", "calm", "--intensity", "2"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert saved.returncode == 0, saved.stderr
    second = cron_run(line, home)
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    assert not (state / "remind.json").exists()  # silent because of the check-in
    assert list(home.iterdir()) == []  # everything went to the baked-in folders


def test_a_cron_line_for_a_folder_with_percent(tmp_path: Path, ci_crontab: CiCrontab) -> None:
    home = tmp_path / "home"
    home.mkdir()
    data = tmp_path / "My%20Notes" / "data"
    plan = plan_for(data)
    cron = CronScheduler(CI_USER)
    cron.install(plan)
    r = cron_run(ci_crontab.ours()[0], home)
    assert (r.returncode, r.stdout, r.stderr) == (0, CHECKIN_LINE + "\n", "")
    assert ci_crontab.ours() == [cron.preview(plan)]


@pytest.mark.parametrize(
    "before",
    [
        "SHELL = /bin/bash\n0 5 * * * /usr/bin/backup --full\n",
        "# m  h  dom mon dow  command\nMAILTO=me@example.org\n"
        "  0  5  *   *   *    /usr/bin/backup\n",
        '0 5 * * * /usr/bin/backup\nMAILTO=""\n',
    ],
    ids=["spaced-env", "aligned", "trailing-env"],
)
def test_real_crontab_keeps_hand_written_lines(
    tmp_path: Path, ci_crontab: CiCrontab, before: str
) -> None:
    ci_crontab.write(before)
    cron = CronScheduler(CI_USER)
    cron.install(plan_for(tmp_path / "data"))
    after = ci_crontab.read() or ""
    for line in before.splitlines():
        assert line in after.splitlines()
    cron.remove()
    assert ci_crontab.read() == before


# status in words: when and how, read back from what is installed


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("30 20 * * * attune remind # attune-remind", "at 20:30, every day"),
        ("5 7 * * 1,2,3,4,5 x # attune-remind", "at 07:05, mon, tue, wed, thu, fri"),
        ("0 9 * * 0,6 x # attune-remind", "at 09:00, sat, sun"),
        ("0 9 * * 7 x # attune-remind", "at 09:00, sun"),
        ("*/5 * * * * x # attune-remind", schedule.HAND_SET),
        ("0 9 1 * * x # attune-remind", schedule.HAND_SET),
        ("0 9 * * mon x # attune-remind", schedule.HAND_SET),
        ("0 25 * * * x # attune-remind", schedule.HAND_SET),
        ("@daily x # attune-remind", schedule.HAND_SET),
    ],
)
def test_a_cron_line_read_back_in_words(line: str, words: str) -> None:
    assert schedule.cron_when(line) == words


@pytest.mark.parametrize("days", ["", "mon-fri", "sat,sun", "wed"])
def test_what_install_writes_reads_back_as_what_it_said(tmp_path: Path, days: str) -> None:
    plan = plan_for(tmp_path / "data", days=days or "daily")
    said = plan.describe()
    assert schedule.cron_when(schedule.cron_line(plan)) == said
    timer = schedule.systemd_units(plan)[f"{schedule.UNIT}.timer"]
    assert schedule.systemd_when(timer) == said
    assert schedule.launchd_when(schedule.launchd_plist(plan)) == said


def test_damaged_or_edited_units_say_so() -> None:
    assert schedule.systemd_when("[Timer]\nOnCalendar=hourly\n") == schedule.HAND_SET
    assert schedule.systemd_when("OnCalendar=Funday *-*-* 20:30:00") == schedule.HAND_SET
    assert schedule.launchd_when(b"not a plist") == schedule.HAND_SET
    assert schedule.launchd_when(b"<plist><array/></plist>") == schedule.HAND_SET


def test_status_says_when_and_how_before_the_unit(cli_with: Any, tmp_path: Path) -> None:
    ways = ways_in(tmp_path)
    r = cli_with("schedule", "install", "--at", "21:15", "--via", "systemd", "--yes", ways=ways)
    assert r.exit_code == 0, r.stderr
    r = cli_with("schedule", "status", ways=ways)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "A reminder at 21:15, every day, through systemd."
    assert lines[1] == f"  systemd: {tmp_path / 'units' / 'attune-remind.timer'}"
