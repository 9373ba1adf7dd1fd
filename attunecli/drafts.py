"""Drafts: the answers of a practice in progress, kept after every step.

A draft lives in the state dir (0600), is written atomically after each
answer, and is removed once the entry is saved. Ctrl-C, a closed terminal or a
crash therefore leave it behind, and the next run of the same practice offers
to pick up where it stopped.

Every run keeps a draft of its own, so two runs of one practice (two
terminals) never write over each other. A run's draft takes the plain name,
`drafts/<practice>[-quick].json` (the one earlier versions used, so they
still find it), when no other draft holds it, and
`drafts/<practice>[-quick]-<run id>.json` when one does. A run only ever
replaces the file it wrote last, and only while that file still holds what it
wrote (see `Drafts.save`); a run that finishes removes only that file.

The safety plan keeps one draft under the plain name (`Draft.run_id` None).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from attunecli.fsutil import read_regular, write_atomic
from attunecli.models import Answer

DRAFT_VERSION = 1
RUN_ID = re.compile(r"[0-9a-f]{12}")


class BadDraft(ValueError):
    """A draft file attune cannot read; `reason` says why, for one line."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is too large a number")
    return value


def strict_json(text: str) -> Any:
    """JSON as the standard has it: NaN, Infinity and numbers too large for a float refused."""
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite)


@dataclass
class Draft:
    practice: str
    quick: bool
    started_at: datetime
    answers: list[Answer] = field(default_factory=list)
    skipped_sections: list[str] = field(default_factory=list)
    run_id: str | None = None  # None: the one draft of its practice (the safety plan's)
    about: datetime | None = None  # filled in later (`--for`): the time it is about
    # Where it was read from or last written to, and the bytes found or put there.
    path: Path | None = field(default=None, compare=False, repr=False)
    written: bytes | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "draft_version": DRAFT_VERSION,
            "practice": self.practice,
            "quick": self.quick,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "skipped_sections": self.skipped_sections,
            "answers": [a.to_json() for a in self.answers],
        }
        if self.run_id is not None:
            out["run_id"] = self.run_id
        if self.about is not None:
            out["about"] = self.about.isoformat(timespec="seconds")
        return out

    @classmethod
    def from_json(cls, data: Any) -> Draft:
        """The draft `data` describes; ValueError (with what is wrong) when it is not one."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("draft_version") != DRAFT_VERSION:
            raise ValueError(f"unknown draft version {str(data.get('draft_version'))[:20]!r}")
        practice, quick, started = data.get("practice"), data.get("quick"), data.get("started_at")
        if not isinstance(practice, str) or not practice:
            raise ValueError("no practice named")
        if not isinstance(quick, bool):
            raise ValueError('"quick" is not true or false')
        if not isinstance(started, str):
            raise ValueError('no "started_at"')
        started_at = datetime.fromisoformat(started)
        if started_at.tzinfo is None:
            raise ValueError("started_at has no timezone")
        run_id = data.get("run_id")
        if run_id is not None and not (isinstance(run_id, str) and RUN_ID.fullmatch(run_id)):
            raise ValueError('"run_id" is not a run id')
        skipped = data.get("skipped_sections", [])
        if not isinstance(skipped, list) or not all(isinstance(s, str) for s in skipped):
            raise ValueError('"skipped_sections" is not a list of section ids')
        raw_answers = data.get("answers")
        if not isinstance(raw_answers, list):
            raise ValueError('"answers" is not a list')
        answers = []
        for n, a in enumerate(raw_answers, start=1):
            if not isinstance(a, dict) or "answer" not in a:
                raise ValueError(f"answer {n} is not an answer")
            aid, kind, question = a.get("id"), a.get("kind"), a.get("question")
            details = a.get("details") or {}
            if not all(isinstance(x, str) for x in (aid, kind, question)):
                raise ValueError(f"answer {n} has no id, kind or question")
            if not isinstance(details, dict):
                raise ValueError(f"the details of answer {n} are not an object")
            answers.append(Answer(str(aid), str(kind), str(question), a["answer"], dict(details)))
        about = data.get("about")
        about_at = None
        if about is not None:
            if not isinstance(about, str):
                raise ValueError('"about" is not a time')
            try:
                about_at = datetime.fromisoformat(about)
            except ValueError:
                raise ValueError('"about" is not a time') from None
            if about_at.tzinfo is None:
                raise ValueError("about has no timezone")
        return cls(practice, quick, started_at, answers, list(skipped), run_id, about=about_at)

    def summary(self) -> str:
        n = sum(1 for a in self.answers if a.answer is not None)
        about = f", about {self.about:%a %d %b %H:%M}" if self.about else ""
        return f"{n} answer{'s' if n != 1 else ''}{about}, started {self.started_at:%a %d %b %H:%M}"


@dataclass
class Found:
    """The drafts of one practice: those that can be picked up, newest first, and the rest."""

    drafts: list[Draft] = field(default_factory=list)
    bad: list[BadDraft] = field(default_factory=list)


class Drafts:
    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "drafts"
        self.error: str | None = None  # why the last `save` failed

    @staticmethod
    def new_run_id() -> str:
        return secrets.token_hex(6)

    def path(self, practice: str, quick: bool = False) -> Path:
        """The plain name: the safety plan's one draft, and a run's when no other holds it."""
        return self.dir / f"{practice}{'-quick' if quick else ''}.json"

    def run_path(self, practice: str, quick: bool, run_id: str) -> Path:
        return self.dir / f"{practice}{'-quick' if quick else ''}-{run_id}.json"

    def _named_for(self, path: Path, draft: Draft) -> bool:
        names = {self.path(draft.practice, draft.quick).name}
        if draft.run_id is not None:
            names.add(self.run_path(draft.practice, draft.quick, draft.run_id).name)
        return path.name in names

    def read(self, path: Path) -> Draft:
        """The draft in `path` (strict JSON, every field checked); BadDraft when it is not one."""
        try:
            raw = read_regular(path)  # never waits on a FIFO planted in a draft's place
        except OSError as exc:
            raise BadDraft(path, f"cannot be read: {exc.strerror or exc}") from None
        try:
            data = strict_json(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise BadDraft(path, "not UTF-8 text") from None
        except ValueError as exc:
            raise BadDraft(path, f"not valid JSON ({exc})") from None
        try:
            draft = Draft.from_json(data)
        except (ValueError, TypeError) as exc:
            raise BadDraft(path, str(exc)) from None
        if not self._named_for(path, draft):
            raise BadDraft(path, f"its name does not fit the {draft.practice} draft it holds")
        draft.path, draft.written = path, raw
        return draft

    def load(self, practice: str, quick: bool = False) -> Draft | None:
        """The draft in the file named `<practice>[-quick].json`, or None; a damaged one is
        left in place for doctor. `practice` may be a file's stem with its run id."""
        try:
            return self.read(self.path(practice, quick))
        except BadDraft:
            return None

    def find(self, practice: str, quick: bool = False) -> Found:
        """Every draft of this practice (a run's own, and the single one earlier versions kept)."""
        stem = re.escape(f"{practice}{'-quick' if quick else ''}")
        pattern = re.compile(rf"{stem}(-{RUN_ID.pattern})?\.json")
        found = Found()
        dated: list[tuple[datetime, int, Draft]] = []
        for path in self.files():
            if not pattern.fullmatch(path.name):
                continue
            try:
                draft = self.read(path)
            except BadDraft as exc:
                found.bad.append(exc)
                continue
            try:
                mtime = path.stat().st_mtime_ns
            except OSError:
                mtime = 0
            dated.append((draft.started_at, mtime, draft))
        dated.sort(key=lambda t: (t[0], t[1]), reverse=True)
        found.drafts = [d for _, _, d in dated]
        return found

    def _holds(self, path: Path, data: bytes | None) -> bool:
        """Whether `path` still holds `data`, exactly: nobody else has written it since."""
        try:
            return data is not None and read_regular(path) == data
        except FileNotFoundError:
            return False

    def save(self, draft: Draft) -> bool:
        """Write it; False (never an exception) when it could not be written (see `error`).

        A run's draft (`run_id` set) replaces the file it wrote last only while
        that file still holds what it wrote. Otherwise (a first write, the file
        gone, or another run writing there) it takes the plain name if that is
        free, else a name of its own.
        """
        try:
            if draft.run_id is None:
                data = _encode(draft)
                write_atomic(self.path(draft.practice, draft.quick), data)
                draft.path, draft.written = self.path(draft.practice, draft.quick), data
                self.error = None
                return True
            if draft.path is not None and self._holds(draft.path, draft.written):
                data = _encode(draft)
                write_atomic(draft.path, data)
            else:
                if draft.path is not None and draft.path.exists():
                    draft.run_id = self.new_run_id()  # another run writes there now
                data = _encode(draft)
                draft.path = self._claim(draft, data)
            draft.written = data
        except (OSError, ValueError) as exc:
            self.error = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
            return False
        self.error = None
        return True

    def _claim(self, draft: Draft, data: bytes) -> Path:
        assert draft.run_id is not None
        plain = self.path(draft.practice, draft.quick)
        try:
            write_atomic(plain, data, exclusive=True)  # only if no other draft holds it
        except FileExistsError:
            own = self.run_path(draft.practice, draft.quick, draft.run_id)
            write_atomic(own, data)
            return own
        return plain

    def remove(self, draft: Draft) -> bool:
        """Delete this run's draft, if it is still what this run wrote or read (another run
        that has written there since keeps it). False when it could not be deleted."""
        try:
            if draft.path is None or not self._holds(draft.path, draft.written):
                return True
            draft.path.unlink()
        except FileNotFoundError:
            return True
        except OSError as exc:
            self.error = exc.strerror or str(exc)
            return False
        return True

    def delete(self, practice: str, quick: bool = False) -> None:
        """Delete the draft under the plain name (the safety plan's)."""
        with contextlib.suppress(FileNotFoundError):
            self.path(practice, quick).unlink()

    def files(self) -> list[Path]:
        try:
            return sorted(p for p in self.dir.iterdir() if p.suffix == ".json")
        except OSError:
            return []


def _encode(draft: Draft) -> bytes:
    return json.dumps(draft.to_json(), ensure_ascii=False, allow_nan=False).encode("utf-8")
