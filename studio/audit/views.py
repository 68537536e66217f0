"""The team's audit log page, for its owners and admins."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from studio.teams.models import Role
from studio.teams.scoping import team_required

from .forms import AuditFilterForm
from .selectors import audit_entries


@team_required(role=Role.ADMIN)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Filterable, paginated; htmx requests get just the results."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries(team=request.team, **{k: v for k, v in filters.items() if v})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    partial = request.htmx and not request.htmx.history_restore_request
    template = "audit/audit_log.html#results" if partial else "audit/audit_log.html"
    return render(request, template, context)
