from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_usage, name="usage"),
    path("team/", views.team_usage, name="usage_team"),
    path("team/export.csv", views.usage_export, name="usage_export"),
    path("team/quotas/", views.quotas, name="usage_quotas"),
    path("team/quotas/team/", views.quota_save, name="usage_quota_team"),
    path("team/quotas/member/<int:membership_id>/", views.quota_save, name="usage_quota_member"),
    path("team/quotas/<int:quota_id>/reset/", views.quota_reset, name="usage_quota_reset"),
    path("team/quotas/<int:quota_id>/remove/", views.quota_remove, name="usage_quota_remove"),
]
