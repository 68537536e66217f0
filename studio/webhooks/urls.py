from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="list"),
    path("webhooks/callback-secret/", views.callback_secret, name="callback_secret"),
    path("webhooks/<uuid:endpoint_uuid>/", views.endpoint_detail, name="endpoint"),
    path("webhooks/<uuid:endpoint_uuid>/test/", views.endpoint_test, name="test"),
    path("webhooks/<uuid:endpoint_uuid>/rotate/", views.endpoint_rotate, name="rotate"),
    path("webhooks/<uuid:endpoint_uuid>/enable/", views.endpoint_enable, name="enable"),
    path("webhooks/<uuid:endpoint_uuid>/delete/", views.endpoint_delete, name="delete"),
    path(
        "webhooks/<uuid:endpoint_uuid>/deliveries/<uuid:delivery_uuid>/resend/",
        views.delivery_resend,
        name="resend",
    ),
]
