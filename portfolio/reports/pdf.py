"""PDF export: the report's HTML rendered by WeasyPrint in separate processes.

WeasyPrint's layout of a long report takes hundreds of megabytes, which a
long-lived request worker would keep. Child processes started with
`subprocess` run `portfolio.reports.pdf_worker` instead. Their memory goes back
to the system when they exit, and the request worker only reads the finished file.

WeasyPrint lays out on one core. A long report is split into parts (the
services shared out between them) rendered at the same time, one process per
core up to PDF_PARTS, then joined with page numbers by `pdf_merge`.
"""

import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from portfolio.models import PublishedReport
from portfolio.reports.html import render_documents
from portfolio.reports.model import Report
from portfolio.reports.pdf_merge import merge_numbered

logger = logging.getLogger(__name__)

STYLESHEET = "css/report.css"
# Seconds the child processes may take together before they are stopped; 200 services take a few.
TIMEOUT_SECONDS = 120
PDF_PARTS = 2
# Below this many services one process is quicker than starting and merging several.
SERVICES_PER_EXTRA_PART = 40


class PdfRenderError(RuntimeError):
    """WeasyPrint failed or timed out; the message has a child process's last error line."""


def stylesheet_path() -> str:
    path = finders.find(STYLESHEET)
    if path is None:
        raise PdfRenderError(f"The stylesheet {STYLESHEET} was not found among the static files.")
    return path


def part_count(services: int) -> int:
    cores = os.cpu_count() or 1
    return max(1, min(PDF_PARTS, cores, 1 + services // SERVICES_PER_EXTRA_PART))


def _start(stylesheet: str, html_path: Path, pdf_path: Path, numbered: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "portfolio.reports.pdf_worker"]
    if not numbered:
        command.append("--no-page-numbers")
    command += [stylesheet, str(html_path), str(pdf_path)]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        for process in processes:
            _, errors = process.communicate(timeout=max(deadline - time.monotonic(), 0.1))
            if process.returncode != 0:
                lines = errors.decode("utf-8", "replace").strip().splitlines()
                raise PdfRenderError(lines[-1] if lines else f"exit status {process.returncode}")
    except subprocess.TimeoutExpired as error:
        raise PdfRenderError(f"Rendering took more than {TIMEOUT_SECONDS} s.") from error
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def render_pdf_file(documents: list[str]):
    """Render HTML `documents` to one PDF; return it as an open binary file at its start.

    One document is rendered with WeasyPrint's own page numbers; several are rendered
    at the same time and joined with page numbers stamped afterwards. The file is
    already unlinked from the file system, so it disappears once closed.
    """
    if isinstance(documents, str) or not 1 <= len(documents) <= PDF_PARTS:
        raise ValueError(f"Pass a list of 1 to {PDF_PARTS} HTML documents, one per process to start.")
    stylesheet = stylesheet_path()
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as folder:
        work = Path(folder)
        inputs = [work / f"part-{index}.html" for index in range(len(documents))]
        outputs = [work / f"part-{index}.pdf" for index in range(len(documents))]
        for path, document in zip(inputs, documents, strict=True):
            path.write_text(document, encoding="utf-8")
        numbered = len(documents) == 1
        _wait([_start(stylesheet, source, target, numbered)
               for source, target in zip(inputs, outputs, strict=True)])
        result = outputs[0]
        if not numbered:
            result = work / "report.pdf"
            merge_numbered([str(path) for path in outputs], str(result))
        return result.open("rb")


def report_pdf(report: Report, publication: PublishedReport | None = None):
    """Render the report to PDF; return an open binary file positioned at its start."""
    documents = render_documents(report, publication, parts=part_count(len(report.services)))
    try:
        return render_pdf_file(documents)
    except PdfRenderError:
        logger.exception("PDF of portfolio %s at revision %s failed", report.cover.portfolio_key,
                         report.cover.revision)
        raise
