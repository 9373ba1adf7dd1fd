"""attune: a calm command-line coach for emotional attunement."""

__version__ = "0.1.0"
