"""Short names the read views share, kept where the quick paths can load them cheaply."""

from __future__ import annotations

PRACTICE_LABELS = {
    "slow-down": "slow down",
    "reflect": "reflect",
    "curious": "curious",
    "regulate": "regulate",
    "repair": "repair",
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
    "repair-done",
)
QUADRANTS: tuple[str, ...] = ("high-pleasant", "high-unpleasant", "low-pleasant", "low-unpleasant")
QUADRANT_LABELS: dict[str, str] = {
    "high-pleasant": "Energised and pleasant",
    "high-unpleasant": "Energised and unpleasant",
    "low-pleasant": "Quiet and pleasant",
    "low-unpleasant": "Quiet and unpleasant",
}
