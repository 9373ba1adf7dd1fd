"""Crash-safety soak: SIGKILL savers at random moments, a thousand times, and count the damage.

Run it by hand from the project root, with the project's virtualenv:

    .venv/bin/python benchmarks/soak.py                  # 1,000 trials, 3 at a time
    .venv/bin/python benchmarks/soak.py --trials 5000 --jobs 4
    .venv/bin/python benchmarks/soak.py --seed 1f2e3d4c  # the same kill delays again

It is not a test (pytest does not collect it); tests/test_crash.py runs 200
of the same trials in the suite. Each trial, in a fresh data folder:

1. a saver process (tests/crash_saver.py) saves realistic entries (about half
   of them 25-120 KB) through `Store.save` in a loop and reports every id once
   `save` returned;
2. it is SIGKILLed a random 0 to --max-delay-ms after it said it was ready,
   and reaped; the temp files found right then are counted ("kills that
   caught a temp file": the kill landed inside `write_atomic`);
3. every reported save must be on disk byte for byte, and every entry file
   must parse, pass the published JSON Schema (entry.schema.json, checked
   with jsonschema here) and read back through the store;
4. "the next run" follows (the README promises that the next save in that
   folder, or `attune doctor --fix`, removes a killed save's temp file), in
   turn: a save in this process, a save in a new process, an index refresh
   (what `attune remind` does first; it must list exactly the entries) then a
   save, the checks and fixes of `attune doctor --fix` in this process, and
   every 25th trial the real `attune doctor --fix --yes`. After it no temp
   file may be left and every entry file must be byte for byte what it was.

Exit status: 0 when nothing was lost, corrupted, left behind or touched; 1
otherwise (the folders of the failed trials are kept and named). `--torn` is
the control: the savers then write in place without a temp file, and the
soak must find torn entries and exit 1.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import crash_saver as cs  # noqa: E402  (needs ROOT on sys.path)

SCHEMA_FILE = ROOT / "attunecli" / "schema" / "entry.schema.json"
DOCTOR_CLI_EVERY = 25


def kind_of(i: int) -> str:
    if i % DOCTOR_CLI_EVERY == DOCTOR_CLI_EVERY - 1:
        return "doctor-cli"
    return cs.NEXT_RUNS[i % len(cs.NEXT_RUNS)]


def report(trials: list[cs.Trial], wall: float, seed: str) -> int:
    """Print the figures; return how many trials went wrong."""
    n = len(trials)
    bad = [t for t in trials if t.problems]
    rows = [
        ("trials", n, ""),
        ("kills (saver ended by SIGKILL)", sum(t.killed for t in trials), f"goal {n}"),
        ("kills that caught a temp file", sum(t.caught_temp > 0 for t in trials), ""),
        ("  temp files found right after the kills", sum(t.caught_temp for t in trials), ""),
        (
            "kills that caught an entry linked, not yet reported",
            sum(t.caught_linked > 0 for t in trials),
            "",
        ),
        ("kills before the first save returned", sum(t.reported == 0 for t in trials), ""),
        ("entries reported saved", sum(t.reported for t in trials), ""),
        ("entries checked (parsed, schema, store)", sum(t.checked for t in trials), ""),
        ("lost", sum(t.lost for t in trials), "goal 0"),
        ("corrupt", sum(t.corrupt for t in trials), "goal 0"),
        ("unexpected files next to the entries", sum(t.unexpected for t in trials), "goal 0"),
        ("temp files left after the next run", sum(t.temps_left for t in trials), "goal 0"),
        ("entries the next run changed or removed", sum(t.touched for t in trials), "goal 0"),
        ("trials with any problem", len(bad), "goal 0"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, goal in rows:
        print(f"{name:<{width}}  {value:>8}  {goal}")
    kinds = Counter(t.kind for t in trials)
    print(f"{'next runs':<{width}}  " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    delays = sorted(t.delay_ms for t in trials)
    print(f"{'kill delays (ms)':<{width}}  {delays[0]:.1f} to {delays[-1]:.1f}")
    print(f"{'wall time':<{width}}  {wall:>7.1f}s  ({wall / n * 1000:.0f} ms a trial)")
    print(f"{'seed':<{width}}  {seed}")
    for t in bad[:10]:
        print(f"\ntrial {t.seed} ({t.kind}, kill after {t.delay_ms:.1f} ms):", file=sys.stderr)
        for p in t.problems[:10]:
            print(f"  {p}", file=sys.stderr)
    return len(bad)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=1000, help="kills (default 1000)")
    parser.add_argument("--jobs", type=int, default=3, help="trials at a time (default 3)")
    parser.add_argument(
        "--max-delay-ms", type=float, default=60.0, help="latest kill after ready (default 60)"
    )
    parser.add_argument(
        "--size", type=int, default=100_000, help="most characters of an entry's long text"
    )
    parser.add_argument(
        "--torn",
        action="store_true",
        help="control run: savers write entries in place, without a temp file; "
        "the soak must then report corruption and exit 1",
    )
    parser.add_argument(
        "--seed", default=None, help="draws the kill delays (printed at the end); timing varies"
    )
    args = parser.parse_args()
    if args.trials < 1 or args.jobs < 1:
        parser.error("--trials and --jobs must be at least 1")

    seed = args.seed or secrets.token_hex(4)
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    # Mid-month, so a trial's entries (a second apart) all land in one month folder.
    when = datetime.now().astimezone().replace(day=15, hour=12, minute=0, second=0, microsecond=0)
    root = Path(tempfile.mkdtemp(prefix="attune-soak-"))
    done = 0

    def one(i: int) -> cs.Trial:
        nonlocal done
        folder = root / f"trial-{i:05d}"
        trial = cs.run_trial(
            folder,
            f"{seed}-{i}",
            kind_of(i),
            validator.validate,
            max_delay_ms=args.max_delay_ms,
            size=args.size,
            when=when,
            extra=["--torn"] if args.torn else [],
        )
        if not trial.problems:
            shutil.rmtree(folder, ignore_errors=True)
        done += 1
        if sys.stderr.isatty() and done % 10 == 0:
            print(f"\r  {done}/{args.trials}", end="", file=sys.stderr, flush=True)
        return trial

    print(f"{sys.executable} (Python {sys.version.split()[0]}), seed {seed}", file=sys.stderr)
    started = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        trials = list(pool.map(one, range(args.trials)))
    wall = time.perf_counter() - started
    if sys.stderr.isatty():
        print("\r" + " " * 30 + "\r", end="", file=sys.stderr, flush=True)

    failed = report(trials, wall, seed)
    if failed:
        print(f"\nthe failed trials' folders are kept under {root}", file=sys.stderr)
        return 1
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
