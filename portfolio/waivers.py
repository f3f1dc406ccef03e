"""Writes for waivers: accept a finding until a date, or revoke the acceptance.

Only owners of the portfolio may do either; other users get PermissionDenied.
Bad input raises ValidationError keyed by field and nothing is written.
Both functions log at INFO with the ids involved, never the justification.
"""

import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portfolio.analysis.engine import analyse_portfolio
from portfolio.models import Membership, Portfolio, Role, Waiver

logger = logging.getLogger(__name__)

MAX_WAIVER_YEARS = 2


def latest_expiry(today: date) -> date:
    """Return the last date a waiver accepted on `today` may run to: the same day two years on."""
    try:
        return today.replace(year=today.year + MAX_WAIVER_YEARS)
    except ValueError:
        # 29 February has no counterpart in the target year.
        return today.replace(year=today.year + MAX_WAIVER_YEARS, day=28)


def waiver_accept(
    *,
    portfolio: Portfolio,
    user,
    code: str,
    subject: str,
    justification: str,
    approver: str,
    expires_on: date | None,
) -> Waiver:
    """Accept the finding `code` on `subject` until `expires_on`, and return the waiver.

    An expired waiver of the same finding is renewed in place. A waiver still in
    force raises ValidationError, and so does a finding that does not occur at
    the moment. `portfolio.revision` is reloaded so the current data is judged.
    """
    with transaction.atomic():
        _check_owner(portfolio, user)
        today = timezone.localdate()
        waiver = (
            Waiver.objects.filter(portfolio=portfolio, code=code, subject=subject).first()
            or Waiver(portfolio=portfolio, code=code, subject=subject)
        )
        renewing = waiver.pk is not None
        if renewing and not waiver.expires_on < today:
            raise ValidationError(
                _("This finding is already accepted until %(date)s; revoke that waiver first.")
                % {"date": date_format(waiver.expires_on)}
            )
        _check_input(justification, approver, expires_on, today)
        _check_finding_occurs(portfolio, code, subject)

        waiver.justification = justification.strip()
        waiver.approver = approver.strip()
        waiver.expires_on = expires_on
        waiver.accepted_by = user
        waiver.full_clean()
        try:
            with transaction.atomic():
                waiver.save()
        except IntegrityError:
            # Another owner accepted the same finding between the check above and this save.
            raise ValidationError(_("This finding already has a waiver.")) from None
    logger.info("%s waiver %s (%s %s) in portfolio %s by user %s, expires %s",
                "Renewed" if renewing else "Accepted", waiver.pk, code, subject, portfolio.pk, user.pk,
                expires_on.isoformat())
    return waiver


def waiver_revoke(*, portfolio: Portfolio, user, waiver: Waiver) -> None:
    """Delete `waiver`, so that its finding counts again if it still occurs."""
    if waiver.portfolio_id != portfolio.pk:
        raise ValidationError(_("The waiver belongs to another portfolio."))
    with transaction.atomic():
        _check_owner(portfolio, user)
        waiver_id = waiver.pk
        waiver.delete()
    logger.info("Revoked waiver %s (%s %s) in portfolio %s by user %s",
                waiver_id, waiver.code, waiver.subject, portfolio.pk, user.pk)


def _check_owner(portfolio: Portfolio, user) -> None:
    role = None
    if user.is_authenticated:
        memberships = Membership.objects.filter(portfolio=portfolio, user=user)
        role = memberships.values_list("role", flat=True).first()
    if role != Role.OWNER:
        logger.debug("User %s may not change waivers of portfolio %s (role %s)",
                     user.pk, portfolio.pk, role)
        raise PermissionDenied(_("Only owners of “%(portfolio)s” may accept or revoke findings.")
                               % {"portfolio": portfolio})


def _check_input(justification: str, approver: str, expires_on: date | None, today: date) -> None:
    errors = {}
    if not (justification or "").strip():
        errors["justification"] = _("Enter a justification: why is it acceptable to live with this finding?")
    if not (approver or "").strip():
        errors["approver"] = _("Enter the approver: the person who accepts the risk.")
    latest = latest_expiry(today)
    if expires_on is None:
        errors["expires_on"] = _("Enter the expiry date, at most %(years)d years ahead.") % {
            "years": MAX_WAIVER_YEARS}
    elif expires_on <= today:
        errors["expires_on"] = _("The expiry date must be after today (%(today)s).") % {
            "today": date_format(today)}
    elif expires_on > latest:
        errors["expires_on"] = _("The expiry date must be at most %(years)d years ahead, "
                                 "on %(latest)s or earlier.") % {
            "years": MAX_WAIVER_YEARS, "latest": date_format(latest)}
    if errors:
        logger.debug("Rejected waiver input: %s", ", ".join(sorted(errors)))
        raise ValidationError(errors)


def _check_finding_occurs(portfolio: Portfolio, code: str, subject: str) -> None:
    portfolio.refresh_revision()
    result = analyse_portfolio(portfolio)
    occurring = [*result.findings, *(waived.finding for waived in result.waived)]
    if not any(finding.code == code and finding.subject == subject for finding in occurring):
        raise ValidationError(
            _("There is no finding %(code)s on “%(subject)s” at the moment, so there is nothing to "
              "accept. Reload the findings page to see the current findings.")
            % {"code": code, "subject": subject}
        )
