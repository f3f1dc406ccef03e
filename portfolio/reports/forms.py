"""The report's filter form: team, pattern and status, as GET parameters."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.models import ServiceStatus
from portfolio.reports.downloads import FORMATS
from portfolio.reports.scope import ReportFilter
from portfolio.reports.tables import TABLES


class ReportFilterForm(forms.Form):
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None)
    pattern = forms.ChoiceField(label=gettext_lazy("Pattern"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, data, *, teams, patterns):
        super().__init__(data)
        self.fields["team"].choices = [("", _("Any team")), *teams]
        self.fields["pattern"].choices = [("", _("Any pattern")), *patterns]
        self.fields["status"].choices = [("", _("Any status")), *ServiceStatus.choices]

    def report_filter(self) -> ReportFilter:
        """Return the filter of the valid fields; an invalid field filters nothing."""
        self.is_valid()
        data = self.cleaned_data
        return ReportFilter(team_id=data.get("team") or None, pattern=data.get("pattern") or None,
                            status=data.get("status") or None)


def requested_format(query) -> str:
    fmt = query.get("format") or "html"
    if fmt not in FORMATS:
        raise forms.ValidationError(
            _("Unknown format “%(format)s”; use one of %(formats)s.")
            % {"format": fmt, "formats": ", ".join(FORMATS)}
        )
    return fmt


def requested_table(query) -> str | None:
    table = query.get("table") or None
    if table is not None and table not in TABLES:
        raise forms.ValidationError(
            _("Unknown table “%(table)s”; use one of %(tables)s.")
            % {"table": table, "tables": ", ".join(TABLES)}
        )
    return table
