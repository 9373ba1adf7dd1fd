"""The list prompt's rules, as pure functions: what is shown, what Enter and Space act on."""

from __future__ import annotations

import pytest

from attunecli import picker as pk
from attunecli.catalog import vocabulary

WORDS = tuple(
    pk.Entry(f.word, f.word, f.means, group=f.quadrant) for f in vocabulary().feelings.values()
)
OWN = pk.Entry("A word of my own", "own", does=pk.EXTRA)
BACK = pk.Entry("Back to the kinds of feeling", "back", does=pk.EXTRA)


def group_picker(group: str, *, multi: bool = False) -> pk.Picker:
    entries = (*(w for w in WORDS if w.group == group), OWN, BACK)
    return pk.Picker(entries=entries, pool=WORDS, group=group, multi=multi)


def typing(p: pk.Picker, text: str) -> pk.Picker:
    for ch in text:
        p = pk.typed(p, ch)
    return p


@pytest.mark.parametrize(
    ("group", "typed"),
    [
        ("high-unpleasant", "scard"),
        ("low-pleasant", "lonley"),
        ("low-unpleasant", "xyzzy"),
        ("high-pleasant", "sca"),
    ],
)
def test_enter_never_chooses_a_word_that_does_not_contain_what_was_typed(
    group: str, typed: str
) -> None:
    p = typing(group_picker(group), typed)
    for at in range(len(p.visible())):
        shown = pk.moved(p, at).highlighted()
        entry = pk.chosen(pk.moved(p, at))
        assert shown is not None and entry is not None
        if shown.does == pk.ITEM:
            assert typed in entry.label
        elif shown.does == pk.SUGGEST:  # said in so many words: "did you mean scared?"
            assert shown.label == f"did you mean {entry.value}?"
        else:  # the only other things in view: keep the typed word, or the extras
            assert entry.does in (pk.KEEP, pk.EXTRA)
            assert entry.does == pk.EXTRA or entry.value == typed


def test_a_misspelling_is_offered_close_words_and_keeping_it() -> None:
    p = typing(group_picker("high-unpleasant"), "scard")
    labels = [e.label for e in p.visible()]
    assert labels[0] == "did you mean scared?"
    assert "keep 'scard' as my own word" in labels
    assert labels[-2:] == [OWN.label, BACK.label]  # the extras stay in reach
    # The close word chosen is the word itself, never a neighbour in the list.
    first = pk.chosen(p)
    assert first is not None and (first.value, first.does) == ("scared", pk.ITEM)
    kept = pk.chosen(pk.moved(p, labels.index("keep 'scard' as my own word")))
    assert kept is not None and (kept.value, kept.does) == ("scard", pk.KEEP)


def test_typing_searches_every_word_this_groups_first() -> None:
    p = typing(group_picker("low-pleasant"), "e")
    shown = [e for e in p.visible() if e.does == pk.ITEM]
    assert all("e" in e.label for e in shown)
    groups = [e.group == "low-pleasant" for e in shown]
    assert groups == sorted(groups, reverse=True)  # all of this group's before any other
    assert len({e.group for e in shown}) == 4


def test_nothing_typed_shows_the_entries_as_they_are() -> None:
    p = group_picker("high-pleasant")
    assert p.visible() == p.entries
    assert pk.cleared(typing(p, "joy")).visible() == p.entries


def test_backspace_and_moving_stay_on_entries_in_view() -> None:
    p = typing(group_picker("high-unpleasant"), "anx")
    assert [e.label for e in p.visible() if e.does == pk.ITEM] == ["anxious"]
    p = pk.moved(p, 5)  # wraps inside what is shown
    assert p.highlighted() in p.visible()
    p = pk.erased(pk.erased(pk.erased(p)))
    assert p.query == "" and p.at == 0


def test_space_ticks_only_the_highlighted_entry() -> None:
    p = typing(group_picker("low-unpleasant", multi=True), "sca")
    [shown] = [e.value for e in p.visible() if e.does == pk.ITEM]  # scared, in view
    p = pk.toggled(p)
    assert (p.ticked, p.own) == ((shown,), ())
    p = pk.toggled(typing(pk.cleared(p), "scard"))  # "did you mean scared?" ticks it, once
    assert (p.ticked, p.own, p.query) == ((shown,), (), "")  # and clears the filter


def test_space_on_keep_keeps_the_typed_word_in_a_multi_select() -> None:
    p = typing(group_picker("low-unpleasant", multi=True), "wobbly")
    [keep] = [e for e in p.visible() if e.does == pk.KEEP]
    p = pk.toggled(pk.moved(p, p.visible().index(keep)))
    assert p.own == ("wobbly",)
    assert pk.picked(p) == ["wobbly"]


def test_a_multi_select_answer_is_in_list_order_then_own_words() -> None:
    p = group_picker("low-unpleasant", multi=True)
    words = [e.value for e in p.entries if e.does == pk.ITEM]
    p = pk.toggled(pk.moved(p, 2))
    p = pk.toggled(pk.moved(p, -2))
    p = pk.toggled(pk.moved(typing(p, "wobbly"), 0))
    assert pk.picked(p) == [words[0], words[2], "wobbly"]
    assert pk.echo(p) == f"{words[0]}, {words[2]}, wobbly"


def test_untick() -> None:
    p = pk.toggled(group_picker("low-unpleasant", multi=True))
    assert pk.picked(pk.toggled(p)) == []
    assert pk.echo(pk.toggled(p)) == "nothing ticked"


@pytest.mark.parametrize(("rows", "cols"), [(12, 40), (24, 80), (30, 100)])
def test_the_meaning_has_its_rows_before_the_list_takes_the_rest(rows: int, cols: int) -> None:
    meanings = [w.description for w in WORDS]
    header = 4 if cols == 40 else 2
    lay = pk.layout(rows - 1, header, meanings, cols)
    longest = max(len(pk.wrap(m or "", cols - 1, 10)) for m in meanings)
    assert lay.meaning_rows == min(longest, pk.MEANING_ROWS_MAX)
    assert lay.list_rows >= 3
    assert header + lay.list_rows + lay.meaning_rows + 1 <= rows - 1


def test_a_meaning_wraps_between_words_and_ends_on_a_whole_word() -> None:
    text = "Too much at once; hard to know where to start, and harder still to stop."
    lines = pk.wrap(text, 20, 2)
    assert len(lines) == 2
    assert all(len(line) <= 20 for line in lines)
    assert lines[-1].endswith("…")
    words = set(text.split())
    assert all(w in words for line in lines for w in line.rstrip("…").split())


@pytest.mark.parametrize(("count", "at", "rows"), [(10, 0, 4), (10, 9, 4), (10, 5, 3), (2, 1, 5)])
def test_the_window_keeps_the_highlight_in_view(count: int, at: int, rows: int) -> None:
    w = pk.window(count, at, rows)
    assert at in w
    assert len(w) == min(count, rows)
