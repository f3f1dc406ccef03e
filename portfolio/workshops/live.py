"""The signed token in a live board's poll URL, and the one-query check that a poll needs.

An unchanged poll must cost at most one SQL query, so it reads no session.
The token names the workshop and the user it was issued to. The check joins
the membership in the same query, so a member removed from the portfolio
stops receiving updates at once.
"""

from django.core import signing

from portfolio.workshops.models import Workshop

SALT = "portfolio.workshops.poll"
# Seconds a poll token stays valid; a board open longer reloads to get a new one.
TOKEN_MAX_AGE = 12 * 60 * 60


def poll_token(workshop: Workshop, user) -> str:
    return signing.dumps({"w": workshop.pk, "u": user.pk}, salt=SALT, compress=True)


def read_poll_token(token: str, workshop_id: int) -> int | None:
    """Return the token's user id; None when it is invalid, expired or not for this workshop."""
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("w") != workshop_id:
        return None
    return data.get("u")


def live_version(key: str, workshop_id: int, user_id: int) -> str | None:
    """Return the board version for a member of the workshop's portfolio, or None; one query."""
    row = (
        Workshop.objects.filter(pk=workshop_id, portfolio__key=key, portfolio__memberships__user_id=user_id)
        .values_list("portfolio__revision_token", "version")
        .first()
    )
    if row is None:
        return None
    return f"{row[0]}-{row[1]}"
