"""One way to fail (issue 11, items 18-20): every path ends in `errors.report`.

Each test runs the installed `attune` (the console script, so the quick path,
the remind fast path and the Typer path are the real ones) with its four
folders in tmp_path, and asserts the documented exit code, no traceback, and a
message of one line that names the file where there is one.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX streams and signals")

ATTUNE = Path(sys.executable).with_name("attune")
HUGE = "9" * 5000  # more digits than int() takes
DEEP = 100_000  # deeper than any parser's recursion limit
TIMEOUT = 30  # a command that hangs (on a FIFO, say) fails the test instead of the run


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The four folders, in tmp_path (the autouse fixture sets these too; said here)."""
    found = {}
    for name in ("data", "config", "state", "cache"):
        found[name] = tmp_path / name
        monkeypatch.setenv(f"ATTUNE_{name.upper()}_DIR", str(found[name]))
    return found


def attune(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    kw.setdefault("capture_output", True)
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        [str(ATTUNE), *args], text=True, timeout=TIMEOUT, env=dict(os.environ), **kw
    )


def closed_stdout(*args: str) -> subprocess.CompletedProcess[str]:
    """`attune ARGS >&-`: started with fd 1 closed, as a shell does it."""
    return subprocess.run(
        ["/bin/sh", "-c", 'exec "$0" "$@" >&- </dev/null', str(ATTUNE), *args],
        capture_output=False,
        stdout=None,
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT,
    )


def one_line(stderr: str) -> str:
    """The one line on stderr, after checking it is one, and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("attune: "), stderr
    return lines[0]


def save_one() -> str:
    r = attune("checkin", "--quick", "--feeling", "calm", "--intensity", "3", "--note", "x")
    assert r.returncode == 0, r.stderr
    listed = attune("history", "--json")
    return str(json.loads(listed.stdout)[0]["id"])


# 18. The remind fast path -----------------------------------------------------------------


def test_remind_into_a_closed_pipe_is_no_traceback(dirs: dict[str, Path]) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        r = attune(
            "remind",
            "--max-per-day",
            "5",
            stdout=write,
            capture_output=False,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(write)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and r.stderr == "", r.stderr  # `| head`: nothing to add


def test_ctrl_c_in_remind_exits_130_without_a_traceback(dirs: dict[str, Path]) -> None:
    # Hold the count's lock, so that remind waits for it, and interrupt it there.
    dirs["state"].mkdir(parents=True)
    fd = os.open(dirs["state"] / "remind.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        child = subprocess.Popen(
            [str(ATTUNE), "remind", "--max-per-day", "5"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        deadline = time.monotonic() + TIMEOUT
        # Wait until it has opened the lock file, i.e. sits in flock().
        while time.monotonic() < deadline:
            fds = Path(f"/proc/{child.pid}/fd")
            if not fds.exists() or any(
                os.readlink(p).endswith("remind.lock") for p in fds.iterdir() if p.is_symlink()
            ):
                break
            time.sleep(0.05)
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=TIMEOUT)
    finally:
        os.close(fd)
    assert child.returncode == 130, err
    assert one_line(err) == "attune: interrupted"


def test_remind_with_stdout_closed_says_so_in_one_line(dirs: dict[str, Path]) -> None:
    r = closed_stdout("remind", "--max-per-day", "5")
    assert r.returncode == 1
    assert "stdout" in one_line(r.stderr) and "closed" in r.stderr


# 18. stdout closed or full ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["show", "{id}"], 1),
        (["show", "{id}", "--json"], 1),
        (["checkin"], 2),  # no answers and no terminal: the usage line, not a traceback
        (["checkin", "--help"], 1),
        (["history"], 1),
        (["history", "--json"], 1),
        (["path"], 1),
        (["--version"], 1),
        (["remind", "--json"], 1),
    ],
)
def test_stdout_closed_is_one_line_never_a_traceback(
    dirs: dict[str, Path], args: list[str], code: int
) -> None:
    entry_id = save_one()
    r = closed_stdout(*(a.format(id=entry_id) for a in args))
    assert r.returncode == code, r.stderr
    line = one_line(r.stderr)
    if code == 1:
        assert line == "attune: could not write to stdout: it is closed"


def test_a_saved_checkin_with_stdout_closed_still_succeeds(dirs: dict[str, Path]) -> None:
    r = closed_stdout("checkin", "--quick", "--feeling", "calm", "--intensity", "2")
    assert r.returncode == 0  # on disk: a script must not save it again
    assert "Traceback" not in r.stderr  # the first-run notice follows the line
    assert r.stderr.splitlines()[0].endswith("but stdout is closed")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("args", [["show", "{id}"], ["history"], ["path"], ["--version"]])
def test_stdout_full_is_one_line(dirs: dict[str, Path], args: list[str]) -> None:
    entry_id = save_one()
    with open("/dev/full", "w") as full:
        r = attune(
            *(a.format(id=entry_id) for a in args),
            stdout=full,
            capture_output=False,
            stderr=subprocess.PIPE,
        )
    assert r.returncode == 1
    assert one_line(r.stderr) == "attune: could not write to stdout: No space left on device"


# 18. Input too deep or too large: usage errors, exit 2 -------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["history", "--last", HUGE],
        ["history", "-n", HUGE, "--json"],
        ["search", "calm", "--last", HUGE],
        ["remind", "--max-per-day", HUGE],
        ["remind", f"--max-per-day={HUGE}"],
        ["checkin", "--quick", "--feeling", "calm", "--intensity", HUGE],
    ],
)
def test_a_5000_digit_option_is_a_usage_error(dirs: dict[str, Path], args: list[str]) -> None:
    r = attune(*args)
    assert r.returncode == 2, r.stderr
    one_line(r.stderr)


@pytest.mark.parametrize(
    "text",
    [
        '{"feeling": "calm", "intensity": ' + HUGE + "}",
        '{"feeling": "calm", "intensity": 3, "note": ' + "[" * DEEP + "]" * DEEP + "}",
    ],
    ids=["5000-digits", "deep"],
)
def test_answers_too_large_or_too_deep_are_a_usage_error(
    dirs: dict[str, Path], tmp_path: Path, text: str
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(text)
    for source, stdin in ((str(answers), None), ("-", text)):
        r = attune(
            "checkin",
            "--quick",
            "--answers",
            source,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
        assert r.returncode == 2, r.stderr
        assert one_line(r.stderr).startswith("attune: --answers:")


@pytest.mark.parametrize("suffix", ["json", "jsonl"])
def test_import_of_a_5000_digit_number_is_refused_in_one_line(
    dirs: dict[str, Path], tmp_path: Path, suffix: str
) -> None:
    source = tmp_path / f"export.{suffix}"
    record = '{"id": ' + HUGE + "}"
    source.write_text(f"[{record}]" if suffix == "json" else record + "\n")
    r = attune("import", str(source))
    assert "Traceback" not in r.stderr and "unexpected error" not in r.stderr, r.stderr
    if suffix == "json":
        assert r.returncode == 2
        assert str(source) in one_line(r.stderr)
    else:  # one bad line among records: reported as invalid, nothing written (exit 1)
        assert r.returncode == 1
        assert f"{source} line 1" in r.stderr
    assert not (dirs["data"] / "entries").exists() or not any(
        (dirs["data"] / "entries").rglob("*.json")
    )


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * DEEP + "]" * DEEP + "\n",
        "a = " + "{b = " * DEEP + "}" * DEEP + "\n",
        f"a = {HUGE}\n",
    ],
    ids=["deep-array", "deep-table", "5000-digits"],
)
@pytest.mark.parametrize(
    "args",
    [
        ["checkin", "--quick", "--feeling", "calm", "--intensity", "3"],
        ["remind"],
        ["config", "show"],
        ["config", "set", "attachment", "secure"],
        ["history", "--since", "1d"],
    ],
)
def test_a_config_too_deep_to_read_is_one_line_naming_it(
    dirs: dict[str, Path], text: str, args: list[str]
) -> None:
    dirs["config"].mkdir(parents=True)
    config = dirs["config"] / "config.toml"
    config.write_text(text)
    r = attune(*args)
    assert r.returncode == 1, r.stderr  # README: an error attune could not get past
    line = one_line(r.stderr)
    assert str(config) in line and "not valid TOML" in line
    assert "RecursionError" not in line and "unexpected" not in line
    assert config.read_text() == text  # left as it was


# 18. Ctrl-C at a confirmation ---------------------------------------------------------------


@pytest.mark.pty
@pytest.mark.parametrize("what", ["forget", "doctor"])
def test_ctrl_c_at_forget_or_doctor_fix_exits_130(dirs: dict[str, Path], what: str) -> None:
    pexpect = pytest.importorskip("pexpect")
    save_one()
    entry = next((dirs["data"] / "entries").rglob("*.json"))
    if what == "doctor":
        entry.chmod(0o644)  # loose: something for --fix to mend
        args = ["doctor", "--fix"]
    else:
        args = ["forget", "--all"]
    env = dict(os.environ, TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(
        str(ATTUNE),
        args,
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(30, 100),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        child.expect(r"\[[yY]/[nN]\]")
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        shown = child.before
        child.close()
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, (child.exitstatus, child.signalstatus, shown)
    assert "Traceback" not in shown and "Nothing was changed" in shown
    assert entry.exists()


# 18. A full disk and a read-only mount name the path ----------------------------------------


def test_config_set_on_a_full_disk_names_the_file_in_process(
    dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from attunecli import entry, fsutil

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsutil, "_full_fsync", full)
    code = entry.main(["config", "set", "attachment", "secure"])
    err = capsys.readouterr().err
    assert code == 1
    line = one_line(err)
    assert str(dirs["config"] / "config.toml") in line and "No space left on device" in line
    assert not (dirs["config"] / "config.toml").exists()
    assert not [p for p in dirs["config"].iterdir() if p.name.startswith(fsutil.TEMP_PREFIX)]


def _can_mount() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount(), reason="needs root and unshare to mount a full tmpfs")
def test_config_set_on_a_real_full_disk_names_the_file(tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    script = (
        'mount -t tmpfs -o size=16k none "$1" || exit 99; '
        'dd if=/dev/zero of="$1/fill" bs=1k count=64 2>/dev/null; '
        'mkdir -p "$1/config" 2>/dev/null; '
        'ATTUNE_CONFIG_DIR="$1/config" exec "$2" config set attachment secure'
    )
    r = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(mount), str(ATTUNE)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if r.returncode == 99:
        pytest.skip("could not mount a tmpfs here")
    assert r.returncode == 1
    line = one_line(r.stderr)
    assert f"{mount}/config/config.toml" in line and "No space left on device" in line


def test_forget_on_a_read_only_folder_names_the_file(dirs: dict[str, Path]) -> None:
    save_one()
    entry = next((dirs["data"] / "entries").rglob("*.json"))
    month = entry.parent
    if os.geteuid() == 0:
        if not _can_mount():
            pytest.skip("as root, chmod does not stop a delete, and unshare is not available")
        # A real read-only mount of the data folder, in a mount namespace of its own.
        ro = dirs["data"].parent / "ro"
        ro.mkdir()
        script = (
            'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" || exit 99; '
            'ATTUNE_DATA_DIR="$2" exec "$3" forget --all --yes'
        )
        r = subprocess.run(
            ["unshare", "-m", "sh", "-c", script, "sh", str(dirs["data"]), str(ro), str(ATTUNE)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if r.returncode == 99:
            pytest.skip("could not make a read-only bind mount here")
        where, why = ro / entry.relative_to(dirs["data"]), "Read-only file system"
    else:
        month.chmod(0o500)
        try:
            r = attune("forget", "--all", "--yes")
        finally:
            month.chmod(0o700)
        where, why = entry, "Permission denied"
    assert r.returncode == 1
    line = one_line(r.stderr)
    assert f"could not delete {where}: {why}" in line
    assert "unexpected" not in line
    assert entry.exists()


# 18. A FIFO where a settings or state file belongs ------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["remind"],
        ["checkin", "--quick", "--feeling", "calm", "--intensity", "3"],
        ["config", "show"],
        ["config", "set", "attachment", "secure"],
        ["history", "--since", "1d"],
    ],
)
def test_a_fifo_as_config_is_one_line_never_a_hang(dirs: dict[str, Path], args: list[str]) -> None:
    dirs["config"].mkdir(parents=True)
    fifo = dirs["config"] / "config.toml"
    os.mkfifo(fifo)
    r = attune(*args)  # TIMEOUT fails the test if it waits on the FIFO
    assert r.returncode == 1
    line = one_line(r.stderr)
    assert str(fifo) in line and "not a regular file" in line


def test_a_fifo_as_the_reminder_count_is_no_hang(dirs: dict[str, Path]) -> None:
    dirs["state"].mkdir(parents=True)
    os.mkfifo(dirs["state"] / "remind.json")
    r = attune("remind", "--json")  # nothing checked in yet: it counts a nudge
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["remind"] is True
    assert "Traceback" not in r.stderr


def test_a_fifo_as_a_draft_is_one_warning_never_a_hang(dirs: dict[str, Path]) -> None:
    drafts = dirs["state"] / "drafts"
    drafts.mkdir(parents=True)
    fifo = drafts / "checkin.json"
    os.mkfifo(fifo)
    r = attune("checkin", "--resume", "--no-input")
    assert r.returncode == 2  # no draft to resume: a usage error
    assert "Traceback" not in r.stderr
    warning = r.stderr.splitlines()[0]
    assert warning.startswith("attune: warning:") and str(fifo) in warning
    assert "not a regular file" in warning
    r = attune("checkin", "--quick", "--feeling", "calm", "--intensity", "3")
    assert r.returncode == 0, r.stderr


def test_a_fifo_as_the_safety_plan_is_one_line(dirs: dict[str, Path]) -> None:
    dirs["data"].mkdir(parents=True)
    fifo = dirs["data"] / "safety-plan.json"
    os.mkfifo(fifo)
    r = attune("safety-plan", "--show")
    assert "Traceback" not in r.stderr
    assert str(fifo) in r.stderr and "not a regular file" in r.stderr


# 19. Writing config always writes valid TOML ------------------------------------------------

CONTROLS = [chr(i) for i in range(0x20)] + ["\x7f"]


def _toml_escape(c: str) -> str:
    return f"\\u{ord(c):04x}"


def test_config_set_round_trips_every_control_character(dirs: dict[str, Path]) -> None:
    """Unknown settings holding U+0000-U+001F and U+007F, in values, keys, arrays,
    inline and nested tables, all survive `config set` as valid TOML."""
    dirs["config"].mkdir(parents=True)
    config = dirs["config"] / "config.toml"
    lines = ["# my own comment"]
    for i, c in enumerate(CONTROLS):
        e = _toml_escape(c)
        lines.append(f'v{i} = "a{e}b"')
        lines.append(f'"k{e}{i}" = "x"')
        lines.append(f'arr{i} = ["{e}", "plain"]')
        lines.append(f'inline{i} = {{ "i{e}" = "{e}" }}')
    lines.append("[nested.table]")
    lines.extend(f'n{i} = "{_toml_escape(c)}"' for i, c in enumerate(CONTROLS))
    text = "\n".join(lines) + "\n"
    before = tomllib.loads(text)
    config.write_text(text)
    for args, after in (
        (["config", "set", "attachment", "secure"], {**before, "attachment": "secure"}),
        (["config", "set", "region", "GB"], {**before, "attachment": "secure", "region": "GB"}),
        (["config", "unset", "attachment"], {**before, "region": "GB"}),
    ):
        r = attune(*args)
        assert r.returncode == 0, r.stderr
        written = config.read_text(encoding="utf-8")
        for c in CONTROLS:
            if c not in "\n":
                assert c not in written, f"U+{ord(c):04X} written raw"
        assert tomllib.loads(written) == after
    # And every command still reads it.
    assert attune("remind", "--json").returncode == 0
    assert attune("checkin", "--quick", "--feeling", "calm", "--intensity", "3").returncode == 0


@pytest.mark.parametrize("c", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_config_writer_escapes_each_control_character(c: str, tmp_path: Path) -> None:
    """The writer's own rendering (`_dump`, used when the user's text cannot be kept)."""
    from attunecli import config

    settings = {"future": f"a{c}b", f"k{c}": [c], "t": {f"n{c}": c}}
    text = config._dump(settings)
    assert c == "\n" or c not in text.split("\n", 1)[1]
    assert tomllib.loads(text) == settings
    path = tmp_path / "config.toml"
    path.write_text(text)
    config.set_value(path, "attachment", "secure")
    assert tomllib.loads(path.read_text()) == {**settings, "attachment": "secure"}


# 20. Warnings are one line each -------------------------------------------------------------


@pytest.mark.planted
def test_warnings_about_files_are_one_line_whatever_their_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "da\nta\rdir\x1b[31m"
    state = tmp_path / "st\nate"
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(data))
    monkeypatch.setenv("ATTUNE_STATE_DIR", str(state))
    save_one()
    month = next((data / "entries").rglob("*.json")).parent
    (month / "20260101T000000Z-0123456789abcdef.json").write_text("{not json")
    (state / "drafts").mkdir(parents=True)
    (state / "drafts" / "checkin.json").write_text("{not json")
    runs = [
        attune("history"),
        attune("search", "x"),
        attune("history", "--practice", "checkin", "--since", "2000-01-01", "--json"),
        attune("repairs"),
        attune("feelings", "--json"),
        attune("export", "--format", "md"),
        attune("checkin", "--resume", "--no-input"),
    ]
    seen_warning = 0
    for r in runs:
        assert "Traceback" not in r.stderr
        assert "\x1b" not in r.stderr and "\r" not in r.stderr, r.stderr
        for line in r.stderr.splitlines():
            # What follows a line break in a name would start a line of its own.
            assert not line.startswith(("ta", "dir", "ate", "/")), r.stderr
            if line.startswith("attune: warning:"):
                seen_warning += 1
                assert "da\\x0ata\\x0ddir\\x1b[31m" in line or "st\\x0aate" in line
    assert seen_warning >= 2
    assert "\\x0a" in runs[0].stderr and "\\x1b" in runs[0].stderr
    assert "st\\x0aate" in runs[-1].stderr
