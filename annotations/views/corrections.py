"""Public history of an article: its revisions, word-level diffs, and restoring an old revision."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from annotations.services.corrections import REVIEW_PERMISSION, CorrectionError, revision_restore
from archive.diffing import diff_stats, word_diff
from archive.models import Article, Revision
from archive.services import RevisionConflict


@dataclass(frozen=True)
class HistoryRow:
    revision: Revision
    is_current: bool
    #: (words inserted, words deleted) against the parent; None for the first import.
    words: tuple[int, int] | None


def visible_article(request, slug: str) -> Article:
    """The article by slug if this user may see it (drafts only for editors), else 404."""
    queryset = Article.objects.visible_to(request.user).select_related("current_revision")
    return get_object_or_404(queryset, slug=slug)


def words_changed(revisions: list[Revision]) -> dict[int, tuple[int, int]]:
    """(inserted, deleted) words of each revision against its parent, cached: revisions never change."""
    keys = {revision.pk: f"palimpsest:revision-words:{revision.pk}" for revision in revisions if revision.parent_id}
    found = cache.get_many(list(keys.values()))
    by_pk = {revision.pk: revision for revision in revisions}
    computed = {}
    for pk, key in keys.items():
        if key not in found and by_pk[pk].parent_id in by_pk:
            computed[key] = diff_stats(word_diff(by_pk[by_pk[pk].parent_id].text, by_pk[pk].text))
    cache.set_many(computed, timeout=None)
    found |= computed
    return {pk: tuple(found[key]) for pk, key in keys.items() if key in found}


class RevisionListView(TemplateView):
    """Every revision of an article, newest first, with what each changed."""

    template_name = "annotations/revision_list.html"

    def get_context_data(self, **kwargs):
        article = visible_article(self.request, self.kwargs["slug"])
        revisions = list(article.revisions.select_related("author").defer("blocks").order_by("-number"))
        changes = words_changed(revisions)
        rows = [
            HistoryRow(revision, revision.pk == article.current_revision_id, changes.get(revision.pk))
            for revision in revisions
        ]
        return super().get_context_data(
            article=article,
            current=article.current_revision,
            rows=rows,
            can_restore=self.request.user.has_perm(REVIEW_PERMISSION),
            **kwargs,
        )


class DiffForm(forms.Form):
    from_ = forms.IntegerField(min_value=1, required=False)
    to = forms.IntegerField(min_value=1, required=False)

    def __init__(self, data, **kwargs):
        data = {"from_": data.get("from", ""), "to": data.get("to", "")}
        super().__init__(data, **kwargs)


class RevisionDiffView(TemplateView):
    """Word-level inline diff between two revisions (?from=N&to=M; first import → current by default)."""

    template_name = "annotations/revision_diff.html"

    def get_context_data(self, **kwargs):
        article = visible_article(self.request, self.kwargs["slug"])
        form = DiffForm(self.request.GET)
        if not form.is_valid():
            raise BadRequest("from and to are revision numbers")
        latest = article.current_revision.number
        number_to = form.cleaned_data["to"] or latest
        number_from = form.cleaned_data["from_"] or (1 if number_to == latest else max(1, number_to - 1))
        found = {r.number: r for r in article.revisions.filter(number__in=[number_from, number_to])}
        if number_from not in found or number_to not in found:
            raise Http404("no such revision")
        old, new = found[number_from], found[number_to]
        ops = word_diff(old.text, new.text)
        inserted, deleted = diff_stats(ops)
        return super().get_context_data(
            article=article,
            old=old,
            new=new,
            ops=ops,
            inserted=inserted,
            deleted=deleted,
            numbers=range(latest, 0, -1),
            **kwargs,
        )


class RestoreForm(forms.Form):
    base = forms.IntegerField(min_value=1, help_text="The revision the reviewer was looking at.")


class RevisionRestoreView(PermissionRequiredMixin, View):
    """POST: make a new revision with an old revision's text (reviewers only)."""

    permission_required = REVIEW_PERMISSION
    http_method_names = ["post"]

    def post(self, request, slug: str, number: int):
        article = visible_article(request, slug)
        revision = get_object_or_404(article.revisions, number=number)
        form = RestoreForm(request.POST)
        base = article.revisions.filter(number=form.cleaned_data["base"]).first() if form.is_valid() else None
        if base is None:
            messages.error(request, "The page you restored from was out of date; nothing was changed.")
            return redirect("annotations:revision_list", slug=slug)
        try:
            outcome = revision_restore(article=article, revision=revision, user=request.user, base=base)
        except (CorrectionError, RevisionConflict) as exc:
            messages.error(request, f"Nothing was restored: {exc}.")
        else:
            messages.success(request, f"Revision {number} was restored as revision {outcome.revision.number}.")
            if outcome.needs_rebase:
                messages.warning(request, f"{len(outcome.needs_rebase)} proposed corrections now need a rebase.")
        return redirect("annotations:revision_list", slug=slug)
