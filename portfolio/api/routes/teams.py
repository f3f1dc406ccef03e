"""Teams of a portfolio: list, read, create, change and delete (editors write)."""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from patterns.models import PartyKind
from portfolio.api.access import Role, member_access, team_for_field, team_or_404
from portfolio.api.errors import input_error
from portfolio.api.pagination import Pagination
from portfolio.api.schemas import responses, write_responses
from portfolio.api.types import MAX_COUNT, Id, IdPath, KeyPath, Text
from portfolio.models import Team
from portfolio.services import team_create, team_delete, team_update

router = Router(tags=["teams"])

TeamName = Annotated[Text, Field(min_length=1, max_length=200)]
Contact = Annotated[Text, Field(max_length=200)]
MemberCount = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class TeamOut(Schema):
    id: int
    name: str
    party_kind: PartyKind
    contact: str
    member_count: int | None


class TeamIn(Schema):
    name: TeamName
    party_kind: PartyKind
    contact: Contact = ""
    member_count: MemberCount | None = None


class TeamPatch(Schema):
    """The fields to change; only `member_count` may be null (unknown)."""

    name: TeamName = None
    party_kind: PartyKind = None
    contact: Contact = None
    member_count: MemberCount | None = None


class TeamFilters(Schema):
    party_kind: PartyKind | None = None


class TeamDeleteParams(Schema):
    replacement: Id | None = Field(
        None, description="Id of the team that takes over the services, practices and RACI cells.")


@router.get("/portfolios/{key}/teams", response=responses({200: list[TeamOut]}), summary="List teams")
@paginate(Pagination)
def list_teams(request, key: KeyPath, filters: Query[TeamFilters]):
    access = member_access(request, key)
    teams = Team.objects.filter(portfolio=access.portfolio).order_by(Lower("name"), "pk")
    if filters.party_kind:
        teams = teams.filter(party_kind=filters.party_kind)
    return teams


@router.get("/portfolios/{key}/teams/{team_id}", response=responses({200: TeamOut}), summary="Read one team")
def get_team(request, key: KeyPath, team_id: IdPath):
    return team_or_404(member_access(request, key), team_id)


@router.post("/portfolios/{key}/teams", response=write_responses({201: TeamOut}), summary="Create a team")
def create_team(request, key: KeyPath, payload: TeamIn):
    access = member_access(request, key, Role.EDITOR)
    team = team_create(portfolio=access.portfolio, **payload.model_dump())
    return Status(201, team)


@router.patch("/portfolios/{key}/teams/{team_id}", response=write_responses({200: TeamOut}),
              summary="Change some of a team's fields")
def change_team(request, key: KeyPath, team_id: IdPath, payload: TeamPatch):
    access = member_access(request, key, Role.EDITOR)
    with transaction.atomic():
        team = team_or_404(access, team_id)
        return team_update(team=team, **payload.model_dump(exclude_unset=True))


@router.delete("/portfolios/{key}/teams/{team_id}", response=write_responses({204: None}),
               summary="Delete a team, handing its work to a replacement team")
def delete_team(request, key: KeyPath, team_id: IdPath, params: Query[TeamDeleteParams]):
    access = member_access(request, key, Role.EDITOR)
    with transaction.atomic():
        team = team_or_404(access, team_id)
        replacement = team_for_field(access, params.replacement, "replacement", "query")
        try:
            team_delete(team=team, replacement=replacement)
        except ValidationError as error:
            raise input_error(error, "query") from None
    return Status(204, None)
