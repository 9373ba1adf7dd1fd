"""Write a realistic synthetic attune store: N entries of every practice over several years.

Used by the benchmarks (run by hand, not by the tests). Entries are built with the
real models and serialised exactly as the store does, but written without fsync:
this is throwaway benchmark data, and 36,500 fsyncs would take minutes.

    .venv/bin/python benchmarks/synth.py DATA_DIR --entries 36500 [--years 10] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

from attunecli.catalog import contexts, cues, exercises, practice, vocabulary
from attunecli.models import Answer, Entry
from attunecli.store import Store, entry_bytes

# Roughly how often each practice appears in a long-used store.
WEIGHTS = {
    "checkin": 50,
    "slow-down": 15,
    "regulate": 12,
    "reflect": 10,
    "curious": 6,
    "repair": 5,
    "repair-done": 2,
}
NOTES = [
    "long day at work",
    "slept badly",
    "talked with my sister",
    "the meeting ran over",
    "walked in the park",
    "argument about the dishes",
    "quiet evening",
]


def _answer(p_id: str, aid: str, kind: str, question: str, rnd: random.Random) -> Answer:
    vocab = vocabulary()
    words = sorted(vocab.feelings)
    if kind == "feeling":
        word = rnd.choice(words)
        return Answer(aid, kind, question, word, {"quadrant": vocab.feelings[word].quadrant})
    if kind == "feelings":
        return Answer(aid, kind, question, rnd.sample(words, rnd.randint(1, 3)))
    if kind == "scale":
        measure = aid.rpartition(".")[2]
        return Answer(aid, kind, question, rnd.randint(0, 10), {"measure": measure})
    if kind == "choice":
        options = list(exercises()) if "exercise" in aid else list(contexts())
        return Answer(aid, kind, question, rnd.choice(options))
    if kind == "multi":
        step = aid.rpartition(".")[2]
        if step.startswith(("body", "others")):
            group, _, key = {"body_where": "body.where", "body_how": "body.how"}.get(
                step, "others.tone"
            ).partition(".")
            return Answer(aid, kind, question, rnd.sample(cues()[group][key], 2))
        return Answer(aid, kind, question, [rnd.choice(NOTES)])
    if kind == "confirm":
        return Answer(aid, kind, question, rnd.random() < 0.3)
    if kind == "date":
        return Answer(aid, kind, question, None)  # the caller sets the follow-up date
    if kind == "guide":
        return Answer(
            aid,
            kind,
            question,
            {"planned_seconds": 180, "seconds": 180, "stopped_early": False},
            {"exercise": "box-breathing"},
        )
    return Answer(aid, kind, question, rnd.choice(NOTES) if rnd.random() < 0.7 else None)


def make_entry(
    p_id: str, when: datetime, rnd: random.Random, refers_to: str | None = None
) -> Entry:
    entry_id = f"{rnd.getrandbits(64):016x}"
    if p_id == "repair-done":
        return Entry(entry_id, when, p_id, [], refers_to=refers_to, app_version="synthetic")
    answers = []
    for sec, st in practice(p_id).steps():
        if st.kind == "info":
            continue
        answers.append(_answer(p_id, practice(p_id).answer_id(sec, st), st.kind, st.question, rnd))
    return Entry(entry_id, when, p_id, answers, app_version="synthetic")


def generate(
    data_dir: Path, n: int, *, years: float = 10, seed: int = 1, end: datetime | None = None
) -> int:
    """Write `n` entries ending at `end` (default: yesterday evening, local time).

    Each repair is followed up a few days later by a repair-done entry; its
    follow-up date falls after that, so a reminder run today has no repair due.
    """
    rnd = random.Random(seed)
    end = end or (
        datetime.now().astimezone().replace(hour=21, minute=0, second=0, microsecond=0)
        - timedelta(days=1)
    )
    span = timedelta(days=365 * years)
    store = Store(data_dir)
    kinds, weights = zip(*((k, w) for k, w in WEIGHTS.items() if k != "repair-done"), strict=True)
    pending: list[tuple[datetime, str]] = []  # (when it gets followed up, repair id)
    times = sorted(end - span * rnd.random() for _ in range(n))
    for when in times:
        when = when.replace(microsecond=0)
        if pending and pending[0][0] <= when:
            _, repair_id = pending.pop(0)
            entry = make_entry("repair-done", when, rnd, refers_to=repair_id)
        else:
            entry = make_entry(rnd.choices(kinds, weights)[0], when, rnd)
            if entry.practice == "repair":
                done_at = when + timedelta(days=rnd.uniform(1, 10))
                for a in entry.answers:
                    if a.id == "follow_up":
                        a.answer = (done_at + timedelta(days=2)).date().isoformat()
                pending.append((done_at, entry.id))
                pending.sort()
        path = store.path_for(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry_bytes(entry))
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--entries", type=int, default=36_500)
    parser.add_argument("--years", type=float, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    written = generate(args.data_dir, args.entries, years=args.years, seed=args.seed)
    print(f"wrote {written} entries to {args.data_dir / 'entries'}")


if __name__ == "__main__":
    main()
