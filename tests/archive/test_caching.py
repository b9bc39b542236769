"""Page cache of the public pages: served without queries, invalidated by version, never private."""

from dataclasses import replace

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.anchoring import Selectors
from annotations.models import Annotation
from annotations.services.annotating import Body, annotation_create, annotation_delete, annotation_update
from archive import caching
from archive.services import article_publish, article_unpublish, revision_create
from archive.views import ArticleDetailView
from tests.factories import import_seed, make_article, make_member

pytestmark = pytest.mark.django_db


def public_urls(article) -> list[str]:
    return ["/", "/?page=1", article.get_absolute_url(), reverse("archive:original_detail", args=[article.slug])]


def revise_first_paragraph(article, text: str):
    revision = article.current_revision
    blocks = list(revision.block_list)
    index = next(n for n, block in enumerate(blocks) if block.kind == "paragraph")
    blocks[index] = replace(blocks[index], text=text)
    return revision_create(article=article, blocks=blocks, author=None, message="Edit", expected_parent=revision)


def note(article, quote: str, user, visibility: str, text: str) -> Annotation:
    start = article.current_revision.text.index(quote)
    return annotation_create(
        article=article,
        creator=user,
        motivation="commenting",
        selectors=Selectors(exact=quote, start=start, end=start + len(quote)),
        body=Body(value=text),
        visibility=visibility,
    )


def queries_of(client, url) -> list:
    """Return the queries that GET `url` made: none when the page came from the cache."""
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return captured.captured_queries


@pytest.mark.parametrize("which", range(4))
def test_a_cached_page_is_served_without_queries(client, django_assert_num_queries, which):
    url = public_urls(import_seed())[which]
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert again["ETag"] == first["ETag"] and "Cookie" in again["Vary"]


def test_a_new_revision_shows_at_once_on_the_article_and_the_list(client):
    article = import_seed()
    for url in public_urls(article):
        client.get(url)
    revise_first_paragraph(article, "An entirely new first paragraph.")
    assert "An entirely new first paragraph." in client.get(article.get_absolute_url()).content.decode()
    blocks = [
        replace(b, text="A new headline") if b.kind == "headline" else b for b in article.current_revision.block_list
    ]
    revision_create(
        article=article, blocks=blocks, author=None, message="Retitle", expected_parent=article.current_revision
    )
    assert "A new headline" in client.get("/").content.decode()
    assert "A new headline" in client.get(reverse("archive:original_detail", args=[article.slug])).content.decode()


def test_publishing_and_unpublishing_show_at_once(client):
    shown = make_article("Already public")
    draft = make_article("Soon public", publish=False)
    assert "Soon public" not in client.get("/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    article_publish(article=draft)
    assert "Soon public" in client.get("/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200
    client.get(shown.get_absolute_url())
    article_unpublish(article=shown)
    assert "Already public" not in client.get("/").content.decode()
    assert client.get(shown.get_absolute_url()).status_code == 404


def test_changing_one_article_leaves_the_others_cached(client, django_assert_num_queries):
    one, other = make_article("One"), make_article("Other")
    for url in ["/", one.get_absolute_url(), other.get_absolute_url()]:
        client.get(url)
    caching.article_changed(one.pk)
    with django_assert_num_queries(0):
        client.get(other.get_absolute_url())
    with django_assert_num_queries(0):
        client.get("/")
    assert len(queries_of(client, one.get_absolute_url())) > 0


def test_the_version_is_bumped_again_on_commit(django_capture_on_commit_callbacks):
    article = import_seed()
    key = caching.article_version_key(article.slug)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        revise_first_paragraph(article, "Changed.")
    during = cache.get(key)
    for callback in callbacks:
        callback()
    assert cache.get(key) not in (None, during)


def test_a_change_during_rendering_is_not_hidden_by_the_copy_being_rendered(client, monkeypatch):
    article = import_seed()
    render = ArticleDetailView.get_context_data

    def render_while_someone_writes(view, **kwargs):
        caching.article_changed(article.pk)  # as another server would, between our version read and our store
        return render(view, **kwargs)

    monkeypatch.setattr(ArticleDetailView, "get_context_data", render_while_someone_writes)
    client.get(article.get_absolute_url())
    monkeypatch.undo()
    assert len(queries_of(client, article.get_absolute_url())) > 0


def test_an_evicted_version_never_revives_old_pages(client):
    article = import_seed()
    client.get(article.get_absolute_url())
    cache.delete(caching.article_version_key(article.slug))
    assert len(queries_of(client, article.get_absolute_url())) > 0


def test_conditional_get_answers_304_until_the_page_changes(client):
    article = import_seed()
    url = article.get_absolute_url()
    first = client.get(url)
    assert first["ETag"].startswith('"') and first["Last-Modified"].endswith("GMT")
    assert "must-revalidate" in first["Cache-Control"] and "public" in first["Cache-Control"]
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    revise_first_paragraph(article, "Changed after the reader's copy.")
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "Changed after the reader" in changed.content.decode()


def test_drafts_are_never_cached_for_anonymous_readers(client):
    draft = make_article("Secret draft", publish=False)
    editor = make_member("ed", "Editor")
    client.force_login(editor)
    assert client.get(draft.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("archive:original_detail", args=[draft.slug])).status_code == 404
    assert "Secret draft" not in client.get("/").content.decode()


def test_signed_in_pages_bypass_the_cache_both_ways(client, django_assert_num_queries):
    article = import_seed()
    editor = make_member("ed-private", "Editor")
    note(article, "Lukashenko", editor, Annotation.Visibility.EDITORS, "Private editors' remark")
    client.force_login(editor)
    signed_in = client.get(article.get_absolute_url())
    assert "Sign out" in signed_in.content.decode() and "private" in signed_in["Cache-Control"]
    assert "ETag" not in signed_in
    client.logout()
    public = client.get(article.get_absolute_url()).content.decode()
    assert "Sign out" not in public and "ed-private" not in public and "Private editors" not in public
    client.force_login(editor)
    assert "Sign out" in client.get(article.get_absolute_url()).content.decode()  # not the anonymous copy


def test_public_notes_created_hidden_and_deleted_show_at_once(client):
    article = import_seed()
    editor = make_member("ed-public", "Editor")
    url = article.get_absolute_url()
    client.get(url)
    remark = note(article, "Lukashenko", editor, Annotation.Visibility.PUBLIC, "A public remark")
    assert "A public remark" in client.get(url).content.decode()
    annotation_update(
        annotation=remark, user=editor, expected_version=remark.version, visibility=Annotation.Visibility.EDITORS
    )
    assert "A public remark" not in client.get(url).content.decode()
    annotation_update(annotation=remark, user=editor, expected_version=remark.version, visibility="public")
    assert "A public remark" in client.get(url).content.decode()
    annotation_delete(annotation=remark, user=editor)
    assert "A public remark" not in client.get(url).content.decode()


def test_private_notes_leave_the_cached_page_alone(client, django_assert_num_queries):
    article = import_seed()
    client.get(article.get_absolute_url())
    note(article, "Lukashenko", make_member("ed-quiet", "Editor"), Annotation.Visibility.EDITORS, "Quiet")
    with django_assert_num_queries(0):
        client.get(article.get_absolute_url())


def test_unknown_query_strings_and_message_cookies_bypass_the_cache(client):
    article = import_seed()
    client.get("/?utm_source=x")
    assert len(queries_of(client, "/?utm_source=x")) > 0
    client.get(article.get_absolute_url())
    client.cookies["messages"] = "pending"
    assert len(queries_of(client, article.get_absolute_url())) > 0


def test_list_pages_are_cached_per_page_number(client):
    for n in range(25):
        make_article(f"Report number {n:02d}")
    first, second = client.get("/").content.decode(), client.get("/?page=2").content.decode()
    assert first.count('class="article-card"') == 20 and second.count('class="article-card"') == 5
    assert client.get("/?page=2").content.decode() == second and client.get("/").content.decode() == first


def test_not_found_pages_are_not_cached(client):
    assert client.get("/articles/not-yet/").status_code == 404
    article = make_article("Not yet")
    assert article.slug == "not-yet" and client.get("/articles/not-yet/").status_code == 200


def test_with_redis_pages_are_shared_and_invalidated(client, live_redis, django_assert_num_queries):
    article = import_seed()
    url = article.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
    other_server = caches.create_connection("default")  # its own connection pool, as another app server has
    key = caching.article_version_key(article.slug)
    before = other_server.get(key)
    revise_first_paragraph(article, "Seen through Redis.")
    assert other_server.get(key) not in (None, before)
    assert "Seen through Redis." in client.get(url).content.decode()


def test_with_redis_down_pages_still_render_and_writes_still_succeed(client, dead_redis):
    article = import_seed()
    assert client.get(article.get_absolute_url()).status_code == 200
    revise_first_paragraph(article, "Written while Redis is down.")
    assert "Written while Redis is down." in client.get(article.get_absolute_url()).content.decode()


# --------------------------------------------------------------------------- the copies each process keeps


def test_local_pages_keep_within_their_budget():
    page = caching.page_of(1, bytes(100), "text/html")
    local = caching.LocalPage("pages:v:test", caching.ServedPage.of(page))
    size = local.served.size
    pages = caching.LocalPages(budget=2 * size + size // 2)
    for n in range(3):
        pages.put(f"page-{n}", local)
    assert pages.get("page-0") is None and pages.get("page-1") is not None and pages.get("page-2") is not None
    assert pages.size == 2 * size
    pages.discard("page-1")
    pages.discard("never-kept")
    assert pages.get("page-1") is None and pages.size == size


def test_readers_accepting_gzip_get_the_compressed_page_with_its_own_etag(client):
    import gzip

    url = import_seed().get_absolute_url()
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content and len(packed.content) < len(plain.content) / 2
    assert packed["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 200  # that tag is not the plain page's


def test_a_page_kept_in_memory_is_not_served_once_another_server_invalidates_it(client, live_redis):
    article = import_seed()
    url = article.get_absolute_url()
    client.get(url)
    assert len(queries_of(client, url)) == 0  # from this process's copy, checked against Redis
    other_server = caches.create_connection("default")  # its own connection pool, as another app server has
    other_server.incr(caching.article_version_key(article.slug))
    assert len(queries_of(client, url)) > 0


def test_concurrent_misses_of_one_page_render_it_once_per_process(rf):
    import threading
    import time
    from types import SimpleNamespace

    from django.http import HttpResponse
    from django.views import View

    renders = []

    class SlowPage(caching.PublicPageCacheMixin, View):
        def page_version_key(self):
            return "pages:v:test-slow"

        def get(self, request):
            renders.append(threading.current_thread().name)
            time.sleep(0.2)
            return HttpResponse(b"slow page")

    def read(results):
        request = rf.get("/slow/")
        request.session = SimpleNamespace(modified=False)
        results.append(SlowPage.as_view()(request).content)

    results: list[bytes] = []
    threads = [threading.Thread(target=read, args=(results,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [b"slow page"] * 4
    assert len(renders) == 1


# --------------------------------------------------------------------------- the front door (PageCacheMiddleware)


def test_a_repeat_read_is_answered_before_the_view_with_the_same_headers(client, monkeypatch):
    url = import_seed().get_absolute_url()
    first = client.get(url)

    def view_must_not_run(*args, **kwargs):
        raise AssertionError("the view ran for a page the front door holds")

    monkeypatch.setattr(ArticleDetailView, "dispatch", view_must_not_run)
    again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert again["Content-Length"] == str(len(again.content))
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Length"] == str(len(packed.content)) and len(packed.content) < len(first.content)
    policy = next(name for name in first.headers if name.startswith("Content-Security-Policy"))
    for header in (policy, "X-Frame-Options", "Link", "ETag", "Vary", "Cache-Control", "Referrer-Policy"):
        assert again[header] == first[header], header
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_front_door_never_serves_a_stale_copy_or_a_signed_in_visitor(client, monkeypatch):
    article = import_seed()
    url = article.get_absolute_url()
    client.get(url)
    caching.article_changed(article.pk)
    rendered = []
    render = ArticleDetailView.get_context_data

    def counted(view, **kwargs):
        rendered.append(view.request.path)
        return render(view, **kwargs)

    monkeypatch.setattr(ArticleDetailView, "get_context_data", counted)
    client.get(url)
    assert rendered == [url]
    client.force_login(make_member("ed-front", "Editor"))
    assert "Sign out" in client.get(url).content.decode() and len(rendered) == 2


def test_a_forged_host_is_refused_not_served_from_memory(client):
    url = import_seed().get_absolute_url()
    client.get(url)
    assert client.get(url, HTTP_HOST="evil.example").status_code == 400
    assert client.get(f"{url}?utm_source=x").status_code == 200  # a query string it does not know: the view's path


# --------------------------------------------------------------------------- rendered ahead of readers


def test_an_edit_renders_the_page_its_readers_read_once_for_everyone(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    article = import_seed()
    url = article.get_absolute_url()
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        note(article, "Lukashenko", make_member("ed-ahead", "Editor"), "public", "Rendered before anyone asked")
    with django_assert_num_queries(0):
        ahead = client.get(url)
    assert "Rendered before anyone asked" in ahead.content.decode()
    cache.clear()
    assert client.get(url).content == ahead.content  # the same page a reader's render makes


def test_pages_nobody_reads_and_drafts_are_left_for_their_first_reader(client, django_capture_on_commit_callbacks):
    article = import_seed()
    key = caching.page_key(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        revise_first_paragraph(article, "Nobody has read this yet.")
    assert cache.get(key) is None
    client.get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=article)
    assert cache.get(key).version != cache.get(caching.article_version_key(article.slug))
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_failed_render_ahead_never_fails_the_committed_edit(
    client, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    article = import_seed()
    url = article.get_absolute_url()
    client.get(url)

    def broken(*args, **kwargs):
        raise RuntimeError("template store unreachable")

    monkeypatch.setattr("archive.views.render_to_string", broken)
    with django_capture_on_commit_callbacks(execute=True):
        note(article, "Lukashenko", make_member("ed-broken", "Editor"), "public", "Saved all the same")
    assert "could not render the page" in caplog.text
    monkeypatch.undo()
    assert "Saved all the same" in client.get(url).content.decode()


def test_a_reader_waits_for_the_render_another_process_claimed(client, monkeypatch):
    import threading

    article = import_seed()
    url, key = article.get_absolute_url(), caching.page_key(article.get_absolute_url())
    client.get(url)
    caching.article_changed(article.pk)  # as the writer's commit does, before it renders the new page
    version = cache.get(caching.article_version_key(article.slug))
    assert caching.claim_render(key, version)
    delivered = caching.page_of(version, b"<p>Rendered by the writer</p>", "text/html; charset=utf-8")

    def deliver():  # as the claiming process does: store its page, then let the claim go
        cache.set(key, delivered)
        caching.release_render(key, version)

    threading.Timer(0.05, deliver).start()
    monkeypatch.setattr(ArticleDetailView, "get_context_data", lambda *a, **k: pytest.fail("the reader rendered"))
    assert client.get(url).content == b"<p>Rendered by the writer</p>"


def test_a_claimed_render_that_never_comes_is_rendered_by_the_reader(client, monkeypatch):
    monkeypatch.setattr(caching, "CLAIM_WAIT_SECONDS", 0.05)
    article = import_seed()
    url, key = article.get_absolute_url(), caching.page_key(article.get_absolute_url())
    client.get(url)
    caching.article_changed(article.pk)
    assert caching.claim_render(key, cache.get(caching.article_version_key(article.slug)))
    assert "Belarus" in client.get(url).content.decode()
    assert cache.get(key).version == cache.get(caching.article_version_key(article.slug))


def test_an_edit_leaves_a_page_a_reader_is_rendering_to_that_reader(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    article = import_seed()
    url, key = article.get_absolute_url(), caching.page_key(article.get_absolute_url())
    client.get(url)
    version_key = caching.article_version_key(article.slug)
    real_bump = caching._bump

    def bump_then_a_reader_claims(keys):
        real_bump(keys)
        caching.claim_render(key, cache.get(version_key))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note(article, "Lukashenko", make_member("ed-claim", "Editor"), "public", "Left to the reader")
    monkeypatch.setattr(caching, "_bump", bump_then_a_reader_claims)
    for callback in callbacks:
        callback()
    assert cache.get(key).version != cache.get(version_key)  # the writer did not render it


def test_a_change_to_many_articles_leaves_their_pages_to_their_readers(client, django_capture_on_commit_callbacks):
    articles = [make_article(f"Widely changed {n}") for n in range(caching.PRERENDER_AT_MOST + 1)]
    for article in articles:
        client.get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        caching.articles_changed([article.pk for article in articles])
    for article in articles:
        page = cache.get(caching.page_key(article.get_absolute_url()))
        assert page.version != cache.get(caching.article_version_key(article.slug))  # not rendered by the writer
        assert article.headline in client.get(article.get_absolute_url()).content.decode()
