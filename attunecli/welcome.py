"""The two lines a new user sees once: what attune is, and where their data lives."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from attunecli.fsutil import write_atomic
from attunecli.paths import Paths


def first_run_notice(paths: Paths, say: Callable[[str], None]) -> bool:
    marker = paths.state / "welcomed"
    if marker.exists():
        return False
    say("attune is a self-reflection tool, not therapy and not for emergencies (`attune support`).")
    say(f"Your entries stay on this machine, as JSON files in {paths.data}")
    with contextlib.suppress(OSError):
        write_atomic(marker, b"")
    return True
