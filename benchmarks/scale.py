"""Issue 4's scale figures: history, search, insights, export on stores of 1,000 to 36,500 entries.

Run by hand from the project root (it writes synthetic stores in a temp dir):

    .venv/bin/python benchmarks/scale.py                 # N = 1,000, 10,000, 36,500; 5 runs
    .venv/bin/python benchmarks/scale.py --sizes 1000 --runs 3

For each N it prints the median wall time of each command, its ratio to
`attune --version` measured in the same rounds, the first run after the
index was deleted, and the peak memory (max RSS) of each command. The targets
at N = 36,500 (issue 4): history <= 1.5x, search <= 3x, insights <= 3x,
peak memory < 100 MB, first run with no index <= 20x.

`attune --version` is answered without importing Typer (see docs/design.md),
so the ratio to `attune --help` (a full Typer start) is printed as well.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from startup import clean_env
from synth import generate

COMMANDS = {
    "history --last 5": ["history", "--last", "5"],
    "search": ["search", "sister", "--json"],
    "insights --all": ["insights", "--all", "--json"],
    "export jsonl": ["export", "--format", "jsonl"],
}
TARGETS = {"history --last 5": 1.5, "search": 3.0, "insights --all": 3.0}
MEMORY_TARGET_MB = 100
FIRST_RUN_TARGET = 20.0


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(milliseconds, peak RSS in MB) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"{argv} exited {proc.returncode}: {proc.stderr.decode()[-300:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024  # ru_maxrss is in KiB on Linux


def measure_size(n: int, runs: int, attune: str, root: Path) -> None:
    env = clean_env(root / f"n{n}")
    generate(Path(env["ATTUNE_DATA_DIR"]), n)
    index = Path(env["ATTUNE_CACHE_DIR"]) / "index.sqlite3"
    index.unlink(missing_ok=True)  # the first run builds it (once history reads the index)
    cold, _ = timed([attune, "history", "--last", "5"], env)
    samples: dict[str, list[float]] = {k: [] for k in ["--version", "--help", *COMMANDS]}
    memory: dict[str, float] = {}
    for _ in range(runs):
        samples["--version"].append(timed([attune, "--version"], env)[0])
        samples["--help"].append(timed([attune, "--help"], env)[0])
        for name, args in COMMANDS.items():
            ms, _ = timed([attune, *args], env)
            samples[name].append(ms)
    # Peak memory, one process at a time (RUSAGE_CHILDREN keeps the maximum of all).
    for name, args in COMMANDS.items():
        memory[name] = _peak_alone([attune, *args], env)
    version = statistics.median(samples["--version"])
    helped = statistics.median(samples["--help"])
    print(f"\nN = {n:,}")
    print(
        f"{'command':<20}{'median ms':>10}{'x --version':>13}{'x --help':>10}{'peak MB':>9}  target"
    )
    for name in ["--version", "--help", *COMMANDS]:
        med = statistics.median(samples[name])
        target = TARGETS.get(name)
        verdict = ""
        if target is not None and n == 36_500:
            verdict = f"<= {target:g}x: " + ("ok" if med / version <= target else "MISS")
        mem = f"{memory[name]:.0f}" if name in memory else ""
        print(
            f"{name:<20}{med:>10.1f}{med / version:>12.1f}x{med / helped:>9.1f}x{mem:>9}  {verdict}"
        )
    ok_first = cold / version <= FIRST_RUN_TARGET
    print(
        f"first run after the index was deleted: {cold:.0f} ms = {cold / version:.1f}x --version"
        + (f" (<= {FIRST_RUN_TARGET:g}x: {'ok' if ok_first else 'MISS'})" if n == 36_500 else "")
    )
    worst = max(memory.values())
    if n == 36_500:
        print(
            f"peak memory {worst:.0f} MB (< {MEMORY_TARGET_MB} MB: "
            f"{'ok' if worst < MEMORY_TARGET_MB else 'MISS'})"
        )


def _peak_alone(argv: list[str], env: dict[str, str]) -> float:
    code = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip()) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 36_500])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    attune = str(Path(sys.executable).parent / "attune")
    with tempfile.TemporaryDirectory(prefix="attune-scale-") as tmp:
        for n in args.sizes:
            measure_size(n, args.runs, attune, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
