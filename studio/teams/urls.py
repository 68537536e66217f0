from django.urls import path

from . import views

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:team_id>/switch/", views.team_switch, name="team_switch"),
    path("team/", views.team_home, name="team_home"),
    path("team/settings/", views.team_settings, name="team_settings"),
    path("team/leave/", views.team_leave, name="team_leave"),
    path("team/members/", views.members, name="team_members"),
    path("team/audit/", views.audit_log, name="audit_log"),
    path("team/members/<int:membership_id>/role/", views.member_role, name="team_member_role"),
    path(
        "team/members/<int:membership_id>/remove/", views.member_remove, name="team_member_remove"
    ),
    path(
        "team/members/<int:membership_id>/transfer-ownership/",
        views.ownership_transfer,
        name="team_ownership_transfer",
    ),
    path("team/invitations/new/", views.invitation_create, name="team_invitation_create"),
    path(
        "team/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="team_invitation_revoke",
    ),
    path(
        "team/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="team_invitation_resend",
    ),
    path("team/token/", views.token, name="team_token"),
    path("team/token/remove/", views.token_remove, name="team_token_remove"),
    path("team/token/test/", views.token_test, name="team_token_test"),
    path("invitations/<str:secret>/", views.invitation_accept, name="invitation_accept"),
]
