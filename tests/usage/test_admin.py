"""Django admin: quotas inline on teams, the read-only ledger with adjustments, model prices."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from studio.audit.models import AuditEntry
from studio.usage.models import EntryKind, ModelPrice, Period, Quota, UsageEntry
from tests.factories import QuotaFactory, UsageEntryFactory

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """The values a browser would submit for the page's form (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[name] = "on"
            else:
                self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            if "multiple" not in a:  # a multiple select with nothing chosen sends nothing
                self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(response) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(response.content.decode())
    return parser.values


def team_url(team):
    return reverse("admin:teams_team_change", args=[team.pk])


def prefix_of(values, field_suffix):
    """The formset prefix whose rows carry ``field_suffix`` (e.g. ``user`` for member quotas)."""
    prefixes = {k.rsplit("-TOTAL_FORMS", 1)[0] for k in values if k.endswith("-TOTAL_FORMS")}
    for prefix in sorted(prefixes):
        quota_rows = f"{prefix}-__prefix__-limit_cu" in values
        if quota_rows and f"{prefix}-__prefix__-{field_suffix}" in values:
            return prefix
    raise AssertionError(f"no inline with {field_suffix}: {sorted(prefixes)}")


def test_an_admin_sets_a_member_quota_inline_on_the_team(
    admin_client, admin_user, team, owner, member
):
    page = admin_client.get(team_url(team))
    assert page.status_code == 200
    assert b"member quotas" in page.content.lower()
    data = form_values(page)
    members = prefix_of(data, "user")
    data[f"{members}-TOTAL_FORMS"] = "1"
    data.update(
        {
            f"{members}-0-user": str(member.pk),
            f"{members}-0-limit_cu": "10",
            f"{members}-0-period": Period.DAY,
        }
    )
    response = admin_client.post(team_url(team), data)
    assert response.status_code == 302, response.context and [
        f.formset.errors for f in response.context["inline_admin_formsets"]
    ]
    q = Quota.objects.get(team=team, user=member)
    assert (q.limit_cu, q.period) == (Decimal(10), Period.DAY)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.QUOTA_SET)
    assert entry.actor == admin_user and entry.subject_email == member.email


def test_changing_and_resetting_inline_goes_through_the_services(
    admin_client, admin_user, team, owner, member
):
    QuotaFactory(team=team, limit_cu=Decimal("100"), period=Period.MONTH)
    UsageEntryFactory(team=team, user=member, cu=Decimal("40"))
    page = admin_client.get(team_url(team))
    assert "40 CU, 60 CU left" in page.content.decode()
    data = form_values(page)
    team_prefix = next(
        p
        for p in {k.rsplit("-TOTAL_FORMS", 1)[0] for k in data if k.endswith("-TOTAL_FORMS")}
        if f"{p}-0-limit_cu" in data and f"{p}-0-user" not in data
    )
    data[f"{team_prefix}-0-limit_cu"] = "150"
    data[f"{team_prefix}-0-reset_now"] = "on"
    assert admin_client.post(team_url(team), data).status_code == 302
    q = Quota.objects.get(team=team, user=None)
    assert q.limit_cu == 150 and q.reset_at is not None
    actions = set(AuditEntry.objects.filter(actor=admin_user).values_list("action", flat=True))
    assert actions == {AuditEntry.Action.QUOTA_CHANGED, AuditEntry.Action.QUOTA_RESET}


def test_a_member_quota_for_a_stranger_is_refused(admin_client, team, owner, outsider):
    data = form_values(admin_client.get(team_url(team)))
    members = prefix_of(data, "user")
    data[f"{members}-TOTAL_FORMS"] = "1"
    data.update(
        {
            f"{members}-0-user": str(outsider.pk),
            f"{members}-0-limit_cu": "10",
            f"{members}-0-period": Period.DAY,
        }
    )
    response = admin_client.post(team_url(team), data)
    assert response.status_code == 200
    assert not Quota.objects.exists()


def test_the_team_list_shows_usage_this_period(admin_client, team, member, other_team):
    QuotaFactory(team=team, limit_cu=Decimal("100"), period=Period.WEEK)
    UsageEntryFactory(team=team, user=member, cu=Decimal("12"))
    page = admin_client.get(reverse("admin:teams_team_changelist")).content.decode()
    assert "12 of 100 CU per week, resets in" in page
    assert "0 CU this month (no team quota)" in page


def test_quota_admin_lists_resets_and_removes_through_services(
    admin_client, admin_user, team, member
):
    q = QuotaFactory(team=team, user=member, limit_cu=Decimal("10"), period=Period.DAY)
    UsageEntryFactory(team=team, user=member, cu=Decimal("4"))
    listing = admin_client.get(reverse("admin:usage_quota_changelist")).content.decode()
    assert "4 CU, 6 CU left" in listing
    admin_client.post(
        reverse("admin:usage_quota_changelist"),
        {"action": "reset_selected", "_selected_action": [q.pk]},
    )
    q.refresh_from_db()
    assert q.reset_at is not None
    admin_client.post(reverse("admin:usage_quota_delete", args=[q.pk]), {"post": "yes"})
    assert not Quota.objects.exists()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.QUOTA_REMOVED, actor=admin_user
    ).exists()


def test_quota_admin_add_refuses_a_non_member(admin_client, team, outsider, member):
    url = reverse("admin:usage_quota_add")
    response = admin_client.post(
        url, {"team": team.pk, "user": outsider.pk, "limit_cu": "5", "period": Period.DAY}
    )
    assert response.status_code == 200 and not Quota.objects.exists()
    response = admin_client.post(
        url, {"team": team.pk, "user": member.pk, "limit_cu": "5", "period": Period.DAY}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditEntry.Action.QUOTA_SET).count() == 1


def test_the_ledger_is_read_only_with_filters(admin_client, team, member):
    entry = UsageEntryFactory(team=team, user=member, cu=Decimal("3"))
    listing = admin_client.get(
        reverse("admin:usage_usageentry_changelist"),
        {"kind__exact": EntryKind.CHARGE, "team__id__exact": team.pk},
    )
    assert listing.status_code == 200 and member.email in listing.content.decode()
    detail = admin_client.get(reverse("admin:usage_usageentry_change", args=[entry.pk]))
    assert detail.status_code == 200 and b"Save" not in detail.content
    changed = admin_client.post(
        reverse("admin:usage_usageentry_change", args=[entry.pk]), {"cu": "0"}
    )
    assert changed.status_code == 403
    deleted = admin_client.post(
        reverse("admin:usage_usageentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert UsageEntry.objects.get(pk=entry.pk).cu == 3


def test_an_adjustment_needs_a_reason_and_is_audited(admin_client, admin_user, team, member):
    url = reverse("admin:usage_usageentry_add")
    data = {"team": team.pk, "user": member.pk, "job_uuid": "", "cu": "-2", "reason": ""}
    assert admin_client.post(url, data).status_code == 200
    data["reason"] = "Krea refunded a failed upscale"
    assert admin_client.post(url, data).status_code == 302
    entry = UsageEntry.objects.get(kind=EntryKind.ADJUST)
    assert (entry.cu, entry.user, entry.created_by) == (Decimal(-2), member, admin_user)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.USAGE_ADJUSTED).exists()


def test_an_admin_prices_an_unpriced_model(admin_client, admin_user):
    url = reverse("admin:usage_modelprice_add")
    page = admin_client.get(url).content.decode()
    assert "image/bytedance/seededit (no published price)" in page
    response = admin_client.post(
        url, {"model_id": "image/bytedance/seededit", "cu": "11", "note": "our guess"}
    )
    assert response.status_code == 302
    price = ModelPrice.objects.get()
    assert (price.cu, price.updated_by) == (Decimal(11), admin_user)


def test_non_staff_cannot_reach_the_usage_admin(client, member):
    client.force_login(member)
    response = client.get(reverse("admin:usage_quota_changelist"))
    assert response.status_code == 302


def test_a_users_quotas_are_inline_on_the_user(admin_client, admin_user, team, owner, member):
    url = reverse("admin:accounts_user_change", args=[member.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and b"quotas (one per team)" in page.content.lower()
    data = form_values(page)
    prefix = prefix_of(data, "team")
    data[f"{prefix}-TOTAL_FORMS"] = "1"
    data.update(
        {
            f"{prefix}-0-team": str(team.pk),
            f"{prefix}-0-limit_cu": "25",
            f"{prefix}-0-period": Period.WEEK,
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.formset.errors for f in response.context["inline_admin_formsets"]
    ] + [response.context["adminform"].form.errors]
    q = Quota.objects.get(team=team, user=member)
    assert (q.limit_cu, q.period) == (25, Period.WEEK)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.QUOTA_SET, actor=admin_user).exists()
