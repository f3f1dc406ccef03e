"""Portfolio access for API operations: the same membership and role rules as the pages.

Each operation names the lowest role it needs. A user who is not a member
of the portfolio gets 404, as for a key that does not exist; a member whose
role is too low gets 403. A token acts with its user's memberships, so it
never reaches a portfolio its user cannot.
"""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import ValidationError

from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.models import Role, Service, Team

__all__ = ["Role", "member_access", "service_or_404", "team_for_field", "team_or_404"]


def member_access(request: HttpRequest, key: str, min_role: str = Role.VIEWER) -> PortfolioAccess:
    return portfolio_for_request(request, key, min_role)


def service_or_404(access: PortfolioAccess, service_key: str, *, queryset=None) -> Service:
    queryset = queryset if queryset is not None else Service.objects.select_related("owner")
    service = queryset.filter(portfolio=access.portfolio, key=service_key).first()
    if service is None:
        raise Http404(_("No service with the key “%(key)s” in this portfolio.") % {"key": service_key})
    # The services read service.portfolio; the access already holds it.
    service.portfolio = access.portfolio
    return service


def team_or_404(access: PortfolioAccess, team_id: int) -> Team:
    team = Team.objects.filter(portfolio=access.portfolio, pk=team_id).first()
    if team is None:
        raise Http404(_("No team with the id %(id)s in this portfolio.") % {"id": team_id})
    team.portfolio = access.portfolio
    return team


def team_for_field(
    access: PortfolioAccess, team_id: int | None, field: str, source: str = "body"
) -> Team | None:
    """Return the team that input `field` names; an id not in the portfolio is invalid input (422).

    `source` is where the field was sent: "body" or "query".
    """
    if team_id is None:
        return None
    team = Team.objects.filter(portfolio=access.portfolio, pk=team_id).first()
    if team is None:
        message = _("No team with the id %(id)s in this portfolio; list the teams to find its id.") % {
            "id": team_id}
        raise ValidationError([{"loc": [source, field], "msg": message, "type": "invalid"}])
    team.portfolio = access.portfolio
    return team
