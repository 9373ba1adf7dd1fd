"""What the files in a month folder are called, and which ones attune reads.

Kept free of heavy imports: the quick read paths (`history`, `search`,
`insights`) list folders through it before anything else is loaded.
"""

from __future__ import annotations

import re

NAME_RE = re.compile(r"^(\d{8}T\d{6}Z)-([0-9a-f]{6,32})\.json$")
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
