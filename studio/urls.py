from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from studio.dashboard.views import dashboard
from studio.health import healthz

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("studio.accounts.urls")),
    path("usage/", include("studio.usage.urls")),
    path("", include("studio.teams.urls")),
    path("", include("studio.generation.urls")),
    path("", include("studio.styles.urls")),
    path("", include("studio.assets.urls")),
    path("", include("studio.nodeapps.urls")),
    path("", include("studio.webhooks.urls")),
    path("", include("studio.modelbrowser.urls")),
    path("", include("studio.gallery.urls")),
    path("api/", include("studio.api.urls")),
    path("admin/", admin.site.urls),
]
