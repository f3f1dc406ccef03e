"""The history as CSV: one row per changed field, times in ISO 8601 with the current time zone's offset."""

import csv
from collections.abc import Iterator
from datetime import tzinfo

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.history.feed import feed_entries
from portfolio.models import ChangeSet
from portfolio.reports.safety import neutralise

# Change sets read per round of queries; the queries per round are fixed, as in the feed.
CHUNK_SIZE = 200


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(change_sets: QuerySet[ChangeSet], zone: tzinfo) -> Iterator[str]:
    """Yield the CSV lines of `change_sets` and all their changes, header first, with times in `zone`.

    The zone is an argument because a streamed response is written after the
    middleware has deactivated the request's time zone.
    """
    writer = csv.writer(_Echo())
    yield writer.writerow([_("Time"), _("User"), _("Kind"), _("Reason"), _("Change set"), _("Object type"),
                           _("Object"), _("Action"), _("Field"), _("Before"), _("After")])
    last = None
    while True:
        chunk = change_sets
        if last is not None:
            chunk = chunk.filter(Q(created_at__lt=last.created_at) | Q(created_at=last.created_at,
                                                                       pk__lt=last.pk))
        chunk = list(chunk[:CHUNK_SIZE])
        if not chunk:
            return
        # Recorded times inside the values (such as "mapping attested at") are written in `zone` too.
        with timezone.override(zone):
            entries = feed_entries(chunk, limit=None)
        for entry in entries:
            yield from _entry_lines(writer, entry, zone)
        last = chunk[-1]


def _entry_lines(writer, entry, zone: tzinfo) -> Iterator[str]:
    change_set = entry.change_set
    user = change_set.user.get_username() if change_set.user else ""
    for change in entry.changes:
        fields = change.fields or [None]
        for field in fields:
            cells = [
                timezone.localtime(change.date, zone).isoformat(), user, change_set.get_kind_display(),
                change_set.reason, change_set.pk, change.type_label, change.label, change.action,
                field.label if field else "", field.before if field else "", field.after if field else "",
            ]
            yield writer.writerow([neutralise(cell) for cell in cells])
