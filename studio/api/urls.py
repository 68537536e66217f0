from django.urls import include, path

from . import views, webhooks

urlpatterns = [
    path(
        "webhooks/krea/<uuid:job_uuid>/<str:secret>/",
        webhooks.krea_webhook,
        name="krea-webhook",
    ),
    path("v1/", include("studio.api.v1.urls")),
    path("keys/", views.api_keys, name="api_keys"),
    path("keys/<int:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
]
