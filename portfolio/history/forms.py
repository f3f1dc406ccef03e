from django import forms
from django.utils.translation import gettext_lazy as _

from portfolio.history.feed import FeedFilter
from portfolio.history.tracked import OBJECT_TYPE_LABELS


class FeedFilterForm(forms.Form):
    """The history feed's filters, read from the query string. Invalid values are ignored."""

    user = forms.TypedChoiceField(label=_("User"), required=False, coerce=int, empty_value=None)
    type = forms.ChoiceField(label=_("Object type"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, users: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["user"].choices = [("", _("Anyone")), *users]
        self.fields["type"].choices = [("", _("Any")), *OBJECT_TYPE_LABELS.items()]

    def feed_filter(self) -> FeedFilter:
        if not self.is_valid():
            return FeedFilter()
        data = self.cleaned_data
        return FeedFilter(user_id=data["user"], object_type=data["type"], since=data["since"],
                          until=data["until"])


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args, **kwargs):
        from portfolio.history.time_zones import available_time_zones

        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", _("The browser's time zone")),
                                            *((name, name) for name in sorted(available_time_zones()))]
