from django.conf import settings
from django.db import models
from django.utils import timezone

from annotations.models.annotation import Annotation
from annotations.quality import CATEGORIES, SEVERITIES
from archive.models import Revision

CATEGORY_CHOICES = [(value, label) for value, (_group, label) in CATEGORIES.items()]
SEVERITY_CHOICES = [(value, value.capitalize()) for value in SEVERITIES]


class GlossaryEntry(models.Model):
    """The memory of fixes: wrong forms that machine translation produces, and the preferred form."""

    preferred = models.CharField(max_length=200)
    wrong_forms = models.JSONField(default=list, help_text='Forms to catch, e.g. ["Belchett", "Belchet"].')
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES, default="terminology")
    note = models.TextField(blank=True)
    case_sensitive = models.BooleanField(default=True)
    whole_word = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["preferred"]
        verbose_name_plural = "glossary entries"

    def __str__(self) -> str:
        return f"{', '.join(self.wrong_forms)} → {self.preferred}"


class Correction(models.Model):
    """A proposed fix of a span: the `editing` annotation's replacement, reason and review."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        NEEDS_REBASE = "needs_rebase", "Needs rebase"

    class Source(models.TextChoices):
        EDITOR = "editor", "Editor"
        GLOSSARY = "glossary", "Glossary suggestion"

    annotation = models.OneToOneField(Annotation, on_delete=models.CASCADE, related_name="correction")
    replacement = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    severity = models.CharField(max_length=8, choices=SEVERITY_CHOICES, default="minor")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROPOSED)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.EDITOR)
    glossary_entry = models.ForeignKey(
        GlossaryEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    original_text = models.TextField(blank=True, help_text="The text the correction replaced, kept for disclosure.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewer_note = models.TextField(blank=True)
    applied_in = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections_applied"
    )

    class Meta:
        permissions = [("review_correction", "Can accept and reject corrections")]
        indexes = [models.Index(fields=["state"], name="correction_state")]

    def __str__(self) -> str:
        return f"{self.annotation.exact!r} → {self.replacement!r} ({self.get_state_display()})"
