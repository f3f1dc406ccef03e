"""Writes to a portfolio: each function is one transaction that validates before it saves.

Bad input raises ValidationError keyed by field, with a sentence that names the
objects involved; nothing is written in that case. Every successful change is
logged at INFO with the ids involved. `Portfolio.revision` moves through the
model signals, so callers that analyse the portfolio afterwards must reload it.
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patterns.models import Expectation, LifecycleActivity, Pattern
from portfolio.models import (
    PatternAssignment,
    Portfolio,
    RaciRole,
    Responsibility,
    Service,
    ServiceStatus,
    Team,
)
from portfolio.text import normalise_name

logger = logging.getLogger(__name__)

SERVICE_EDITABLE_FIELDS = ("key", "name", "description", "status", "owner")


def service_create(
    *,
    portfolio: Portfolio,
    key: str,
    name: str,
    status: str = ServiceStatus.LIVE,
    owner: Team | None = None,
    description: str = "",
) -> Service:
    # Normalised before full_clean() because the key validator runs before Service.clean().
    service = Service(
        portfolio=portfolio, key=normalise_name(key), name=normalise_name(name), status=status, owner=owner,
        description=description,
    )
    with transaction.atomic():
        _check_team_portfolio(owner, portfolio, field="owner")
        _check_service_key_free(service)
        service.full_clean()
        service.save()
    logger.info("Created service %s (%s) in portfolio %s", service.pk, service.key, portfolio.pk)
    return service


def service_update(*, service: Service, expected_updated_at: datetime | None = None, **fields) -> Service:
    """Change the given fields of `service`; only SERVICE_EDITABLE_FIELDS may be passed.

    With `expected_updated_at` (the `updated_at` the editor saw), a service that
    someone else saved in between is not overwritten and ValidationError is raised.
    On any ValidationError the instance keeps the values it had before the call.
    """
    unknown = sorted(set(fields) - set(SERVICE_EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"service_update() got fields it cannot change: {', '.join(unknown)}")
    before = {name: getattr(service, name) for name in fields}
    try:
        with transaction.atomic():
            if expected_updated_at is not None:
                _check_unchanged(service, expected_updated_at)
            for name, value in fields.items():
                setattr(service, name, normalise_name(value) if name in ("key", "name") else value)
            if "owner" in fields:
                _check_team_portfolio(service.owner, service.portfolio, field="owner")
            if "key" in fields:
                _check_service_key_free(service)
            service.full_clean()
            service.save()
    except ValidationError:
        for name, value in before.items():
            setattr(service, name, value)
        raise
    logger.info("Updated service %s: %s", service.pk, ", ".join(sorted(fields)))
    return service


def _check_unchanged(service: Service, expected_updated_at: datetime) -> None:
    current = Service.objects.select_for_update().filter(pk=service.pk).values_list("updated_at", flat=True)
    saved_at = current.first()
    if saved_at != expected_updated_at:
        raise ValidationError(
            _("Someone else changed “%(service)s” after you opened it; reload the page to see their "
              "change, then apply yours again.") % {"service": service},
            code="conflict",
        )


def service_assign_pattern(
    *, service: Service, pattern_key: str, activities: Iterable[str] | None = None
) -> PatternAssignment:
    """Assign a pattern to `service`, governing `activities` (default: all in the pattern's scope)."""
    pattern = Pattern.objects.filter(key=pattern_key).first()
    if pattern is None:
        raise _invalid("pattern", _("Unknown pattern “%(key)s”."), key=pattern_key)
    scope = list(
        Expectation.objects.filter(pattern=pattern)
        .order_by("activity__position")
        .values_list("activity_id", flat=True)
    )
    if activities is None:
        governed = scope
    else:
        requested = set(activities)
        outside = sorted(requested - set(scope))
        if outside:
            raise _invalid("activities", _("The pattern “%(pattern)s” does not cover %(activities)s; "
                                           "choose among %(scope)s."),
                           pattern=pattern, activities=", ".join(outside), scope=", ".join(scope))
        governed = [key for key in scope if key in requested]
    if not governed:
        raise _invalid("activities", _("Choose at least one activity for “%(pattern)s”."), pattern=pattern)

    with transaction.atomic():
        if PatternAssignment.objects.filter(service=service, pattern=pattern).exists():
            raise _invalid("pattern", _("The pattern “%(pattern)s” is already assigned to “%(service)s”."),
                           pattern=pattern, service=service)
        assignment = PatternAssignment(service=service, pattern=pattern, activities=governed)
        assignment.full_clean()
        assignment.save()
    logger.info("Assigned pattern %s to service %s (activities: %s)",
                pattern.key, service.pk, ",".join(governed))
    return assignment


def service_remove_pattern(*, service: Service, pattern_key: str) -> None:
    with transaction.atomic():
        assignment = PatternAssignment.objects.filter(service=service, pattern_id=pattern_key).first()
        if assignment is None:
            raise _invalid("pattern", _("The pattern “%(key)s” is not assigned to “%(service)s”."),
                           key=pattern_key, service=service)
        _delete_child(assignment, service)
    logger.info("Removed pattern %s from service %s", pattern_key, service.pk)


def responsibility_set_accountable(
    *, service: Service, activity_key: str, team: Team | None
) -> Responsibility | None:
    """Make `team` the one accountable team for an activity of `service`; None clears it.

    Every other accountable row for that service and activity is deleted, so the
    result has at most one accountable team whatever the state before.
    """
    activity = _activity_or_error(activity_key)
    _check_team_portfolio(team, service.portfolio, field="team")
    with transaction.atomic():
        current = list(
            Responsibility.objects.filter(service=service, activity=activity, role=RaciRole.ACCOUNTABLE)
        )
        keep = next((row for row in current if team is not None and row.team_id == team.pk), None)
        for row in current:
            if row is not keep:
                _delete_child(row, service)
        if keep is not None or team is None:
            result = keep
        else:
            result = Responsibility(service=service, activity=activity, team=team, role=RaciRole.ACCOUNTABLE)
            result.full_clean()
            result.save()
    logger.info("Set accountable team for service %s, activity %s: %s",
                service.pk, activity.key, team.pk if team else None)
    return result


def responsibility_toggle(*, service: Service, activity_key: str, team: Team, role: str) -> bool:
    """Add the R, C or I cell for `team` if it is missing, else delete it; return True if it now exists.

    The accountable role has its own function because an activity may have only one.
    """
    if role not in (RaciRole.RESPONSIBLE, RaciRole.CONSULTED, RaciRole.INFORMED):
        raise _invalid("role", _("Choose responsible, consulted or informed; “%(role)s” is not one of them."),
                       role=role)
    activity = _activity_or_error(activity_key)
    _check_team_portfolio(team, service.portfolio, field="team")
    with transaction.atomic():
        cells = Responsibility.objects.filter(service=service, activity=activity, team=team, role=role)
        existing = cells.first()
        if existing is not None:
            _delete_child(existing, service)
        else:
            cell = Responsibility(service=service, activity=activity, team=team, role=role)
            cell.full_clean()
            cell.save()
    logger.info("Toggled role %s of team %s for service %s, activity %s: %s",
                role, team.pk, service.pk, activity.key, "removed" if existing else "added")
    return existing is None


def _invalid(field: str, message: str, **params) -> ValidationError:
    """Build a ValidationError for `field` whose message is `message` filled with `params`."""
    logger.debug("Rejected write: invalid %s", field)
    return ValidationError({field: ValidationError(message % params, code="invalid")})


def _delete_child(row: PatternAssignment | Responsibility, service: Service) -> None:
    # With the service cached on the row, the revision signal reads its portfolio id
    # without another query.
    row.service = service
    row.delete()


def _activity_or_error(activity_key: str) -> LifecycleActivity:
    activity = LifecycleActivity.objects.filter(key=activity_key).first()
    if activity is None:
        raise _invalid("activity", _("Unknown lifecycle activity “%(key)s”."), key=activity_key)
    return activity


def _check_team_portfolio(team: Team | None, portfolio: Portfolio, *, field: str) -> None:
    if team is not None and team.portfolio_id != portfolio.pk:
        raise _invalid(field, _("Team “%(team)s” belongs to another portfolio, not to “%(portfolio)s”."),
                       team=team, portfolio=portfolio)


def _check_service_key_free(service: Service) -> None:
    key = service.key
    clash = Service.objects.filter(portfolio_id=service.portfolio_id, key=key).exclude(pk=service.pk)
    if key and clash.exists():
        raise _invalid("key", _("A service with the key “%(key)s” already exists in “%(portfolio)s”; "
                                "choose another key."), key=key, portfolio=service.portfolio)
