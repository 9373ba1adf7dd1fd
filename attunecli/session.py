"""Run one practice from start to saved entry: the core the practice commands call.

It resolves scripted answers against the practice, picks the asker, walks the
practice, saves the entry, and says whether to show support resources. The
CLI layer only turns options into a `PracticeRequest` and prints the outcome.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from attunecli import __version__, coach
from attunecli.answers import normalise
from attunecli.askers import THROW_AWAY, Asker, PrefilledAsker, ScriptedAsker
from attunecli.catalog import practice as load_practice
from attunecli.drafts import Draft, Drafts
from attunecli.engine import Progress, RunOptions, new_entry_id, run_practice
from attunecli.errors import AttuneError, Cancelled, SaveFailed, UsageError
from attunecli.fsutil import shown
from attunecli.models import JSON, Answer, Entry, Practice
from attunecli.store import Store


@dataclass
class PracticeRequest:
    practice_id: str
    quick: bool = False
    practice: Practice | None = None  # a practice of one's own, already loaded and checked
    options: Mapping[str, JSON] = field(default_factory=dict)  # flag -> value; None: not given
    answers_file: str | None = None  # path, or "-" for stdin
    guide: bool = True
    guide_minutes: float | None = None
    resume: bool = False  # pick up the newest draft an earlier run left
    discard: bool = False  # throw the newest draft away first


@dataclass
class Outcome:
    entry: Entry | None
    path: Path | None
    concerns: frozenset[str] = frozenset()  # what the saved entry raised; see `concerns()`
    cancelled: bool = False
    draft: bool = False  # stopped, and the answers wait in a draft
    # Stopped and a draft was wanted, but none could be written (`why`): `entry`
    # holds the answers, to be printed instead of lost.
    unsaved: bool = False
    why: str | None = None

    @property
    def show_support(self) -> bool:
        return bool(self.concerns)


def read_answers(source: str, stdin_text: Callable[[], str]) -> dict[str, JSON]:
    """The JSON object given with `--answers FILE` or `--answers -`."""
    from attunecli.answers import read_json_answers

    data = read_json_answers(source, stdin_text)
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


def _others(n: int) -> str:
    if not n:
        return ""
    return f"; {n} other draft{'s' if n != 1 else ''} of it wait{'s' if n == 1 else ''}"


def _pick_draft(
    request: PracticeRequest,
    drafts: Drafts,
    asker: Asker,
    interactive: bool,
    notify: Callable[[str], None],
) -> Draft | None:
    """The draft an earlier, stopped run left that this run picks up (and from now on owns).

    At a terminal each waiting draft is offered, newest first; `--resume` takes
    the newest and `--discard` throws the newest away. A script that says
    neither leaves drafts alone.
    """
    if request.resume and request.discard:
        raise UsageError("--resume and --discard contradict each other; give one")
    if not (interactive or request.resume or request.discard):
        return None
    found = drafts.find(request.practice_id, request.quick)
    for bad in found.bad:
        notify(f"attune: warning: a draft attune cannot read is left as it is: {shown(str(bad))}")
    waiting = found.drafts
    name = f"{request.practice_id}{' --quick' if request.quick else ''}"
    if request.discard:
        if waiting:
            newest, others = waiting[0], _others(len(waiting) - 1)
            which = "the newest draft" if others else "the draft"
            if drafts.remove(newest):
                notify(f"Threw away {which} of {name} ({newest.summary()}){others}.")
            else:
                raise AttuneError(
                    f"could not delete the draft {shown(newest.path or '')}: {drafts.error}"
                )
        return None
    if not waiting:
        if request.resume:
            raise UsageError(f"there is no draft of {request.practice_id} to resume")
        return None
    if request.resume:
        picked = waiting[0]
        if len(waiting) > 1:
            notify(
                f"Picked up the newest draft of {name} ({picked.summary()})"
                f"{_others(len(waiting) - 1)} (`attune {name}` offers each at a terminal)."
            )
    else:
        choice = asker.choose_draft([d.summary() for d in waiting])
        if choice == THROW_AWAY:
            for d in waiting:
                if not drafts.remove(d):
                    notify(
                        f"attune: warning: could not delete the draft {shown(d.path or '')}: "
                        f"{drafts.error}"
                    )
            return None
        if not 0 <= choice < len(waiting):
            return None  # start over; the drafts wait for another time
        picked = waiting[choice]
    if picked.run_id is None:  # a draft from an earlier version: this run's own from now on
        picked.run_id = Drafts.new_run_id()
    return picked


def _guide_result(value: JSON) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict):
        return False
    counts = [value.get("planned_seconds"), value.get("seconds")]
    return all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts) and (
        isinstance(value.get("stopped_early"), bool)
    )


def _flags(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(f, dict)
        and isinstance(f.get("kind"), str)
        and isinstance(f.get("note"), str)
        and all(isinstance(v, str) for v in f.values())
        for f in value
    )


def _kept_details(kind: str, stored: Mapping[str, object]) -> dict[str, object]:
    """What the engine noted beside an answer that `normalise` cannot derive again."""
    keep: dict[str, object] = {}
    if kind == "reply":
        keep.update(
            {k: stored[k] for k in ("alternative", "draft") if isinstance(stored.get(k), str)}
        )
        keep.update({k: stored[k] for k in ("flags", "kept_flags") if _flags(stored.get(k))})
    if kind == "guide":
        # What the guide showed (its instruction) is kept with it, as when it first ran.
        keep.update(
            {k: stored[k] for k in ("exercise", "instruction") if isinstance(stored.get(k), str)}
        )
    return keep


def checked_draft(
    practice: Practice, draft: Draft, now: datetime, drop: Callable[[str, str], None]
) -> Progress:
    """The draft's answers, each checked again by the rules a typed answer meets.

    An answer that fails them (a changed practice, a hand-edited or damaged
    draft) is left out, and `drop(answer id, why)` says so; it is asked again.
    """
    steps = {practice.answer_id(sec, st): st for sec, st in practice.steps() if st.kind != "info"}
    answers: list[Answer] = []
    for a in draft.answers:
        step = steps.get(a.id)
        if step is None:
            drop(a.id, f"{practice.id} asks nothing by that name")
            continue
        if a.kind != step.kind:
            drop(a.id, f"it was a {a.kind} answer; the question now takes a {step.kind} one")
            continue
        try:
            value, details = normalise(step, a.answer, now)
        except UsageError as exc:
            drop(a.id, exc.message.partition(": ")[2] or exc.message)
            continue
        if step.kind == "guide" and not _guide_result(value):
            drop(a.id, "not a result of the guide")
            continue
        if a.id in {x.id for x in answers}:
            drop(a.id, "it is in the draft twice")
            continue
        answers.append(
            Answer(
                a.id,
                step.kind,
                a.question,
                value,
                {**_kept_details(step.kind, a.details), **details},
            )
        )
    skippable = {sec.id for sec in practice.sections if sec.skippable}
    skipped = [s for s in dict.fromkeys(draft.skipped_sections) if s in skippable]
    return Progress(draft.started_at, answers, skipped, about=draft.about)


def run(
    request: PracticeRequest,
    *,
    store: Store,
    drafts: Drafts,
    interactive: bool,
    terminal: Callable[[], Asker],
    run_options: RunOptions,
    stdin_text: Callable[[], str] = lambda: sys.stdin.read(),
    notify: Callable[[str], None] = lambda line: None,
) -> Outcome:
    """Walk the practice and save its entry. `notify` gets one line at a time for stderr
    (a draft picked up or thrown away, an answer in it that no longer holds)."""
    practice = request.practice or load_practice(request.practice_id, quick=request.quick)
    file_answers = read_answers(request.answers_file, stdin_text) if request.answers_file else {}
    given = resolve_given(practice, file_answers, request.options)
    asker: Asker
    if interactive:
        asker = PrefilledAsker(given, terminal()) if given else terminal()
    else:
        asker = ScriptedAsker(given, flags=flag_names(practice))
    # The draft this run writes: the one it picked up, or its own from its first step on.
    own = _pick_draft(request, drafts, asker, interactive, notify)
    resume: Progress | None = None
    if own is not None:
        again = "it is asked again" if interactive else "it is not saved"

        def drop(answer_id: str, why: str) -> None:
            notify(f"attune: the draft's answer to {answer_id} was left out ({why}); {again}")

        resume = checked_draft(practice, own, run_options.now(), drop)
        its_day = resume.about or resume.started_at
        if run_options.about is not None and run_options.about != its_day:
            notify(
                f"attune: the draft picked up is about {its_day:%a %d %b %Y %H:%M}, and it "
                "stays on that day (--discard throws it away to start afresh)"
            )
    # A draft picked up holds every answer so far until this run writes it again.
    draft_kept = own is not None
    latest: Progress | None = None

    def keep_draft(progress: Progress) -> None:
        nonlocal own, draft_kept, latest
        latest = progress
        if own is None:
            own = Draft(
                request.practice_id, request.quick, progress.started_at, run_id=drafts.new_run_id()
            )
        own.started_at = progress.started_at
        own.about = progress.about
        own.answers = list(progress.answers)
        own.skipped_sections = list(progress.skipped_sections)
        draft_kept = drafts.save(own)

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

    def done_with_draft() -> None:
        # Only this run's own draft goes; a script that did not ask for one has none.
        if own is not None and not drafts.remove(own):
            notify(
                f"attune: warning: could not delete the finished draft {shown(own.path or '')} "
                f"({drafts.error}); delete it by hand, or it is offered again"
            )

    try:
        entry = run_practice(practice, asker, options)
    except Cancelled as stop:
        if stop.kept == "draft":
            if draft_kept:
                return Outcome(None, None, cancelled=True, draft=True)
            if latest is not None and latest.answers:
                # No draft could be written: the answers go to stdout instead, and
                # whatever draft is on disk stays as it was.
                unsaved = _entry_of(practice, latest)
                return Outcome(unsaved, None, cancelled=True, unsaved=True, why=drafts.error)
            return Outcome(None, None, cancelled=True)
        kept = stop.entry if isinstance(stop.entry, Entry) else None
        path = _save(store, kept, draft_kept) if kept else None
        done_with_draft()
        return Outcome(kept, path, cancelled=True)
    if not any(a.answer is not None for a in entry.answers):
        # Every step skipped (a card of one's own whose steps are all optional): no
        # entry of nothing, as for a check-in whose every part was skipped.
        done_with_draft()
        return Outcome(None, None)
    path = _save(store, entry, draft_kept)
    done_with_draft()
    return Outcome(entry, path, concerns=raised(entry))


def _entry_of(practice: Practice, progress: Progress) -> Entry:
    """The answers so far as an incomplete entry (what `attune import` takes back)."""
    from attunecli.engine import dated

    entry = Entry(
        id=new_entry_id(),
        created_at=progress.started_at,
        practice=practice.id,
        answers=list(progress.answers),
        complete=False,
        app_version=__version__,
    )
    return dated(entry, progress)


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
