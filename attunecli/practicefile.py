"""Practice files of your own: checked against `schema/practice.schema.json` and a few
rules a schema cannot say, with each problem named by line and key; then turned into
the same `Practice` the built-in ones are.

A practice file is data. Nothing in it is run, formatted or read as markup: its
words are shown as they are written, like any answer.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from attunecli.errors import UsageError
from attunecli.labels import BUILT_IN_PRACTICES
from attunecli.models import KINDS, Practice

MAX_BYTES = 256 * 1024  # a practice is a few dozen steps; a bigger file is not one


@dataclass(frozen=True)
class Problem:
    line: int | None
    where: str  # the key, as a path: section 2, step "urge", kind
    message: str

    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line else ""
        return f"{at}{self.where}: {self.message}" if self.where else f"{at}{self.message}"


class PracticeFileError(UsageError):
    """A practice file that cannot be used, with every problem found."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        more = (
            f" (and {len(problems) - 1} more: attune practices check)" if len(problems) > 1 else ""
        )
        super().__init__(f"{name}: {first}{more}")


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("attunecli").joinpath("schema/practice.schema.json").read_text("utf-8")
    found: dict[str, Any] = json.loads(text)
    return found


# finding the line a key is on --------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\s\"-]+?)\s*\]\]?\s*(?:#.*)?$")


def _tables(lines: list[str]) -> list[tuple[str, int]]:
    """(table name, line number) for each `[table]` / `[[array]]` header."""
    out = []
    for n, line in enumerate(lines, start=1):
        m = _HEADER.match(line)
        if m:
            out.append((re.sub(r"\s+", "", m.group(1)), n))
    return out


def _key_line(lines: list[str], start: int, end: int, key: str) -> int | None:
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    for n in range(start, min(end, len(lines) + 1)):
        if pattern.match(lines[n - 1]):
            return n
    return None


def locate(text: str, path: list[str | int]) -> int | None:
    """The line of `path` (["section", 0, "step", 2, "kind"]) in the TOML `text`."""
    lines = text.splitlines()
    tables = _tables(lines)
    start, end = 1, (tables[0][1] if tables else len(lines) + 1)
    header: int | None = None
    i = 0
    if len(path) >= 2 and path[0] == "section" and isinstance(path[1], int):
        sections = [n for name, n in tables if name == "section"]
        if path[1] >= len(sections):
            return None
        header = start = sections[path[1]]
        later = [n for n in sections if n > start]
        end = later[0] if later else len(lines) + 1
        i = 2
        if len(path) >= 4 and path[2] == "step" and isinstance(path[3], int):
            steps = [n for name, n in tables if name == "section.step" and start < n < end]
            if path[3] >= len(steps):
                return header
            header = start = steps[path[3]]
            later_steps = [n for n in steps if n > start]
            end = later_steps[0] if later_steps else end
            i = 4
        # a sub-table ([section.step.when]) ends the step's own keys
        inner = [n for name, n in tables if start < n < end]
        key_end = inner[0] if inner else end
    else:
        key_end = end
    key = path[i] if i < len(path) else None
    if isinstance(key, str):
        found = _key_line(lines, start, key_end, key)
        return found if found is not None else header
    return header


def _where(path: list[str | int], data: Any) -> str:
    """A path a person can follow: 'section "notice", step "urge", kind'."""
    parts: list[str] = []
    node = data
    k = 0
    while k < len(path):
        key = path[k]
        if key in ("section", "step") and k + 1 < len(path) and isinstance(path[k + 1], int):
            index = path[k + 1]
            assert isinstance(index, int)
            try:
                node = node[key][index]
                name = node.get("id") if isinstance(node, dict) else None
            except (KeyError, IndexError, TypeError):
                name = None
            parts.append(f'{key} "{name}"' if isinstance(name, str) else f"{key} {index + 1}")
            k += 2
            continue
        parts.append(str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
        k += 1
    return ", ".join(parts)


# checking ------------------------------------------------------------------------------------

BUILT_IN = frozenset(BUILT_IN_PRACTICES)
CHOICE_KINDS = tuple(k for k, v in KINDS.items() if v.options)


def _rules(data: dict[str, Any]) -> list[tuple[list[str | int], str]]:
    """What the schema cannot say; (path, message) each."""
    out: list[tuple[list[str | int], str]] = []
    if data.get("id") in BUILT_IN or data.get("id") == "repair-done":
        out.append((["id"], f"{data['id']!r} is a built-in practice; pick another name"))
    seen_sections: set[str] = set()
    for s, section in enumerate(data.get("section", [])):
        if section.get("id") in seen_sections:
            out.append((["section", s, "id"], f"a second section called {section['id']!r}"))
        seen_sections.add(section.get("id", ""))
        earlier: dict[str, dict[str, Any]] = {}
        for t, step in enumerate(section.get("step", [])):
            at: list[str | int] = ["section", s, "step", t]
            kind = step.get("kind")
            if flag_of(step.get("id", "")) in RUN_OPTIONS:
                out.append(([*at, "id"], f"{step['id']!r} is an option of attune run; rename it"))
            if step.get("id") in earlier:
                out.append(([*at, "id"], f"a second step called {step['id']!r} in this section"))
            has_options = "options" in step or "options_from" in step
            if kind in CHOICE_KINDS and not has_options:
                out.append(([*at, "kind"], f"a {kind} step needs options (or options_from)"))
            if "options" in step and "options_from" in step:
                out.append(([*at, "options"], "give options or options_from, not both"))
            if kind not in CHOICE_KINDS and has_options:
                key = "options" if "options" in step else "options_from"
                out.append(([*at, key], f"only a choice or multi step has options, not {kind}"))
            if "options" in step and len(set(step["options"])) != len(step["options"]):
                out.append(([*at, "options"], "an option is listed twice"))
            if kind == "scale":
                lo, hi = step.get("min", 0), step.get("max", 10)
                if lo >= hi:
                    out.append(([*at, "max"], f"max ({hi}) must be more than min ({lo})"))
            elif any(k in step for k in ("min", "max", "low_label", "high_label", "measure")):
                out.append(([*at, "kind"], "min, max, labels and measure are for a scale step"))
            if kind == "info" and any(k in step for k in ("optional", "default", "help")):
                out.append(([*at, "kind"], "an info step only shows its question"))
            default = step.get("default")
            if default is not None:
                problem = _default_problem(step, default)
                if problem:
                    out.append(([*at, "default"], problem))
            when = step.get("when")
            if isinstance(when, dict):
                ref = when.get("step")
                if ref not in earlier:
                    out.append(
                        ([*at, "when"], f"when.step {ref!r} is not an earlier step of this section")
                    )
                if not step.get("optional") and kind != "info":
                    out.append(([*at, "optional"], "a step asked only sometimes must be optional"))
            earlier[step.get("id", "")] = step
    return out


def _default_problem(step: dict[str, Any], default: Any) -> str | None:
    kind = step.get("kind")
    if kind == "scale":
        lo, hi = step.get("min", 0), step.get("max", 10)
        if not isinstance(default, int) or isinstance(default, bool) or not lo <= default <= hi:
            return f"a scale's default is a whole number from {lo} to {hi}"
    elif kind == "confirm":
        if not isinstance(default, bool):
            return "a yes/no step's default is true or false"
    elif kind == "choice" and "options" in step and default not in step["options"]:
        return "the default must be one of the options"
    elif kind in ("text", "date") and not isinstance(default, str):
        return "a text step's default is text"
    elif kind in ("multi", "feeling", "feelings", "info"):
        return f"a {kind} step takes no default"
    return None


def check_text(text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The practice in `text` and every problem with it (none: it can be run)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None, [Problem(None, "", f"over {MAX_BYTES // 1024} KiB: too big to be a practice")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        why = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return None, [Problem(int(m.group(1)) if m else None, "", f"not valid TOML ({why})")]
    except (RecursionError, ValueError) as exc:
        return None, [Problem(None, "", f"not a usable TOML file ({type(exc).__name__})")]
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    problems: list[Problem] = []
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        path: list[str | int] = list(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties":
            listed = re.search(r"\((.*) (?:was|were) unexpected\)", message)
            extra = re.findall(r"'([^']+)'", listed.group(1)) if listed else []
            for key in extra or ["?"]:
                problems.append(
                    Problem(
                        locate(text, [*path, key]),
                        _where([*path, key], data),
                        "not a key attune knows (see attune practices new for the keys)",
                    )
                )
            continue
        problems.append(Problem(locate(text, path), _where(path, data), message))
    if problems:
        return None, problems
    for path, message in _rules(data):
        problems.append(Problem(locate(text, path), _where(path, data), message))
    return (None, problems) if problems else (data, [])


def load_text(text: str, name: str) -> Practice:
    """The practice in `text`, ready to run; PracticeFileError names what is wrong."""
    data, problems = check_text(text)
    if data is None:
        raise PracticeFileError(name, problems)
    return practice_of(data)


# What `attune run` takes for itself: a step's option may not be one of these.
RUN_OPTIONS = frozenset(
    {"answers", "no-input", "resume", "discard", "json", "help", "data-dir", "no-color", "no-pager"}
)


def flag_of(step_id: str) -> str:
    """A step's option on `attune run`: its id with dashes (how_strong: --how-strong)."""
    return step_id.replace("_", "-")


def practice_of(data: dict[str, Any]) -> Practice:
    """The practice a checked file holds; every step but an info one answers to an option
    of its id (a step id seen in two sections answers to its section.step id only)."""
    import copy

    from attunecli.catalog import practice_from_raw

    raw = copy.deepcopy(data)
    seen: dict[str, int] = {}
    for section in raw["section"]:
        for step in section["step"]:
            seen[step["id"]] = seen.get(step["id"], 0) + 1
    for section in raw["section"]:
        for step in section["step"]:
            if step["kind"] != "info" and seen[step["id"]] == 1:
                step["flag"] = flag_of(step["id"])
    return practice_from_raw(raw)
