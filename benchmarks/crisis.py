"""The crisis check, measured: recall per kind and false alarms on the held-back test split.

Run it by hand from the project root, with the project's virtualenv:

    .venv/bin/python benchmarks/crisis.py              # the test split
    .venv/bin/python benchmarks/crisis.py --split dev  # while writing rules
    .venv/bin/python benchmarks/crisis.py --misses 30  # also print misses and false alarms
    .venv/bin/python benchmarks/crisis.py --no-fail    # report only, exit 0

It is not a test (pytest does not collect it). Each labelled line goes through
`attunecli.crisis.concerns`, the same pure function a save uses. A line counts
as caught when it raises the concern its kind calls for: `self` for the seven
kinds about the writer, `someone` for a worry about someone else, `abuse` for
fear or harm from someone close (the help on the card differs for each). The
"any card" column counts a line caught whatever concern it raised, since every
card carries the crisis lines. A false alarm is a `none` line that raises any
concern.

Targets (on the test split): recall at least 0.97 overall and 0.9 in every
kind; false alarms at most 10%. Exit status 0 when every target is met, 1 when
one is missed (0 with `--no-fail`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from attunecli import crisis  # noqa: E402
from tools.crisis_corpus import Line, load  # noqa: E402

RECALL_TARGET = 0.97
KIND_TARGET = 0.9
ALARM_TARGET = 0.10


def wanted(kind: str) -> str:
    return kind if kind in ("someone", "abuse") else "self"


def measure(lines: list[Line]) -> tuple[list[str], list[str], list[tuple[Line, set[str]]]]:
    """Printed lines, missed targets, and each line that was judged wrongly."""
    detector = crisis.load()
    caught: Counter[str] = Counter()
    carded: Counter[str] = Counter()
    total: Counter[str] = Counter()
    wrong: list[tuple[Line, set[str]]] = []
    alarms = nones = 0
    for line in lines:
        found = crisis.concerns([line.text], detector)
        if line.kind == "none":
            nones += 1
            alarms += bool(found)
            if found:
                wrong.append((line, found))
            continue
        total[line.kind] += 1
        carded[line.kind] += bool(found)
        if wanted(line.kind) in found:
            caught[line.kind] += 1
        else:
            wrong.append((line, found))
    out = [f"{'kind':<11}{'recall':>8}{'caught':>8}{'lines':>7}{'any card':>10}"]
    missed: list[str] = []
    for kind in crisis.KINDS:
        n = total[kind]
        r = caught[kind] / n if n else 0.0
        out.append(f"{kind:<11}{r:>8.3f}{caught[kind]:>8}{n:>7}{carded[kind] / max(n, 1):>10.3f}")
        if n and r < KIND_TARGET:
            missed.append(f"{kind} recall {r:.3f} < {KIND_TARGET}")
    all_n = sum(total.values())
    overall = sum(caught.values()) / max(all_n, 1)
    any_card = sum(carded.values()) / max(all_n, 1)
    out.append(
        f"{'overall':<11}{overall:>8.3f}{sum(caught.values()):>8}{all_n:>7}{any_card:>10.3f}"
    )
    rate = alarms / max(nones, 1)
    out.append(f"false alarms: {alarms}/{nones} none lines = {rate:.1%}")
    if overall < RECALL_TARGET:
        missed.append(f"overall recall {overall:.3f} < {RECALL_TARGET}")
    if rate > ALARM_TARGET:
        missed.append(f"false alarms {rate:.1%} > {ALARM_TARGET:.0%}")
    return out, missed, wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    parser.add_argument("--misses", type=int, default=0, metavar="N")
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args(argv)
    lines = load(args.split)
    start = time.perf_counter()
    out, missed, wrong = measure(lines)
    seconds = time.perf_counter() - start
    print(f"crisis check on the {args.split} split ({len(lines)} lines, {seconds:.2f} s in all)")
    print("\n".join(out))
    if args.misses:
        print("\nmisses and false alarms:")
        for line, found in wrong[: args.misses]:
            print(f"  [{line.kind} -> {','.join(sorted(found)) or '-'}] {line.text}")
    for m in missed:
        print(f"MISSED: {m}")
    print("all targets met" if not missed else f"{len(missed)} target(s) missed")
    return 1 if missed and not args.no_fail else 0


if __name__ == "__main__":
    raise SystemExit(main())
