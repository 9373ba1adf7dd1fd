"""Where attune keeps things.

One seam: every location comes from `resolve_paths`, which reads the
`ATTUNE_*_DIR` environment variables first and falls back to platformdirs.
Tests point these variables at a temporary folder, so no test touches a real
home directory.
"""

from __future__ import annotations

import os
import sys

from attunecli.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path  # imported where used: the quick paths load this module

APP_NAME = "attune"

ENV_DATA = "ATTUNE_DATA_DIR"
ENV_CONFIG = "ATTUNE_CONFIG_DIR"
ENV_STATE = "ATTUNE_STATE_DIR"
ENV_CACHE = "ATTUNE_CACHE_DIR"


class Paths(Record):
    """The four places attune keeps things (a plain class: the quick paths load this)."""

    __slots__ = ("cache", "config", "data", "state")

    def __init__(self, data: Path, config: Path, state: Path, cache: Path) -> None:
        self.data = data
        self.config = config
        self.state = state
        self.cache = cache

    @property
    def entries(self) -> Path:
        return self.data / "entries"

    @property
    def config_file(self) -> Path:
        return self.config / "config.toml"


def _from_env(name: str) -> Path | None:
    from pathlib import Path

    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


# The quick reading paths (quick.py) skip importing platformdirs, which costs
# about as much as answering `history` from the index. They may only use what
# platformdirs itself said: after it is consulted, the answer is kept in the
# cache folder with everything it depended on (the platform and the variables
# it reads); the quick path trusts the file only when all of that is the same.
LOCATIONS_FILE = "locations"
_DEPENDS_ON = ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", ENV_DATA, ENV_CACHE)


def untrusted(
    path: str | os.PathLike[str], st: os.stat_result | None = None, *, follow: bool = False
) -> str | None:
    """Why attune must not trust what is at `path` (None: it may): a link, or something
    another user owns or may change (writable by group or others).

    The one check for what the quick path and the Typer path read from the cache
    folder (the `locations` file, the index); `st` is an `os.fstat` of a file
    already opened with O_NOFOLLOW. Nothing is followed unless `follow` (for the
    four folders themselves, which may be links: sync setups need that).
    """
    if st is None:
        try:
            st = os.stat(path) if follow else os.lstat(path)
        except OSError as exc:
            return exc.strerror or str(exc)
    if (st.st_mode & 0o170000) == 0o120000:
        return "a symbolic link"
    owner = getattr(os, "geteuid", None)
    if owner is None:
        return None  # Windows: no POSIX owner or mode bits to go by
    if st.st_uid != owner():
        return f"owned by another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return f"writable by others (mode {st.st_mode & 0o7777:o})"
    return None


def _read_trusted(path: str) -> str | None:
    """The text of `path` if `untrusted` finds nothing wrong with it and its folder."""
    if untrusted(os.path.dirname(path), follow=True) is not None:
        return None
    try:
        # Never waits on a FIFO in the file's place, and reads only a regular file.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with open(fd, encoding="utf-8", closefd=False) as fh:
            st = os.fstat(fd)
            if untrusted(path, st) is not None or (st.st_mode & 0o170000) != 0o100000:
                return None
            return fh.read()
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def fingerprint() -> str:
    values = [sys.platform, *(f"{k}={os.environ.get(k, '')}" for k in _DEPENDS_ON)]
    return "\0".join(values)


def remembered() -> tuple[str, str] | None:
    """(entries folder, cache folder) as platformdirs last said, if nothing it reads changed."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.environ.get("HOME", ""), ".cache")
    if not os.path.isabs(base):
        return None  # HOME unset or relative: that would be a file in the current folder
    for name in (ENV_DATA, ENV_CACHE):
        value = os.environ.get(name, "").strip()
        if value and not os.path.isabs(os.path.expanduser(value)):
            return None  # relative to the current folder, which the file cannot vouch for
    # Another local user may have made this folder first, or planted the file.
    text = _read_trusted(os.path.join(base, APP_NAME, LOCATIONS_FILE))
    if text is None:
        return None
    lines = text.split("\n")
    if len(lines) != 4 or lines[0] != fingerprint():
        return None
    return lines[1], lines[2]


def remember(found: Paths) -> None:
    """Keep what platformdirs said for the quick paths (see `remembered`); best effort."""
    entries, cache = str(found.entries), str(found.cache)
    if "\n" in entries + cache or not os.path.isdir(cache):
        return  # no folder made just for this; the index makes it
    if untrusted(cache, follow=True) is not None:
        return  # not ours to write in (see `untrusted`); the quick path asks platformdirs
    text = f"{fingerprint()}\n{entries}\n{cache}\n"
    target = found.cache / LOCATIONS_FILE
    from attunecli.fsutil import read_regular, write_atomic

    try:
        if read_regular(target, follow=False) == text.encode("utf-8"):
            return
    except OSError:
        pass  # none yet, or not a file to trust: written afresh
    try:  # noqa: SIM105 (contextlib is not imported on the quick path)
        write_atomic(target, text.encode("utf-8"))
    except OSError:
        pass


def resolve_paths(data_dir: Path | None = None) -> Paths:
    """Locations in order of precedence: `--data-dir`, environment, platform default.

    platformdirs is imported only here, and only for a location not already given.
    """
    data = data_dir or _from_env(ENV_DATA)
    config = _from_env(ENV_CONFIG)
    state = _from_env(ENV_STATE)
    cache = _from_env(ENV_CACHE)
    if data is None or config is None or state is None or cache is None:
        from pathlib import Path

        import platformdirs

        data = data or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        config = config or Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
        # On macOS platformdirs maps data, config and state into one folder; our
        # file names (entries/, config.toml, state/...) never collide there.
        state = state or Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
        cache = cache or Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
        found = Paths(data.absolute(), config.absolute(), state.absolute(), cache.absolute())
        if data_dir is None:
            remember(found)
        return found
    return Paths(data.absolute(), config.absolute(), state.absolute(), cache.absolute())
