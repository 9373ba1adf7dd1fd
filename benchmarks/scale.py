"""Issue 4's scale figures: history, search, insights, export on stores of 1,000 to 36,500 entries.

Run by hand from the project root (it writes synthetic stores in a temp dir):

    .venv/bin/python benchmarks/scale.py                 # N = 1,000, 10,000, 36,500; 7 runs
    .venv/bin/python benchmarks/scale.py --sizes 1000 --runs 3

For each N it prints the median wall time of each command, its ratio to
`attune --version` measured in the same rounds, and its peak memory (max RSS,
one process alone). Two cold figures follow:

- the first `history --last 5` after the index was deleted (the median of
  several runs, each after deleting it again): the names of every file are
  indexed and only the newest few files read;
- the first `search` after that, which reads every file the index has not
  read yet, once (no target: it happens once after the index goes).

Then `attune report` of a year of entries (3,650) against `export --format md`
of the same year: at most 3x, and under 5 MB (issue 17).

Targets at N = 36,500 (issue 4): history <= 1.5x, search <= 3x, insights <= 3x,
peak memory < 100 MB, first run with no index <= 20x. `attune --version` is
answered without importing Typer (see docs/design.md), so the ratio to
`attune --help` (a full Typer start) is printed too.

Long work (issue 16) is measured against a plain Python loop, run as its own
process in the same rounds, that reads and parses every entry file
(`os.scandir`, one `open`/`read` each, `json.loads`): the first full index build
(the index deleted, then `insights --all`; the median of up to three) at most
2.5x the loop, and `export --format csv` at most 2x; each under 100 MB at its
peak.

Both the commands and `--version` run with the package's bytecode compiled
(as pip leaves an install), and PYTHONDONTWRITEBYTECODE removed from their
environment: otherwise every run would compile the package again.
Exit status 1 when a target is missed (unless --no-fail).
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from startup import clean_env
from synth import generate

import attunecli

COMMANDS = {
    "history --last 5": ["history", "--last", "5"],
    "search": ["search", "sister", "--json"],
    "insights --all": ["insights", "--all", "--json"],
    "export jsonl": ["export", "--format", "jsonl"],
    "export csv": ["export", "--format", "csv"],
}
TARGETS = {"history --last 5": 1.5, "search": 3.0, "insights --all": 3.0}
MEMORY_TARGET_MB = 100
FIRST_RUN_TARGET = 20.0
CHECKED_AT = 36_500

# Issue 16: long work as a ratio to the plain loop below, run as its own process.
BUILD = ["insights", "--all", "--json"]  # with the index deleted: the first full build
LOOP_TARGETS = {"first full index build": 2.5, "export csv": 2.0}
PLAIN_LOOP = """
import json, os, sys
n = 0
for year in os.scandir(sys.argv[1]):
    for month in os.scandir(year.path):
        for f in os.scandir(month.path):
            with open(f.path, "rb") as fh:
                json.loads(fh.read())
            n += 1
print(n)
"""


def run(argv: list[str], env: dict[str, str]) -> float:
    """Milliseconds of one fresh process, output to pipes as a script would read it."""
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"{argv} exited {proc.returncode}: {proc.stderr.decode()[-300:]}")
    return elapsed


def peak_alone(argv: list[str], env: dict[str, str]) -> float:
    """Peak RSS in MB of `argv`, run as the only child of a fresh interpreter."""
    code = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip()) / 1024  # ru_maxrss is in KiB on Linux


def measure_size(n: int, runs: int, attune: str, root: Path, *, round_trip: bool) -> list[str]:
    """Print the figures for a store of `n` entries; return the targets missed."""
    env = clean_env(root / f"n{n}")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    generate(Path(env["ATTUNE_DATA_DIR"]), n)
    index = Path(env["ATTUNE_CACHE_DIR"]) / "index.sqlite3"
    history = [attune, *COMMANDS["history --last 5"]]
    search = [attune, *COMMANDS["search"]]

    loop = [sys.executable, "-c", PLAIN_LOOP, str(Path(env["ATTUNE_DATA_DIR"]) / "entries")]
    cold: list[float] = []
    full: list[float] = []
    builds: list[float] = []
    loops: list[float] = []
    for i in range(runs):
        index.unlink(missing_ok=True)
        cold.append(run(history, env))
        if i < 3:  # the full read takes seconds at 36,500; three are enough for a median
            full.append(run(search, env))
            index.unlink(missing_ok=True)
            loops.append(run(loop, env))  # next to the build it is compared with
            builds.append(run([attune, *BUILD], env))
    if not full:
        full.append(run(search, env))
    index.unlink(missing_ok=True)
    build_memory = peak_alone([attune, *BUILD], env)
    for args in COMMANDS.values():  # warm: page cache, every file read into the index
        run([attune, *args], env)

    samples: dict[str, list[float]] = {k: [] for k in ["--version", "--help", *COMMANDS]}
    for _ in range(runs):  # interleaved, so a busy moment on the machine hits every case
        samples["--version"].append(run([attune, "--version"], env))
        samples["--help"].append(run([attune, "--help"], env))
        for name, args in COMMANDS.items():
            samples[name].append(run([attune, *args], env))
        loops.append(run(loop, env))
    memory = {name: peak_alone([attune, *args], env) for name, args in COMMANDS.items()}

    version = statistics.median(samples["--version"])
    helped = statistics.median(samples["--help"])
    missed: list[str] = []
    checked = n == CHECKED_AT
    print(f"\nN = {n:,}")
    print(f"{'command':<20}{'median ms':>10}{'x --version':>13}{'x --help':>10}{'peak MB':>9}")
    for name in ["--version", "--help", *COMMANDS]:
        med = statistics.median(samples[name])
        ratio = med / version
        verdict = ""
        target = TARGETS.get(name)
        if target is not None and checked:
            ok = ratio <= target
            verdict = f"  target <= {target:g}x: {'ok' if ok else 'MISS'}"
            if not ok:
                missed.append(f"{name} at {ratio:.2f}x")
        mem = f"{memory[name]:.0f}" if name in memory else ""
        print(f"{name:<20}{med:>10.1f}{ratio:>12.2f}x{med / helped:>9.2f}x{mem:>9}{verdict}")
    first = statistics.median(cold)
    line = (
        f"first history after the index was deleted: {first:.0f} ms = "
        f"{first / version:.1f}x --version (median of {len(cold)})"
    )
    if checked:
        ok = first / version <= FIRST_RUN_TARGET
        line += f"  target <= {FIRST_RUN_TARGET:g}x: {'ok' if ok else 'MISS'}"
        if not ok:
            missed.append(f"first run at {first / version:.1f}x")
    print(line)
    print(
        f"first search after that (reads every file once): {statistics.median(full):.0f} ms = "
        f"{statistics.median(full) / version:.0f}x --version (median of {len(full)}; no target)"
    )
    missed += long_work(n, loops, builds, samples["export csv"], build_memory, memory)
    worst = max(*memory.values(), build_memory)
    line = f"peak memory of any command: {worst:.0f} MB"
    if checked:
        ok = worst < MEMORY_TARGET_MB
        line += f"  target < {MEMORY_TARGET_MB} MB: {'ok' if ok else 'MISS'}"
        if not ok:
            missed.append(f"peak memory {worst:.0f} MB")
    print(line)
    if round_trip:
        missed += check_round_trip(n, attune, env, root)
    return missed


def long_work(
    n: int,
    loops: list[float],
    builds: list[float],
    csv: list[float],
    build_memory: float,
    memory: dict[str, float],
) -> list[str]:
    """Issue 16's figures: the first full build and the csv export against the plain loop."""
    base = statistics.median(loops)
    checked = n == CHECKED_AT
    missed: list[str] = []
    print(
        f"plain loop reading and parsing every file: {base:.0f} ms "
        f"(median of {len(loops)}, a process of its own)"
    )
    figures = {
        "first full index build": (statistics.median(builds), len(builds), build_memory),
        "export csv": (statistics.median(csv), len(csv), memory["export csv"]),
    }
    for name, (took, count, peak) in figures.items():
        ratio = took / base
        target = LOOP_TARGETS[name]
        line = (
            f"{name}: {took:.0f} ms = {ratio:.2f}x the loop (median of {count}), "
            f"peak {peak:.0f} MB  target <= {target:g}x, < {MEMORY_TARGET_MB} MB"
        )
        if checked:
            fast, small = ratio <= target, peak < MEMORY_TARGET_MB
            line += f": {'ok' if fast else 'MISS'}, {'ok' if small else 'MISS'}"
            if not fast:
                missed.append(f"{name} at {ratio:.2f}x the loop")
            if not small:
                missed.append(f"{name} peak memory {peak:.0f} MB")
        else:
            line += f" (checked at {CHECKED_AT:,})"
        print(line)
    return missed


def check_round_trip(n: int, attune: str, env: dict[str, str], root: Path) -> list[str]:
    """Export jsonl, import into an empty data dir: each entry file must come back byte for byte."""
    export = root / f"n{n}-export.jsonl"
    run([attune, "export", "--format", "jsonl", "--output", str(export)], env)
    other = dict(
        env,
        ATTUNE_DATA_DIR=str(root / f"n{n}-imported"),
        ATTUNE_CACHE_DIR=str(root / f"n{n}-imported-cache"),
    )
    start = time.perf_counter()
    run([attune, "import", str(export)], other)
    took = time.perf_counter() - start
    original = Path(env["ATTUNE_DATA_DIR"]) / "entries"
    imported = Path(other["ATTUNE_DATA_DIR"]) / "entries"
    names = sorted(p.relative_to(original) for p in original.rglob("*.json"))
    back = sorted(p.relative_to(imported) for p in imported.rglob("*.json"))
    same = names == back and all(
        (original / name).read_bytes() == (imported / name).read_bytes() for name in names
    )
    print(
        f"round trip: {len(names):,} entries exported as jsonl and imported into an empty "
        f"data dir ({took:.0f} s to import): "
        + ("every file byte-identical" if same else f"MISMATCH ({len(back):,} came back)")
    )
    return [] if same else [f"round trip at {n:,}"]


REPORT_TARGET = 3.0  # issue 17: a year's report at most 3x the md export of the same year
REPORT_SIZE_MB = 5.0
REPORT_ENTRIES = 3_650  # a year, about ten entries a day


def measure_report(runs: int, attune: str, root: Path) -> list[str]:
    """`attune report` of a year against `export --format md` of the same year."""
    env = clean_env(root / "report")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    generate(Path(env["ATTUNE_DATA_DIR"]), REPORT_ENTRIES, years=1)
    report = [attune, "report", "--since", "365d", "-o", "-"]
    md = [attune, "export", "--format", "md", "--since", "365d"]
    run(md, env)  # the index, built once
    times: dict[str, list[float]] = {"report": [], "md": []}
    for _ in range(runs):
        times["report"].append(run(report, env))
        times["md"].append(run(md, env))
    size = len(subprocess.run(report, env=env, capture_output=True, check=True).stdout)
    took, base = statistics.median(times["report"]), statistics.median(times["md"])
    ratio = took / base
    missed = []
    print(f"\nreport of a year ({REPORT_ENTRIES:,} entries)")
    print(
        f"report {took:.0f} ms, md export {base:.0f} ms: {ratio:.2f}x  "
        f"target <= {REPORT_TARGET:g}x: {'ok' if ratio <= REPORT_TARGET else 'MISS'}"
    )
    print(
        f"report size {size / 1e6:.2f} MB  target < {REPORT_SIZE_MB:g} MB: "
        f"{'ok' if size < REPORT_SIZE_MB * 1e6 else 'MISS'}"
    )
    if ratio > REPORT_TARGET:
        missed.append(f"report at {ratio:.2f}x md")
    if size >= REPORT_SIZE_MB * 1e6:
        missed.append(f"report {size / 1e6:.1f} MB")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 36_500])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--round-trip",
        action="store_true",
        help="also export and import each store into an empty data dir and compare every file "
        "(import writes and fsyncs each entry: about a minute at 36,500)",
    )
    parser.add_argument(
        "--no-fail", action="store_true", help="exit 0 even when a target is missed"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    attune = str(Path(sys.executable).parent / "attune")
    if not Path(attune).exists():
        print(f"no {attune}: install the project first (pip install -e .)", file=sys.stderr)
        return 2
    compileall.compile_dir(Path(attunecli.__file__).parent, quiet=1)
    print(f"{sys.executable} (Python {sys.version.split()[0]}), {attune}", file=sys.stderr)
    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="attune-scale-") as tmp:
        for n in args.sizes:
            missed += measure_size(n, args.runs, attune, Path(tmp), round_trip=args.round_trip)
        missed += measure_report(args.runs, attune, Path(tmp))
    if missed:
        print("\nmissed: " + "; ".join(missed))
        return 0 if args.no_fail else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
