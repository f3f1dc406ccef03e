"""A service's pattern mix: assign a pattern or choose the activities it governs (PUT), remove it (DELETE)."""

from typing import Annotated

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from patterns.models import Expectation, Pattern
from portfolio.api.access import Role, member_access, service_or_404
from portfolio.api.routes.service_schemas import AssignmentOut
from portfolio.api.schemas import write_responses
from portfolio.api.types import Key, KeyPath
from portfolio.models import PatternAssignment
from portfolio.services import service_assign_pattern, service_remove_pattern, service_set_pattern_activities

router = Router(tags=["services"])

ASSIGNMENT_PATH = "/portfolios/{key}/services/{service_key}/patterns/{pattern_key}"


class AssignmentIn(Schema):
    activities: Annotated[list[Key], Field(max_length=20)] | None = Field(
        None, description="Lifecycle activities the pattern governs here; null for all in its scope.")


@router.put(ASSIGNMENT_PATH, response=write_responses({200: AssignmentOut, 201: AssignmentOut}),
            summary="Assign a pattern to a service, or choose the activities it governs there")
def put_assignment(request, key: KeyPath, service_key: KeyPath, pattern_key: KeyPath, payload: AssignmentIn):
    access = member_access(request, key, Role.EDITOR)
    with transaction.atomic():
        service = service_or_404(access, service_key)
        if not Pattern.objects.filter(key=pattern_key).exists():
            raise Http404(_("No pattern with the key “%(key)s” in the library.") % {"key": pattern_key})
        assigned = PatternAssignment.objects.filter(service=service, pattern_id=pattern_key).exists()
        if not assigned:
            service_assign_pattern(service=service, pattern_key=pattern_key, activities=payload.activities)
        else:
            activities = payload.activities
            if activities is None:
                activities = _scope(pattern_key)
            service_set_pattern_activities(service=service, pattern_key=pattern_key, activities=activities)
    row = PatternAssignment.objects.select_related("pattern").get(service=service, pattern_id=pattern_key)
    body = {"pattern": row.pattern_id, "pattern_name": row.pattern.name, "activities": list(row.activities)}
    return Status(200 if assigned else 201, body)


@router.delete(ASSIGNMENT_PATH, response=write_responses({204: None}),
               summary="Remove a pattern from a service")
def delete_assignment(request, key: KeyPath, service_key: KeyPath, pattern_key: KeyPath):
    access = member_access(request, key, Role.EDITOR)
    with transaction.atomic():
        service = service_or_404(access, service_key)
        if not PatternAssignment.objects.filter(service=service, pattern_id=pattern_key).exists():
            raise Http404(_("The pattern “%(pattern)s” is not assigned to “%(service)s”.")
                          % {"pattern": pattern_key, "service": service})
        service_remove_pattern(service=service, pattern_key=pattern_key)
    return Status(204, None)


def _scope(pattern_key: str) -> list[str]:
    return list(Expectation.objects.filter(pattern__key=pattern_key).order_by("activity__position")
                .values_list("activity_id", flat=True))
