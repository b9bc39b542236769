"""Two reviewers accepting at the same moment, in real threads with their own connections (PostgreSQL).

Each acceptance locks the article row first, so the second one waits, then works on the revision the
first one made: both corrections end up in two successive revisions, or the second is refused cleanly
(same correction, or one whose words the first changed). Nothing is lost either way.
"""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

import annotations.services.revising as revising
from annotations.anchoring import Selectors
from annotations.models import Correction
from annotations.services.annotating import annotation_create
from annotations.services.corrections import CorrectionError, correction_accept, correction_propose
from archive.services import RevisionConflict
from tests.factories import make_member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (SELECT … FOR UPDATE) and concurrent connections; "
        "SQLite serialises the whole database instead",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
EXPECTED_REFUSALS = (CorrectionError, RevisionConflict, PermissionDenied)
HOLD_SECONDS = 0.3


@pytest.fixture
def reviewers():
    return make_member("reviewer-a", "Reviewer"), make_member("reviewer-b", "Reviewer")


@pytest.fixture
def events(monkeypatch):
    """Record when each thread is inside the locked part of an acceptance, and hold it there a while."""
    log: list[tuple[str, str]] = []
    carry = revising.annotations_carry

    def slow_carry(**kwargs):
        name = threading.current_thread().name
        log.append(("enter", name))
        time.sleep(HOLD_SECONDS)  # widen the window in which the other reviewer arrives
        try:
            return carry(**kwargs)
        finally:
            log.append(("leave", name))

    monkeypatch.setattr(revising, "annotations_carry", slow_carry)
    return log


def propose(article, quote, replacement, editor):
    article.refresh_from_db()
    start = article.current_revision.text.index(quote)
    return correction_propose(
        article=article, proposer=editor, span=(start, start + len(quote)), replacement=replacement, category="style"
    )


def run_together(**jobs):
    """Start the jobs at the same instant, one thread (and connection) each; return name -> outcome."""
    barrier = threading.Barrier(len(jobs))
    outcomes: dict[str, tuple[str, object]] = {}

    def work(name, job):
        try:
            barrier.wait()
            outcomes[name] = ("accepted", job())
        except EXPECTED_REFUSALS as exc:
            outcomes[name] = ("refused", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(name, job), name=name) for name, job in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a reviewer is still waiting: deadlock?"
    assert set(outcomes) == set(jobs), f"a thread failed unexpectedly: {outcomes}"
    return outcomes


def assert_serialised(events):
    assert [kind for kind, _ in events] == ["enter", "leave"] * (len(events) // 2), events


def test_two_reviewers_accepting_different_corrections_make_two_successive_revisions(seed, editor, reviewers, events):
    note = annotation_create(
        article=seed, creator=editor, motivation="commenting", selectors=Selectors(exact="Vladimir Putin")
    )
    first = propose(seed, "Belchett", "Bachelet", editor)
    second = propose(seed, "calm the winds", "calm tensions", editor)
    outcomes = run_together(
        a=lambda: correction_accept(correction=first, reviewer=reviewers[0]),
        b=lambda: correction_accept(correction=second, reviewer=reviewers[1]),
    )
    assert {state for state, _ in outcomes.values()} == {"accepted"}
    assert_serialised(events)
    numbers = sorted(outcome.revision.number for _, outcome in outcomes.values())
    assert numbers == [2, 3]
    seed.refresh_from_db()
    text = seed.current_revision.text
    assert seed.current_revision.number == 3 and "Michelle Bachelet" in text and "calm tensions" in text
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.applied_in.number, second.applied_in.number} == {2, 3}
    assert {first.reviewed_by, second.reviewed_by} == set(reviewers)
    note.refresh_from_db()
    assert note.revision == seed.current_revision and text[note.start : note.end] == "Vladimir Putin"


def test_two_reviewers_accepting_the_same_correction_apply_it_once(seed, editor, reviewers, events):
    correction = propose(seed, "Belchett", "Bachelet", editor)
    outcomes = run_together(
        a=lambda: correction_accept(correction=correction, reviewer=reviewers[0]),
        b=lambda: correction_accept(correction=correction, reviewer=reviewers[1]),
    )
    states = sorted(state for state, _ in outcomes.values())
    assert states == ["accepted", "refused"]
    refusal = next(result for state, result in outcomes.values() if state == "refused")
    assert "already accepted" in str(refusal)
    assert seed.revisions.count() == 2
    seed.refresh_from_db()
    assert seed.current_revision.text.count("Bachelet") == 1


def test_a_competing_fix_of_the_same_words_is_refused_and_kept_for_rebase(seed, editor, reviewers, events):
    surname = propose(seed, "Belchett", "Bachelet", editor)
    full_name = propose(seed, "Michelle Belchett", "Michelle Bachelet", editor)
    outcomes = run_together(
        a=lambda: correction_accept(correction=surname, reviewer=reviewers[0]),
        b=lambda: correction_accept(correction=full_name, reviewer=reviewers[1]),
    )
    assert sorted(state for state, _ in outcomes.values()) == ["accepted", "refused"]
    assert seed.revisions.count() == 2
    seed.refresh_from_db()
    assert "Michelle Bachelet, Condemned" in seed.current_revision.text
    states = sorted(Correction.objects.values_list("state", flat=True))
    assert states == ["accepted", "needs_rebase"]  # the loser is kept, flagged for its editor
