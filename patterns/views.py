"""Pages of the pattern library, readable by any logged-in user."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from patterns.selectors import PatternNotFound, library_groups, pattern_detail, patterns_compare

MIN_COMPARED = 2
MAX_COMPARED = 3


@login_required
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    return _render_library(request)


@login_required
@require_safe
def pattern(request: HttpRequest, key: str) -> HttpResponse:
    try:
        detail = pattern_detail(key)
    except PatternNotFound as error:
        return _render_not_found(request, error)
    return render(request, "patterns/pattern.html", {"detail": detail, "pattern": detail.pattern})


@login_required
@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    """Show the patterns named by the repeated `p` query parameter side by side."""
    keys = list(dict.fromkeys(key.strip() for key in request.GET.getlist("p") if key.strip()))
    if not MIN_COMPARED <= len(keys) <= MAX_COMPARED:
        return _render_library(request, selected=keys, error=_count_error(len(keys)), status=400)
    try:
        comparison = patterns_compare(keys)
    except PatternNotFound as error:
        return _render_not_found(request, error)
    return render(request, "patterns/compare.html", {"comparison": comparison})


def _count_error(count: int) -> str:
    return ngettext(
        "Choose two or three patterns to compare; you chose %(count)d.",
        "Choose two or three patterns to compare; you chose %(count)d.",
        count,
    ) % {"count": count}


def _render_library(
    request: HttpRequest, *, selected: list[str] = (), error: str = "", status: int = 200
) -> HttpResponse:
    context = {"groups": library_groups(), "selected": list(selected), "compare_error": error}
    return render(request, "patterns/library.html", context, status=status)


def _render_not_found(request: HttpRequest, error: PatternNotFound) -> HttpResponse:
    return render(request, "patterns/not_found.html", {"keys": error.keys}, status=404)
