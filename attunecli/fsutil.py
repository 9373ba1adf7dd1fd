"""Owner-only, crash-safe file writing.

Every file attune writes goes through `write_atomic`: a temp file in the same
directory (created 0600 by mkstemp), fsync, `os.replace`, then an fsync of the
directory so the new name itself survives a power cut. A reader therefore sees
either the old file or the whole new one, never half of it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

TEMP_PREFIX = ".attune-tmp-"
DIR_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> None:
    """Create `path` and its missing parents as 0700, whatever the umask.

    Existing folders that attune did not create are left as they are, except
    the last one, which holds private data and is tightened to 0700.
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
    if path.is_dir() and (path.stat().st_mode & 0o777) != DIR_MODE:
        os.chmod(path, DIR_MODE)


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


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write `data` to `path` atomically, mode 0600.

    With `exclusive`, refuse to replace a file that already exists (entries are
    written once and never overwritten).
    """
    ensure_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            _full_fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        if exclusive:
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
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)
