"""The pattern chooser page for one agenda item: answers in the query string, ranking below."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portfolio.workshops.chooser import choose_patterns, chooser_factors
from portfolio.workshops.selectors import board_item, workshop_for_request


@login_required
@require_safe
def chooser(request, key, workshop_id, position):
    access, workshop = workshop_for_request(request, key, workshop_id)
    board = board_item(workshop, position)
    factors = chooser_factors()
    answers = {factor.key: request.GET[factor.key] for factor in factors if request.GET.get(factor.key)}
    return render(request, "workshops/chooser.html", {
        "access": access, "portfolio": access.portfolio, "workshop": workshop, "board": board,
        "factors": factors, "answers": answers, "result": choose_patterns(answers) if answers else None,
    })
