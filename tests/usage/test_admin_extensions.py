"""The usage app extends the team and user admins it builds on, without replacing them."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from studio.accounts.admin import UserAdmin
from studio.teams.admin import TeamAdmin
from studio.teams.models import Team
from studio.usage.admin import MemberQuotaInline, TeamQuotaInline, UserQuotaInline

pytestmark = pytest.mark.django_db


def test_the_registered_team_and_user_admins_are_their_apps_own():
    assert type(admin.site.get_model_admin(Team)) is TeamAdmin
    assert type(admin.site.get_model_admin(get_user_model())) is UserAdmin


def inline_models(response):
    return [type(f.opts) for f in response.context["inline_admin_formsets"]]


def test_a_teams_page_offers_its_quotas_once_the_team_exists(admin_client, team):
    existing = admin_client.get(reverse("admin:teams_team_change", args=[team.pk]))
    assert {TeamQuotaInline, MemberQuotaInline} <= set(inline_models(existing))
    new = admin_client.get(reverse("admin:teams_team_add"))
    assert new.status_code == 200
    assert not {TeamQuotaInline, MemberQuotaInline} & set(inline_models(new))


def test_a_users_page_offers_their_quotas_once_the_user_exists(admin_client, member):
    existing = admin_client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    assert UserQuotaInline in inline_models(existing)
    new = admin_client.get(reverse("admin:accounts_user_add"))
    assert new.status_code == 200
    assert UserQuotaInline not in inline_models(new)


def test_extending_twice_adds_the_quota_inlines_once(admin_client, team):
    for extension in TeamAdmin.extensions:
        TeamAdmin.extend(extension)
    page = admin_client.get(reverse("admin:teams_team_change", args=[team.pk]))
    assert inline_models(page).count(TeamQuotaInline) == 1
