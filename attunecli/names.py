"""What the files in a month folder are called, and which ones attune reads.

Kept free of heavy imports: the quick read paths (`history`, `search`,
`insights`) list folders through it before anything else is loaded.
"""

from __future__ import annotations

import re
from datetime import UTC

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

# The whole name, in ASCII digits: `$` would also match before a final newline,
# and `\d` would match other scripts' digits.
NAME_RE = re.compile(r"^([0-9]{8}T[0-9]{6}Z)-([0-9a-f]{6,32})\.json\Z")
CONFLICT_RE = re.compile(r"sync-conflict|conflicted copy|conflict", re.IGNORECASE)
QUIET_NAMES = {"desktop.ini", "Thumbs.db"}


def odd_file_reason(name: str) -> str | None:
    """Why a file in a month folder is not read as an entry, or None to pass it by quietly."""
    if name.startswith(".") or name in QUIET_NAMES:
        return None  # temp files (swept elsewhere), .DS_Store, sync tools' own files
    if CONFLICT_RE.search(name):
        return (
            "a sync-conflict copy; attune reads only the original entry. "
            "Compare the two and delete the one you do not want"
        )
    return "not an entry file name; attune leaves it alone"


def utc_stamp(moment: datetime) -> str:
    """The UTC stamp in entry file names: 20261125T193000Z (years before 1000 padded too,
    which strftime does not do)."""
    u = moment.astimezone(UTC)
    return f"{u.year:04d}{u.month:02d}{u.day:02d}T{u.hour:02d}{u.minute:02d}{u.second:02d}Z"
