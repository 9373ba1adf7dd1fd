"""`attune check-reply`: the Typer door to `checkreply.run` (the quick path takes plain forms)."""

from typing import Annotated

import typer

from attunecli.cli.common import deps, guarded


def register(app: typer.Typer) -> None:
    @app.command("check-reply")
    @guarded
    def check_reply(
        ctx: typer.Context,
        text: Annotated[
            str | None,
            typer.Argument(
                metavar="[TEXT]",
                help='The message you are about to send; "-" or none reads it from stdin.',
                show_default=False,
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print one JSON result: text, flags, alternative.")
        ] = False,
        jsonl: Annotated[
            bool,
            typer.Option(
                "--jsonl",
                help='Read one {"text": ...} object per line of stdin; write one result per line.',
            ),
        ] = False,
    ) -> None:
        """Look at a message before you send it: advice, fixing, minimising and more.

        attune reads the words for replies that may land badly with someone who
        is upset (advice too soon, taking it over, a silver lining, dismissing the
        feeling, reassurance too soon, blame, defending yourself, making it about
        you) and offers another way to say it. It reads words, not tone or what
        came before, and it never stops you sending anything. Nothing is saved.
        The exit code is 0 whether or not anything was flagged.

        \b
        Examples:
          attune check-reply "have you tried just talking to her?"
          pbpaste | attune check-reply
          attune check-reply --json "calm down, it's not a big deal"
          jq -c '{text: .reply}' replies.json | attune check-reply --jsonl
        """
        from attunecli import checkreply

        d = deps(ctx)
        checkreply.run(
            text,
            as_json=as_json,
            jsonl=jsonl,
            out=d.out,
            color=d.use_color(d.out),
            stdin_text=d.stdin_text,
            terminal=d.stdin_is_terminal(),
        )
