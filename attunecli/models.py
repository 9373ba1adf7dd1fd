"""Typed shapes shared by the engine, the store and the views."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

SCHEMA_VERSION = 2

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
class KindInfo:
    """What a step kind means, for every module that treats kinds differently: ask
    `KINDS[kind]`, never a list of kind names of your own."""

    stores: tuple[type, ...]  # the JSON type of its answer; () stores nothing
    free_text: bool = False  # typed as a line of text, kept exactly as typed
    own_words: bool = False  # may hold the person's own words (read by the care check)
    searched: bool = False  # its words are found by `search`
    options: bool = False  # chosen from a list of options
    filled_by_attune: bool = False  # attune fills it when no answer is given
    may_be_empty: bool = False  # even when required (a guide stopped at once)


KINDS: dict[str, KindInfo] = {
    "info": KindInfo(()),
    "text": KindInfo((str,), free_text=True, own_words=True, searched=True),
    "choice": KindInfo((str,), searched=True, options=True),
    "multi": KindInfo((list,), own_words=True, searched=True, options=True),
    "scale": KindInfo((int,)),
    "feeling": KindInfo((str,), own_words=True, searched=True),
    "feelings": KindInfo((list,), own_words=True, searched=True),
    "confirm": KindInfo((bool,)),
    "date": KindInfo((str,)),
    "compose": KindInfo(
        (str,), free_text=True, own_words=True, searched=True, filled_by_attune=True
    ),
    "reply": KindInfo((str,), free_text=True, own_words=True, searched=True),
    "guide": KindInfo((dict,), filled_by_attune=True, may_be_empty=True),
}
# What an unknown kind (a hand-edited file) is taken as: words, searched, read with care.
UNKNOWN_KIND = KindInfo((), own_words=True, searched=True)


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
    one_of: tuple[str, ...] = ()  # the answer is one of these
    not_one_of: tuple[str, ...] = ()  # the answer is none of these (a skipped one counts)

    def holds(self, answers: dict[str, JSON]) -> bool:
        value = answers.get(self.step)
        if self.at_least is not None:
            return isinstance(value, int) and value >= self.at_least
        if self.one_of:
            return value in self.one_of
        if self.not_one_of:
            return value not in self.not_one_of
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
    # Words that fit an earlier answer better: (that answer, question, help), looked up
    # by the answer to the step `vary_by` (the context, say: "they" becomes "you").
    variants: tuple[tuple[str, str, str], ...] = ()
    vary_by: str = ""
    # A hint the coach writes from earlier answers, shown as the step's help.
    hint: str = ""
    # Left out once an answer spoke of fear or harm from someone close: a question
    # such as "what part of their view can you agree with" is not for that moment.
    not_after_harm: bool = False

    def shown(self, answers: dict[str, JSON]) -> Step:
        """This step in the words that fit the answers so far."""
        if not self.vary_by:
            return self
        key = answers.get(self.vary_by)
        for when, question, help_ in self.variants:
            if when == key:
                return replace(self, question=question or self.question, help=help_)
        return self


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
    # When it was written, for an entry filled in later about `created_at` (`--for`);
    # None: written when it began.
    written_at: datetime | None = None

    @property
    def filled_in_later(self) -> bool:
        return self.written_at is not None and self.written_at > self.created_at

    def answer(self, answer_id: str) -> JSON:
        """The answer stored under `answer_id`, or under `<section>.answer_id`."""
        for a in self.answers:
            if a.id == answer_id:
                return a.answer
        dotted = "." + answer_id
        for a in self.answers:
            if a.id.endswith(dotted):
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
        if self.written_at is not None:
            out["written_at"] = self.written_at.isoformat(timespec="seconds")
        return out

    @classmethod
    def from_json(cls, data: dict[str, JSON]) -> Entry:
        created = check_shape(data)
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
            written_at=_written_at(data.get("written_at")),
        )


# What an entry read from disk must look like before anything uses it: the
# published schema's shape (entry.schema.json), checked by hand so a
# hand-edited or synced file with a wrong type is named and skipped, never a crash.
MAX_DEPTH = 32  # how deeply an answer's value may nest
_ANSWER_TYPES: dict[str, tuple[type, ...]] = {k: v.stores for k, v in KINDS.items() if v.stores}
_DETAIL_TYPES: dict[str, type] = {
    "quadrant": str,
    "own_word": bool,
    "measure": str,
    "exercise": str,
    "alternative": str,
    "draft": str,
}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_SCALARS = (str, int, bool)  # exactly these types (not subclasses): plain JSON as it stands


def _json_value(value: object, where: str) -> None:
    """A plain JSON value (no NaN or infinity) nested at most MAX_DEPTH deep."""
    kind = type(value)
    if value is None or kind in _SCALARS:  # most answers and details: nothing to walk
        return
    if kind is list and isinstance(value, list):
        if all(v is None or type(v) in _SCALARS for v in value):
            return
    elif (
        kind is dict
        and isinstance(value, dict)
        and all(type(k) is str for k in value)
        and all(v is None or type(v) in _SCALARS for v in value.values())
    ):
        return
    todo: list[tuple[object, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"{where} is nested too deeply")
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(f"{where} holds a number that is not finite")
        elif isinstance(item, list):
            todo += [(v, depth + 1) for v in item]
        elif isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                raise ValueError(f"{where} has a key that is not text")
            todo += [(v, depth + 1) for v in item.values()]
        elif item is not None and not isinstance(item, str | int):
            raise ValueError(f"{where} is not a JSON value")


def _of_type(value: object, types: tuple[type, ...]) -> bool:
    return isinstance(value, types)  # a bool, so that mypy keeps `value` as it was


def _guide_shaped(value: dict[str, object]) -> bool:
    seconds = value.get("seconds")
    return (
        _is_int(value.get("planned_seconds"))
        and isinstance(seconds, int | float)
        and not isinstance(seconds, bool)
        and isinstance(value.get("stopped_early"), bool)
    )


def _flags(value: object, where: str) -> None:
    if not isinstance(value, list) or not all(
        isinstance(f, dict)
        and isinstance(f.get("kind"), str)
        and isinstance(f.get("note"), str)
        and isinstance(f.get("phrase", ""), str)
        for f in value
    ):
        raise ValueError(f"{where} is not a list of flags (each with a kind and a note)")


_FLAG_KEYS = ("flags", "kept_flags")


def _plain_answer(a: dict[str, object]) -> bool:
    """Whether answer `a` is in the shape attune writes, by a quick look that passes
    only what `_check_answer` passes (anything else is looked at fully there)."""
    kind = a.get("kind")
    if type(a.get("id")) is not str or type(kind) is not str:
        return False
    if type(a.get("question")) is not str:
        return False
    value = a.get("answer")
    if value is not None:
        t = type(value)
        stores = _ANSWER_TYPES.get(kind)
        if stores == (str,) or stores == (bool,):
            if t is not stores[0]:
                return False
        elif stores == (int,):  # a scale
            if t is not int or not 0 <= value <= 10:  # type: ignore[operator]
                return False
        elif stores == (list,):
            if t is not list or not all(type(v) is str for v in value):  # type: ignore[attr-defined]
                return False
        else:
            return False  # a guide, or a kind of one's own: the full look
    details = a.get("details")
    if details is None:
        return True
    if type(details) is not dict:
        return False
    for key, value in details.items():
        if type(key) is not str:
            return False
        if value is None:
            if key in _DETAIL_TYPES or key in _FLAG_KEYS:
                return False
        elif type(value) is str:
            if key in _DETAIL_TYPES and _DETAIL_TYPES[key] is not str:
                return False
            if key == "own_words" or key in _FLAG_KEYS:
                return False
        elif type(value) is bool:
            if key in _DETAIL_TYPES and _DETAIL_TYPES[key] is not bool:
                return False
            if key == "own_words" or key in _FLAG_KEYS:
                return False
        else:
            return False  # a number, a list, an object: the full look
    return True


def _check_answer(a: object, n: int) -> None:
    if type(a) is dict and _plain_answer(a):
        return
    where = f"answer {n + 1}"
    if not isinstance(a, dict):
        raise ValueError(f"{where} is not an object")
    for key in ("id", "kind", "question"):
        if not isinstance(a.get(key), str):
            raise ValueError(f"{where}: {key} is missing or not text")
    value: Any = a.get("answer")
    kind = a["kind"]
    wanted = _ANSWER_TYPES.get(kind)
    if value is not None and wanted is not None:
        if not _of_type(value, wanted) or (kind == "scale" and isinstance(value, bool)):
            raise ValueError(f"{where}: a {kind} answer of the wrong type")
        if kind == "scale" and not 0 <= value <= 10:
            raise ValueError(f"{where}: a scale answer outside 0 to 10")
        if wanted == (list,) and not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where}: a {kind} answer that is not a list of text")
        if kind == "guide" and not _guide_shaped(value):
            raise ValueError(f"{where}: a guide answer without its seconds and stop")
    _json_value(value, where)
    details = a.get("details")
    if details is None:
        return
    if not isinstance(details, dict):
        raise ValueError(f"{where}: details is not an object")
    for key, kind_of in _DETAIL_TYPES.items():
        if key in details and not isinstance(details[key], kind_of):
            raise ValueError(f"{where}: details.{key} of the wrong type")
    own = details.get("own_words")
    if own is not None and not (isinstance(own, list) and all(isinstance(w, str) for w in own)):
        raise ValueError(f"{where}: details.own_words is not a list of text")
    for key in ("flags", "kept_flags"):
        if key in details:
            _flags(details[key], f"{where}: details.{key}")
    _json_value(details, f"{where}: details")


def _written_at(value: object) -> datetime | None:
    """When an entry filled in later was written; None when absent or unreadable (a
    hand edit): that the entry was filled in later is worth less than the entry."""
    if not isinstance(value, str):
        return None
    try:
        return _moment(value, "written_at")
    except ValueError:
        return None


def _moment(text: str, key: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{key} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{key} has no timezone")
    try:  # created_at's UTC time names the file: it must be in the calendar too
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{key} is outside the calendar in UTC") from None
    return moment


def check_shape(data: object) -> datetime:
    """Raise ValueError saying what is wrong when `data` is not shaped like an entry;
    else its created_at. Every entry read from a file passes through here."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if not _is_int(data.get("schema_version")):
        raise ValueError("schema_version is missing or not a whole number")
    for key in ("id", "practice", "created_at"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ValueError(f"{key} is missing or not text")
    for key in ("refers_to", "app_version"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValueError(f"{key} is not text")
    if not isinstance(data.get("complete", True), bool):
        raise ValueError("complete is not true or false")
    created = _moment(data["created_at"], "created_at")
    # written_at is not checked here: a hand-edited one attune cannot read is left out
    # (see Entry.from_json), so the entry and its answers still show.
    answers = data.get("answers")
    if not isinstance(answers, list):
        raise ValueError("answers is missing or not a list")
    for n, a in enumerate(answers):
        _check_answer(a, n)
    return created
