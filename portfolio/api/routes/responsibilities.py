"""The RACI: list a portfolio's cells, give a team a role for an activity of a service, take it away.

A cell is addressed by service, lifecycle activity, team and role. PUT and
DELETE are idempotent: asking for the state a cell already has changes
nothing. Giving A (accountable) makes the team the only accountable team of
that activity, as the service editor does.
"""

from django.db import transaction
from django.db.models import Case, When
from django.db.models.functions import Lower
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from patterns.models import LifecycleActivity
from portfolio.api.access import Role, member_access, service_or_404, team_or_404
from portfolio.api.pagination import ConvertedPages, Pagination
from portfolio.api.routes.service_schemas import CellOut
from portfolio.api.schemas import TeamRef, responses, write_responses
from portfolio.api.types import Id, IdPath, Key, KeyPath
from portfolio.models import RaciRole, Responsibility, Team
from portfolio.services import responsibility_set_role

router = Router(tags=["responsibilities"])


class ResponsibilityOut(Schema):
    service: str = Field(description="Key of the service.")
    activity: str
    team: TeamRef
    role: RaciRole


class ActivityCellsOut(Schema):
    """The RACI cells of one activity of a service after a write."""

    service: str
    activity: str
    changed: bool = Field(description="False when the cell already had the state asked for.")
    cells: list[CellOut]


class ResponsibilityFilters(Schema):
    service: Key | None = Field(None, description="Key of the service.")
    activity: Key | None = Field(None, description="Key of the lifecycle activity.")
    team: Id | None = Field(None, description="Id of the team.")
    role: RaciRole | None = None


@router.get("/portfolios/{key}/responsibilities", response=responses({200: list[ResponsibilityOut]}),
            summary="List RACI cells, ordered by service, activity and role")
@paginate(Pagination)
def list_responsibilities(request, key: KeyPath, filters: Query[ResponsibilityFilters]):
    access = member_access(request, key)
    role_order = Case(*(When(role=role, then=position) for position, role in enumerate("ARCI")))
    cells = (Responsibility.objects.filter(service__portfolio=access.portfolio)
             .select_related("service", "team")
             .order_by(Lower("service__name"), "service__key", "activity__position", role_order,
                       Lower("team__name"), "team_id"))
    if filters.service:
        cells = cells.filter(service__key=filters.service)
    if filters.activity:
        cells = cells.filter(activity_id=filters.activity)
    if filters.team:
        cells = cells.filter(team_id=filters.team)
    if filters.role:
        cells = cells.filter(role=filters.role)
    return ConvertedPages(cells, lambda rows: [
        {"service": cell.service.key, "activity": cell.activity_id,
         "team": {"id": cell.team_id, "name": cell.team.name}, "role": cell.role}
        for cell in rows
    ])


CELL_PATH = "/portfolios/{key}/services/{service_key}/responsibilities/{activity}/{team_id}/{role}"


@router.put(CELL_PATH, response=write_responses({200: ActivityCellsOut}),
            summary="Give a team a RACI role for an activity of a service (A replaces the accountable team)")
def hold_role(request, key: KeyPath, service_key: KeyPath, activity: KeyPath, team_id: IdPath,
              role: RaciRole):
    return _set(request, key, service_key, activity, team_id, role, held=True)


@router.delete(CELL_PATH, response=write_responses({204: None}),
               summary="Take a RACI role for an activity of a service away from a team")
def drop_role(request, key: KeyPath, service_key: KeyPath, activity: KeyPath, team_id: IdPath,
              role: RaciRole):
    _set(request, key, service_key, activity, team_id, role, held=False)
    return Status(204, None)


def _set(request, key, service_key, activity, team_id, role, *, held: bool) -> dict:
    access = member_access(request, key, Role.EDITOR)
    with transaction.atomic():
        service = service_or_404(access, service_key)
        team = team_or_404(access, team_id)
        if not LifecycleActivity.objects.filter(key=activity).exists():
            raise Http404(_("No lifecycle activity with the key “%(key)s”.") % {"key": activity})
        change = responsibility_set_role(service=service, activity_key=activity, team=team, role=role,
                                         held=held)
    names = dict(Team.objects.filter(pk__in={team_id for team_id, _role in change.after})
                 .values_list("pk", "name"))
    order = {role: position for position, role in enumerate("ARCI")}
    cells = sorted(change.after, key=lambda cell: (order[cell[1]], names.get(cell[0], "").lower(), cell[0]))
    return {
        "service": service.key,
        "activity": change.activity,
        "changed": change.changed,
        "cells": [{"activity": change.activity, "team": {"id": team_id, "name": names.get(team_id, "")},
                   "role": role} for team_id, role in cells],
    }
