"""A service as of a past date, and restoring it to that version after a confirmation step.

The as-of page only reads. Its restore button leads to a confirmation page
(GET) that states what the restore would change. Only a POST with
`confirm=yes` writes, and it carries the fingerprint of the version that the
page showed, so a change made in between is shown again instead of overwritten.
"""

from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from portfolio.access import portfolio_for_request
from portfolio.history.labels import LibraryNames
from portfolio.history.restore import (
    RestoreConflict,
    RestorePreview,
    RestoreRejected,
    restore_preview,
    service_restore,
)
from portfolio.history.versions import (
    ServiceVersion,
    history_gap,
    service_as_of,
    service_current,
    team_names_as_of,
)
from portfolio.models import RaciRole, Role, Service, ServiceStatus


@login_required
@require_safe
def service_as_of_page(request: HttpRequest, key: str, service_key: str):
    """Show a service as it was at the end of the `date` parameter's day (today by default)."""
    access = portfolio_for_request(request, key)
    service = _service(access.portfolio, service_key)
    day, moment = _day(request.GET)
    version = service_as_of(service, moment)
    gap = history_gap(service_current(service), service_as_of(service, timezone.now()))
    context = {"access": access, "portfolio": access.portfolio, "service": service, "day": day,
               "version": version, "gap": gap, **_shown(version, moment, LibraryNames.load())}
    return render(request, "history/as_of.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def service_restore_page(request: HttpRequest, key: str, service_key: str):
    """Ask an editor to confirm a restore to the `date` parameter's day; a confirmed POST restores it."""
    access = portfolio_for_request(request, key, Role.EDITOR)
    service = _service(access.portfolio, service_key)
    day, moment = _day(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            service_restore(service=service, moment=moment, user_id=request.user.pk,
                            expected=request.POST.get("expected", ""))
        except RestoreRejected as error:
            return _confirmation(request, access, service, day, moment, error=str(error),
                                 status=409 if isinstance(error, RestoreConflict) else 400)
        message = _("Restored the service as it was on %(date)s.") % {"date": day.isoformat()}
        messages.success(request, message)
        return redirect("service-detail", key=key, service_key=service.key)
    return _confirmation(request, access, service, day, moment)


def _confirmation(request, access, service: Service, day: date, moment: datetime, *, error: str = "",
                  status: int = 200):
    preview = restore_preview(service, moment)
    names = LibraryNames.load()
    context = {"access": access, "portfolio": access.portfolio, "service": service, "day": day,
               "preview": preview, "rejection": preview.rejection(), "error": error,
               "fingerprint": preview.current.fingerprint(), "changes": _field_changes(preview, names),
               "mix_before": _mix_summary(preview.current, names),
               "mix_after": _mix_summary(preview.target, names)}
    return render(request, "history/restore_confirm.html", context, status=status)


def _service(portfolio, service_key: str) -> Service:
    service = Service.objects.filter(portfolio=portfolio, key=service_key).first()
    if service is None:
        raise Http404
    return service


def _day(data) -> tuple[date, datetime]:
    """Return the requested day (today when missing or invalid) and its last moment in the user's zone."""
    day = parse_date(data.get("date") or "") or timezone.localdate()
    return day, datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())


def _shown(version: ServiceVersion, moment: datetime, names: LibraryNames) -> dict:
    """Return the as-of page's names: the owning team, the pattern mix and the RACI cells as text."""
    owner_id = version.fields["owner_id"] if version.fields else None
    teams = team_names_as_of({owner_id, *(team_id for _activity, team_id, _role in version.cells)}, moment)
    positions = {key: position for position, key in enumerate(names.activities)}
    cells = [(names.activity(activity), teams.get(team_id, f"#{team_id}"), RaciRole(role).label)
             for activity, team_id, role in sorted(version.cells, key=lambda cell: (
                 positions.get(cell[0], len(positions)), teams.get(cell[1], ""), cell[2]))]
    mix = [(names.pattern(pattern), names.activity_list(activities))
           for pattern, activities in version.assignments.items()]
    status = version.fields["status"] if version.fields else ""
    return {"cells": cells, "mix": mix, "owner_name": teams.get(owner_id, f"#{owner_id}") if owner_id else "",
            "status_label": ServiceStatus(status).label if status in ServiceStatus.values else status,
            "context_text": names.context(version.fields["context"]) if version.fields else ""}


def _mix_summary(version: ServiceVersion, names: LibraryNames) -> str:
    patterns = sorted(f"{names.pattern(pattern)} ({names.activity_list(activities)})"
                      for pattern, activities in version.assignments.items())
    return " + ".join(patterns) if patterns else _("No pattern")


def _field_changes(preview: RestorePreview, names: LibraryNames) -> list[tuple[str, str, str]]:
    """Return (label, current value, restored value) for each service field that the restore changes."""
    changed = preview.changed_fields
    if not changed:
        return []
    before, after = preview.current.fields, preview.target.fields
    teams = team_names_as_of({before["owner_id"], after["owner_id"]}, timezone.now())
    labels = {field.attname: str(field.verbose_name) for field in Service._meta.concrete_fields}

    def text(fields: dict, name: str) -> str:
        value = fields[name]
        if name == "owner_id":
            return teams.get(value, _("None")) if value else _("None")
        if name == "status":
            return ServiceStatus(value).label if value in ServiceStatus.values else value
        if name == "context":
            return names.context(value)
        return str(value)

    return [(labels[name], text(before, name), text(after, name)) for name in changed]
