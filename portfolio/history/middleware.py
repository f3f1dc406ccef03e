"""Open one change scope per unsafe request, so that one request's changes form one change set."""

from django.http import HttpRequest

from portfolio.history.recording import change_scope
from portfolio.models import ChangeKind

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def request_change_kind(path: str) -> str:
    """Return the change kind that a request to `path` records: API, workshop or a plain edit."""
    if path.startswith("/api/"):
        return ChangeKind.API
    if "/workshops/" in path:
        return ChangeKind.WORKSHOP
    return ChangeKind.EDIT


class ChangeScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        with change_scope(kind=request_change_kind(request.path), reason=request.headers.get(
                "X-Change-Reason", "")):
            return self.get_response(request)
