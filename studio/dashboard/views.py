from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from studio.generation.selectors import team_jobs
from studio.usage.selectors import allowance_for

RECENT_JOBS = 5


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The member's home page: their team, what they have left, the team's latest jobs."""
    context = {}
    if request.membership is not None:
        context = {
            "recent_jobs": list(team_jobs(team=request.team)[:RECENT_JOBS]),
            "recent_jobs_limit": RECENT_JOBS,
            "allowance": allowance_for(membership=request.membership),
        }
    return render(request, "dashboard/dashboard.html", context)
