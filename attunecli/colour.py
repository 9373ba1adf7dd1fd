"""Whether to colour: one rule for the quick paths and the Typer path alike.

`--no-color` decides first (the caller passes it as `choice`). Then, as
no-color.org and force-color.org describe: NO_COLOR set to anything but empty turns
colour off; FORCE_COLOR set to anything but empty or "0" turns it on even through a
pipe; TERM=dumb turns it off; otherwise colour goes to a terminal only.
NO_COLOR wins over FORCE_COLOR: asking for less is never overruled.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def wanted(*, isatty: bool, environ: Mapping[str, str], choice: bool | None = None) -> bool:
    if choice is not None:
        return choice
    if environ.get("NO_COLOR", ""):
        return False
    if environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    return isatty
