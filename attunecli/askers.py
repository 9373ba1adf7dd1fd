"""Who answers a practice: the protocol, and the scripted asker for runs without a terminal.

The terminal asker lives in `terminal.py` so that questionary is imported only
when someone is actually at a keyboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from attunecli.catalog import Exercise
from attunecli.errors import MissingAnswers, UsageError
from attunecli.models import JSON, KINDS, Practice, Section, Step

MISSING = object()
"""What `ScriptedAsker.ask` returns for a required answer nobody gave."""

START_OVER, THROW_AWAY = -1, -2
"""What `choose_draft` returns besides a draft's place in the list: start afresh and keep
the drafts for another time, or start afresh and throw them away."""


class Asker(Protocol):
    interactive: bool

    def say(self, text: str, kind: str = "text") -> None:
        """Show a line (intro, tip, info step, closing); kind: title, text, tip, note."""

    def enter_section(self, section: Section, answer_ids: list[str]) -> bool:
        """Whether to do a skippable section."""
        ...

    def ask(self, step: Step, answer_id: str, default: JSON) -> JSON:
        """The raw answer to `step`; the engine checks and tidies it."""
        ...

    def review_reply(self, reply: str, flags: list[dict[str, str]], alternative: str) -> str:
        """After the coach flagged a reply: the reply the user wants to keep."""
        ...

    def guide(self, exercise: Exercise, minutes: float) -> dict[str, JSON] | None:
        """Run the live guide; None when it did not run."""
        ...

    def when_stopped(self, *, drafts: bool) -> str:
        """After Ctrl-C: "draft" (finish later; only offered with `drafts`), "save" what
        was answered as an entry, or "discard" it."""
        ...

    def resume_draft(self, summary: str) -> bool:
        """Whether to pick up an unfinished draft (False: start over)."""
        ...

    def choose_draft(self, summaries: list[str]) -> int:
        """Which of the unfinished drafts (summaries, newest first) to pick up: its index,
        or START_OVER (they are kept) or THROW_AWAY (they are deleted)."""
        ...

    def finish(self, practice: Practice) -> None:
        """Called once the practice has been walked; may raise."""


class ScriptedAsker:
    """Answers from a mapping of answer id to value (options and `--answers` JSON).

    It never blocks and never prints. A required answer that is missing is
    noted and reported, all together, by `finish`, so the user learns every
    missing option at once.
    """

    interactive = False

    def __init__(self, answers: Mapping[str, JSON], *, flags: Mapping[str, str]) -> None:
        self.answers = dict(answers)
        self.flags = dict(flags)  # answer id -> option name, for error messages
        self.missing: list[str] = []
        self.asked: set[str] = set()
        self.entered_any = False
        self._first_required: list[str] = []

    def say(self, text: str, kind: str = "text") -> None:
        return None

    def enter_section(self, section: Section, answer_ids: list[str]) -> bool:
        if not self._first_required:
            self._first_required = [
                aid
                for aid, step in zip(answer_ids, section.steps, strict=True)
                if not step.optional
                and KINDS[step.kind].stores
                and not KINDS[step.kind].filled_by_attune
                and step.default is None
                and step.when is None
            ]
        given = any(aid in self.answers for aid in answer_ids)
        self.entered_any = self.entered_any or given
        return given

    def _name(self, answer_id: str) -> str:
        flag = self.flags.get(answer_id)
        return f"--{flag}" if flag else f'"{answer_id}"'

    def _describe(self, answer_id: str) -> str:
        flag = self.flags.get(answer_id)
        where = f'"{answer_id}" in --answers'
        return f"{answer_id} (--{flag}, or {where})" if flag else f"{answer_id} ({where})"

    def ask(self, step: Step, answer_id: str, default: JSON) -> JSON:
        self.asked.add(answer_id)
        if answer_id in self.answers:
            return self.answers[answer_id]
        if default is not None or step.optional or KINDS[step.kind].filled_by_attune:
            return default
        self.missing.append(self._describe(answer_id))
        return MISSING

    def review_reply(self, reply: str, flags: list[dict[str, str]], alternative: str) -> str:
        return reply

    def guide(self, exercise: Exercise, minutes: float) -> dict[str, JSON] | None:
        return None

    def when_stopped(self, *, drafts: bool) -> str:
        return "discard"

    def resume_draft(self, summary: str) -> bool:
        return False  # scripts say --resume or --discard

    def choose_draft(self, summaries: list[str]) -> int:
        return START_OVER  # scripts say --resume or --discard

    def finish(self, practice: Practice) -> None:
        if not self.entered_any and any(s.skippable for s in practice.sections):
            self.missing.extend(self._describe(a) for a in self._first_required)
        if self.missing:
            raise MissingAnswers(self.missing)
        unused = [aid for aid in self.answers if aid not in self.asked]
        if unused:
            # A given answer is never dropped in silence: it belongs to a step a
            # condition skipped (for example --sensation without --body).
            conditions = {
                practice.answer_id(sec, st): st.when.step
                for sec, st in practice.steps()
                if st.when is not None
            }
            why = [
                f"{self._name(aid)} applies only when {conditions[aid]} is answered"
                if aid in conditions
                else f"{self._name(aid)} was not asked"
                for aid in unused
            ]
            raise UsageError("; ".join(why))


class PrefilledAsker:
    """A terminal asker that skips the questions already answered by options or `--answers`."""

    interactive = True

    def __init__(self, given: Mapping[str, JSON], inner: Asker) -> None:
        self.given = dict(given)
        self.inner = inner

    def say(self, text: str, kind: str = "text") -> None:
        self.inner.say(text, kind)

    def enter_section(self, section: Section, answer_ids: list[str]) -> bool:
        if any(aid in self.given for aid in answer_ids):
            return True
        return self.inner.enter_section(section, answer_ids)

    def ask(self, step: Step, answer_id: str, default: JSON) -> JSON:
        if answer_id in self.given:
            return self.given[answer_id]
        return self.inner.ask(step, answer_id, default)

    def review_reply(self, reply: str, flags: list[dict[str, str]], alternative: str) -> str:
        return self.inner.review_reply(reply, flags, alternative)

    def guide(self, exercise: Exercise, minutes: float) -> dict[str, JSON] | None:
        return self.inner.guide(exercise, minutes)

    def when_stopped(self, *, drafts: bool) -> str:
        return self.inner.when_stopped(drafts=drafts)

    def resume_draft(self, summary: str) -> bool:
        return self.inner.resume_draft(summary)

    def choose_draft(self, summaries: list[str]) -> int:
        return self.inner.choose_draft(summaries)

    def finish(self, practice: Practice) -> None:
        self.inner.finish(practice)
