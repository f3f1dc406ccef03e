"""The findings page: every finding of a portfolio, filtered and grouped, with its waivers.

The filters are GET parameters (level, code, pattern, team, group), so a
filtered view is a link. The page costs a fixed number of queries whatever
the number of services: at most two for the filters, one each for pattern
and team choices, one for service names, plus the analysis on a cache miss.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from patterns.models import Pattern
from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.analysis import Finding, Level, analyse_portfolio
from portfolio.analysis.registry import all_rules, get_rule
from portfolio.analysis.waivers import WaivedFinding, WaiverInfo
from portfolio.models import PatternAssignment, Service, Team
from portfolio.views.rendering import library_url, render_page
from portfolio.waivers import latest_expiry

TEMPLATE = "portfolio/findings.html"
RESULTS_PARTIAL = "findings-results"
GROUP_BY_SERVICE = "service"
GROUP_BY_RULE = "rule"
FILTER_FIELDS = ("level", "code", "pattern", "team", "group")

# Section ids of the service page for codes whose activity does not show where they are fixed.
# Findings of other codes link to the RACI row of their activity, or to the top of the page.
FIX_ANCHORS = {
    "VCP-E001": "pattern-mix",
    "VCP-W004": "pattern-mix",
    "VCP-W007": "pattern-mix",
    "VCP-W008": "details-title",
}


class FindingFilterForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)
    code = forms.ChoiceField(label=gettext_lazy("Rule"), required=False)
    pattern = forms.ChoiceField(label=gettext_lazy("Pattern"), required=False)
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None)
    group = forms.ChoiceField(
        label=gettext_lazy("Group by"), required=False,
        choices=[(GROUP_BY_SERVICE, gettext_lazy("Service")), (GROUP_BY_RULE, gettext_lazy("Rule"))],
    )

    def __init__(self, data, *, patterns, teams):
        super().__init__(data)
        levels = [(level.label, level.display) for level in sorted(Level, reverse=True)]
        rules = [(rule.code, f"{rule.code} {rule.title}") for rule in all_rules()]
        self.fields["level"].choices = [("", _("Any level")), *levels]
        self.fields["code"].choices = [("", _("Any rule")), *rules]
        self.fields["pattern"].choices = [("", _("Any pattern")), *patterns]
        self.fields["team"].choices = [("", _("Any team")), *teams]

    def value_of(self, name: str):
        """Return the cleaned value of a valid field, or None; an invalid filter filters nothing."""
        return self.cleaned_data.get(name) or None


@dataclass(frozen=True)
class FindingFilter:
    """The filters in force; a None field lets every finding through."""

    level: Level | None = None
    code: str | None = None
    pattern: str | None = None
    pattern_services: frozenset[str] | None = None
    team_services: frozenset[str] | None = None

    def matches(self, finding: Finding) -> bool:
        if self.level is not None and finding.level != self.level:
            return False
        if self.code is not None and finding.code != self.code:
            return False
        if self.pattern is not None and not (
            finding.pattern == self.pattern or finding.service in self.pattern_services
        ):
            return False
        return self.team_services is None or finding.service in self.team_services


@dataclass
class FindingRow:
    """A finding on this page, with where to fix it and the waiver that expired on it, if any."""

    finding: Finding
    dom_id: str
    fix_url: str | None
    library_url: str
    service_name: str
    expired_waiver: WaiverInfo | None = None
    waiver: WaiverInfo | None = None
    accept_form: forms.Form | None = None

    @property
    def level_name(self) -> str:
        return self.finding.level.label


@dataclass
class FindingGroup:
    title: str
    url: str | None
    rows: list[FindingRow] = field(default_factory=list)


@login_required
@require_safe
def findings_page(request, key):
    access = portfolio_for_request(request, key)
    context = findings_context(access, request.GET)
    return render_page(request, TEMPLATE, context, partial=RESULTS_PARTIAL)


def findings_context(access: PortfolioAccess, query: QueryDict, *, failed_accept=None, notice="") -> dict:
    """Build the page's context for the filters in `query`.

    `failed_accept` is a bound waiver form whose errors are shown in the form of
    its finding, or at the top of the results when that finding is not listed.
    """
    portfolio = access.portfolio
    result = analyse_portfolio(portfolio)
    form = FindingFilterForm(query, patterns=_pattern_choices(), teams=_team_choices(portfolio))
    form.is_valid()
    finding_filter = _finding_filter(portfolio, form)
    names = dict(Service.objects.filter(portfolio=portfolio).values_list("key", "name"))

    rows = [_row(portfolio.key, finding, names, f"finding-{index}", result.expired_waiver(finding))
            for index, finding in enumerate(result.findings) if finding_filter.matches(finding)]
    waived = [_waived_row(portfolio.key, waived, names, index)
              for index, waived in enumerate(result.waived) if finding_filter.matches(waived.finding)]
    accept_errors = _attach_failed_form(rows, failed_accept) if failed_accept is not None else []

    group = form.value_of("group") or GROUP_BY_SERVICE
    today = timezone.localdate()
    return {
        "access": access,
        "portfolio": portfolio,
        "form": form,
        "filters": filter_query(form),
        "filtered": finding_filter != FindingFilter(),
        "group_by": group,
        "groups": _group_by_rule(rows) if group == GROUP_BY_RULE else _group_by_service(portfolio.key, rows),
        "shown": len(rows),
        "counts": result.counts,
        "total": len(result.findings),
        "waived": waived,
        "expired_waivers": result.expired_waivers,
        "obsolete_waivers": result.obsolete_waivers,
        "accept_errors": accept_errors,
        "notice": notice,
        "expiry_min": today + timedelta(days=1),
        "expiry_max": latest_expiry(today),
    }


def filter_query(form: FindingFilterForm) -> str:
    """Return the valid filters as a query string, for links and the hidden field of write forms."""
    values = {name: form.value_of(name) for name in FILTER_FIELDS}
    return urlencode({name: value for name, value in values.items() if value is not None})


def known_filters(query: QueryDict) -> str:
    """Return the filter parameters of `query` as a query string, dropping every other parameter."""
    return urlencode({name: query[name] for name in FILTER_FIELDS if query.get(name)})


def findings_url(portfolio_key: str, filters: str) -> str:
    url = reverse("findings", args=[portfolio_key])
    return f"{url}?{filters}" if filters else url


def _pattern_choices() -> list[tuple[str, str]]:
    return list(Pattern.objects.order_by("position", "name").values_list("key", "name"))


def _team_choices(portfolio) -> list[tuple[int, str]]:
    teams = Team.objects.filter(portfolio=portfolio).order_by(Lower("name"), "pk")
    return list(teams.values_list("pk", "name"))


def _finding_filter(portfolio, form: FindingFilterForm) -> FindingFilter:
    level = form.value_of("level")
    pattern = form.value_of("pattern")
    team = form.value_of("team")
    pattern_services = team_services = None
    if pattern is not None:
        # A pattern keeps the findings it explains and every finding of the services it is assigned to.
        pattern_services = frozenset(
            PatternAssignment.objects.filter(service__portfolio=portfolio, pattern_id=pattern)
            .values_list("service__key", flat=True)
        )
    if team is not None:
        team_services = frozenset(
            Service.objects.filter(portfolio=portfolio)
            .filter(Q(owner_id=team) | Q(responsibilities__team_id=team))
            .values_list("key", flat=True)
            .distinct()
        )
    return FindingFilter(
        level=Level.from_label(level) if level else None,
        code=form.value_of("code"),
        pattern=pattern,
        pattern_services=pattern_services,
        team_services=team_services,
    )


def _row(portfolio_key, finding: Finding, names, dom_id, expired_waiver=None) -> FindingRow:
    return FindingRow(
        finding=finding,
        dom_id=dom_id,
        fix_url=_fix_url(portfolio_key, finding),
        library_url=library_url(finding),
        service_name=names.get(finding.service or "", finding.service or ""),
        expired_waiver=expired_waiver,
    )


def _waived_row(portfolio_key, waived: WaivedFinding, names, index) -> FindingRow:
    row = _row(portfolio_key, waived.finding, names, f"waived-{index}")
    row.waiver = waived.waiver
    return row


def _fix_url(portfolio_key: str, finding: Finding) -> str | None:
    """Return the place where `finding` is fixed: a section of its service's page."""
    if finding.service is None:
        # TODO: link practice findings to the practices page once the portfolio has one.
        return None
    url = reverse("service-detail", args=[portfolio_key, finding.service])
    anchor = FIX_ANCHORS.get(finding.code)
    if anchor is None and finding.activity is not None:
        anchor = f"raci-{finding.activity}"
    return f"{url}#{anchor}" if anchor else url


def _attach_failed_form(rows: list[FindingRow], failed_accept) -> list[str]:
    """Put the failed form on its finding's row; return its errors when no row shows them."""
    key = (failed_accept.data.get("code"), failed_accept.data.get("subject"))
    for row in rows:
        if (row.finding.code, row.finding.subject) == key:
            row.accept_form = failed_accept
            return []
    return [message for errors in failed_accept.errors.values() for message in errors]


def _group_by_service(portfolio_key: str, rows: list[FindingRow]) -> list[FindingGroup]:
    groups: dict[str | None, FindingGroup] = {}
    for row in rows:
        service = row.finding.service
        if service not in groups:
            if service is None:
                groups[None] = FindingGroup(_("The whole portfolio"), None)
            else:
                url = reverse("service-detail", args=[portfolio_key, service])
                groups[service] = FindingGroup(row.service_name, url)
        groups[service].rows.append(row)
    whole = groups.pop(None, None)
    ordered = sorted(groups.values(), key=lambda group: (group.title.lower(), group.url))
    return [whole, *ordered] if whole else ordered


def _group_by_rule(rows: list[FindingRow]) -> list[FindingGroup]:
    groups: dict[str, FindingGroup] = {}
    for row in rows:
        code = row.finding.code
        if code not in groups:
            groups[code] = FindingGroup(f"{code} {get_rule(code).title}", None)
        groups[code].rows.append(row)
    return sorted(groups.values(), key=lambda group: (-group.rows[0].finding.level, group.title))
