"""Views for a workshop's minutes (page, Markdown, PDF) and for marking its action items done."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portfolio.models import Role
from portfolio.reports.pdf import PdfRenderError, render_pdf_file
from portfolio.reports.safety import attachment_header
from portfolio.workshops import services
from portfolio.workshops.minutes import workshop_minutes
from portfolio.workshops.models import ActionItem
from portfolio.workshops.selectors import workshop_for_request

logger = logging.getLogger(__name__)


@login_required
def workshop_minutes_page(request, key, workshop_id):
    """Show the minutes; `?format=md` downloads them as Markdown and `?format=pdf` as PDF."""
    access, workshop = workshop_for_request(request, key, workshop_id)
    context = {"access": access, "portfolio": access.portfolio, "minutes": workshop_minutes(workshop)}
    fmt = request.GET.get("format")
    if fmt == "md":
        text = render_to_string("workshops/minutes.md", context, request=request)
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = attachment_header(f"workshop-{workshop.pk}-minutes.md")
        return response
    if fmt == "pdf":
        return _minutes_pdf(request, context)
    return render(request, "workshops/minutes.html", context)


def _minutes_pdf(request, context):
    workshop = context["minutes"].workshop
    document = render_to_string("workshops/minutes_document.html", context)
    try:
        pdf = render_pdf_file([document])
    except PdfRenderError:
        logger.exception("PDF of the minutes of workshop %s in portfolio %s failed",
                         workshop.pk, workshop.portfolio_id)
        messages.error(request, _("Rendering the PDF failed. Try again, or download the Markdown file."))
        return redirect("workshops:minutes", context["portfolio"].key, workshop.pk)
    response = FileResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment_header(f"workshop-{workshop.pk}-minutes.pdf")
    return response


@login_required
@require_POST
def action_done(request, key, workshop_id, action_id):
    """Mark an action item done (`done=1`) or open it again (`done=0`), also after the workshop closed."""
    _access, workshop = workshop_for_request(request, key, workshop_id, Role.EDITOR)
    item = get_object_or_404(ActionItem, pk=action_id, workshop=workshop)
    item.workshop = workshop
    value = request.POST.get("done")
    if value not in ("0", "1"):
        # A missing or mistyped value must not reopen a finished item.
        return HttpResponseBadRequest(_("“done” must be 1 (done) or 0 (open again)."),
                                      content_type="text/plain; charset=utf-8")
    done = value == "1"
    services.action_set_done(item=item, done=done)
    if done:
        messages.success(request, _("Action item “%(action)s” marked done.") % {"action": item.description})
    else:
        messages.success(request, _("Action item “%(action)s” is open again.") % {"action": item.description})
    return redirect("workshops:minutes", key, workshop.pk)
