"""Run one practice from start to saved entry: the core the practice commands call.

It resolves scripted answers against the practice, picks the asker, walks the
practice, saves the entry, and says whether to show support resources. The
CLI layer only turns options into a `PracticeRequest` and prints the outcome.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from attunecli import coach
from attunecli.askers import Asker, PrefilledAsker, ScriptedAsker
from attunecli.catalog import practice as load_practice
from attunecli.drafts import Draft, Drafts
from attunecli.engine import Progress, RunOptions, run_practice
from attunecli.errors import AttuneError, Cancelled, SaveFailed, UsageError
from attunecli.models import JSON, Entry, Practice
from attunecli.store import Store


@dataclass
class PracticeRequest:
    practice_id: str
    quick: bool = False
    options: Mapping[str, JSON] = field(default_factory=dict)  # flag -> value; None: not given
    answers_file: str | None = None  # path, or "-" for stdin
    guide: bool = True
    guide_minutes: float | None = None
    resume: bool = False  # pick up the draft an earlier run left
    discard: bool = False  # throw that draft away first


@dataclass
class Outcome:
    entry: Entry | None
    path: Path | None
    concerns: frozenset[str] = frozenset()  # what the saved entry raised; see `concerns()`
    cancelled: bool = False
    draft: bool = False  # stopped, and the answers wait in a draft

    @property
    def show_support(self) -> bool:
        return bool(self.concerns)


def read_answers(source: str, stdin_text: Callable[[], str]) -> dict[str, JSON]:
    """The JSON object given with `--answers FILE` or `--answers -`."""
    try:
        text = stdin_text() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--answers: no such file: {source}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--answers: could not read {source}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--answers: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise UsageError("--answers: expected a JSON object keyed by prompt id")
    return data


def answer_ids(practice: Practice) -> dict[str, str]:
    """Every name an answer may be given under (answer id, step id when unique) -> answer id."""
    full = [practice.answer_id(sec, st) for sec, st in practice.steps() if st.kind != "info"]
    names = {a: a for a in full}
    short: dict[str, list[str]] = {}
    for a in full:
        short.setdefault(a.rpartition(".")[2], []).append(a)
    for name, ids in short.items():
        if len(ids) == 1:
            names.setdefault(name, ids[0])
    return names


def flag_names(practice: Practice) -> dict[str, str]:
    """answer id -> the option that answers it (without "--")."""
    return {practice.answer_id(sec, st): st.flag for sec, st in practice.steps() if st.flag}


def resolve_given(
    practice: Practice, file_answers: Mapping[str, JSON], options: Mapping[str, JSON]
) -> dict[str, JSON]:
    """Merge `--answers` and options (options win) into values keyed by answer id."""
    names = answer_ids(practice)
    given: dict[str, JSON] = {}
    for key, value in file_answers.items():
        if key not in names:
            known = ", ".join(sorted(k for k in names if "." in k or k == names[k]))
            raise UsageError(
                f"--answers: unknown prompt id {key[:40]!r} for {practice.id}; known: {known}"
            )
        if value is not None:
            if names[key] in given and given[names[key]] != value:
                raise UsageError(
                    f"--answers: {names[key]!r} is given twice, with different answers"
                )
            given[names[key]] = value
    by_flag = {flag: aid for aid, flag in flag_names(practice).items()}
    for flag, value in options.items():
        if value is None or value == [] or value == ():
            continue
        if flag not in by_flag:
            raise UsageError(f"--{flag} does not apply to {practice.id}")
        given[by_flag[flag]] = list(value) if isinstance(value, tuple) else value
    return given


def _start_from_draft(
    request: PracticeRequest, drafts: Drafts, asker: Asker, interactive: bool
) -> Progress | None:
    """Whether this run picks up a draft an earlier, stopped run left behind."""
    if request.resume and request.discard:
        raise UsageError("--resume and --discard contradict each other; give one")
    draft = drafts.load(request.practice_id, request.quick)
    if request.discard:
        drafts.delete(request.practice_id, request.quick)
        return None
    if draft is None:
        if request.resume:
            raise UsageError(f"there is no draft of {request.practice_id} to resume")
        return None
    if request.resume or (interactive and asker.resume_draft(draft.summary())):
        return Progress(draft.started_at, list(draft.answers), list(draft.skipped_sections))
    if interactive:  # they chose to start over
        drafts.delete(request.practice_id, request.quick)
    return None


def run(
    request: PracticeRequest,
    *,
    store: Store,
    drafts: Drafts,
    interactive: bool,
    terminal: Callable[[], Asker],
    run_options: RunOptions,
    stdin_text: Callable[[], str] = lambda: sys.stdin.read(),
) -> Outcome:
    practice = load_practice(request.practice_id, quick=request.quick)
    file_answers = read_answers(request.answers_file, stdin_text) if request.answers_file else {}
    given = resolve_given(practice, file_answers, request.options)
    asker: Asker
    if interactive:
        asker = PrefilledAsker(given, terminal()) if given else terminal()
    else:
        asker = ScriptedAsker(given, flags=flag_names(practice))
    resume = _start_from_draft(request, drafts, asker, interactive)
    draft_kept = [False]

    def keep_draft(progress: Progress) -> None:
        draft = Draft(
            request.practice_id,
            request.quick,
            progress.started_at,
            list(progress.answers),
            list(progress.skipped_sections),
        )
        draft_kept[0] = drafts.save(draft)

    judged: dict[str, frozenset[str]] = {}

    def raised(entry: Entry) -> frozenset[str]:
        if entry.id not in judged:
            judged[entry.id] = frozenset(concerns(entry))
        return judged[entry.id]

    options = replace(
        run_options,
        resume=resume,
        on_progress=keep_draft if interactive else None,
        holds_closing=lambda entry: bool(raised(entry)),
    )
    # A script that did not ask for the draft leaves it for the person who wrote it.
    owns_draft = interactive or resume is not None

    def done_with_draft() -> None:
        if owns_draft:
            drafts.delete(request.practice_id, request.quick)

    try:
        entry = run_practice(practice, asker, options)
    except Cancelled as stop:
        kept = stop.entry if isinstance(stop.entry, Entry) else None
        if stop.kept == "draft" and draft_kept[0]:
            return Outcome(None, None, cancelled=True, draft=True)
        path = _save(store, kept, draft_kept[0]) if kept else None
        done_with_draft()
        return Outcome(kept, path, cancelled=True)
    if not entry.answers:
        done_with_draft()
        return Outcome(None, None)
    path = _save(store, entry, draft_kept[0])
    done_with_draft()
    return Outcome(entry, path, concerns=raised(entry))


def _save(store: Store, entry: Entry, draft_kept: bool) -> Path:
    try:
        return store.save(entry)
    except AttuneError as exc:
        raise SaveFailed(exc.message, entry, draft_kept=draft_kept) from exc


def concerns(entry: Entry) -> set[str]:
    """What the entry raises (`self`, `someone`, `abuse`; see `attunecli.crisis`): its words,
    and a very high rating on an unpleasant feeling, which counts as the writer's own."""
    from attunecli import crisis

    stock = coach.stock_options()
    words = [t for t in coach.free_text(entry, vocabulary_feelings=False) if t not in stock]
    found = crisis.concerns(words)
    if coach.high_distress(entry):
        found.add("self")
    return found


def needs_support(entry: Entry) -> bool:
    return bool(concerns(entry))


def reply_notes(entry: Entry) -> list[str]:
    """What the checker said of each reply in `entry`, a plain line a flag, for scripted runs."""
    from attunecli.replies import notes

    lines: list[str] = []
    for a in entry.by_kind("reply"):
        flags = a.details.get("kept_flags") or a.details.get("flags") or []
        if not flags or a.details.get("draft"):
            continue  # nothing found, or already looked at together at the terminal
        lines += ["Your reply: " + line for line in notes(flags)]
        if a.details.get("alternative"):
            lines.append("Another way to say it: " + str(a.details["alternative"]))
    return lines


def support_card(
    entry_concerns: frozenset[str], region: str | None, *, has_plan: bool
) -> list[str]:
    from attunecli import care

    return care.card(entry_concerns, region, has_plan=has_plan)


def abuse_lines(region: str | None = None) -> list[str]:
    from attunecli import care

    return care.abuse_note(region)
