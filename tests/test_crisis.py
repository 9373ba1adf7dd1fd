"""The crisis check: real wording, idioms, who it is about, and what the card after a save says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from attunecli import care, crisis
from attunecli.askers import ScriptedAsker
from attunecli.catalog import practice, support
from attunecli.engine import RunOptions, run_practice
from tests.conftest import NOW, load_entries
from tests.model_files import assert_reproduces
from tools import crisis_corpus

# Every line the issue that asked for this check found missed: each must show the card.
MISSED_BEFORE = [
    "i dont want to be here anymore",
    "I cant go on",
    "i just want everything to end",
    "nobody would miss me",
    "started self harming again",
    "i counted the pills in the cabinet",
    "said goodbye to everyone in my head today",
    "wish I could fall asleep and stay asleep",
    "i feel like such a weight on everyone",
    "lowkey want to die",
    "I want to die",
]

IDIOMS = [
    "killing time before the bus",
    "my boss will kill me",
    "a killer workout this morning",
    "the battery is dead again",
    "dying for a nap",
    "she let us end the lecture early",
    "went to a talk on self-harm in teenagers",
    "grazed my knee on the path",
    "read an article about suicide rates in farmers",
    "I could murder a pizza",
    "this commute is killing me",
]


@pytest.fixture(autouse=True)
def no_locale_region(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(name, "C.UTF-8")


@pytest.mark.parametrize("text", MISSED_BEFORE)
def test_each_line_once_missed_shows_the_card_after_a_scripted_checkin(
    cli: Any, data_dir: Path, text: str
) -> None:
    r = cli("checkin", "--feeling", "tired", "--intensity", "3", "--note", text)
    assert r.exit_code == 0, r.stderr
    assert len(load_entries(data_dir)) == 1  # saved first
    assert "116 123" in r.stderr and "988" in r.stderr
    assert text not in r.stderr  # the card never quotes what raised it
    assert "Thank you for checking in" not in r.stderr + r.stdout


@pytest.mark.parametrize("text", MISSED_BEFORE)
def test_each_line_once_missed_is_about_the_writer(text: str) -> None:
    assert crisis.concerns([text]) == {"self"}


@pytest.mark.parametrize("text", IDIOMS)
def test_idioms_and_neutral_mentions_raise_nothing(text: str) -> None:
    assert crisis.concerns([text]) == set()


@pytest.mark.parametrize(
    "text",
    [
        "feeling sucidal again",
        "i want to hurt myslef",
        "i want to kill my self",
        "im gonna end it all",
        "want to just die",
        "I don’t want to wake up tomorrow",  # a curly apostrophe
        "i DONT want to be here any more",
        "kms fr",
        "tbh i want to unalive",
        "sooo done with life",
    ],
)
def test_tired_typing_is_read(text: str) -> None:
    assert "self" in crisis.concerns([text])


@pytest.mark.parametrize(
    "text",
    [
        "my daughter says she wants to die",
        "found cuts on my son's arm",
        "my friend posted a goodbye message and isnt answering",
        "my husband keeps saying we'd be better off without him",
    ],
)
def test_worry_for_someone_else(text: str) -> None:
    assert "someone" in crisis.concerns([text])


@pytest.mark.parametrize(
    "text",
    [
        "he shoved me against the wall",
        "I'm afraid of what she'll do when I get home",
        "he checks my messages and won't let me see friends",
        "she took my bank card again",
    ],
)
def test_fear_or_harm_from_someone_close(text: str) -> None:
    assert "abuse" in crisis.concerns([text])


# One or more pairs for each `[[guard]]` in crisis.toml: a neutral, idiomatic or long-past line
# the rules once raised a card for, and a risky twin sharing its words, which must still raise one.
GUARDED = [
    (
        "did the safeguarding course on self harm in young people today",
        "did the safeguarding course today and then went home and self harmed again",
        "self",
    ),
    (
        "our church raised money for a suicide prevention charity",
        "i feel suicidal again tonight",
        "self",
    ),
    (
        "essay on domestic abuse in victorian novels is due friday",
        "my husband hits me and i am scared to go home",
        "abuse",
    ),
    (
        "the news story about a singer who took his own life was handled well",
        "my brother said he wants to take his own life",
        "someone",
    ),
    (
        "i used to self harm at school, these days i run instead",
        "i used to self harm and ive started again",
        "self",
    ),
    (
        "four years free from self harm this week",
        "four years free from self harm and i cut tonight",
        "self",
    ),
    (
        "years ago i was in a dark place, not now",
        "years ago i was in a dark place and im back there now",
        "self",
    ),
    ("hopeless at maths, always was", "hopeless at everything, whats the point", "self"),
    ("the wifi on this train is hopeless", "my whole life is hopeless", "self"),
    (
        "no way out of this traffic jam, we will be late",
        "no way out of this for me anymore",
        "self",
    ),
    ("no way out of the christmas party this year", "no way out of this pain", "self"),
    ("gun to my head i couldnt tell you his name", "held the gun to my head last night", "self"),
    ("overdosed on chocolate over easter", "overdosed on my tablets on purpose", "self"),
    ("nobody would miss the old sofa if we took it to the tip", "nobody would miss me", "self"),
    ("id rather die than sing karaoke", "id rather die than go on like this", "self"),
    ("shot myself in the foot offering to host", "i want to shoot myself", "self"),
    ("my laptop went to sleep forever during the exam", "i want to go to sleep forever", "self"),
    ("trapped in a three hour meeting with no coffee", "im trapped and theres no way out", "self"),
    ("drowning in marking this week", "drowning in debt and i cant keep going", "self"),
    ("took my meds this morning and feel steadier", "took all my meds at once", "self"),
    (
        "counted my pills into the weekly organiser",
        "counted out all my pills, there are enough",
        "self",
    ),
    ("last entry before the holiday, no signal at the cottage", "last entry before i go", "self"),
    (
        "said goodbye to my mum at the airport, shes off to spain",
        "said my goodbyes to everyone today",
        "self",
    ),
    (
        "giving my old clothes to the charity shop",
        "giving my things away, i wont need them",
        "self",
    ),
    (
        "tying up loose ends before maternity leave",
        "tying up loose ends so nobody has to deal with it after",
        "self",
    ),
    (
        "my flatmate would be better off without my cooking",
        "my family would be better off without me",
        "self",
    ),
    ("cut myself a slice of cake", "cut myself again on purpose", "self"),
    ("scratched my mosquito bites till they bled", "scratched my arms till they bled", "self"),
    (
        "my boss was shouting at the whole team",
        "my husband shouts at me until i cry and hits me",
        "abuse",
    ),
    ("the goat headbutted me at the farm", "my boyfriend headbutted me last night", "abuse"),
    (
        "cleaned the shotgun ready for the pheasant season",
        "cleaned the shotgun and loaded it and sat with it",
        "self",
    ),
    (
        "bought rope for the new washing line",
        "bought rope and i know where im going to do it",
        "self",
    ),
    ("set the date for my driving test", "set the date, friday, and nobody knows", "self"),
]


@pytest.mark.parametrize(("neutral", "twin", "concern"), GUARDED)
def test_a_guard_quiets_a_neutral_line_but_never_its_risky_twin(
    neutral: str, twin: str, concern: str
) -> None:
    assert crisis.hits(neutral) == []
    assert concern in {h.concern for h in crisis.hits(twin)}


def test_a_guard_sets_aside_only_the_hit_its_words_cover() -> None:
    assert crisis.kinds("hopeless at maths") == set()
    assert crisis.kinds("hopeless at maths and i want to die") == {"wish"}


@pytest.mark.parametrize(
    ("quiet", "spoken"),
    [
        ("i used to self harm", "i used to self harm, i want to now"),
        ("four years free from self harm", "four years free from self harm till tonight"),
        ("took my meds", "took my meds at once"),
        ("said goodbye to the old house", "said goodbye to the old house forever"),
        ("nobody would miss the old sofa", "nobody would miss the old sofa. or me, not joking"),
    ],
)
def test_no_guard_applies_when_the_text_speaks_of_intent_now(quiet: str, spoken: str) -> None:
    assert crisis.hits(quiet) == []
    assert "self" in {h.concern for h in crisis.hits(spoken)}


def test_a_guard_with_an_unknown_kind_is_refused() -> None:
    import tomllib

    raw = tomllib.loads((Path(crisis.__file__).parent / "content" / crisis.CONTENT).read_text())
    raw["guard"] = [{"kinds": ["sadness"], "match": "x"}]
    with pytest.raises(ValueError, match="unknown kind"):
        crisis.build(raw)


def test_someone_else_and_abuse_get_their_own_help_on_the_card(cli: Any) -> None:
    r = cli("slow-down", "--feeling", "scared", "--intensity", "4", "--note", "my son wants to die")
    assert "worried about someone" in r.stderr and "about someone else" in r.stderr
    r = cli("slow-down", "--feeling", "scared", "--intensity", "4", "--note", "he hit me again")
    assert "1-800-799-7233" in r.stderr and "0808 2000 247" in r.stderr
    assert "afraid of someone close" in r.stderr


def test_a_plain_day_shows_no_card(cli: Any) -> None:
    r = cli("checkin", "--feeling", "calm", "--intensity", "3", "--note", "had a nice walk")
    assert r.exit_code == 0
    assert "988" not in r.stderr
    assert "Thank you for checking in" not in r.stdout  # scripted: no closing line either way


@pytest.mark.parametrize(("before", "after", "shown"), [(9, 5, True), (4, 10, True), (8, 8, False)])
def test_a_very_high_rating_in_regulate_shows_the_card(
    cli: Any, before: int, after: int, shown: bool
) -> None:
    r = cli("regulate", "--before", str(before), "--exercise", "grounding", "--after", str(after))
    assert r.exit_code == 0, r.stderr
    assert ("116 123" in r.stderr) is shown


class Recorder(ScriptedAsker):
    def __init__(self, given: dict[str, Any]) -> None:
        super().__init__(given, flags={})
        self.said: list[str] = []

    def say(self, text: str, kind: str = "text") -> None:
        self.said.append(text)


def test_the_closing_line_gives_way_to_the_card() -> None:
    kept = practice("slow-down").closing
    given = {"feeling": "sad", "intensity": 3, "note": "i cant go on"}
    held = Recorder(given)
    run_practice(
        practice("slow-down"), held, RunOptions(now=lambda: NOW, holds_closing=lambda e: True)
    )
    assert kept not in held.said
    plain = Recorder(given)
    run_practice(
        practice("slow-down"), plain, RunOptions(now=lambda: NOW, holds_closing=lambda e: False)
    )
    assert kept in plain.said


@pytest.mark.parametrize("practice_id", ["curious", "repair"])
def test_fear_in_an_answer_brings_a_gentle_note_once(practice_id: str) -> None:
    given: dict[str, Any] = (
        {"defensive_about": "he grabbed me by the arm", "story": "he hit me when i was late"}
        if practice_id == "curious"
        else {
            "context": "partner",
            "what": "he shoved me against the wall",
            "their_feelings": ["angry"],
            "follow_up": "tomorrow",
        }
    )
    asker = Recorder(given)
    entry = run_practice(practice(practice_id), asker, RunOptions(now=lambda: NOW, region="GB"))
    notes = [s for s in asker.said if "not your job" in s]
    assert len(notes) == 1
    assert any("0808 2000 247" in s for s in asker.said)
    # the questions that could train self-blame are there to skip
    ids = {a.id for a in entry.answers if a.answer is not None}
    assert "my_part" not in ids and "other_explanations" not in ids


def test_curious_offers_that_the_first_read_may_be_right() -> None:
    from attunecli.catalog import coach_text

    assert "Maybe my first read is right." in coach_text()["curious"]["other_explanations"]


# regions


@pytest.mark.parametrize(
    ("env", "region"),
    [
        ({"LANG": "en_GB.UTF-8"}, "GB"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "en_AU.UTF-8"}, "AU"),
        ({"LANG": "fr_CA.UTF-8"}, "CA"),
        ({"LANG": "en_IE"}, "IE"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "POSIX"}, None),
        ({}, None),
    ],
)
def test_region_from_the_locale(env: dict[str, str], region: str | None) -> None:
    assert care.region_from_locale(env) == region


def test_the_region_setting_picks_the_lines_shown_first(cli: Any) -> None:
    assert cli("config", "set", "region", "uk").exit_code == 0
    r = cli("support")
    assert "116 123" in r.stdout and "85258" in r.stdout and "999" in r.stdout
    assert "988" not in r.stdout
    cli("config", "set", "region", "AU")
    r = cli("slow-down", "--feeling", "sad", "--intensity", "3", "--note", "i want to die")
    assert "13 11 14" in r.stderr and "000" in r.stderr and "116 123" not in r.stderr


def test_a_region_with_no_lines_of_its_own_gets_the_directory(cli: Any) -> None:
    cli("config", "set", "region", "DE")
    r = cli("support")
    assert "findahelpline.com" in r.stdout and "local emergency number" in r.stdout


def test_without_a_region_every_line_is_named_with_its_country(cli: Any) -> None:
    r = cli("support")
    assert "(United States)" in r.stdout and "(United Kingdom and Ireland)" in r.stdout
    every = cli("support", "--all").stdout
    for name in support().regions.values():
        assert name in every
    for number in ("988", "116 123", "13 11 14", "1800 341 900", "1800 737 732", "000", "911"):
        assert number in every


@pytest.mark.parametrize("value", ["GBR", "1", "", "g b"])
def test_a_bad_region_is_refused(cli: Any, value: str) -> None:
    r = cli("config", "set", "region", value)
    assert r.exit_code == 2
    assert r.stderr.startswith("attune: region: expected a two-letter country code")
    assert r.stderr.count("\n") == 1


def test_support_json_names_each_line_with_its_source(cli: Any) -> None:
    data = json.loads(cli("support", "--json").stdout)
    assert {x["for"] for x in data["lines"]} == {"crisis", "abuse", "emergency", "directory"}
    assert all(x["source"] and x["checked"] for x in data["lines"])
    assert data["region"] is None


def test_the_card_is_short() -> None:
    for concerns in ({"self"}, {"someone"}, {"abuse"}, {"self", "abuse"}):
        for region in (None, "GB", "US", "AU", "IE", "CA", "DE"):
            lines = care.card(concerns, region, has_plan=False)
            assert len(lines) <= 12, (concerns, region)
            assert all(len(line) <= 140 for line in lines), (concerns, region)
    assert care.card(set(), "GB", has_plan=False) == []


def test_the_card_leads_with_one_warm_line_and_offers_a_plan() -> None:
    lines = care.card({"self"}, "GB", has_plan=False)
    assert lines[0].startswith(support().intro)
    assert "not only thoughts of suicide" in lines[0]
    assert any("attune safety-plan`" in line for line in lines)
    assert any(
        "attune safety-plan --show" in line for line in care.card({"self"}, "GB", has_plan=True)
    )


# the content file and the corpus


def test_the_rules_file_is_dated_and_every_kind_has_rules() -> None:
    import tomllib

    raw = tomllib.loads((Path(crisis.__file__).parent / "content" / crisis.CONTENT).read_text())
    assert raw["last_checked"]
    d = crisis.load()
    assert {r.kind for r in d.rules} == set(crisis.KINDS)


def test_a_rule_with_an_unknown_kind_or_who_is_refused() -> None:
    import tomllib

    raw = tomllib.loads((Path(crisis.__file__).parent / "content" / crisis.CONTENT).read_text())
    raw["rule"] = [{"kind": "sadness", "match": "x"}]
    with pytest.raises(ValueError, match="unknown kind"):
        crisis.build(raw)
    raw["rule"] = [{"kind": "wish", "match": "x", "who": "nobody"}]
    with pytest.raises(ValueError, match="unknown who"):
        crisis.build(raw)


def test_options_picked_from_a_list_are_never_read_as_the_persons_words() -> None:
    """Options people pick from ("Nothing I do will be enough") are attune's wording."""
    from attunecli import coach, session
    from attunecli.catalog import coach_text

    stock = coach_text()["curious"]
    assert "Nothing I do will be enough." in coach.stock_options()
    given = {
        "defensive_about": "the late reply",
        "story": "they were late again",
        "other_explanations": list(stock["other_explanations"]) + list(stock["stories"]),
        "questions": list(stock["open_questions"]),
    }
    entry = run_practice(practice("curious"), Recorder(given), RunOptions(now=lambda: NOW))
    assert session.concerns(entry) == set()


def test_the_corpus_is_valid_and_split_for_good() -> None:
    lines = crisis_corpus.load()
    assert len(lines) >= 500
    assert sum(x.kind == "none" for x in lines) / len(lines) >= 0.5
    by = {s: [x for x in lines if x.split == s] for s in crisis_corpus.SPLITS}
    assert all(by[s] for s in crisis_corpus.SPLITS)
    for kind in crisis_corpus.KINDS:
        assert any(x.kind == kind for x in by["test"]), kind
    # a line's split depends on its text alone
    assert crisis_corpus.split_of("  I want to DIE ") == crisis_corpus.split_of("i want to die")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"id": "a", "text": "x"}', "expected the keys"),
        ('{"id": "a", "text": " ", "kind": "none"}', "non-empty"),
        ('{"id": "a", "text": "x", "kind": "sad"}', "unknown kind"),
        ("not json", "not JSON"),
    ],
)
def test_the_corpus_loader_names_a_bad_line(raw: str, message: str) -> None:
    with pytest.raises(crisis_corpus.CorpusError, match=message):
        crisis_corpus.parse([raw])


def test_anchors_never_change_what_the_rules_find() -> None:
    """Patterns are tried only where an anchor occurs; over every corpus line and every
    stock string, that must find exactly what trying every pattern finds."""
    import tomllib

    content = tomllib.loads((Path(crisis.__file__).parent / "content" / crisis.CONTENT).read_text())
    every = crisis.build(content)
    anchored = crisis.load()
    assert sum(bool(p.anchors) for r in anchored.rules for p in r.patterns) > 500
    for line in crisis_corpus.load():
        assert crisis.hits(line.text, anchored) == crisis.hits(line.text, every), line.id


def test_checking_does_not_import_typer_rich_or_questionary() -> None:
    code = (
        "import sys; from attunecli import crisis; crisis.concerns(['i cant go on']);"
        "print(sorted(m for m in ('typer', 'rich', 'questionary') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_start_up_does_not_load_the_crisis_check() -> None:
    code = (
        "import sys; from attunecli import entry;"
        "sys.argv = ['attune', '--version'];"
        "\ntry:\n    entry.main()\nexcept SystemExit:\n    pass\n"
        "print('attunecli.crisis' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stderr.strip().endswith("False")


def test_the_model_file_is_reproducible(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    done = subprocess.run(
        [sys.executable, "-m", "tools.train_crisis", "--out", str(out)],
        cwd=Path(crisis.__file__).parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shipped = Path(crisis.__file__).parent / "content" / crisis.MODEL
    assert_reproduces(out, shipped)


def test_every_kind_is_heard_on_the_test_split() -> None:
    """A floor under each kind, so a change that loses one shows here, not only in the
    benchmark. The targets (0.9 a kind, 0.97 overall) are `benchmarks/crisis.py`'s to judge."""
    from benchmarks.crisis import measure

    lines = crisis_corpus.load("test")
    out, _missed, _wrong = measure(lines)
    rows = {row.split()[0]: row.split() for row in out[1:-1]}
    for kind in crisis.KINDS:  # measured 0.885 (abuse) to 0.962 (passive), 2026-12-04
        assert float(rows[kind][1]) >= 0.85, rows[kind]
    assert float(rows["overall"][1]) >= 0.91  # measured 0.929
    alarms = out[-1]
    assert float(alarms.rsplit("=", 1)[1].strip().rstrip("%")) <= 10.0, alarms


def _silent_model(rules_alone: bool) -> crisis.Model:
    """A model that never fires on its own, to see what the rules do around it."""
    return crisis.Model(
        scale=1000,
        word_ngrams=1,
        char_ngrams=(0, 0),
        bias=dict.fromkeys(crisis.CONCERNS, -20.0),
        threshold=dict.fromkeys(crisis.CONCERNS, 0.5),
        weights={c: {} for c in crisis.CONCERNS},
        rules_alone=rules_alone,
    )


def test_rules_raise_a_card_alone_only_when_the_model_says_so() -> None:
    long = "i want to die, i have for weeks now"
    assert crisis.hits(long)  # a rule finds it
    assert crisis.concerns([long], model=_silent_model(True)) == {"self"}
    assert crisis.concerns([long], model=_silent_model(False)) == set()


def test_on_lines_too_short_for_the_model_the_rules_always_decide() -> None:
    assert crisis.concerns(["kms"], model=_silent_model(False)) == {"self"}


def test_training_holds_out_whole_groups_of_voices() -> None:
    from tools.train_crisis import FOLDS, folds, group

    lines = crisis_corpus.load("dev")
    fold = folds(lines)
    of: dict[str, set[int]] = {}
    for line, k in zip(lines, fold, strict=True):
        of.setdefault(group(line), set()).add(k)
    assert all(len(ks) == 1 for ks in of.values())
    assert set(fold) == set(range(FOLDS))


def test_an_unedited_draft_is_attunes_words_and_an_edited_one_is_yours() -> None:
    """A draft is built from answers already read ("hopeless" picked from the list is not
    the person's own word); once they rewrite it, it is theirs and is read."""
    from attunecli import session

    given = {"context": "friend", "what": "cancelled again", "their_feelings": ["hopeless"]}
    drafted = run_practice(practice("reflect"), Recorder(given), RunOptions(now=lambda: NOW))
    [reflection] = [a for a in drafted.answers if a.id == "reflection"]
    assert reflection.details.get("drafted") is True and "hopeless" in reflection.answer
    assert session.concerns(drafted) == set()
    edited = {**given, "reflection": "honestly i just want to die, nobody would miss me"}
    mine = run_practice(practice("reflect"), Recorder(edited), RunOptions(now=lambda: NOW))
    [reflection] = [a for a in mine.answers if a.id == "reflection"]
    assert "drafted" not in reflection.details
    assert "self" in session.concerns(mine)


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("you left without saying goodbye", set()),
        ("he stormed out and didnt even say bye to the kids", set()),
        ("my son keeps saying goodbye to everyone like its the last time", {"someone"}),
        ("i said goodbye to everyone today, for good", {"self"}),
    ],
)
def test_leaving_without_a_goodbye_is_not_a_farewell(line: str, want: set[str]) -> None:
    # What is asked here is whether a goodbye is read as a farewell; whether a partner
    # storming out is worth the domestic-abuse card is the model's call, measured by
    # benchmarks/crisis.py on the labelled lines.
    assert crisis.concerns([line]) - {"abuse"} == want
