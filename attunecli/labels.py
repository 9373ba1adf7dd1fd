"""Short names the read views share, kept where the quick paths can load them cheaply."""

from __future__ import annotations

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
# What --practice accepts on the reading commands.
PRACTICE_CHOICES = (
    "checkin",
    "slow-down",
    "reflect",
    "curious",
    "regulate",
    "repair",
    "repair-received",
    "repair-done",
)
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
