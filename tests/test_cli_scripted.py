"""Every practice run without a terminal: answers from options and --answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from attunecli import coach
from attunecli.catalog import coach_text
from tests.conftest import answers_of, entry_files, load_entries


def test_slow_down_from_options_saves_one_valid_entry(cli: Any, data_dir: Path) -> None:
    r = cli(
        "slow-down",
        "--feeling",
        "anxious",
        "--intensity",
        "6",
        "--body",
        "chest",
        "--note",
        "before the call",
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Saved slow down ")
    [entry] = load_entries(data_dir)
    a = answers_of(entry)
    assert entry["practice"] == "slow-down"
    assert a["feeling"] == "anxious"
    assert a["intensity"] == 6
    assert a["body_where"] == ["chest"]
    assert a["note"] == "before the call"
    assert entry["created_at"] == "2026-11-25T20:30:00-05:00"
    feeling = next(x for x in entry["answers"] if x["id"] == "feeling")
    assert feeling["details"] == {"quadrant": "high-unpleasant"}
    assert feeling["question"] == "Which word comes closest to what you feel?"


def test_file_is_laid_out_by_utc_date(cli: Any, data_dir: Path) -> None:
    cli("slow-down", "--feeling", "calm", "--intensity", "2")
    [path] = entry_files(data_dir)
    # 20:30 at UTC-5 is 01:30 UTC the next day.
    assert path.parent.relative_to(data_dir) == Path("entries/2026/11")
    assert path.name.startswith("20261126T013000Z-")


def test_missing_answers_are_named_and_nothing_is_written(cli: Any, data_dir: Path) -> None:
    r = cli("slow-down", "--feeling", "anxious")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1
    assert "intensity (--intensity" in r.stderr
    assert "feeling" not in r.stderr.replace("--feeling", "")
    assert entry_files(data_dir) == []


def test_checkin_without_anything_names_the_first_section(cli: Any, data_dir: Path) -> None:
    r = cli("checkin")
    assert r.exit_code == 2
    assert "notice.feeling (--feeling" in r.stderr
    assert "notice.intensity (--intensity" in r.stderr
    assert entry_files(data_dir) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["slow-down", "--feeling", "sad", "--intensity", "11"], "0<=x<=10"),
        (
            ["reflect", "--context", "boss", "--what", "x", "--their-feeling", "hurt"],
            "expected one of: partner, child, friend, family, colleague, client, self",
        ),
        (
            ["regulate", "--before", "5", "--exercise", "juggling", "--after", "3"],
            "expected one of: cyclic-sighing",
        ),
        (
            [
                "repair",
                "--context",
                "friend",
                "--what",
                "x",
                "--their-feeling",
                "hurt",
                "--my-part",
                "y",
                "--follow-up",
                "someday",
            ],
            "use today, tomorrow",
        ),
    ],
)
def test_out_of_range_values_are_refused_with_what_is_allowed(
    cli: Any, data_dir: Path, args: list[str], expected: str
) -> None:
    r = cli(*args)
    assert r.exit_code == 2
    assert expected in (r.stderr + r.stdout)
    assert "Traceback" not in r.stderr + r.stdout
    assert entry_files(data_dir) == []


def test_own_feeling_word_is_kept(cli: Any, data_dir: Path) -> None:
    r = cli("slow-down", "--feeling", "Wobbly", "--intensity", "4")
    assert r.exit_code == 0
    [entry] = load_entries(data_dir)
    feeling = next(x for x in entry["answers"] if x["id"] == "feeling")
    assert feeling["answer"] == "wobbly"
    assert feeling["details"] == {"own_word": True}


def test_answers_file_and_stdin(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text(json.dumps({"feeling": "hopeful", "intensity": 5, "trigger": "sunshine"}))
    assert cli("slow-down", "--answers", str(f)).exit_code == 0
    r = cli(
        "slow-down",
        "--answers",
        "-",
        "--intensity",
        "2",
        stdin=json.dumps({"feeling": "tired", "intensity": 9}),
    )
    assert r.exit_code == 0, r.stderr
    entries = sorted(load_entries(data_dir), key=lambda e: answers_of(e)["feeling"])
    assert [answers_of(e)["feeling"] for e in entries] == ["hopeful", "tired"]
    # an option wins over the same answer in --answers
    assert answers_of(entries[1])["intensity"] == 2


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ("{not json", "--answers: not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"feelin": "sad"}', "unknown prompt id 'feelin'"),
        (
            '{"feeling": "sad", "intensity": "lots"}',
            "intensity: expected a whole number from 0 to 10",
        ),
        ('{"feeling": 5, "intensity": 3}', "feeling: expected text"),
    ],
)
def test_bad_answers_json(cli: Any, data_dir: Path, stdin: str, expected: str) -> None:
    r = cli("slow-down", "--answers", "-", stdin=stdin)
    assert r.exit_code == 2
    assert expected in r.stderr
    assert entry_files(data_dir) == []


def test_answers_file_missing(cli: Any, data_dir: Path) -> None:
    r = cli("slow-down", "--answers", "/nonexistent/answers.json")
    assert r.exit_code == 2
    assert "no such file" in r.stderr


def test_reflect_drafts_reflection_and_flags_reply(cli: Any, data_dir: Path) -> None:
    r = cli(
        "reflect",
        "--context",
        "partner",
        "--what",
        "said I never listen",
        "--their-feeling",
        "hurt",
        "--their-feeling",
        "lonely",
        "--situation",
        "when I looked at my phone.",
        "--reply",
        "At least you have me. You should relax.",
    )
    assert r.exit_code == 0, r.stderr
    [entry] = load_entries(data_dir)
    a = answers_of(entry)
    assert a["reflection"] == coach.compose(
        "reflection",
        {
            "context": "partner",
            "their_feelings": ["hurt", "lonely"],
            "situation": "I looked at my phone",
        },
        coach_text(),
    )
    assert "hurt and lonely" in a["reflection"]
    assert "I looked at my phone" in a["reflection"]
    assert "hurt and lonely" in a["validation"]
    reply = next(x for x in entry["answers"] if x["id"] == "reply")
    assert [f["kind"] for f in reply["details"]["flags"]] == ["advice", "minimising"]
    assert reply["details"]["alternative"].startswith(
        coach.without_check(a["reflection"], coach_text())
    )
    # A script hears it too: after the saved line, one plain line a flag on stderr.
    assert r.stdout.startswith("Saved reflect ")
    notes = [line for line in r.stderr.splitlines() if line.startswith("Your reply: ")]
    assert notes == [
        "Your reply: Advice: " + reply["details"]["flags"][0]["note"],
        "Your reply: Minimising or a silver lining: " + reply["details"]["flags"][1]["note"],
    ]
    assert "Another way to say it: " + reply["details"]["alternative"] in r.stderr


def reflect_about_a_break_up(cli: Any, reply: str, *more: str) -> Any:
    return cli(
        "reflect", "--context", "friend", "--what", "got dumped", "--their-feeling", "hurt",
        "--reply", reply, *more,
    )  # fmt: skip


def test_reflect_with_json_keeps_stderr_quiet_about_the_reply(cli: Any, data_dir: Path) -> None:
    r = reflect_about_a_break_up(cli, "plenty more fish tbh", "--json")
    assert r.exit_code == 0, r.stderr
    saved = json.loads(r.stdout)
    reply = next(x for x in saved["answers"] if x["id"] == "reply")
    assert reply["details"]["flags"]
    assert "Your reply" not in r.stderr


def test_reflect_with_a_kind_reply_prints_no_notes(cli: Any, data_dir: Path) -> None:
    r = reflect_about_a_break_up(cli, "that sounds so painful, I'm here")
    assert r.exit_code == 0, r.stderr
    assert "Your reply" not in r.stderr and "Another way" not in r.stderr


def test_curious_keeps_other_explanations_and_never_requires_one(cli: Any, data_dir: Path) -> None:
    # Another reading of what they did is an offer, not a duty: for someone being
    # hurt, a required "what else could explain it" trains self-blame.
    r = cli("curious", "--about", "the late reply", "--story", "they don't care")
    assert r.exit_code == 0, r.stderr
    assert answers_of(load_entries(data_dir)[0]).get("other_explanations") is None
    r = cli(
        "curious",
        "--about",
        "the late reply",
        "--story",
        "they don't care",
        "--other-explanation",
        "They were stretched thin.",
        "--other-explanation",
        "A busy day",
        "--question",
        "What was your day like?",
    )
    assert r.exit_code == 0, r.stderr
    [a] = [answers_of(e) for e in load_entries(data_dir) if answers_of(e).get("other_explanations")]
    assert a["other_explanations"] == ["They were stretched thin.", "A busy day"]
    assert a["questions"] == ["What was your day like?"]


def test_regulate_keeps_before_after_and_exercise(cli: Any, data_dir: Path) -> None:
    r = cli("regulate", "--before", "8", "--exercise", "Box breathing", "--after", "5")
    assert r.exit_code == 0, r.stderr
    a = answers_of(load_entries(data_dir)[0])
    assert (a["arousal_before"], a["exercise"], a["arousal_after"]) == (8, "box-breathing", 5)
    assert a["guide"] is None  # no terminal, no live guide


def test_repair_opens_lists_and_closes(cli: Any, data_dir: Path, clock: Any) -> None:
    r = cli(
        "repair",
        "--context",
        "partner",
        "--what",
        "I snapped about the dishes",
        "--their-feeling",
        "hurt",
        "--my-part",
        "I was short with you",
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    saved = json.loads(r.stdout)
    a = answers_of(saved)
    assert a["follow_up"] == "2026-11-26"
    assert a["message"].startswith(
        "I've been thinking about what happened: I snapped about the dishes."
    )
    assert "I was short with you" in a["message"]
    listed = json.loads(cli("repairs", "--json").stdout)
    assert [x["id"] for x in listed] == [saved["id"]]
    clock.advance(days=2)
    r = cli("repair", "done", saved["id"][:6], "--note", "we talked")
    assert r.exit_code == 0, r.stderr
    assert json.loads(cli("repairs", "--json").stdout) == []
    again = cli("repair", "done", saved["id"][:6])
    assert again.exit_code == 2 and "already marked done" in again.stderr
    done = [e for e in load_entries(data_dir) if e["practice"] == "repair-done"]
    assert done[0]["refers_to"] == saved["id"]


RECEIVED_ARGS = (
    "repair",
    "--received",
    "--context",
    "friend",
    "--side",
    "ask",
    "--what",
    "you left without a word",
    "--my-feeling",
    "hurt",
    "--need",
    "a text next time",
)


def test_repair_received_is_its_own_entry_and_never_an_open_repair(
    cli: Any, data_dir: Path
) -> None:
    r = cli(*RECEIVED_ARGS, "--json")
    assert r.exit_code == 0, r.stderr
    saved = json.loads(r.stdout)
    assert saved["practice"] == "repair-received"
    a = answers_of(saved)
    assert a["side"] == "ask" and a["my_feelings"] == ["hurt"]
    assert a["message"].endswith("What would help me is a text next time.")
    assert json.loads(cli("repairs", "--json").stdout) == []
    history = cli("history")
    assert history.exit_code == 0, history.stderr
    assert "Repair, my side" in history.stdout or "repair, my side" in history.stdout
    assert "Friend, asking for a repair: you left without" in history.stdout
    shown = cli("show", saved["id"])
    assert shown.exit_code == 0 and "What would help you now?" in shown.stdout
    assert "I was hurt and want to ask for a repair" in shown.stdout  # the label, not "ask"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("repair", "--side", "ask", "--what", "x"), "--side is only used with --received"),
        (("repair", "--need", "time"), "--need is only used with --received"),
        (
            ("repair", "--received", "--my-part", "x", "--what", "x"),
            "--my-part is only used without --received",
        ),
        (
            ("repair", "--received", "--follow-up", "tomorrow"),
            "--follow-up is only used without --received",
        ),
        (
            ("repair", "--received", "--side", "maybe", "--what", "x", "--my-feeling", "hurt"),
            "side",
        ),
        (
            (
                "repair",
                "--received",
                "--ready",
                "soon",
                "--side",
                "accept",
                "--what",
                "x",
                "--my-feeling",
                "hurt",
            ),
            "ready",
        ),
    ],
)
def test_repair_options_of_the_other_side_are_refused_by_name(
    cli: Any, data_dir: Path, args: tuple[str, ...], message: str
) -> None:
    r = cli(*args)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert message in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert entry_files(data_dir) == []


def test_deeper_steps_by_option(cli: Any, data_dir: Path) -> None:
    r = cli(
        "curious",
        "--about",
        "the late reply",
        "--story",
        "they don't care",
        "--softer",
        "hurt",
        "--agree",
        "I did reply late",
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    a = answers_of(json.loads(r.stdout))
    assert a["softer"] == ["hurt"] and a["agree_part"] == "I did reply late"
    assert a["say_now"].startswith("You're right that I did reply late.")
    r = cli(
        "repair",
        "--context",
        "colleague",
        "--what",
        "I missed the handover",
        "--their-feeling",
        "stressed",
        "--my-part",
        "I forgot",
        "--differently",
        "set a reminder",
        "--their-side",
        "that it left them alone with it",
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    a = answers_of(json.loads(r.stdout))
    assert "Next time, I'll set a reminder." in a["message"]
    assert "You matter to me" not in a["message"]
    assert a["their_side"] == "that it left them alone with it"
    r = cli(
        "reflect",
        "--context",
        "friend",
        "--what",
        "went quiet",
        "--their-feeling",
        "sad",
        "--unsaid",
        "worried about her mum",
        "--listen-or-help",
        "To be listened to",
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    a = answers_of(json.loads(r.stdout))
    assert a["unsaid"] == "worried about her mum" and a["listen_or_help"] == "To be listened to"


def test_checkin_scripted_and_quick(cli: Any, data_dir: Path) -> None:
    r = cli("checkin", "--feeling", "calm", "--intensity", "3", "--note", "slept well")
    assert r.exit_code == 0, r.stderr
    r = cli("checkin", "--quick", "--feeling", "tired", "--intensity", "5")
    assert r.exit_code == 0, r.stderr
    full, quick = sorted(load_entries(data_dir), key=lambda e: len(e["answers"]), reverse=True)
    assert answers_of(full)["notice.feeling"] == "calm"
    assert answers_of(full)["close.note"] == "slept well"
    assert "settle.exercise" not in answers_of(full)  # sections with no answers are skipped
    assert set(answers_of(quick)) == {"notice.feeling", "notice.intensity", "close.note"}


def test_user_text_is_shown_literally(cli: Any, data_dir: Path) -> None:
    note = "[bold]loud[/] \x1b[31mred\x1b[0m [link=http://x]y[/link]"
    assert cli("slow-down", "--feeling", "calm", "--intensity", "1", "--note", note).exit_code == 0
    [entry] = load_entries(data_dir)
    assert answers_of(entry)["note"] == note  # stored exactly as typed
    for args in (["history"], ["show", entry["id"][:5]]):
        r = cli(*args, color=True)
        assert "[bold]loud[/]" in r.stdout
        assert "\\x1b[31mred" in r.stdout
        assert "\x1b[31m" not in r.stdout


def test_no_input_flag_and_env_force_scripted_mode(
    cli: Any, data_dir: Path, monkeypatch: Any
) -> None:
    r = cli("slow-down", "--no-input", interactive=True)
    assert r.exit_code == 2 and "missing answers" in r.stderr
    monkeypatch.setenv("ATTUNE_NO_INPUT", "1")
    r = cli("slow-down", interactive=True)
    assert r.exit_code == 2 and "missing answers" in r.stderr
    assert entry_files(data_dir) == []


def test_show_prints_the_notes_of_a_flagged_reply(cli: Any, data_dir: Path) -> None:
    r = reflect_about_a_break_up(
        cli, "plenty more fish tbh, you should get back out there", "--json"
    )
    entry = json.loads(r.stdout)
    shown = cli("show", entry["id"][:8])
    assert shown.exit_code == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "! Advice: Ideas offered this early" in text
    assert "Another way: " in text


def test_show_reads_flags_written_before_the_checker_was_retrained(
    cli: Any, data_dir: Path
) -> None:
    r = reflect_about_a_break_up(cli, "you should calm down", "--json")
    entry = json.loads(r.stdout)
    [path] = entry_files(data_dir)
    data = json.loads(path.read_text())
    reply = next(a for a in data["answers"] if a["id"] == "reply")
    reply["details"]["flags"] = [
        {"kind": "defensiveness", "phrase": "calm down", "note": "Defending yourself first."}
    ]
    path.write_text(json.dumps(data))
    shown = cli("show", entry["id"][:8])
    assert shown.exit_code == 0, shown.stderr
    assert "defensiveness: “calm down”. Defending yourself first." in shown.stdout
    # and the old shape still follows the published schema (checked again at teardown)
    load_entries(data_dir)


@pytest.mark.parametrize(
    "raw",
    [
        '{"note": ' + "[" * 100_000 + "]" * 100_000 + "}",  # deeper than the parser goes
        '{"intensity": ' + "9" * 5_000 + "}",  # more digits than Python will read
    ],
)
@pytest.mark.parametrize("command", ["slow-down", "safety-plan"])
def test_answers_too_deep_or_too_long_are_a_usage_error(
    cli: Any, data_dir: Path, raw: str, command: str
) -> None:
    r = cli(command, "--answers", "-", stdin=raw)
    assert r.exit_code == 2, r.stderr
    assert r.stderr.startswith("attune: --answers: not ") and r.stderr.count("\n") == 1
    assert not (data_dir / "entries").exists() or not any((data_dir / "entries").rglob("*.json"))
