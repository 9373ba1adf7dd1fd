"""Where attune keeps things.

One seam: every location comes from `resolve_paths`, which reads the
`ATTUNE_*_DIR` environment variables first and falls back to platformdirs.
Tests point these variables at a temporary folder, so no test touches a real
home directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from attunecli.record import Record

APP_NAME = "attune"

ENV_DATA = "ATTUNE_DATA_DIR"
ENV_CONFIG = "ATTUNE_CONFIG_DIR"
ENV_STATE = "ATTUNE_STATE_DIR"
ENV_CACHE = "ATTUNE_CACHE_DIR"


class Paths(Record):
    """The four places attune keeps things (a plain class: the quick paths load this)."""

    __slots__ = ("cache", "config", "data", "state")

    def __init__(self, data: Path, config: Path, state: Path, cache: Path) -> None:
        self.data = data
        self.config = config
        self.state = state
        self.cache = cache

    @property
    def entries(self) -> Path:
        return self.data / "entries"

    @property
    def config_file(self) -> Path:
        return self.config / "config.toml"


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def resolve_paths(data_dir: Path | None = None) -> Paths:
    """Locations in order of precedence: `--data-dir`, environment, platform default.

    platformdirs is imported only here, and only for a location not already given.
    """
    data = data_dir or _from_env(ENV_DATA)
    config = _from_env(ENV_CONFIG)
    state = _from_env(ENV_STATE)
    cache = _from_env(ENV_CACHE)
    if data is None or config is None or state is None or cache is None:
        import platformdirs

        data = data or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        config = config or Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
        # On macOS platformdirs maps data, config and state into one folder; our
        # file names (entries/, config.toml, state/...) never collide there.
        state = state or Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
        cache = cache or Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    return Paths(
        data=data.absolute(),
        config=config.absolute(),
        state=state.absolute(),
        cache=cache.absolute(),
    )
