"""The asker for a person at a terminal: questionary prompts, drawn on stderr (see `prompt_stream`).

questionary (and prompt_toolkit under it) are imported here only, so commands
that never prompt do not pay for them. Every prompt uses `unsafe_ask`, which
lets Ctrl-C through as KeyboardInterrupt (`ask` would swallow it and go on);
Ctrl-D (end of input) is treated the same way, as a wish to stop.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

import questionary
from prompt_toolkit import print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.output import ColorDepth, create_output
from prompt_toolkit.output.vt100 import Vt100_Output
from questionary import Choice, Separator

from attunecli.answers import normalise, parse_date
from attunecli.askers import START_OVER, THROW_AWAY
from attunecli.catalog import Exercise
from attunecli.errors import UsageError
from attunecli.labels import QUADRANT_LABELS, QUADRANTS
from attunecli.models import JSON, Option, Practice, Section, Step

if TYPE_CHECKING:
    from datetime import datetime

    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output
    from questionary import Question
    from rich.console import Console

OWN = "\0own"
BACK = "\0back"
OTHER = "\0other"
SKIP = "\0skip"
"""questionary uses a choice's title as its value when the value is None: hence a sentinel."""

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


def _isatty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, AttributeError):
        return False


def prompt_stream() -> TextIO:
    """Where prompts are drawn: stderr, unless it is redirected and stdout is the terminal.

    With `attune checkin 2>log` the prompts would otherwise go into the log as
    plain text, and the person at the keyboard would face a blank screen.
    """
    if not _isatty(sys.stderr) and _isatty(sys.stdout):
        return sys.stdout
    return sys.stderr


class _UnstyledOutput(Vt100_Output):
    """A terminal output that never sends colour, bold or any other attribute code.

    For TERM=dumb and plain mode (screen readers): a monochrome colour depth alone
    still sends bold, and questionary merges its own bold styles under ours.
    """

    def set_attributes(self, attrs: Any, color_depth: ColorDepth) -> None:
        return None

    def reset_attributes(self) -> None:
        return None


def _unstyled(output: Output) -> Output:
    if isinstance(output, Vt100_Output) and not isinstance(output, _UnstyledOutput):
        return _UnstyledOutput(
            output.stdout,
            output.get_size,
            term=output.term,
            default_color_depth=ColorDepth.DEPTH_1_BIT,
            enable_bell=output.enable_bell,
            enable_cpr=output.enable_cpr,
        )
    return output


def _answer(question: Question) -> Any:
    """The answer to `question`; Ctrl-C and Ctrl-D both raise KeyboardInterrupt."""
    try:
        return question.unsafe_ask()
    except EOFError:
        raise KeyboardInterrupt from None


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
        plain: bool | None = None,
    ) -> None:
        from attunecli.guide import plain_wanted

        self.now = now
        self._console = console
        self.input = input
        self.output = output or create_output(stdout=prompt_stream())
        self.guide_enabled = guide_enabled
        self.kw: dict[str, Any] = {
            "input": input,
            "output": self.output,
            "style": STYLE,
            "qmark": "›",
        }
        # Plain (TERM=dumb, ATTUNE_PLAIN=1, --plain): no colour or bold in the
        # prompts, and the guide as plain lines. None: decide from the environment.
        self.plain = False
        if plain_wanted() if plain is None else plain:
            self.use_plain()
        elif not color:
            self._monochrome()

    def use_plain(self) -> None:
        """From now on: prompts without colour or bold, and the guide as plain lines."""
        self.plain = True
        self.output = _unstyled(self.output)
        self.kw["output"] = self.output
        self._monochrome()

    def _monochrome(self) -> None:
        # questionary merges its own coloured default style under ours: only a
        # monochrome colour depth keeps --no-color (and TERM=dumb) honest.
        self.kw["style"] = questionary.Style([])
        self.kw["color_depth"] = ColorDepth.DEPTH_1_BIT

    # showing
    def _wrapped(self, text: str, lead: int = 0) -> str:
        """`text` broken between words to the terminal's width (a word longer than a
        line is still cut), so no line is split mid-word by the terminal itself."""
        import textwrap

        try:
            width = self.output.get_size().columns
        except (OSError, ValueError):  # no size to be had: leave the lines to the reader
            return text
        if width < 10:
            return text
        return "\n".join(
            textwrap.fill(line, width - 1, initial_indent=" " * lead)[lead:] if line else line
            for line in text.split("\n")
        )

    def say(self, text: str, kind: str = "text") -> None:
        text = self._wrapped(text, lead=len("Tip: ") if kind == "tip" else 0)
        if self.plain:
            # Words only: prompt_toolkit would still send a mode code around each line.
            # (Output.write shows an escape character as "?".)
            lead = {"title": "\n", "tip": "Tip: "}.get(kind, "")
            self.output.write(lead + text)
            self.output.write("\n")
            self.output.flush()
            return
        if kind == "title":
            parts = [("", "\n"), ("class:title", text)]
        elif kind == "tip":
            parts = [("class:tip", "Tip: " + text)]
        elif kind in ("note", "flag", "alt"):
            parts = [(f"class:{kind}", text)]
        else:
            parts = [("", text)]
        print_formatted_text(
            FormattedText(parts),
            output=self.output,
            style=self.kw["style"],
            color_depth=self.kw.get("color_depth"),
        )

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
        answer: str = _answer(
            questionary.text(
                question or step.question,
                default="" if default is None else str(default),
                instruction=(step.help or ("(Enter to skip)" if step.optional else None)),
                validate=self._checked(step),
                **self.kw,
            )
        )
        return answer

    def enter_section(self, section: Section, answer_ids: list[str]) -> bool:
        go: bool = _answer(
            questionary.confirm(
                section.title, default=True, instruction="(Enter to begin, n to skip) ", **self.kw
            )
        )
        return go

    def ask(self, step: Step, answer_id: str, default: JSON) -> JSON:
        kind = step.kind
        if kind in ("text", "compose", "reply"):
            return self._text(step, default)
        if kind == "scale":
            hint = f"({step.min} {step.low_label}, {step.max} {step.high_label})"
            return _answer(
                questionary.text(
                    step.question,
                    default="" if default is None else str(default),
                    instruction=hint if not step.optional else hint + " Enter to skip",
                    validate=self._checked(step),
                    **self.kw,
                )
            )
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

            return _answer(
                questionary.text(
                    step.question,
                    default="" if default is None else str(default),
                    instruction=f"({step.help})" if step.help else None,
                    validate=valid_date,
                    **self.kw,
                )
            )
        if kind == "confirm":
            return _answer(questionary.confirm(step.question, default=bool(default), **self.kw))
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
            choices.append(Choice("Skip", value=SKIP))
        values = [o.value for o in options]
        picked = _answer(
            questionary.select(
                step.question,
                choices=choices,
                default=default if default in values else None,
                instruction=step.help or "(arrow keys, Enter to choose)",
                **self.kw,
            )
        )
        return None if picked == SKIP else picked

    def _own_words(self, step: Step) -> list[str]:
        """Own words one at a time, each kept whole: a comma is part of what was typed."""
        words: list[str] = []
        while True:
            question = "In your own words:" if not words else "Another? (Enter when done)"
            text: str = _answer(questionary.text(question, **self.kw))
            if not text.strip():
                return words
            words.append(text.strip())

    def _multi(self, step: Step, options: tuple[Option, ...]) -> list[str]:
        choices: list[Any] = [
            Choice(o.label, value=o.value, description=o.description) for o in options
        ]
        if step.allow_other:
            choices.append(Choice("Something else…", value=OTHER))

        def enough(picked: list[str]) -> bool | str:
            return bool(picked) or step.optional or "pick at least one (Space to tick)"

        # Long lists (the feeling words) filter as you type; short ones keep j/k.
        long_list = len(options) > 12
        picked: list[str] = _answer(
            questionary.checkbox(
                step.question,
                choices=choices,
                instruction=(step.help + " " if step.help else "")
                + ("(type to filter, " if long_list else "(")
                + "Space to tick, Enter when done)",
                validate=enough,
                use_search_filter=long_list,
                use_jk_keys=not long_list,
                **self.kw,
            )
        )
        if OTHER in picked:
            picked = [p for p in picked if p != OTHER] + self._own_words(step)
        return picked

    def _feeling(self, step: Step) -> str:
        while True:
            quadrant = _answer(
                questionary.select(
                    step.question,
                    choices=[Choice(QUADRANT_LABELS[q], value=q) for q in QUADRANTS]
                    + [Choice("A word of my own", value=OWN)],
                    instruction=step.help or "First, what kind of feeling is it?",
                    **self.kw,
                )
            )
            if quadrant == OWN:
                word: str = _answer(
                    questionary.text(
                        "Your word:",
                        validate=lambda v: bool(v.strip()) or "a word is needed",
                        **self.kw,
                    )
                )
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
            picked = _answer(
                questionary.select(
                    "Which word fits best?",
                    choices=choices,
                    instruction="(type to filter, arrows to move, Enter to choose)",
                    use_search_filter=True,
                    use_jk_keys=False,
                    **self.kw,
                )
            )
            if picked == BACK:
                continue
            if picked == OWN:
                own: str = _answer(
                    questionary.text(
                        "Your word:",
                        validate=lambda v: bool(v.strip()) or "a word is needed",
                        **self.kw,
                    )
                )
                return own
            return str(picked)

    def _feelings(self, step: Step) -> list[str]:
        kinds: list[str] = _answer(
            questionary.checkbox(
                step.question,
                choices=[Choice(QUADRANT_LABELS[q], value=q) for q in QUADRANTS],
                instruction=(step.help + " " if step.help else "")
                + "First, which kinds? (Space to tick)",
                validate=lambda picked: bool(picked) or "pick at least one kind",
                **self.kw,
            )
        )
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
        from attunecli.plain import literal
        from attunecli.replies import notes

        for line in notes(flags):
            self.say(line, "flag")
        # The other way keeps the user's own sentences: shown literally, like all their text.
        self.say("Another way to say it: " + literal(alternative), "alt")
        choice = _answer(
            questionary.select(
                "Which would you like to keep?",
                choices=[
                    Choice("The other way", value="alt"),
                    Choice("Mine, as I wrote it", value="mine"),
                    Choice("Let me rewrite it", value="edit"),
                ],
                **self.kw,
            )
        )
        if choice == "alt":
            return alternative
        if choice == "edit":
            edited: str = _answer(questionary.text("Your reply:", default=alternative, **self.kw))
            return edited
        return reply

    def guide(self, exercise: Exercise, minutes: float) -> dict[str, JSON] | None:
        if not self.guide_enabled:
            return None
        from attunecli.guide import run_guide

        # Shown where it is stored: the engine keeps exercise.instruction with the result.
        if exercise.instruction:
            self.say(exercise.instruction, "note")
        self.say(exercise.about, "note")
        return run_guide(exercise, minutes, self._console(), plain=True if self.plain else None)

    def when_stopped(self, *, drafts: bool) -> str:
        choices = [
            Choice("Keep a draft, to finish later", value="draft"),
            Choice("Save what I have as an entry", value="save"),
            Choice("Throw it away", value="discard"),
        ]
        if not drafts:
            choices = choices[1:]
        try:
            choice: str = _answer(
                questionary.select(
                    "Stopped. What would you like to do with your answers?",
                    choices=choices,
                    **self.kw,
                )
            )
        except KeyboardInterrupt:
            # A second Ctrl-C: keep the safest thing, nothing is lost.
            return "draft" if drafts else "discard"
        return choice

    def resume_draft(self, summary: str) -> bool:
        """Whether to pick up a draft left by an earlier run (False: start over)."""
        choice: str = _answer(
            questionary.select(
                f"You have an unfinished draft ({summary}).",
                choices=[
                    Choice("Pick up where I left off", value="resume"),
                    Choice("Start over (the draft is thrown away)", value="discard"),
                ],
                **self.kw,
            )
        )
        return choice == "resume"

    def choose_draft(self, summaries: list[str]) -> int:
        """Which unfinished draft to pick up (newest first), or to start over (see `Asker`)."""
        if len(summaries) == 1:
            question = f"You have an unfinished draft ({summaries[0]})."
            choices = [Choice("Pick up where I left off", value="0")]
            keep, throw = "the draft", "Throw the draft away and start over"
        else:
            question = f"You have {len(summaries)} unfinished drafts of this practice."
            choices = [Choice(f"Pick up: {s}", value=str(i)) for i, s in enumerate(summaries)]
            keep, throw = "the drafts", f"Throw all {len(summaries)} away and start over"
        choices += [
            Choice(f"Start over ({keep} kept for later)", value="keep"),
            Choice(throw, value="throw"),
        ]
        choice: str = _answer(questionary.select(question, choices=choices, **self.kw))
        if choice == "keep":
            return START_OVER
        if choice == "throw":
            return THROW_AWAY
        return int(choice)

    def finish(self, practice: Practice) -> None:
        return None
