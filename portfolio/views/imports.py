"""Bulk import pages: upload, preview, apply, progress, and the template files.

Editors and owners may import; a viewer gets 403 and a non-member 404 (see
`portfolio.access`). An upload is previewed at once and kept on the server as
a job (see `portfolio.imports.jobs`). The job page shows the preview. While a
large upload runs in the background, it shows the progress instead, and htmx
polls it every second. Nothing is written before the user applies.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from portfolio.access import portfolio_for_request
from portfolio.imports.columns import KIND_ORDER, SPECS, Kind
from portfolio.imports.jobs import ImportJob, JobState, job_create, job_load, job_transition
from portfolio.imports.limits import MAX_FILES, MAX_ROWS, MAX_UPLOAD_BYTES
from portfolio.imports.lookups import Library
from portfolio.imports.parse import EXTENSIONS, UploadedFile
from portfolio.imports.runner import job_start
from portfolio.imports.samples import template_csv, template_xlsx
from portfolio.models import Role
from portfolio.views.rendering import INVALID_STATUS, render_page

TEMPLATE_XLSX = "portfolio-import.xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHASE_LABELS = {
    "": gettext_lazy("Starting"),
    "reading": gettext_lazy("Reading the files"),
    "checking": gettext_lazy("Checking rows"),
    "writing": gettext_lazy("Writing rows"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files and cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        items = list(data) if isinstance(data, list | tuple) else [data]
        # An empty list is no file at all, which the required check must see.
        return [clean_one(item, initial) for item in items or [None]]


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("Files to import"),
        help_text=gettext_lazy("CSV, XLSX or JSON; several files at once if you keep one kind per file."),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Choose at most %(count)s files at once; you chose %(chosen)s.")
                                        % {"count": MAX_FILES, "chosen": len(files)})
        size = sum(upload.size for upload in files)
        # NOTE: Django has received the whole body by now (in a temporary file above 2.5 MB); only a
        # request size limit in the reverse proxy stops a larger upload before it is read.
        if size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The files are %(size)s MB together, above the limit of %(limit)s MB; split them and "
                  "import the parts one after the other.")
                % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_UPLOAD_BYTES // 1024 // 1024})
        return files

    def uploads(self) -> list[UploadedFile]:
        return [UploadedFile(upload.name, upload.read()) for upload in self.cleaned_data["files"]]


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, key):
    """Show the upload page; a POST stores the files as a job, previews them and opens the job page."""
    access = portfolio_for_request(request, key, Role.EDITOR)
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST, request.FILES) if posted else ImportUploadForm()
    if posted and form.is_valid():
        job = job_create(portfolio_id=access.portfolio.pk, user_id=request.user.pk, language=get_language(),
                         files=form.uploads())
        job_start(job)
        return redirect("import-job", key=key, token=job.token)
    status = INVALID_STATUS if posted else 200
    return render_page(request, "imports/upload.html", _upload_context(access, form), status=status)


def _upload_context(access, form) -> dict:
    return {
        "access": access,
        "portfolio": access.portfolio,
        "form": form,
        "kinds": [(kind, SPECS[kind]) for kind in KIND_ORDER],
        "template_xlsx": TEMPLATE_XLSX,
        "max_megabytes": MAX_UPLOAD_BYTES // 1024 // 1024,
        "max_rows": MAX_ROWS,
        "max_files": MAX_FILES,
    }


@login_required
@require_GET
def import_job(request, key, token):
    """Show a job: its progress while it runs, then its preview or the result of the apply."""
    access = portfolio_for_request(request, key, Role.EDITOR)
    job = _job_or_404(request, access, token)
    return render_page(request, "imports/job.html", _job_context(access, job))


@login_required
@require_GET
def import_status(request, key, token):
    """Return the progress fragment while the job runs, then a redirect to the job page, for htmx's poll."""
    access = portfolio_for_request(request, key, Role.EDITOR)
    job = _job_or_404(request, access, token)
    job_url = reverse("import-job", args=[key, token])
    if job.running:
        return render_page(request, "imports/job.html", _job_context(access, job), partial="progress")
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(job_url)
    return redirect(job_url)


@login_required
@require_POST
def import_apply(request, key, token):
    """Apply a previewed job without errors; the files are validated again before anything is written."""
    access = portfolio_for_request(request, key, Role.EDITOR)
    job = _job_or_404(request, access, token)
    summary = job.summary()
    if job.state != JobState.PREVIEWED or summary is None or summary["has_errors"]:
        messages.error(request, _("This upload cannot be applied: it has errors or was applied already. "
                                  "Upload the corrected files to import them."))
        return redirect("import-job", key=key, token=token)
    moved = job_transition(job, allowed=(JobState.PREVIEWED,), to=JobState.APPLYING)
    if moved is not None:
        job_start(moved)
    return redirect("import-job", key=key, token=token)


@login_required
@require_GET
def import_template(request, key, name):
    """Send a template: `<kind>.csv` for one kind, or the XLSX workbook with a sheet per kind."""
    portfolio_for_request(request, key, Role.EDITOR)
    library = Library.load()
    if name == TEMPLATE_XLSX:
        response = HttpResponse(template_xlsx(library), content_type=XLSX_TYPE)
    else:
        stem, _dot, extension = name.partition(".")
        if extension != "csv" or stem not in {kind.value for kind in Kind}:
            raise Http404(_("No such template."))
        response = HttpResponse(template_csv(Kind(stem), library), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _job_or_404(request, access, token) -> ImportJob:
    job = job_load(token, portfolio_id=access.portfolio.pk, user_id=request.user.pk)
    if job is None:
        raise Http404(_("This upload is not available; it may have expired. Upload the files again."))
    return job


def _job_context(access, job: ImportJob) -> dict:
    summary = None if job.running else job.summary()
    return {
        "access": access,
        "portfolio": access.portfolio,
        "job": job,
        "summary": summary,
        "phase": PHASE_LABELS.get(job.phase, job.phase),
        "applying": job.state == JobState.APPLYING,
        "can_apply": job.state == JobState.PREVIEWED and summary is not None and not summary["has_errors"],
        "form": ImportUploadForm(),
    }
