"""PDF export: the report's HTML document rendered by WeasyPrint in a separate process.

WeasyPrint's layout of a long report takes hundreds of megabytes, which a
long-lived request worker would keep. `portfolio.reports.pdf_worker` runs in a
child process started with `subprocess` instead, so that memory goes back to
the system when the child exits; the worker only reads the PDF file it wrote.
"""

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from portfolio.models import PublishedReport
from portfolio.reports.html import render_document
from portfolio.reports.model import Report

logger = logging.getLogger(__name__)

STYLESHEET = "css/report.css"
# Seconds a PDF may take before the child process is stopped; 200 services take a few.
TIMEOUT_SECONDS = 120


class PdfRenderError(RuntimeError):
    """WeasyPrint failed or timed out; the message has the child process's last error line."""


def stylesheet_path() -> str:
    path = finders.find(STYLESHEET)
    if path is None:
        raise PdfRenderError(f"The stylesheet {STYLESHEET} was not found among the static files.")
    return path


def render_pdf_file(html: str):
    """Render `html` to PDF in a child process; return the PDF as an open binary file.

    The file is already unlinked from the file system, so it disappears once closed.
    """
    descriptor, output = tempfile.mkstemp(suffix=".pdf", prefix="report-")
    os.close(descriptor)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "portfolio.reports.pdf_worker", stylesheet_path(), output],
            input=html.encode("utf-8"), capture_output=True, timeout=TIMEOUT_SECONDS,
            cwd=settings.BASE_DIR, check=False,
        )
        if completed.returncode != 0:
            lines = completed.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PdfRenderError(lines[-1] if lines else f"exit status {completed.returncode}")
        pdf = Path(output).open("rb")  # noqa: SIM115 (the caller streams and closes it)
    except subprocess.TimeoutExpired as error:
        raise PdfRenderError(f"Rendering took more than {TIMEOUT_SECONDS} s.") from error
    finally:
        Path(output).unlink(missing_ok=True)
    return pdf


def report_pdf(report: Report, publication: PublishedReport | None = None):
    """Render the report to PDF; return an open binary file positioned at its start."""
    try:
        return render_pdf_file(render_document(report, publication))
    except PdfRenderError:
        logger.exception("PDF of portfolio %s at revision %s failed", report.cover.portfolio_key,
                         report.cover.revision)
        raise
