from django.urls import path

from . import webhooks

urlpatterns = [
    path(
        "webhooks/krea/<uuid:job_uuid>/<str:secret>/",
        webhooks.krea_webhook,
        name="krea-webhook",
    ),
]
