"""The list prompt on a terminal: draws a `picker.Picker` with prompt_toolkit and
turns keys into its pure transitions. Everything it decides is in `picker`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from prompt_toolkit.application import Application
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import HSplit, Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.layout.dimension import Dimension

from attunecli import picker as pk

if TYPE_CHECKING:
    from prompt_toolkit.key_binding import KeyPressEvent

POINTER = "❯"
TICKED = "●"
UNTICKED = "○"

Check = Callable[[pk.Picker], str | None]
"""Before a multi-select ends: None to end, or a message to show and stay."""


def _wrapped(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, max(width - 1, 8)) or [""]


def ask(
    p: pk.Picker,
    question: str,
    instruction: str,
    *,
    kw: dict[str, Any],
    check: Check | None = None,
) -> tuple[pk.Picker, pk.Entry | None]:
    """Run the picker until Enter ends it: the final state and, for a single pick, the
    entry chosen. Ctrl-C, Ctrl-D and the end of input raise KeyboardInterrupt."""
    state = {"p": p}
    output = kw["output"]
    result: dict[str, pk.Entry | None] = {"entry": None}

    def size() -> tuple[int, int]:
        try:
            s = output.get_size()
            return max(s.rows, 6), max(s.columns, 20)
        except (OSError, ValueError):
            return 24, 80

    def header() -> list[str]:
        rows, cols = size()
        lines = _wrapped(f"{kw.get('qmark', '?')} {question}", cols)
        if rows >= pk.SHORT_SCREEN:
            lines += _wrapped(instruction, cols)
        if state["p"].query:
            lines += _wrapped(f"  Typed: {state['p'].query}", cols)
        return lines

    def current_layout() -> pk.Layout:
        rows, cols = size()
        shown = state["p"].visible()
        return pk.layout(rows - 1, len(header()), [e.description for e in shown], cols)

    def header_text() -> FormattedText:
        lines = header()
        parts: list[tuple[str, str]] = [
            ("class:qmark", lines[0][:1]),
            ("class:question", lines[0][1:]),
        ]
        for line in lines[1:]:
            parts += [("", "\n"), ("class:instruction", line)]
        return FormattedText(parts)

    def list_text() -> FormattedText:
        cur = state["p"]
        shown = cur.visible()
        rows = current_layout().list_rows
        at = cur.at % len(shown) if shown else 0
        parts: list[tuple[str, str]] = []
        for n, i in enumerate(pk.window(len(shown), at, rows)):
            e = shown[i]
            here = i == at
            mark = ""
            if cur.multi and e.does in (pk.ITEM, pk.OPEN, pk.EXTRA):
                mark = (TICKED if e.value in cur.ticked else UNTICKED) + " "
            elif cur.multi and e.does == pk.KEEP and e.value in cur.own:
                mark = TICKED + " "
            style = "class:highlighted" if here else ""
            if n:
                parts.append(("", "\n"))
            parts.append(("class:pointer" if here else "", (POINTER if here else " ") + " "))
            parts.append((style, mark + e.label))
        return FormattedText(parts)

    def meaning_text() -> FormattedText:
        _rows, cols = size()
        lay = current_layout()
        e = state["p"].highlighted()
        lines = pk.wrap(e.description, cols - 1, lay.meaning_rows) if e and e.description else []
        return FormattedText([("class:note", "\n".join(lines))])

    def message_text() -> FormattedText:
        return FormattedText([("class:flag", state["p"].message)])

    kb = KeyBindings()

    @kb.add(Keys.Up)
    @kb.add(Keys.BackTab)
    def _up(event: KeyPressEvent) -> None:
        state["p"] = pk.moved(state["p"], -1)

    @kb.add(Keys.Down)
    @kb.add(Keys.Tab)
    def _down(event: KeyPressEvent) -> None:
        state["p"] = pk.moved(state["p"], 1)

    @kb.add(Keys.Backspace)
    def _erase(event: KeyPressEvent) -> None:
        state["p"] = pk.erased(state["p"])

    @kb.add(Keys.ControlU)
    @kb.add(Keys.Escape, eager=True)
    def _clear(event: KeyPressEvent) -> None:
        state["p"] = pk.cleared(state["p"])

    @kb.add(Keys.ControlC)
    def _stop(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt)

    @kb.add(Keys.ControlD)
    def _eof(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError)

    @kb.add(" ")
    def _space(event: KeyPressEvent) -> None:
        cur = state["p"]
        if cur.multi:
            state["p"] = pk.toggled(cur)
        elif cur.query:
            state["p"] = pk.typed(cur, " ")

    @kb.add(Keys.Enter)
    def _enter(event: KeyPressEvent) -> None:
        cur = state["p"]
        if cur.multi:
            problem = check(cur) if check else None
            if problem:
                state["p"] = replace(cur, message=problem)
                return
            event.app.exit()
            return
        entry = pk.chosen(cur)
        if entry is None:
            state["p"] = replace(cur, message="nothing here to choose: type less, or Esc to clear")
            return
        result["entry"] = entry
        event.app.exit()

    @kb.add(Keys.Any)
    def _type(event: KeyPressEvent) -> None:
        text = event.data
        if text and text.isprintable():
            state["p"] = pk.typed(state["p"], text)

    def list_height() -> Dimension:
        # No blank rows between the list and the meaning under it.
        return Dimension.exact(min(current_layout().list_rows, max(len(state["p"].visible()), 1)))

    def meaning_height() -> Dimension:
        return Dimension.exact(current_layout().meaning_rows)

    body = HSplit(
        [
            Window(FormattedTextControl(header_text), dont_extend_height=True),
            Window(FormattedTextControl(list_text), height=list_height),
            Window(FormattedTextControl(meaning_text), height=meaning_height),
            Window(FormattedTextControl(message_text), height=1),
        ]
    )
    app: Application[None] = Application(
        layout=Layout(body),
        key_bindings=kb,
        style=kw.get("style"),
        input=kw.get("input"),
        output=output,
        color_depth=kw.get("color_depth"),
        erase_when_done=True,
        full_screen=False,
    )
    try:
        app.run()
    except EOFError:
        raise KeyboardInterrupt from None
    return state["p"], result["entry"]
