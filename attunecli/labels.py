"""Short names the read views share, kept where the quick paths can load them cheaply."""

from __future__ import annotations

# The one list of the practices attune ships. The five, in the order they are taught:
FIVE_PRACTICES: tuple[str, ...] = ("slow-down", "reflect", "curious", "regulate", "repair")
# Each run from a practice file in the package (`repair-received` is the listener's
# side of a repair, run as `attune repair --received`):
BUILT_IN_PRACTICES: tuple[str, ...] = (*FIVE_PRACTICES, "repair-received", "checkin")
# Each a built-in entry can be of (`repair-done`: the follow-up that closes a repair).
# The entry schema's list; tests/test_practice_list.py holds the two to each other.
ENTRY_PRACTICES: tuple[str, ...] = ("checkin", *FIVE_PRACTICES, "repair-received", "repair-done")

PRACTICE_LABELS = {
    "slow-down": "slow down",
    "reflect": "reflect",
    "curious": "curious",
    "regulate": "regulate",
    "repair": "repair",
    "repair-received": "repair, my side",
    "repair-done": "repair done",
    "checkin": "check-in",
}
# How many `history` lists and `search` shows unless told --last N (or --all): the
# quick path and the Typer commands both take their defaults from here.
HISTORY_SHOWN = 10
SEARCH_SHOWN = 20

# What --practice accepts on the reading commands (besides one's own practices).
PRACTICE_CHOICES = ENTRY_PRACTICES
QUADRANTS: tuple[str, ...] = ("high-pleasant", "high-unpleasant", "low-pleasant", "low-unpleasant")
QUADRANT_LABELS: dict[str, str] = {
    "high-pleasant": "Lively and pleasant",
    "high-unpleasant": "Stirred up and unpleasant",
    "low-pleasant": "Calm and pleasant",
    "low-unpleasant": "Low and unpleasant",
}
# Shown as the meaning of a kind of feeling while choosing one: panic belongs to
# the stirred-up kind and despair to the low one, which the names alone do not say.
QUADRANT_EXAMPLES: dict[str, str] = {
    "high-pleasant": "Like excited, proud, playful.",
    "high-unpleasant": "Like anxious, angry, panicky, afraid.",
    "low-pleasant": "Like calm, content, relaxed.",
    "low-unpleasant": "Like sad, tired, lonely, hopeless.",
}
