"""The portfolio's settings page: every member reads the settings, owners change them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portfolio.access import portfolio_for_request
from portfolio.analysis.registry import all_rules
from portfolio.models import Portfolio, Role
from portfolio.views.rendering import INVALID_STATUS


class PortfolioSettingsForm(forms.ModelForm):
    """The analysis settings (minimum capability level, switched-off rules) and the review period."""

    disabled_rules = forms.MultipleChoiceField(
        label=gettext_lazy("Switched-off rules"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The analysis reports no findings of these rules for this portfolio."),
    )

    class Meta:
        model = Portfolio
        fields = ["min_capability_level", "disabled_rules", "review_period_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = all_rules()
        self.fields["disabled_rules"].choices = [
            (rule.code, f"{rule.code} · {rule.title} ({rule.level.display})") for rule in rules
        ]
        # Codes of rules that no longer exist stay switched off but are not offered again.
        known = {rule.code for rule in rules}
        self._unknown_codes = [code for code in self.instance.disabled_rules if code not in known]

    def clean_disabled_rules(self) -> list[str]:
        return sorted(set(self.cleaned_data["disabled_rules"]) | set(self._unknown_codes))


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
