"""How fast `attune remind` says nothing, on a small store and a large one.

Run by hand from the project root:

    .venv/bin/python benchmarks/remind.py            # 21 interleaved runs per case
    .venv/bin/python benchmarks/remind.py --runs 9

Targets (issue 3, tightened by issue 16), each a ratio measured in the same run:
- `attune remind` with nothing to say, against a store of 36,500 entries, at
  most 4x `python -c pass`;
- and no slower with 36,500 entries than with 10 (we allow 1.10x for noise).

"Nothing to say" means today's check-in exists and every repair is closed. The
derived index is warmed once first (a cron job meets a warm index every day
but the first); the first run on a cold index is timed separately, for
information. Cases are interleaved round-robin, as in startup.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from startup import BASELINE, Case, clean_env, measure, subprocess_case
from synth import generate

SIZES = (10, 36_500)
TARGET_VS_BASE = 4.0
TARGET_SCALING = 1.10


def prepare(root: Path, n: int, attune: str) -> dict[str, str]:
    env = clean_env(root)
    generate(Path(env["ATTUNE_DATA_DIR"]), n)
    subprocess.run(
        [attune, "checkin", "--quick", "--feeling", "calm", "--intensity", "2"],
        env=env,
        check=True,
        capture_output=True,
    )
    return env


def quiet(stdout: str) -> str | None:
    return None if stdout == "" else f"expected silence, got {stdout[:80]!r}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args()
    attune = str(Path(sys.executable).parent / "attune")
    with tempfile.TemporaryDirectory(prefix="attune-bench-") as tmp:
        envs = {n: prepare(Path(tmp) / f"n{n}", n, attune) for n in SIZES}
        cold = {}
        for n, env in envs.items():
            start = time.perf_counter()
            out = subprocess.run(
                [attune, "remind", "--json"], env=env, capture_output=True, text=True, check=True
            ).stdout
            cold[n] = (time.perf_counter() - start) * 1000
            decided = json.loads(out)
            assert decided["checked_in"] and not decided["due_repairs"], decided
        cases = [Case(BASELINE, subprocess_case([sys.executable, "-c", "pass"], envs[10]))]
        for n in SIZES:
            cases.append(
                Case(
                    f"attune remind, {n} entries",
                    subprocess_case([attune, "remind"], envs[n], check=quiet),
                )
            )
        measure(cases, args.runs)
    base = cases[0].median
    small, large = cases[1].median, cases[2].median
    print(f"{'case':<30}{'median ms':>10}{'iqr ms':>8}{'ratio':>8}")
    for case in cases:
        print(f"{case.name:<30}{case.median:>10.1f}{case.iqr:>8.1f}{case.median / base:>7.1f}x")
    print(
        f"\ncold index, first run: {cold[10]:.0f} ms (10 entries), "
        f"{cold[36_500]:.0f} ms (36,500 entries); information only"
    )
    checks = [
        (
            f"36,500 entries vs python -c pass: {large / base:.2f}x "
            f"(target <= {TARGET_VS_BASE:g}x)",
            large / base <= TARGET_VS_BASE,
        ),
        (
            f"36,500 vs 10 entries: {large / small:.2f}x (target <= {TARGET_SCALING:g}x)",
            large / small <= TARGET_SCALING,
        ),
    ]
    for text, ok in checks:
        print(("ok   " if ok else "MISS ") + text)
    return 0 if args.no_fail or all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
