"""Membership and role checks shared by every portfolio view.

A user who is not a member of a portfolio gets a 404, exactly as for a key
that does not exist, so that guessing URLs reveals nothing. A member whose role
is too low for the action gets a 403.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from portfolio.models import ROLE_RANK, Portfolio, Role
from portfolio.selectors import memberships_for_user


@dataclass(frozen=True)
class PortfolioAccess:
    """A portfolio as seen by one member: the portfolio, the member's role and the team of the membership."""

    portfolio: Portfolio
    role: Role
    team_id: int | None = None

    @property
    def can_edit(self) -> bool:
        return role_allows(self.role, Role.EDITOR)

    @property
    def is_owner(self) -> bool:
        return role_allows(self.role, Role.OWNER)


def role_allows(role: str, min_role: str) -> bool:
    """Return True when `role` ranks at or above `min_role` (viewer < editor < owner)."""
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(min_role)]


def portfolio_for_request(request: HttpRequest, key: str, min_role: str = Role.VIEWER) -> PortfolioAccess:
    """Return the portfolio `key` with the requesting user's role, in one query.

    Raises Http404 when the user is anonymous, not a member or the key is unknown,
    and PermissionDenied when the member's role ranks below `min_role`.
    """
    if not request.user.is_authenticated:
        raise Http404(_("No portfolio found."))
    # All of the user's memberships in the one query: the header's portfolio switcher lists them.
    memberships = memberships_for_user(request.user)
    request.portfolio_memberships = memberships
    membership = next((found for found in memberships if found.portfolio.key == key), None)
    if membership is None:
        raise Http404(_("No portfolio found."))
    if not role_allows(membership.role, min_role):
        raise PermissionDenied(
            _("Your role in “%(portfolio)s” is %(role)s; this action needs %(needed)s.")
            % {
                "portfolio": membership.portfolio,
                "role": Role(membership.role).label,
                "needed": Role(min_role).label,
            }
        )
    return PortfolioAccess(portfolio=membership.portfolio, role=Role(membership.role),
                           team_id=membership.team_id)
