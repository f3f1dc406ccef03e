"""Practice adoption: the portfolio's status, capability level and owning team for each practice.

Every practice of the library is listed; one the portfolio has not recorded
reads as not adopted, with `recorded` false.
"""

from typing import Annotated

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from patterns.models import Practice, PracticeCategory
from portfolio.api.access import Role, member_access, team_for_field
from portfolio.api.pagination import ConvertedPages, Pagination
from portfolio.api.schemas import TeamRef, responses, write_responses
from portfolio.api.types import Id, KeyPath
from portfolio.models import AdoptionStatus, PracticeAdoption
from portfolio.services import practice_adoption_set

router = Router(tags=["practices"])

CapabilityLevel = Annotated[int, Field(ge=1, le=5)]


class AdoptionOut(Schema):
    practice: str = Field(description="Key of the management practice.")
    practice_name: str
    category: PracticeCategory
    recorded: bool = Field(description="False when the portfolio has no record for the practice yet.")
    status: AdoptionStatus
    capability_level: int | None
    owner: TeamRef | None


class AdoptionIn(Schema):
    status: AdoptionStatus
    capability_level: CapabilityLevel | None = Field(None, description="1 (initial) to 5 (optimised).")
    owner: Id | None = Field(None, description="Id of the owning team, or null for none.")


class AdoptionFilters(Schema):
    status: AdoptionStatus | None = Field(None, description="Only practices with this status.")


@router.get("/portfolios/{key}/practices", response=responses({200: list[AdoptionOut]}),
            summary="List every practice with the portfolio's adoption")
@paginate(Pagination)
def list_adoptions(request, key: KeyPath, filters: Query[AdoptionFilters]):
    access = member_access(request, key)
    practices = Practice.objects.order_by("name")
    if filters.status == AdoptionStatus.NOT_ADOPTED:
        adopted = PracticeAdoption.objects.filter(portfolio=access.portfolio).exclude(status=filters.status)
        practices = practices.exclude(key__in=adopted.values("practice_id"))
    elif filters.status:
        chosen = PracticeAdoption.objects.filter(portfolio=access.portfolio, status=filters.status)
        practices = practices.filter(key__in=chosen.values("practice_id"))
    return ConvertedPages(practices, lambda rows: _adoptions(access.portfolio, rows))


@router.get("/portfolios/{key}/practices/{practice_key}", response=responses({200: AdoptionOut}),
            summary="Read the portfolio's adoption of one practice")
def get_adoption(request, key: KeyPath, practice_key: KeyPath):
    access = member_access(request, key)
    return _adoptions(access.portfolio, [_practice_or_404(practice_key)])[0]


@router.put("/portfolios/{key}/practices/{practice_key}", response=write_responses({200: AdoptionOut}),
            summary="Record the portfolio's status, capability level and owning team for a practice")
def put_adoption(request, key: KeyPath, practice_key: KeyPath, payload: AdoptionIn):
    access = member_access(request, key, Role.EDITOR)
    practice = _practice_or_404(practice_key)
    with transaction.atomic():
        owner = team_for_field(access, payload.owner, "owner")
        practice_adoption_set(portfolio=access.portfolio, practice_key=practice.key, status=payload.status,
                              capability_level=payload.capability_level, owner=owner)
    return _adoptions(access.portfolio, [practice])[0]


def _practice_or_404(practice_key: str) -> Practice:
    practice = Practice.objects.filter(key=practice_key).first()
    if practice is None:
        raise Http404(_("No practice with the key “%(key)s” in the library.") % {"key": practice_key})
    return practice


def _adoptions(portfolio, practices: list[Practice]) -> list[dict]:
    """Return the AdoptionOut fields of `practices` in `portfolio`, in one query."""
    rows = (PracticeAdoption.objects.filter(portfolio=portfolio, practice_id__in=[p.key for p in practices])
            .select_related("owner"))
    by_practice = {row.practice_id: row for row in rows}
    items = []
    for practice in practices:
        row = by_practice.get(practice.key)
        items.append({
            "practice": practice.key,
            "practice_name": practice.name,
            "category": practice.category,
            "recorded": row is not None,
            "status": row.status if row else AdoptionStatus.NOT_ADOPTED,
            "capability_level": row.capability_level if row else None,
            "owner": {"id": row.owner.pk, "name": row.owner.name} if row and row.owner else None,
        })
    return items
