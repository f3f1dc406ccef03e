"""Run a job's preview or apply: in the request for small uploads, in a background thread for large ones.

A large upload takes seconds to validate and write, so the request returns at
once and the page polls the job's progress. The thread opens its own database
connection (Django gives each thread one) and closes it when done. The job's
state is stored in its folder, so that a status request served by another
worker process reads it too.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connections
from django.utils import translation
from django.utils.translation import gettext as _

from portfolio.imports.apply import ImportConflict, ImportRejected, import_apply
from portfolio.imports.jobs import ImportJob, JobState
from portfolio.imports.preview import import_preview
from portfolio.imports.summary import plan_summary
from portfolio.models import Portfolio

logger = logging.getLogger(__name__)

# Uploads of at least this many bytes run in a background thread. That is about 2,000 rows of the
# benchmark's services CSV, whose preview took about 0.2 s and apply about 0.6 s there (an estimate
# scaled from docs/benchmarks.md); spreadsheets with more columns per row take longer.
DEFAULT_BACKGROUND_BYTES = 200_000
# Progress is written to the job file at most this often, in seconds.
PROGRESS_INTERVAL = 0.25


def background_bytes() -> int:
    return int(getattr(settings, "IMPORT_BACKGROUND_BYTES", DEFAULT_BACKGROUND_BYTES))


def job_start(job: ImportJob) -> bool:
    """Run the preview or apply that the job's state requests; return True when it runs in the background."""
    if job.size < background_bytes():
        job_run(job)
        return False
    thread = threading.Thread(target=_run_in_thread, args=(job,), name=f"import-{job.token[:8]}", daemon=True)
    thread.start()
    return True


def _run_in_thread(job: ImportJob) -> None:
    try:
        job_run(job)
    finally:
        connections.close_all()


def job_run(job: ImportJob) -> None:
    """Preview or apply the job's files, then save its summary and its new state.

    Every failure ends in a saved state: a thread that raised would leave the
    job "running" until it went stale, with no word of what happened.
    """
    started = time.monotonic()
    action = "apply" if job.state == JobState.APPLYING else "preview"
    with translation.override(job.language):
        try:
            _run(job)
        except ImportRejected as rejected:
            job.save_summary(plan_summary(rejected.plan))
            _finish(job, JobState.PREVIEWED, _("The portfolio changed since the preview, and the files now "
                                               "have errors; nothing was written. Correct them and upload "
                                               "again."))
        except ImportConflict as conflict:
            _finish(job, JobState.PREVIEWED, str(conflict))
        except Exception:
            logger.exception("Import job %s failed during %s", job.token, action)
            _finish(job, JobState.FAILED, _("The import failed unexpectedly and nothing was written. Try "
                                            "again; if it fails again, tell your administrator."))
    logger.info("Import job %s: %s finished as %s in %.2f s", job.token, action, job.state,
                time.monotonic() - started)


def _run(job: ImportJob) -> None:
    portfolio = Portfolio.objects.get(pk=job.portfolio_id)
    files = job.uploaded_files()
    progress = _ProgressWriter(job)
    if job.state == JobState.APPLYING:
        plan = import_apply(files, portfolio, progress=progress, user_id=job.user_id)
        job.save_summary(plan_summary(plan))
        _finish(job, JobState.APPLIED)
    else:
        plan = import_preview(files, portfolio, progress=progress)
        job.save_summary(plan_summary(plan))
        _finish(job, JobState.PREVIEWED)


def _finish(job: ImportJob, state: JobState, message: str = "") -> None:
    job.state, job.message, job.phase = state, message, ""
    job.save()


class _ProgressWriter:
    """Saves the job's phase and row counts, at most every PROGRESS_INTERVAL seconds within a phase."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.job.phase and now - self.last < PROGRESS_INTERVAL and done < total:
            return
        self.last = now
        self.job.phase, self.job.done, self.job.total = phase, done, total
        self.job.save()
