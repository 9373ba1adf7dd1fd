"""Issue 11, item 21: every planted case of items 1-20 that lives on disk, under every command.

One data folder holds every case that can share it (bad entry files of every shape,
odd file names, links of every kind, a duplicated id, a mode-000 entry, a 0500
month, a world-writable year, escape sequences in every field, CSV/Markdown
injection); cases that exclude each other (the config file, the cache and state
links, the remembered `locations`, a linked data folder) get a world each. Every
command of the Typer app runs once per world as a real process (`python -m
attunecli`), and the matrix then checks each (case, command) pair: the exit code
the README documents, no traceback, no raw control character, each bad file named
on stderr by the commands that read it, every good entry still shown, nothing
outside attune's folders written or re-moded, and link targets untouched.

The cases about permissions run again as an unprivileged user made for the test
(root reads a mode-000 file, so only another user shows that it is named).
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from attunecli.fsutil import json_text, shown
from attunecli.models import SCHEMA_VERSION
from attunecli.names import NAME_RE
from attunecli.store import migrate
from tests.conftest import VALIDATOR

pytestmark = pytest.mark.planted

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
HUGE_BYTES = 50 * 1024 * 1024

EVIL = "\x1b[31mX\x1b]0;T\x07\x9b2J\x7f"  # SGR, OSC title, BEL, C1 CSI, DEL
CR = "a\rb"  # a lone carriage return
# A control character in text meant for a person: C0 but tab and newline, DEL, C1,
# and a carriage return not followed by a newline (csv ends rows with \r\n).
RAW = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
RAW_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|\r(?!\n)")
OUTSIDE_WORDS = "outside secret words"
PLANTED_WORDS = "planted by another user"

# Good entries: (case, id). Each holds "hello" in a text answer, so `search hello` finds it.
G_CHECKIN = "a000000000000001"
G_REPAIR = "a000000000000002"
G_REGULATE = "a000000000000003"
G_EXTRA = "a000000000000004"
G_EVIL = "a000000000000005"
G_INJECT = "a000000000000006"
G_DUP = "a000000000000007"
G_MODE000 = "a000000000000008"
G_MONTH500 = "a000000000000009"
G_WORLDW = "a00000000000000a"

INJECTIONS = ['=HYPERLINK("http://evil.example/","x")', "+1+1", "-2-2", "@SUM(A1)"]
MD_INJECTION = "# heading [link](http://evil.example/) ![i](http://e/x.png) <script>x</script>"


# ---------------------------------------------------------------------------------------
# Entries


def ans(aid: str, kind: str, answer: Any, question: str = "Q?", **details: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": aid, "kind": kind, "question": question, "answer": answer}
    if details:
        out["details"] = details
    return out


def entry(
    eid: str, when: datetime, practice: str, answers: list[Any], **extra: Any
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": eid,
        "created_at": when.isoformat(timespec="seconds"),
        "practice": practice,
        "complete": True,
        "answers": answers,
        **extra,
    }


def at(day: int, hour: int = 10, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, 0, tzinfo=UTC)


def checkin(eid: str, when: datetime, note: str = "hello there") -> dict[str, Any]:
    return entry(
        eid,
        when,
        "checkin",
        [
            ans("notice.feeling", "feeling", "calm", quadrant="low-pleasant"),
            ans("notice.intensity", "scale", 3, measure="intensity"),
            ans("close.note", "text", note),
        ],
    )


def file_name(record_id: str, when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y%m%dT%H%M%SZ}-{record_id}.json"


def evil_entry(eid: str, when: datetime) -> dict[str, Any]:
    """Schema-valid, with an escape sequence in every string the schema lets hold one."""
    flags = [{"kind": "advice", "note": EVIL + CR, "phrase": EVIL}]
    details = {
        "exercise": EVIL,
        "instruction": EVIL,
        "alternative": EVIL + CR,
        "draft": EVIL,
        "measure": EVIL,
        "own_words": [EVIL],
        "flags": flags,
        "kept_flags": flags,
    }
    return entry(
        eid,
        when,
        "reflect",
        [
            ans("context", "choice", EVIL + CR, EVIL, **details),
            ans("what", "text", "hello " + EVIL + CR, EVIL + CR, **details),
            ans("their_feelings", "feelings", [EVIL, CR], EVIL, **details),
            ans("reply", "reply", EVIL + "you should calm down", EVIL, **details),
            ans("exercise", "text", EVIL, EVIL),
            ans("follow_up", "text", EVIL, EVIL),
        ],
        app_version=EVIL + CR,
    )


def shapes(good: dict[str, Any]) -> dict[str, bytes]:
    """Item 15: valid JSON of the wrong shape, each with its own id (n) in its file name."""

    def w(change: Callable[[dict[str, Any]], None]) -> bytes:
        e = json.loads(json.dumps(good))
        change(e)
        return json.dumps(e).encode()

    def s(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
        return lambda e: e.__setitem__(key, value)

    def a(i: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
        return lambda e: e["answers"][i].__setitem__(key, value)

    def guide(e: dict[str, Any]) -> None:
        e["answers"].append(
            ans("guide", "guide", {"planned_seconds": 60, "seconds": "abc", "stopped_early": False})
        )

    head = json.dumps({k: v for k, v in good.items() if k != "answers"})[:-1].encode()
    return {
        "deep": head + b', "answers": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
        "deep_object": head
        + b', "answers": ['
        + b'{"a":' * 100_000
        + b"1"
        + b"}" * 100_000
        + b"]}",
        "id_null": w(s("id", None)),
        "practice_null": w(s("practice", None)),
        "question_null": w(a(0, "question", None)),
        "id_list": w(s("id", ["a", "b"])),
        "refers_to_list": w(s("refers_to", [good["id"]])),
        "answer_id_number": w(a(0, "id", 7)),
        "guide_seconds": w(guide),
        "flags_not_objects": w(a(2, "details", {"flags": ["advice", 3]})),
        "flags_a_string": w(a(2, "details", {"flags": "advice"})),
        "practice_list": w(s("practice", ["checkin"])),
        "details_list": w(a(0, "details", ["x"])),
        "answers_dict": w(s("answers", {"a": 1})),
        "answers_missing": w(lambda e: e.pop("answers")),
        "answer_not_object": w(lambda e: e["answers"].append("x")),
        "created_far_future": w(s("created_at", "9999-12-31T23:59:59-14:00")),
        "created_far_past": w(s("created_at", "0001-01-01T00:00:00+14:00")),
        "created_number": w(s("created_at", 20261121)),
        "complete_string": w(s("complete", "yes")),
        "intensity_string": w(a(1, "answer", "3")),
        "intensity_huge": w(a(1, "answer", 10**400)),
        "nan": w(a(1, "answer", float("nan"))),
        "top_level_null": b"null",
        "empty_file": b"",
    }


# ---------------------------------------------------------------------------------------
# Worlds


@dataclass
class World:
    kind: str
    root: Path
    good: dict[str, str] = field(default_factory=dict)  # case -> id every listing shows
    bad: dict[str, Path] = field(default_factory=dict)  # case -> path readers name
    quiet: dict[str, Path] = field(default_factory=dict)  # planted, not named by readers
    modes: dict[str, tuple[Path, int]] = field(default_factory=dict)  # case -> (folder, mode)
    env_extra: dict[str, str] = field(default_factory=dict)
    env_drop: tuple[str, ...] = ()
    owner: tuple[int, int] | None = None  # (uid, gid) the world belongs to, when not root

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def outside(self) -> Path:
        return self.root / "outside"

    @property
    def month(self) -> Path:
        return self.data / "entries" / "2026" / "11"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ATTUNE_", "XDG_"))}
        for name in ("NO_COLOR", "COLUMNS", "LINES", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)
        env.update(
            HOME=str(self.home),
            TERM="xterm-256color",
            LANG="C.UTF-8",
            PYTHONIOENCODING="utf-8",
            PYTHONDONTWRITEBYTECODE="1",
            ATTUNE_DATA_DIR=str(self.data),
            ATTUNE_CONFIG_DIR=str(self.config),
            ATTUNE_STATE_DIR=str(self.state),
            ATTUNE_CACHE_DIR=str(self.cache),
        )
        for name in ("DATA", "CONFIG", "STATE", "CACHE"):
            env[f"XDG_{name}_HOME"] = str(self.home / f"xdg-{name.lower()}")
        for name in self.env_drop:
            env.pop(name, None)
        env.update(self.env_extra)
        return env


def write(path: Path, content: bytes | str | dict[str, Any], mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = (
        json.dumps(content).encode()
        if isinstance(content, dict)
        else content.encode()
        if isinstance(content, str)
        else content
    )
    fd = os.open(os.fsencode(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    try:
        os.write(fd, raw)
    finally:
        os.close(fd)
    os.chmod(path, mode)
    return path


def put_entry(w: World, case: str, record: dict[str, Any], when: datetime | None = None) -> Path:
    when = when or datetime.fromisoformat(record["created_at"])
    folder = w.data / "entries" / f"{when.astimezone(UTC):%Y}" / f"{when:%m}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = write(folder / file_name(record["id"], when), record)
    VALIDATOR.validate(migrate(json.loads(path.read_bytes())))  # as read
    w.good[case] = record["id"]
    return path


def base(kind: str, root: Path) -> World:
    w = World(kind=kind, root=root)
    for p in (w.data, w.config, w.state, w.cache, w.home, w.outside):
        p.mkdir(parents=True, exist_ok=True)
        p.chmod(0o700)
    w.home.chmod(0o755)  # a home folder others may enter: attune must not tighten it
    sentinel = w.outside / "sentinel"
    sentinel.mkdir()
    sentinel.chmod(0o755)
    write(sentinel / "keep.txt", "leave me\n", 0o644)
    exports = w.outside / "exports"
    exports.mkdir()
    exports.chmod(0o1777)  # like /tmp: attune must not make it 0700
    # three good entries every world has
    put_entry(w, "good_checkin", checkin(G_CHECKIN, at(20), "hello marker one"))
    put_entry(
        w,
        "good_repair",
        entry(
            G_REPAIR,
            at(21),
            "repair",
            [
                ans("context", "choice", "partner"),
                ans("what", "text", "hello dishes"),
                ans("follow_up", "date", "2026-11-24"),
            ],
        ),
    )
    put_entry(
        w,
        "good_regulate",
        entry(
            G_REGULATE,
            at(22),
            "regulate",
            [
                ans("arousal_before", "scale", 7, measure="arousal"),
                ans("exercise", "choice", "cyclic-sighing"),
                ans("arousal_after", "scale", 4, measure="arousal"),
                ans("note", "text", "hello breath"),
            ],
        ),
    )
    return w


def plant_main(root: Path) -> World:
    """Every on-disk case that can share one data folder."""
    w = base("main", root)
    month = w.month
    good_json = checkin(G_CHECKIN, at(20), "hello marker one")
    good_bytes = json.dumps(good_json, indent=2).encode()

    # good, but odd: unknown fields, escapes everywhere, injection text, one id twice
    extra = dict(checkin(G_EXTRA, at(19), "hello extra"), mood_colour="blue")
    extra["answers"] = [dict(a, confidence=0.7) for a in extra["answers"]]
    path = write(month / file_name(G_EXTRA, at(19)), extra)
    w.good["extra_fields"] = G_EXTRA
    put_entry(w, "escapes_in_every_field", evil_entry(G_EVIL, at(18)))
    inject = entry(
        G_INJECT,
        at(17),
        "reflect",
        [
            ans("context", "choice", "friend"),
            ans("what", "text", INJECTIONS[0]),
            ans("their_feelings", "feelings", INJECTIONS[1:]),
            ans("note", "text", "hello " + MD_INJECTION),
            ans("reply", "reply", MD_INJECTION),
        ],
    )
    put_entry(w, "csv_md_injection", inject)
    put_entry(w, "duplicate_id", checkin(G_DUP, at(16), "hello dup one"))
    dup2 = write(month / file_name(G_DUP, at(16, 11)), checkin(G_DUP, at(16, 11), "hello dup two"))
    w.quiet["duplicate_id_second_copy"] = dup2
    m000 = put_entry(w, "mode_000_entry", checkin(G_MODE000, at(15), "hello unreadable"))
    # a world-writable year and month (doctor names them; only doctor --fix tightens)
    put_entry(w, "world_writable_folders", checkin(G_WORLDW, at(6, month=6, year=2025), "hello ww"))
    ww_year = w.data / "entries" / "2025"
    # the current month at 0500: saves land here, and must leave it 0500
    now = datetime.now(UTC).replace(microsecond=0)
    p500 = put_entry(w, "month_0500", checkin(G_MONTH500, now, "hello tight"))

    # bad: item 15's shapes and the README's list
    for i, (case, raw) in enumerate(shapes(good_json).items(), start=1):
        bid = f"b0000000000000{i:02x}"
        w.bad[f"shape_{case}"] = write(month / file_name(bid, at(1 + i % 9, 1 + i % 20)), raw)
    newer = dict(good_json, schema_version=SCHEMA_VERSION + 1, id="c000000000000002")
    readme: dict[str, bytes] = {
        "truncated": good_bytes[: len(good_bytes) // 2],
        "invalid_json": b'{"schema_version": 1, "id": ',
        "invalid_utf8": b'{"schema_version": 1, "note": "caf\xe9 \xff\xfe"}',
        "newer_schema": json.dumps(newer).encode(),
        "array": json.dumps([good_json]).encode(),
    }
    for i, (case, raw) in enumerate(readme.items(), start=1):
        w.bad[case] = write(month / f"20261102T0{i}0000Z-c00000000000000{i}.json", raw)
    # Readers check an entry's shape (types), not its values: an id that is no id, or
    # a practice no one knows, is read and shown (made visible), not skipped.
    lenient = {
        "evil_id_practice_refers_to": dict(
            good_json, id=EVIL + CR, practice=EVIL + CR, refers_to=EVIL + CR
        ),
        "id_with_newline": dict(good_json, id=G_CHECKIN + "\n"),
    }
    for i, (case, record) in enumerate(lenient.items(), start=1):
        w.quiet[case] = write(month / f"20261102T1{i}0000Z-c00000000000002{i}.json", record)
    folder = month / "20261103T000000Z-c000000000000010.json"
    folder.mkdir(mode=0o700)
    write(folder / "inside.json", good_bytes)
    w.bad["entry_named_folder"] = folder
    huge = write(month / "20261103T010000Z-c000000000000011.json", b"")
    with huge.open("r+b") as fh:
        fh.truncate(HUGE_BYTES)  # sparse
    w.bad["huge"] = huge
    good_file = month / file_name(G_CHECKIN, at(20))
    w.bad["syncthing_copy"] = write(
        month / f"{good_file.stem}.sync-conflict-20261126-101010-ABCDEFG.json", good_bytes
    )
    w.bad["dropbox_copy"] = write(
        month / f"{good_file.stem} (conflicted copy 2026-11-26).json", good_bytes
    )
    # item 14: names that are not UTF-8; item 20: names with line breaks
    for i, raw_name in enumerate([b"2026\xff.json", b"20261121T150000Z-\xff\x0a01.json"]):
        p = Path(os.fsdecode(os.fsencode(month) + b"/" + raw_name))
        w.bad[f"name_not_utf8_{i}"] = write(p, b"{}")
    for label, name in [
        ("newline", "bad\nname.json"),
        ("tab", "tab\there.json"),
        ("cr", "cr\rhere.json"),
        ("u2028", "sep\u2028here.json"),
    ]:
        w.bad[f"name_with_{label}"] = write(month / name, b"{}")
    # item 9: links of every kind inside the data folder
    victim = write(
        w.outside / "victim.json", checkin("d000000000000001", at(5), OUTSIDE_WORDS), 0o644
    )
    link = month / "20261104T000000Z-d000000000000001.json"
    link.symlink_to(victim)
    w.bad["link_entry_outside"] = link
    dangling = month / "20261104T010000Z-d000000000000002.json"
    dangling.symlink_to(w.outside / "nothing-here.json")
    w.bad["link_entry_dangling"] = dangling
    os.mkfifo(w.outside / "fifo", 0o600)
    fifo_link = month / "20261104T020000Z-d000000000000003.json"
    fifo_link.symlink_to(w.outside / "fifo")
    w.bad["link_entry_to_fifo"] = fifo_link
    dir_link = month / "20261104T030000Z-d000000000000004.json"
    dir_link.symlink_to(w.outside / "sentinel")
    w.bad["link_entry_to_folder"] = dir_link
    year = w.outside / "year"
    write(
        year / "03" / file_name("d000000000000005", at(5, month=3, year=2024)),
        checkin("d000000000000005", at(5, month=3, year=2024), OUTSIDE_WORDS),
    )
    write(year / "03" / ".attune-tmp-999999-y", b'{"half')
    (w.data / "entries" / "2024").symlink_to(year)
    w.bad["link_year"] = w.data / "entries" / "2024"
    mon = w.outside / "month"
    write(
        mon / file_name("d000000000000006", at(5, month=9)),
        checkin("d000000000000006", at(5, month=9), OUTSIDE_WORDS),
    )
    write(mon / ".attune-tmp-999999-z", b'{"half')
    (w.data / "entries" / "2026" / "09").symlink_to(mon)
    w.bad["link_month"] = w.data / "entries" / "2026" / "09"
    # a stray temp file: readers pass it by, doctor names it, the next save sweeps it
    w.quiet["stray_temp"] = write(
        month / ".attune-tmp-999999-x", b'{"schema_version": 1, "id": "half'
    )

    # the permissions last, so nothing above is refused
    m000.chmod(0)
    w.modes["mode_000_entry"] = (m000, 0)
    ww_year.chmod(0o777)
    (ww_year / "06").chmod(0o777)
    w.modes["world_writable_folders"] = (ww_year, 0o777)
    p500.parent.chmod(0o500)
    w.modes["month_0500"] = (p500.parent, 0o500)
    del path
    return w


def plant_links(kind: str, root: Path) -> World:
    """Item 9 in the cache and state folders: a dangling index link, a linked remind.lock."""
    w = base(kind, root)
    if kind == "link_index":
        (w.cache / "index.sqlite3").symlink_to(w.outside / "index-target.sqlite3")
        w.quiet["link_index_dangling"] = w.cache / "index.sqlite3"
    else:
        (w.state / "remind.lock").symlink_to(w.outside / "lock-target")
        w.quiet["link_remind_lock"] = w.state / "remind.lock"
    return w


def plant_config(kind: str, root: Path) -> World:
    """Items 18 and 19: config.toml a FIFO, nested too deep, holding U+007F."""
    w = base(kind, root)
    cfg = w.config / "config.toml"
    if kind == "config_fifo":
        os.mkfifo(cfg, 0o600)
    elif kind == "config_deep":
        write(cfg, "a = " + "[" * 5000 + "]" * 5000 + "\n")
    else:
        write(cfg, '# mine\nweird = "a\\u007fb"\n"k\\u007f" = 1\n')
    w.quiet[kind] = cfg
    return w


def plant_linked_data(root: Path) -> World:
    """The data folder itself may be a link (sync setups): everything still works."""
    w = base("linked_data", root)
    real = root / "real-data"
    w.data.rename(real)
    w.data.symlink_to(real)
    w.quiet["data_folder_is_a_link"] = w.data
    return w


def fingerprint_in(env: dict[str, str]) -> str:
    code = (
        "from attunecli.paths import fingerprint; import sys; sys.stdout.write(repr(fingerprint()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return str(ast.literal_eval(done.stdout))


def plant_locations(kind: str, root: Path, other_uid: int) -> World:
    """Item 8: a `locations` file in the default cache folder, planted by someone else."""
    w = base(kind, root)
    w.env_drop = ("ATTUNE_DATA_DIR", "ATTUNE_CACHE_DIR")
    xdg_data = w.home / "xdg-data" / "attune"
    xdg_data.parent.mkdir(parents=True)
    w.data.rename(xdg_data)
    w.data.symlink_to(xdg_data)  # `w.data` still reaches the user's own entries
    theirs = root / "theirs"
    write(
        theirs / "entries" / "2026" / "11" / file_name("e000000000000001", at(23)),
        checkin("e000000000000001", at(23), PLANTED_WORDS),
        0o644,
    )
    cache = w.home / "xdg-cache" / "attune"
    cache.mkdir(parents=True)
    planted = cache / "locations"
    text = f"{fingerprint_in(w.env())}\n{theirs / 'entries'}\n{w.home}\n"
    write(planted, text, 0o666 if kind == "locations_writable" else 0o644)
    if kind == "locations_foreign":
        os.chown(planted, other_uid, other_uid)
        cache.chmod(0o755)
        os.chown(cache, other_uid, other_uid)
    w.quiet[kind] = planted
    return w


# ---------------------------------------------------------------------------------------
# Commands


@dataclass(frozen=True)
class Cmd:
    name: str
    args: tuple[str, ...]
    codes: frozenset[int]
    names: str = "none"  # stderr | doctor | show | silent | none: how it names bad files
    lists: str = "none"  # ids | json_ids | repairs | none: how good entries are seen
    fresh: bool = False  # writes: runs on a world of its own
    stdin: str = ""
    json_out: bool = False
    main_only: bool = False  # addresses an entry only the main world holds


def C(name: str, *args: str, codes: tuple[int, ...] = (0,), **kw: Any) -> Cmd:
    return Cmd(name, args, frozenset(codes), **kw)


ANSWERS = json.dumps({"feeling": "calm", "intensity": 3, "note": "new words"})
COMMANDS: list[Cmd] = [
    C("history", "history", "--last", "1000", names="stderr", lists="ids"),
    C(
        "history --json",
        "history",
        "--last",
        "1000",
        "--json",
        names="stderr",
        lists="json_ids",
        json_out=True,
    ),
    C("show", "show", G_CHECKIN, names="show", lists="show"),
    C("show --json", "show", G_CHECKIN, "--json", names="show", json_out=True),
    C("show evil", "show", G_EVIL, names="show", main_only=True),
    C("show dup", "show", G_DUP, names="show", main_only=True),
    C("search", "search", "hello", "--all", names="stderr", lists="ids"),
    C(
        "search --json",
        "search",
        "hello",
        "--all",
        "--json",
        names="stderr",
        lists="json_ids",
        json_out=True,
    ),
    C("insights", "insights", "--all", names="stderr"),
    C("insights --json", "insights", "--all", "--json", names="stderr", json_out=True),
    C("repairs", "repairs", names="stderr", lists="repairs"),
    C("repairs --json", "repairs", "--json", names="stderr", lists="repairs", json_out=True),
    C("feelings", "feelings"),
    C("feelings --json", "feelings", "--json", json_out=True),
    C("path", "path"),
    C("export json", "export", "--format", "json", names="stderr", lists="ids", json_out=True),
    C("export jsonl", "export", "--format", "jsonl", names="stderr", lists="ids", json_out=True),
    C("export csv", "export", "--format", "csv", names="stderr", lists="ids"),
    C("export md", "export", "--format", "md", names="stderr"),
    C("export -o", "export", "--format", "md", "-o", "{out}", names="stderr", fresh=True),
    C("report", "report", "--all", "-o", "-", names="stderr"),
    C("doctor", "doctor", codes=(0, 1), names="doctor"),
    C("doctor --json", "doctor", "--json", codes=(0, 1), names="doctor", json_out=True),
    C("doctor --fix", "doctor", "--fix", "--yes", codes=(0, 1), names="doctor", fresh=True),
    # remind sweeps a stray temp file (as README says): on a world of its own
    C("remind", "remind", names="silent", fresh=True),
    C("remind --json", "remind", "--json", names="silent", json_out=True, fresh=True),
    C("forget --before", "forget", "--before", "2001-01-01", "--yes", names="stderr"),
    C("forget --id", "forget", "--id", G_CHECKIN, "--yes", fresh=True),
    C("forget dup", "forget", "--id", G_DUP, "--yes", fresh=True, main_only=True),
    C("forget --all", "forget", "--all", "--yes", fresh=True),
    C("config show", "config", "show"),
    C("config show --json", "config", "show", "--json", json_out=True),
    C("config set", "config", "set", "day-start", "05:00", fresh=True),
    C("config unset", "config", "unset", "day-start", fresh=True),
    C(
        "checkin --quick --answers",
        "checkin",
        "--quick",
        "--answers",
        "-",
        stdin=ANSWERS,
        fresh=True,
    ),
    C("checkin --answers", "checkin", "--answers", "-", "--no-guide", stdin=ANSWERS, fresh=True),
    C("slow-down", "slow-down", "--answers", "-", "--body", "chest", stdin=ANSWERS, fresh=True),
    C(
        "reflect",
        "reflect",
        "--context",
        "partner",
        "--what",
        "said I never listen",
        "--their-feeling",
        "hurt",
        "--reply",
        "you should calm down",
        fresh=True,
    ),
    C(
        "curious",
        "curious",
        "--about",
        "the dishes",
        "--story",
        "they think I am lazy",
        "--softer",
        "hurt",
        "--agree",
        "it piled up",
        "--question",
        "what happened?",
        fresh=True,
    ),
    C(
        "regulate",
        "regulate",
        "--before",
        "7",
        "--exercise",
        "cyclic-sighing",
        "--after",
        "4",
        "--no-guide",
        fresh=True,
    ),
    C(
        "repair",
        "repair",
        "--context",
        "friend",
        "--what",
        "forgot the call",
        "--their-feeling",
        "hurt",
        "--my-part",
        "no note",
        "--follow-up",
        "tomorrow",
        fresh=True,
    ),
    C(
        "repair --received",
        "repair",
        "--received",
        "--side",
        "ask",
        "--context",
        "friend",
        "--what",
        "cancelled on me",
        "--my-feeling",
        "hurt",
        "--need",
        "time",
        fresh=True,
    ),
    C("repair done", "repair", "done", G_REPAIR, fresh=True),
    C("check-reply", "check-reply", "you should just calm down"),
    C("support", "support"),
    C("safety-plan --show", "safety-plan", "--show"),
    C(
        "safety-plan --answers",
        "safety-plan",
        "--answers",
        "-",
        stdin=json.dumps({"warning_signs": ["hello"]}),
        fresh=True,
    ),
    C("help", "help", "repair"),
    C("schedule status", "schedule", "status"),
    C(
        "schedule install --dry-run",
        "schedule",
        "install",
        "--at",
        "20:30",
        "--via",
        "cron",
        "--dry-run",
    ),
    C("import jsonl", "import", "{jsonl}", fresh=True),
    C("import data folder", "import", "{data}", codes=(1,), fresh=True),
    C("import data folder --skip-invalid", "import", "{data}", "--skip-invalid", fresh=True),
]
# Practices of one's own (new): listed, started, checked; none of them reads entries.
COMMANDS += [
    C("practices", "practices"),
    C("practices new", "practices", "new", "evening-card", fresh=True),
    C("practices check", "practices", "check", "{jsonl}", codes=(1, 2)),
    C("practices add", "practices", "add", "{jsonl}", codes=(1, 2), fresh=True),
    C("run", "run", "no-such-practice", "--no-input", codes=(1, 2)),
]
BY_NAME = {c.name: c for c in COMMANDS}
# Commands of the app that the matrix does not run, and why a reviewer would accept it.
NOT_RUN = {
    "schedule remove": "edits the real crontab or systemd units of the user running the test; "
    "test_schedule.py runs it against a throwaway user's crontab",
    "schedule install": "run here with --dry-run only, for the same reason",
}


def app_commands() -> set[str]:
    import typer.main

    from attunecli.cli import app

    out: set[str] = set()

    def walk(cmd: Any, prefix: str) -> None:
        subs = getattr(cmd, "commands", None)
        if prefix:
            out.add(prefix)
        for name, sub in (subs or {}).items():
            walk(sub, f"{prefix} {name}".strip())

    walk(typer.main.get_command(app), "")
    return out


def covered() -> set[str]:
    got = set()
    for c in COMMANDS:
        words = [a for a in c.args if not a.startswith("-")]
        for n in range(1, len(words) + 1):
            got.add(" ".join(words[:n]))
    return got


def test_the_matrix_runs_every_command_of_the_app() -> None:
    missing = {c for c in app_commands() if c not in covered() and c not in NOT_RUN}
    assert not missing, f"commands the adversarial matrix does not run: {sorted(missing)}"


# ---------------------------------------------------------------------------------------
# Running


@dataclass
class Ran:
    cmd: Cmd
    world: World
    code: int
    out: str
    err: str
    outside_diff: list[str]
    home_diff: list[str]
    data_diff: list[str]
    after: Path  # the world's root as it was left


def fp(path: Path) -> tuple[Any, ...]:
    st = path.lstat()
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return ("dir", mode, st.st_uid)
    if stat.S_ISREG(st.st_mode):
        if st.st_size > 1024 * 1024:
            return ("file", mode, st.st_uid, st.st_size, st.st_mtime_ns)
        try:
            digest = path.read_bytes()
        except PermissionError:
            digest = b"?"
        return ("file", mode, st.st_uid, st.st_size, digest)
    return ("other", stat.S_IFMT(st.st_mode), mode)


def snap(root: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple[Any, ...]]:
    """Kind, mode, owner and content of everything under `root`, links not followed."""
    if not os.path.lexists(root):
        return {}
    out = {".": fp(root)}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            rel = os.fsencode(p.relative_to(root)).decode("utf-8", "backslashreplace")
            if not rel.startswith(skip):
                out[rel] = fp(p)
    return out


def diff(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


DROP_BOOT = r"""
import ast, os, pathlib, sys
uid, gid, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
# The interpreter may live where the user cannot go (root's home, 0700): import
# everything attune may import, lazily too, while still root; then drop to the user.
import attunecli
names = set()
for path in pathlib.Path(attunecli.__file__).parent.rglob("*.py"):
    top = pathlib.Path(attunecli.__file__).parent
    mod = "attunecli." + ".".join(path.relative_to(top).with_suffix("").parts)
    names.add(mod.removesuffix(".__init__"))
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(node.module + "." + a.name for a in node.names)
import importlib
names.discard("attunecli.__main__")  # importing it runs attune
names.update(("_strptime", "encodings.idna", "encodings.latin_1", "encodings.ascii"))
for name in sorted(names):
    try:
        importlib.import_module(name)
    except Exception:  # a module of another platform (winreg, msvcrt)
        pass
os.setgroups([])
os.setresgid(gid, gid, gid)
os.setresuid(uid, uid, uid)
assert os.geteuid() == uid and os.getegid() == gid
sys.argv = ["attune", *argv]
from attunecli.entry import main
raise SystemExit(main())
"""


def run(cmd: Cmd, w: World, user: tuple[int, int] | None) -> Ran:
    args = [
        a.format(
            out=w.outside / "exports" / "attune-export.md", jsonl=w.root / "good.jsonl", data=w.data
        )
        for a in cmd.args
    ]
    env = w.env()
    outside0 = snap(w.outside)
    home0 = snap(w.home, skip=("xdg-",))
    data0 = snap(w.data)
    if user is None:
        argv = [sys.executable, "-m", "attunecli", *args]
    else:
        argv = [sys.executable, "-c", DROP_BOOT, str(user[0]), str(user[1]), *args]
    try:
        done = subprocess.run(
            argv,
            input=cmd.stdin.encode(),
            capture_output=True,
            env=env,
            timeout=TIMEOUT,
            cwd=w.home,
        )
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:  # blocked: recorded once, failed per case
        code, out, err = -9, exc.stdout or b"", (exc.stderr or b"") + b"\n[blocked: killed]"
    return Ran(
        cmd,
        w,
        code,
        out.decode("utf-8", "backslashreplace"),
        err.decode("utf-8", "backslashreplace"),
        diff(outside0, snap(w.outside)),
        diff(home0, snap(w.home, skip=("xdg-",))),
        diff(data0, snap(w.data)),
        w.root,
    )


# ---------------------------------------------------------------------------------------
# An unprivileged user of our own


@dataclass(frozen=True)
class User:
    uid: int
    gid: int
    how: str


def make_user() -> Iterator[User | None]:
    if not AS_ROOT:
        yield None
        return
    name = f"attadv{os.getpid() % 100000}"
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    made = False
    if os.path.exists(useradd):
        done = subprocess.run(
            [
                useradd,
                "--system",
                "--no-create-home",
                "--user-group",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ],
            capture_output=True,
            timeout=TIMEOUT,
        )
        made = done.returncode == 0
    try:
        if made:
            pw = pwd.getpwnam(name)
            yield User(pw.pw_uid, pw.pw_gid, f"useradd {name}")
        else:
            taken = {p.pw_uid for p in pwd.getpwall()}
            uid = next(u for u in range(64000, 65000) if u not in taken)
            yield User(uid, uid, f"setuid to unused uid {uid}")
    finally:
        if made:
            subprocess.run(
                [shutil.which("userdel") or "/usr/sbin/userdel", name],
                capture_output=True,
                timeout=TIMEOUT,
            )


@pytest.fixture(scope="module")
def user() -> Iterator[User | None]:
    yield from make_user()


# ---------------------------------------------------------------------------------------
# The worlds, each command run once over each


ROOT_KINDS = [
    "main",
    "link_index",
    "link_lock",
    "config_fifo",
    "config_deep",
    "config_del",
    "linked_data",
    "locations_writable",
    "locations_foreign",
]
USER_KINDS = ["main", "locations_writable", "locations_foreign"]  # the cases about permissions


def plant(kind: str, root: Path, other: int) -> World:
    if kind == "main":
        w = plant_main(root)
    elif kind.startswith("link_"):
        w = plant_links(kind, root)
    elif kind.startswith("config_"):
        w = plant_config(kind, root)
    elif kind == "linked_data":
        w = plant_linked_data(root)
    else:
        w = plant_locations(kind, root, other)
    # sources for the import commands: a clean jsonl, and this data folder to read
    lines = [
        json.dumps(checkin(f"f00000000000000{i}", at(10 + i), "hello imported")) for i in range(3)
    ]
    write(w.root / "good.jsonl", "\n".join(lines) + "\n")
    return w


def own(w: World, user: User) -> None:
    """Hand the world to the user (the planted foreign parts stay root's)."""
    foreign = {w.quiet[w.kind], w.quiet[w.kind].parent} if w.kind == "locations_foreign" else set()
    for dirpath, dirnames, filenames in os.walk(w.root):
        for p in [Path(dirpath), *(Path(dirpath) / n for n in [*dirnames, *filenames])]:
            if p not in foreign:
                os.chown(p, user.uid, user.gid, follow_symlinks=False)
    w.root.chmod(0o755)
    w.owner = (user.uid, user.gid)


class Matrix:
    def __init__(self, base_dir: Path, user: User | None) -> None:
        self.base = base_dir
        self.user = user
        self.worlds: dict[tuple[str, str], World] = {}
        self.results: dict[tuple[str, str, str], Ran] = {}
        self.n = 0

    def world(self, kind: str, as_user: bool) -> World | None:
        key = (kind, "user" if as_user else "root")
        if key not in self.worlds:
            if kind == "locations_foreign" and not AS_ROOT:
                return None
            w = self.fresh(kind, as_user)
            self.worlds[key] = w
        return self.worlds[key]

    def fresh(self, kind: str, as_user: bool) -> World:
        self.n += 1
        root = self.base / f"{kind}-{'user' if as_user else 'root'}-{self.n}"
        root.mkdir()
        # the planted cache belongs to someone else: our user when root runs, root when it does
        other = 0 if as_user else (self.user.uid if self.user else 65534)
        w = plant(kind, root, other)
        if as_user:
            assert self.user is not None
            own(w, self.user)
        return w

    def ran(self, kind: str, who: str, name: str) -> Ran:
        """The run of command `name` over the world `kind`; the first ask runs them all.

        Commands that write get a world each; the others share one and change nothing
        in it, so they run side by side (each one's before/after snapshots still see
        only what it did, since the rest change nothing outside the cache)."""
        key = (kind, who, name)
        if key not in self.results:
            as_user = who == "user"
            shared = self.world(kind, as_user)
            assert shared is not None
            uid = (self.user.uid, self.user.gid) if as_user and self.user else None
            cmds = [c for c in COMMANDS if kind == "main" or not c.main_only]
            if as_user:
                cmds = [c for c in cmds if c.name in USER_COMMANDS]
            jobs = [(c, self.fresh(kind, as_user) if c.fresh else shared) for c in cmds]
            # the first reader builds the index alone, as a user's first command does
            first = next(i for i, (c, _) in enumerate(jobs) if not c.fresh)
            done = {first: run(jobs[first][0], jobs[first][1], uid)}
            with ThreadPoolExecutor(max_workers=4) as pool:
                futures = {
                    i: pool.submit(run, c, w, uid) for i, (c, w) in enumerate(jobs) if i != first
                }
                done.update({i: f.result() for i, f in futures.items()})
            for i, (c, _) in enumerate(jobs):
                self.results[(kind, who, c.name)] = done[i]
        return self.results[key]


@pytest.fixture(scope="module")
def matrix(user: User | None) -> Iterator[Matrix]:
    base_dir = Path(tempfile.mkdtemp(prefix="attune-adversarial-"))
    base_dir.chmod(0o755)  # the unprivileged user must reach its worlds
    try:
        yield Matrix(base_dir, user)
    finally:
        for dirpath, dirnames, _ in os.walk(base_dir):
            for d in dirnames:
                p = Path(dirpath) / d
                if not p.is_symlink():
                    p.chmod(0o700)
        shutil.rmtree(base_dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# The checks


def cases_of(kind: str) -> list[str]:
    """The case names planted in a world of `kind` (planted once, in a scratch folder)."""
    with tempfile.TemporaryDirectory() as scratch:
        w = plant(kind, Path(scratch) / "w", 65534) if kind != "locations_foreign" else None
        if w is None:
            return ["locations_foreign", "good_checkin", "good_repair", "good_regulate"]
        names = [*w.good, *w.bad, *w.quiet]
        for dirpath, dirnames, _ in os.walk(scratch):
            for d in dirnames:
                p = Path(dirpath) / d
                if not p.is_symlink():
                    p.chmod(0o700)
    return sorted(dict.fromkeys(names))


MAIN_CASES = cases_of("main")
OTHER_CASES = {k: cases_of(k) for k in ROOT_KINDS if k != "main"}


def check(m: Matrix, kind: str, who: str, case: str, name: str) -> None:
    r = m.ran(kind, who, name)
    w = r.world
    cmd = r.cmd
    both = r.out + r.err
    where = f"{kind}/{who}: {case} under `attune {' '.join(cmd.args)}`"
    as_user = who == "user"
    unreadable = as_user and case == "mode_000_entry"
    config_broken = kind in ("config_fifo", "config_deep")

    # the exit code, as the README documents it
    codes = set(cmd.codes)
    if kind == "main" and name in ("doctor", "doctor --json"):
        codes = {1}  # something needs attention
    if name == "import data folder" and kind != "main":
        codes = {0}  # only good entries to import (all already there)
    if config_broken:
        codes |= {1}  # an error attune could not get past, on one line
    lock_refused = kind == "link_lock" and name.startswith("remind")
    if lock_refused:
        codes = {1}  # a nudge is due, and the linked lock is refused, not followed
    if as_user and kind == "main" and name in SAVES:
        codes = {1}  # the current month is 0500: the save is refused, answers printed
    if as_user and kind == "main" and name == "forget --all":
        codes = {1}  # nor can a file in the 0500 month be deleted: said, with the path
    assert r.code in codes, (where, r.code, r.err[-2000:])
    assert "Traceback" not in both, (where, both[-3000:])
    assert "unexpected error" not in r.err, (where, r.err[-2000:])
    # doctor names its findings on stdout; `practices check` lists each problem found
    if r.code != 0 and cmd.names != "doctor" and name != "practices check":
        lines = r.err.splitlines()
        assert lines and all(x.startswith("attune: ") for x in lines), (where, r.err[-2000:])
        if not name.startswith("import"):  # import lists each invalid record first
            errors = [x for x in lines if not x.startswith("attune: warning: ")]
            assert len(errors) == 1, (where, r.err[-2000:])
    if lock_refused:
        assert "remind.lock" in r.err, (where, r.err)
    if config_broken and r.code == 1 and name != "practices check":  # it reads no settings
        assert shown(w.config / "config.toml") in both, (where, both)
        return  # nothing else is read when the settings cannot be

    # no raw control character from planted text
    raw = (RAW_C0 if cmd.json_out else RAW).search(r.out)
    assert raw is None, (where, "stdout", r.out[max(0, raw.start() - 80) : raw.end() + 80])
    raw = RAW.search(r.err)
    assert raw is None, (where, "stderr", r.err[max(0, raw.start() - 80) : raw.end() + 80])
    assert OUTSIDE_WORDS not in both, (where, "read through a link")
    assert PLANTED_WORDS not in both, (where, "trusted a planted locations file")

    # nothing outside attune's folders written, re-moded or created; link targets untouched
    allowed_out = {"exports/attune-export.md"} if cmd.name == "export -o" else set()
    assert set(r.outside_diff) <= allowed_out, (where, r.outside_diff)
    assert r.home_diff == [], (where, r.home_diff)
    if cmd.name == "export -o" and r.code == 0:
        out = w.outside / "exports" / "attune-export.md"
        assert stat.S_IMODE(out.lstat().st_mode) == 0o600, where
        assert stat.S_IMODE((w.outside / "exports").lstat().st_mode) == 0o1777, where
    if not cmd.fresh and cmd.name not in ("remind", "remind --json"):
        # reading changes nothing in the data folder (remind may sweep a stray temp file)
        assert r.data_diff == [], (where, r.data_diff)
    for mcase, (folder, mode) in w.modes.items():
        if mcase == "world_writable_folders" and name == "doctor --fix":
            continue  # inside the data folder, doctor --fix may take bits away
        if name.startswith("forget") and not os.path.lexists(folder):
            continue  # forgotten
        now = stat.S_IMODE(folder.lstat().st_mode)
        assert now == mode, (where, mcase, f"{now:o}")
    if kind.startswith("locations_"):
        assert not (w.home / "index.sqlite3").exists(), where
        if kind == "locations_foreign":
            assert sorted(os.listdir(w.quiet[kind].parent)) == ["locations"], where

    # the case itself
    if case in w.bad or unreadable:
        path = w.bad[case] if case in w.bad else w.modes[case][0]
        named = shown(path)
        if cmd.names == "stderr":
            lines = [x for x in r.err.splitlines() if named in x]
            assert len(lines) == 1, (where, named, r.err[-3000:])
            assert named not in r.out, (where, "named on stdout")
            assert lines[0].startswith("attune: warning: "), (where, lines[0])
        elif cmd.names == "doctor" and cmd.json_out:
            found = {f["path"] for f in json.loads(r.out)["findings"]}
            assert json_text(path) in found, (where, json_text(path), sorted(found))
        elif cmd.names == "doctor":
            assert named in both, (where, named, both[-3000:])
        elif cmd.names == "show":
            assert r.err.count(named) <= 1, (where, r.err)
        elif cmd.names == "silent":
            assert named not in both, (where, r.err)
    elif case in w.good:
        gid = w.good[case]
        if cmd.lists == "ids" or (cmd.lists == "repairs" and case == "good_repair"):
            assert gid[:8] in r.out, (where, gid, r.out[-2000:])
        elif cmd.lists == "json_ids":
            ids = {e["id"] for e in json.loads(r.out)} if r.out.strip() else set()
            assert gid in ids, (where, gid, sorted(ids))
        elif cmd.lists == "show" and case == "good_checkin":
            assert "hello marker one" in r.out, (where, r.out)
    if case == "escapes_in_every_field" and name == "show evil":
        assert "\\x1b[31mX" in r.out, (where, r.out)  # shown, made visible
    if case == "csv_md_injection":
        if name == "export csv":
            rows = list(csv.reader(io.StringIO(r.out)))
            cells = [c for row in rows[1:] for c in row]
            live = [c for c in cells if c.startswith(tuple("=+-@")) and not c[1:].isdigit()]
            assert live == [], (where, live)
            [mine] = [row for row in rows if row[0] == G_INJECT]
            assert f"'{INJECTIONS[0]}" in mine, (where, mine)  # shown, not run
        if name == "export md":
            assert "<script>" not in r.out, where
            assert "\n# heading" not in r.out, where
            assert re.search(r"(?<!\\)\]\(http", r.out) is None, where  # no live link
    if case == "duplicate_id" and name == "show dup":
        assert "hello dup one" in r.out and "hello dup two" in r.out, (where, r.out, r.err)
    if case == "duplicate_id" and name == "forget dup":
        left = list((w.data / "entries").rglob(f"*{G_DUP}*"))
        assert left == [], (where, left)
    if as_user and kind == "main" and name in SAVES:
        assert r.err.startswith("attune: could not save to "), (where, r.err)
        assert json.loads(r.out)["answers"], (where, "answers not printed")
    if as_user and kind == "main" and name == "forget --all":
        assert "could not delete" in r.err and shown(w.modes["month_0500"][0]) in r.err, where
        assert list(w.modes["month_0500"][0].iterdir()), (where, "the 0500 month emptied")
    elif name == "forget --all" and case in w.good and not unreadable:
        left = [
            p
            for p in (w.data / "entries").rglob(f"*{w.good[case]}*")
            if NAME_RE.fullmatch(p.name) and not p.is_symlink()
        ]
        assert left == [], (where, left)
    if name == "config set" and kind == "config_del":
        cfg = tomllib.loads((w.config / "config.toml").read_text(encoding="utf-8"))
        assert cfg["weird"] == "a\x7fb" and cfg["k\x7f"] == 1, (where, cfg)
        assert cfg["day-start"] == "05:00", (where, cfg)


SAVES = {
    "checkin --quick --answers",
    "checkin --answers",
    "slow-down",
    "reflect",
    "curious",
    "regulate",
    "repair",
    "repair --received",
    "repair done",
}


def _params() -> list[Any]:
    out = []
    for c in COMMANDS:
        for case in MAIN_CASES:
            out.append(pytest.param("main", "root", case, c.name, id=f"root-main-{case}-{c.name}"))
        for kind, cases in OTHER_CASES.items():
            if c.main_only:
                continue
            for case in cases:
                if case.startswith("good_") and case != "good_checkin":
                    continue  # the shared good entries are checked in the main world
                out.append(
                    pytest.param(kind, "root", case, c.name, id=f"root-{kind}-{case}-{c.name}")
                )
    return out


PERMISSION_CASES = ["mode_000_entry", "month_0500", "world_writable_folders", "good_checkin"]


# As the other user: every command that reads entries, the cache or the settings, one
# save, and the commands that delete or mend (the rest never look at a file's owner).
USER_COMMANDS = [
    "history",
    "history --json",
    "show",
    "search",
    "search --json",
    "insights",
    "repairs",
    "export json",
    "export csv",
    "export md",
    "export -o",
    "report",
    "doctor",
    "doctor --json",
    "doctor --fix",
    "remind",
    "remind --json",
    "forget --before",
    "forget --id",
    "forget --all",
    "config show",
    "path",
    "checkin --quick --answers",
    "import jsonl",
    "import data folder --skip-invalid",
]


def _user_params() -> list[Any]:
    out = []
    for c in (BY_NAME[n] for n in USER_COMMANDS):
        for case in PERMISSION_CASES:
            out.append(pytest.param("main", "user", case, c.name, id=f"user-main-{case}-{c.name}"))
        for kind in ("locations_writable", "locations_foreign"):
            out.append(pytest.param(kind, "user", kind, c.name, id=f"user-{kind}-{c.name}"))
    return out


@pytest.mark.parametrize(("kind", "who", "case", "name"), _params())
def test_as_root(matrix: Matrix, kind: str, who: str, case: str, name: str) -> None:
    if kind == "locations_foreign" and not AS_ROOT:
        pytest.skip("planting a cache folder another user owns needs chown, so root")
    check(matrix, kind, who, case, name)


@pytest.mark.parametrize(("kind", "who", "case", "name"), _user_params())
def test_as_an_unprivileged_user(matrix: Matrix, kind: str, who: str, case: str, name: str) -> None:
    if matrix.user is None:
        pytest.skip(
            "running as another user needs root (to create the user, or to setuid to one); "
            "this run is not root, so it already is the unprivileged user for the root tests"
        )
    check(matrix, kind, who, case, name)


def test_the_unprivileged_run_really_is_another_user(matrix: Matrix) -> None:
    if matrix.user is None:
        pytest.skip("not root: no other user to become")
    w = matrix.world("main", True)
    assert w is not None
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            DROP_BOOT.replace(
                "from attunecli.entry import main\nraise SystemExit(main())",
                "print(os.geteuid(), os.getegid())",
            ),
            str(matrix.user.uid),
            str(matrix.user.gid),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=w.env(),
    )
    assert done.stdout.split() == [str(matrix.user.uid), str(matrix.user.gid)], done.stderr
    m000 = w.modes["mode_000_entry"][0]
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            DROP_BOOT.replace(
                "from attunecli.entry import main\nraise SystemExit(main())",
                f"open({str(m000)!r}).read()",
            ),
            str(matrix.user.uid),
            str(matrix.user.gid),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=w.env(),
    )
    assert "PermissionError" in probe.stderr, probe.stderr  # root would have read it
