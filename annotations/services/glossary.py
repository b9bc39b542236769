"""The memory of fixes: remembering accepted corrections and suggesting them where they recur.

Suggestions are ordinary proposed corrections (source "glossary") waiting for a reviewer; nothing
is ever applied automatically. Their creator is one system user, GLOSSARY_USERNAME (inactive, no
password): a suggestion is the archive's claim, not a person's, so the entry's author can accept
it like anyone else's proposal, without declaring a self-review.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from annotations.anchoring import describe
from annotations.glossary_matching import GlossaryMatch, GlossaryMatcher, GlossaryTerm
from annotations.models import Annotation, Correction, GlossaryEntry
from annotations.services.annotating import Body, check_body, snapshot
from annotations.services.corrections import CorrectionError, check_proposal
from annotations.services.rows import rows_insert
from archive.models import Article, Revision
from audit.services import Change, audit_lock, audit_record, audit_record_many

GLOSSARY_USERNAME = "palimpsest-glossary"
#: Fuzzy variants are looked for only where misspellings vary (names, terms, spelling): a fuzzy
#: "Spoken" for the markup fix "Spoke" → "spoke" would be noise.
FUZZY_CATEGORIES = frozenset({"terminology", "spelling", "untranslated"})
SCAN_CHUNK = 200


@dataclass
class ScanResult:
    articles: int = 0
    entries: int = 0
    suggested: int = 0
    #: Matches left alone because a correction (any state) already covers those words.
    already_covered: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        added = "would be added" if self.dry_run else "added"
        return (
            f"Scanned {self.articles} articles against {self.entries} glossary entries: "
            f"{self.suggested} suggestions {added}, {self.already_covered} matches already covered"
            + (" (dry run: nothing written)" if self.dry_run else "")
        )


def glossary_remember(*, correction: Correction, user) -> GlossaryEntry:
    """Remember an accepted fix: extend the entry with this preferred form, or create one.

    The preferred form is the replacement and the wrong form the text it replaced. Raises
    PermissionDenied without the glossary permissions and CorrectionError for a correction that
    is not accepted or that removed text (there is no preferred form to remember).
    """
    if not (user.has_perm("annotations.add_glossaryentry") and user.has_perm("annotations.change_glossaryentry")):
        raise PermissionDenied("only reviewers may add to the glossary")
    if correction.state != Correction.State.ACCEPTED:
        raise CorrectionError("only an accepted correction can be remembered", "state")
    preferred, wrong = correction.replacement.strip(), correction.original_text.strip()
    if not preferred or not wrong:
        raise CorrectionError("a removal cannot be remembered: there is no preferred form", "replacement")
    with transaction.atomic():
        audit_lock()
        entry = GlossaryEntry.objects.select_for_update().filter(preferred=preferred).order_by("pk").first()
        before = {"wrong_forms": list(entry.wrong_forms)} if entry else None
        if entry is None:
            entry = GlossaryEntry.objects.create(
                preferred=preferred,
                wrong_forms=[wrong],
                category=correction.category,
                note=correction.reason,
                created_by=user,
            )
        elif wrong not in entry.wrong_forms:
            entry.wrong_forms = [*entry.wrong_forms, wrong]
            entry.save(update_fields=["wrong_forms", "updated_at"])
        Correction.objects.filter(pk=correction.pk).update(glossary_entry=entry)
        audit_record(
            actor=user,
            action="glossary.remember",
            target=entry,
            before=before,
            after={"preferred": entry.preferred, "wrong_forms": entry.wrong_forms},
        )
    correction.glossary_entry = entry
    return entry


def glossary_user():
    """The system user that suggestions are attributed to (created on first use)."""
    user, created = get_user_model().objects.get_or_create(
        username=GLOSSARY_USERNAME, defaults={"is_active": False, "first_name": "Glossary"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def glossary_matcher() -> tuple[GlossaryMatcher, dict[int, GlossaryEntry]] | None:
    """Compile every glossary entry once; None for an empty glossary."""
    entries = {entry.pk: entry for entry in GlossaryEntry.objects.all()}
    if not entries:
        return None
    terms = [
        GlossaryTerm(
            entry.pk,
            tuple(form for form in entry.wrong_forms if isinstance(form, str)),
            entry.preferred,
            entry.case_sensitive,
            entry.whole_word,
            fuzzy=entry.category in FUZZY_CATEGORIES,
        )
        for entry in entries.values()
    ]
    return GlossaryMatcher(terms), entries


def glossary_scan(
    *,
    articles: Iterable[Article] | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ScanResult:
    """Turn glossary matches in the articles' current text into suggested corrections.

    `articles` is a queryset or a list of articles; every article when None. Idempotent: a match
    on words that any correction already covers (proposed, accepted or rejected) is not
    suggested again. With `dry_run`, counts what
    would be suggested and writes nothing. `progress(done, total)` is called every SCAN_CHUNK
    articles and at the end.
    """
    compiled = glossary_matcher()
    if articles is None:
        queryset = Article.objects.all()
    elif isinstance(articles, QuerySet):
        queryset = articles
    else:
        queryset = Article.objects.filter(pk__in=[article.pk for article in articles])
    total = queryset.count()
    if compiled is None:
        if progress:
            progress(total, total)
        return ScanResult(articles=total, dry_run=dry_run)
    matcher, entries = compiled
    result = ScanResult(entries=len(entries), dry_run=dry_run)
    creator = None if dry_run else glossary_user()
    rows = queryset.select_related("current_revision").only("pk", "current_revision").order_by("pk")
    found: dict[Article, list[GlossaryMatch]] = {}
    for article in rows.iterator(chunk_size=SCAN_CHUNK):
        result.articles += 1
        matches = reader_matches(matcher, article.current_revision)
        if matches:
            found[article] = matches
        if result.articles % SCAN_CHUNK == 0 or result.articles == total:
            _suggest(found, matcher, entries, creator, result, dry_run=dry_run)
            found = {}
            if progress:
                progress(result.articles, total)
    if found:  # articles added since the count
        _suggest(found, matcher, entries, creator, result, dry_run=dry_run)
    return result


def reader_matches(matcher: GlossaryMatcher, revision: Revision | None) -> list[GlossaryMatch]:
    """The matches in the blocks readers see (teasers and site furniture are not corrected)."""
    if revision is None:
        return []
    shown = [(span.start, span.end) for span, _ in revision.reader_blocks()]
    return [m for m in matcher.find(revision.text) if any(s <= m.start and m.end <= e for s, e in shown)]


def _suggest(found: dict[Article, list[GlossaryMatch]], matcher, entries, creator, result, *, dry_run) -> None:
    """Store the matches not already covered by a correction, under the articles' locks, in one transaction."""
    if not found:
        return
    with transaction.atomic():
        revisions = {article.pk: article.current_revision for article in found}
        if not dry_run:
            revisions = _lock_articles(revisions)
        covered = defaultdict(list)
        rows = Annotation.objects.filter(
            revision__in=revisions.values(), motivation=Annotation.Motivation.EDITING, correction__isnull=False
        )
        for article_id, start, end in rows.order_by().values_list("article_id", "start", "end"):
            covered[article_id].append((start, end))
        suggestions = []
        for article, matches in found.items():
            revision = revisions.get(article.pk)
            if revision is None:  # deleted since it was read
                continue
            if revision.pk != article.current_revision_id:  # edited since it was read: match again
                matches = reader_matches(matcher, revision)
            suggestions += _uncovered(article, revision, matches, entries, covered[article.pk], result)
        if not dry_run:
            _store_suggestions(suggestions, creator)


def _lock_articles(revisions: dict[int, Revision]) -> dict[int, Revision]:
    """Lock the articles' rows as lock_article does (the audit chain first, then the rows in key order).

    Return their current revisions, read after the locks are granted: those edited since the scan
    read them are read again.
    """
    audit_lock()
    rows = Article.objects.select_for_update().filter(pk__in=revisions, current_revision__isnull=False)
    locked = dict(rows.order_by("pk").values_list("pk", "current_revision"))
    changed = {pk: revision_id for pk, revision_id in locked.items() if revisions[pk].pk != revision_id}
    fresh = Revision.objects.in_bulk(changed.values()) if changed else {}
    return {pk: fresh.get(revision_id) or revisions[pk] for pk, revision_id in locked.items()}


def _uncovered(article, revision, matches, entries, covered: list[tuple[int, int]], result: ScanResult) -> list:
    """The article's suggestions as (article, revision, match, entry): matches no correction covers yet."""
    suggestions = []
    for match in matches:
        entry = entries[match.entry_id]
        if any(start < match.end and match.start < end for start, end in covered):
            result.already_covered += 1
            continue
        try:
            check_proposal(revision.text[match.start : match.end], entry.preferred, entry.category, "minor")
        except CorrectionError:
            continue  # e.g. "spoke" where case does not matter: it already is the preferred form
        result.suggested += 1
        covered.append((match.start, match.end))
        suggestions.append((article, revision, match, entry))
    return suggestions


def _store_suggestions(suggestions: list, creator) -> None:
    """Write the suggestions as correction_create would, set-based: the fields and audit entries are the same.

    One insert of their editing annotations, one of their corrections, and one audit_record_many
    per action. The audit order differs from one correction_create after another: every
    "annotation.create" of the batch, then every "correction.propose" (each in the articles' and
    matches' order), instead of the two entries of each suggestion in turn.
    """
    if not suggestions:
        return
    annotations, corrections = [], []
    for article, revision, match, entry in suggestions:
        kind = "an exact" if match.kind == "exact" else f"a close ({match.score:.0f}%)"
        reason = f"Glossary: {kind} match of “{match.found}”, which the archive writes “{entry.preferred}”."
        annotation = Annotation(
            article=article,
            revision=revision,
            creator=creator,
            motivation=Annotation.Motivation.EDITING,
            body_value=reason,
        )
        annotation.set_selectors(describe(revision.text, match.start, match.end))
        check_body(Body(reason))
        correction = Correction(
            annotation=annotation,
            replacement=entry.preferred,
            reason=reason,
            category=entry.category,
            severity="minor",
            source=Correction.Source.GLOSSARY,
            glossary_entry=entry,
        )
        try:
            correction.full_clean(exclude=["annotation", "glossary_entry"], validate_unique=False)
        except ValidationError as exc:
            raise CorrectionError("; ".join(exc.messages)) from exc
        annotations.append(annotation)
        corrections.append(correction)
    rows_insert(annotations, [field.attname for field in Annotation._meta.concrete_fields if not field.primary_key])
    for correction in corrections:
        correction.annotation = correction.annotation  # sets annotation_id: the annotation has its key now
    rows_insert(corrections, [field.attname for field in Correction._meta.concrete_fields if not field.primary_key])
    audit_record_many(
        actor=creator,
        action="annotation.create",
        changes=[Change(annotation, after=snapshot(annotation)) for annotation in annotations],
    )
    audit_record_many(
        actor=creator,
        action="correction.propose",
        changes=[Change(correction, after=_proposal(correction)) for correction in corrections],
    )


def _proposal(correction: Correction) -> dict:
    """What correction_create records of a proposal."""
    return {
        "exact": correction.annotation.exact,
        "replacement": correction.replacement,
        "category": correction.category,
        "severity": correction.severity,
        "reason": correction.reason,
        "source": correction.source,
    }
