"""The sign-in page, throttled against password guessing (editor/throttling.py)."""

from django.contrib.auth.views import LoginView
from django.forms.forms import NON_FIELD_ERRORS

from editor.throttling import ThrottledAuthenticationForm


class ThrottledLoginView(LoginView):
    """Django's LoginView whose form refuses locked-out usernames and addresses, answering 429."""

    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form):
        if not form.has_error(NON_FIELD_ERRORS, code="locked_out"):
            return super().form_invalid(form)
        context = self.get_context_data(form=form, locked_out=form.non_field_errors()[0])
        return self.render_to_response(context, status=429)
