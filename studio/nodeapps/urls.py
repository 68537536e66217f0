from django.urls import path

from . import views

urlpatterns = [
    path("node-apps/", views.node_app_list, name="node_apps"),
    path("node-apps/add/", views.node_app_add, name="node_app_add"),
    path("node-apps/<uuid:app_uuid>/", views.node_app_detail, name="node_app_detail"),
    path("node-apps/<uuid:app_uuid>/refresh/", views.node_app_refresh, name="node_app_refresh"),
    path("node-apps/<uuid:app_uuid>/remove/", views.node_app_remove, name="node_app_remove"),
    path("node-apps/runs/<uuid:run_uuid>/", views.node_app_run, name="node_app_run"),
]
