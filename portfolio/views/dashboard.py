from django.contrib.auth.decorators import login_required

from portfolio.access import portfolio_for_request
from portfolio.analysis import analyse_portfolio
from portfolio.analysis.engine import portfolio_snapshot
from portfolio.selectors import dashboard_counts, service_names
from portfolio.views.rendering import finding_rows, render_page

TOP_FINDINGS = 10


@login_required
def dashboard(request, key):
    access = portfolio_for_request(request, key)
    portfolio = access.portfolio
    result = analyse_portfolio(portfolio)
    top = result.findings[:TOP_FINDINGS]
    context = {
        "access": access,
        "portfolio": portfolio,
        "counts": dashboard_counts(portfolio, portfolio_snapshot(portfolio)),
        "finding_counts": result.counts,
        "finding_total": len(result.findings),
        "top_findings": finding_rows(top, service_names(portfolio, (f.service for f in top if f.service))),
    }
    return render_page(request, "portfolio/dashboard.html", context)
