"""Schemas of the service resources, and the reads that fill them in a fixed number of queries."""

from datetime import datetime
from typing import Annotated

from django.db.models import Case, Prefetch, QuerySet, When
from django.db.models.functions import Lower
from ninja import Field, Schema

from portfolio.analysis import AnalysisResult
from portfolio.api.etag import service_etag
from portfolio.api.schemas import FindingCounts, TeamRef
from portfolio.api.types import KEY_PATTERN, Id, Text
from portfolio.models import PatternAssignment, RaciRole, Responsibility, Service, ServiceStatus
from portfolio.text import MAX_TEXT_LENGTH

ServiceKey = Annotated[str, Field(min_length=1, max_length=60, pattern=KEY_PATTERN)]
Name = Annotated[Text, Field(min_length=1, max_length=200)]
Description = Annotated[Text, Field(max_length=MAX_TEXT_LENGTH)]
FactorKey = Annotated[str, Field(min_length=1, max_length=60, pattern=KEY_PATTERN)]
# An empty answer leaves the factor unanswered.
Answer = Annotated[str, Field(max_length=60, pattern=r"^[^\x00-\x1f\x7f-\x9f]*$")]

NO_FINDINGS = {"error": 0, "warning": 0, "info": 0}


class AssignmentOut(Schema):
    pattern: str = Field(description="Key of the value chain pattern.")
    pattern_name: str
    activities: list[str] = Field(description="Lifecycle activities the pattern governs on this service.")


class CellOut(Schema):
    """One RACI cell of the service."""

    activity: str
    team: TeamRef
    role: RaciRole


class ServiceOut(Schema):
    key: str
    name: str
    description: str
    status: ServiceStatus
    owner: TeamRef | None
    context: dict[str, str] = Field(description="Decision factor key to the chosen option key.")
    updated_at: datetime
    etag: str = Field(description="The service's current ETag, for If-Match on PUT, PATCH and DELETE.")
    patterns: list[AssignmentOut]
    raci: list[CellOut]
    findings: FindingCounts


class ServiceIn(Schema):
    """A whole service for POST and PUT; a field left out takes its default."""

    key: ServiceKey
    name: Name
    description: Description = ""
    status: ServiceStatus = ServiceStatus.LIVE
    owner: Id | None = Field(None, description="Id of the owning team, or null for none.")
    context: dict[FactorKey, Answer] = Field(default_factory=dict)


class ServicePatch(Schema):
    """The fields to change; every field is optional, and only `owner` may be null (no owner)."""

    key: ServiceKey = None
    name: Name = None
    description: Description = None
    status: ServiceStatus = None
    owner: Id | None = None
    context: dict[FactorKey, Answer] = None


def services_for_output() -> QuerySet[Service]:
    """Services with owner, pattern mix and RACI cells: one query for the rows, two for their children."""
    assignments = PatternAssignment.objects.select_related("pattern").order_by("pattern__position")
    role_order = Case(*(When(role=role, then=position) for position, role in enumerate("ARCI")))
    cells = (Responsibility.objects.select_related("team")
             .order_by("activity__position", role_order, Lower("team__name"), "team_id"))
    return (Service.objects.select_related("owner")
            .prefetch_related(Prefetch("assignments", queryset=assignments),
                              Prefetch("responsibilities", queryset=cells))
            .order_by(Lower("name"), "key"))


def service_out(service: Service, result: AnalysisResult) -> dict:
    """Return the ServiceOut fields of a service read through `services_for_output`."""
    owner = service.owner
    return {
        "key": service.key,
        "name": service.name,
        "description": service.description,
        "status": service.status,
        "owner": {"id": owner.pk, "name": owner.name} if owner else None,
        "context": _context(service.context),
        "updated_at": service.updated_at,
        "etag": service_etag(service),
        "patterns": [
            {"pattern": row.pattern_id, "pattern_name": row.pattern.name, "activities": list(row.activities)}
            for row in service.assignments.all()
        ],
        "raci": [
            {"activity": cell.activity_id, "team": {"id": cell.team_id, "name": cell.team.name},
             "role": cell.role}
            for cell in service.responsibilities.all()
        ],
        "findings": result.counts_by_service.get(service.key, NO_FINDINGS),
    }


def _context(context) -> dict[str, str]:
    # The column is JSON: keep the schema's promise of string answers whatever was stored.
    if not isinstance(context, dict):
        return {}
    return {str(factor): str(answer) for factor, answer in context.items()}
