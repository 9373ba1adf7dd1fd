"""The asker for a person at a terminal: questionary prompts, drawn on stderr.

questionary (and prompt_toolkit under it) are imported here only, so commands
that never prompt do not pay for them. Every prompt uses `unsafe_ask`, which
lets Ctrl-C through as KeyboardInterrupt (`ask` would swallow it and go on).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import questionary
from prompt_toolkit import print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.output import create_output
from questionary import Choice, Separator

from attunecli.answers import normalise, parse_date
from attunecli.catalog import QUADRANT_LABELS, QUADRANTS, Exercise
from attunecli.errors import UsageError
from attunecli.models import JSON, Option, Practice, Section, Step

if TYPE_CHECKING:
    from datetime import datetime

    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output
    from rich.console import Console

OWN = "\0own"
BACK = "\0back"
OTHER = "\0other"

STYLE = questionary.Style(
    [
        ("qmark", "fg:ansicyan"),
        ("question", "bold"),
        ("instruction", "fg:ansibrightblack"),
        ("title", "bold"),
        ("tip", "fg:ansicyan italic"),
        ("note", "fg:ansibrightblack"),
        ("flag", "fg:ansiyellow"),
        ("alt", "fg:ansigreen"),
    ]
)


class TerminalAsker:
    interactive = True

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        console: Callable[[], Console],
        input: Input | None = None,
        output: Output | None = None,
        guide_enabled: bool = True,
        color: bool = True,
    ) -> None:
        self.now = now
        self._console = console
        self.input = input
        self.output = output or create_output(stdout=sys.stderr)
        self.guide_enabled = guide_enabled
        self.kw: dict[str, Any] = {
            "input": input,
            "output": self.output,
            "style": STYLE,
            "qmark": "›",
        }
        if not color:
            self.kw["style"] = questionary.Style([])

    # showing
    def say(self, text: str, kind: str = "text") -> None:
        if kind == "title":
            parts = [("", "\n"), ("class:title", text)]
        elif kind == "tip":
            parts = [("class:tip", "Tip: " + text)]
        elif kind in ("note", "flag", "alt"):
            parts = [(f"class:{kind}", text)]
        else:
            parts = [("", text)]
        print_formatted_text(FormattedText(parts), output=self.output, style=self.kw["style"])

    # asking
    def _checked(self, step: Step) -> Callable[[str], bool | str]:
        def check(value: str) -> bool | str:
            try:
                normalise(step, value, self.now())
            except UsageError as exc:
                return exc.message.partition(": ")[2] or exc.message
            return True

        return check

    def _text(self, step: Step, default: JSON, question: str | None = None) -> str:
        answer: str = questionary.text(
            question or step.question,
            default="" if default is None else str(default),
            instruction=(step.help or ("(Enter to skip)" if step.optional else None)),
            validate=self._checked(step),
            **self.kw,
        ).unsafe_ask()
        return answer

    def enter_section(self, section: Section, answer_ids: list[str]) -> bool:
        go: bool = questionary.confirm(
            section.title, default=True, instruction="(Enter to begin, n to skip) ", **self.kw
        ).unsafe_ask()
        return go

    def ask(self, step: Step, answer_id: str, default: JSON) -> JSON:
        kind = step.kind
        if kind in ("text", "compose", "reply"):
            return self._text(step, default)
        if kind == "scale":
            hint = f"({step.min} {step.low_label}, {step.max} {step.high_label})"
            return questionary.text(
                step.question,
                default="" if default is None else str(default),
                instruction=hint if not step.optional else hint + " Enter to skip",
                validate=self._checked(step),
                **self.kw,
            ).unsafe_ask()
        if kind == "date":
            today = self.now().date()

            def valid_date(v: str) -> bool | str:
                if not v.strip():
                    return True if step.optional else "a date is needed"
                try:
                    parse_date(v, today)
                except UsageError as exc:
                    return exc.message
                return True

            return questionary.text(
                step.question,
                default="" if default is None else str(default),
                instruction=f"({step.help})" if step.help else None,
                validate=valid_date,
                **self.kw,
            ).unsafe_ask()
        if kind == "confirm":
            return questionary.confirm(step.question, default=bool(default), **self.kw).unsafe_ask()
        if kind == "choice":
            return self._select(step, step.options, default)
        if kind == "multi":
            return self._multi(step, step.options)
        if kind == "feeling":
            return self._feeling(step)
        if kind == "feelings":
            return self._feelings(step)
        raise ValueError(f"cannot ask a step of kind {kind}")

    def _select(self, step: Step, options: tuple[Option, ...], default: JSON) -> JSON:
        choices = [Choice(o.label, value=o.value, description=o.description) for o in options]
        if step.optional:
            choices.append(Choice("Skip", value=None))
        values = [o.value for o in options]
        return questionary.select(
            step.question,
            choices=choices,
            default=default if default in values else None,
            instruction=step.help or "(arrow keys, Enter to choose)",
            **self.kw,
        ).unsafe_ask()

    def _own_words(self, step: Step) -> list[str]:
        text: str = questionary.text(
            "In your own words (separate several with commas):", **self.kw
        ).unsafe_ask()
        return [w.strip() for w in text.split(",") if w.strip()]

    def _multi(self, step: Step, options: tuple[Option, ...]) -> list[str]:
        choices: list[Any] = [
            Choice(o.label, value=o.value, description=o.description) for o in options
        ]
        if step.allow_other:
            choices.append(Choice("Something else…", value=OTHER))

        def enough(picked: list[str]) -> bool | str:
            return bool(picked) or step.optional or "pick at least one (Space to tick)"

        picked: list[str] = questionary.checkbox(
            step.question,
            choices=choices,
            instruction=(step.help + " " if step.help else "") + "(Space to tick, Enter when done)",
            validate=enough,
            **self.kw,
        ).unsafe_ask()
        if OTHER in picked:
            picked = [p for p in picked if p != OTHER] + self._own_words(step)
        return picked

    def _feeling(self, step: Step) -> str:
        while True:
            quadrant = questionary.select(
                step.question,
                choices=[Choice(QUADRANT_LABELS[q], value=q) for q in QUADRANTS]
                + [Choice("A word of my own", value=OWN)],
                instruction=step.help or "First, what kind of feeling is it?",
                **self.kw,
            ).unsafe_ask()
            if quadrant == OWN:
                word: str = questionary.text(
                    "Your word:",
                    validate=lambda v: bool(v.strip()) or "a word is needed",
                    **self.kw,
                ).unsafe_ask()
                return word
            choices: list[Any] = [
                Choice(o.label, value=o.value, description=o.description)
                for o in step.options
                if o.group == quadrant
            ]
            choices += [
                Separator(),
                Choice("A word of my own", value=OWN),
                Choice("Back to the kinds of feeling", value=BACK),
            ]
            picked = questionary.select(
                "Which word fits best?",
                choices=choices,
                instruction="(type to filter, arrows to move, Enter to choose)",
                use_search_filter=True,
                use_jk_keys=False,
                **self.kw,
            ).unsafe_ask()
            if picked == BACK:
                continue
            if picked == OWN:
                own: str = questionary.text(
                    "Your word:",
                    validate=lambda v: bool(v.strip()) or "a word is needed",
                    **self.kw,
                ).unsafe_ask()
                return own
            return str(picked)

    def _feelings(self, step: Step) -> list[str]:
        kinds: list[str] = questionary.checkbox(
            step.question,
            choices=[Choice(QUADRANT_LABELS[q], value=q) for q in QUADRANTS],
            instruction=(step.help + " " if step.help else "")
            + "First, which kinds? (Space to tick)",
            validate=lambda picked: bool(picked) or "pick at least one kind",
            **self.kw,
        ).unsafe_ask()
        options = tuple(o for o in step.options if o.group in kinds)
        words_step = Step(
            id=step.id,
            kind="multi",
            question="Which words fit?",
            allow_other=True,
            optional=step.optional,
        )
        return self._multi(words_step, options)

    def review_reply(self, reply: str, flags: list[dict[str, str]], alternative: str) -> str:
        for f in flags:
            quoted = f"\u201c{f['phrase']}\u201d"
            self.say(f"That reply may come across as {f['kind']} ({quoted}). {f['note']}", "flag")
        self.say("Another way to say it: " + alternative, "alt")
        choice = questionary.select(
            "Which would you like to keep?",
            choices=[
                Choice("The other way", value="alt"),
                Choice("Mine, as I wrote it", value="mine"),
                Choice("Let me rewrite it", value="edit"),
            ],
            **self.kw,
        ).unsafe_ask()
        if choice == "alt":
            return alternative
        if choice == "edit":
            edited: str = questionary.text(
                "Your reply:", default=alternative, **self.kw
            ).unsafe_ask()
            return edited
        return reply

    def guide(self, exercise: Exercise, minutes: float) -> dict[str, JSON] | None:
        if not self.guide_enabled:
            return None
        from attunecli.guide import run_guide

        self.say(exercise.about, "note")
        return run_guide(exercise, minutes, self._console())

    def keep_partial(self) -> bool:
        try:
            keep: bool = questionary.confirm(
                "Stopped. Keep what you've answered so far?", default=False, **self.kw
            ).unsafe_ask()
        except (KeyboardInterrupt, EOFError):
            return False
        return keep

    def finish(self, practice: Practice) -> None:
        return None
