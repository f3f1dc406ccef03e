"""Writes to a portfolio's members: add a user with a role, change a member's role, remove a member.

A portfolio always keeps at least one owner, so that someone can still manage
it from the app: removing or demoting the last owner raises ValidationError.
The owner rows are locked first, so two owners demoting each other at the same
moment cannot both succeed. Membership changes do not touch
`Portfolio.revision`, because no finding depends on who the members are.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portfolio.models import Membership, Portfolio, Role, Team

logger = logging.getLogger(__name__)


def membership_add(*, portfolio: Portfolio, username: str, role: str) -> Membership:
    """Make the existing user `username` a member of `portfolio` with `role`."""
    _check_role(role)
    user = _user_by_username(username.strip())
    membership = Membership(portfolio=portfolio, user=user, role=role)
    try:
        with transaction.atomic():
            if Membership.objects.filter(portfolio=portfolio, user=user).exists():
                raise _member_already(user, portfolio)
            membership.save()
    except IntegrityError:
        # Another request added the same user between the check and the insert.
        raise _member_already(user, portfolio) from None
    logger.info("Added user %s to portfolio %s as %s", user.pk, portfolio.pk, role)
    return membership


def membership_set_role(*, membership: Membership, role: str) -> Membership:
    """Give `membership` the role `role`; the last owner cannot step down."""
    _check_role(role)
    with transaction.atomic():
        if membership.role == Role.OWNER and role != Role.OWNER:
            _check_other_owner(membership, _(
                "“%(username)s” is the portfolio's only owner, so their role cannot change to %(role)s. "
                "Make another member an owner first."
            ), role=Role(role).label)
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
    logger.info("Changed role of user %s in portfolio %s from %s to %s",
                membership.user_id, membership.portfolio_id, previous, role)
    return membership


def membership_set_team(*, membership: Membership, team: Team | None) -> Membership:
    """Record that the member works in `team` (None: in no team of the portfolio).

    Members of a service's owning team attest its mapping; see `portfolio.attestation`.
    """
    if team is not None and team.portfolio_id != membership.portfolio_id:
        raise ValidationError(
            {"team": _("The team “%(team)s” belongs to another portfolio.") % {"team": team}}, code="invalid")
    membership.team = team
    membership.save(update_fields=["team"])
    logger.info("Set team of user %s in portfolio %s to %s", membership.user_id, membership.portfolio_id,
                team.pk if team else None)
    return membership


def membership_remove(*, membership: Membership) -> None:
    """Delete `membership`; the last owner cannot be removed."""
    with transaction.atomic():
        if membership.role == Role.OWNER:
            _check_other_owner(membership, _(
                "“%(username)s” is the portfolio's only owner and cannot be removed. Make another member "
                "an owner first."
            ))
        membership.delete()
    logger.info("Removed user %s from portfolio %s", membership.user_id, membership.portfolio_id)


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError(
            {"role": _("“%(role)s” is not a role; choose viewer, editor or owner.") % {"role": role}},
            code="invalid",
        )


def _user_by_username(username: str):
    """Return the active user named `username`, matched exactly, or else ignoring case if only one matches."""
    User = get_user_model()
    field = User.USERNAME_FIELD
    candidates = list(User.objects.filter(**{f"{field}__iexact": username})[:2])
    exact = [user for user in candidates if user.get_username() == username]
    if exact:
        user = exact[0]
    elif len(candidates) == 1:
        user = candidates[0]
    else:
        raise ValidationError(
            {"username": _("No user has the username “%(username)s”. Check the spelling, or ask an "
                           "administrator to create the account first.") % {"username": username}},
            code="not_found",
        )
    if not user.is_active:
        raise ValidationError(
            {"username": _("The account “%(username)s” is deactivated; an administrator must activate it "
                           "first.") % {"username": user.get_username()}},
            code="inactive",
        )
    return user


def _member_already(user, portfolio: Portfolio) -> ValidationError:
    return ValidationError(
        {"username": _("“%(username)s” is already a member of “%(portfolio)s”; change their role in the "
                       "list instead.") % {"username": user.get_username(), "portfolio": portfolio}},
        code="duplicate",
    )


def _check_other_owner(membership: Membership, message: str, **params) -> None:
    """Raise ValidationError with `message` unless the portfolio has an owner besides `membership`.

    `message` is filled with the member's username and `params`.

    Locks the portfolio's owner rows until the transaction ends (on databases with
    row locks), so a concurrent demotion waits and then reads the result of this one.
    """
    owners = list(
        Membership.objects.select_for_update()
        .filter(portfolio_id=membership.portfolio_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    if any(pk != membership.pk for pk in owners):
        return
    params["username"] = membership.user.get_username()
    raise ValidationError(message % params, code="last_owner")
