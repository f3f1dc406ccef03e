"""Writes to a portfolio: each function is one transaction that validates before it saves.

Bad input raises ValidationError keyed by field, with a sentence that names the
objects involved; nothing is written in that case. A write based on data that
someone else changed after the editor read it raises EditConflict, also a
ValidationError, and writes nothing. Every successful change is logged at INFO
with the ids involved. `Portfolio.revision` moves through the model signals, or
through `portfolio_bump_revision` after bulk updates, so callers that analyse
the portfolio afterwards must reload it.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patterns.models import DecisionFactor, Expectation, LifecycleActivity, Pattern, Practice
from portfolio.analysis.live import lock_portfolio, service_write
from portfolio.attestation import flag_change_set, note_locked_attestation
from portfolio.history.recording import change_scope, current_change_set, current_kind, record_bulk
from portfolio.models import (
    Membership,
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    RaciRole,
    Responsibility,
    Service,
    ServiceStatus,
    Team,
)
from portfolio.signals import portfolio_bump_revision
from portfolio.text import normalise_name

logger = logging.getLogger(__name__)

SERVICE_EDITABLE_FIELDS = ("key", "name", "description", "status", "owner", "context")
TEAM_EDITABLE_FIELDS = ("name", "party_kind", "contact", "member_count")

# A RACI cell of one activity: (team id, role).
Cell = tuple[int, str]


class EditConflict(ValidationError):
    """A write rejected because someone else changed the same data after the editor read it.

    `current` is what is stored now: the Service for a service edit, the
    activity's cells for a RACI edit, the governed activities (or None when the
    pattern is not assigned) for a pattern assignment.
    """

    def __init__(self, message: str, *, current=None):
        super().__init__(message, code="conflict")
        self.current = current


@dataclass(frozen=True)
class CellChange:
    """The RACI cells of one activity of a service before and after a write."""

    activity: str
    before: frozenset[Cell]
    after: frozenset[Cell]

    @property
    def changed(self) -> bool:
        return self.before != self.after


# --- services ----------------------------------------------------------------------------------


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
    with transaction.atomic(), service_write(portfolio.pk, service):
        _check_team_portfolio(owner, portfolio, field="owner")
        _check_service_key_free(service)
        service.full_clean()
        service.save()
    logger.info("Created service %s (%s) in portfolio %s", service.pk, service.key, portfolio.pk)
    return service


def service_update(*, service: Service, expected_updated_at: datetime | None = None, **fields) -> Service:
    """Change the given fields of `service`; only SERVICE_EDITABLE_FIELDS may be passed.

    With `expected_updated_at` (the `updated_at` the editor saw), a service that
    someone else saved in between is not overwritten: EditConflict is raised with
    the stored service as `current`. `context` maps decision factor keys to
    option keys; an answer that differs from the stored one must be an option of
    its factor. On any ValidationError the instance keeps the values it had
    before the call.
    """
    unknown = sorted(set(fields) - set(SERVICE_EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"service_update() got fields it cannot change: {', '.join(unknown)}")
    before = {name: getattr(service, name) for name in fields}
    try:
        with transaction.atomic(), service_write(service.portfolio_id, service):
            if expected_updated_at is not None:
                _check_unchanged(service, expected_updated_at)
            if "context" in fields:
                fields["context"] = _checked_context(service.context, fields["context"])
            for name, value in fields.items():
                setattr(service, name, normalise_name(value) if name in ("key", "name") else value)
            if "owner" in fields:
                _check_team_portfolio(service.owner, service.portfolio, field="owner")
                if service.owner_id != getattr(before["owner"], "pk", None) and service.attested_at:
                    # The attestation was made for the previous owning team.
                    service.mapping_review_needed = True
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


def service_delete(*, service: Service) -> None:
    """Delete `service` with its pattern assignments and RACI cells."""
    service_id, key, portfolio_id = service.pk, service.key, service.portfolio_id
    with transaction.atomic(), service_write(portfolio_id, service):
        service.delete()
    logger.info("Deleted service %s (%s) of portfolio %s", service_id, key, portfolio_id)


def _check_unchanged(service: Service, expected_updated_at: datetime) -> None:
    current = Service.objects.select_for_update().filter(pk=service.pk).first()
    if current is None:
        raise ValidationError(_("“%(service)s” has been deleted by someone else.") % {"service": service},
                              code="deleted")
    if current.updated_at != expected_updated_at:
        raise EditConflict(
            _("Someone else changed “%(service)s” after you opened it; reload the page to see their "
              "change, then apply yours again.") % {"service": service},
            current=current,
        )


def _checked_context(stored, context) -> dict:
    """Return `context` without unanswered factors; raise for a changed answer that is not an option."""
    if not isinstance(context, dict):
        raise _invalid("context", _("The context must map decision factors to answers."))
    stored = stored if isinstance(stored, dict) else {}
    changed = {key: answer for key, answer in context.items() if answer and stored.get(key) != answer}
    factors = {factor.key: factor for factor in DecisionFactor.objects.filter(key__in=list(changed))}
    for key, answer in changed.items():
        factor = factors.get(key)
        if factor is None:
            raise _invalid("context", _("Unknown decision factor “%(key)s”."), key=key)
        options = [option["key"] for option in factor.options]
        if answer not in options:
            raise _invalid("context", _("“%(answer)s” is not an answer to “%(factor)s”; choose one of "
                                        "%(options)s."),
                           answer=answer, factor=factor.name, options=", ".join(options))
    return {key: answer for key, answer in context.items() if answer}


# --- pattern mix -------------------------------------------------------------------------------


def service_assign_pattern(
    *, service: Service, pattern_key: str, activities: Iterable[str] | None = None
) -> PatternAssignment:
    """Assign a pattern to `service`, governing `activities` (default: all in the pattern's scope)."""
    pattern = _pattern_or_error(pattern_key)
    governed = _governed_activities(pattern, activities)
    with transaction.atomic(), service_write(service.portfolio_id, service):
        if PatternAssignment.objects.filter(service=service, pattern=pattern).exists():
            raise _invalid("pattern", _("The pattern “%(pattern)s” is already assigned to “%(service)s”."),
                           pattern=pattern, service=service)
        assignment = PatternAssignment(service=service, pattern=pattern, activities=governed)
        assignment.full_clean()
        assignment.save()
    logger.info("Assigned pattern %s to service %s (activities: %s)",
                pattern.key, service.pk, ",".join(governed))
    return assignment


def service_remove_pattern(*, service: Service, pattern_key: str) -> list[str]:
    """Remove a pattern from `service`; return the activities it governed there."""
    with transaction.atomic(), service_write(service.portfolio_id, service):
        assignment = PatternAssignment.objects.filter(service=service, pattern_id=pattern_key).first()
        if assignment is None:
            raise _invalid("pattern", _("The pattern “%(key)s” is not assigned to “%(service)s”."),
                           key=pattern_key, service=service)
        _delete_child(assignment, service)
    logger.info("Removed pattern %s from service %s", pattern_key, service.pk)
    return list(assignment.activities)


def service_set_pattern_activities(
    *, service: Service, pattern_key: str, activities: Iterable[str]
) -> tuple[list[str], list[str]]:
    """Choose the activities an assigned pattern governs on `service`; return them before and after."""
    pattern = _pattern_or_error(pattern_key)
    governed = _governed_activities(pattern, activities)
    with transaction.atomic(), service_write(service.portfolio_id, service):
        assignment = (PatternAssignment.objects.select_for_update()
                      .filter(service=service, pattern=pattern).first())
        if assignment is None:
            raise _invalid("pattern", _("The pattern “%(pattern)s” is not assigned to “%(service)s”."),
                           pattern=pattern, service=service)
        before = list(assignment.activities)
        if before != governed:
            assignment.activities = governed
            assignment.service = service
            assignment.full_clean()
            assignment.save()
    logger.info("Set activities of pattern %s on service %s: %s", pattern.key, service.pk, ",".join(governed))
    return before, governed


def service_restore_assignment(
    *, service: Service, pattern_key: str, activities: list[str] | None, expected: list[str] | None
) -> None:
    """Put a pattern assignment back to `activities` (None: not assigned) if it is still `expected`.

    Undo uses this; EditConflict is raised when someone else changed the
    assignment after the write that is being undone.
    """
    pattern = _pattern_or_error(pattern_key)
    with transaction.atomic(), service_write(service.portfolio_id, service):
        assignment = (PatternAssignment.objects.select_for_update()
                      .filter(service=service, pattern=pattern).first())
        current = list(assignment.activities) if assignment else None
        if current != expected:
            raise EditConflict(
                _("Someone else changed the pattern “%(pattern)s” on “%(service)s” since; "
                  "nothing was undone.") % {"pattern": pattern, "service": service},
                current=current,
            )
        if activities is None:
            if assignment is not None:
                _delete_child(assignment, service)
        elif assignment is None:
            assignment = PatternAssignment(service=service, pattern=pattern,
                                           activities=_governed_activities(pattern, activities))
            assignment.full_clean()
            assignment.save()
        else:
            assignment.activities = _governed_activities(pattern, activities)
            assignment.service = service
            assignment.full_clean()
            assignment.save()
    logger.info("Restored pattern %s on service %s: %s", pattern.key, service.pk,
                ",".join(activities) if activities is not None else "removed")


def _pattern_or_error(pattern_key: str) -> Pattern:
    pattern = Pattern.objects.filter(key=pattern_key).first()
    if pattern is None:
        raise _invalid("pattern", _("Unknown pattern “%(key)s”."), key=pattern_key)
    return pattern


def _governed_activities(pattern: Pattern, activities: Iterable[str] | None) -> list[str]:
    """Return `activities` in lifecycle order after checking them against the pattern's scope."""
    scope = list(
        Expectation.objects.filter(pattern=pattern)
        .order_by("activity__position")
        .values_list("activity_id", flat=True)
    )
    if activities is None:
        return scope
    requested = set(activities)
    outside = sorted(requested - set(scope))
    if outside:
        raise _invalid("activities", _("The pattern “%(pattern)s” does not cover %(activities)s; "
                                       "choose among %(scope)s."),
                       pattern=pattern, activities=", ".join(outside), scope=", ".join(scope))
    governed = [key for key in scope if key in requested]
    if not governed:
        raise _invalid("activities", _("Choose at least one activity for “%(pattern)s”."), pattern=pattern)
    return governed


# --- RACI cells --------------------------------------------------------------------------------


def responsibility_set_role(
    *,
    service: Service,
    activity_key: str,
    team: Team,
    role: str,
    held: bool,
    expected_accountable: Iterable[int] | None = None,
    activity: LifecycleActivity | None = None,
) -> CellChange:
    """Give `team` the `role` for an activity of `service` (held=True) or take it away (held=False).

    The write is idempotent: requesting the state the cell already has changes
    nothing, and the returned CellChange then has `changed` False. Giving A makes `team` the only
    accountable team of the activity. With `expected_accountable`, the ids of the
    accountable teams the editor saw, giving A raises EditConflict when someone
    else changed the activity's accountable team in the meantime.
    """
    if role not in RaciRole.values:
        raise _invalid("role", _("Choose R, A, C or I; “%(role)s” is not a RACI role."), role=role)
    # Plain strings in cells: an enum member hashes differently from its value.
    role = RaciRole(role).value
    activity = _activity_or_error(activity_key, activity)
    _check_team_portfolio(team, service.portfolio, field="team")
    cell = (team.pk, role)
    with transaction.atomic(), service_write(service.portfolio_id, service):
        before = _locked_cells(service, activity)
        if not held:
            after = before - {cell}
        elif role == RaciRole.ACCOUNTABLE:
            if expected_accountable is not None:
                _check_accountable_seen(service, activity, before, team, expected_accountable)
            after = frozenset(c for c in before if c[1] != RaciRole.ACCOUNTABLE) | {cell}
        else:
            after = before | {cell}
        _apply_cells(service, activity, before, after, {team.pk: team})
    logger.info("Set role %s of team %s for service %s, activity %s: %s (%s)", role, team.pk, service.pk,
                activity.key, "held" if held else "not held", "changed" if before != after else "unchanged")
    return CellChange(activity.key, before, after)


def responsibility_choose_accountable(
    *,
    service: Service,
    activity_key: str,
    team: Team | None,
    expected_accountable: Iterable[int] | None = None,
    activity: LifecycleActivity | None = None,
) -> CellChange:
    """Make `team` the one accountable team for an activity of `service`; None leaves it without one.

    With `expected_accountable`, EditConflict is raised when the accountable
    teams are no longer the ones the editor saw, unless they already are `team`.
    """
    activity = _activity_or_error(activity_key, activity)
    _check_team_portfolio(team, service.portfolio, field="team")
    with transaction.atomic(), service_write(service.portfolio_id, service):
        before = _locked_cells(service, activity)
        if expected_accountable is not None:
            _check_accountable_seen(service, activity, before, team, expected_accountable)
        after = frozenset(c for c in before if c[1] != RaciRole.ACCOUNTABLE)
        if team is not None:
            after |= {(team.pk, RaciRole.ACCOUNTABLE.value)}
        _apply_cells(service, activity, before, after, {team.pk: team} if team else {})
    logger.info("Set accountable team for service %s, activity %s: %s",
                service.pk, activity.key, team.pk if team else None)
    return CellChange(activity.key, before, after)


def responsibility_set_accountable(
    *, service: Service, activity_key: str, team: Team | None
) -> Responsibility | None:
    """Make `team` the one accountable team for an activity of `service`; None clears it.

    Every other accountable row for that service and activity is deleted, so the
    result has at most one accountable team whatever the state before.
    """
    responsibility_choose_accountable(service=service, activity_key=activity_key, team=team)
    if team is None:
        return None
    return Responsibility.objects.get(service=service, activity_id=activity_key, team=team,
                                      role=RaciRole.ACCOUNTABLE)


def responsibility_toggle(*, service: Service, activity_key: str, team: Team, role: str) -> bool:
    """Add the R, C or I cell for `team` if it is missing, else delete it; return True if it now exists.

    The accountable role has its own function because an activity may have only one.
    """
    if role not in (RaciRole.RESPONSIBLE, RaciRole.CONSULTED, RaciRole.INFORMED):
        raise _invalid("role", _("Choose responsible, consulted or informed; “%(role)s” is not one of them."),
                       role=role)
    role = RaciRole(role).value
    exists = Responsibility.objects.filter(service=service, activity_id=activity_key, team=team,
                                           role=role).exists()
    change = responsibility_set_role(service=service, activity_key=activity_key, team=team, role=role,
                                     held=not exists)
    return (team.pk, role) in change.after


def responsibility_restore(
    *, service: Service, activity_key: str, cells: Iterable[Cell], expected: Iterable[Cell]
) -> CellChange:
    """Set the cells of an activity to `cells` if they are still `expected`; undo uses this.

    Raises EditConflict when someone else changed the activity's cells after
    the write that is being undone, or deleted a team that `cells` needs.
    """
    activity = _activity_or_error(activity_key)
    wanted = frozenset((int(team_id), str(role)) for team_id, role in cells)
    with transaction.atomic(), service_write(service.portfolio_id, service):
        before = _locked_cells(service, activity)
        if before != frozenset((int(team_id), str(role)) for team_id, role in expected):
            raise EditConflict(
                _("Someone else changed the RACI of “%(service)s” for %(activity)s since; "
                  "nothing was undone.") % {"service": service, "activity": activity},
                current=before,
            )
        team_ids = {team_id for team_id, _role in wanted - before}
        teams = Team.objects.filter(portfolio_id=service.portfolio_id, pk__in=team_ids).in_bulk()
        if len(teams) != len(team_ids):
            raise EditConflict(_("A team that the earlier state needs has been deleted; nothing was undone."),
                               current=before)
        _apply_cells(service, activity, before, wanted, teams)
    logger.info("Restored RACI of service %s, activity %s", service.pk, activity.key)
    return CellChange(activity.key, before, wanted)


def _locked_cells(service: Service, activity: LifecycleActivity) -> frozenset[Cell]:
    # Locking the service row serialises RACI writes to one service, so that two
    # editors cannot each add an accountable team to the same activity.
    attested_at = (Service.objects.select_for_update().filter(pk=service.pk).order_by()
                   .values_list("attested_at", flat=True).first())
    note_locked_attestation(service, attested_at)
    rows = Responsibility.objects.filter(service=service, activity=activity).values_list("team_id", "role")
    return frozenset(rows)


def _check_accountable_seen(service, activity, before: frozenset[Cell], team: Team | None,
                            expected: Iterable[int]) -> None:
    current = {team_id for team_id, role in before if role == RaciRole.ACCOUNTABLE}
    wanted = {team.pk} if team is not None else set()
    if current in (set(expected), wanted):
        return
    names = list(Team.objects.filter(pk__in=current).order_by(Lower("name")).values_list("name", flat=True))
    raise EditConflict(
        _("Someone else changed the accountable team for %(activity)s of “%(service)s” to %(teams)s after "
          "you opened the page; nothing was changed. Choose again if you still want your change.")
        % {"activity": activity, "service": service,
           "teams": get_text_list([f"“{name}”" for name in names], _("and")) if names else _("none")},
        current=before,
    )


def _apply_cells(service: Service, activity: LifecycleActivity, before: frozenset[Cell],
                 after: frozenset[Cell], teams: dict[int, Team]) -> None:
    """Delete the cells of `before` missing from `after` and create the new ones of `after`."""
    removed = before - after
    if removed:
        match = Q()
        for team_id, role in removed:
            match |= Q(team_id=team_id, role=role)
        for row in Responsibility.objects.filter(match, service=service, activity=activity):
            _delete_child(row, service)
    for team_id, role in sorted(after - before):
        cell = Responsibility(service=service, activity=activity, team=teams[team_id], role=role)
        # The callers checked the team's portfolio and the role, and the locked read of `before` shows
        # that the cell is new, so the existence and uniqueness queries of a full clean are left out.
        cell.full_clean(exclude={"service", "activity", "team"}, validate_unique=False,
                        validate_constraints=False)
        cell.save()


# --- teams -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamDependants:
    """What refers to a team: the names of the services and practices it owns, and its RACI cells."""

    owned_services: list[str]
    owned_practices: list[str]
    cells: int
    cell_services: list[str]

    @property
    def empty(self) -> bool:
        return not (self.owned_services or self.owned_practices or self.cells)


def team_create(
    *, portfolio: Portfolio, name: str, party_kind: str, contact: str = "", member_count: int | None = None
) -> Team:
    team = Team(portfolio=portfolio, name=normalise_name(name), party_kind=party_kind,
                contact=contact.strip(), member_count=member_count)
    with transaction.atomic(), service_write(portfolio.pk, None):
        _check_team_name_free(team)
        team.full_clean()
        team.save()
    logger.info("Created team %s in portfolio %s", team.pk, portfolio.pk)
    return team


def team_update(*, team: Team, **fields) -> Team:
    """Change the given fields of `team`; only TEAM_EDITABLE_FIELDS may be passed.

    On any ValidationError the instance keeps the values it had before the call.
    """
    unknown = sorted(set(fields) - set(TEAM_EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"team_update() got fields it cannot change: {', '.join(unknown)}")
    before = {name: getattr(team, name) for name in fields}
    try:
        with transaction.atomic(), service_write(team.portfolio_id, None):
            for name, value in fields.items():
                if name == "name":
                    value = normalise_name(value)
                elif name == "contact":
                    value = value.strip()
                setattr(team, name, value)
            if "name" in fields:
                _check_team_name_free(team)
            team.full_clean()
            team.save()
    except ValidationError:
        for name, value in before.items():
            setattr(team, name, value)
        raise
    logger.info("Updated team %s: %s", team.pk, ", ".join(sorted(fields)))
    return team


def team_dependants(team: Team) -> TeamDependants:
    """Read what refers to `team`, in three queries."""
    services = Service.objects.filter(owner=team).order_by(Lower("name"), "key")
    practices = PracticeAdoption.objects.filter(owner=team).select_related("practice")
    cells = (Responsibility.objects.filter(team=team).order_by()
             .values_list("service__name", flat=True))
    cell_services = list(cells)
    return TeamDependants(
        owned_services=list(services.values_list("name", flat=True)),
        owned_practices=sorted((adoption.practice.name for adoption in practices), key=str.lower),
        cells=len(cell_services),
        cell_services=sorted(set(cell_services), key=str.lower),
    )


def team_delete(*, team: Team, replacement: Team | None = None) -> TeamDependants:
    """Delete `team`, first handing its services, practices and RACI cells to `replacement`.

    A team that something refers to needs a replacement from the same portfolio;
    without one, ValidationError is raised and nothing changes. A cell that the
    replacement already has is dropped, not duplicated. Returns what was handed over.
    """
    portfolio_id = team.portfolio_id
    if replacement is not None:
        reason = _("Deleted the team “%(team)s”; “%(replacement)s” took over its work") % {
            "team": team, "replacement": replacement}
    else:
        reason = _("Deleted the team “%(team)s”") % {"team": team}
    # One change set for the deletion and the hand-over, of the kind of the request (an edit, the API).
    with change_scope(kind=current_kind(), reason=reason), transaction.atomic():
        # The hand-over changes many services, so the base is not advanced: the next analysis loads all.
        lock_portfolio(portfolio_id)
        dependants = team_dependants(team)
        if not dependants.empty:
            _check_replacement(team, replacement, dependants)
            _hand_over(team, replacement)
        _release_members(team)
        team.delete()
    logger.info("Deleted team %s of portfolio %s; replacement %s", team.pk, portfolio_id,
                replacement.pk if replacement else None)
    return dependants


def _check_replacement(team: Team, replacement: Team | None, dependants: TeamDependants) -> None:
    if replacement is None:
        raise _invalid("replacement", _("“%(team)s” %(what)s; choose a team to take them over."),
                       team=team, what=_dependants_text(dependants))
    if replacement.pk == team.pk:
        raise _invalid("replacement", _("Choose another team than “%(team)s” to take over its work."),
                       team=team)
    _check_team_portfolio(replacement, team.portfolio, field="replacement")


def _dependants_text(dependants: TeamDependants) -> str:
    parts = []
    if dependants.owned_services:
        count = len(dependants.owned_services)
        parts.append(ngettext("owns %(n)d service", "owns %(n)d services", count) % {"n": count})
    if dependants.owned_practices:
        count = len(dependants.owned_practices)
        parts.append(ngettext("owns %(n)d practice", "owns %(n)d practices", count) % {"n": count})
    if dependants.cells:
        parts.append(ngettext("holds %(n)d RACI cell", "holds %(n)d RACI cells", dependants.cells)
                     % {"n": dependants.cells})
    return get_text_list(parts, _("and"))


def _hand_over(team: Team, replacement: Team) -> None:
    """Move everything that refers to `team` to `replacement` with bulk updates, then bump the revision.

    Each moved row is recorded in the history with the team before and after. The
    number of queries per kind of row is fixed, whatever the number of rows.
    """
    portfolio_id = team.portfolio_id
    held_by_replacement = Responsibility.objects.filter(
        team=replacement, service=OuterRef("service"), activity=OuterRef("activity"), role=OuterRef("role")
    )
    duplicates = Responsibility.objects.filter(Exists(held_by_replacement), team=team)
    duplicates.delete()
    cells = _move(Responsibility.objects.filter(team=team), "team_id", replacement.pk)
    # Moving `updated_at` makes an editor who still shows the old owner get a conflict on save.
    # An attestation was made for the old owning team, so the new one has to review the mapping.
    Service.objects.filter(owner=team, attested_at__isnull=False).update(mapping_review_needed=True)
    services = _move(Service.objects.filter(owner=team), "owner_id", replacement.pk,
                     updated_at=timezone.now())
    adoptions = _move(PracticeAdoption.objects.filter(owner=team), "owner_id", replacement.pk)
    for model, rows in ((Responsibility, cells), (Service, services), (PracticeAdoption, adoptions)):
        record_bulk(model, rows, "~", portfolio_id=portfolio_id)
    if cells:
        flag_change_set(current_change_set(portfolio_id))
    portfolio_bump_revision(portfolio_id)


def _move(rows, field: str, value, **also) -> list:
    """Set `field` (and the fields in `also`) of `rows` in one UPDATE; return the rows as written."""
    instances = list(rows.order_by("pk"))
    if instances:
        rows.model.objects.filter(pk__in=[row.pk for row in instances]).update(**{field: value}, **also)
    for row in instances:
        for name, new in {field: value, **also}.items():
            setattr(row, name, new)
    return instances


def _release_members(team: Team) -> None:
    """Unlink the members who work in `team` before it is deleted, recording each membership's change.

    Django's SET_NULL would do the same with an UPDATE that the history does not see.
    """
    members = list(Membership.objects.filter(team=team))
    if not members:
        return
    Membership.objects.filter(pk__in=[member.pk for member in members]).update(team=None)
    for member in members:
        member.team_id = None
    record_bulk(Membership, members, "~", portfolio_id=team.portfolio_id)


def _check_team_name_free(team: Team) -> None:
    # The same comparison as the team_name_unique constraint, so the message names the clash first.
    clash = (Team.objects.filter(portfolio_id=team.portfolio_id)
             .annotate(lower_name=Lower("name")).filter(lower_name=Lower(Value(team.name)))
             .exclude(pk=team.pk))
    if team.name and clash.exists():
        raise _invalid("name", _("A team named “%(name)s” already exists in “%(portfolio)s”; "
                                 "choose another name."), name=team.name, portfolio=team.portfolio)


# --- practices ---------------------------------------------------------------------------------


def practice_adoption_set(
    *,
    portfolio: Portfolio,
    practice_key: str,
    status: str,
    capability_level: int | None = None,
    owner: Team | None = None,
) -> PracticeAdoption:
    """Record the portfolio's status, capability level (1–5) and owning team for one practice."""
    practice = Practice.objects.filter(key=practice_key).first()
    if practice is None:
        raise _invalid("practice", _("Unknown practice “%(key)s”."), key=practice_key)
    if capability_level is not None and not 1 <= capability_level <= 5:
        raise _invalid("capability_level", _("Capability level must be between 1 and 5; %(level)s is not."),
                       level=capability_level)
    _check_team_portfolio(owner, portfolio, field="owner")
    with transaction.atomic(), service_write(portfolio.pk, None):
        adoption = (PracticeAdoption.objects.select_for_update()
                    .filter(portfolio=portfolio, practice=practice).first())
        if adoption is None:
            adoption = PracticeAdoption(portfolio=portfolio, practice=practice)
        adoption.status = status
        adoption.capability_level = capability_level
        adoption.owner = owner
        adoption.full_clean()
        adoption.save()
    logger.info("Set adoption of practice %s in portfolio %s: %s, level %s, owner %s", practice.key,
                portfolio.pk, status, capability_level, owner.pk if owner else None)
    return adoption


# --- helpers -----------------------------------------------------------------------------------


def _invalid(field: str, message: str, **params) -> ValidationError:
    """Build a ValidationError for `field` whose message is `message` filled with `params`."""
    logger.debug("Rejected write: invalid %s", field)
    return ValidationError({field: ValidationError(message % params, code="invalid")})


def _delete_child(row: PatternAssignment | Responsibility, service: Service) -> None:
    # With the service cached on the row, the revision signal reads its portfolio id
    # without another query.
    row.service = service
    row.delete()


def _activity_or_error(activity_key: str, known: LifecycleActivity | None = None) -> LifecycleActivity:
    """Return the activity `activity_key`: `known` when the caller read it already, else one query."""
    if known is not None and known.key == activity_key:
        return known
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
