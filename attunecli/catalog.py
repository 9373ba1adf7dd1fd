"""Load the TOML content shipped in `attunecli/content/` into typed objects.

Everything a practice says lives in those files; code only walks it. Loading is
cached: a process reads each file at most once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, cast

from attunecli.labels import BUILT_IN_PRACTICES, FIVE_PRACTICES, QUADRANTS
from attunecli.models import (
    STEP_KINDS,
    Condition,
    Feeling,
    Option,
    Practice,
    Section,
    Step,
    StepKind,
)

PRACTICE_IDS = FIVE_PRACTICES
ALL_PRACTICE_IDS = BUILT_IN_PRACTICES


def _read(name: str) -> dict[str, Any]:
    text = resources.files("attunecli.content").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class Vocabulary:
    feelings: dict[str, Feeling]

    def get(self, word: str) -> Feeling | None:
        return self.feelings.get(word.strip().lower())

    def in_quadrant(self, quadrant: str) -> list[Feeling]:
        return sorted(
            (f for f in self.feelings.values() if f.quadrant == quadrant), key=lambda f: f.word
        )


@cache
def vocabulary() -> Vocabulary:
    data = _read("feelings.toml")
    feelings: dict[str, Feeling] = {}
    for quadrant in QUADRANTS:
        energy, _, tone = quadrant.partition("-")
        for word, means in data[quadrant].items():
            feelings[word] = Feeling(
                word=word,
                energy="high" if energy == "high" else "low",
                pleasant=tone == "pleasant",
                means=means,
            )
    return Vocabulary(feelings)


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float


@dataclass(frozen=True)
class Exercise:
    id: str
    label: str
    about: str
    minutes: float
    phases: tuple[Phase, ...]
    # What the step running it says to do (its `help`): shown with the guide, and
    # stored as the answer's `details.instruction`. Empty in the catalog itself.
    instruction: str = ""


# The table in exercises.toml that holds the guide's own words, not an exercise.
GUIDE_WORDS = "guide"


@cache
def exercises() -> dict[str, Exercise]:
    return {
        key: Exercise(
            id=key,
            label=v["label"],
            about=v["about"],
            minutes=float(v["minutes"]),
            phases=tuple(Phase(p["name"], float(p["seconds"])) for p in v["phases"]),
        )
        for key, v in _read("exercises.toml").items()
        if key != GUIDE_WORDS
    }


@cache
def guide_words() -> dict[str, str]:
    """What the live guide itself says (its closing line, the time left), from exercises.toml."""
    return dict(_read("exercises.toml")[GUIDE_WORDS])


@cache
def timed_closings(practice_id: str) -> dict[str, str]:
    """A practice's closing words by time practised (`short`, and `minutes` with
    {minutes}), for practices with a guide; empty when it has none."""
    if practice_id not in ALL_PRACTICE_IDS:
        return {}  # a practice of one's own has its one closing line
    return dict(_raw_practice(practice_id).get("closing_by_time", {}))


@cache
def coach_text() -> dict[str, Any]:
    return _read("coach.toml")


@cache
def cues() -> dict[str, Any]:
    return _read("cues.toml")


@dataclass(frozen=True)
class HelpLine:
    name: str
    purpose: str  # crisis, abuse, emergency or directory
    regions: tuple[str, ...]  # empty: everywhere
    how: str
    hours: str
    checked: date
    source: str


@dataclass(frozen=True)
class Support:
    last_checked: date
    texts: dict[str, str]  # the card's sentences, by name (intro, any_distress, ...)
    someone_steps: tuple[str, ...]
    coping: tuple[str, ...]
    regions: dict[str, str]  # code -> name
    lines: tuple[HelpLine, ...]

    @property
    def not_therapy(self) -> str:
        return self.texts["not_therapy"]

    @property
    def intro(self) -> str:
        return self.texts["intro"]


@cache
def support() -> Support:
    d = _read("support.toml")
    return Support(
        last_checked=d["last_checked"],
        texts={k: v for k, v in d.items() if isinstance(v, str)},
        someone_steps=tuple(d["someone_steps"]),
        coping=tuple(d["coping"]),
        regions=dict(d["regions"]),
        lines=tuple(
            HelpLine(
                name=x["name"],
                purpose=x["for"],
                regions=tuple(x["regions"]),
                how=x["how"],
                hours=x.get("hours", ""),
                checked=x["checked"],
                source=x["source"],
            )
            for x in d["line"]
        ),
    )


@cache
def attachment() -> dict[str, Any]:
    """The styles, by id: each with its label, `about` and one tip per practice."""
    return {k: v for k, v in _read("attachment.toml").items() if isinstance(v, dict)}


def attachment_note() -> str:
    """Said with a style's description when it is chosen: patterns shift."""
    return str(_read("attachment.toml")["note"])


ATTACHMENT_STYLES: tuple[str, ...] = ("secure", "anxious", "avoidant", "disorganized", "unsure")
# Other names a style goes by: in adults, the disorganized pattern is usually called
# fearful-avoidant. Either name picks the same tips.
ATTACHMENT_ALIASES: dict[str, str] = {
    "fearful-avoidant": "disorganized",
    "disorganised": "disorganized",  # the id keeps the spelling of the research it names
}
ATTACHMENT_CHOICES: tuple[str, ...] = (
    "secure",
    "anxious",
    "avoidant",
    "fearful-avoidant",
    "disorganized",
    "disorganised",
    "unsure",
)


def contexts() -> dict[str, str]:
    return cast(dict[str, str], coach_text()["contexts"])


def _options(name: str) -> tuple[Option, ...]:
    """The named list a step draws its choices from."""
    if name == "contexts":
        return tuple(Option(k, v) for k, v in contexts().items())
    if name == "exercises":
        return tuple(Option(e.id, e.label, e.about) for e in exercises().values())
    group, _, key = name.partition(".")
    source = cues() if group in ("body", "others") else coach_text()
    found = source[group][key]
    if isinstance(found, dict):  # ids and the labels shown for them
        return tuple(Option(str(k), str(v)) for k, v in found.items())
    return tuple(Option(v, v) for v in found)


def _feeling_options() -> tuple[Option, ...]:
    return tuple(
        Option(f.word, f.word, f.means, group=f.quadrant)
        for q in QUADRANTS
        for f in vocabulary().in_quadrant(q)
    )


def _step(raw: dict[str, Any]) -> Step:
    kind = raw["kind"]
    if kind not in STEP_KINDS:
        raise ValueError(f"unknown step kind {kind!r} in step {raw['id']!r}")
    options: tuple[Option, ...] = ()
    if "options_from" in raw:
        options = _options(raw["options_from"])
    elif "options" in raw:  # written out in a practice file of one's own
        options = tuple(Option(str(o), str(o)) for o in raw["options"])
    elif kind in ("feeling", "feelings"):
        options = _feeling_options()
    when = None
    if "when" in raw:
        w = dict(raw["when"])
        for key in ("one_of", "not_one_of"):
            if key in w:
                w[key] = tuple(w[key])
        when = Condition(**w)
    vary = raw.get("vary", {})
    variants = tuple(
        (str(k), str(v.get("question", "")), str(v.get("help", ""))) for k, v in vary.items()
    )
    return Step(
        id=raw["id"],
        kind=cast(StepKind, kind),
        question=raw["question"],
        help=raw.get("help", ""),
        optional=bool(raw.get("optional", False)),
        options=options,
        allow_other=bool(raw.get("allow_other", False)),
        min=int(raw.get("min", 0)),
        max=int(raw.get("max", 10)),
        low_label=raw.get("low_label", ""),
        high_label=raw.get("high_label", ""),
        template=raw.get("template", ""),
        when=when,
        measure=raw.get("measure", ""),
        default=raw.get("default"),
        flag=raw.get("flag", ""),
        variants=variants,
        vary_by=raw.get("vary_by", "context" if variants else ""),
        hint=raw.get("hint", ""),
        not_after_harm=bool(raw.get("not_after_harm", False)),
    )


def _raw_practice(practice_id: str) -> dict[str, Any]:
    return _read(f"practices/{practice_id}.toml")


@cache
def practice(practice_id: str, *, quick: bool = False) -> Practice:
    """The practice `practice_id`; for the check-in, `quick` gives the one-minute version."""
    if practice_id not in ALL_PRACTICE_IDS:
        raise KeyError(practice_id)
    return practice_from_raw(_raw_practice(practice_id), quick=quick)


def practice_from_raw(raw: dict[str, Any], *, quick: bool = False) -> Practice:
    """A practice from its parsed TOML: a built-in one, or a checked file of one's own."""
    sections: list[Section] = []
    for sec in raw["section"]:
        if "from" in sec:
            borrowed = {s["id"]: s for s in _raw_practice(sec["from"])["section"][0]["step"]}
            # A borrowed step keeps its command-line option only where this
            # practice's command has it too (listed in the section's `flags`).
            flags = set(sec.get("flags", []))
            raw_steps = [
                {k: v for k, v in borrowed[name].items() if k != "flag" or v in flags}
                for name in sec["steps"]
            ]
        else:
            raw_steps = sec["step"]
        steps = tuple(_step(s) for s in raw_steps)
        if quick:
            keep = set(raw.get("quick", []))
            steps = tuple(s for s in steps if f"{sec['id']}.{s.id}" in keep)
            if not steps:
                continue
        sections.append(
            Section(
                id=sec["id"],
                title=sec.get("title", ""),
                steps=steps,
                skippable=bool(sec.get("skippable", False)) and not quick,
                intro=sec.get("intro", ""),
            )
        )
    return Practice(
        id=raw["id"],
        # The one-minute check-in has its own title and intro, when it says them.
        title=raw.get("quick_title", raw["title"]) if quick else raw["title"],
        summary=raw["summary"],
        intro=raw.get("quick_intro", raw["intro"]) if quick else raw["intro"],
        sections=tuple(sections),
        closing=raw.get("closing", ""),
        multi_section=len(raw["section"]) > 1,
    )
