from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portfolio.access import portfolio_for_request
from portfolio.analysis import analyse_portfolio
from portfolio.forms import ServiceCreateForm
from portfolio.models import Role
from portfolio.selectors import service_list
from portfolio.services import service_create
from portfolio.views.rendering import INVALID_STATUS, render_page
from portfolio.views.service_errors import add_service_errors

PAGE_SIZE = 50
NO_FINDINGS = {"error": 0, "warning": 0, "info": 0}


@login_required
@require_http_methods(["GET", "POST"])
def services(request, key):
    """List the portfolio's services; a POST from an editor creates one."""
    writing = request.method == "POST"
    access = portfolio_for_request(request, key, Role.EDITOR if writing else Role.VIEWER)
    form = None
    if access.can_edit:
        form = ServiceCreateForm(request.POST if writing else None, portfolio=access.portfolio)
    if writing:
        created = _create(form, access.portfolio)
        if created is not None:
            messages.success(request, _("Service “%(name)s” created.") % {"name": created.name})
            return redirect("service-detail", key=key, service_key=created.key)
    return _render_list(request, access, form)


def _create(form: ServiceCreateForm, portfolio):
    if not form.is_valid():
        return None
    try:
        return service_create(portfolio=portfolio, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _render_list(request, access, form):
    search = request.GET.get("q", "").strip()
    page = Paginator(service_list(access.portfolio, search), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = analyse_portfolio(access.portfolio).counts_by_service
    rows = [(service, counts.get(service.key, NO_FINDINGS)) for service in page.object_list]
    context = {
        "access": access,
        "portfolio": access.portfolio,
        "page": page,
        "rows": rows,
        "search": search,
        "form": form,
        "previous_url": _page_url(search, page.previous_page_number()) if page.has_previous() else None,
        "next_url": _page_url(search, page.next_page_number()) if page.has_next() else None,
    }
    if request.method == "POST":
        return render_page(request, "portfolio/service_list.html", context, status=INVALID_STATUS)
    return render_page(request, "portfolio/service_list.html", context, partial="service-table")


def _page_url(search: str, number: int) -> str:
    query = {"q": search, "page": number} if search else {"page": number}
    return "?" + urlencode(query)
