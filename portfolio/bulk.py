"""Bulk actions on selected services: assign a pattern, set the status or owning team, give a team a role.

`bulk_plan` reads what an action would change, for the confirmation step.
`bulk_apply` plans again with the selected services locked, then writes in one
transaction with set-based queries and raises the portfolio's revision once.
Both cost the same number of queries whatever the size of the selection.
Services that already are as the action would make them are skipped and
listed with the reason; nothing about them is written.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from patterns.models import Expectation, LifecycleActivity, Pattern
from portfolio.analysis.live import lock_portfolio
from portfolio.attestation import flag_change_set
from portfolio.history.recording import change_scope, current_change_set, history_kwargs, record_bulk
from portfolio.models import (
    ChangeKind,
    PatternAssignment,
    Portfolio,
    RaciRole,
    Responsibility,
    Service,
    ServiceStatus,
    Team,
)
from portfolio.signals import portfolio_bump_revision

logger = logging.getLogger(__name__)

# Maximum number of services one action takes; the list page selects at most one page of 50.
MAX_SELECTION = 500
# Maximum number of service names a message lists before it adds "and N more".
NAMES_IN_MESSAGE = 10


class BulkAction(StrEnum):
    ASSIGN_PATTERN = "assign_pattern"
    SET_STATUS = "set_status"
    SET_OWNER = "set_owner"
    GIVE_ROLE = "give_role"


@dataclass(frozen=True)
class BulkChange:
    """An action with its resolved arguments; `owner` None with SET_OWNER removes the owning team."""

    action: BulkAction
    pattern: Pattern | None = None
    status: str = ""
    owner: Team | None = None
    team: Team | None = None
    activity: LifecycleActivity | None = None
    role: str = ""


@dataclass(frozen=True)
class PlannedService:
    service: Service
    note: str = ""


@dataclass(frozen=True)
class SkippedService:
    service: Service
    reason: str


@dataclass
class BulkPlan:
    """The services an action changes and skips, and the rows to write for it."""

    change: BulkChange
    selected: int
    changes: list[PlannedService] = field(default_factory=list)
    skipped: list[SkippedService] = field(default_factory=list)
    missing: int = 0
    new_rows: list = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)
    delete_ids: list[int] = field(default_factory=list)


def bulk_change(
    *, portfolio: Portfolio, action: str, pattern_key: str = "", status: str = "",
    owner_id: int | None = None, team_id: int | None = None, activity_key: str = "", role: str = "",
) -> BulkChange:
    """Resolve an action's arguments, raising ValidationError keyed by field for a missing or unknown one."""
    action = BulkAction(action)
    if action == BulkAction.ASSIGN_PATTERN:
        pattern = Pattern.objects.filter(key=pattern_key).first()
        if pattern is None:
            raise _invalid("pattern", _("Choose a pattern to assign."))
        return BulkChange(action, pattern=pattern)
    if action == BulkAction.SET_STATUS:
        if status not in ServiceStatus.values:
            raise _invalid("status", _("Choose the status to set."))
        return BulkChange(action, status=status)
    if action == BulkAction.SET_OWNER:
        return BulkChange(action, owner=_team(portfolio, owner_id, "owner") if owner_id is not None else None)
    team = _team(portfolio, team_id, "team")
    activity = LifecycleActivity.objects.filter(key=activity_key).first()
    if activity is None:
        raise _invalid("activity", _("Choose the lifecycle activity."))
    if role not in RaciRole.values:
        raise _invalid("role", _("Choose the role: responsible, accountable, consulted or informed."))
    return BulkChange(action, team=team, activity=activity, role=role)


def bulk_plan(*, portfolio: Portfolio, service_ids: Iterable[int], change: BulkChange) -> BulkPlan:
    """Return what `change` would do to the selected services of `portfolio`, without writing."""
    ids = _check_selection(service_ids)
    return _PLANNERS[change.action](_selected(portfolio, ids), change, len(ids))


def bulk_apply(*, portfolio: Portfolio, service_ids: Iterable[int], change: BulkChange) -> BulkPlan:
    """Apply `change` to the selected services in one transaction and return what it did."""
    ids = _check_selection(service_ids)
    try:
        with change_scope(kind=ChangeKind.BULK, reason=describe(change)), transaction.atomic():
            lock_portfolio(portfolio.pk)
            plan = _PLANNERS[change.action](_selected(portfolio, ids, lock=True), change, len(ids))
            if plan.changes:
                _WRITERS[change.action](plan)
                flag_change_set(current_change_set(portfolio.pk))
                portfolio_bump_revision(portfolio.pk)
    except IntegrityError:
        # A write that does not lock the portfolio first (the admin's, say) came in between.
        logger.info("Bulk %s on portfolio %s collided with another change", change.action, portfolio.pk)
        raise ValidationError(
            _("Another change to some of these services was saved at the same moment. Nothing was changed; "
              "review the selection and apply again."),
            code="conflict",
        ) from None
    logger.info("Bulk %s on portfolio %s: %d changed, %d skipped, %d missing", change.action, portfolio.pk,
                len(plan.changes), len(plan.skipped), plan.missing)
    return plan


def describe(change: BulkChange) -> str:
    """Return the change as a sentence fragment after "will", such as "assign the pattern “X”"."""
    if change.action == BulkAction.ASSIGN_PATTERN:
        return _("assign the pattern “%(pattern)s”") % {"pattern": change.pattern.name}
    if change.action == BulkAction.SET_STATUS:
        return _("set the status to %(status)s") % {"status": ServiceStatus(change.status).label}
    if change.action == BulkAction.SET_OWNER:
        if change.owner is None:
            return _("remove the owning team")
        return _("make “%(team)s” the owning team") % {"team": change.owner.name}
    return _("make “%(team)s” %(role)s for %(activity)s") % _role_params(change)


def result_message(plan: BulkPlan) -> str:
    """Return the sentence that reports what `bulk_apply` changed."""
    count = len(plan.changes)
    change = plan.change
    if count == 0:
        return _("Nothing changed.")
    if change.action == BulkAction.ASSIGN_PATTERN:
        return ngettext("Assigned “%(pattern)s” to %(count)d service.",
                        "Assigned “%(pattern)s” to %(count)d services.", count) % {
            "pattern": change.pattern.name, "count": count}
    if change.action == BulkAction.SET_STATUS:
        return ngettext("Set the status of %(count)d service to %(status)s.",
                        "Set the status of %(count)d services to %(status)s.", count) % {
            "status": ServiceStatus(change.status).label, "count": count}
    if change.action == BulkAction.SET_OWNER and change.owner is None:
        return ngettext("Removed the owning team of %(count)d service.",
                        "Removed the owning team of %(count)d services.", count) % {"count": count}
    if change.action == BulkAction.SET_OWNER:
        return ngettext("Made “%(team)s” the owning team of %(count)d service.",
                        "Made “%(team)s” the owning team of %(count)d services.", count) % {
            "team": change.owner.name, "count": count}
    return ngettext("Made “%(team)s” %(role)s for %(activity)s on %(count)d service.",
                    "Made “%(team)s” %(role)s for %(activity)s on %(count)d services.", count) % {
        **_role_params(change), "count": count}


def skipped_message(plan: BulkPlan) -> str:
    """Return the sentence that names the skipped services and why, or "" when none was skipped."""
    parts = []
    if plan.skipped:
        count = len(plan.skipped)
        parts.append(ngettext("Skipped %(count)d service: %(names)s.",
                              "Skipped %(count)d services: %(names)s.", count) % {
            "count": count, "names": names_with_reasons(plan.skipped)})
    if plan.missing:
        parts.append(ngettext("%(count)d selected service no longer exists.",
                              "%(count)d selected services no longer exist.", plan.missing) % {
            "count": plan.missing})
    return " ".join(parts)


def names_with_reasons(skipped: list[SkippedService]) -> str:
    """List the first NAMES_IN_MESSAGE skipped services with their reasons, then how many more there are."""
    shown = [f"{item.service.name} ({item.reason})" for item in skipped[:NAMES_IN_MESSAGE]]
    rest = len(skipped) - len(shown)
    if rest:
        shown.append(ngettext("and %(count)d more", "and %(count)d more", rest) % {"count": rest})
    return ", ".join(shown)


# --- selection and arguments -------------------------------------------------------------------------------


def _check_selection(service_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(service_ids))
    if not ids:
        raise _invalid("services", _("Select at least one service."))
    if len(ids) > MAX_SELECTION:
        raise _invalid("services", _("Select at most %(max)d services at once; you selected %(count)d.")
                       % {"max": MAX_SELECTION, "count": len(ids)})
    return ids


def _selected(portfolio: Portfolio, ids: list[int], *, lock: bool = False) -> list[Service]:
    services = Service.objects.filter(portfolio=portfolio, pk__in=ids)
    if lock:
        # Lock the services only, not the owning teams that the join reads.
        services = services.select_for_update(of=("self",))
    return list(services.select_related("owner").order_by(Lower("name"), "key"))


def _team(portfolio: Portfolio, team_id: int | None, field_name: str) -> Team:
    team = Team.objects.filter(portfolio=portfolio, pk=team_id).first() if team_id is not None else None
    if team is None:
        raise _invalid(field_name, _("Choose a team of this portfolio."))
    return team


def _invalid(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: ValidationError(message, code="invalid")})


def _role_params(change: BulkChange) -> dict:
    return {"team": change.team.name, "role": RaciRole(change.role).label, "activity": change.activity.name}


# --- planners: one per action, each reading at most one more query -----------------------------------------


def _plan_pattern(services: list[Service], change: BulkChange, selected: int) -> BulkPlan:
    plan = BulkPlan(change, selected, missing=selected - len(services))
    having = set(PatternAssignment.objects.filter(service__in=services, pattern=change.pattern)
                 .values_list("service_id", flat=True))
    scope = list(Expectation.objects.filter(pattern=change.pattern).order_by("activity__position")
                 .values_list("activity_id", flat=True))
    for service in services:
        if service.pk in having:
            plan.skipped.append(SkippedService(service, _("already has the pattern")))
        else:
            plan.changes.append(PlannedService(service))
            plan.new_rows.append(PatternAssignment(service=service, pattern=change.pattern, activities=scope))
    return plan


def _plan_status(services: list[Service], change: BulkChange, selected: int) -> BulkPlan:
    plan = BulkPlan(change, selected, missing=selected - len(services))
    for service in services:
        if service.status == change.status:
            plan.skipped.append(SkippedService(service, _("already %(status)s") % {
                "status": ServiceStatus(change.status).label}))
        else:
            plan.changes.append(PlannedService(service, _("currently %(status)s") % {
                "status": service.get_status_display()}))
            plan.update_ids.append(service.pk)
    return plan


def _plan_owner(services: list[Service], change: BulkChange, selected: int) -> BulkPlan:
    plan = BulkPlan(change, selected, missing=selected - len(services))
    owner_id = change.owner.pk if change.owner is not None else None
    for service in services:
        if service.owner_id == owner_id:
            reason = _("already owned by this team") if owner_id else _("already without an owning team")
            plan.skipped.append(SkippedService(service, reason))
        else:
            note = _("currently no owning team")
            if service.owner is not None:
                note = _("currently %(team)s") % {"team": service.owner.name}
            plan.changes.append(PlannedService(service, note))
            plan.update_ids.append(service.pk)
    return plan


def _plan_role(services: list[Service], change: BulkChange, selected: int) -> BulkPlan:
    """Plan the role. An accountable team replaces the activity's current accountable teams.

    A service with an accountable row keeps that row with the new team, so one
    UPDATE serves all of them. Further accountable rows of the activity are deleted.
    """
    plan = BulkPlan(change, selected, missing=selected - len(services))
    cells = defaultdict(list)
    rows = (Responsibility.objects.filter(service__in=services, activity=change.activity, role=change.role)
            .select_related("team").order_by("pk"))
    for cell in rows:
        cells[cell.service_id].append(cell)
    accountable = change.role == RaciRole.ACCOUNTABLE
    for service in services:
        current = cells.get(service.pk, [])
        has_role = any(cell.team_id == change.team.pk for cell in current)
        if has_role and (not accountable or len(current) == 1):
            plan.skipped.append(SkippedService(service, _("the team already has this role")))
            continue
        others = [cell for cell in current if cell.team_id != change.team.pk]
        note = ""
        if accountable and others:
            note = _("replaces %(teams)s") % {"teams": ", ".join(cell.team.name for cell in others)}
            if not has_role:
                plan.update_ids.append(others.pop(0).pk)
            plan.delete_ids.extend(cell.pk for cell in others)
        else:
            plan.new_rows.append(Responsibility(service=service, activity=change.activity, team=change.team,
                                                role=change.role))
        plan.changes.append(PlannedService(service, note))
    return plan


# --- writers -----------------------------------------------------------------------------------------------


def _portfolio_id(plan: BulkPlan) -> int:
    return plan.changes[0].service.portfolio_id


def _write_pattern(plan: BulkPlan) -> None:
    bulk_create_with_history(plan.new_rows, PatternAssignment, **history_kwargs(_portfolio_id(plan)))


def _write_status(plan: BulkPlan) -> None:
    # bulk_update() skips auto_now, so updated_at is set here; editors who opened a service before
    # see the change as a conflict.
    services = [item.service for item in plan.changes]
    now = timezone.now()
    for service in services:
        service.status, service.updated_at = plan.change.status, now
    history = history_kwargs(_portfolio_id(plan))
    bulk_update_with_history(services, Service, ["status", "updated_at"], **history)


def _write_owner(plan: BulkPlan) -> None:
    services = [item.service for item in plan.changes]
    now = timezone.now()
    for service in services:
        service.owner, service.updated_at = plan.change.owner, now
        # An attestation was made for the previous owning team, so the new one has to review the mapping.
        service.mapping_review_needed = service.mapping_review_needed or service.attested_at is not None
    history = history_kwargs(_portfolio_id(plan))
    bulk_update_with_history(services, Service, ["owner", "updated_at", "mapping_review_needed"], **history)


def _write_role(plan: BulkPlan) -> None:
    if plan.delete_ids:
        # _raw_delete sends no post_delete signal, which would raise the revision once per row;
        # bulk_apply raises it once.
        cells = Responsibility.objects.filter(pk__in=plan.delete_ids)
        record_bulk(Responsibility, cells, "-", portfolio_id=_portfolio_id(plan))
        cells._raw_delete(cells.db)
    if plan.update_ids:
        cells = list(Responsibility.objects.filter(pk__in=plan.update_ids))
        for cell in cells:
            cell.team = plan.change.team
        bulk_update_with_history(cells, Responsibility, ["team"], **history_kwargs(_portfolio_id(plan)))
    if plan.new_rows:
        bulk_create_with_history(plan.new_rows, Responsibility, **history_kwargs(_portfolio_id(plan)))


_PLANNERS = {
    BulkAction.ASSIGN_PATTERN: _plan_pattern,
    BulkAction.SET_STATUS: _plan_status,
    BulkAction.SET_OWNER: _plan_owner,
    BulkAction.GIVE_ROLE: _plan_role,
}
_WRITERS = {
    BulkAction.ASSIGN_PATTERN: _write_pattern,
    BulkAction.SET_STATUS: _write_status,
    BulkAction.SET_OWNER: _write_owner,
    BulkAction.GIVE_ROLE: _write_role,
}
