"""The catalogue page: search, filters, sorting and pages of services, the new-service form, bulk actions.

The URL carries the whole state of the list (see `ListState`), so a link or
the back button shows the same list again. An htmx request gets the table
alone and an `HX-Push-Url` header with the tidy URL of that state. The page and
the table share one URL, so responses vary on the htmx headers, and an htmx
history restore gets the whole page (see `is_partial_request`).
"""

from dataclasses import dataclass, replace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.analysis import Level, analyse_portfolio
from portfolio.catalogue.listing import NONE, SORT_COLUMNS, ListState, catalogue_page
from portfolio.catalogue.lookups import CatalogueLookups, catalogue_lookups
from portfolio.forms import ServiceCreateForm
from portfolio.models import Role, ServiceStatus
from portfolio.services import service_create
from portfolio.views.bulk_forms import BulkForm
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


class ServiceListForm(forms.Form):
    """Reads the list's state from the query string; an invalid value is dropped, never an error."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    pattern = forms.ChoiceField(label=gettext_lazy("Pattern"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    owner = forms.ChoiceField(label=gettext_lazy("Owning team"), required=False)
    findings = forms.ChoiceField(label=gettext_lazy("Findings"), required=False)
    sort = forms.ChoiceField(required=False, choices=[
        (prefix + column, prefix + column) for column in SORT_COLUMNS for prefix in ("", "-")
    ])

    def __init__(self, data, *, lookups: CatalogueLookups):
        super().__init__(data)
        self.fields["pattern"].choices = [
            ("", _("Any pattern")), (NONE, _("No pattern")), *lookups.patterns,
        ]
        self.fields["status"].choices = [("", _("Any status")), *ServiceStatus.choices]
        self.fields["owner"].choices = [
            ("", _("Any team")), (NONE, _("No owning team")), *lookups.team_choices(),
        ]
        self.fields["findings"].choices = [
            ("", _("With or without findings")),
            (Level.ERROR.label, _("With errors")),
            (Level.WARNING.label, _("With warnings")),
            (Level.INFO.label, _("With info findings")),
        ]

    def state(self, page) -> ListState:
        """Return the valid values as a ListState on `page` (a page number as text, or None)."""
        self.is_valid()
        value = self.cleaned_data.get
        sort = value("sort") or "name"
        return ListState(
            search=" ".join((value("q") or "").split()),
            pattern=value("pattern") or "",
            status=value("status") or "",
            owner=value("owner") or "",
            findings=value("findings") or "",
            sort=sort.removeprefix("-"),
            descending=sort.startswith("-"),
            page=_page_number(page),
        )


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
    if access.can_edit:
        form = ServiceCreateForm(request.POST if writing else None, portfolio=access.portfolio)
        # Render the team choices from the cached lookups; validating a POST still reads the database.
        form.fields["owner"].choices = [("", form.fields["owner"].empty_label), *lookups.team_choices()]
    if writing:
        created = _create(form, access.portfolio)
        if created is not None:
            messages.success(request, _("Service “%(name)s” created.") % {"name": created.name})
            return redirect("service-detail", key=key, service_key=created.key)
    return _render_list(request, access, lookups, form)


def list_state(query: QueryDict, lookups: CatalogueLookups) -> ListState:
    """Return the list state in `query`, keeping only valid values."""
    return ServiceListForm(query, lookups=lookups).state(query.get("page"))


def list_url(portfolio_key: str, state: ListState | None = None) -> str:
    url = reverse("service-list", args=[portfolio_key])
    return url + state.query() if state is not None else url


def _create(form: ServiceCreateForm, portfolio):
    if not form.is_valid():
        return None
    try:
        return service_create(portfolio=portfolio, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _render_list(request, access: PortfolioAccess, lookups: CatalogueLookups, form):
    filters = ServiceListForm(request.GET, lookups=lookups)
    state = filters.state(request.GET.get("page"))
    counts = analyse_portfolio(access.portfolio).counts_by_service
    listing = catalogue_page(access.portfolio, state, counts, lookups)
    # A page number out of range shows the last page; the links and the pushed URL name that page.
    state = replace(state, page=listing.page.number)

    base_url = list_url(access.portfolio.key)
    page = listing.page
    context = {
        "access": access,
        "portfolio": access.portfolio,
        "filters": filters,
        "state": state,
        "state_query": state.query(),
        "listing": listing,
        "page": page,
        "rows": listing.rows,
        "columns": _columns(base_url, state),
        "previous_url": _page_url(base_url, state, page.number - 1) if page.has_previous() else None,
        "next_url": _page_url(base_url, state, page.number + 1) if page.has_next() else None,
        "clear_url": base_url,
        "form": form,
        "bulk_form": BulkForm(lookups=lookups) if access.can_edit else None,
    }
    if request.method == "POST":
        return render_page(request, TEMPLATE, context, status=INVALID_STATUS)

    response = render_page(request, TEMPLATE, context, partial=TABLE_PARTIAL)
    if is_partial_request(request):
        response["HX-Push-Url"] = base_url + state.query()
    # render_page varies on HX-Request; a history restore also sends HX-Request, and must get the page.
    patch_vary_headers(response, ["HX-History-Restore-Request"])
    return response


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


def _page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)
