"""The support card and `attune support`: which help lines to show, for where the person is.

Pure functions over `catalog.support()`. The region comes from the `region`
setting, else from the locale (`en_GB.UTF-8` -> GB); with neither, the card
names each region's line, so no one is shown only another country's numbers.
Nothing here ever quotes what the person wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from attunecli.catalog import HelpLine, Support, support

_LOCALE_REGION = re.compile(r"^[a-z]{2,3}_([A-Z]{2})(?:[.@]|$)")
ORDER = ("self", "abuse", "someone")  # whose help comes first when several concerns are raised


def region_from_locale(env: Mapping[str, str]) -> str | None:
    """The country in the first of LC_ALL, LC_MESSAGES, LANG that names one."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        m = _LOCALE_REGION.match(env.get(name, ""))
        if m:
            return "GB" if m.group(1) == "UK" else m.group(1)
    return None


def pick_region(setting: str | None, env: Mapping[str, str]) -> str | None:
    return setting or region_from_locale(env)


def _for(s: Support, purpose: str, region: str | None) -> list[HelpLine]:
    lines = [x for x in s.lines if x.purpose == purpose]
    if region is None:
        return [x for x in lines if x.regions]
    mine = [x for x in lines if region in x.regions]
    return mine or [x for x in lines if not x.regions]


def _where(s: Support, line: HelpLine) -> str:
    names = [s.regions.get(r, r) for r in line.regions]
    return " and ".join(names)


def line_text(s: Support, line: HelpLine, *, with_region: bool) -> str:
    where = f" ({_where(s, line)})" if with_region and line.regions else ""
    hours = f", {line.hours}" if line.hours and line.hours != "online" else ""
    return f"  {line.name}{where}: {line.how}{hours}"


def _emergency(s: Support, region: str | None) -> str:
    found = [x for x in s.lines if x.purpose == "emergency" and region in x.regions]
    how = found[0].how if found else "call your local emergency number"
    return f"  In danger now: {how}"


def _lines(s: Support, purpose: str, region: str | None, *, directory: bool = True) -> list[str]:
    out = [line_text(s, x, with_region=region is None) for x in _for(s, purpose, region)]
    known = any(region in x.regions for x in s.lines if x.purpose == purpose)
    if directory and (region is None or not known):
        out += [line_text(s, x, with_region=False) for x in s.lines if x.purpose == "directory"]
    return out


def card(
    concerns: Iterable[str], region: str | None, *, has_plan: bool, s: Support | None = None
) -> list[str]:
    """The short card shown after a save that raised `concerns`: a warm line first, then help.

    Several concerns share one card: the writer's own danger first, then fear or
    harm from someone close, then worry for someone else.
    """
    s = s or support()
    t = s.texts
    raised = [c for c in ORDER if c in set(concerns)]
    if not raised:
        return []
    out: list[str] = []
    if "self" in raised or "someone" in raised:
        if "self" in raised:
            out.append(f"{t['intro']} {t['any_distress']}")
        else:
            out.append(f"{t['someone_lead']} {t['someone_intro']}")
        out += _lines(s, "crisis", region)
    if "abuse" in raised:
        out.append(t["abuse_intro"] if not out else "  " + t["abuse_intro"])
        if region is None and out[0] != t["abuse_intro"]:
            out.append("  " + t["abuse_where"])  # every region's lines twice would be too long
        else:
            out += _lines(s, "abuse", region, directory=region is not None)
    out.append(_emergency(s, region))
    if "someone" in raised and "self" not in raised:
        out.append("  " + t["someone_danger"])
    if "self" in raised:
        out.append("  " + (t["plan_show"] if has_plan else t["plan_offer"]))
    out.append("  " + t["more"])
    return out


def full(
    region: str | None,
    *,
    every_region: bool,
    plan: Sequence[str] = (),
    s: Support | None = None,
) -> list[str]:
    """What `attune support` prints: the person's own plan first, then lines and coping steps."""
    s = s or support()
    t = s.texts
    out: list[str] = []
    if plan:
        out += ["Your safety plan", *plan, ""]
    out += [t["not_therapy"], "", f"{t['intro']} {t['any_distress']}"]
    if every_region:
        for code, name in s.regions.items():
            out += ["", name]
            for purpose in ("crisis", "abuse", "emergency"):
                out += [line_text(s, x, with_region=False) for x in _for(s, purpose, code)]
        out += ["", "Everywhere else"]
        out += [line_text(s, x, with_region=False) for x in s.lines if x.purpose == "directory"]
        out.append("  Emergency services: call your local emergency number")
    else:
        shown = s.regions.get(region, region) if region else None
        if shown:
            out += ["", f"For {shown}:"]
        out += _lines(s, "crisis", region)
        out += ["", "If someone close to you frightens or hurts you:"]
        out += _lines(s, "abuse", region, directory=region is not None)
        out.append("  " + t["abuse_private"])
        out.append(_emergency(s, region))
        out += ["", "Worried about someone else? " + t["someone_intro"]]
        out += [f"  - {step}" for step in s.someone_steps]
        out.append("  " + t["someone_danger"])
        hint = "" if region else " (set yours with `attune config set region GB`)"
        out += ["", f"`attune support --all` lists every region{hint}."]
    out += ["", "Things that can help right now:"] + [f"  - {c}" for c in s.coping]
    if not plan:
        out += ["", t["plan_offer"]]
    out += ["", f"(These lines were last checked on {s.last_checked.isoformat()}.)"]
    return out


def abuse_note(region: str | None, s: Support | None = None) -> list[str]:
    """Said once inside a practice when an answer speaks of fear or harm from someone close."""
    s = s or support()
    t = s.texts
    lines = _lines(s, "abuse", region, directory=region is not None)
    return [
        f"{t['abuse_intro']} {t['abuse_not_yours']} Every question here can be skipped.",
        *lines,
    ]


def as_json(s: Support | None = None) -> dict[str, object]:
    s = s or support()
    return {
        "not_therapy": s.not_therapy,
        "last_checked": s.last_checked.isoformat(),
        "regions": dict(s.regions),
        "lines": [
            {
                "name": x.name,
                "for": x.purpose,
                "regions": list(x.regions),
                "how": x.how,
                "hours": x.hours,
                "checked": x.checked.isoformat(),
                "source": x.source,
            }
            for x in s.lines
        ],
        "coping": list(s.coping),
    }
