"""Owner-only, crash-safe file writing.

Every file attune writes goes through `atomic_writer` (or `write_atomic`, for
bytes in hand): a temp file in the same directory (created 0600 by mkstemp),
fsync, `os.replace`, then an fsync of the directory so the new name itself
survives a power cut. A reader therefore sees either the old file or the whole
new one, never half of it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from attunecli.errors import one_line

TEMP_PREFIX = ".attune-tmp-"
DIR_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> None:
    """Create `path` and its missing parents as 0700, whatever the umask.

    Existing folders that attune did not create are left as they are, except
    the last one, which holds private data: its group and other bits are
    removed (when this user owns it). Owner bits are never added, so a folder
    the user tightened (0500, say) stays as tight, and a write into it fails
    rather than loosening it.
    """
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir(mode=DIR_MODE)
        os.chmod(d, DIR_MODE)
    if missing:
        return
    tighten(path, DIR_MODE)


def tighten(path: Path, keep: int) -> int | None:
    """Remove from `path` every permission bit outside `keep`; never add one.

    Only a folder or file this user owns is changed. Returns the mode it has
    now, or None when there is nothing there to read.
    """
    try:
        st = path.stat()
    except OSError:
        return None
    if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
        return None
    mode = stat.S_IMODE(st.st_mode)
    tight = mode & keep
    owner = getattr(os, "geteuid", None)
    if tight != mode and (owner is None or st.st_uid == owner()):
        os.chmod(path, tight)
        return tight
    return mode


def shown(path: str | os.PathLike[str]) -> str:
    """`path` as text for one line of a message: control characters (line breaks,
    tabs, escape codes), line separators and undecodable bytes are shown as
    ``\\x0a``-style codes, so a file name can never split a warning or an error."""
    return one_line(os.fspath(path))


def json_text(text: str | os.PathLike[str]) -> str:
    """`text` (a path, say) as UTF-8 JSON can carry it: unchanged when it can be, and
    else with each byte that is not UTF-8 (a file name from another system) shown as
    ``\\xff``, so a `--json` listing of such a name never fails to print."""
    value = os.fspath(text)
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that no byte stands for
        raw = value.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


class NotRegular(OSError):
    """A FIFO, a device, a socket or a folder where a file was expected."""


class TooLarge(OSError):
    """A file larger than the caller will read."""


def read_regular(
    path: str | os.PathLike[str], *, limit: int | None = None, follow: bool = True
) -> bytes:
    """The bytes of `path`, opened only if it is a regular file.

    Settings and state are read by every command, so a FIFO or a device in a
    file's place must not block it or never end: the open does not wait
    (O_NONBLOCK, which a regular file's reads ignore) and nothing but a regular
    file is read. `follow=False` refuses a symbolic link as well. Raises
    FileNotFoundError when there is nothing there, NotRegular, TooLarge (over
    `limit` bytes) or another OSError, each with the file name.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file", os.fspath(path))
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                raise TooLarge(errno.EFBIG, f"larger than {limit} bytes", os.fspath(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


def make_dirs(path: Path) -> None:
    """Create `path` and its missing parents as 0700, whatever the umask, and change
    no folder that already exists: one attune did not create (a home folder,
    ~/Documents, a shared or sticky temp folder) keeps its mode."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # made by someone else meanwhile: not ours to change
        os.chmod(d, DIR_MODE)


def _fsync_dir(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _full_fsync(fd: int) -> None:
    if sys.platform == "darwin":
        import fcntl

        full = getattr(fcntl, "F_FULLFSYNC", None)
        if full is not None:
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, full)
                return
    os.fsync(fd)


@contextlib.contextmanager
def atomic_writer(
    path: Path, *, exclusive: bool = False, private_dir: bool = True
) -> Iterator[BinaryIO]:
    """A binary file that becomes `path` (mode 0600) only when the block ends without error.

    With `exclusive`, refuse to replace a file that already exists (entries are
    written once and never overwritten). With `private_dir` false the folder is
    the user's own (an export's destination): see `make_dirs`.
    """
    if private_dir:
        ensure_private_dir(path.parent)
    else:
        make_dirs(path.parent)
    # The writer's pid in the name lets a later run tell a temp file left by a
    # killed process from one being written right now, without any lock.
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            _full_fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        _publish(tmp, path, exclusive=exclusive)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


@contextlib.contextmanager
def atomic_text_writer(
    path: Path, *, exclusive: bool = False, private_dir: bool = True
) -> Iterator[TextIO]:
    """`atomic_writer` for UTF-8 text, written as given (no newline translation)."""
    with atomic_writer(path, exclusive=exclusive, private_dir=private_dir) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield text
            text.flush()
        finally:
            with contextlib.suppress(ValueError, OSError):
                text.detach()  # leave closing `raw` to atomic_writer, after its fsync


def _publish(tmp: Path, path: Path, *, exclusive: bool) -> None:
    if not exclusive:
        os.replace(tmp, path)
        return
    # link() fails if the target exists, which makes "write once" race-free.
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        # Some file systems (FAT, a few network mounts) have no hard links.
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(tmp, path)
    else:
        tmp.unlink()


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write `data` to `path` atomically, mode 0600 (see `atomic_writer`)."""
    with atomic_writer(path, exclusive=exclusive) as fh:
        fh.write(data)


def write_many_once(items: list[tuple[Path, bytes]]) -> None:
    """Write each (path, data) once, as `write_atomic(..., exclusive=True)` would, with
    one flush to disk for the lot instead of one per file (an import of thousands).

    The order keeps every promise a single save keeps: all the temp files are
    written, then made durable together (`os.sync`; a full fsync each on macOS,
    where sync does not reach the platters), and only then published by name,
    then each folder synced once. A crash before publishing leaves only temp
    files (holding no entry, swept as after any killed save); after it, every
    file published is whole. A file that already exists is not replaced:
    FileExistsError, with the ones published before it left in place.
    """
    made: list[tuple[Path, Path]] = []
    folders: dict[Path, None] = {}
    try:
        for path, data in items:
            if path.parent not in folders:
                ensure_private_dir(path.parent)
                folders[path.parent] = None
            fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=path.parent)
            made.append((Path(tmp_name), path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if sys.platform == "darwin":
                    fh.flush()
                    _full_fsync(fh.fileno())
            os.chmod(tmp_name, FILE_MODE)
        if sys.platform != "darwin":
            os.sync()
        while made:
            tmp, path = made[0]
            _publish(tmp, path, exclusive=True)
            made.pop(0)
    finally:
        for tmp, _ in made:  # not published: nothing of them is left behind
            with contextlib.suppress(OSError):
                tmp.unlink()
        for folder in folders:
            with contextlib.suppress(OSError):
                _fsync_dir(folder)


STALE_TEMP_SECONDS = 3600.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def stray_temp_files(folder: Path, *, now: float | None = None) -> list[Path]:
    """Temp files in `folder` that no running writer owns any more.

    One is stray when the process named in it is gone, or when it is more than
    an hour old (a file from another machine, synced here, or a reused pid).
    """
    import time

    now = time.time() if now is None else now
    stray: list[Path] = []
    try:
        names = [e for e in os.scandir(folder) if e.name.startswith(TEMP_PREFIX)]
    except OSError:
        return stray
    for entry in names:
        pid_text = entry.name[len(TEMP_PREFIX) :].partition("-")[0]
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS
        except OSError:
            continue
        numeric = pid_text.isascii() and pid_text.isdecimal()  # not "²", which int() refuses
        dead = numeric and not _pid_alive(int(pid_text))
        if dead or old or not numeric:
            stray.append(Path(entry.path))
    return stray


def sweep_temp_files(folder: Path) -> int:
    """Delete stray temp files in `folder` (never anything else); how many went."""
    removed = 0
    for path in stray_temp_files(folder):
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed
