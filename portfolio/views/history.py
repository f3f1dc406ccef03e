"""The change history pages: the activity feed, one change set, a service's timeline and the CSV export.

The as-of page and restore are in `history_versions`.
"""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portfolio.access import portfolio_for_request
from portfolio.history.export import csv_rows
from portfolio.history.feed import change_sets, feed_entries
from portfolio.history.forms import FeedFilterForm, TimeZoneForm
from portfolio.history.time_zones import preference_set_time_zone
from portfolio.models import ChangeSet, Membership, Service, UserPreference
from portfolio.reports.safety import attachment_header, download_name

PAGE_SIZE = 25


@login_required
@require_safe
def history_feed(request: HttpRequest, key: str):
    access = portfolio_for_request(request, key)
    form = _filter_form(request, access.portfolio)
    paginator = Paginator(change_sets(access.portfolio, form.feed_filter()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "access": access, "portfolio": access.portfolio, "form": form, "page": page,
        "entries": feed_entries(list(page.object_list)), "query": _query_without_page(request),
    }
    return render(request, "history/feed.html", context)


@login_required
@require_safe
def change_set_detail(request: HttpRequest, key: str, change_set_id: int):
    access = portfolio_for_request(request, key)
    change_set = get_object_or_404(ChangeSet.objects.select_related("user"), pk=change_set_id,
                                   portfolio=access.portfolio)
    (entry,) = feed_entries([change_set], limit=None)
    context = {"access": access, "portfolio": access.portfolio, "entry": entry}
    return render(request, "history/change_set.html", context)


@login_required
@require_safe
def service_history(request: HttpRequest, key: str, service_key: str):
    access = portfolio_for_request(request, key)
    service = Service.objects.filter(portfolio=access.portfolio, key=service_key).first()
    if service is None:
        raise Http404
    paginator = Paginator(change_sets(access.portfolio, service=service), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "access": access, "portfolio": access.portfolio, "service": service, "page": page,
        "entries": feed_entries(list(page.object_list), service=service), "query": "",
    }
    return render(request, "history/service_timeline.html", context)


@login_required
@require_safe
def history_export(request: HttpRequest, key: str):
    access = portfolio_for_request(request, key)
    form = _filter_form(request, access.portfolio)
    rows = csv_rows(change_sets(access.portfolio, form.feed_filter()), timezone.get_current_timezone())
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    filename = download_name(access.portfolio.key, timezone.localdate(), "csv", "history")
    response["Content-Disposition"] = attachment_header(filename)
    return response


def _filter_form(request: HttpRequest, portfolio) -> FeedFilterForm:
    members = (Membership.objects.filter(portfolio=portfolio).select_related("user")
               .order_by("user__username"))
    users = [(member.user_id, member.user.get_username()) for member in members]
    return FeedFilterForm(request.GET or None, users=users)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def time_zone_setting(request: HttpRequest):
    """Show and save the user's time zone, which every page and export uses for times."""
    preference = UserPreference.objects.filter(user=request.user).first()
    initial = {"time_zone": preference.time_zone if preference else ""}
    form = TimeZoneForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        preference_set_time_zone(request=request, name=form.cleaned_data["time_zone"])
        messages.success(request, _("Saved your time zone."))
        return redirect("account-time-zone")
    return render(request, "history/time_zone.html", {"form": form})
