"""The practice commands: checkin, slow-down, reflect, curious, regulate, repair."""

import contextlib
import json
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from attunecli.cli.common import (
    AnswersOpt,
    ContextOpt,
    DiscardOpt,
    FeelingOpt,
    ForOpt,
    IntensityOpt,
    NoInputOpt,
    NoteOpt,
    ResumeOpt,
    TheirFeelingOpt,
    WhatOpt,
    complete_exercise,
    deps,
    guarded,
)
from attunecli.cli.deps import Deps
from attunecli.errors import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from attunecli.askers import Asker
    from attunecli.models import Practice

NoGuideOpt = Annotated[
    bool,
    typer.Option("--no-guide", help="Skip the live breathing guide; just rate before and after."),
]
CheckinNoGuideOpt = Annotated[
    bool,
    typer.Option(
        "--no-guide",
        help="Leave out the live guide in the breathing minute; the rest of the check-in "
        "is asked as usual.",
    ),
]
PlainOpt = Annotated[
    bool,
    typer.Option(
        "--plain",
        help="The guide as one plain line per phase, and no colour or bold: for screen "
        "readers and simple terminals (or set ATTUNE_PLAIN=1).",
    ),
]
JsonSavedOpt = Annotated[bool, typer.Option("--json", help="Print the saved entry as JSON.")]


def _write_out(d: Deps, text: str) -> str | None:
    """Write `text` to stdout: None, or why it could not be (stdout closed, full, gone)."""
    try:
        d.out.write(text)
        d.out.flush()
    except (OSError, ValueError, AttributeError) as exc:  # AttributeError: no stdout at all
        _quiet_stdout(d)
        if isinstance(exc, OSError) and exc.strerror:
            return f"could not write to stdout ({exc.strerror})"
        return "stdout is closed"
    return None


def _quiet_stdout(d: Deps) -> None:
    """Point a failed stdout at /dev/null, so what is still buffered cannot fail again at exit."""
    if sys.stdout is None:  # started with fd 1 closed (`>&-`)
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives to exit)
        d.out = sys.stdout
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = d.out.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)
        d.out.flush()


def _terminal_asker(d: Deps, *, guide: bool, plain: bool) -> "Asker":
    asker = d.terminal_asker(guide=guide)
    if plain:
        from attunecli.terminal import TerminalAsker

        if isinstance(asker, TerminalAsker):
            asker.use_plain()
    return asker


def _run(
    ctx: typer.Context,
    practice_id: str,
    options: Mapping[str, object],
    *,
    answers: str | None,
    no_input: bool,
    as_json: bool,
    quick: bool = False,
    guide: bool = True,
    plain: bool = False,
    minutes: float | None = None,
    resume: bool = False,
    discard: bool = False,
    practice: "Practice | None" = None,
    about: str | None = None,
) -> None:
    from attunecli import config, session, welcome
    from attunecli.drafts import Drafts
    from attunecli.engine import RunOptions
    from attunecli.errors import AttuneError, SaveFailed
    from attunecli.models import Entry
    from attunecli.render import PRACTICE_LABELS, short_id

    d = deps(ctx)
    filled_for = None
    if about is not None:
        from attunecli.days import parse_day_start, parse_moment

        day_start = parse_day_start(config.day_start(d.settings()))
        filled_for = parse_moment(about, d.now(), day_start)
    interactive = d.is_interactive(no_input)
    if interactive:
        welcome.first_run_notice(d.paths, d.tell)
    request = session.PracticeRequest(
        practice_id=practice_id,
        quick=quick,
        options=options,
        answers_file=answers,
        guide=guide,
        guide_minutes=minutes,
        resume=resume,
        discard=discard,
        practice=practice,
    )
    try:
        outcome = session.run(
            request,
            store=d.store(),
            drafts=Drafts(d.paths.state),
            interactive=interactive,
            terminal=lambda: _terminal_asker(d, guide=guide, plain=plain),
            run_options=RunOptions(
                now=d.now,
                attachment_style=config.attachment_style(d.settings()),
                guide_minutes=minutes,
                region=d.region(),
                about=filled_for,
            ),
            stdin_text=d.stdin_text,
            notify=d.say,
        )
    except SaveFailed as exc:
        # Nothing typed is lost: it waits in a draft or, failing that, goes to stdout as JSON.
        again = f"attune {practice_id}{' --quick' if quick else ''}"
        if exc.draft_kept:
            raise AttuneError(
                f"{exc.message}; your answers are kept as a draft "
                f"(`{again} --resume` once that is fixed)"
            ) from None
        if isinstance(exc.entry, Entry):
            failed = _write_out(d, json.dumps(exc.entry.to_json(), ensure_ascii=False) + "\n")
            if failed is not None:
                raise AttuneError(
                    f"{exc.message}; no draft could be kept and {failed}: your answers are lost"
                ) from None
        raise AttuneError(
            f"{exc.message}; your answers were printed to stdout as JSON "
            "(`attune import FILE` takes them back)"
        ) from None
    entry, path = outcome.entry, outcome.path
    if outcome.draft:
        again = f"attune {practice_id}{' --quick' if quick else ''}"
        d.say(f"Stopped. Your answers are kept as a draft; `{again}` picks up where you left off.")
        raise typer.Exit(EXIT_INTERRUPTED)
    if outcome.unsaved and entry is not None:
        # The draft could not be written: the answers go to stdout rather than be lost.
        why = f" ({outcome.why})" if outcome.why else ""
        failed = _write_out(d, json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
        if failed is None:
            d.say(
                f"Stopped. No draft could be written{why}, so your answers were printed to "
                "stdout as JSON (`attune import FILE` takes them back)."
            )
        else:
            d.say(f"Stopped. No draft could be written{why} and {failed}: your answers are lost.")
        raise typer.Exit(EXIT_INTERRUPTED)
    if outcome.cancelled:
        if entry is not None:
            d.say(f"Stopped. Kept what you answered as entry {short_id(entry.id)} ({path}).")
        else:
            d.say("Stopped. Nothing was saved.")
        raise typer.Exit(EXIT_INTERRUPTED)
    if entry is None:
        d.say("Nothing to save this time, and that's fine.")
        return
    label = PRACTICE_LABELS.get(entry.practice, entry.practice)
    if as_json:
        failed = _write_out(d, json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
    else:
        failed = _write_out(d, f"Saved {label} {short_id(entry.id)} ({path})\n")
    if failed is not None:
        # The entry is safely on disk: a script must not save it again, so this is no failure.
        d.say(f"attune: saved {label} {short_id(entry.id)} ({path}), but {failed}")
    if not interactive and not as_json:
        from attunecli.plain import literal

        for line in session.reply_notes(entry):
            d.say(literal(line))
    if not interactive:
        welcome.first_run_notice(d.paths, d.tell)
    if outcome.show_support:
        # Saved first, never blocked; the card replaces the closing line and never
        # says which words raised it.
        from attunecli.safetyplan import plan_path

        d.say("")
        has_plan = plan_path(d.paths).exists()
        for line in session.support_card(outcome.concerns, d.region(), has_plan=has_plan):
            d.say(line)


# Options that belong to one flow of `attune repair` only.
_RECEIVED_ONLY = ("side", "my-feeling", "heard", "ready", "need")
_GIVEN_ONLY = ("their-feeling", "my-part", "differently", "their-side", "follow-up")


def _one_side_only(opts: Mapping[str, object], *, received: bool) -> None:
    """Refuse an option of the other flow, saying which flow it belongs to."""
    from attunecli.errors import UsageError

    for name in _GIVEN_ONLY if received else _RECEIVED_ONLY:
        if opts.get(name) not in (None, [], ()):
            need = "without --received" if received else "with --received"
            raise UsageError(f"--{name} is only used {need}")


def register(app: typer.Typer) -> None:
    @app.command("checkin")
    @guarded
    def checkin(
        ctx: typer.Context,
        quick: Annotated[
            bool, typer.Option("--quick", help="One minute: feeling, intensity and one line.")
        ] = False,
        feeling: FeelingOpt = None,
        intensity: IntensityOpt = None,
        trigger: Annotated[str | None, typer.Option("--trigger", help="What set it off.")] = None,
        note: Annotated[str | None, typer.Option("--note", help="One line to close with.")] = None,
        answers: AnswersOpt = None,
        no_input: NoInputOpt = False,
        resume: ResumeOpt = False,
        for_: ForOpt = None,
        discard: DiscardOpt = False,
        no_guide: CheckinNoGuideOpt = False,
        plain: PlainOpt = False,
        as_json: JsonSavedOpt = False,
    ) -> None:
        """The daily check-in, three to five minutes.

        Notice what you feel, a minute of slow breathing, someone on your mind, a
        small moment of connection, and one line to close. Any part can be skipped,
        and most questions too; the few that need an answer say why. A feeling comes
        with how strong it is (--intensity). Without a terminal, give at least one
        answer; --quick needs --feeling and --intensity.

        \b
        Examples:
          attune checkin
          attune checkin --quick
          attune checkin --feeling calm --intensity 3 --note "slept well"
        """
        opts = {"feeling": feeling, "intensity": intensity, "trigger": trigger, "note": note}
        if quick:
            opts.pop("trigger")
            if trigger:
                from attunecli.errors import UsageError

                raise UsageError("--trigger is not part of the quick check-in")
        _run(
            ctx,
            "checkin",
            opts,
            answers=answers,
            no_input=no_input,
            as_json=as_json,
            resume=resume,
            about=for_,
            discard=discard,
            quick=quick,
            guide=not no_guide,
            plain=plain,
        )

    @app.command("slow-down")
    @guarded
    def slow_down(
        ctx: typer.Context,
        feeling: FeelingOpt = None,
        intensity: IntensityOpt = None,
        body: Annotated[
            list[str] | None, typer.Option("--body", help="Where you feel it (repeat for more).")
        ] = None,
        sensation: Annotated[
            list[str] | None, typer.Option("--sensation", help="What it is like (repeat).")
        ] = None,
        trigger: Annotated[str | None, typer.Option("--trigger", help="What set it off.")] = None,
        note: NoteOpt = None,
        answers: AnswersOpt = None,
        no_input: NoInputOpt = False,
        resume: ResumeOpt = False,
        for_: ForOpt = None,
        discard: DiscardOpt = False,
        as_json: JsonSavedOpt = False,
    ) -> None:
        """Pause, notice, and name what you feel.

        A breath; where you feel it in your body and what it is like; if someone
        else is part of it, what you noticed in them and a guess at what they feel;
        a feeling word; how strong; what set it off.

        \b
        Examples:
          attune slow-down
          attune slow-down --feeling anxious --intensity 6 --body chest --note "before the call"
        """
        opts = {
            "feeling": feeling,
            "intensity": intensity,
            "body": body,
            "sensation": sensation,
            "trigger": trigger,
            "note": note,
        }
        _run(
            ctx,
            "slow-down",
            opts,
            answers=answers,
            no_input=no_input,
            as_json=as_json,
            resume=resume,
            about=for_,
            discard=discard,
        )

    @app.command("reflect")
    @guarded
    def reflect(
        ctx: typer.Context,
        context: ContextOpt = None,
        what: Annotated[
            str | None, typer.Option("--what", help="What they said or showed.")
        ] = None,
        their_feeling: TheirFeelingOpt = None,
        situation: Annotated[
            str | None,
            typer.Option("--situation", help='Ends "It sounds like you felt ... when ...".'),
        ] = None,
        reflection: Annotated[
            str | None, typer.Option("--reflection", help="Your reflection (else one is drafted).")
        ] = None,
        unsaid: Annotated[
            str | None,
            typer.Option("--unsaid", help="A guess at what they may not have said."),
        ] = None,
        validation: Annotated[
            str | None, typer.Option("--validation", help="Your validating line (else drafted).")
        ] = None,
        listen_or_help: Annotated[
            str | None,
            typer.Option(
                "--listen-or-help",
                help='What you think they want: "To be listened to", "Some help", "Both" '
                'or "I\'ll ask them".',
            ),
        ] = None,
        reply: Annotated[
            str | None,
            typer.Option("--reply", help="The reply you were about to give, to look at together."),
        ] = None,
        note: NoteOpt = None,
        answers: AnswersOpt = None,
        no_input: NoInputOpt = False,
        resume: ResumeOpt = False,
        for_: ForOpt = None,
        discard: DiscardOpt = False,
        as_json: JsonSavedOpt = False,
    ) -> None:
        """Say back what someone else feels, before any advice.

        What they said or showed, the feelings they may have had, and a guess at what
        they left unsaid. attune drafts a reflection ("It sounds like you felt ...")
        and a line that validates the feeling; validating is not agreeing. Then: do
        they want you to listen, or to help? If you type the reply you were about to
        give, attune points out advice, fixing, minimising, blaming or defensiveness
        and offers another way to say it.

        \b
        Examples:
          attune reflect
          attune reflect --context partner --what "said I never listen" \\
              --their-feeling hurt --their-feeling lonely --reply "you should calm down"
        """
        opts = {
            "context": context,
            "what": what,
            "their-feeling": their_feeling,
            "unsaid": unsaid,
            "situation": situation,
            "reflection": reflection,
            "validation": validation,
            "listen-or-help": listen_or_help,
            "reply": reply,
            "note": note,
        }
        _run(
            ctx,
            "reflect",
            opts,
            answers=answers,
            no_input=no_input,
            as_json=as_json,
            resume=resume,
            about=for_,
            discard=discard,
        )

    @app.command("curious")
    @guarded
    def curious(
        ctx: typer.Context,
        about: Annotated[
            str | None, typer.Option("--about", help="What you felt defensive about.")
        ] = None,
        story: Annotated[
            str | None, typer.Option("--story", help="The story you are telling yourself.")
        ] = None,
        softer: Annotated[
            list[str] | None,
            typer.Option("--softer", help="A softer feeling under the defensiveness (repeat)."),
        ] = None,
        other_explanation: Annotated[
            list[str] | None,
            typer.Option("--other-explanation", help="Another explanation (repeat for more)."),
        ] = None,
        agree: Annotated[
            str | None,
            typer.Option("--agree", help="The part of their view you can agree with."),
        ] = None,
        question: Annotated[
            list[str] | None, typer.Option("--question", help="An open question to ask (repeat).")
        ] = None,
        say: Annotated[
            str | None,
            typer.Option("--say", help="One sentence to say in the moment (else one is drafted)."),
        ] = None,
        understand: Annotated[
            str | None, typer.Option("--understand", help="What you want to understand.")
        ] = None,
        note: NoteOpt = None,
        answers: AnswersOpt = None,
        no_input: NoInputOpt = False,
        resume: ResumeOpt = False,
        for_: ForOpt = None,
        discard: DiscardOpt = False,
        as_json: JsonSavedOpt = False,
    ) -> None:
        """Swap defensiveness for curiosity.

        The story you are telling yourself, a softer feeling under the defensiveness,
        other explanations, the part of their view you can agree with, open
        questions, and one sentence you could say in the moment.

        \b
        Examples:
          attune curious
          attune curious --about "the late reply" --story "they don't care" \\
              --other-explanation "They were stretched thin" --question "What was your day like?"
        """
        opts = {
            "about": about,
            "story": story,
            "softer": softer,
            "other-explanation": other_explanation,
            "agree": agree,
            "question": question,
            "say": say,
            "understand": understand,
            "note": note,
        }
        _run(
            ctx,
            "curious",
            opts,
            answers=answers,
            no_input=no_input,
            as_json=as_json,
            resume=resume,
            about=for_,
            discard=discard,
        )

    @app.command("regulate")
    @guarded
    def regulate(
        ctx: typer.Context,
        before: Annotated[
            int | None, typer.Option("--before", min=0, max=10, help="How stirred up before, 0-10.")
        ] = None,
        exercise: Annotated[
            str | None,
            typer.Option(
                "--exercise",
                help="cyclic-sighing, slow-breathing, box-breathing, grounding or stay-with-it.",
                autocompletion=complete_exercise,
            ),
        ] = None,
        after: Annotated[
            int | None, typer.Option("--after", min=0, max=10, help="How stirred up after, 0-10.")
        ] = None,
        minutes: Annotated[
            float | None,
            typer.Option("--minutes", min=0.5, max=60, help="How long the guide runs."),
        ] = None,
        no_guide: NoGuideOpt = False,
        plain: PlainOpt = False,
        note: NoteOpt = None,
        answers: AnswersOpt = None,
        no_input: NoInputOpt = False,
        resume: ResumeOpt = False,
        for_: ForOpt = None,
        discard: DiscardOpt = False,
        as_json: JsonSavedOpt = False,
    ) -> None:
        """Settle yourself first; rate before and after.

        A live guide shows each phase and its count; Ctrl-C stops it at any moment
        and your entry is kept. Light-headed? Breathe normally or stop. With
        --plain (or TERM=dumb, or on a narrow terminal) it is one plain line per phase.
        Still very stirred up afterwards (7 or more)? It suggests a pause.

        \b
        Examples:
          attune regulate
          attune regulate --exercise box-breathing --minutes 2
          attune regulate --plain
          attune regulate --before 7 --exercise cyclic-sighing --after 4 --no-input
        """
        opts = {"before": before, "exercise": exercise, "after": after, "note": note}
        _run(
            ctx,
            "regulate",
            opts,
            answers=answers,
            no_input=no_input,
            as_json=as_json,
            resume=resume,
            about=for_,
            discard=discard,
            guide=not no_guide,
            plain=plain,
            minutes=minutes,
        )

    # No help= here: it would hide the callback's docstring (its explanation and examples).
    repair_app = typer.Typer(
        invoke_without_command=True,
        no_args_is_help=False,
        rich_markup_mode=None,
    )

    @repair_app.callback()
    @guarded
    def repair(
        ctx: typer.Context,
        context: ContextOpt = None,
        what: WhatOpt = None,
        their_feeling: TheirFeelingOpt = None,
        my_part: Annotated[str | None, typer.Option("--my-part", help="Your part in it.")] = None,
        differently: Annotated[
            str | None,
            typer.Option("--differently", help="One thing you'll do differently next time."),
        ] = None,
        message: Annotated[
            str | None, typer.Option("--message", help="Your repair message (else one is drafted).")
        ] = None,
        their_side: Annotated[
            str | None,
            typer.Option("--their-side", help="What they might need to say to you."),
        ] = None,
        follow_up: Annotated[
            str | None,
            typer.Option("--follow-up", help="When: today, tomorrow, +3, a weekday or YYYY-MM-DD."),
        ] = None,
        received: Annotated[
            bool,
            typer.Option(
                "--received",
                help="The other side: someone came to repair with you, or you were hurt "
                "and want to ask for a repair.",
            ),
        ] = False,
        side: Annotated[
            str | None,
            typer.Option("--side", help="With --received: accept (they came to you) or ask."),
        ] = None,
        my_feeling: Annotated[
            list[str] | None,
            typer.Option("--my-feeling", help="With --received: what you felt (repeat)."),
        ] = None,
        heard: Annotated[
            str | None,
            typer.Option("--heard", help="With --received: what they said or did to repair."),
        ] = None,
        ready: Annotated[
            str | None,
            typer.Option("--ready", help="With --received: yes, partly or not-yet."),
        ] = None,
        need: Annotated[
            str | None, typer.Option("--need", help="With --received: what would help you now.")
        ] = None,
        note: NoteOpt = None,
        answers: AnswersOpt = None,
        no_input: NoInputOpt = False,
        resume: ResumeOpt = False,
        for_: ForOpt = None,
        discard: DiscardOpt = False,
        as_json: JsonSavedOpt = False,
    ) -> None:
        """Repair after a miss, and follow up.

        What happened, what they may have felt, your part and one thing you'll do
        differently, a drafted repair message, their side of it, and a follow-up date.

        The repair stays open until you mark it done with `attune repair done ID`;
        `attune repairs` lists the open ones.

        With --received, the other side: someone came to you to repair something
        (taking it in, and whether you are ready to accept it), or you were hurt
        and want to ask for a repair. Nothing to follow up; it is kept like any entry.

        \b
        Examples:
          attune repair
          attune repair --context partner --what "I snapped about the dishes" \\
              --their-feeling hurt --my-part "I was short with you" --follow-up tomorrow
          attune repair done 3f9a1c2e --note "we talked it through"
          attune repair --received
          attune repair --received --context friend --side ask \\
              --what "you left without saying goodbye" --my-feeling hurt --no-input
        """
        if ctx.invoked_subcommand is not None:
            return
        opts = {
            "context": context,
            "what": what,
            "their-feeling": their_feeling,
            "my-part": my_part,
            "differently": differently,
            "message": message,
            "their-side": their_side,
            "follow-up": follow_up,
            "side": side,
            "my-feeling": my_feeling,
            "heard": heard,
            "ready": ready,
            "need": need,
            "note": note,
        }
        _one_side_only(opts, received=received)
        _run(
            ctx,
            "repair-received" if received else "repair",
            opts,
            answers=answers,
            no_input=no_input,
            as_json=as_json,
            resume=resume,
            about=for_,
            discard=discard,
        )

    @repair_app.command("done")
    @guarded
    def repair_done(
        ctx: typer.Context,
        entry_id: Annotated[
            str, typer.Argument(metavar="ID", help="The repair's id (a prefix is enough).")
        ],
        note: Annotated[str | None, typer.Option("--note", help="How the follow-up went.")] = None,
        as_json: JsonSavedOpt = False,
    ) -> None:
        """Mark a repair as followed up, so it leaves `attune repairs`.

        \b
        Examples:
          attune repair done 3f9a1c2e
          attune repair done 3f9a --note "we talked it through and we're okay"
          attune repair done 3f9a --json | jq .refers_to
        """
        from attunecli import readers, repairs
        from attunecli.render import short_id

        d = deps(ctx)
        still_open = {r.id for r in readers.open_repairs(d.read_env())}
        entry, path = repairs.mark_done(
            d.store(), entry_id, note=note, now=d.now, open_ids=still_open
        )
        if as_json:
            from attunecli.plain import write_json

            write_json(d.out, entry.to_json())
            return
        closed = short_id(entry.refers_to or "")
        d.out.write(f"Closed repair {closed} (follow-up {short_id(entry.id)}, {path})\n")

    app.add_typer(repair_app, name="repair")
