"""Proposing corrections from the workspace, and reviewing them (one, or a batch from the dashboard)."""

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from annotations.models import Correction
from annotations.services.corrections import (
    REVIEW_PERMISSION,
    CorrectionError,
    correction_propose,
    correction_reject,
    corrections_accept,
)
from editor.views.access import EditorRequiredMixin
from editor.views.workspace import PassageFormView, workspace_url


class CorrectionCreateView(PassageFormView):
    """Propose replacing a passage; a reviewer accepts or rejects it later."""

    context_name = "correction_form"

    def form_valid(self, form):
        seen = self.seen_revision(form)
        span = form.span_in(seen.text)
        if span is None:
            return self.refuse_passage(form)
        data = form.cleaned_data
        try:
            correction = correction_propose(
                article=self.article,
                proposer=self.request.user,
                replacement=data["replacement"],
                category=data["category"],
                severity=data["severity"],
                reason=data["reason"],
                span=span,
                base_revision=seen,
            )
        except CorrectionError as exc:
            return self.refuse(form, f"Nothing was proposed: {exc}.")
        messages.success(
            self.request,
            f"Correction proposed: “{correction.annotation.exact}” → “{correction.replacement}”. "
            "A reviewer will accept or reject it.",
        )
        return redirect(workspace_url(self.article, f"annotation-{correction.annotation_id}"))


class ReviewView(EditorRequiredMixin, View):
    """Accept or reject the checked corrections; accepted ones become one new revision per article."""

    permission_required = REVIEW_PERMISSION
    http_method_names = ["post"]

    def post(self, request):
        ids = [int(pk) for pk in request.POST.getlist("corrections") if pk.isdigit()]
        rows = list(
            Correction.objects.filter(pk__in=ids)
            .select_related("annotation__article")
            .order_by("annotation__article_id", "pk")
        )
        decision = request.POST.get("decision")
        if not rows or decision not in ("accept", "reject"):
            messages.error(request, "Check at least one correction, then Accept or Reject.")
            return back_to(request)
        note, self_review = request.POST.get("note", ""), request.POST.get("self_review") == "1"
        for article, group in groupby(rows, key=lambda row: row.annotation.article):
            self.decide(decision, article, list(group), note, self_review)
        return back_to(request)

    def decide(self, decision, article, rows, note, self_review):
        if decision == "reject":
            for row in rows:
                self.attempt(article, "rejected", correction_reject, correction=row, note=note)
            return
        outcome = self.attempt(
            article, "accepted", corrections_accept, corrections=rows, note=note, self_review=self_review
        )
        if outcome and outcome.needs_rebase:
            messages.warning(
                self.request, f"{len(outcome.needs_rebase)} other proposed correction(s) now need a rebase."
            )

    def attempt(self, article, done: str, service, **kwargs):
        """Call a review service; say what it did, or why nothing was done."""
        try:
            outcome = service(reviewer=self.request.user, **kwargs)
        except (CorrectionError, PermissionDenied) as exc:
            messages.error(self.request, f"{article.headline}: nothing was {done}: {exc}")
            return None
        count = len(kwargs.get("corrections", [None]))
        revision = f" as revision {outcome.revision.number}" if done == "accepted" else ""
        messages.success(self.request, f"{article.headline}: {count} correction(s) {done}{revision}.")
        return outcome


def back_to(request):
    """Redirect to the page the form came from (its `next` field, if on this site), else the dashboard."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "editor:dashboard")
