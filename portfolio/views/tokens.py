"""The logged-in user's personal API tokens: list them, create one, revoke one.

A new token is shown once, in the response to the POST that created it,
and never stored in clear, so that response is not cached and is not a
redirect. Every response of the page is marked not to be cached.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from portfolio.models import ApiToken, ApiTokenScope
from portfolio.tokens import token_create, token_revoke, tokens_for_user
from portfolio.views.rendering import INVALID_STATUS

TEMPLATE = "portfolio/tokens.html"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100,
        help_text=gettext_lazy("What the token is for, such as the pipeline that uses it."),
    )
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=ApiTokenScope.choices,
                              initial=ApiTokenScope.READ, widget=forms.RadioSelect)


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """Show the user's tokens (GET), or create one and show it this once (POST)."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = secret = None
    if form.is_bound and form.is_valid():
        try:
            created, secret = token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = TokenForm()
    status = INVALID_STATUS if form.errors else 200
    context = {"form": form, "tokens": tokens_for_user(request.user), "created": created, "secret": secret}
    response = render(request, TEMPLATE, context, status=status)
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token_revoke(user=request.user, token=token)
    messages.success(request, _("Revoked the token “%(name)s” (%(prefix)s…); requests with it now get 401.")
                     % {"name": token.name, "prefix": token.prefix})
    return redirect("api-tokens")
