"""Typed shapes shared by the engine, the store and the views."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

SCHEMA_VERSION = 1

JSON = Any  # a value that json.dumps accepts

StepKind = Literal[
    "info",  # shows text, asks nothing, stores nothing
    "text",  # one line of free text
    "choice",  # one of a list
    "multi",  # any of a list (and, with allow_other, words of one's own)
    "scale",  # a whole number in [min, max]
    "feeling",  # one feeling word, from the vocabulary or one's own
    "feelings",  # several feeling words
    "confirm",  # yes or no
    "date",  # a calendar date (today, tomorrow, +3, 2026-12-01)
    "compose",  # text the coach drafts from earlier answers; the user may edit it
    "reply",  # the reply the user was about to give; the coach flags and offers another
    "guide",  # the live breathing or grounding guide (regulate)
]

STEP_KINDS: tuple[str, ...] = StepKind.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    description: str | None = None
    group: str = ""  # the quadrant, for feeling words


@dataclass(frozen=True)
class Condition:
    """Ask a step only when an earlier answer matches."""

    step: str
    equals: JSON = None  # None: any truthy answer
    at_least: int | None = None

    def holds(self, answers: dict[str, JSON]) -> bool:
        value = answers.get(self.step)
        if self.at_least is not None:
            return isinstance(value, int) and value >= self.at_least
        if self.equals is None:
            return bool(value)
        return bool(value == self.equals)


@dataclass(frozen=True)
class Step:
    id: str
    kind: StepKind
    question: str
    help: str = ""
    optional: bool = False
    options: tuple[Option, ...] = ()
    allow_other: bool = False
    min: int = 0
    max: int = 10
    low_label: str = ""
    high_label: str = ""
    template: str = ""  # for compose: which draft the coach writes
    when: Condition | None = None
    measure: str = ""  # what a scale measures: intensity, arousal_before, ...
    default: JSON = None
    flag: str = ""  # the command-line option that answers it, without "--"


@dataclass(frozen=True)
class Section:
    """A run of steps; in the daily check-in each section can be skipped."""

    id: str
    title: str
    steps: tuple[Step, ...]
    skippable: bool = False
    intro: str = ""


@dataclass(frozen=True)
class Practice:
    id: str
    title: str
    summary: str
    intro: str
    sections: tuple[Section, ...]
    closing: str = ""
    multi_section: bool = False

    def steps(self) -> list[tuple[Section, Step]]:
        return [(sec, st) for sec in self.sections for st in sec.steps]

    def answer_id(self, section: Section, step: Step) -> str:
        """The stable id an answer is stored and scripted under."""
        return f"{section.id}.{step.id}" if self.multi_section else step.id


@dataclass(frozen=True)
class Feeling:
    word: str
    energy: Literal["high", "low"]
    pleasant: bool
    means: str

    @property
    def quadrant(self) -> str:
        return f"{self.energy}-{'pleasant' if self.pleasant else 'unpleasant'}"


@dataclass
class Answer:
    id: str
    kind: str
    question: str
    answer: JSON
    details: dict[str, JSON] = field(default_factory=dict)

    def to_json(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {
            "id": self.id,
            "kind": self.kind,
            "question": self.question,
            "answer": self.answer,
        }
        if self.details:
            out["details"] = self.details
        return out


@dataclass
class Entry:
    id: str
    created_at: datetime
    practice: str
    answers: list[Answer]
    complete: bool = True
    refers_to: str | None = None  # the repair a follow-up closes
    app_version: str = ""
    schema_version: int = SCHEMA_VERSION

    def answer(self, answer_id: str) -> JSON:
        """The answer stored under `answer_id`, or under `<section>.answer_id`."""
        for a in self.answers:
            if a.id == answer_id:
                return a.answer
        for a in self.answers:
            if a.id.endswith("." + answer_id):
                return a.answer
        return None

    def by_kind(self, kind: str) -> list[Answer]:
        return [a for a in self.answers if a.kind == kind]

    def to_json(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {
            "schema_version": self.schema_version,
            "id": self.id,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "practice": self.practice,
            "complete": self.complete,
            "answers": [a.to_json() for a in self.answers],
        }
        if self.refers_to:
            out["refers_to"] = self.refers_to
        if self.app_version:
            out["app_version"] = self.app_version
        return out

    @classmethod
    def from_json(cls, data: dict[str, JSON]) -> Entry:
        created = datetime.fromisoformat(data["created_at"])
        if created.tzinfo is None:
            raise ValueError("created_at has no timezone")
        answers = [
            Answer(
                id=a["id"],
                kind=a["kind"],
                question=a["question"],
                answer=a.get("answer"),
                details=dict(a.get("details") or {}),
            )
            for a in data["answers"]
        ]
        return cls(
            id=data["id"],
            created_at=created,
            practice=data["practice"],
            answers=answers,
            complete=bool(data.get("complete", True)),
            refers_to=data.get("refers_to"),
            app_version=data.get("app_version", ""),
            schema_version=int(data["schema_version"]),
        )
