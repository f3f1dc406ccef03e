"""Forms of the workshop pages; the change form checks only what each change kind needs."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from patterns.models import LifecycleActivity, Pattern
from portfolio.models import Team
from portfolio.workshops.models import ChangeKind, Workshop


class WorkshopForm(forms.ModelForm):
    class Meta:
        model = Workshop
        fields = ["title", "date", "facilitator"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, portfolio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = get_user_model().objects.filter(
            memberships__portfolio=portfolio).order_by("username")


class AgendaAddForm(forms.Form):
    service = forms.ModelChoiceField(queryset=None, label=_("Service"), to_field_name="key")
    timer_minutes = forms.IntegerField(label=_("Timer (minutes)"), min_value=1, max_value=240, required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Change"), choices=ChangeKind.choices)
    pattern = forms.ModelChoiceField(queryset=Pattern.objects.all(), label=_("Pattern"), to_field_name="key",
                                     required=False)
    activities = forms.ModelMultipleChoiceField(
        queryset=LifecycleActivity.objects.all(), label=_("Activities"), to_field_name="key", required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a new pattern, leave all unticked to govern its whole scope."),
    )
    activity = forms.ModelChoiceField(queryset=LifecycleActivity.objects.all(), label=_("Activity"),
                                      to_field_name="key", required=False)
    team = forms.ModelChoiceField(queryset=None, label=_("Accountable team"), required=False,
                                  empty_label=_("No team"))

    def __init__(self, *args, portfolio, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(portfolio=portfolio)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needs_pattern = (ChangeKind.ASSIGN_PATTERN, ChangeKind.REMOVE_PATTERN, ChangeKind.SET_ACTIVITIES)
        if kind in needs_pattern and not data.get("pattern"):
            self.add_error("pattern", _("Choose the pattern this change is about."))
        if kind == ChangeKind.SET_ACTIVITIES and not data.get("activities"):
            self.add_error("activities", _("Tick at least one activity for the pattern to govern."))
        if kind == ChangeKind.SET_ACCOUNTABLE and not data.get("activity"):
            self.add_error("activity", _("Choose the activity whose accountable team changes."))
        return data


class DecisionForm(ChangeForm):
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("Why the workshop decided this; it goes into the minutes."))


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=400)
    owner = forms.ModelChoiceField(queryset=None, label=_("Owner team"))
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, portfolio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Team.objects.filter(portfolio=portfolio)
