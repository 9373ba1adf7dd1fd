"""Drafts: the answers of a practice in progress, kept after every step.

A draft lives in the state dir (`drafts/<practice>.json`, 0600), is written
atomically after each answer, and is removed once the entry is saved. Ctrl-C,
a closed terminal or a crash therefore leave it behind, and the next run of
the same practice offers to pick up where it stopped.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from attunecli.fsutil import write_atomic
from attunecli.models import Answer

DRAFT_VERSION = 1


@dataclass
class Draft:
    practice: str
    quick: bool
    started_at: datetime
    answers: list[Answer] = field(default_factory=list)
    skipped_sections: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "draft_version": DRAFT_VERSION,
            "practice": self.practice,
            "quick": self.quick,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "skipped_sections": self.skipped_sections,
            "answers": [a.to_json() for a in self.answers],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        if data.get("draft_version") != DRAFT_VERSION:
            raise ValueError(f"unknown draft version {data.get('draft_version')!r}")
        started = datetime.fromisoformat(data["started_at"])
        if started.tzinfo is None:
            raise ValueError("started_at has no timezone")
        return cls(
            practice=str(data["practice"]),
            quick=bool(data["quick"]),
            started_at=started,
            answers=[
                Answer(
                    a["id"], a["kind"], a["question"], a.get("answer"), dict(a.get("details") or {})
                )
                for a in data["answers"]
            ],
            skipped_sections=[str(s) for s in data.get("skipped_sections", [])],
        )

    def summary(self) -> str:
        n = sum(1 for a in self.answers if a.answer is not None)
        return f"{n} answer{'s' if n != 1 else ''}, started {self.started_at:%a %d %b %H:%M}"


class Drafts:
    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "drafts"

    def path(self, practice: str, quick: bool = False) -> Path:
        return self.dir / f"{practice}{'-quick' if quick else ''}.json"

    def load(self, practice: str, quick: bool = False) -> Draft | None:
        """The draft for this practice, or None; a damaged one is left in place for doctor."""
        try:
            data = json.loads(self.path(practice, quick).read_text(encoding="utf-8"))
            draft = Draft.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return draft if draft.practice == practice and draft.quick == quick else None

    def save(self, draft: Draft) -> bool:
        """Write it; False (never an exception) when it could not be written."""
        try:
            data = json.dumps(draft.to_json(), ensure_ascii=False).encode("utf-8")
            write_atomic(self.path(draft.practice, draft.quick), data)
        except OSError:
            return False
        return True

    def delete(self, practice: str, quick: bool = False) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(practice, quick).unlink()

    def files(self) -> list[Path]:
        try:
            return sorted(p for p in self.dir.iterdir() if p.suffix == ".json")
        except OSError:
            return []
