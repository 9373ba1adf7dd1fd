"""Walk a practice with an asker and return the entry: the one flow every practice shares.

The engine knows nothing of terminals, files or Typer. It asks each step in
turn, skips what a condition rules out, drafts the text of `compose` steps,
checks every answer with the same rules whoever gave it, and hands back an
`Entry` for the store.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from attunecli import __version__, coach
from attunecli.answers import normalise
from attunecli.askers import MISSING, Asker
from attunecli.catalog import attachment, coach_text, cues, exercises, timed_closings
from attunecli.errors import Cancelled
from attunecli.models import JSON, Answer, Entry, Practice, Section, Step


def new_entry_id() -> str:
    """16 hex digits from the OS's random source: unique without any coordination."""
    return secrets.token_hex(8)


@dataclass
class Progress:
    """What has been answered so far: handed to `on_progress` after every step,
    and given back as `resume` to pick up where a stopped run left off."""

    started_at: datetime
    answers: list[Answer] = field(default_factory=list)
    skipped_sections: list[str] = field(default_factory=list)
    harm_noted: bool = False  # the note on fear or harm was said this run
    about: datetime | None = None  # filled in later (`--for`): the time it is about


@dataclass(frozen=True)
class RunOptions:
    now: Callable[[], datetime]
    attachment_style: str | None = None
    guide_minutes: float | None = None
    resume: Progress | None = None
    on_progress: Callable[[Progress], None] | None = None
    # Whether the finished entry will be followed by the support card; when it is,
    # the practice's closing line is left out (no upbeat line before a card).
    holds_closing: Callable[[Entry], bool] | None = None
    region: str | None = None  # whose help lines a note on fear or harm names
    about: datetime | None = None  # filled in later (`--for`): the time it is about


def _default_for(step: Step, local: dict[str, JSON]) -> JSON:
    if step.kind == "compose":
        return coach.compose(step.template, local, coach_text())
    return step.default


def _shown(step: Step, local: dict[str, JSON]) -> Step:
    """The step as it is asked: in the words that fit the answers so far, with the
    coach's hint as its help, and an `info` step's text drafted when it has a template."""
    step = step.shown(local)
    if step.hint:
        hint = coach.hint(step.hint, local, cues())
        step = replace(step, help=hint)
    if step.kind == "info" and step.template:
        step = replace(step, question=coach.compose(step.template, local, coach_text()))
    return step


def _reflection(local: dict[str, JSON]) -> str:
    """What the user said back in this practice, to lead a kinder draft of their reply."""
    said = local.get("reflection")
    if isinstance(said, str) and said:
        return coach.without_check(said, coach_text())
    return coach.compose("reflection_statement", local, coach_text())


def _review_reply(
    asker: Asker, step: Step, reply: str, local: dict[str, JSON], now: datetime
) -> tuple[str, dict[str, Any]]:
    """Check the reply; while the user rewrites it and the rewrite is flagged, look again."""
    from attunecli import replies

    reflection = _reflection(local)
    checked = replies.check(reply, reflection=reflection)
    if not checked.flags:
        return reply, {}
    details: dict[str, Any] = {
        "flags": [f.to_json() for f in checked.flags],
        "alternative": checked.alternative or "",
    }
    current = reply
    while True:
        flags = [f.to_json() for f in checked.flags]
        kept, _ = normalise(
            step, asker.review_reply(current, flags, checked.alternative or ""), now
        )
        if not isinstance(kept, str) or not kept or kept == current:
            break
        current = kept
        if kept == checked.alternative:
            break  # attune's own draft: nothing to look at again
        checked = replies.check(kept, reflection=reflection)
        if not checked.flags:
            break
    if current != reply:
        details["draft"] = reply
        if checked.flags and current != checked.alternative:
            details["kept_flags"] = [f.to_json() for f in checked.flags]
    return current, details


def _run_guide(
    asker: Asker, step: Step, local: dict[str, JSON], options: RunOptions
) -> tuple[str, JSON, dict[str, Any]]:
    """The guide's heading, its result and details. A guide asks nothing: it is
    headed by the exercise's name, and the instruction it shows (the step's help)
    is kept as `details.instruction`, only when the guide ran and so showed it."""
    exercise = exercises().get(str(local.get("exercise") or ""))
    if exercise is None:
        return step.question, None, {}
    minutes = options.guide_minutes or (
        float(step.default) if isinstance(step.default, int | float) else exercise.minutes
    )
    result = asker.guide(replace(exercise, instruction=step.help), minutes)
    if result is None:
        return exercise.label, None, {}
    details: dict[str, Any] = {"exercise": exercise.id}
    if step.help:
        details["instruction"] = step.help
    return exercise.label, result, details


def _minutes(seconds: int) -> str:
    whole = seconds // 60  # rounded down: never minutes that did not happen
    return "a minute" if whole == 1 else f"{whole} minutes"


def closing_words(practice: Practice, answers: list[Answer]) -> str:
    """The closing line; after a guide, one that fits the time actually practised."""
    timed = timed_closings(practice.id)
    ran = [
        a.answer
        for a in answers
        if a.kind == "guide" and isinstance(a.answer, dict) and a.answer.get("seconds") is not None
    ]
    if not timed or not ran:
        return practice.closing
    seconds = sum(int(r["seconds"]) for r in ran)
    if seconds < 60:
        return timed["short"]
    return timed["minutes"].format(minutes=_minutes(seconds))


# Practices with a question that asks what you did or how else to read the other
# person; for someone being frightened or hurt, those questions can train self-blame.
SELF_BLAME_RISK = ("curious", "repair", "repair-received", "checkin")


def _speaks_of_harm(value: JSON) -> bool:
    texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    words = [t for t in texts if isinstance(t, str) and t.strip()]
    if not words:
        return False
    from attunecli import crisis

    return "abuse" in crisis.concerns(words)


def harm_note(region: str | None) -> list[str]:
    """Said once in a practice when an answer speaks of fear or harm from someone close."""
    from attunecli import care

    return care.abuse_note(region)


def dated(entry: Entry, progress: Progress) -> Entry:
    """`entry` on the day it is about: filled in later, it begins then and keeps when it
    was written."""
    if progress.about is not None and progress.about < entry.created_at:
        entry.written_at, entry.created_at = entry.created_at, progress.about
    return entry


def run_practice(practice: Practice, asker: Asker, options: RunOptions) -> Entry:
    """Ask every step of `practice`; raise `Cancelled` on Ctrl-C, `UsageError` on bad input.

    With `options.resume`, answers already given are kept and not asked again.
    """
    progress = Progress(options.resume.started_at if options.resume else options.now())
    # A draft picked up stays on the day its answers were about (see session.run).
    progress.about = options.resume.about if options.resume else options.about
    record = progress.answers

    def entry(complete: bool) -> Entry:
        return dated(
            Entry(
                id=new_entry_id(),
                created_at=progress.started_at,
                practice=practice.id,
                answers=record,
                complete=complete,
                app_version=__version__,
            ),
            progress,
        )

    try:
        asker.say(practice.title, "title")
        if progress.about is not None:  # so a day filled in later is the day meant
            asker.say(f"For {progress.about:%a %d %b %Y, %H:%M}, filled in now.")
        asker.say(practice.intro)
        tip = coach.tip_for(options.attachment_style, practice.id, attachment())
        if tip:
            asker.say(tip, "tip")
        for section in practice.sections:
            _run_section(practice, section, asker, options, progress)
        asker.finish(practice)
    except KeyboardInterrupt:
        if not any(a.answer is not None for a in record):
            raise Cancelled(None, kept="nothing") from None
        choice = asker.when_stopped(drafts=options.on_progress is not None)
        if choice == "save":
            raise Cancelled(entry(complete=False), kept="entry") from None
        raise Cancelled(None, kept=choice) from None
    done = entry(complete=True)
    held = options.holds_closing is not None and options.holds_closing(done)
    closing = closing_words(practice, record)
    if closing and record and not held:
        asker.say(closing, "note")
    return done


def _run_section(
    practice: Practice,
    section: Section,
    asker: Asker,
    options: RunOptions,
    progress: Progress,
) -> None:
    record = progress.answers
    ids = [practice.answer_id(section, s) for s in section.steps]
    earlier = {a.id: a for a in options.resume.answers} if options.resume else {}
    skipped_before = set(options.resume.skipped_sections) if options.resume else set()

    def saved() -> None:
        if options.on_progress is not None:
            options.on_progress(progress)

    if section.skippable:
        if section.id in skipped_before:
            progress.skipped_sections.append(section.id)
            return
        started = any(aid in earlier for aid in ids)
        if not started and not asker.enter_section(section, ids):
            progress.skipped_sections.append(section.id)
            saved()
            return
    local: dict[str, JSON] = {}
    now = options.now()
    for base, answer_id in zip(section.steps, ids, strict=True):
        if base.when is not None and not base.when.holds(local):
            continue
        if base.not_after_harm and progress.harm_noted:
            continue
        if answer_id in earlier:  # answered before a stop: keep it, do not ask again
            local[base.id] = earlier[answer_id].answer
            record.append(earlier[answer_id])
            continue
        step = _shown(base, local)
        if step.kind == "info":
            if step.question:
                asker.say(step.question)
            continue
        question = step.question
        if step.kind == "guide":
            question, value, details = _run_guide(asker, step, local, options)
        else:
            draft = _default_for(step, local)
            raw = asker.ask(step, answer_id, draft)
            if raw is MISSING:
                continue
            value, details = normalise(step, raw, now)
            if step.kind == "compose" and value and value == draft:
                details = {**details, "drafted": True}
        if step.kind == "reply" and isinstance(value, str) and value:
            value, details = _review_reply(asker, step, value, local, now)
        if practice.id in SELF_BLAME_RISK and not progress.harm_noted and _speaks_of_harm(value):
            progress.harm_noted = True
            for line in harm_note(options.region):
                asker.say(line, "text")
        local[step.id] = value
        record.append(Answer(answer_id, step.kind, question, value, details))
        saved()
