from django.contrib.auth.decorators import login_required

from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.analysis import analyse_portfolio
from portfolio.forms import AssignPatternForm
from portfolio.models import Service
from portfolio.selectors import service_for_page, service_page
from portfolio.views.rendering import finding_rows, render_page

TEMPLATE = "portfolio/service_detail.html"
NO_FINDINGS = {"error": 0, "warning": 0, "info": 0}


@login_required
def service_detail(request, key, service_key):
    access = portfolio_for_request(request, key)
    service = service_for_page(access.portfolio, service_key)
    return render_page(request, TEMPLATE, service_context(access, service), partial="findings-panel")


def service_context(access: PortfolioAccess, service: Service, **extra) -> dict:
    """Build what the service page and its partials need; `extra` overrides entries (forms with errors)."""
    service.portfolio = access.portfolio
    result = analyse_portfolio(access.portfolio)
    context = {
        "access": access,
        "portfolio": access.portfolio,
        "service": service,
        "page": service_page(service),
        "findings": finding_rows(result.for_service(service.key)),
        "finding_counts": result.counts_by_service.get(service.key, NO_FINDINGS),
        "assign_form": AssignPatternForm() if access.can_edit else None,
        "mix_errors": [],
        "raci_error_activity": None,
        "raci_errors": [],
    }
    context.update(extra)
    return context
