"""Template context shared by every page."""

from functools import cached_property

from portfolio.models import Membership
from portfolio.selectors import memberships_for_user


class PortfolioSwitcher:
    """The signed-in user's memberships for the header's portfolio switcher, read on first use.

    Only templates that show the switcher read `memberships`, so a page costs one
    query for it and an htmx fragment none.
    """

    def __init__(self, user):
        self._user = user

    @cached_property
    def memberships(self) -> list[Membership]:
        if not self._user.is_authenticated:
            return []
        return memberships_for_user(self._user)


def portfolio_switcher(request) -> dict:
    return {"portfolio_switcher": PortfolioSwitcher(request.user)}
