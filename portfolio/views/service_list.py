"""The catalogue page: search, filters, sorting and pages of services, the new-service form, bulk actions.

The URL carries the whole state of the list (see `ListState`), so a link or
the back button shows the same list again. An htmx request gets the table
alone and an `HX-Push-Url` header with the tidy URL of that state. The page and
the table share one URL, so responses vary on the htmx headers, and an htmx
history restore gets the whole page (see `is_partial_request`). Only the whole
page builds the filters, the bulk form and the new-service form.
"""

from dataclasses import dataclass, replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.analysis import Level, analyse_portfolio
from portfolio.attestation import AttestationState, attestation_state
from portfolio.catalogue.listing import NONE, SORT_COLUMNS, ListState, catalogue_page
from portfolio.catalogue.lookups import CatalogueLookups, catalogue_lookups
from portfolio.forms import ServiceCreateForm
from portfolio.models import Role, Service, ServiceStatus
from portfolio.services import service_create
from portfolio.views.bulk_forms import BULK_SELECTS, bulk_choices
from portfolio.views.options import QuickSelect, cached_options
from portfolio.views.rendering import INVALID_STATUS, is_partial_request, render_page
from portfolio.views.service_errors import add_service_errors

TEMPLATE = "portfolio/service_list.html"
TABLE_PARTIAL = "service-table"
COLUMN_LABELS = {
    "name": gettext_lazy("Name"),
    "key": gettext_lazy("Key"),
    "status": gettext_lazy("Status"),
    "owner": gettext_lazy("Owning team"),
    "findings": gettext_lazy("Findings"),
}


@dataclass(frozen=True)
class Row:
    """A service on the page: pattern names, finding badges ((level, "2 errors") pairs), attestation."""

    service: Service
    patterns: tuple[str, ...]
    badges: list[tuple[str, str]]
    attestation: AttestationState


@dataclass(frozen=True)
class Column:
    """A sortable column heading: its link and its aria-sort value ("ascending", "descending" or "none")."""

    key: str
    label: str
    url: str
    aria_sort: str


@login_required
@require_http_methods(["GET", "POST"])
def services(request, key):
    """List the portfolio's services; a POST from an editor creates one."""
    writing = request.method == "POST"
    access = portfolio_for_request(request, key, Role.EDITOR if writing else Role.VIEWER)
    lookups = catalogue_lookups(access.portfolio)
    form = None
    if writing:
        form = _create_form(access, lookups, request.POST)
        created = _create(form, access.portfolio)
        if created is not None:
            messages.success(request, _("Service “%(name)s” created.") % {"name": created.name})
            return redirect("service-detail", key=key, service_key=created.key)
    return _render_list(request, access, lookups, form)


def list_url(portfolio_key: str, state: ListState | None = None) -> str:
    url = reverse("service-list", args=[portfolio_key])
    return url + state.query() if state is not None else url


def filter_choices(lookups: CatalogueLookups) -> dict[str, list[tuple[str, str]]]:
    """Return the choices of each filter select, the "any" choice first."""
    return {
        "pattern": [("", _("Any pattern")), (NONE, _("No pattern")), *lookups.patterns],
        "status": [("", _("Any status")), *ServiceStatus.choices],
        "owner": [("", _("Any team")), (NONE, _("No owning team")), *lookups.team_choices()],
        "findings": [
            ("", _("With or without findings")),
            (Level.ERROR.label, _("With errors")),
            (Level.WARNING.label, _("With warnings")),
            (Level.INFO.label, _("With info findings")),
        ],
        "attestation": [("", _("Any attestation")), *AttestationState.choices],
    }


def finding_badges(counts: dict[str, int]) -> list[tuple[str, str]]:
    """Return (level, label) pairs for the levels with findings, worded as level_counts.html words them."""
    labels = {
        "error": lambda n: ngettext("%(n)s error", "%(n)s errors", n),
        "warning": lambda n: ngettext("%(n)s warning", "%(n)s warnings", n),
        "info": lambda n: ngettext("%(n)s info", "%(n)s info", n),
    }
    return [(level, labels[level](counts[level]) % {"n": counts[level]}) for level in labels if counts[level]]


def _create_form(access: PortfolioAccess, lookups: CatalogueLookups, data=None) -> ServiceCreateForm:
    form = ServiceCreateForm(data, portfolio=access.portfolio)
    # The team choices come from the cached lookups; validating a POST still reads the database.
    owner = form.fields["owner"]
    owner.widget = QuickSelect()
    owner.choices = [("", owner.empty_label), *lookups.team_choices()]
    return form


def _create(form: ServiceCreateForm, portfolio):
    if not form.is_valid():
        return None
    try:
        return service_create(portfolio=portfolio, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _render_list(request, access: PortfolioAccess, lookups: CatalogueLookups, form):
    state = ListState.from_query(request.GET, lookups)
    listing = catalogue_page(access.portfolio, state, analyse_portfolio(access.portfolio))
    # A page number out of range shows the last page; the links and the pushed URL name that page.
    state = replace(state, page=listing.page.number)

    base_url = list_url(access.portfolio.key)
    page = listing.page
    now = timezone.now()
    context = {
        "access": access,
        "portfolio": access.portfolio,
        "state": state,
        "state_query": state.query(),
        "page": page,
        "rows": [
            Row(row.service, row.patterns, finding_badges(row.counts),
                attestation_state(row.service, access.portfolio, now))
            for row in listing.rows
        ],
        "columns": _columns(base_url, state),
        "previous_url": _page_url(base_url, state, page.number - 1) if page.has_previous() else None,
        "next_url": _page_url(base_url, state, page.number + 1) if page.has_next() else None,
        "clear_url": base_url,
    }
    if request.method == "POST":
        context |= _page_context(access, lookups, state, form)
        return render_page(request, TEMPLATE, context, status=INVALID_STATUS)

    partial = is_partial_request(request)
    if not partial:
        context |= _page_context(access, lookups, state, form)
    response = render_page(request, TEMPLATE, context, partial=TABLE_PARTIAL)
    if partial:
        response["HX-Push-Url"] = base_url + state.query()
    # render_page varies on HX-Request; a history restore also sends HX-Request, and must get the page.
    patch_vary_headers(response, ["HX-History-Restore-Request"])
    return response


def _page_context(access: PortfolioAccess, lookups: CatalogueLookups, state: ListState, form) -> dict:
    """Build what the whole page shows around the table: the filters and, for editors, the forms."""
    selected = {"pattern": state.pattern, "status": state.status, "owner": state.owner,
                "findings": state.findings, "attestation": state.attestation}
    context = {
        "filter_options": {
            name: cached_options(lookups.memo, f"filter {name}",
                                 lambda name=name: filter_choices(lookups)[name], value)
            for name, value in selected.items()
        },
        "form": form,
        "bulk_options": None,
    }
    if access.can_edit:
        context["form"] = form if form is not None else _create_form(access, lookups)
        context["bulk_options"] = {
            name: cached_options(lookups.memo, f"bulk {name}", lambda name=name: bulk_choices(lookups)[name])
            for name in BULK_SELECTS
        }
    return context


def _columns(base_url: str, state: ListState) -> list[Column]:
    columns = []
    for key in SORT_COLUMNS:
        aria_sort = "none"
        if state.sort == key:
            aria_sort = "descending" if state.descending else "ascending"
        url = _link(base_url, state.sorted_by(key))
        columns.append(Column(key, str(COLUMN_LABELS[key]), url, aria_sort))
    return columns


def _page_url(base_url: str, state: ListState, number: int) -> str:
    return _link(base_url, replace(state, page=number))


def _link(base_url: str, state: ListState) -> str:
    """Return a link to the list in `state`: the query string alone, or the list's path for the defaults."""
    return state.query() or base_url
