"""Walk a practice with an asker and return the entry: the one flow every practice shares.

The engine knows nothing of terminals, files or Typer. It asks each step in
turn, skips what a condition rules out, drafts the text of `compose` steps,
checks every answer with the same rules whoever gave it, and hands back an
`Entry` for the store.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from attunecli import __version__, coach
from attunecli.answers import normalise
from attunecli.askers import MISSING, Asker
from attunecli.catalog import attachment, coach_text, exercises
from attunecli.errors import Cancelled
from attunecli.models import JSON, Answer, Entry, Practice, Section, Step


def new_entry_id() -> str:
    """16 hex digits from the OS's random source: unique without any coordination."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class RunOptions:
    now: Callable[[], datetime]
    attachment_style: str | None = None
    guide_minutes: float | None = None


def _default_for(step: Step, local: dict[str, JSON]) -> JSON:
    if step.kind == "compose":
        return coach.compose(step.template, local, coach_text())
    return step.default


def _reply_details(reply: str, local: dict[str, JSON]) -> tuple[list[dict[str, str]], str]:
    flags = coach.flag_reply(reply, coach_text()["reply_pattern"])
    if not flags:
        return [], ""
    reflection = local.get("reflection") or coach.compose("reflection", local, coach_text())
    return [f.to_json() for f in flags], coach.alternative_reply(flags, str(reflection))


def _run_guide(
    asker: Asker, step: Step, local: dict[str, JSON], options: RunOptions
) -> tuple[JSON, dict[str, Any]]:
    exercise = exercises().get(str(local.get("exercise") or ""))
    if exercise is None:
        return None, {}
    minutes = options.guide_minutes or (
        float(step.default) if isinstance(step.default, int | float) else exercise.minutes
    )
    result = asker.guide(exercise, minutes)
    return result, ({"exercise": exercise.id} if result is not None else {})


def run_practice(practice: Practice, asker: Asker, options: RunOptions) -> Entry:
    """Ask every step of `practice`; raise `Cancelled` on Ctrl-C, `UsageError` on bad input."""
    started = options.now()
    record: list[Answer] = []

    def entry(complete: bool) -> Entry:
        return Entry(
            id=new_entry_id(),
            created_at=started,
            practice=practice.id,
            answers=record,
            complete=complete,
            app_version=__version__,
        )

    try:
        asker.say(practice.title, "title")
        asker.say(practice.intro)
        tip = coach.tip_for(options.attachment_style, practice.id, attachment())
        if tip:
            asker.say(tip, "tip")
        for section in practice.sections:
            _run_section(practice, section, asker, options, record)
        asker.finish(practice)
    except KeyboardInterrupt:
        answered = [a for a in record if a.answer is not None]
        if answered and asker.keep_partial():
            raise Cancelled(entry(complete=False)) from None
        raise Cancelled(None) from None
    if practice.closing and record:
        asker.say(practice.closing, "note")
    return entry(complete=True)


def _run_section(
    practice: Practice,
    section: Section,
    asker: Asker,
    options: RunOptions,
    record: list[Answer],
) -> None:
    ids = [practice.answer_id(section, s) for s in section.steps]
    if section.skippable and not asker.enter_section(section, ids):
        return
    local: dict[str, JSON] = {}
    now = options.now()
    for step, answer_id in zip(section.steps, ids, strict=True):
        if step.when is not None and not step.when.holds(local):
            continue
        if step.kind == "info":
            asker.say(step.question)
            continue
        if step.kind == "guide":
            value, details = _run_guide(asker, step, local, options)
        else:
            raw = asker.ask(step, answer_id, _default_for(step, local))
            if raw is MISSING:
                continue
            value, details = normalise(step, raw, now)
        if step.kind == "reply" and isinstance(value, str) and value:
            flags, alternative = _reply_details(value, local)
            if flags:
                details = {"flags": flags, "alternative": alternative}
                kept, _ = normalise(step, asker.review_reply(value, flags, alternative), now)
                if kept and kept != value:
                    details["draft"] = value
                    value = kept
        local[step.id] = value
        record.append(Answer(answer_id, step.kind, step.question, value, details))
