from django import forms

from annotations.anchoring import Selectors
from annotations.models import Annotation, ArticleLink, Correction, Entity
from annotations.models.correction import CATEGORY_CHOICES, SEVERITY_CHOICES

NOTE_MOTIVATIONS = [
    (Annotation.Motivation.COMMENTING, "Comment"),
    (Annotation.Motivation.QUESTIONING, "Question"),
    (Annotation.Motivation.HIGHLIGHTING, "Highlight"),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        """Accept every uploaded file, even an empty one: the importer reports each file's problem."""
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if not files:
            raise forms.ValidationError("Choose at least one file to import.", code="required")
        return files


class UploadForm(forms.Form):
    files = MultipleFileField(help_text="Plain-text (.txt) or HTML files; you may choose several.")
    publish = forms.BooleanField(required=False, help_text="Publish at once (reviewers only).")


class PassageForm(forms.Form):
    """Which words: an exact quote (and which occurrence), or the offsets a text selection gave."""

    quote = forms.CharField(
        max_length=5000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The exact words, as they appear in the text.",
    )
    occurrence = forms.IntegerField(
        min_value=1, initial=1, required=False, help_text="If the words appear several times: which one (1 = first)."
    )
    start = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    revision = forms.IntegerField(
        min_value=1, required=False, widget=forms.HiddenInput, help_text="The revision the editor was looking at."
    )

    def span_in(self, text: str) -> tuple[int, int] | None:
        """The (start, end) of the passage in `text`, or None when the words are not there."""
        quote, start, end = self.cleaned_data["quote"], self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start is not None and end is not None and text[start:end] == quote:
            return start, end
        position = -1
        for _ in range(self.cleaned_data.get("occurrence") or 1):
            position = text.find(quote, position + 1)
            if position < 0:
                return None
        return position, position + len(quote)

    def selectors_in(self, text: str) -> Selectors | None:
        """W3C selectors of the passage in `text`, or None when the words are not there."""
        span = self.span_in(text)
        return None if span is None else Selectors(exact=text[span[0] : span[1]], start=span[0], end=span[1])


class NoteForm(PassageForm):
    motivation = forms.ChoiceField(choices=NOTE_MOTIVATIONS, initial=Annotation.Motivation.COMMENTING)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "data-first": ""}), required=False, max_length=20_000
    )
    visibility = forms.ChoiceField(choices=Annotation.Visibility.choices, initial=Annotation.Visibility.EDITORS)


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000)


class ArticleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search headlines")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), ("draft", "Drafts"), ("published", "Published")]
    )


class CorrectionForm(PassageForm):
    """Propose replacing the passage (annotations.services.corrections.correction_propose)."""

    replacement = forms.CharField(
        max_length=5000,
        strip=False,
        required=False,
        widget=forms.TextInput(attrs={"data-first": "", "autocomplete": "off"}),
        help_text="Leave empty only to remove the words (categories Removal or Addition).",
    )
    category = forms.ChoiceField(choices=CATEGORY_CHOICES, initial="terminology")
    severity = forms.ChoiceField(choices=SEVERITY_CHOICES, initial="minor")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class EntityTagForm(PassageForm):
    """Mark the passage as a mention of an entity, found by name or alias, or created with a kind."""

    entity = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"list": "entity-choices", "autocomplete": "off", "data-first": ""}),
        help_text="Suggestions appear as you type; a name no entity has creates one of the kind below.",
    )
    kind = forms.ChoiceField(choices=[("", "— choose for a new entity —"), *Entity.Kind.choices], required=False)


class LinkForm(PassageForm):
    """Link related coverage: another archive article (with a relation) or an external page."""

    quote = forms.CharField(
        max_length=5000,
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: the words the link is about; empty links the whole article.",
    )

    target = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"list": "article-choices", "autocomplete": "off", "data-first": ""}),
        help_text="Type a few words of its headline and choose it.",
    )
    kind = forms.ChoiceField(choices=ArticleLink.Kind.choices, initial=ArticleLink.Kind.BACKGROUND)
    url = forms.URLField(max_length=1000, required=False, assume_scheme="https")
    title = forms.CharField(max_length=300, required=False)
    note = forms.CharField(max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("target")) == bool(data.get("url")):
            raise forms.ValidationError("Choose either an archive article or an external URL.")
        if data.get("url") and not data.get("title"):
            self.add_error("title", "Give the external page a title.")
        return data


class ReviewFilterForm(forms.Form):
    """Filters of the dashboard's review queue."""

    source = forms.ChoiceField(
        required=False, choices=[("", "Any source"), *Correction.Source.choices], label="Proposed by"
    )
    category = forms.ChoiceField(required=False, choices=[("", "Any category"), *CATEGORY_CHOICES])
    article = forms.CharField(required=False, label="Article headline")
