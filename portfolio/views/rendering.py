"""Helpers every portfolio view uses: partial or full rendering, and findings ready for templates."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from portfolio.analysis import Finding

# Unprocessable Content: the request was understood but its data is invalid.
# The htmx-config in base.html swaps responses with this status, so the errors show.
INVALID_STATUS = 422


def is_partial_request(request: HttpRequest) -> bool:
    """Return True when the response should be a fragment rather than the whole page.

    A history restore request comes from htmx but needs the whole page, because
    htmx replaces the body with the response.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def render_page(
    request: HttpRequest, template: str, context: dict, *, partial: str | None = None, status: int = 200
) -> HttpResponse:
    """Render `template`, or only its named `partial` for an htmx request that wants a fragment."""
    if partial is not None and is_partial_request(request):
        template = f"{template}#{partial}"
    response = render(request, template, context, status=status)
    # One URL serves a fragment and the page, so caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass(frozen=True)
class FindingRow:
    """A finding with what the templates show beside it."""

    finding: Finding
    library_url: str
    service_name: str = ""

    @property
    def level_name(self) -> str:
        """The untranslated level name ("error", "warning", "info"), used as a CSS class."""
        return self.finding.level.label


def library_url(finding: Finding) -> str:
    """Return the pattern library page, and anchor, that explains what `finding` expects."""
    if finding.pattern is None:
        return reverse("patterns:library")
    url = reverse("patterns:pattern", args=[finding.pattern])
    if finding.activity is not None:
        return f"{url}#activity-{finding.activity}"
    if finding.practice is not None:
        return f"{url}#key-practices"
    return url


def finding_rows(findings, service_names: dict[str, str] | None = None) -> list[FindingRow]:
    names = service_names or {}
    return [
        FindingRow(finding, library_url(finding), names.get(finding.service or "", ""))
        for finding in findings
    ]
