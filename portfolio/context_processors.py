"""Template context shared by every page."""

from functools import cached_property

from portfolio.models import Membership
from portfolio.selectors import memberships_for_user


class PortfolioSwitcher:
    """The signed-in user's memberships for the header's portfolio switcher, read on first use.

    `portfolio_for_request` has usually read them already, in the query that
    checks access, and then they cost nothing. Otherwise the first use costs
    one query, and a template that never shows the switcher (an htmx fragment,
    for one) costs none.
    """

    def __init__(self, request):
        self._request = request

    @cached_property
    def memberships(self) -> list[Membership]:
        memberships = getattr(self._request, "portfolio_memberships", None)
        if memberships is not None:
            return memberships
        user = self._request.user
        return memberships_for_user(user) if user.is_authenticated else []


def portfolio_switcher(request) -> dict:
    return {"portfolio_switcher": PortfolioSwitcher(request)}
