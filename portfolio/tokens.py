"""Personal API tokens: create one, find the token a request presents, revoke one.

A token is `vcc_` followed by `secrets.token_urlsafe(32)` (43 characters, 256
random bits). Only its SHA-256 digest is stored, with its first
PREFIX_LENGTH characters as `prefix`, which finds the row and lets the owner
tell tokens apart. The whole token is returned once, by `token_create`.
`last_used_at` is written at most once per LAST_USED_RESOLUTION, so that an
API request does not cost a write.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import ApiToken, ApiTokenScope

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "vcc_"
# "vcc_" and 8 random characters: 48 random bits, enough to find one row among many.
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 50


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user, name: str, scope: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return the row and the token, which is not stored and never shown again.

    Raises ValidationError keyed by field for an empty name, an unknown scope
    or a user who already has MAX_ACTIVE_TOKENS tokens in force.
    """
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = _("Enter a name that says what the token is for, such as the pipeline that uses it.")
    if scope not in ApiTokenScope.values:
        errors["scope"] = _("Choose read only or read and write; “%(scope)s” is not a scope.") % {
            "scope": scope}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(_("You have %(count)d tokens in force; revoke one before you create "
                                    "another.") % {"count": MAX_ACTIVE_TOKENS})
        token = _new_token()
        row = ApiToken(user=user, name=name, scope=scope, prefix=token[:PREFIX_LENGTH],
                       digest=token_digest(token))
        row.full_clean()
        row.save()
    logger.info("Created API token %s (%s, %s) for user %s", row.pk, row.prefix, scope, user.pk)
    return row, token


def _new_token() -> str:
    while True:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        if not ApiToken.objects.filter(prefix=token[:PREFIX_LENGTH]).exists():
            return token


def token_revoke(*, user, token: ApiToken) -> None:
    """Revoke `token`, one of `user`'s own; revoking a revoked token changes nothing."""
    if token.user_id != user.pk:
        raise ValidationError(_("This token belongs to another user."))
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    logger.info("Revoked API token %s (%s) of user %s", token.pk, token.prefix, user.pk)


def token_authenticate(presented: str) -> ApiToken | None:
    """Return the token in force that `presented` is, with its user, or None.

    None for a malformed, unknown or revoked token and for an inactive user.
    Costs one query, and one more when `last_used_at` is due for an update.
    """
    if not presented.startswith(TOKEN_PREFIX) or len(presented) < PREFIX_LENGTH + 16:
        return None
    row = ApiToken.objects.select_related("user").filter(prefix=presented[:PREFIX_LENGTH]).first()
    if row is None or not hmac.compare_digest(row.digest, token_digest(presented)):
        logger.debug("Rejected an unknown API token %s", presented[:PREFIX_LENGTH])
        return None
    if row.revoked_at is not None or not row.user.is_active:
        logger.debug("Rejected API token %s: revoked or user inactive", row.pk)
        return None
    _touch(row)
    return row


def _touch(row: ApiToken) -> None:
    now = timezone.now()
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    row.last_used_at = now


def tokens_for_user(user) -> list[ApiToken]:
    """Return the user's tokens, those in force first, newest first within each group."""
    rows = list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))
    return sorted(rows, key=lambda row: row.revoked_at is not None)
