"""The asker for a person at a terminal: questionary prompts, drawn on stderr (see `prompt_stream`).

questionary (and prompt_toolkit under it) are imported here only, so commands
that never prompt do not pay for them. Every prompt uses `unsafe_ask`, which
lets Ctrl-C through as KeyboardInterrupt (`ask` would swallow it and go on);
Ctrl-D (end of input) is treated the same way, as a wish to stop.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TextIO

import questionary
from prompt_toolkit import print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.output import ColorDepth, create_output
from prompt_toolkit.output.vt100 import Vt100_Output
from questionary import Choice

from attunecli import picker, pickerui
from attunecli.answers import normalise, parse_date
from attunecli.askers import START_OVER, THROW_AWAY
from attunecli.catalog import Exercise
from attunecli.errors import UsageError
from attunecli.labels import QUADRANT_EXAMPLES, QUADRANT_LABELS, QUADRANTS
from attunecli.models import JSON, KINDS, Option, Practice, Section, Step

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
        ("pointer", "fg:ansicyan bold"),
        ("highlighted", "bold"),
        ("answer", "fg:ansicyan"),
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


def _errors_under_the_prompt(question: Question) -> Question:
    """Show a refused answer's message on the line under the prompt, not at the bottom.

    prompt_toolkit's text prompt lets the input window grow to fill the rows below
    the cursor and puts its one-row validation toolbar after it: in a tall terminal
    the message lands far from where the person is looking, and a long one is cut
    at the edge. Here the input takes only the rows it needs, and the toolbar is
    swapped for a wrapped line of our own, so the message sits right below the answer.
    """
    from prompt_toolkit.filters import has_validation_error, is_done, to_filter
    from prompt_toolkit.layout import ConditionalContainer, FormattedTextControl, HSplit, Window

    layout = question.application.layout
    layout.current_window.dont_extend_height = to_filter(True)
    root = layout.container
    if not isinstance(root, HSplit):
        return question

    def message() -> FormattedText:
        import textwrap

        app = question.application
        error = app.current_buffer.validation_error
        if error is None:
            return FormattedText([])
        # Broken between words, like everything else said (a word too long is still cut).
        width = max(app.output.get_size().columns - 1, 10)
        return FormattedText([("class:flag", textwrap.fill(error.message, width))])

    line = ConditionalContainer(
        Window(FormattedTextControl(message), wrap_lines=True, dont_extend_height=True),
        filter=has_validation_error & ~is_done,
    )
    for i, child in enumerate(root.children):
        inner = getattr(child, "content", None)
        if isinstance(inner, ConditionalContainer) and inner.filter is has_validation_error:
            root.children[i] = line  # the toolbar prompt_toolkit put there
            break
    return question


def _fitted(kw: dict[str, Any], message: str, instruction: str | None) -> tuple[str, str | None]:
    """`message` and `instruction` broken between words to the terminal's width.

    questionary draws them on one line as "› message  instruction answer", and the
    terminal would cut them wherever the edge falls, mid-word. Each break takes the
    place of a space, so the words and their order are as they were.
    """
    import textwrap

    try:
        width = int(kw["output"].get_size().columns) - 1
    except (OSError, ValueError, AttributeError, KeyError):
        return message, instruction
    if width < 10:
        return message, instruction

    def fill(text: str, col: int, room: int) -> tuple[str, int]:
        """`text` wrapped from column `col` on, leaving `room` at the end of each line
        for the spaces questionary adds; the text and the column it ends at."""
        first = text.split(maxsplit=1)[0] if text.strip() else ""
        lead = "\n" if col and col + len(first) > width - room else ""
        if lead:
            col = 0
        filled = textwrap.fill(
            " ".join(text.split()), width - room, initial_indent=" " * col, break_on_hyphens=False
        )
        last = filled.rsplit("\n", 1)[-1]
        return lead + filled[col:], len(last)

    message, col = fill(message, len(str(kw.get("qmark", ""))) + 1, 2)
    if instruction:
        instruction, _ = fill(instruction, col + 2, 1)
    return message, instruction


def _typed(
    message: str,
    *,
    kw: dict[str, Any],
    default: str = "",
    instruction: str | None = None,
    validate: Callable[[str], bool | str] | None = None,
) -> str:
    """A line of text typed in answer to `message`; a refused one says why, just below."""
    message, instruction = _fitted(kw, message, instruction)
    answer: str = _answer(
        _errors_under_the_prompt(
            questionary.text(
                message, default=default, instruction=instruction, validate=validate, **kw
            )
        )
    )
    return answer


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
        return _typed(
            question or step.question,
            kw=self.kw,
            default="" if default is None else str(default),
            instruction=(step.help or ("(Enter to skip)" if step.optional else None)),
            validate=self._checked(step),
        )

    def enter_section(self, section: Section, answer_ids: list[str]) -> bool:
        title, instruction = _fitted(self.kw, section.title, "(Enter to begin, n to skip) Yes")
        go: bool = _answer(
            questionary.confirm(
                title,
                default=True,
                # room kept for the "Yes" or "No" shown after it once answered
                instruction=(instruction or "").removesuffix("Yes").rstrip() + " ",
                **self.kw,
            )
        )
        return go

    def ask(self, step: Step, answer_id: str, default: JSON) -> JSON:
        kind = step.kind
        if KINDS[kind].free_text:
            return self._text(step, default)
        if kind == "scale":
            hint = f"({step.min} {step.low_label}, {step.max} {step.high_label})"
            if step.optional:
                hint += " Enter to skip"
            return _typed(
                step.question,
                kw=self.kw,
                default="" if default is None else str(default),
                # The help says why a required rating is needed.
                instruction=f"{step.help} {hint}" if step.help else hint,
                validate=self._checked(step),
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

            return _typed(
                step.question,
                kw=self.kw,
                default="" if default is None else str(default),
                instruction=f"({step.help})" if step.help else None,
                validate=valid_date,
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
        question, instruction = _fitted(
            self.kw, step.question, step.help or "(arrow keys, Enter to choose)"
        )
        picked = _answer(
            questionary.select(
                question,
                choices=choices,
                default=default if default in values else None,
                instruction=instruction,
                **self.kw,
            )
        )
        return None if picked == SKIP else picked

    def _choose(self, question: str, choices: list[Choice]) -> Any:
        """One of `choices`, with the question broken between words to the width."""
        question, instruction = _fitted(self.kw, question, "(arrow keys, Enter to choose)")
        return _answer(
            questionary.select(question, choices=choices, instruction=instruction, **self.kw)
        )

    def _own_words(self, step: Step) -> list[str]:
        """Own words one at a time, each kept whole: a comma is part of what was typed."""
        words: list[str] = []
        while True:
            question = "In your own words:" if not words else "Another? (Enter when done)"
            text = _typed(question, kw=self.kw)
            if not text.strip():
                return words
            words.append(text.strip())

    # the list prompts: attunecli.picker decides, attunecli.pickerui draws
    def _echo(self, question: str, answer: str) -> None:
        """What stays on screen after a list prompt: the question and what was chosen."""
        from attunecli.errors import one_line

        qmark = self.kw["qmark"]
        # Broken between words like everything else said; a break only ever takes the
        # place of a space, so the question still ends where it did.
        text = self._wrapped(f"{qmark} {' '.join(question.split())} {one_line(answer)}")
        if self.plain:
            self.output.write(text + "\n")
            self.output.flush()
            return
        asked = len(qmark) + 1 + len(" ".join(question.split()))
        print_formatted_text(
            FormattedText(
                [
                    ("class:qmark", text[: len(qmark)]),
                    ("class:question", text[len(qmark) : asked]),
                    ("", text[asked : asked + 1]),
                    ("class:answer", text[asked + 1 :]),
                ]
            ),
            output=self.output,
            style=self.kw["style"],
            color_depth=self.kw.get("color_depth"),
        )

    def _pick_many(
        self, step: Step, p: picker.Picker, question: str, instruction: str
    ) -> picker.Picker:
        def check(cur: picker.Picker) -> str | None:
            if cur.ticked or cur.own or step.optional:
                return None
            return "pick at least one (Space to tick the highlighted one)"

        done, _ = pickerui.ask(p, question, instruction, kw=self.kw, check=check)
        return done

    def _multi(self, step: Step, options: tuple[Option, ...]) -> list[str]:
        entries = [picker.Entry(o.label, o.value, o.description, group=o.group) for o in options]
        if step.allow_other:
            entries.append(picker.Entry("Something else…", OTHER, does=picker.EXTRA))
        p = picker.Picker(entries=tuple(entries), multi=True)
        instruction = (step.help + " " if step.help else "") + (
            "(type to filter, Space to tick, Enter when done)"
            if len(options) > 12
            else "(Space to tick, Enter when done)"
        )
        done = self._pick_many(step, p, step.question, instruction)
        chosen = [v for v in picker.picked(done) if v != OTHER]
        if OTHER in done.ticked:
            chosen += self._own_words(step)
        names = {o.value: o.label for o in options}
        self._echo(step.question, ", ".join(names.get(v, v) for v in chosen) or "nothing ticked")
        return chosen

    def _all_words(self, step: Step) -> tuple[picker.Entry, ...]:
        return tuple(
            picker.Entry(o.label, o.value, o.description, group=o.group) for o in step.options
        )

    def _kinds(self) -> tuple[picker.Entry, ...]:
        return tuple(
            picker.Entry(QUADRANT_LABELS[q], q, QUADRANT_EXAMPLES[q], picker.OPEN, q)
            for q in QUADRANTS
        )

    def _own_word(self) -> str:
        return _typed(
            "Your word:", kw=self.kw, validate=lambda v: bool(v.strip()) or "a word is needed"
        )

    def _feeling(self, step: Step) -> str:
        words = self._all_words(step)
        own = picker.Entry("A word of my own", OWN, does=picker.EXTRA)
        back = picker.Entry("Back to the kinds of feeling", BACK, does=picker.EXTRA)
        while True:
            p = picker.Picker(entries=(*self._kinds(), own), pool=words)
            _, entry = pickerui.ask(
                p,
                step.question,
                (step.help + " " if step.help else "")
                + "(choose a kind, or type to search every word; Enter)",
                kw=self.kw,
            )
            assert entry is not None  # Enter ends only on an entry in view
            if entry.does == picker.OPEN:
                p = picker.Picker(
                    entries=(*(w for w in words if w.group == entry.value), own, back),
                    pool=words,
                    group=entry.value,
                )
                _, entry = pickerui.ask(
                    p,
                    "Which word fits best?",
                    "(type to filter, arrows to move, Enter to choose)",
                    kw=self.kw,
                )
                assert entry is not None
                if entry.value == BACK:
                    continue
            if entry.value == OWN:
                return self._own_word()
            self._echo(step.question, entry.value)
            return entry.value  # a word, or one kept as the person typed it

    def _feelings(self, step: Step) -> list[str]:
        words = self._all_words(step)
        kinds = picker.Picker(entries=self._kinds(), pool=words, multi=True)

        def enough(cur: picker.Picker) -> str | None:
            return None if cur.ticked or cur.own else "pick at least one kind (Space to tick)"

        first, _ = pickerui.ask(
            kinds,
            step.question,
            (step.help + " " if step.help else "")
            + "First, which kinds? Or type a word (Space to tick, Enter when done)",
            kw=self.kw,
            check=enough,
        )
        chosen_kinds = [v for v in first.ticked if v in QUADRANTS]
        found = tuple(v for v in first.ticked if v not in QUADRANTS)
        if not chosen_kinds:  # only words, found by typing
            answer = [*found, *first.own]
            self._echo(step.question, ", ".join(answer))
            return answer
        entries = [w for w in words if w.group in chosen_kinds]
        entries.append(picker.Entry("Something else…", OTHER, does=picker.EXTRA))
        p = picker.Picker(entries=tuple(entries), pool=words, multi=True, ticked=found)
        p = replace(p, own=first.own)
        done = self._pick_many(
            step, p, "Which words fit?", "(type to filter, Space to tick, Enter when done)"
        )
        chosen = [v for v in picker.picked(done) if v != OTHER]
        if OTHER in done.ticked:
            chosen += self._own_words(step)
        self._echo("Which words fit?", ", ".join(chosen) or "nothing ticked")
        return chosen

    def review_reply(self, reply: str, flags: list[dict[str, str]], alternative: str) -> str:
        from attunecli.plain import literal
        from attunecli.replies import notes

        for line in notes(flags):
            self.say(line, "flag")
        # The other way keeps the user's own sentences: shown literally, like all their text.
        self.say("Another way to say it: " + literal(alternative), "alt")
        choice = self._choose(
            "Which would you like to keep?",
            [
                Choice("The other way", value="alt"),
                Choice("Mine, as I wrote it", value="mine"),
                Choice("Let me rewrite it", value="edit"),
            ],
        )
        if choice == "alt":
            return alternative
        if choice == "edit":
            return _typed("Your reply:", kw=self.kw, default=alternative)
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
            choice: str = self._choose(
                "Stopped. What would you like to do with your answers?", choices
            )
        except KeyboardInterrupt:
            # A second Ctrl-C: keep the safest thing, nothing is lost.
            return "draft" if drafts else "discard"
        return choice

    def resume_draft(self, summary: str) -> bool:
        """Whether to pick up a draft left by an earlier run (False: start over)."""
        choice: str = self._choose(
            f"You have an unfinished draft ({summary}).",
            [
                Choice("Pick up where I left off", value="resume"),
                Choice("Start over (the draft is thrown away)", value="discard"),
            ],
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
        choice: str = self._choose(question, choices)
        if choice == "keep":
            return START_OVER
        if choice == "throw":
            return THROW_AWAY
        return int(choice)

    def finish(self, practice: Practice) -> None:
        return None
