"""What the `make_*` tools share: write a generated file, or with --check say whether
the committed one is current (a test runs each check, so a stale file fails CI)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def write_or_check(
    argv: list[str] | None, *, doc: str, path: Path, make: Callable[[], str], tool: str
) -> int:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    args = parser.parse_args(argv)
    text = make()
    if args.check:
        current = path.exists() and path.read_text(encoding="utf-8") == text
        if not current:
            print(f"{path} is out of date: run python -m tools.{tool}", file=sys.stderr)
        return 0 if current else 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0
