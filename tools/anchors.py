"""Literal strings a regular expression cannot match without: a cheap test before compiling it.

Compiling the reply checker's patterns costs tens of milliseconds, most of a
`check-reply` run. For each pattern the training script stores a set of
anchors in the model file: every match contains at least one of them. At run
time a pattern whose anchors are all missing from a sentence is neither
compiled nor tried. The analysis is conservative: when it is unsure, it
returns None (no anchors; always try the pattern), never a wrong set.
"""

from __future__ import annotations

import re._constants as c
import re._parser as sre_parse
from typing import Any

_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (c.AT, c.ASSERT, c.ASSERT_NOT)


def anchors(pattern: str) -> list[str] | None:
    """Sorted strings one of which every match of `pattern` contains, or None."""
    found = _required(sre_parse.parse(pattern))
    if not found or "" in found:
        return None
    return sorted(found)


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more selective of two requirements: longer shortest string, then fewer strings."""
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _required(items: Any) -> set[str] | None:
    best: set[str] | None = None
    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if op is c.IN and len(av) == 1 and av[0][0] is c.LITERAL:
            run += chr(av[0][1])
            continue
        if op in _ZERO_WIDTH:  # consumes nothing, so the literals on each side stay adjacent
            continue
        if run:
            best = _better(best, {run})
            run = ""
        best = _better(best, _item(op, av))
    if run:
        best = _better(best, {run})
    return best


def _item(op: Any, av: Any) -> set[str] | None:
    if op is c.SUBPATTERN:
        return _required(av[3])
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            need = _required(branch)
            if need is None:
                return None
            union |= need
        return union
    if op in _REPEATS and av[0] >= 1:
        return _required(av[2])
    return None
