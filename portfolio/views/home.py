from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from portfolio.selectors import memberships_for_user


@login_required
def home(request):
    """List the user's portfolios; go straight to the dashboard when there is exactly one."""
    memberships = memberships_for_user(request.user)
    if len(memberships) == 1:
        return redirect("dashboard", key=memberships[0].portfolio.key)
    return render(request, "portfolio/home.html", {"memberships": memberships})
