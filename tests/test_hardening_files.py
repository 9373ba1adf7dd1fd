"""Files and paths that try to break attune: control characters in folder and file names,
folders the user tightened, and settings files that are odd, deep, special or unwritable.

Each group names the promise it holds:

- a reminder is never installed from a path that would inject a line (cron) or a
  directive (systemd);
- a folder the user tightened stays as tight, and a save into one that cannot be
  written loses nothing;
- writing config.toml always gives valid TOML that keeps every other setting (and
  the user's comments);
- reading config.toml never blocks, and never ends in a traceback;
- every warning is one line, whatever a file is called.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
import subprocess
import sys
import tempfile
import tomllib
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from attunecli import config, fsutil
from attunecli.errors import AttuneError, UsageError
from attunecli.paths import Paths
from attunecli.schedule import Plan, parse_at, parse_days
from tests.conftest import Clock, entry_files
from tests.test_schedule import FileCron, Ways, ways_in

SCRIPT = Path(sys.executable).with_name("attune")
needs_script = pytest.mark.skipif(not SCRIPT.exists(), reason="the attune script is not installed")
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_attune(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The installed program in a process of its own (the quick paths, and anything that
    could block), with this test's folders (conftest set them in the environment)."""
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )


def one_attune_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("attune: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


# 10. a reminder never carries a control character -----------------------------------------

UNSAFE = ["\n", "\r", "\t", "\x1b", "\x7f", "\x85", "\u2028"]


def nothing_scheduled(ways: Ways, tmp_path: Path) -> None:
    assert isinstance(ways.cron, FileCron)
    assert ways.cron.path.read_text() == ""
    assert not (tmp_path / "units").exists()
    assert not (tmp_path / "agents").exists()
    assert ways.systemctl.calls == []
    assert ways.launchd.run.calls == []  # type: ignore[attr-defined]


@pytest.fixture
def as_script(monkeypatch: pytest.MonkeyPatch) -> None:
    if SCRIPT.exists():
        monkeypatch.setattr(sys, "argv", [str(SCRIPT)])


@pytest.mark.parametrize("char", UNSAFE)
@pytest.mark.parametrize("via", ["cron", "systemd", "launchd"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_install_refuses_a_data_folder_with_a_control_character(
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    as_script: None,
    char: str,
    via: str,
    dry_run: bool,
) -> None:
    # launchd writes its plist only on macOS; pretend, so that nothing else stops it.
    monkeypatch.setattr(sys, "platform", "darwin" if via == "launchd" else "linux")
    folder = str(tmp_path / f"da{char}ta")
    monkeypatch.setenv("ATTUNE_DATA_DIR", folder)
    ways = ways_in(tmp_path)
    r = cli(
        "schedule",
        "install",
        "--at",
        "20:30",
        "--via",
        via,
        "--dry-run" if dry_run else "--yes",
        schedulers=ways.schedulers(),
    )
    assert r.exit_code == 2  # README: a bad value, one line, nothing written
    assert r.stdout == ""
    line = one_attune_line(r.stderr)
    assert line.startswith("attune: the data folder (ATTUNE_DATA_DIR) holds a control character")
    assert repr(folder) in line
    nothing_scheduled(ways, tmp_path)


@pytest.mark.parametrize("env", ["ATTUNE_CONFIG_DIR", "ATTUNE_STATE_DIR", "ATTUNE_CACHE_DIR"])
def test_install_refuses_any_folder_with_a_line_break(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_script: None, env: str
) -> None:
    monkeypatch.setenv(env, str(tmp_path / "x\n* * * * * rm -rf ~ #"))
    ways = ways_in(tmp_path)
    r = cli("schedule", "install", "--at", "20:30", "--via", "cron", "--yes", **_ways(ways))
    assert r.exit_code == 2
    assert f"({env}) holds a control character ('\\n')" in one_attune_line(r.stderr)
    nothing_scheduled(ways, tmp_path)


def _ways(ways: Ways) -> dict[str, Any]:
    return {"schedulers": ways.schedulers()}


@pytest.mark.parametrize("via", ["cron", "systemd", "launchd"])
def test_install_refuses_an_attune_program_path_with_a_line_break(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, via: str
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin" if via == "launchd" else "linux")
    program = tmp_path / "bin\nExecStartPre=evil" / "attune"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(program)])
    ways = ways_in(tmp_path)
    r = cli("schedule", "install", "--at", "20:30", "--via", via, "--yes", **_ways(ways))
    assert r.exit_code == 2
    assert r.stdout == ""
    line = one_attune_line(r.stderr)
    assert line.startswith("attune: the attune program's path holds a control character ('\\n')")
    nothing_scheduled(ways, tmp_path)


def test_a_plan_cannot_be_made_with_a_control_character(tmp_path: Path) -> None:
    root = tmp_path / "a\tb"
    paths = Paths(root / "data", root / "config", root / "state", root / "cache")
    with pytest.raises(UsageError, match=r"holds a control character \('\\t'\)"):
        Plan.make(parse_at("20:30"), parse_days("daily"), paths, notify=False)
    with pytest.raises(UsageError, match="bytes that are not UTF-8"):
        Plan(time(20, 30), (1,), ("/usr/bin/attune\udcff", "remind"), ())
    # what is not a control character is still fine: spaces, %, quotes, non-ASCII
    fine = tmp_path / "my 100% 'Tagebuch' é"
    good = Paths(fine / "data", fine / "config", fine / "state", fine / "cache")
    assert Plan.make(parse_at("20:30"), parse_days("daily"), good, notify=False).env


# 11. tightening is never undone --------------------------------------------------------------


def save(cli: Any, feeling: str) -> Any:
    return cli("slow-down", "--feeling", feeling, "--intensity", "3")


@pytest.mark.parametrize(
    ("which", "before", "after"),
    [
        ("month", 0o500, 0o500),  # the user made it read-only: it stays so
        ("month", 0o700, 0o700),
        ("month", 0o550, 0o500),  # group bits go, owner bits are never added
        ("month", 0o755, 0o700),
        ("data", 0o500, 0o500),
        ("data", 0o750, 0o700),
    ],
)
def test_a_save_never_loosens_a_folder(
    cli: Any, clock: Clock, data_dir: Path, which: str, before: int, after: int
) -> None:
    assert save(cli, "calm").exit_code == 0
    (month,) = {p.parent for p in entry_files(data_dir)}
    folder = month if which == "month" else data_dir
    folder.chmod(before)
    clock.advance(minutes=5)  # the same month
    try:
        r = save(cli, "tired")
        now = mode(folder)
    finally:
        folder.chmod(0o700)
    assert now == after, f"{now:o}"
    if which == "month" and not before & 0o200 and not AS_ROOT:
        # Not writable: the save fails on one line, and the entry is printed, not lost.
        assert r.exit_code == 1
        line = one_attune_line(r.stderr)
        assert line.startswith(f"attune: could not save to {month}/")
        assert line.endswith("; your answers were printed to stdout as JSON")
        printed = json.loads(r.stdout)
        assert printed["practice"] == "slow-down"
        assert {a["id"]: a["answer"] for a in printed["answers"]}["feeling"] == "tired"
        assert len(entry_files(data_dir)) == 1
    else:
        # Writable (root can write into a 0500 folder): saved, the folder left as tight.
        assert r.exit_code == 0, r.stderr
        assert len(entry_files(data_dir)) == 2


@pytest.mark.skipif(not AS_ROOT, reason="needs root: root alone can write into a 0500 folder")
def test_root_saving_into_a_0500_month_leaves_it_0500(
    cli: Any, clock: Clock, data_dir: Path
) -> None:
    assert save(cli, "calm").exit_code == 0
    (month,) = {p.parent for p in entry_files(data_dir)}
    month.chmod(0o500)
    clock.advance(minutes=1)
    try:
        assert save(cli, "tired").exit_code == 0
        assert mode(month) == 0o500
    finally:
        month.chmod(0o700)


def test_ensure_private_dir_takes_bits_away_and_never_adds_one(tmp_path: Path) -> None:
    for before, after in [(0o500, 0o500), (0o555, 0o500), (0o777, 0o700), (0o300, 0o300)]:
        folder = tmp_path / f"f{before:o}"
        folder.mkdir()
        folder.chmod(before)
        fsutil.ensure_private_dir(folder)
        assert mode(folder) == after, f"{before:o} -> {mode(folder):o}"
        folder.chmod(0o700)
    old = os.umask(0)
    try:
        fsutil.ensure_private_dir(tmp_path / "new" / "deeper")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new") == mode(tmp_path / "new" / "deeper") == 0o700


@pytest.mark.skipif(not AS_ROOT, reason="needs root to give a folder to another user")
def test_ensure_private_dir_leaves_someone_elses_folder_alone(tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir()
    folder.chmod(0o755)
    os.chown(folder, 65534, 65534)
    fsutil.ensure_private_dir(folder)
    assert mode(folder) == 0o755


def test_doctor_fix_takes_bits_away_and_never_adds_one(cli: Any, data_dir: Path) -> None:
    assert save(cli, "calm").exit_code == 0
    (entry,) = entry_files(data_dir)
    month = entry.parent
    entry.chmod(0o444)
    month.chmod(0o555)
    try:
        r = cli("doctor", "--fix", "--yes")
        modes = mode(month), mode(entry)
    finally:
        month.chmod(0o700)
    assert modes == (0o500, 0o400), [f"{m:o}" for m in modes]
    assert f"chmod 500 {month}" in r.stderr.splitlines()
    assert f"chmod 400 {entry}" in r.stderr.splitlines()


# 19. writing config always gives valid TOML with every other setting ---------------------


@pytest.fixture
def config_file(attune_dirs: Path) -> Path:
    path = attune_dirs / "config" / "config.toml"
    path.parent.mkdir(mode=0o700)
    return path


ODD_DOCUMENTS = {
    "DEL in a value": 'weird = "a\\u007fb"\n',
    "DEL in a key": '"k\\u007f" = 1\n',
    "every C0 control": "c0 = " + json.dumps("".join(map(chr, range(32)))) + "\n",
    "C1 and line separators": 'c1 = "\\u0085\\u009b\\u2028\\u2029"\n',
    "a nested table": "[outer]\nx = 1\n[outer.inner]\ny = 2\n[outer.inner.deepest]\nz = [1, 2]\n",
    "an array of tables": '[[items]]\nname = "a"\n[[items]]\nname = "b"\n[items.sub]\nq = 1\n',
    "arrays of tables in a table": '[a]\nk = 1\n[[a.list]]\nx = 1\n[[a.list]]\nx = "\\u007f"\n',
    "a table after which keys would land": "[t]\nx = 1\n",
    "dates and times": "d = 2026-01-02\nt = 07:08:09.123456\nl = 2026-01-02T03:04:05\n"
    "o = 2026-01-02T03:04:05-05:30\n",
    "floats": "a = inf\nb = -inf\nc = nan\nd = -0.0\ne = 1e300\nf = 5e-324\n",
    "quoted and dotted keys": '"two words" = 1\n"a.b" = 2\nsite."google.com" = true\n',
    "inline tables": "point = { x = 1, y = { z = [{ w = 2 }] } }\n",
    "no final newline": "future = 1",
    "windows line ends": 'future = "kept"\r\n[t]\r\nx = 1\r\n',
}


def _canon(value: Any) -> Any:
    """TOML data in a form where equal means the same data: types, float bits, offsets."""
    if isinstance(value, dict):
        return ("table", tuple(sorted((k, _canon(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("array", tuple(_canon(v) for v in value))
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else value.hex())
    if isinstance(value, datetime | date | time):
        return (type(value).__name__, value.isoformat())
    return (type(value).__name__, value)


def same(a: Any, b: Any) -> bool:
    return bool(_canon(a) == _canon(b))


@pytest.mark.parametrize("name", list(ODD_DOCUMENTS))
def test_set_and_unset_keep_every_other_setting_valid(
    cli: Any, config_file: Path, data_dir: Path, name: str
) -> None:
    text = ODD_DOCUMENTS[name]
    config_file.write_bytes(text.encode("utf-8"))
    original = tomllib.loads(text)
    r = cli("config", "set", "attachment", "anxious")
    assert r.exit_code == 0, r.stderr
    assert same(
        tomllib.loads(config_file.read_text(encoding="utf-8")),
        {**original, "attachment": "anxious"},
    )
    # the file still works for everything that reads it
    assert cli("config", "show").exit_code == 0
    assert save(cli, "calm").exit_code == 0
    r = cli("config", "unset", "attachment")
    assert r.exit_code == 0, r.stderr
    assert same(tomllib.loads(config_file.read_text(encoding="utf-8")), original)


def test_set_keeps_the_users_comments_and_layout(config_file: Path) -> None:
    text = (
        "# my attune settings\n"
        'weird = "\\u007f"   # hand-written, keep it\n'
        "\n"
        "[plugins]  # for a newer attune\n"
        "# nothing here yet\n"
        "x = 1\n"
    )
    config_file.write_text(text)
    config.set_value(config_file, "attachment", "secure")
    config.set_value(config_file, "day-start", "05:30")
    config.set_value(config_file, "attachment", "unsure")
    written = config_file.read_text()
    for comment in (
        "# my attune settings",
        "# hand-written, keep it",
        "# for a newer attune",
        "# nothing here yet",
    ):
        assert comment in written
    assert tomllib.loads(written) == {
        "weird": "\x7f",
        "attachment": "unsure",
        "day-start": "05:30",
        "plugins": {"x": 1},
    }
    config.unset(config_file, "attachment")
    config.unset(config_file, "day-start")
    assert config_file.read_text() == text  # back to the user's own bytes


def test_a_new_file_starts_with_the_explaining_comment(config_file: Path) -> None:
    config.set_value(config_file, "attachment", "secure")
    header = "".join(f"# {line}\n" for line in config.HEADER)
    assert config_file.read_text() == header + 'attachment = "secure"\n'
    assert header.startswith("# attune settings.") and "# day-start: " in header


def test_when_tomlkit_gets_it_wrong_the_settings_are_written_afresh(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomlkit

    config_file.write_text('# gone, but every value stays\nweird = "\\u007f"\n[t]\nx = 1\n')
    monkeypatch.setattr(tomlkit, "dumps", lambda doc: 'weird = "\x7f"\n')  # invalid TOML
    config.set_value(config_file, "attachment", "secure")
    assert tomllib.loads(config_file.read_text()) == {
        "weird": "\x7f",
        "t": {"x": 1},
        "attachment": "secure",
    }
    monkeypatch.setitem(sys.modules, "tomlkit", None)  # not installed at all
    config.set_value(config_file, "attachment", "anxious")
    assert tomllib.loads(config_file.read_text())["attachment"] == "anxious"


def test_what_cannot_be_written_back_whole_is_not_written(cli: Any, config_file: Path) -> None:
    # tomllib reads a dotted header of any depth; deeper than Python's recursion limit
    # no renderer can write it back, so nothing is written rather than something less.
    text = "[" + ".".join(["a"] * (sys.getrecursionlimit() + 100)) + "]\nx = 1\n"
    config_file.write_text(text)
    r = cli("config", "set", "attachment", "secure")
    assert r.exit_code == 1
    line = one_attune_line(r.stderr)
    assert line.startswith(f"attune: could not rewrite {config_file} so that it keeps every")
    assert config_file.read_text() == text


# Any TOML data: keys and strings with any character, every scalar type TOML has.
_offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
_scalars = st.one_of(
    st.text(max_size=6),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.times(),
    st.datetimes(),
    st.datetimes(timezones=_offsets),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)
toml_data = st.dictionaries(st.text(max_size=5), _values, max_size=5)


@settings(max_examples=400, deadline=None)
@given(toml_data)
@example({"0\n": {}})  # `$` in a key pattern matches before a final line break
@example({"0\n": [], "\x7f": "\x7f", "": {"": [{"\u2028": float("nan")}]}})
def test_the_dumper_writes_any_toml_data_so_it_loads_the_same(data: dict[str, Any]) -> None:
    assert same(tomllib.loads(config._dump(data)), data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toml_data, st.sampled_from(["ours", "tomlkit"]))
@example({"0\n": {}, "attachment": {"x": 1}}, "ours")
@example({"\x7f": "\x7f", "t": {"a": [{"b": 1}]}}, "tomlkit")
def test_set_and_unset_on_any_document_keep_the_rest(data: dict[str, Any], how: str) -> None:
    import tomlkit

    # The same data as two different documents: our layout, and tomlkit's (which
    # writes tables as headers and arrays of tables as [[...]]).
    try:
        text = config._dump(data) if how == "ours" else tomlkit.dumps(data)
        loaded = tomllib.loads(text)
    except Exception:  # a document tomlkit itself cannot write is no document to start from
        assume(how == "ours")
        raise
    with tempfile.TemporaryDirectory() as where:
        path = Path(where) / "config.toml"
        path.write_text(text, encoding="utf-8")
        config.set_value(path, "attachment", "avoidant")
        assert same(tomllib.loads(path.read_text("utf-8")), {**loaded, "attachment": "avoidant"})
        config.unset(path, "attachment")
        rest = {k: v for k, v in loaded.items() if k != "attachment"}
        assert same(tomllib.loads(path.read_text("utf-8")), rest)


# 18. reading config never blocks nor ends in a traceback; writing names the path --------


def deep_array(depth: int = 5000) -> str:
    return "a = " + "[" * depth + "]" * depth + "\n"


@pytest.mark.parametrize("text", [deep_array(), "a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n"])
@pytest.mark.parametrize(
    "args",
    [
        ("config", "show"),
        ("config", "set", "attachment", "secure"),
        ("slow-down", "--feeling", "calm", "--intensity", "2"),
    ],
)
def test_a_deeply_nested_config_is_one_line(
    cli: Any, config_file: Path, data_dir: Path, text: str, args: tuple[str, ...]
) -> None:
    config_file.write_text(text)
    r = cli(*args)
    assert r.exit_code == 1
    assert r.stderr == (
        f"attune: {config_file} is not valid TOML (nested too deeply to read); fix or delete it\n"
    )
    assert config_file.read_text() == text
    assert entry_files(data_dir) == []


@needs_script
def test_remind_with_a_deeply_nested_config_is_one_line(config_file: Path) -> None:
    config_file.write_text(deep_array())
    done = run_attune("remind")
    assert (done.returncode, done.stdout) == (1, "")
    assert one_attune_line(done.stderr).endswith("(nested too deeply to read); fix or delete it")


@needs_script
@pytest.mark.parametrize("args", [("config", "show"), ("remind",), ("checkin", "--quick")])
def test_a_fifo_for_config_never_blocks(config_file: Path, args: tuple[str, ...]) -> None:
    os.mkfifo(config_file, 0o600)
    done = run_attune(*args, timeout=60)  # before: blocked until killed
    assert done.returncode == 1
    line = one_attune_line(done.stderr)
    assert line == (
        f"attune: {config_file} is not a regular file; attune reads its settings only "
        "from one (move it away or delete it)"
    )
    assert stat.S_ISFIFO(config_file.lstat().st_mode)  # left as it was


def test_a_folder_or_device_for_config_is_refused(config_file: Path) -> None:
    config_file.mkdir()
    with pytest.raises(AttuneError, match="is not a regular file"):
        config.load(config_file)
    config_file.rmdir()
    config_file.symlink_to("/dev/zero")  # would never end
    with pytest.raises(AttuneError, match="is not a regular file"):
        config.load(config_file)


def test_a_huge_config_is_refused(config_file: Path) -> None:
    config_file.write_bytes(b"# " + b"x" * config.MAX_CONFIG_BYTES + b"\n")
    with pytest.raises(AttuneError, match="too large to be attune's settings"):
        config.load(config_file)


def test_a_symlinked_config_is_still_read(config_file: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "attune.toml"
    real.parent.mkdir()
    real.write_text('attachment = "secure"\n')
    config_file.symlink_to(real)
    assert config.load(config_file) == {"attachment": "secure"}


@pytest.mark.parametrize(
    ("err", "strerror"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_set_on_a_full_disk_names_the_path(
    cli: Any, config_file: Path, monkeypatch: pytest.MonkeyPatch, err: int, strerror: str
) -> None:
    config_file.write_text('attachment = "secure"\n')

    def full(path: Path, data: bytes, **kw: Any) -> None:
        raise OSError(err, strerror)

    monkeypatch.setattr("attunecli.config.write_atomic", full)
    for args in (("set", "attachment", "anxious"), ("unset", "attachment")):
        r = cli("config", *args)
        assert r.exit_code == 1
        assert r.stdout == ""
        assert (
            r.stderr == f"attune: could not write {config_file}: {strerror}; nothing was changed\n"
        )
    assert config_file.read_text() == 'attachment = "secure"\n'


def test_set_in_a_read_only_folder_names_the_path(
    cli: Any, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text('attachment = "secure"\n')
    config_file.parent.chmod(0o500)
    try:
        if os.access(config_file.parent, os.W_OK):  # root writes anyway: refuse as the OS would

            def refuse(*args: Any, **kw: Any) -> Any:
                raise PermissionError(errno.EACCES, "Permission denied")

            monkeypatch.setattr("attunecli.fsutil.tempfile.mkstemp", refuse)
        r = cli("config", "set", "attachment", "anxious")
        folder_mode = mode(config_file.parent)
    finally:
        config_file.parent.chmod(0o700)
    assert r.exit_code == 1
    assert r.stderr == (
        f"attune: could not write {config_file}: Permission denied; nothing was changed\n"
    )
    assert folder_mode == 0o500  # and not loosened to get in
    assert config_file.read_text() == 'attachment = "secure"\n'


# 20. every warning is one line ---------------------------------------------------------------

ODD_NAMES = ["bad\nname.json", "tab\there.json", "cr\rhere.json", "sep\u2028here.json"]


@pytest.fixture
def planted_names(cli: Any, data_dir: Path) -> list[Path]:
    assert save(cli, "calm").exit_code == 0
    (month,) = {p.parent for p in entry_files(data_dir)}
    planted = []
    for name in ODD_NAMES:
        (month / name).write_text("{}")
        (month / name).chmod(0o644)  # something for `doctor --fix` to mend, named on stderr
        planted.append(month / name)
    return planted


def every_line_is_attunes(stderr: str, expected: int) -> None:
    lines = stderr.split("\n")
    assert lines[-1] == ""
    assert all(line.startswith("attune:") for line in lines[:-1]), stderr
    assert len(stderr.splitlines()) == len(lines) - 1  # no other line break (\r, \u2028) either
    assert sum("skipped" in line for line in lines) == expected, stderr


@pytest.mark.planted
@pytest.mark.parametrize(
    "args",
    [("history",), ("history", "--json"), ("search", "calm"), ("insights",), ("repairs", "--json")],
)
def test_a_file_name_with_a_line_break_warns_on_one_line(
    cli: Any, planted_names: list[Path], args: tuple[str, ...]
) -> None:
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    every_line_is_attunes(r.stderr, expected=len(ODD_NAMES))
    assert "bad\\x0aname.json: not an entry file name" in r.stderr
    assert "tab\\x09here.json" in r.stderr


@pytest.mark.planted
@needs_script
@pytest.mark.parametrize("args", [("history",), ("search", "calm"), ("insights",)])
def test_the_quick_path_warns_on_one_line_too(
    planted_names: list[Path], args: tuple[str, ...]
) -> None:
    done = run_attune(*args)
    assert done.returncode == 0, done.stderr
    every_line_is_attunes(done.stderr, expected=len(ODD_NAMES))


@pytest.mark.planted
def test_doctor_says_everything_on_one_line_each(cli: Any, planted_names: list[Path]) -> None:
    r = cli("doctor")
    assert r.exit_code == 1
    assert r.stderr == ""  # doctor names findings on stdout; nothing odd reaches stderr
    r = cli("doctor", "--json")
    paths = {f["path"] for f in json.loads(r.stdout)["findings"]}
    assert {str(p) for p in planted_names} <= paths  # JSON keeps the real names
    r = cli("doctor", "--fix", "--yes")
    lines = r.stderr.split("\n")
    assert lines[-1] == ""
    for line in lines[:-1]:
        assert line.startswith(("attune:", "chmod ", "deleted ", "rebuilt ")), r.stderr
    assert len(r.stderr.splitlines()) == len(lines) - 1
    assert any(line.endswith("/bad\\x0aname.json") for line in lines), r.stderr


def test_store_warnings_and_errors_name_paths_on_one_line(tmp_path: Path) -> None:
    from attunecli.store import Store

    said: list[str] = []
    problems: list[tuple[Path, str]] = []
    store = Store(
        tmp_path / "da\nta", warn=said.append, on_problem=lambda p, w: problems.append((p, w))
    )
    odd = store.root / "2026" / "11" / "x\n.json"
    store.warn_once(odd, "not valid JSON: bad\ncontrol")
    assert said == [
        f"skipped {tmp_path}/da\\x0ata/entries/2026/11/x\\x0a.json: not valid JSON: bad\\x0acontrol"
    ]
    assert problems == [(odd, "not valid JSON: bad\\x0acontrol")]  # the real path, for --json


@pytest.mark.parametrize("char", ["\n", "\t", "\x1b", "\u2028"])
def test_a_config_error_in_an_odd_folder_is_one_line(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, char: str
) -> None:
    folder = tmp_path / f"con{char}fig"
    folder.mkdir()
    (folder / "config.toml").write_text('attachment = "anx\n')
    monkeypatch.setenv("ATTUNE_CONFIG_DIR", str(folder))
    r = cli("config", "show")
    assert r.exit_code == 1
    assert "is not valid TOML" in one_attune_line(r.stderr)
    assert fsutil.shown(folder) in r.stderr
