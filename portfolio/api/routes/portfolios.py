"""Portfolios the user is a member of, with the user's role and the current finding counts."""

from datetime import datetime

from django.db.models.functions import Lower
from ninja import Router, Schema
from ninja.pagination import paginate

from portfolio.analysis import analyse_portfolio
from portfolio.api.access import member_access
from portfolio.api.pagination import Pagination
from portfolio.api.schemas import FindingCounts, responses
from portfolio.api.types import KeyPath
from portfolio.models import Membership, Role

router = Router(tags=["portfolios"])


class PortfolioSummaryOut(Schema):
    key: str
    name: str
    description: str
    role: Role
    revision: int


class PortfolioOut(PortfolioSummaryOut):
    min_capability_level: int
    disabled_rules: list[str]
    created_at: datetime
    findings: FindingCounts


@router.get("/portfolios", response=responses({200: list[PortfolioSummaryOut]}),
            summary="List the portfolios you are a member of")
@paginate(Pagination)
def list_portfolios(request):
    memberships = (Membership.objects.filter(user=request.user).select_related("portfolio")
                   .order_by(Lower("portfolio__name"), "portfolio__key"))
    return [_summary(membership.portfolio, membership.role) for membership in memberships]


@router.get("/portfolios/{key}", response=responses({200: PortfolioOut}), summary="Read one portfolio")
def get_portfolio(request, key: KeyPath):
    access = member_access(request, key)
    portfolio = access.portfolio
    return {
        **_summary(portfolio, access.role),
        "min_capability_level": portfolio.min_capability_level,
        "disabled_rules": list(portfolio.disabled_rules or []),
        "created_at": portfolio.created_at,
        "findings": analyse_portfolio(portfolio).counts,
    }


def _summary(portfolio, role) -> dict:
    return {"key": portfolio.key, "name": portfolio.name, "description": portfolio.description,
            "role": role, "revision": portfolio.revision}
