"""Comparing a retrained model file with the shipped one.

The trainers are deterministic on one machine, but numpy and the BLAS it loads
pick different vector instructions on different processors, so a handful of
weights can land on the other side of a rounding step. Everything except the
integer weights must match exactly; a weight may move by one unit of its scale,
and only a few may move at all. A change to the corpus, the rules or the
trainer moves thousands of weights, and the features and thresholds with them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MOST_MOVED = 0.01  # share of weights that may differ by one unit


def _weights(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return list(value)


def _compare(new: Any, old: Any, where: str = "") -> tuple[int, int]:
    """Weights that moved by one unit, and weights compared, under `where`."""
    moved = total = 0
    if isinstance(new, dict) and isinstance(old, dict):
        assert sorted(new) == sorted(old), f"{where}: keys differ"
        for key in new:
            here = f"{where}/{key}"
            if key == "weights":
                a, b = _weights(new[key]), _weights(old[key])
                if isinstance(new[key], dict):
                    assert sorted(new[key]) == sorted(old[key]), f"{here}: features differ"
                assert len(a) == len(b), f"{here}: {len(a)} weights, shipped {len(b)}"
                far = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if abs(x - y) > 1]
                assert not far, f"{here}: {len(far)} weights moved by more than one unit"
                moved += sum(x != y for x, y in zip(a, b, strict=True))
                total += len(a)
            else:
                m, t = _compare(new[key], old[key], here)
                moved, total = moved + m, total + t
    else:
        assert new == old, f"{where}: retrained {new!r:.80}, shipped {old!r:.80}"
    return moved, total


def assert_reproduces(new: Path, shipped: Path) -> None:
    """Fail unless `new` is `shipped` up to rounding noise in the weights."""
    if new.read_bytes() == shipped.read_bytes():
        return
    moved, total = _compare(json.loads(new.read_text()), json.loads(shipped.read_text()))
    assert moved <= MOST_MOVED * total, f"{moved} of {total} weights moved: retrain with the script"
