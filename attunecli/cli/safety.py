"""`attune safety-plan`: a personal safety plan, written a step at a time, kept on this machine."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from attunecli.cli.common import DiscardOpt, NoInputOpt, ResumeOpt, confirmed, deps, guarded
from attunecli.cli.deps import Deps
from attunecli.errors import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from attunecli.drafts import Drafts
    from attunecli.safetyplan import Plan

HINT = "`attune safety-plan --resume` picks up where you left off"


def _print_plan(d: Deps, plan: "Plan | None", *, as_json: bool) -> None:
    from attunecli import safetyplan

    if as_json:
        from attunecli.plain import write_json

        write_json(d.out, safetyplan.to_json(plan if plan is not None else safetyplan.Plan(None)))
        return
    if plan is None:
        d.out.write(safetyplan.text()["no_plan"] + "\n")
        return
    d.out.write("\n".join([safetyplan.heading(plan), "", *safetyplan.lines(plan)]) + "\n")


def _saved(d: Deps, plan: "Plan", path: Path, *, as_json: bool) -> None:
    if as_json:
        _print_plan(d, plan, as_json=True)
    else:
        from attunecli.plain import literal

        d.out.write(f"Saved your safety plan ({literal(str(path))})\n")
    d.out.flush()


def register(app: typer.Typer) -> None:
    @app.command("safety-plan")
    @guarded
    def safety_plan(
        ctx: typer.Context,
        show: Annotated[
            bool, typer.Option("--show", help="Print your plan (with --json: as JSON).")
        ] = False,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json",
                help="Print the plan as JSON: alone, the plan as it is; with --answers, as saved.",
            ),
        ] = False,
        answers: Annotated[
            str | None,
            typer.Option(
                "--answers",
                metavar="FILE",
                help='JSON object of lists keyed by step id ({"warning_signs": ["..."]}), '
                'from FILE or "-" for stdin; the steps given are replaced, the rest kept.',
            ),
        ] = None,
        no_input: NoInputOpt = False,
        resume: ResumeOpt = False,
        discard: DiscardOpt = False,
        clear: Annotated[
            bool, typer.Option("--clear", help="Delete your plan (asks first; --yes does not).")
        ] = False,
        yes: Annotated[
            bool, typer.Option("--yes", "-y", help="With --clear: do not ask first.")
        ] = False,
    ) -> None:
        """Your safety plan: what helps when things get hard, in your own words.

        Seven short steps (the Stanley–Brown safety plan): your warning signs;
        what you can do on your own; people and places that take your mind off
        it; people you can ask for help; professionals and services; making
        your surroundings safer; your reasons for living. Each is a list, one
        item at a time, and every step can be skipped. Run it again to keep,
        add to or change what is there. Ctrl-C keeps what you wrote as a draft.

        The plan is one file in your data folder, readable only by you, and
        never part of your entries, history, insights or exports. If you are
        not safe right now, `attune support` lists crisis lines.

        Step ids for --answers: warning_signs, coping_alone, people_places,
        ask_for_help, professionals, safer_surroundings, reasons_for_living.

        \b
        Examples:
          attune safety-plan
          attune safety-plan --show
          attune safety-plan --json | jq '.steps[0].items'
          echo '{"reasons_for_living": ["my sister", "the dog"]}' | attune safety-plan --answers -
          attune safety-plan --clear
        """
        from attunecli import safetyplan
        from attunecli.drafts import Drafts
        from attunecli.errors import UsageError

        d = deps(ctx)
        if clear and (show or as_json or answers is not None or resume or discard):
            raise UsageError("--clear goes alone (with --yes not to be asked)")
        if show and (answers is not None or resume or discard):
            raise UsageError("--show only prints the plan; leave it out to change the plan")
        if resume and discard:
            raise UsageError("--resume and --discard contradict each other; give one")
        path = safetyplan.plan_path(d.paths)
        drafts = Drafts(d.paths.state)
        if clear:
            _clear(d, path, drafts, yes=yes, no_input=no_input)
            return
        if show or (as_json and answers is None and not resume and not discard):
            plan = safetyplan.load(path)
            _print_plan(d, plan, as_json=as_json)
            if not as_json and drafts.path(safetyplan.DRAFT_NAME).exists():
                d.say(f"You have unfinished changes that are not shown here; {HINT}.")
            return
        given = safetyplan.read_answers(answers, d.stdin_text) if answers is not None else None
        plan = safetyplan.load(path)  # a plan attune cannot read stops everything here
        interactive = d.is_interactive(no_input)
        if given is not None or not interactive:
            _scripted(d, plan, given, drafts, resume=resume, discard=discard, as_json=as_json)
            return
        _at_the_terminal(d, plan, drafts, resume=resume, discard=discard, as_json=as_json)


def _clear(d: Deps, path: Path, drafts: "Drafts", *, yes: bool, no_input: bool) -> None:
    from attunecli import safetyplan
    from attunecli.errors import UsageError

    draft = drafts.path(safetyplan.DRAFT_NAME)
    has_plan, has_draft = path.exists() or path.is_symlink(), draft.exists()
    if not has_plan and not has_draft:
        d.out.write("There is no safety plan to delete.\n")
        return
    what = "your safety plan" if has_plan else "your unfinished safety plan"
    if has_plan and has_draft:
        what += " and its unfinished changes"
    if no_input and not yes:
        raise UsageError(f"this would delete {what}; run again with --yes to confirm")
    if not confirmed(
        d,
        f"Delete {what}? This cannot be undone.",
        yes=yes,
        without_terminal=f"this would delete {what}; run again with --yes to confirm",
        default=False,
    ):
        return
    safetyplan.clear(path)
    drafts.delete(safetyplan.DRAFT_NAME)
    d.out.write(f"Deleted {what}.\n")


def _scripted(
    d: Deps,
    plan: "Plan | None",
    given: dict[str, list[str]] | None,
    drafts: "Drafts",
    *,
    resume: bool,
    discard: bool,
    as_json: bool,
) -> None:
    """No prompts: --answers (and a draft, with --resume) over the plan, saved at once."""
    from attunecli import safetyplan
    from attunecli.errors import UsageError

    steps: dict[str, list[str]] = {}
    if resume:
        draft = drafts.load(safetyplan.DRAFT_NAME)
        if draft is None:
            raise UsageError(_no_draft(drafts))
        steps = safetyplan.from_draft(draft).result(plan)
    if discard:
        drafts.delete(safetyplan.DRAFT_NAME)
        if given is None:
            d.out.write("Threw away the unfinished safety plan.\n")
            return
    if given is None and not resume:
        raise UsageError(
            "no terminal to ask at: give --answers FILE (or - for stdin) to write your "
            "safety plan, or --show to read it"
        )
    steps.update(given or {})
    path = safetyplan.plan_path(d.paths)
    new = safetyplan.merge(plan, steps, d.now())
    safetyplan.save(path, new)
    if resume:
        drafts.delete(safetyplan.DRAFT_NAME)
    _saved(d, new, path, as_json=as_json)


def _no_draft(drafts: "Drafts") -> str:
    from attunecli import safetyplan

    if drafts.path(safetyplan.DRAFT_NAME).exists():
        return (
            "the unfinished safety plan cannot be read; it is left as it is "
            "(`attune safety-plan --discard` throws it away)"
        )
    return "there is no unfinished safety plan to resume"


def _at_the_terminal(
    d: Deps, plan: "Plan | None", drafts: "Drafts", *, resume: bool, discard: bool, as_json: bool
) -> None:
    from attunecli import safetyplan
    from attunecli.errors import AttuneError, UsageError

    asker = d.terminal_asker(guide=False)
    if discard:
        drafts.delete(safetyplan.DRAFT_NAME)
    draft = drafts.load(safetyplan.DRAFT_NAME)
    if resume and draft is None:
        raise UsageError(_no_draft(drafts))
    if draft is not None and not resume:
        try:
            resume = asker.resume_draft(safetyplan.draft_summary(draft))
        except KeyboardInterrupt:
            d.say(f"Stopped. Your draft is kept as it was; {HINT}.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        if not resume:
            drafts.delete(safetyplan.DRAFT_NAME)
    progress = (
        safetyplan.from_draft(draft)
        if resume and draft is not None
        else safetyplan.Progress(d.now())
    )
    draft_kept = [resume]  # a draft picked up is there until the plan is saved
    changed = [resume]

    def keep(p: safetyplan.Progress) -> None:
        changed[0] = True
        draft_kept[0] = drafts.save(safetyplan.to_draft(p))

    try:
        walked = safetyplan.walk(plan, asker, progress, keep)
    except KeyboardInterrupt:
        if not changed[0]:
            d.say("Stopped. Nothing was changed.")
        elif draft_kept[0]:
            d.say(f"Stopped. What you wrote is kept as a draft; {HINT}.")
        else:
            d.out.write(json.dumps(progress.result(plan), ensure_ascii=False) + "\n")
            d.out.flush()
            d.say(
                "Stopped. A draft could not be kept, so what you wrote was printed to stdout "
                "as JSON (`attune safety-plan --answers FILE` takes it back)."
            )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    path = safetyplan.plan_path(d.paths)
    new = safetyplan.merge(plan, walked, d.now())
    if plan is None and new.is_empty():
        drafts.delete(safetyplan.DRAFT_NAME)
        d.say("Nothing to save this time, and that's fine.")
        return
    if plan is not None and new.items == plan.items:
        drafts.delete(safetyplan.DRAFT_NAME)
        d.say("Nothing changed; your plan is as it was.")
        if as_json:
            _print_plan(d, plan, as_json=True)
        return
    try:
        safetyplan.save(path, new)
    except AttuneError as exc:
        if draft_kept[0]:
            raise AttuneError(
                f"{exc.message}; what you wrote is kept as a draft "
                "(`attune safety-plan --resume` once that is fixed)"
            ) from None
        d.out.write(json.dumps(walked, ensure_ascii=False) + "\n")
        d.out.flush()
        raise AttuneError(
            f"{exc.message}; what you wrote was printed to stdout as JSON "
            "(`attune safety-plan --answers FILE` takes it back)"
        ) from None
    drafts.delete(safetyplan.DRAFT_NAME)
    if not as_json:
        _print_plan(d, new, as_json=False)
        d.out.write("\n")
    _saved(d, new, path, as_json=as_json)
