"""What a bare `attune` prints: a short map that fits 24 rows, with the full list one
command away. Plain text, importing only the practice list, so it shows at once
(Typer is not loaded)."""

from __future__ import annotations

from attunecli.labels import FIVE_PRACTICES

# Every command, in the group a person looks for it in; tests/test_help.py checks that
# each command of the app is here once, so a new command cannot be left off.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Practise", ("checkin", *FIVE_PRACTICES)),
    ("Your own", ("practices", "run")),
    ("Look back", ("history", "show", "search", "insights", "repairs", "feelings", "report")),
    ("Care", ("support", "safety-plan", "check-reply")),
    ("Keep", ("export", "import", "forget", "doctor", "path")),
    ("Set up", ("schedule", "remind", "config", "help")),
)

HEAD = """\
attune: a few calm minutes of emotional attunement, in your terminal.

  attune checkin            the daily check-in, a few minutes
  attune checkin --quick    one minute: a feeling, how strong, one line
"""

FOOT = """\
  attune help COMMAND       what a command does, with examples
  attune --help             every command and option

Not therapy, and not for emergencies: `attune support` lists help lines.
"""


def text() -> str:
    width = max(len(name) for name, _ in GROUPS) + 2
    rows = [f"  {(name + ':').ljust(width)} {'  '.join(cmds)}" for name, cmds in GROUPS]
    return HEAD + "\n" + "\n".join(rows) + "\n\n" + FOOT
