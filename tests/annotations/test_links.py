"""Related coverage: typed links shown on both articles, external links with safe URLs only."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from annotations.anchoring import Selectors
from annotations.models import Annotation, ArticleLink, ExternalLink
from annotations.reading_entities import related_for_reader
from annotations.services.links import (
    ExternalCoverage,
    LinkError,
    article_link_create,
    article_link_delete,
    external_link_create,
)
from tests.factories import import_seed, make_article, make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_member("editor", "Editor")


@pytest.fixture
def seed():
    return import_seed()


def test_a_typed_link_shows_on_both_articles_with_the_right_labels(seed, editor):
    later = make_article("Tsikhanouskaya speaks from Vilnius")
    article_link_create(source=seed, target=later, kind="follow-up", user=editor, note="The day after")
    on_seed, on_later = related_for_reader(seed), related_for_reader(later)
    assert [(r.label, r.article, r.note, r.outgoing) for r in on_seed.links] == [
        ("Follow-up", later, "The day after", True)
    ]
    assert [(r.label, r.article, r.outgoing) for r in on_later.links] == [("Earlier coverage", seed, False)]
    background = make_article("Belarus since 1994")
    article_link_create(source=seed, target=background, kind="background", user=editor)
    article_link_create(source=later, target=seed, kind="contradicts", user=editor)
    assert sorted((r.label, r.article.pk) for r in related_for_reader(seed).links) == [
        ("Background", background.pk),
        ("Contradicted by", later.pk),
        ("Follow-up", later.pk),
    ]
    assert [r.label for r in related_for_reader(background).links] == ["Background for"]


@pytest.mark.parametrize(
    ("kind", "reverse"),
    [("follow-up", False), ("same-event", True), ("other-version", True), ("contradicts", False)],
)
def test_self_links_and_duplicates_are_refused(seed, editor, kind, reverse):
    other = make_article("Same story elsewhere")
    with pytest.raises(LinkError, match="cannot be linked to itself"):
        article_link_create(source=seed, target=seed, kind=kind, user=editor)
    article_link_create(source=seed, target=other, kind=kind, user=editor)
    with pytest.raises(LinkError, match="already linked as"):
        article_link_create(source=seed, target=other, kind=kind, user=editor)
    if reverse:
        with pytest.raises(LinkError, match="already linked as"):
            article_link_create(source=other, target=seed, kind=kind, user=editor)
    else:
        article_link_create(source=other, target=seed, kind=kind, user=editor)
    assert ArticleLink.objects.count() == (1 if reverse else 2)


def test_unknown_kinds_and_users_without_permission_are_refused(seed, editor):
    other = make_article("Other")
    with pytest.raises(LinkError, match="unknown link type 'related'"):
        article_link_create(source=seed, target=other, kind="related", user=editor)
    with pytest.raises(PermissionDenied):
        article_link_create(source=seed, target=other, kind="background", user=make_user("reader"))
    with pytest.raises(PermissionDenied):
        external_link_create(
            article=seed, user=make_user("reader2"), coverage=ExternalCoverage("https://example.org/", "x")
        )


def test_links_to_drafts_are_hidden_from_readers(seed, editor):
    draft = make_article("Unpublished follow-up", publish=False)
    article_link_create(source=seed, target=draft, kind="follow-up", user=editor)
    assert related_for_reader(seed).links == []
    assert [r.article for r in related_for_reader(seed, user=editor).links] == [draft]


def test_anchored_article_link_and_its_removal(seed, editor):
    other = make_article("Background piece")
    start = seed.current_revision.text.index("Kremlin")
    link = article_link_create(
        source=seed,
        target=other,
        kind="background",
        user=editor,
        selectors=Selectors(exact="Kremlin", start=start, end=start + 7),
    )
    assert link.annotation.motivation == "linking" and link.annotation.exact == "Kremlin"
    with pytest.raises(PermissionDenied):
        article_link_delete(link=link, user=editor)
    article_link_delete(link=link, user=make_user("admin", perms=("annotations.delete_articlelink",)))
    assert not ArticleLink.objects.exists() and not Annotation.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "ftp://example.org/file",
        "file:///etc/passwd",
        "//example.org/no-scheme",
        "example.org",
        "",
    ],
)
def test_external_links_accept_only_http_and_https(seed, editor, url):
    with pytest.raises(LinkError, match="only http and https links are allowed"):
        external_link_create(article=seed, user=editor, coverage=ExternalCoverage(url, "Bad"))
    assert not ExternalLink.objects.exists()


def test_external_link_with_all_fields_anchored_to_a_passage(seed, editor):
    start = seed.current_revision.text.index("Michelle Belchett")
    coverage = ExternalCoverage(
        url="https://www.ohchr.org/en/statements/2020/08/belarus",
        title="Bachelet on Belarus",
        outlet="OHCHR",
        language="en",
        published_on=date(2020, 8, 12),
        note="The statement the article paraphrases.",
    )
    link = external_link_create(
        article=seed,
        user=editor,
        coverage=coverage,
        selectors=Selectors(exact="Michelle Belchett", start=start, end=start + 17),
    )
    assert (link.outlet, link.published_on, link.annotation.motivation) == ("OHCHR", date(2020, 8, 12), "linking")
    assert related_for_reader(seed).external == [link]
    with pytest.raises(LinkError, match="title"):
        external_link_create(article=seed, user=editor, coverage=ExternalCoverage("http://example.org/", ""))
    with pytest.raises(LinkError, match="url"):
        external_link_create(article=seed, user=editor, coverage=ExternalCoverage("http://exa mple.org/", "Bad host"))


def test_related_for_reader_is_two_queries_whatever_the_links(seed, editor, django_assert_num_queries):
    for n in range(3):
        article_link_create(source=seed, target=make_article(f"Story {n}"), kind="follow-up", user=editor)
    with django_assert_num_queries(2):
        related_for_reader(seed)
    for n in range(12):
        article_link_create(source=make_article(f"More {n}"), target=seed, kind="background", user=editor)
        external_link_create(article=seed, user=editor, coverage=ExternalCoverage(f"https://e.org/{n}", f"E {n}"))
    with django_assert_num_queries(2):
        coverage = related_for_reader(seed)
    assert len(coverage.links) == 15 and len(coverage.external) == 12


# --------------------------------------------------------------------------- admin inlines


def inline_formset(inline_class, request, article, rows):
    from django.contrib import admin

    from archive.models import Article

    inline = inline_class(Article, admin.site)
    formset_class = inline.get_formset(request, article)
    prefix = formset_class.get_default_prefix()
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data |= {f"{prefix}-{n}-{key}": value for key, value in row.items()}
    return formset_class(data, instance=article, prefix=prefix)


def test_article_admin_shows_the_link_and_entity_inlines(client, seed):
    admin_user = make_user("boss", staff=True)
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    html = client.get(f"/admin/archive/article/{seed.pk}/change/").content.decode()
    for heading in ["Links to other articles", "Links from other articles", "External links", "Entities (people"]:
        assert heading.lower() in html.lower()
    assert 'name="entities"' not in html  # entities are edited in their inline, with autocomplete


def test_admin_inlines_add_through_the_services_and_show_their_errors(rf, seed, editor):
    from annotations.admin import ArticleLinkInline, ExternalLinkInline

    request = rf.post("/")
    request.user = editor
    other = make_article("Follow-up piece")
    bad = inline_formset(ArticleLinkInline, request, seed, [{"target": seed.pk, "kind": "follow-up", "note": ""}])
    assert not bad.is_valid() and "cannot be linked to itself" in str(bad.errors)
    good = inline_formset(ArticleLinkInline, request, seed, [{"target": other.pk, "kind": "follow-up", "note": "x"}])
    assert good.is_valid(), good.errors
    good.save()
    assert [r.label for r in related_for_reader(other).links] == ["Earlier coverage"]
    row = {"url": "javascript:alert(1)", "title": "Bad", "outlet": "", "language": "", "published_on": "", "note": ""}
    external = inline_formset(ExternalLinkInline, request, seed, [row])
    assert not external.is_valid() and not ExternalLink.objects.exists()
