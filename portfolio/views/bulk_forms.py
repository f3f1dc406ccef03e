"""The bulk actions' form: the list page renders its selects, the bulk view validates it."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.bulk import BulkAction
from portfolio.catalogue.listing import NONE
from portfolio.catalogue.lookups import CatalogueLookups
from portfolio.models import RaciRole, ServiceStatus

ACTION_CHOICES = [
    (BulkAction.ASSIGN_PATTERN, gettext_lazy("Assign a pattern")),
    (BulkAction.SET_STATUS, gettext_lazy("Set the status")),
    (BulkAction.SET_OWNER, gettext_lazy("Set the owning team")),
    (BulkAction.GIVE_ROLE, gettext_lazy("Give a team a role")),
]
# The fields each action needs, with the message when one is missing.
REQUIRED = {
    BulkAction.ASSIGN_PATTERN: {"pattern": gettext_lazy("Choose a pattern to assign.")},
    BulkAction.SET_STATUS: {"status": gettext_lazy("Choose the status to set.")},
    BulkAction.SET_OWNER: {"owner": gettext_lazy("Choose the owning team, or “No owning team”.")},
    BulkAction.GIVE_ROLE: {
        "team": gettext_lazy("Choose the team that gets the role."),
        "role": gettext_lazy("Choose the role."),
        "activity": gettext_lazy("Choose the lifecycle activity."),
    },
}


BULK_SELECTS = ("pattern", "status", "owner", "team", "role", "activity")


def bulk_choices(lookups: CatalogueLookups) -> dict[str, list[tuple[str, str]]]:
    """Return the choices of each select of the bulk form, "Choose…" first."""
    choose = ("", _("Choose…"))
    teams = lookups.team_choices()
    return {
        "pattern": [choose, *lookups.patterns],
        "status": [choose, *ServiceStatus.choices],
        "owner": [choose, (NONE, _("No owning team")), *teams],
        "team": [choose, *teams],
        "role": [choose, *RaciRole.choices],
        "activity": [choose, *lookups.activities],
    }


class ServiceIdsField(forms.Field):
    """The ids of the selected services, from one checkbox (or hidden input) per service."""

    widget = forms.MultipleHiddenInput
    hidden_widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(_("The selection is invalid; go back to the list and select the services "
                                    "again."), code="invalid") from None


class BulkForm(forms.Form):
    # An empty selection is valid here; bulk_plan rejects it with its own message.
    services = ServiceIdsField(required=False)
    action = forms.ChoiceField(choices=ACTION_CHOICES,
                               error_messages={"required": gettext_lazy("Choose an action.")})
    pattern = forms.ChoiceField(label=gettext_lazy("Pattern"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    owner = forms.ChoiceField(label=gettext_lazy("Owning team"), required=False)
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False)
    activity = forms.ChoiceField(label=gettext_lazy("Lifecycle activity"), required=False)
    # The query string of the list to return to, such as "?status=live&page=2".
    list_state = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, data=None, *, lookups: CatalogueLookups):
        super().__init__(data)
        for name, choices in bulk_choices(lookups).items():
            self.fields[name].choices = choices

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        for name, message in REQUIRED.get(action, {}).items():
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, str(message))
        return cleaned

    def change_arguments(self) -> dict:
        """Return the keyword arguments of `bulk_change` for the chosen action, without the portfolio."""
        data = self.cleaned_data
        owner = data["owner"]
        return {
            "action": data["action"],
            "pattern_key": data["pattern"],
            "status": data["status"],
            "owner_id": None if owner in ("", NONE) else int(owner),
            "team_id": int(data["team"]) if data["team"] else None,
            "activity_key": data["activity"],
            "role": data["role"],
        }
