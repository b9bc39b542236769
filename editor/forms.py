from django import forms

from annotations.models import Annotation

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

    quote = forms.CharField(max_length=5000, strip=False, help_text="The exact words, as they appear in the text.")
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


class NoteForm(PassageForm):
    motivation = forms.ChoiceField(choices=NOTE_MOTIVATIONS, initial=Annotation.Motivation.COMMENTING)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000)
    visibility = forms.ChoiceField(choices=Annotation.Visibility.choices, initial=Annotation.Visibility.EDITORS)


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000)


class ArticleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search headlines")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), ("draft", "Drafts"), ("published", "Published")]
    )
