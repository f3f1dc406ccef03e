"""Owners accept findings and revoke waivers from the findings page.

An htmx request gets the page's results partial for the filters the owner was
looking at; any other request is redirected back to the page with those
filters (post/redirect/get). Invalid input answers 422 with the form and its
errors beside its finding.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portfolio.access import portfolio_for_request
from portfolio.models import Role, Waiver
from portfolio.views.findings import RESULTS_PARTIAL, TEMPLATE, findings_context, findings_url, known_filters
from portfolio.views.rendering import INVALID_STATUS, render_page
from portfolio.waivers import waiver_accept, waiver_revoke


class WaiverAcceptForm(forms.Form):
    """Parses the accept form; `waiver_accept` checks the values and words the errors."""

    code = forms.CharField(widget=forms.HiddenInput, max_length=20)
    subject = forms.CharField(widget=forms.HiddenInput, max_length=400)
    justification = forms.CharField(label=gettext_lazy("Justification"), required=False,
                                    widget=forms.Textarea)
    approver = forms.CharField(label=gettext_lazy("Approver"), required=False, max_length=200)
    expires_on = forms.DateField(label=gettext_lazy("Expires on"), required=False)


@login_required
@require_POST
def accept(request, key):
    access = portfolio_for_request(request, key, Role.OWNER)
    form = WaiverAcceptForm(request.POST)
    if form.is_valid():
        try:
            waiver = waiver_accept(portfolio=access.portfolio, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        return _respond(request, access, failed_accept=form)
    notice = _("Accepted %(code)s on “%(subject)s” until %(date)s.") % {
        "code": waiver.code, "subject": waiver.subject, "date": date_format(waiver.expires_on)}
    return _respond(request, access, notice=notice)


@login_required
@require_POST
def revoke(request, key, waiver_id):
    access = portfolio_for_request(request, key, Role.OWNER)
    waiver = get_object_or_404(Waiver, pk=waiver_id, portfolio=access.portfolio)
    waiver_revoke(portfolio=access.portfolio, user=request.user, waiver=waiver)
    notice = _("Revoked the waiver of %(code)s on “%(subject)s”.") % {
        "code": waiver.code, "subject": waiver.subject}
    return _respond(request, access, notice=notice)


def _respond(request, access, *, failed_accept=None, notice=""):
    """Respond to a write with the results partial for htmx, else a redirect or the page with errors."""
    query = QueryDict(request.POST.get("filters", ""))
    if failed_accept is None and not request.htmx:
        messages.success(request, notice)
        return redirect(findings_url(access.portfolio.key, known_filters(query)))

    # The write raised the revision in the database; analyse the portfolio as it is now.
    access.portfolio.refresh_revision()
    context = findings_context(access, query, failed_accept=failed_accept, notice=notice)
    status = INVALID_STATUS if failed_accept is not None else 200
    partial = RESULTS_PARTIAL if request.htmx else None
    return render_page(request, TEMPLATE, context, partial=partial, status=status)
