"""Services: list with filters, read, create, replace (PUT), change (PATCH) and delete.

PUT and PATCH need `If-Match` with the ETag of the last read: without it they
get 428, with an ETag that is no longer current 412, and nothing changes.
DELETE takes If-Match too, but does not require it. Writes go through
`portfolio.services`, the functions the service editor uses, in one
transaction each.
"""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from portfolio.analysis import Level, analyse_portfolio
from portfolio.api.access import Role, member_access, service_or_404, team_for_field
from portfolio.api.errors import PRECONDITION_FAILED, PRECONDITION_REQUIRED
from portfolio.api.etag import optional_version, required_version, service_etag, stale
from portfolio.api.pagination import ConvertedPages, Pagination
from portfolio.api.routes.service_schemas import (
    ServiceIn,
    ServiceOut,
    ServicePatch,
    service_out,
    services_for_output,
)
from portfolio.api.schemas import responses, write_responses
from portfolio.api.types import Id, Key, KeyPath, LevelName, Text
from portfolio.models import Service, ServiceStatus
from portfolio.services import EditConflict, service_create, service_delete, service_update

router = Router(tags=["services"])

IfMatch = Annotated[str | None, Header(
    None, alias="If-Match", description="The ETag of your last read of the service, or * for any version.")]
ETAG_HEADER = {"ETag": {"description": "The service's current ETag.", "schema": {"type": "string"}}}


class ServiceFilters(Schema):
    status: ServiceStatus | None = None
    owner: Id | None = Field(None, description="Id of the owning team.")
    pattern: Key | None = Field(None, description="Key of a pattern assigned to the service.")
    q: Text | None = Field(None, max_length=200, description="Part of the service's name or key.")
    findings: LevelName | None = Field(
        None, description="Only services with an unwaived finding at or above this level.")


@router.get("/portfolios/{key}/services", response=responses({200: list[ServiceOut]}),
            summary="List services with their pattern mix, RACI and finding counts")
@paginate(Pagination)
def list_services(request, key: KeyPath, filters: Query[ServiceFilters]):
    access = member_access(request, key)
    result = analyse_portfolio(access.portfolio)
    services = services_for_output().filter(portfolio=access.portfolio)
    if filters.status:
        services = services.filter(status=filters.status)
    if filters.owner:
        services = services.filter(owner_id=filters.owner)
    if filters.pattern:
        services = services.filter(assignments__pattern_id=filters.pattern)
    if filters.q and filters.q.strip():
        services = services.filter(Q(name__icontains=filters.q.strip()) | Q(key__icontains=filters.q.strip()))
    if filters.findings is not None:
        level = Level.from_label(filters.findings)
        services = services.filter(key__in={f.service for f in result.at_least(level) if f.service})
    return ConvertedPages(services, lambda rows: [service_out(row, result) for row in rows])


@router.get("/portfolios/{key}/services/{service_key}", response=responses({200: ServiceOut}),
            summary="Read one service", openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}})
def get_service(request, response: HttpResponse, key: KeyPath, service_key: KeyPath):
    access = member_access(request, key)
    return _output(access, service_key, response)


@router.post("/portfolios/{key}/services", response=write_responses({201: ServiceOut}),
             summary="Create a service", openapi_extra={"responses": {201: {"headers": ETAG_HEADER}}})
def create_service(request, response: HttpResponse, key: KeyPath, payload: ServiceIn):
    access = member_access(request, key, Role.EDITOR)
    with transaction.atomic():
        owner = team_for_field(access, payload.owner, "owner")
        service = service_create(portfolio=access.portfolio, key=payload.key, name=payload.name,
                                 status=payload.status, owner=owner, description=payload.description)
        if payload.context:
            service_update(service=service, context=payload.context)
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{service.key}")
    access.portfolio.refresh_revision()
    return Status(201, _output(access, service.key, response))


@router.put("/portfolios/{key}/services/{service_key}",
            response=write_responses({200: ServiceOut}, PRECONDITION_FAILED, PRECONDITION_REQUIRED),
            summary="Replace a service's fields (needs If-Match)",
            openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}})
def replace_service(request, response: HttpResponse, key: KeyPath, service_key: KeyPath, payload: ServiceIn,
                    if_match: IfMatch = None):
    return _update(request, response, key, service_key, if_match, payload.model_dump())


@router.patch("/portfolios/{key}/services/{service_key}",
              response=write_responses({200: ServiceOut}, PRECONDITION_FAILED, PRECONDITION_REQUIRED),
              summary="Change some of a service's fields (needs If-Match)",
              openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}})
def change_service(request, response: HttpResponse, key: KeyPath, service_key: KeyPath,
                   payload: ServicePatch, if_match: IfMatch = None):
    return _update(request, response, key, service_key, if_match, payload.model_dump(exclude_unset=True))


@router.delete("/portfolios/{key}/services/{service_key}",
               response=write_responses({204: None}, PRECONDITION_FAILED),
               summary="Delete a service with its pattern mix and RACI (If-Match optional)")
def delete_service(request, key: KeyPath, service_key: KeyPath, if_match: IfMatch = None):
    access = member_access(request, key, Role.EDITOR)
    with transaction.atomic():
        service = service_or_404(access, service_key, queryset=Service.objects.select_for_update())
        optional_version(if_match, service)
        service_delete(service=service)
    return Status(204, None)


def _update(request: HttpRequest, response: HttpResponse, key: str, service_key: str, if_match: str | None,
            fields: dict):
    access = member_access(request, key, Role.EDITOR)
    with transaction.atomic():
        service = service_or_404(access, service_key)
        expected = required_version(if_match, service)
        if "owner" in fields:
            fields["owner"] = team_for_field(access, fields["owner"], "owner")
        try:
            service_update(service=service, expected_updated_at=expected, **fields)
        except EditConflict as conflict:
            raise stale(conflict.current) from None
        except ValidationError as error:
            if getattr(error, "code", None) == "deleted":
                raise stale(None) from None
            raise
    access.portfolio.refresh_revision()
    return _output(access, service.key, response)


def _output(access, service_key: str, response: HttpResponse) -> dict:
    service = service_or_404(access, service_key, queryset=services_for_output())
    response["ETag"] = service_etag(service)
    return service_out(service, analyse_portfolio(access.portfolio))
