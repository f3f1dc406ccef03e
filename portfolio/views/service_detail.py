from django.contrib.auth.decorators import login_required

from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.analysis import analyse_portfolio
from portfolio.forms import AssignPatternForm
from portfolio.models import Service
from portfolio.selectors import service_for_page, service_page
from portfolio.views.rendering import finding_rows, is_partial_request, render_page

TEMPLATE = "portfolio/service_detail.html"
NO_FINDINGS = {"error": 0, "warning": 0, "info": 0}


@login_required
def service_detail(request, key, service_key):
    """Show the service page; an htmx request gets the findings panel alone."""
    access = portfolio_for_request(request, key)
    service = service_for_page(access.portfolio, service_key)
    if is_partial_request(request):
        return render_page(request, TEMPLATE, findings_context(access, service), partial="findings-panel")
    return render_page(request, TEMPLATE, service_context(access, service))


def findings_context(access: PortfolioAccess, service: Service) -> dict:
    """Build what the findings panel and the finding counts need, without further queries."""
    result = analyse_portfolio(access.portfolio)
    return {
        "access": access,
        "portfolio": access.portfolio,
        "service": service,
        "findings": finding_rows(result.for_service(service.key)),
        "finding_counts": result.counts_by_service.get(service.key, NO_FINDINGS),
    }


def service_context(access: PortfolioAccess, service: Service, **extra) -> dict:
    """Build what the service page and its partials need; `extra` overrides entries (forms with errors)."""
    service.portfolio = access.portfolio
    context = findings_context(access, service)
    context |= {
        "page": service_page(service),
        "assign_form": AssignPatternForm() if access.can_edit else None,
        "mix_errors": [],
        "raci_error_activity": None,
        "raci_errors": [],
    }
    context.update(extra)
    return context
