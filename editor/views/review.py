"""The review queue: open corrections (editors' and the glossary's) and pending entity suggestions."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.views import View

from annotations.models import Correction, EntitySuggestion
from annotations.services.corrections import OPEN_STATES
from annotations.services.entities import EntityError
from annotations.services.entity_suggestions import suggestion_confirm, suggestion_dismiss
from editor.forms import ReviewFilterForm
from editor.views.access import EditorRequiredMixin
from editor.views.corrections import back_to

QUEUE_LIMIT = 50


@dataclass
class ReviewQueue:
    filters: ReviewFilterForm
    corrections: list[Correction]
    corrections_total: int
    suggestions: list[EntitySuggestion]
    suggestions_total: int


def review_queue(params) -> ReviewQueue:
    """The first QUEUE_LIMIT open corrections and pending suggestions matching the filters, oldest first."""
    filters = ReviewFilterForm(params or None, prefix="review")
    corrections = Correction.objects.filter(state__in=OPEN_STATES)
    suggestions = EntitySuggestion.objects.filter(state=EntitySuggestion.State.PENDING).filter(
        Q(entity__isnull=True) | Q(entity__merged_into__isnull=True)
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if data["source"]:
            corrections = corrections.filter(source=data["source"])
        if data["category"]:
            corrections = corrections.filter(category=data["category"])
        if data["article"]:
            corrections = corrections.filter(annotation__article__headline__icontains=data["article"])
            suggestions = suggestions.filter(article__headline__icontains=data["article"])
    corrections = corrections.select_related("annotation__article", "annotation__creator").order_by(
        "annotation__article__headline", "annotation__start", "pk"
    )
    suggestions = suggestions.select_related("article", "entity").order_by("article__headline", "start", "pk")
    first_corrections, first_suggestions = list(corrections[:QUEUE_LIMIT]), list(suggestions[:QUEUE_LIMIT])
    return ReviewQueue(
        filters=filters,
        corrections=first_corrections,
        corrections_total=total(first_corrections, corrections),
        suggestions=first_suggestions,
        suggestions_total=total(first_suggestions, suggestions),
    )


def total(first: list, rows) -> int:
    """How many rows there are: counted only when the first page is full."""
    return rows.count() if len(first) == QUEUE_LIMIT else len(first)


class SuggestionReviewView(EditorRequiredMixin, View):
    """Confirm or dismiss the checked entity suggestions (reviewers)."""

    permission_required = "annotations.change_entitysuggestion"
    http_method_names = ["post"]

    def post(self, request):
        ids = [int(pk) for pk in request.POST.getlist("suggestions") if pk.isdigit()]
        rows = list(EntitySuggestion.objects.filter(pk__in=ids).select_related("entity", "article").order_by("pk"))
        decision = request.POST.get("decision")
        if not rows or decision not in ("confirm", "dismiss"):
            messages.error(request, "Check at least one suggestion, then Confirm or Dismiss.")
            return back_to(request)
        done, failed = 0, []
        for row in rows:
            try:
                if decision == "confirm":
                    suggestion_confirm(suggestion=row, user=request.user)
                else:
                    suggestion_dismiss(suggestion=row, user=request.user)
                done += 1
            except (EntityError, PermissionDenied) as exc:
                failed.append(f"“{row.found}” in {row.article.headline}: {exc}")
        if done:
            messages.success(request, f"{done} suggestion(s) {decision}ed.")
        for failure in failed:
            messages.error(request, f"Not {decision}ed: {failure}.")
        return back_to(request)
