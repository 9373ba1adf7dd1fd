"""One table says what each step kind means (`models.KINDS`); the modules that treat
kinds differently ask it, so they cannot drift apart."""

from __future__ import annotations

from datetime import UTC, datetime

from attunecli import coach, indexing, practicefile
from attunecli.models import KINDS, STEP_KINDS, UNKNOWN_KIND, Answer, Entry

WHEN = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


def test_every_kind_is_in_the_table_and_nothing_else() -> None:
    assert set(KINDS) == set(STEP_KINDS)
    for kind, info in KINDS.items():
        assert not (info.free_text and not info.own_words), kind  # typed text is one's own
        assert not (info.free_text and not info.searched), kind
        assert not (info.may_be_empty and not info.filled_by_attune), kind


def _entry(*answers: Answer) -> Entry:
    return Entry(id="0" * 16, created_at=WHEN, practice="slow-down", answers=list(answers))


SAMPLES = {
    "text": "marker",
    "choice": "marker",
    "multi": ["marker"],
    "scale": 5,
    "feeling": "marker",
    "feelings": ["marker"],
    "confirm": True,
    "date": "2026-12-05",
    "compose": "marker",
    "reply": "marker",
    "guide": {"seconds": 60, "stop": "finished"},
}


def test_search_and_the_care_check_read_what_the_table_says() -> None:
    for kind, value in SAMPLES.items():
        e = _entry(Answer(id="a", kind=kind, question="?", answer=value))  # type: ignore[arg-type]
        searched = [t for _, _, t in indexing.texts(e)]
        assert bool(searched) == KINDS[kind].searched, kind
        read = list(coach.free_text(e))  # what the care check reads
        assert bool(read) == KINDS[kind].own_words, kind


def test_a_kind_no_table_knows_is_read_with_care() -> None:
    e = _entry(Answer(id="a", kind="made-up", question="?", answer="marker"))  # type: ignore[arg-type]
    assert [t for _, _, t in indexing.texts(e)] == ["marker"]
    assert UNKNOWN_KIND.own_words


def test_practice_files_offer_options_only_where_the_table_does() -> None:
    assert set(practicefile.CHOICE_KINDS) == {k for k, v in KINDS.items() if v.options}
    assert set(practicefile.CHOICE_KINDS) == {"choice", "multi"}
