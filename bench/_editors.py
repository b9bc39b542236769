"""Editor and reviewer clients for the load and fault benchmarks, and the check of their writes.

Every write carries a unique token (an annotation's body, a correction's reason), so that afterwards
each acknowledged write can be found in the database, and each write found there can be traced to a
request that was sent. A write is acknowledged when the client saw it succeed: 201 for an annotation,
the redirect to the new correction for a proposal, the "accepted as revision N" message for an
acceptance.
"""

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from _scene import PASSWORD
from _server import Client, follow

ANNO = "http://www.w3.org/ns/anno.jsonld"
#: Words of the seed and what a correction turns them into; the next correction turns them back.
SWAPS = [("Lukashenko", "Lukashenka"), ("riots", "unrest"), ("NATO", "Nato"), ("Putin", "Poutine")]
QUOTES = ["Lukashenko", "Kremlin", "Belarus", "election", "Russia", "European Union", "protest"]
ACCEPTED = re.compile(r"(\d+) correction\(s\) accepted as revision (\d+)")
MAX_ITERATIONS = 100_000  # every loop stops by time first; this bounds it anyway


@dataclass
class Ledger:
    """What the clients sent and what they saw acknowledged, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sent_annotations: set[str] = field(default_factory=set)
    acked_annotations: dict[str, int] = field(default_factory=dict)  # token -> annotation pk
    sent_proposals: set[str] = field(default_factory=set)
    acked_proposals: dict[str, int] = field(default_factory=dict)  # token -> annotation pk of the correction
    acked_accepts: dict[int, int] = field(default_factory=dict)  # correction pk -> revision number
    statuses: Counter = field(default_factory=Counter)  # "<kind> <status>" -> count
    events: list[tuple[float, str]] = field(default_factory=list)  # (time.monotonic(), what) of each acknowledgement

    def acknowledged(self, what: str) -> None:
        self.events.append((time.monotonic(), what))

    def count(self, kind: str, status: int | str) -> None:
        with self.lock:
            self.statuses[f"{kind} {status}"] += 1

    def failures(self, *, server_errors_only: bool = False) -> int:
        """Responses that were not the expected success (only 5xx and broken connections, if asked)."""
        ok = {"annotation 201", "propose 302", "find 200", "accept 302", "accepted 200"}
        return sum(
            n
            for key, n in self.statuses.items()
            if key not in ok and (not server_errors_only or key.split()[1].startswith(("5", "E")))
        )


class Writers:
    """Editors posting annotations through the W3C protocol, and a propose-then-accept correction loop."""

    def __init__(self, base: str, slug: str, editors: list[str], reviewer: str, *, pause: float = 0.05) -> None:
        self.base, self.slug, self.editors, self.reviewer, self.pause = base, slug, editors, reviewer, pause
        self.ledger = Ledger()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.swapped = [False] * len(SWAPS)

    def start(self, deadline_seconds: float) -> None:
        self.deadline = time.monotonic() + deadline_seconds
        for name in self.editors[:-1]:
            self.threads.append(threading.Thread(target=self.annotate, args=(name,), name=name, daemon=True))
        corrector = threading.Thread(target=self.correct, args=(self.editors[-1],), name="corrector", daemon=True)
        self.threads.append(corrector)
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline

    def signed_in(self, username: str) -> Client:
        """A client signed in as `username`, retrying (bounded) while the server is briefly unavailable."""
        while True:
            client = Client(self.base)
            try:
                client.login(username, PASSWORD)
                return client
            except (OSError, RuntimeError) as exc:
                self.ledger.count("login", type(exc).__name__)
                if not self.running():
                    raise
                time.sleep(0.5)

    def annotate(self, username: str) -> None:
        client = self.signed_in(username)
        for number in range(MAX_ITERATIONS):
            if not self.running():
                return
            token = f"load-{username}-{number}"
            data = {
                "@context": ANNO,
                "type": "Annotation",
                "motivation": "commenting",
                "body": {"type": "TextualBody", "value": token, "format": "text/plain"},
                "target": {
                    "source": f"{client.origin}/articles/{self.slug}/",
                    "selector": [{"type": "TextQuoteSelector", "exact": QUOTES[number % len(QUOTES)]}],
                },
            }
            if number % 5 == 0:
                data["pal:visibility"] = "public"  # public notes invalidate the cached page
            with self.ledger.lock:
                self.ledger.sent_annotations.add(token)
            try:
                response = client.post_json(f"/articles/{self.slug}/annotations/", data)
            except OSError as exc:
                self.ledger.count("annotation", f"E{type(exc).__name__}")
                time.sleep(self.pause)
                continue
            self.ledger.count("annotation", response.status)
            if response.status == 201:
                with self.ledger.lock:
                    self.ledger.acked_annotations[token] = int(response.json()["id"].rsplit("/", 1)[1])
                self.ledger.acknowledged("annotation")
            time.sleep(self.pause)

    def correct(self, proposer: str) -> None:
        editor, reviewer = self.signed_in(proposer), self.signed_in(self.reviewer)
        for number in range(MAX_ITERATIONS):
            if not self.running():
                return
            try:
                self.correct_once(editor, reviewer, proposer, number)
            except OSError as exc:
                self.ledger.count("correction", f"E{type(exc).__name__}")
            time.sleep(self.pause * 4)

    def correct_once(self, editor: Client, reviewer: Client, proposer: str, number: int) -> None:
        """Propose one swap as the editor, then accept it as the reviewer; record what was acknowledged."""
        which = number % len(SWAPS)
        before, after = SWAPS[which] if not self.swapped[which] else SWAPS[which][::-1]
        token = f"load-{proposer}-correction-{number}"
        with self.ledger.lock:
            self.ledger.sent_proposals.add(token)
        form = {
            "correction-quote": before,
            "correction-replacement": after,
            "correction-category": "terminology",
            "correction-severity": "minor",
            "correction-reason": token,
        }
        response = editor.post_form(f"/editor/articles/{self.slug}/corrections/", form)
        self.ledger.count("propose", response.status)
        if response.status == 400 and "are not in the current text" in response.text:
            self.swapped[which] = not self.swapped[which]  # an earlier acceptance went through unacknowledged
            return
        location = response.headers.get("location", "")
        if response.status != 302 or "#annotation-" not in location:
            return
        annotation_pk = int(location.rsplit("#annotation-", 1)[1])
        with self.ledger.lock:
            self.ledger.acked_proposals[token] = annotation_pk
        self.ledger.acknowledged("proposal")
        correction_pk = self.find_correction(reviewer, annotation_pk)
        if correction_pk is None:
            return
        response = reviewer.post_form(
            "/editor/review/", [("corrections", correction_pk), ("decision", "accept"), ("next", "/editor/")]
        )
        self.ledger.count("accept", response.status)
        if response.status != 302:
            return
        page = follow(reviewer, response)
        self.ledger.count("accepted", page.status)
        accepted = ACCEPTED.search(page.text)
        if accepted:
            with self.ledger.lock:
                self.ledger.acked_accepts[correction_pk] = int(accepted.group(2))
            self.ledger.acknowledged("acceptance")
            self.swapped[which] = not self.swapped[which]

    def find_correction(self, reviewer: Client, annotation_pk: int) -> int | None:
        """The pk of the correction made with annotation `annotation_pk`, read off the review queue."""
        page = reviewer.get("/editor/")
        self.ledger.count("find", page.status)
        pattern = rf'name="corrections" value="(\d+)"(?:(?!name="corrections").){{0,3000}}?#annotation-{annotation_pk}"'
        found = re.search(pattern, page.text, re.S)
        if found is None and page.status == 200:
            self.ledger.count("find", "not-listed")
        return int(found.group(1)) if found else None


def check_writes(ledger: Ledger, article_id: int) -> list[str]:
    """Compare the ledger with the database; return the problems found (none: every acknowledged write is there)."""
    from annotations.models import Annotation, Correction

    problems = []
    rows = Annotation.objects.filter(
        article_id=article_id, motivation="commenting", body_value__startswith="load-"
    ).values_list("body_value", "pk")
    stored = dict(rows)
    proposal_rows = Correction.objects.filter(
        annotation__article_id=article_id, reason__startswith="load-"
    ).values_list("reason", "annotation_id")
    for kind, found in (("annotation", rows), ("proposal", proposal_rows)):
        for token, times in Counter(token for token, _ in found).items():
            if times > 1:
                problems.append(f"{kind} {token} is in the database {times} times (a write applied twice)")
    for token, pk in ledger.acked_annotations.items():
        if stored.get(token) != pk:
            problems.append(f"acknowledged annotation {token} (#{pk}) is not in the database")
    for token in set(stored) - ledger.sent_annotations:
        problems.append(f"annotation {token} is in the database but was never sent")
    proposals = dict(proposal_rows)
    for token, annotation_pk in ledger.acked_proposals.items():
        if proposals.get(token) != annotation_pk:
            problems.append(f"acknowledged proposal {token} is not in the database")
    for token in set(proposals) - ledger.sent_proposals:
        problems.append(f"proposal {token} is in the database but was never sent")
    accepted = {
        pk: (state, number)
        for pk, state, number in Correction.objects.filter(pk__in=list(ledger.acked_accepts)).values_list(
            "pk", "state", "applied_in__number"
        )
    }
    for pk, number in ledger.acked_accepts.items():
        if accepted.get(pk) != ("accepted", number):
            problems.append(
                f"acknowledged acceptance of correction #{pk} as revision {number}: found {accepted.get(pk)}"
            )
    return problems


def check_corrections_whole(article_id: int) -> list[str]:
    """Return half-applied corrections: every accepted one must have its revision, with its replacement in
    that revision's text, and every revision after the first must have been made by accepted corrections."""
    from annotations.models import Correction
    from archive.models import Article, Revision

    problems = []
    article = Article.objects.select_related("current_revision").get(pk=article_id)
    revisions = {r.pk: r for r in Revision.objects.filter(article_id=article_id)}
    latest = max(r.number for r in revisions.values())
    if article.current_revision.number != latest:
        problems.append(f"current revision is {article.current_revision.number}, the latest is {latest}")
    rows = Correction.objects.filter(annotation__article_id=article_id, state="accepted").values_list(
        "pk", "replacement", "applied_in_id"
    )
    applied_in = set()
    for pk, replacement, revision_id in rows:
        revision = revisions.get(revision_id)
        if revision is None:
            problems.append(f"accepted correction #{pk} has no revision")
            continue
        applied_in.add(revision_id)
        if replacement not in revision.text:
            problems.append(f"accepted correction #{pk}: “{replacement}” is not in revision {revision.number}")
    orphans = [r.number for r in revisions.values() if r.number > 1 and r.pk not in applied_in]
    if orphans:
        problems.append(f"revisions {sorted(orphans)} were made but no accepted correction points to them")
    return problems
