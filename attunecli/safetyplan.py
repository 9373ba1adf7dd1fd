"""A personal safety plan: the Stanley–Brown steps, each a list of items in the person's words.

The plan is one JSON file in the data dir (`safety-plan.json`, 0600, written
atomically), beside `entries/` and never inside it: the store, the index,
insights, history, search and export never see it. A file attune cannot read is
reported in one line and left exactly as it is; only `--clear` (after asking)
removes it.

While it is being written at a terminal, the steps walked so far are kept after
every item as an ordinary draft (`drafts.py`, practice "safety-plan"), so
Ctrl-C loses nothing and `attune safety-plan --resume` picks up where it stopped.

Nothing here imports Typer, Rich or questionary: the walk asks through any
object with the asker's `say` and `ask` (the terminal asker, or a test's).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from attunecli.errors import AttuneError, UsageError
from attunecli.models import JSON, Answer, Option
from attunecli.models import Step as Prompt
from attunecli.plain import literal

if TYPE_CHECKING:
    from attunecli.drafts import Draft
    from attunecli.paths import Paths

FILE_NAME = "safety-plan.json"
PLAN_VERSION = 1
DRAFT_NAME = "safety-plan"  # the draft's "practice", so doctor and forget know it too
MAX_ITEM = 10_000  # characters, as for any free-text answer (answers.MAX_TEXT)
KEEP, ADD, CHANGE = "keep", "add", "change"


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    about: str  # what the step is for, shown before it is asked
    question: str  # the prompt for its first item
    example: str = ""


@cache
def text() -> dict[str, Any]:
    """Everything `content/safety_plan.toml` says, as loaded (steps included)."""
    raw = resources.files("attunecli.content").joinpath("safety_plan.toml")
    return tomllib.loads(raw.read_text(encoding="utf-8"))


@cache
def steps() -> tuple[Step, ...]:
    return tuple(
        Step(
            id=str(s["id"]),
            title=str(s["title"]),
            about=str(s["about"]),
            question=str(s["question"]),
            example=str(s.get("example", "")),
        )
        for s in text()["step"]
    )


def step_ids() -> tuple[str, ...]:
    return tuple(s.id for s in steps())


@dataclass
class Plan:
    """Every step's items, in the content's order; `updated_at` is when it was last saved."""

    updated_at: datetime | None
    items: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.items = {sid: list(self.items.get(sid, [])) for sid in step_ids()}

    def is_empty(self) -> bool:
        return not any(self.items.values())


def plan_path(paths: Paths) -> Path:
    """Where the plan lives: the data dir, next to (never inside) `entries/`."""
    return paths.data / FILE_NAME


# items


def clean_item(value: str) -> str:
    """One item as kept: its words, with runs of spaces and line breaks made one space."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("not valid text (a byte that is not UTF-8?)") from None
    item = " ".join(value.split())
    if len(item) > MAX_ITEM:
        raise UsageError(f"an item of at most {MAX_ITEM} characters, got {len(item)}")
    return item


def _clean_list(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        item = clean_item(v)
        if item and item not in out:
            out.append(item)
    return out


# the plan as JSON


def to_json(plan: Plan) -> dict[str, JSON]:
    """{"updated_at": ISO time or null, "steps": [{"id", "title", "items"}, ...]}."""
    return {
        "updated_at": (
            plan.updated_at.isoformat(timespec="seconds") if plan.updated_at is not None else None
        ),
        "steps": [{"id": s.id, "title": s.title, "items": list(plan.items[s.id])} for s in steps()],
    }


def _from_json(data: object) -> Plan:
    """The plan in a file's JSON; ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    version = data.get("plan_version")
    if version != PLAN_VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > PLAN_VERSION:
            raise ValueError(f"written by a newer attune (plan_version {version})")
        raise ValueError(f"unknown plan_version {str(version)[:20]!r}")
    updated_at: datetime | None = None
    if data.get("updated_at") is not None:
        if not isinstance(data["updated_at"], str):
            raise ValueError("updated_at is not a time")
        updated_at = datetime.fromisoformat(data["updated_at"])
        if updated_at.tzinfo is None:
            raise ValueError("updated_at has no time zone")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list):
        raise ValueError("steps is not a list")
    known = set(step_ids())
    items: dict[str, list[str]] = {}
    for s in raw_steps:
        if not isinstance(s, dict) or not isinstance(s.get("id"), str):
            raise ValueError("a step without an id")
        sid = s["id"]
        if sid not in known:
            raise ValueError(f"unknown step {sid[:40]!r}")
        if sid in items:
            raise ValueError(f"step {sid!r} is there twice")
        values = s.get("items")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(f"the items of {sid!r} are not a list of text")
        items[sid] = list(values)
    return Plan(updated_at, items)


def load(path: Path) -> Plan | None:
    """The plan at `path`, or None when there is none.

    A file that cannot be read is an `AttuneError` (one line, exit 1) and is left
    exactly as it is: nothing is ever written over a plan attune did not understand.
    """
    from attunecli.fsutil import read_regular

    try:
        raw = read_regular(path)  # a FIFO in its place is an error, never a wait
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AttuneError(
            f"could not read your safety plan at {path}: {exc.strerror or exc}"
        ) from None
    try:
        return _from_json(json.loads(raw.decode("utf-8")))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        why = " ".join(str(exc).split())[:120]
        raise AttuneError(
            f"your safety plan at {path} cannot be read ({why}); it is left as it is. "
            "Move it aside (or `attune safety-plan --clear`) to start a new one"
        ) from None


def save(path: Path, plan: Plan) -> None:
    """Write the plan atomically, owner-only (0600 in a 0700 folder); AttuneError if it fails."""
    from attunecli.fsutil import write_atomic

    data = {"plan_version": PLAN_VERSION, **to_json(plan)}
    try:
        write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    except OSError as exc:
        raise AttuneError(
            f"could not save your safety plan to {path}: {exc.strerror or exc}"
        ) from None


def merge(plan: Plan | None, given: Mapping[str, Sequence[str]], now: datetime) -> Plan:
    """`plan` with the steps in `given` replaced (the others kept), saved `now`."""
    items = dict(plan.items) if plan is not None else {}
    for sid, values in given.items():
        items[sid] = list(values)
    return Plan(now, items)


def clear(path: Path) -> bool:
    """Delete the plan file; whether there was one."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise AttuneError(f"could not delete {path}: {exc.strerror or exc}") from None
    return True


# showing


def heading(plan: Plan) -> str:
    """ "Your safety plan (last changed ...)", the line `--show` puts above `lines`."""
    title = str(text()["title"])
    if plan.updated_at is None:
        return title
    return f"{title} (last changed {plan.updated_at:%a %d %b %Y %H:%M})"


def lines(plan: Plan, *, skip_empty: bool = False) -> list[str]:
    """The plan to read, without a heading: each step and its items, a blank line between.

    User text is made literal (control characters visible). An empty step says
    so, unless `skip_empty`.
    """
    out: list[str] = []
    for n, s in enumerate(steps(), start=1):
        values = plan.items[s.id]
        if not values and skip_empty:
            continue
        out += [""] if out else []
        out.append(f"{n}. {s.title}")
        out += [f"   - {literal(v)}" for v in values] if values else [f"   {text()['empty_step']}"]
    return out


# scripted answers


def read_answers(source: str, stdin_text: Callable[[], str]) -> dict[str, list[str]]:
    """The steps given with `--answers FILE` or `--answers -`, checked (UsageError if not)."""
    from attunecli.answers import read_json_answers

    return parse_answers(read_json_answers(source, stdin_text))


def parse_answers(data: object) -> dict[str, list[str]]:
    """{"step_id": ["item", ...]} (or `--json` output, or a plan file) -> items by step id.

    A step given replaces that step ([] empties it); steps not given are left out.
    """
    if isinstance(data, dict) and "steps" in data and set(data) <= _PLAN_KEYS:
        data = _steps_from_export(data["steps"])
    if not isinstance(data, dict):
        raise UsageError(
            '--answers: expected a JSON object of lists keyed by step id, like {"warning_signs": '
            '["..."]}'
        )
    known = step_ids()
    given: dict[str, list[str]] = {}
    for key, values in data.items():
        if key not in known:
            raise UsageError(
                f"--answers: unknown step id {str(key)[:40]!r}; known: {', '.join(known)}"
            )
        if not isinstance(values, list):
            raise UsageError(
                f"--answers: {key} must be a list of text, one item each "
                f"(got {_kind(values)}; [] empties the step)"
            )
        for i, v in enumerate(values, start=1):
            if not isinstance(v, str):
                raise UsageError(f"--answers: {key} item {i} must be text, got {_kind(v)}")
        try:
            given[key] = _clean_list(values)
        except UsageError as exc:
            raise UsageError(f"--answers: {key}: {exc.message}") from None
    return {sid: given[sid] for sid in known if sid in given}


_PLAN_KEYS = {"steps", "updated_at", "plan_version"}  # `--json` output, or the plan file


def _steps_from_export(raw: object) -> dict[str, object]:
    if not isinstance(raw, list):
        raise UsageError("--answers: steps must be a list of {id, items}")
    out: dict[str, object] = {}
    for s in raw:
        if not isinstance(s, dict) or not isinstance(s.get("id"), str) or "items" not in s:
            raise UsageError("--answers: each of steps must be an object with id and items")
        out[s["id"]] = s["items"]
    return out


def _kind(value: object) -> str:
    names = {dict: "an object", str: "text", bool: "true or false", type(None): "null"}
    for t, name in names.items():
        if type(value) is t:
            return name
    return "a number" if isinstance(value, int | float) else type(value).__name__


# the walk, at a terminal


class Asker(Protocol):
    """What the walk needs of an asker (`terminal.TerminalAsker` has both)."""

    def say(self, text: str, kind: str = "text") -> None: ...

    def ask(self, step: Prompt, answer_id: str, default: JSON) -> JSON: ...


@dataclass
class Progress:
    """The steps walked so far, and the one being walked, as a draft keeps them."""

    started_at: datetime
    done: dict[str, list[str]] = field(default_factory=dict)  # steps walked to the end
    current: str | None = None  # the step being walked
    working: list[str] = field(default_factory=list)  # its items so far

    def started(self) -> bool:
        """Whether this is a stopped walk picked up again (or one under way)."""
        return bool(self.done) or self.current is not None

    def result(self, plan: Plan | None) -> dict[str, list[str]]:
        """Every step walked (a half-walked one as it stands), to merge over `plan`."""
        out = dict(self.done)
        if self.current is not None and self.current not in out:
            out[self.current] = list(self.working)
        return out


def to_draft(progress: Progress) -> Draft:
    from attunecli.drafts import Draft

    titles = {s.id: s.title for s in steps()}
    answers = [Answer(sid, "list", titles[sid], list(v)) for sid, v in progress.done.items()]
    if progress.current is not None and progress.current not in progress.done:
        answers.append(
            Answer(
                progress.current,
                "list",
                titles[progress.current],
                list(progress.working),
                {"partial": True},
            )
        )
    return Draft(DRAFT_NAME, False, progress.started_at, answers)


def from_draft(draft: Draft) -> Progress:
    """A stopped walk, from its draft; AttuneError when the draft is not one of ours."""
    known = set(step_ids())
    progress = Progress(draft.started_at)
    for a in draft.answers:
        ok = isinstance(a.answer, list) and all(isinstance(v, str) for v in a.answer)
        if a.id not in known or not ok:
            raise AttuneError(
                "the unfinished safety plan cannot be read; it is left as it is "
                "(`attune safety-plan --discard` throws it away)"
            )
        if a.details.get("partial"):
            progress.current, progress.working = a.id, list(a.answer)
        else:
            progress.done[a.id] = list(a.answer)
    return progress


def draft_summary(draft: Draft) -> str:
    """What a stopped walk holds, for the question whether to pick it up."""
    done = sum(1 for a in draft.answers if not a.details.get("partial"))
    return f"{done} of {len(steps())} steps done, started {draft.started_at:%a %d %b %H:%M}"


def walk(
    plan: Plan | None,
    asker: Asker,
    progress: Progress,
    on_change: Callable[[Progress], None],
) -> dict[str, list[str]]:
    """Walk every step not yet done, showing what is there to keep, add to or change.

    `on_change` is called after every item and every step (to keep the draft).
    Ctrl-C raises KeyboardInterrupt with `progress` as it stands. Returns the
    items of every step walked, to `merge` over `plan`.
    """
    t = text()
    asker.say(t["title"], "title")
    if not progress.started():  # a walk picked up again: they have read it
        asker.say(t["intro"])
    asker.say(t["urgent"], "note")
    all_steps = steps()
    for n, s in enumerate(all_steps, start=1):
        if s.id in progress.done:
            continue
        if progress.current != s.id:
            progress.current = s.id
            progress.working = list(plan.items[s.id]) if plan is not None else []
        asker.say(f"Step {n} of {len(all_steps)}: {s.title}", "title")
        progress.done[s.id] = _walk_step(s, asker, progress, on_change)
        progress.current, progress.working = None, []
        on_change(progress)
    asker.say(t["closing"], "note")
    return progress.result(plan)


def _typed(raw: JSON) -> str:
    return clean_item(raw) if isinstance(raw, str) else ""


def _walk_step(
    s: Step, asker: Asker, progress: Progress, on_change: Callable[[Progress], None]
) -> list[str]:
    t = text()
    items = progress.working
    asker.say(s.about)
    if items:
        asker.say(t["already"])
        for item in items:
            asker.say(f"  - {literal(item)}")
        choice = asker.ask(
            Prompt(
                id=s.id,
                kind="choice",
                question=t["keep_question"],
                options=(
                    Option(KEEP, t["keep"]),
                    Option(ADD, t["add"]),
                    Option(CHANGE, t["change"]),
                ),
            ),
            s.id,
            KEEP,
        )
        if choice not in (ADD, CHANGE):
            return list(items)
        if choice == CHANGE:
            edit = Prompt(s.id, "text", t["edit_question"], help=t["edit_help"], optional=True)
            before, reviewed = list(items), []
            for i, item in enumerate(before):
                kept = _typed(asker.ask(edit, s.id, item))
                if kept and kept not in reviewed:
                    reviewed.append(kept)
                # what is not looked at yet stays, so a stop here loses nothing
                progress.working = items = reviewed + [
                    v for v in before[i + 1 :] if v not in reviewed
                ]
                on_change(progress)
    elif s.example:
        asker.say(s.example, "note")
    first = not items
    while True:
        prompt = Prompt(
            s.id,
            "text",
            s.question if first else t["another"],
            help=t["first_item"] if first else t["another_help"],
            optional=True,
        )
        item = _typed(asker.ask(prompt, s.id, None))
        if not item:
            return list(items)
        if item not in items:
            progress.working = items = [*items, item]
            on_change(progress)
        first = False
