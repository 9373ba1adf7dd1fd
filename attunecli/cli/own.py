"""Practices of one's own: `attune practices` (list, check, new, add) and `attune run NAME`."""

from pathlib import Path
from typing import Annotated

import typer

from attunecli.cli.common import (
    AnswersOpt,
    DiscardOpt,
    ForOpt,
    NoInputOpt,
    ResumeOpt,
    deps,
    guarded,
)
from attunecli.cli.deps import Deps

STARTER = """\
# A practice of your own. Check it with `attune practices check FILE`, then run it
# with `attune run {id}`. Everything here is data: nothing is run, and your words
# are shown exactly as written. The format is in attunecli/schema/practice.schema.json.
id = "{id}"            # how you run it: lowercase letters, digits and dashes
title = "{title}"
summary = "One line on what it is for."
intro = "Said once at the start."
closing = "Said once at the end."

[[section]]
id = "main"            # several sections are fine; with skippable = true each can be skipped

[[section.step]]
id = "feeling"
kind = "feeling"       # one feeling word (from the list, or your own)
question = "Which word comes closest to what you feel?"

[[section.step]]
id = "how_strong"
kind = "scale"         # a whole number; min and max within 0 to 10
question = "How strong is it, 0 to 5?"
min = 0
max = 5
low_label = "not at all"
high_label = "as strong as it gets"

[[section.step]]
id = "helped"
kind = "multi"         # tick any; choice picks one
question = "What helped today?"
options = ["a walk", "talking to someone", "rest"]
allow_other = true     # and a word of your own
optional = true        # Enter skips it

[[section.step]]
id = "planned"
kind = "confirm"       # yes or no
question = "Did you do the one thing you planned?"
optional = true

[[section.step]]
id = "why_not"
kind = "text"
question = "What got in the way?"
optional = true
when = {{ step = "planned", equals = false }}   # asked only after a "no"
"""


def _own_dir(d: Deps) -> Path:
    return d.paths.config / "practices"


def _own_files(d: Deps) -> list[Path]:
    folder = _own_dir(d)
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == ".toml" and p.is_file())
    except OSError:
        return []


def _read(path: Path) -> str:
    from attunecli.errors import UsageError
    from attunecli.fsutil import NotRegular, TooLarge, read_regular, shown
    from attunecli.practicefile import MAX_BYTES

    try:
        return read_regular(path, limit=MAX_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such file: {shown(path)}") from None
    except (NotRegular, TooLarge, UnicodeDecodeError, OSError) as exc:
        why = "not a regular UTF-8 text file" if not isinstance(exc, OSError) else exc.strerror
        raise UsageError(f"could not read {shown(path)}: {why}") from None


SHIPPED = ("diary-card", "thought-record")  # in the practice-file format, shipped with attune


def _shipped(name: str) -> tuple["Path", str] | None:
    from importlib import resources

    if name not in SHIPPED:
        return None
    found = resources.files("attunecli.content").joinpath(f"shipped/{name}.toml")
    return Path(str(found)), found.read_text(encoding="utf-8")


def find_own(d: Deps, name: str) -> tuple["Path", str]:
    """The file of one's own practice `name` (yours first, then those shipped), and its text."""
    from attunecli.errors import UsageError
    from attunecli.practicefile import check_text

    for path in _own_files(d):
        text = _read(path)
        data, _ = check_text(text)
        if path.stem == name or (data is not None and data.get("id") == name):
            return path, text
    shipped = _shipped(name)
    if shipped is not None:
        return shipped
    raise UsageError(
        f"no practice called {name!r}; `attune practices` lists yours and the built-in ones"
    )


def register(app: typer.Typer) -> None:
    practices_app = typer.Typer(
        invoke_without_command=True, no_args_is_help=False, rich_markup_mode=None
    )

    @practices_app.callback()
    @guarded
    def practices(ctx: typer.Context) -> None:
        """The practices you can run: the built-in ones and your own.

        Your own live in the config folder's practices/ as TOML files, in the
        format the built-in ones use (attunecli/schema/practice.schema.json).
        Nothing in them is ever run; your words are shown as written.

        \b
        Examples:
          attune practices
          attune practices new evening-card
          attune practices check ~/evening-card.toml
          attune practices add ~/evening-card.toml
          attune run evening-card
        """
        if ctx.invoked_subcommand is not None:
            return
        from attunecli.catalog import ALL_PRACTICE_IDS, practice
        from attunecli.fsutil import shown
        from attunecli.plain import literal
        from attunecli.practicefile import check_text

        d = deps(ctx)
        d.out.write("Built in:\n")
        for pid in ALL_PRACTICE_IDS:
            p = practice(pid)
            command = "repair --received" if pid == "repair-received" else pid
            d.out.write(f"  {command:<20} {p.summary}\n")
        for name in SHIPPED:
            shipped = _shipped(name)
            assert shipped is not None
            data, _ = check_text(shipped[1])
            if data is not None:
                d.out.write(f"  {'run ' + name:<20} {data['summary']}\n")
        files = _own_files(d)
        d.out.write(f"\nYour own ({shown(_own_dir(d))}):\n")
        if not files:
            d.out.write("  none yet: `attune practices new NAME` starts one\n")
        for path in files:
            data, problems = check_text(_read(path))
            if data is None:
                d.out.write(f"  {literal(path.stem):<20} cannot run: {problems[0]}\n")
            else:
                d.out.write(f"  {literal(data['id']):<20} {literal(data['summary'])}\n")

    @practices_app.command("check")
    @guarded
    def check(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="A practice file (TOML).")],
    ) -> None:
        """Check a practice file: every problem, by line and key; exit 1 if there are any.

        \b
        Examples:
          attune practices check evening-card.toml
        """
        from attunecli.errors import EXIT_ERROR
        from attunecli.fsutil import shown
        from attunecli.practicefile import check_text

        d = deps(ctx)
        data, problems = check_text(_read(file))
        for problem in problems:
            d.say(f"{shown(file)}: {problem}")
        if problems:
            raise typer.Exit(EXIT_ERROR)
        n = sum(len(s["step"]) for s in data["section"]) if data else 0
        d.out.write(f"{shown(file)}: fine ({n} steps); `attune run {data['id'] if data else ''}`\n")

    @practices_app.command("new")
    @guarded
    def new(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="Its id: lowercase letters, digits, dashes.")],
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write here instead (- for stdout)."),
        ] = None,
    ) -> None:
        """Write a commented starting file for a practice of your own.

        \b
        Examples:
          attune practices new evening-card
          attune practices new evening-card -o - > evening-card.toml
        """
        import re

        from attunecli.errors import UsageError
        from attunecli.fsutil import shown, write_atomic
        from attunecli.practicefile import BUILT_IN

        d = deps(ctx)
        if not re.fullmatch(r"[a-z][a-z0-9-]{1,39}", name) or name in BUILT_IN:
            raise UsageError(
                f"{name!r}: a name is 2-40 lowercase letters, digits and dashes, "
                "and not a built-in practice"
            )
        text = STARTER.format(id=name, title=name.replace("-", " ").capitalize())
        if output is not None and str(output) == "-":
            d.out.write(text)
            return
        target = output or _own_dir(d) / f"{name}.toml"
        if target.exists():
            raise UsageError(f"{shown(target)} already exists; nothing was changed")
        try:
            write_atomic(target, text.encode("utf-8"), exclusive=True)
        except FileExistsError:
            raise UsageError(f"{shown(target)} already exists; nothing was changed") from None
        d.out.write(f"Wrote {shown(target)}; edit it, then `attune run {name}`\n")

    @practices_app.command("add")
    @guarded
    def add(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="A practice file (TOML) to add.")],
        force: Annotated[bool, typer.Option("--force", help="Replace one of the same id.")] = False,
    ) -> None:
        """Check a practice file and copy it into your practices, to run by its id.

        \b
        Examples:
          attune practices add ~/Downloads/diary.toml
        """
        from attunecli.errors import UsageError
        from attunecli.fsutil import shown, write_atomic
        from attunecli.practicefile import PracticeFileError, check_text

        d = deps(ctx)
        text = _read(file)
        data, problems = check_text(text)
        if data is None:
            raise PracticeFileError(shown(file), problems)
        target = _own_dir(d) / f"{data['id']}.toml"
        if target.exists() and not force:
            raise UsageError(f"{shown(target)} already exists; add --force to replace it")
        write_atomic(target, text.encode("utf-8"), exclusive=not force)
        d.out.write(f"Added {data['id']} ({shown(target)}); `attune run {data['id']}`\n")

    app.add_typer(practices_app, name="practices")

    @app.command(
        "run",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )
    @guarded
    def run(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="A practice of your own (or a built-in one).")],
        answers: AnswersOpt = None,
        no_input: NoInputOpt = False,
        resume: ResumeOpt = False,
        for_: ForOpt = None,
        discard: DiscardOpt = False,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the saved entry as JSON.")
        ] = False,
    ) -> None:
        """Run a practice of your own, by hand or by script.

        Every step can be answered with an option of its id (dashes for
        underscores): `--how-strong 3`, `--helped "a walk" --helped rest`,
        `--planned no`. The rest is asked at a terminal, or named as missing
        without one, as for every practice.

        \b
        Examples:
          attune run evening-card
          attune run evening-card --feeling calm --how-strong 2 --no-input
        """
        from attunecli.catalog import ALL_PRACTICE_IDS
        from attunecli.cli.practices import _run
        from attunecli.practicefile import load_text

        d = deps(ctx)
        if name in ALL_PRACTICE_IDS:
            practice = None
        else:
            path, text = find_own(d, name)
            practice = load_text(text, path.name)
        options = _step_options(ctx.args, practice)
        _run(
            ctx,
            practice.id if practice else name,
            options,
            answers=answers,
            no_input=no_input,
            as_json=as_json,
            resume=resume,
            about=for_,
            discard=discard,
            practice=practice,
        )


def _step_options(args: list[str], practice: object) -> dict[str, object]:
    """`--step-id value` pairs (repeated for a list) into {flag: value}."""
    from attunecli.errors import UsageError
    from attunecli.models import Practice

    if not isinstance(practice, Practice):
        if args:
            raise UsageError(
                f"{args[0]}: a built-in practice takes its own options: attune NAME --help"
            )
        return {}
    kinds = {st.flag: st.kind for _, st in practice.steps() if st.flag}
    out: dict[str, object] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        flag, eq, value = arg.removeprefix("--").partition("=")
        if not arg.startswith("--") or flag not in kinds:
            known = ", ".join(f"--{k}" for k in kinds) or "none"
            raise UsageError(f"{arg}: not a step of {practice.id} (its options: {known})")
        if not eq:
            i += 1
            if i >= len(args):
                raise UsageError(f"{arg}: give it a value")
            value = args[i]
        if kinds[flag] in ("multi", "feelings"):
            current = out.setdefault(flag, [])
            assert isinstance(current, list)
            current.append(value)
        else:
            out[flag] = value
        i += 1
    return out
