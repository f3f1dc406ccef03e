"""The portfolio's settings page: every member reads the settings, owners change them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portfolio.access import portfolio_for_request
from portfolio.models import Portfolio, Role
from portfolio.views.rendering import INVALID_STATUS


class PortfolioSettingsForm(forms.ModelForm):
    class Meta:
        model = Portfolio
        fields = ["review_period_days"]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portfolio_settings(request, key):
    writing = request.method == "POST"
    access = portfolio_for_request(request, key, Role.OWNER if writing else Role.VIEWER)
    portfolio = access.portfolio
    form = PortfolioSettingsForm(request.POST if writing else None, instance=portfolio)
    if writing and form.is_valid():
        form.save()
        messages.success(request, _("Saved the portfolio settings."))
        return redirect("portfolio-settings", key=key)
    context = {"access": access, "portfolio": portfolio, "form": form if access.is_owner else None}
    return render(request, "portfolio/settings.html", context, status=INVALID_STATUS if writing else 200)
