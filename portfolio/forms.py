"""Forms that read and type-check request data; the writes and their rules live in `services`.

Team choices are limited to the portfolio's own teams, so a team id from another
portfolio is rejected as an invalid choice and its name never shows.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from portfolio.models import Portfolio, Service, ServiceStatus, Team
from portfolio.text import validate_key


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, team: Team) -> str:
        return f"{team.name} ({team.get_party_kind_display()})"


class ServiceCreateForm(forms.Form):
    key = forms.CharField(
        label=_("Key"), max_length=Service._meta.get_field("key").max_length, validators=[validate_key],
        help_text=_("Short unique identifier used in links, for example “payments-api”."),
    )
    name = forms.CharField(label=_("Name"), max_length=Service._meta.get_field("name").max_length)
    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices, initial=ServiceStatus.LIVE)
    owner = TeamChoiceField(label=_("Owning team"), queryset=Team.objects.none(), required=False,
                            empty_label=_("No owner yet"))

    def __init__(self, *args, portfolio: Portfolio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Team.objects.filter(portfolio=portfolio)


class AssignPatternForm(forms.Form):
    # A plain key: the service checks that the pattern exists and is not assigned yet.
    pattern = forms.CharField(label=_("Pattern"), max_length=60,
                              error_messages={"required": _("Choose a pattern to assign.")})


class AccountableTeamForm(forms.Form):
    team = TeamChoiceField(label=_("Accountable team"), queryset=Team.objects.none(), required=False,
                           empty_label=_("No accountable team"))

    def __init__(self, *args, portfolio: Portfolio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(portfolio=portfolio)
