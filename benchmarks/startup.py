"""Start-up benchmark for the `attune` command: wall time of fresh processes.

Run it by hand from the project root, with the project's virtualenv:

    .venv/bin/python benchmarks/startup.py            # 21 runs of each case
    .venv/bin/python benchmarks/startup.py --runs 9   # quicker, noisier
    .venv/bin/python benchmarks/startup.py --no-fail  # report, always exit 0

It is not a test (pytest does not collect it). Each case starts a new process
and is timed from spawn to exit (or, for `attune checkin`, to the first prompt
appearing on a pseudo-terminal):

- `python -c pass`, with the same interpreter (`sys.executable`): the baseline;
- `attune --version`, `attune --help`, and two TAB presses of bash completion
  (`_ATTUNE_COMPLETE=complete_bash`: the commands, and the values of
  `--practice`), all through the installed console script next to
  `sys.executable`;
- `attune checkin` on a pseudo-terminal (pexpect), until "Notice what you
  feel" is shown; `python -c pass` on a pseudo-terminal is measured as well,
  for information.

Every target is a ratio to the median of the plain-subprocess `python -c pass`
measured in the same run, not a number of milliseconds: this runs on shared,
noisy machines of different speeds, and a ratio to a bare interpreter start
holds far better across them than absolute times. For the same reason the
cases are interleaved round-robin (one run of each case per round, the order
rotating each round), so a burst of noise hits every case alike.

After the table it prints, for the next engineer, what `python -X importtime`
reports for `attune --help` and for `attune checkin` up to its first prompt:
the number of modules imported and the biggest cumulative import costs
(importtime adds its own overhead; read those figures as relative).

Exit status: 0 when every target is met, 1 when one is missed (0 with
`--no-fail`), 2 when a command did not behave as expected (for instance
completion did not list the subcommands): such timings would mean nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pexpect

PYTHON = sys.executable
ATTUNE = str(Path(sys.executable).parent / "attune")
FIRST_PROMPT = "Notice what you feel"
PTY_TIMEOUT_S = 30.0
COMPLETION_MUST_LIST = ("checkin", "slow-down", "history", "support")

BASELINE = "python -c pass"
PTY_BASELINE = "python -c pass (pty)"


class BenchError(Exception):
    """A command did not do what it should; its timings would be meaningless."""


@dataclass
class Case:
    name: str
    run: Callable[[], float]  # one fresh process; returns milliseconds
    target: float | None = None  # most allowed ratio to BASELINE
    note: str = ""
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def iqr(self) -> float:
        if len(self.samples) < 4:
            return max(self.samples) - min(self.samples)
        q = statistics.quantiles(self.samples, n=4)
        return q[2] - q[0]


def clean_env(dirs: Path) -> dict[str, str]:
    """The environment for every case: the caller's, minus anything attune or
    completion reads, with attune's folders in a private temporary tree."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ATTUNE_", "_ATTUNE_", "_TYPER_", "COMP_"))
        and k not in ("NO_COLOR", "PYTHONPROFILEIMPORTTIME")
    }
    for var, sub in (
        ("ATTUNE_DATA_DIR", "data"),
        ("ATTUNE_STATE_DIR", "state"),
        ("ATTUNE_CONFIG_DIR", "config"),
        ("ATTUNE_CACHE_DIR", "cache"),
    ):
        env[var] = str(dirs / sub)
    return env


def subprocess_case(
    argv: list[str], env: Mapping[str, str], check: Callable[[str], str | None] | None = None
) -> Callable[[], float]:
    """Time `argv` run with pipes for stdout and stderr, as a script or shell would."""

    def run() -> float:
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        elapsed = (time.perf_counter() - start) * 1000
        if proc.returncode != 0:
            raise BenchError(f"{argv} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
        if check is not None and (problem := check(proc.stdout)):
            raise BenchError(f"{argv}: {problem}")
        return elapsed

    return run


def spawn(argv: list[str], env: Mapping[str, str]) -> pexpect.spawn:
    return pexpect.spawn(
        argv[0],
        argv[1:],
        env=dict(env),
        dimensions=(24, 80),
        encoding="utf-8",
        codec_errors="replace",
        timeout=PTY_TIMEOUT_S,
    )


def reap(child: pexpect.spawn, *, kill: bool) -> None:
    """Stop and reap the child without pexpect's default 0.1 s sleeps."""
    if kill and child.isalive():
        child.kill(signal.SIGKILL)
    child.wait()
    child.ptyproc.delayafterclose = 0
    child.ptyproc.delayafterterminate = 0
    child.close(force=True)


def pty_until_exit(argv: list[str], env: Mapping[str, str]) -> Callable[[], float]:
    """Time `argv` on a pseudo-terminal, from spawn until it closes the terminal."""

    def run() -> float:
        start = time.perf_counter()
        child = spawn(argv, env)
        child.expect(pexpect.EOF)
        elapsed = (time.perf_counter() - start) * 1000
        reap(child, kill=False)
        if child.exitstatus != 0:
            raise BenchError(f"{argv} exited {child.exitstatus} on a pty")
        return elapsed

    return run


def expect_prompt(child: pexpect.spawn, argv: list[str]) -> str:
    """Wait for the first prompt; return everything the child wrote up to it."""
    try:
        child.expect_exact(FIRST_PROMPT)
    except (pexpect.EOF, pexpect.TIMEOUT) as exc:
        seen = (child.before or "")[-800:]
        reap(child, kill=True)
        raise BenchError(
            f"{argv}: no {FIRST_PROMPT!r} on the terminal ({type(exc).__name__}); "
            f"it wrote: {seen!r}"
        ) from None
    return str(child.before)


def pty_until_prompt(argv: list[str], env: Mapping[str, str]) -> Callable[[], float]:
    """Time `argv` on a pseudo-terminal, from spawn until the first prompt is shown."""

    def run() -> float:
        start = time.perf_counter()
        child = spawn(argv, env)
        expect_prompt(child, argv)
        elapsed = (time.perf_counter() - start) * 1000
        reap(child, kill=True)
        return elapsed

    return run


def completion_check(stdout: str) -> str | None:
    offered = stdout.split()
    missing = [name for name in COMPLETION_MUST_LIST if name not in offered]
    if missing:
        return f"completion did not offer {missing}; it printed {stdout[:300]!r}"
    return None


def build_cases(env: dict[str, str]) -> list[Case]:
    pty_env = {**env, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    # Typer 0.28's BashComplete reads COMP_WORDS and COMP_CWORD (typer/_completion_classes.py);
    # _TYPER_COMPLETE_ARGS is read by the zsh/fish/PowerShell classes only. The bash function
    # Typer installs sets exactly these three variables on every TAB press.
    complete_env = {
        **env,
        "_ATTUNE_COMPLETE": "complete_bash",
        "COMP_WORDS": "attune ",
        "COMP_CWORD": "1",
    }
    return [
        Case(BASELINE, subprocess_case([PYTHON, "-c", "pass"], env), note="baseline"),
        Case(PTY_BASELINE, pty_until_exit([PYTHON, "-c", "pass"], pty_env), note="info"),
        Case(
            "attune --version",
            subprocess_case(
                [ATTUNE, "--version"], env, lambda out: None if out.startswith("attune ") else out
            ),
            target=6,
        ),
        Case(
            "attune <TAB> (bash)",
            subprocess_case([ATTUNE], complete_env, completion_check),
            target=5,
        ),
        Case(
            "attune history --practice <TAB>",
            subprocess_case(
                [ATTUNE],
                {**complete_env, "COMP_WORDS": "attune history --practice ", "COMP_CWORD": "3"},
                lambda out: None if "curious" in out.split() else out[:300],
            ),
            target=5,
        ),
        Case(
            "attune --help",
            subprocess_case(
                [ATTUNE, "--help"], env, lambda out: None if "Commands" in out else out[:300]
            ),
            target=12,
        ),
        Case(
            "attune checkin, 1st prompt",
            pty_until_prompt([ATTUNE, "checkin"], pty_env),
            target=25,
        ),
    ]


def measure(cases: list[Case], runs: int) -> None:
    for case in cases:  # warm-up: page cache, .pyc files, the first-run notice
        case.run()
    for round_no in range(runs):
        shift = round_no % len(cases)
        for case in cases[shift:] + cases[:shift]:
            case.samples.append(case.run())
        if sys.stderr.isatty():
            print(f"\r  round {round_no + 1}/{runs}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print("\r" + " " * 30 + "\r", end="", file=sys.stderr, flush=True)


def report(cases: list[Case]) -> list[str]:
    """Print the table; return the names of the cases that missed their target."""
    base = next(c for c in cases if c.name == BASELINE).median
    pty_base = next(c for c in cases if c.name == PTY_BASELINE).median
    missed: list[str] = []
    print(f"{'case':<34}{'median ms':>10}{'iqr ms':>8}{'ratio':>8}{'target':>8}   ok")
    for case in cases:
        ratio = case.median / base
        target = f"{case.target:g}x" if case.target is not None else ""
        if case.target is None:
            ok = case.note
        elif ratio <= case.target:
            ok = "yes"
        else:
            ok = f"NO (+{(ratio - case.target) * base:.1f} ms over)"
            missed.append(case.name)
        print(
            f"{case.name:<34}{case.median:>10.1f}{case.iqr:>8.1f}{ratio:>7.1f}x{target:>8}   {ok}"
        )
    checkin = next(c for c in cases if c.name.startswith("attune checkin"))
    print(
        f"\nRatios are to the median of {BASELINE!r} run as a plain subprocess "
        f"({base:.1f} ms), {len(checkin.samples)} runs each, interleaved."
    )
    print(
        f"checkin is spawned on a pty by pexpect; against {PTY_BASELINE!r} "
        f"({pty_base:.1f} ms) its ratio is {checkin.median / pty_base:.1f}x (information only)."
    )
    return missed


# --- python -X importtime -------------------------------------------------------------

IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@dataclass(frozen=True)
class Imported:
    name: str
    self_us: int
    cumulative_us: int
    parent: str  # the module whose import pulled this one in ("" at top level)


def parse_importtime(text: str) -> list[Imported]:
    """Parse `-X importtime` lines, one entry per module.

    Lines come in post-order (a module after everything it imported), indented
    by nesting. A module can be listed twice: `from pkg.sub import x` after
    `pkg.sub` was already run while importing `pkg` gives a second, near-empty
    line for `pkg.sub` whose cumulative time is really `pkg`'s. Only the first
    listing (where the module's code ran) is kept, and a module's parent is the
    next shallower first listing.
    """
    rows = [(m[4], int(m[1]), int(m[2]), len(m[3]) // 2) for m in IMPORT_LINE.finditer(text)]
    seen: set[str] = set()
    first: list[bool] = []
    for name, *_ in rows:
        first.append(name not in seen)
        seen.add(name)
    result: list[Imported] = []
    for i, (name, self_us, cumulative_us, depth) in enumerate(rows):
        if not first[i]:
            continue
        parent = next(
            (r[0] for j, r in enumerate(rows[i + 1 :], i + 1) if r[3] < depth and first[j]), ""
        )
        result.append(Imported(name, self_us, cumulative_us, parent))
    return result


def importtime_help(env: Mapping[str, str]) -> list[Imported]:
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", "-m", "attunecli", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return parse_importtime(proc.stderr)


def importtime_checkin(env: Mapping[str, str]) -> list[Imported]:
    """On a pty stderr and the screen are one stream; importtime lines are whole lines in it."""
    pty_env = {**env, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    argv = [PYTHON, "-X", "importtime", "-m", "attunecli", "checkin"]
    child = spawn(argv, pty_env)
    child.maxread = 65536
    seen = expect_prompt(child, argv)
    reap(child, kill=True)
    return parse_importtime(seen)


def median_imports(samples: list[list[Imported]]) -> list[Imported]:
    """Per module, the median over several importtime runs (one run is noisy)."""
    by_name: dict[str, list[Imported]] = {}
    for run in samples:
        for imp in run:
            by_name.setdefault(imp.name, []).append(imp)
    return [
        Imported(
            name,
            int(statistics.median(i.self_us for i in imps)),
            int(statistics.median(i.cumulative_us for i in imps)),
            imps[0].parent,
        )
        for name, imps in by_name.items()
    ]


def print_imports(title: str, imports: list[Imported], baseline: set[str], top: int) -> None:
    extra = [i for i in imports if i.name not in baseline]
    print(f"\n{title}: {len(imports)} modules imported ({len(extra)} more than python -c pass)")
    print(f"  {'cumulative ms':>13} {'self ms':>8}  module (imported by)")
    for imp in sorted(extra, key=lambda i: i.cumulative_us, reverse=True)[:top]:
        via = f"  ({imp.parent})" if imp.parent else ""
        print(f"  {imp.cumulative_us / 1000:>13.1f} {imp.self_us / 1000:>8.1f}  {imp.name}{via}")


def import_report(env: dict[str, str], repeats: int, top: int) -> None:
    pass_imports = parse_importtime(
        subprocess.run(
            [PYTHON, "-X", "importtime", "-c", "pass"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stderr
    )
    baseline = {i.name for i in pass_imports}
    helps = median_imports([importtime_help(env) for _ in range(repeats)])
    checkins = median_imports([importtime_checkin(env) for _ in range(repeats)])
    print(f"\npython -X importtime, median of {repeats} runs each (importtime inflates times):")
    print_imports("attune --help", helps, baseline, top)
    print_imports("attune checkin, to the first prompt", checkins, baseline, top)
    help_names = {i.name for i in helps}
    only_checkin = [i for i in checkins if i.name not in help_names]
    # Only modules pulled in by something --help also loads: the doors to the extra cost.
    doors = [i for i in only_checkin if i.parent in help_names or not i.parent]
    doors.sort(key=lambda i: i.cumulative_us, reverse=True)
    print(
        f"\n  checkin imports {len(only_checkin)} modules that --help does not; they come in "
        "through: " + ", ".join(f"{i.name} {i.cumulative_us / 1000:.1f} ms" for i in doors[:6])
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=21, help="runs of each case (default 21)")
    parser.add_argument(
        "--no-fail", action="store_true", help="exit 0 even when a target is missed"
    )
    parser.add_argument(
        "--no-imports", action="store_true", help="skip the python -X importtime report"
    )
    parser.add_argument("--top", type=int, default=10, help="modules listed per importtime report")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not Path(ATTUNE).exists():
        print(f"no {ATTUNE}: install the project first (pip install -e .)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="attune-bench-") as tmp:
        env = clean_env(Path(tmp))
        cases = build_cases(env)
        print(f"{PYTHON} (Python {sys.version.split()[0]}), {ATTUNE}", file=sys.stderr)
        try:
            measure(cases, args.runs)
            missed = report(cases)
            if not args.no_imports:
                import_report(env, repeats=3, top=args.top)
        except BenchError as exc:
            print(f"\nbenchmark error: {exc}", file=sys.stderr)
            return 2

    if missed:
        print(f"\nmissed: {', '.join(missed)}", file=sys.stderr)
        return 0 if args.no_fail else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
