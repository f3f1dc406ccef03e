"""Waivers: accepted findings with justification, approver and expiry. Only owners accept or revoke.

`state` tells whether a waiver applies: `in_force` while its date has not
passed and its finding occurs, `expired` after its date (the finding counts
again), `obsolete` when its finding no longer occurs.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from portfolio.analysis import analyse_portfolio
from portfolio.api.access import Role, member_access
from portfolio.api.pagination import ConvertedPages, Pagination
from portfolio.api.schemas import responses, write_responses
from portfolio.api.types import KEY_PATTERN, IdPath, KeyPath, Text
from portfolio.models import Waiver
from portfolio.text import MAX_TEXT_LENGTH
from portfolio.waivers import waiver_accept, waiver_revoke

router = Router(tags=["waivers"])

WaiverState = Literal["in_force", "expired", "obsolete"]


class WaiverOut(Schema):
    id: int
    code: str
    subject: str
    justification: str
    approver: str
    expires_on: date = Field(description="The last day the waiver applies.")
    accepted_by: str = Field(description="User name of the owner who accepted the finding.")
    created_at: datetime
    state: WaiverState


class WaiverIn(Schema):
    code: Annotated[str, Field(min_length=1, max_length=20, pattern=KEY_PATTERN)]
    subject: Annotated[Text, Field(min_length=1, max_length=400)] = Field(
        description="The finding's subject, as the findings list returns it.")
    justification: Annotated[Text, Field(max_length=MAX_TEXT_LENGTH)]
    approver: Annotated[Text, Field(max_length=200)]
    expires_on: date = Field(description="After today and at most two years ahead.")


class WaiverFilters(Schema):
    state: WaiverState | None = None


@router.get("/portfolios/{key}/waivers", response=responses({200: list[WaiverOut]}),
            summary="List waivers, ordered by code and subject")
@paginate(Pagination)
def list_waivers(request, key: KeyPath, filters: Query[WaiverFilters]):
    access = member_access(request, key)
    states = _states(access.portfolio)
    waivers = Waiver.objects.filter(portfolio=access.portfolio).select_related("accepted_by").order_by(
        "code", "subject")
    if filters.state == "in_force":
        waivers = waivers.exclude(pk__in=list(states))
    elif filters.state:
        waivers = waivers.filter(pk__in=[pk for pk, state in states.items() if state == filters.state])
    return ConvertedPages(waivers, lambda rows: [_waiver_out(row, states) for row in rows])


@router.get("/portfolios/{key}/waivers/{waiver_id}", response=responses({200: WaiverOut}),
            summary="Read one waiver")
def get_waiver(request, key: KeyPath, waiver_id: IdPath):
    access = member_access(request, key)
    return _waiver_out(_waiver_or_404(access.portfolio, waiver_id), _states(access.portfolio))


@router.post("/portfolios/{key}/waivers", response=write_responses({201: WaiverOut}),
             summary="Accept a finding until a date (owners only)")
def create_waiver(request, key: KeyPath, payload: WaiverIn):
    access = member_access(request, key, Role.OWNER)
    waiver = waiver_accept(portfolio=access.portfolio, user=request.user, **payload.model_dump())
    access.portfolio.refresh_revision()
    return Status(201, _waiver_out(waiver, _states(access.portfolio)))


@router.delete("/portfolios/{key}/waivers/{waiver_id}", response=write_responses({204: None}),
               summary="Revoke a waiver, so that its finding counts again (owners only)")
def delete_waiver(request, key: KeyPath, waiver_id: IdPath):
    access = member_access(request, key, Role.OWNER)
    with transaction.atomic():
        waiver = _waiver_or_404(access.portfolio, waiver_id)
        waiver_revoke(portfolio=access.portfolio, user=request.user, waiver=waiver)
    return Status(204, None)


def _waiver_or_404(portfolio, waiver_id: int) -> Waiver:
    waiver = Waiver.objects.select_related("accepted_by").filter(portfolio=portfolio, pk=waiver_id).first()
    if waiver is None:
        raise Http404(_("No waiver with the id %(id)s in this portfolio.") % {"id": waiver_id})
    return waiver


def _states(portfolio) -> dict[int, str]:
    """Map the id of every waiver that no longer applies to its state; the others are in force.

    Reads the analysis at the portfolio's revision, so callers refresh the revision after a write.
    """
    result = analyse_portfolio(portfolio)
    states = {waiver.id: "expired" for waiver in result.expired_waivers}
    states.update({waiver.id: "obsolete" for waiver in result.obsolete_waivers})
    return states


def _waiver_out(waiver: Waiver, states: dict[int, str]) -> dict:
    return {
        "id": waiver.pk,
        "code": waiver.code,
        "subject": waiver.subject,
        "justification": waiver.justification,
        "approver": waiver.approver,
        "expires_on": waiver.expires_on,
        "accepted_by": waiver.accepted_by.get_username(),
        "created_at": waiver.created_at,
        "state": states.get(waiver.pk, "in_force"),
    }
