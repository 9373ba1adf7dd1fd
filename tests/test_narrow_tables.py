"""Tables at a terminal too narrow for their columns: each row becomes a short block
(never a line the terminal wraps mid-word), and wide enough ones stay columns."""

from __future__ import annotations

from attunecli.plain import Painter, table, width_of

HEADERS = ["when", "id", "practice", "summary"]
ROWS = [
    ["Thu 03 Dec 2026 20:52", "f4c25533", "check-in (filled in later)", "tired 4 · missed it"],
    ["Fri 04 Dec 2026 20:52", "a6a13866", "slow down", "calm 2 · a long day at work, then home"],
]


def test_at_40_columns_every_line_fits_and_nothing_is_lost() -> None:
    out = table(HEADERS, ROWS, Painter(False), width=40)
    lines = out.splitlines()
    assert all(width_of(line) <= 40 for line in lines), out
    assert lines[0] == "Thu 03 Dec 2026 20:52  f4c25533"
    assert lines[1] == "  check-in (filled in later)"
    words = " ".join(line.strip() for line in lines).split()
    for row in ROWS:
        for cell in row:
            for word in cell.split():
                assert word in words, word
    assert "" in lines  # a blank line between rows


def test_at_80_columns_it_stays_a_table() -> None:
    out = table(HEADERS, ROWS, Painter(False), width=80)
    assert out.splitlines()[0].split() == HEADERS
    assert out.splitlines()[1].startswith("Thu 03 Dec 2026 20:52  f4c25533  check-in")


def test_too_narrow_even_for_the_first_two_cells() -> None:
    out = table(HEADERS, ROWS, Painter(False), width=20)
    assert out.splitlines()[:2] == ["Thu 03 Dec 2026 20:52", "  f4c25533"]
