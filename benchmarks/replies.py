"""The reply checker, measured: precision, recall and F1 on the held-back test split, and speed.

Run it by hand from the project root, with the project's virtualenv:

    .venv/bin/python benchmarks/replies.py              # the test split, 21 timing runs
    .venv/bin/python benchmarks/replies.py --split dev  # while choosing between approaches
    .venv/bin/python benchmarks/replies.py --misses 20  # also print 20 misses and false flags
    .venv/bin/python benchmarks/replies.py --no-fail    # report only, exit 0

It is not a test (pytest does not collect it). The replies are checked by the
real program, `attune check-reply --jsonl`, so what is measured is what a
script or a person gets. It prints:

- per kind and for "any flag": precision, recall and F1, with the counts;
- the share of replies that should not be flagged (labelled "none") that are;
- `attune check-reply TEXT` wall time as a ratio to `python -c pass`, the two
  interleaved round-robin in the same run (medians); and
- the wall time of `--jsonl` over 5,000 lines.

Targets (on the test split): recall at least 0.85 on advice and 0.8 on every
other kind; at most 5% of "none" replies flagged; one check at most 12x
`python -c pass`; 5,000 lines in under 10 seconds. Exit status: 0 when every
target is met, 1 when one is missed (0 with `--no-fail`), 2 when the program
misbehaved (a bad exit code or output that does not line up).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.reply_corpus import KINDS, Reply, load, split  # noqa: E402

PYTHON = sys.executable
ATTUNE = str(Path(sys.executable).parent / "attune")
RECALL_TARGET = {kind: (0.85 if kind == "advice" else 0.8) for kind in KINDS}
CLEAN_TARGET = 0.05
LATENCY_TARGET = 12.0
JSONL_LINES = 5000
JSONL_TARGET_S = 10.0
LATENCY_TEXT = "aw I'm so sorry hun. Have you tried just talking to her about it?"


class BenchError(Exception):
    pass


def check_all(texts: list[str]) -> tuple[list[set[str]], float]:
    """Each text's flagged kinds, from one `attune check-reply --jsonl` run, and its seconds."""
    lines = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    start = time.perf_counter()
    done = subprocess.run(
        [ATTUNE, "check-reply", "--jsonl"],
        input=lines.encode(),
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise BenchError(f"check-reply --jsonl exited {done.returncode}: {done.stderr.decode()}")
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    if len(results) != len(texts) or any(
        r["text"] != t for r, t in zip(results, texts, strict=True)
    ):
        raise BenchError("check-reply --jsonl did not answer each line once, in order")
    return [{f["kind"] for f in r["flags"]} for r in results], seconds


def table(items: list[Reply], found: list[set[str]]) -> tuple[list[str], list[str]]:
    """The figures as printed lines, and the targets they miss."""
    lines = [
        f"{'kind':<12}{'precision':>10}{'recall':>8}{'F1':>7}{'flagged':>9}{'labelled':>9}"
        f"{'target recall':>15}"
    ]
    missed: list[str] = []
    for kind in (*KINDS, "any flag"):

        def has(labels: set[str] | frozenset[str], kind: str = kind) -> bool:
            return bool(labels) if kind == "any flag" else kind in labels

        tp = sum(1 for f, r in zip(found, items, strict=True) if has(f) and has(r.labels))
        flagged = sum(1 for f in found if has(f))
        labelled = sum(1 for r in items if has(r.labels))
        p = tp / flagged if flagged else 0.0
        rc = tp / labelled if labelled else 0.0
        f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
        target = RECALL_TARGET.get(kind)
        mark = ""
        if target is not None:
            mark = f"{target:.2f} {'ok' if rc >= target else 'MISSED'}"
            if rc < target:
                missed.append(f"recall on {kind} {rc:.2f} < {target:.2f}")
        lines.append(f"{kind:<12}{p:>10.2f}{rc:>8.2f}{f1:>7.2f}{flagged:>9}{labelled:>9}{mark:>15}")
    clean = [f for f, r in zip(found, items, strict=True) if not r.labels]
    share = sum(1 for f in clean if f) / len(clean) if clean else 0.0
    lines.append(
        f"\n'none' replies flagged: {sum(1 for f in clean if f)} of {len(clean)} = {share:.1%}"
        f" (target at most {CLEAN_TARGET:.0%}: {'ok' if share <= CLEAN_TARGET else 'MISSED'})"
    )
    if share > CLEAN_TARGET:
        missed.append(f"{share:.1%} of 'none' replies flagged > {CLEAN_TARGET:.0%}")
    return lines, missed


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=False)
    ms = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode()}")
    return ms


def latency(runs: int) -> tuple[float, float]:
    """Medians in ms of `python -c pass` and `attune check-reply TEXT`, interleaved."""
    base: list[float] = []
    check: list[float] = []
    for i in range(runs + 1):
        order = [("base", [PYTHON, "-c", "pass"]), ("check", [ATTUNE, "check-reply", LATENCY_TEXT])]
        if i % 2:
            order.reverse()
        for name, cmd in order:
            ms = timed(cmd)
            if i:  # the first round warms the disk cache and the bytecode
                (base if name == "base" else check).append(ms)
    return statistics.median(base), statistics.median(check)


def misses(items: list[Reply], found: list[set[str]], count: int) -> list[str]:
    out = [f"\nUp to {count} misses and {count} false flags, by kind:"]
    wrong = [(r, f) for r, f in zip(items, found, strict=True) if set(r.labels) != f]
    missed = [(r, f) for r, f in wrong if set(r.labels) - f][:count]
    false = [(r, f) for r, f in wrong if f - set(r.labels)][:count]
    for title, rows in (("missed", missed), ("false", false)):
        out.append(f"  {title}:")
        for r, f in rows:
            out.append(f"    labelled {sorted(r.labels)} found {sorted(f)}: {r.text}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "dev", "train"), default="test")
    parser.add_argument("--runs", type=int, default=21, help="timing runs (default 21)")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses")
    parser.add_argument("--no-fail", action="store_true", help="always exit 0 after reporting")
    args = parser.parse_args(argv)
    if not Path(ATTUNE).exists():
        print(f"no attune next to {PYTHON}; install the project in this venv", file=sys.stderr)
        return 2
    corpus = load()
    items = split(corpus, args.split)
    try:
        found, _ = check_all([r.text for r in items])
        cycled = [corpus[i % len(corpus)].text for i in range(JSONL_LINES)]
        _, jsonl_seconds = check_all(cycled)
        base_ms, check_ms = latency(args.runs)
    except BenchError as exc:
        print(f"benchmark error: {exc}", file=sys.stderr)
        return 2
    none = sum(1 for r in items if not r.labels)
    print(
        f"{args.split} split: {len(items)} replies, {none} labelled none ({none / len(items):.0%})"
    )
    print(f"corpus: {len(corpus)} replies in all\n")
    lines, missed = table(items, found)
    print("\n".join(lines))
    ratio = check_ms / base_ms
    print(
        f"\ncheck-reply TEXT: {check_ms:.0f} ms median, python -c pass {base_ms:.0f} ms: "
        f"{ratio:.1f}x (target at most {LATENCY_TARGET:.0f}x: "
        f"{'ok' if ratio <= LATENCY_TARGET else 'MISSED'})"
    )
    if ratio > LATENCY_TARGET:
        missed.append(f"check-reply {ratio:.1f}x python -c pass > {LATENCY_TARGET:.0f}x")
    verdict = "ok" if jsonl_seconds < JSONL_TARGET_S else "MISSED"
    print(
        f"check-reply --jsonl, {JSONL_LINES:,} lines: {jsonl_seconds:.1f} s "
        f"(target under {JSONL_TARGET_S:.0f} s: {verdict})"
    )
    if jsonl_seconds >= JSONL_TARGET_S:
        missed.append(f"--jsonl of {JSONL_LINES} lines took {jsonl_seconds:.1f} s")
    if args.misses:
        print("\n".join(misses(items, found, args.misses)))
    if missed:
        print("\nmissed: " + "; ".join(missed))
        return 0 if args.no_fail else 1
    print("\nevery target met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
