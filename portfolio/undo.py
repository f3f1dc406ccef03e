"""Undo of a user's last change to a service, kept in the user's session.

After each write the service editor stores the inverse of that write: the state
to go back to and the state the write left behind. Undo applies the inverse only
while the data is still as the write left it. When someone else changed it
since, the services raise EditConflict and nothing is undone. Only the last
change per service can be undone, and an undo cannot itself be undone.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portfolio.models import Service, Team
from portfolio.services import (
    CellChange,
    EditConflict,
    responsibility_restore,
    service_restore_assignment,
    service_update,
)

SESSION_KEY = "compass_undo"
# Entries for this many services are kept per session; older ones are dropped.
MAX_ENTRIES = 20

DETAILS = "details"
CELLS = "cells"
ASSIGNMENT = "assignment"


@dataclass(frozen=True)
class UndoEntry:
    """The inverse of one write: `label` describes the write, `data` how to revert it."""

    label: str
    kind: str
    data: dict


def undo_record(session: SessionBase, service: Service, label: str, kind: str, data: dict) -> None:
    entries = dict(session.get(SESSION_KEY, {}))
    key = str(service.pk)
    entries.pop(key, None)
    entries[key] = {"label": label, "kind": kind, "data": data}
    while len(entries) > MAX_ENTRIES:
        entries.pop(next(iter(entries)))
    session[SESSION_KEY] = entries


def undo_entry(session: SessionBase, service: Service) -> UndoEntry | None:
    stored = session.get(SESSION_KEY, {}).get(str(service.pk))
    if stored is None:
        return None
    return UndoEntry(stored["label"], stored["kind"], stored["data"])


def undo_forget(session: SessionBase, service: Service) -> None:
    entries = dict(session.get(SESSION_KEY, {}))
    if entries.pop(str(service.pk), None) is not None:
        session[SESSION_KEY] = entries


def undo_apply(session: SessionBase, service: Service) -> UndoEntry:
    """Revert the last recorded change to `service` and forget it; return what was undone.

    Raises ValidationError when there is nothing to undo, and EditConflict when
    the data changed after the recorded write. The entry is forgotten either way,
    because it can never apply again.
    """
    entry = undo_entry(session, service)
    if entry is None:
        raise ValidationError(_("There is no change to undo on “%(service)s”.") % {"service": service},
                              code="nothing")
    undo_forget(session, service)
    _REVERTERS[entry.kind](service, entry.data)
    return entry


# --- inverses ----------------------------------------------------------------------------------


def details_inverse(before: dict, service: Service) -> dict:
    """Describe how to put back the service fields in `before` after `service` was saved.

    Owners are stored by id and times as ISO 8601, so that the session can hold them as JSON.
    """
    values = dict(before)
    if "owner" in values:
        values["owner"] = values["owner"].pk if values["owner"] is not None else None
    return {"values": values, "updated_at": service.updated_at.isoformat()}


def cells_inverse(change: CellChange) -> dict:
    return {"activity": change.activity, "before": sorted(change.before), "after": sorted(change.after)}


def assignment_inverse(pattern_key: str, before: list[str] | None, after: list[str] | None) -> dict:
    return {"pattern": pattern_key, "before": before, "after": after}


def _revert_details(service: Service, data: dict) -> None:
    values = dict(data["values"])
    if "owner" in values and values["owner"] is not None:
        values["owner"] = Team.objects.filter(pk=values["owner"], portfolio_id=service.portfolio_id).first()
        if values["owner"] is None:
            raise EditConflict(_("The team that owned “%(service)s” before has been deleted; nothing was "
                                 "undone.") % {"service": service})
    service_update(service=service, expected_updated_at=datetime.fromisoformat(data["updated_at"]), **values)


def _revert_cells(service: Service, data: dict) -> None:
    responsibility_restore(service=service, activity_key=data["activity"], cells=data["before"],
                           expected=data["after"])


def _revert_assignment(service: Service, data: dict) -> None:
    service_restore_assignment(service=service, pattern_key=data["pattern"], activities=data["before"],
                               expected=data["after"])


_REVERTERS = {DETAILS: _revert_details, CELLS: _revert_cells, ASSIGNMENT: _revert_assignment}
