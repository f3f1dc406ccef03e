"""The board for the projector and its live update: one agenda item at a time.

Participants' boards poll `board_poll` every second with the version they
show; an unchanged poll returns 204 after one query and no template, a
changed one returns the live part of the board.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from portfolio.views.rendering import render_page
from portfolio.workshops.forms import ActionForm, ChangeForm
from portfolio.workshops.live import live_version, poll_token, read_poll_token
from portfolio.workshops.selectors import board_item, board_version, workshop_for_request

TEMPLATE = "workshops/board.html"


@login_required
@require_safe
def board_start(request, key, workshop_id):
    return redirect("workshops:board-item", key, workshop_id, 1)


@login_required
@require_safe
def board(request, key, workshop_id, position):
    access, workshop = workshop_for_request(request, key, workshop_id)
    return render_page(request, TEMPLATE, board_context(request, access, workshop, position))


def board_context(request, access, workshop, position: int, **extra) -> dict:
    """Build what the board page and its live partial need; `extra` adds the what-if state."""
    board = board_item(workshop, position)
    editable = access.can_edit and workshop.status != "closed"
    poll_url = reverse("workshops:poll", args=[workshop.portfolio.key, workshop.pk, position])
    context = {
        "access": access, "portfolio": workshop.portfolio, "workshop": workshop, "board": board,
        "version": board_version(workshop),
        "poll_url": f"{poll_url}?t={poll_token(workshop, request.user)}",
        "editable": editable,
        "change_form": ChangeForm(portfolio=workshop.portfolio) if editable else None,
        "action_form": ActionForm(portfolio=workshop.portfolio) if editable else None,
        "preview": None,
    }
    context.update(extra)
    return context


@require_safe
def board_poll(request, key, workshop_id, position):
    """Return 204 when the board is unchanged since version `v`, else the board's live partial.

    The unchanged response reads neither session nor user: the signed token `t`
    names the user, and `live_version` checks membership in its one query.
    """
    user_id = read_poll_token(request.GET.get("t", ""), workshop_id)
    version = live_version(key, workshop_id, user_id) if user_id is not None else None
    if version is None:
        raise Http404
    if version == request.GET.get("v"):
        return HttpResponse(status=204)
    access, workshop = workshop_for_request(request, key, workshop_id)
    context = board_context(request, access, workshop, position)
    return render(request, f"{TEMPLATE}#board-live", context)
