"""The words attune says: practices, feelings, cues, coaching lines and safety text, as TOML."""
