"""Attestation: a service's owning team confirms that the service's mapping (pattern mix and RACI) is right.

Users are linked to teams through `Membership.team`. A member with the editor or
owner role whose membership names the service's owning team may attest. A
later change to the mapping by any other user, or by no user at all (a shell or
a management command), sets `Service.mapping_review_needed`. So does a change
of owning team. A change by a member of the owning team leaves the attestation
valid. An attestation older than the portfolio's review period is stale. The
states exclude each other: "review needed" wins over "stale".

Single saves of pattern assignments and RACI cells are caught from their
historical rows. Writers that use bulk queries call `flag_change_set` once
after writing.
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.signals import post_create_historical_record

from portfolio.history.recording import change_scope
from portfolio.models import (
    ROLE_RANK,
    ChangeKind,
    ChangeSet,
    Membership,
    PatternAssignment,
    Portfolio,
    Responsibility,
    Role,
    Service,
)

logger = logging.getLogger(__name__)

MAPPING_MODELS = (PatternAssignment, Responsibility)
# The attribute that `note_locked_attestation` sets on a Service instance.
_LOCKED_ATTESTED_AT = "_attested_at_under_lock"


class AttestationState(models.TextChoices):
    NOT_ATTESTED = "none", gettext_lazy("Not attested")
    ATTESTED = "attested", gettext_lazy("Attested")
    REVIEW_NEEDED = "review", gettext_lazy("Review needed")
    STALE = "stale", gettext_lazy("Stale")


def stale_before(portfolio: Portfolio, now: datetime | None = None) -> datetime:
    """Return the moment before which an attestation in `portfolio` is stale."""
    return (now or timezone.now()) - timedelta(days=portfolio.review_period_days)


def attestation_state(service: Service, portfolio: Portfolio,
                      now: datetime | None = None) -> AttestationState:
    if service.attested_at is None:
        return AttestationState.NOT_ATTESTED
    if service.mapping_review_needed:
        return AttestationState.REVIEW_NEEDED
    if service.attested_at < stale_before(portfolio, now):
        return AttestationState.STALE
    return AttestationState.ATTESTED


def state_filter(state: str, portfolio: Portfolio, now: datetime | None = None) -> Q:
    """Return the condition on Service rows that selects the services in `state`."""
    attested = Q(attested_at__isnull=False)
    fresh = Q(attested_at__gte=stale_before(portfolio, now))
    if state == AttestationState.NOT_ATTESTED:
        return Q(attested_at__isnull=True)
    if state == AttestationState.REVIEW_NEEDED:
        return attested & Q(mapping_review_needed=True)
    if state == AttestationState.STALE:
        return attested & Q(mapping_review_needed=False) & ~fresh
    if state == AttestationState.ATTESTED:
        return Q(mapping_review_needed=False) & fresh
    raise ValueError(f"unknown attestation state {state!r}")


def state_counts(portfolio: Portfolio, now: datetime | None = None) -> dict[str, Count]:
    """Return aggregates that count services per attestation state, keyed by state, for `annotate()`."""
    return {state.value: Count("id", filter=state_filter(state, portfolio, now))
            for state in AttestationState}


def service_attest(*, service: Service, user, shown_at: datetime | None = None) -> Service:
    """Record that `user` confirms `service`'s mapping for its owning team, and clear "review needed".

    `shown_at` is when the page the user attests from was rendered. A change to the
    mapping by anyone else after it means the user attests what they have not seen.
    Raises ValidationError in that case, when the service has no owning team, or
    when the user is not an editor or owner whose membership names that team.
    """
    with change_scope(kind=ChangeKind.EDIT, reason=_("Attested the mapping"), user_id=user.pk), \
            transaction.atomic():
        # Locks the service row only: PostgreSQL cannot lock the nullable side of the owner join.
        locked = Service.objects.select_for_update(of=("self",)).select_related("owner").get(pk=service.pk)
        membership = Membership.objects.filter(portfolio_id=locked.portfolio_id, user=user).first()
        _check_may_attest(locked, membership)
        if shown_at is not None:
            _check_unchanged_since(locked, user, shown_at)
        locked.attested_at = timezone.now()
        locked.attested_by = user
        locked.mapping_review_needed = False
        # Without updated_at, so that an editor who has the service open gets no edit conflict.
        locked.save(update_fields=["attested_at", "attested_by", "mapping_review_needed"])
    for name in ("attested_at", "attested_by_id", "mapping_review_needed"):
        setattr(service, name, getattr(locked, name))
    logger.info("User %s attested the mapping of service %s for team %s", user.pk, service.pk,
                locked.owner_id)
    return service


def _check_unchanged_since(service: Service, user, shown_at: datetime) -> None:
    """Raise ValidationError when someone else changed the mapping of `service` after `shown_at`."""
    for model in MAPPING_MODELS:
        change = (model.history.filter(service_id=service.pk, history_date__gt=shown_at)
                  .exclude(history_user_id=user.pk).order_by("-history_date")
                  .values_list("history_date", flat=True).first())
        if change is not None:
            logger.info("User %s did not attest service %s: its mapping changed at %s, after the page of %s",
                        user.pk, service.pk, change.isoformat(), shown_at.isoformat())
            raise ValidationError(
                _("Someone changed the pattern mix or the RACI of “%(service)s” after you opened this page. "
                  "Reload the page, check the mapping, and attest again.") % {"service": service},
                code="changed")


def _check_may_attest(service: Service, membership: Membership | None) -> None:
    if service.owner is None:
        raise ValidationError(
            _("“%(service)s” has no owning team, so nobody can attest its mapping. Choose an owning team "
              "first.") % {"service": service}, code="no_owner")
    if membership is None or ROLE_RANK[Role(membership.role)] < ROLE_RANK[Role.EDITOR]:
        raise ValidationError(_("Attesting a mapping needs the editor or owner role."), code="role")
    if membership.team_id != service.owner_id:
        raise ValidationError(
            _("Only members of “%(team)s” attest the mapping of “%(service)s”, and your membership does not "
              "name that team. A portfolio owner links members to teams on the Members page.")
            % {"team": service.owner, "service": service}, code="not_owning_team")


def flag_review_needed(services: QuerySet[Service], *, user_id: int | None) -> int:
    """Mark the attested `services` "review needed" unless `user_id` is a member of the owning team.

    Runs one UPDATE and returns the number of services it marked.
    """
    owning_member = Membership.objects.filter(portfolio_id=OuterRef("portfolio_id"), user_id=user_id,
                                              team_id=OuterRef("owner_id"))
    marked = (services.filter(attested_at__isnull=False, mapping_review_needed=False)
              .exclude(Exists(owning_member)).update(mapping_review_needed=True))
    if marked:
        logger.info("Marked %d services for mapping review after a change by user %s", marked, user_id)
    return marked


def flag_change_set(change_set: ChangeSet) -> int:
    """Flag the services whose pattern assignments or RACI cells `change_set` recorded, in one UPDATE.

    Bulk writers call this after writing, because bulk queries send no signals.
    """
    touched = Q()
    for model in MAPPING_MODELS:
        touched |= Q(pk__in=model.history.filter(history_change_set_id=change_set.pk).values("service_id"))
    return flag_review_needed(Service.objects.filter(touched), user_id=change_set.user_id)


def note_locked_attestation(service: Service, attested_at: datetime | None) -> None:
    """Record on `service` its `attested_at` as read under its row lock, in the write's atomic block.

    Until the block ends, no attestation can change, so the mapping changes
    in it need not mark an unattested service for review.
    """
    service.attested_at = attested_at
    # The write's atomic block identifies it: the block leaves the connection's list when the write
    # ends, and the note holds it, so no later block can be the same object.
    setattr(service, _LOCKED_ATTESTED_AT, (transaction.get_connection().atomic_blocks[-1], attested_at))


def unattested_under_lock(service: Service | None, *, this_transaction: bool = True) -> bool:
    """Return True when a write read `service` under its row lock and found it not attested.

    With `this_transaction` False, a write earlier in the request counts too:
    the response to an edit shows the attestation as that write found it.
    """
    note = getattr(service, _LOCKED_ATTESTED_AT, None) if service is not None else None
    if note is None or note[1] is not None:
        return False
    if not this_transaction:
        return True
    return any(block is note[0] for block in transaction.get_connection().atomic_blocks)


@receiver(post_create_historical_record, dispatch_uid="attestation-mapping-change")
def _flag_single_change(sender, instance, history_instance, **kwargs):
    # An unattested service has nothing to mark, and the UPDATE below would match no row.
    if isinstance(instance, MAPPING_MODELS) and not unattested_under_lock(
            instance._state.fields_cache.get("service")):
        flag_review_needed(Service.objects.filter(pk=instance.service_id),
                           user_id=history_instance.history_user_id)
