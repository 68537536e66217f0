from django.urls import path

from . import views

urlpatterns = [
    path("assets/", views.asset_library, name="asset_library"),
    path("assets/upload/", views.asset_upload, name="asset_upload"),
    path("assets/import/", views.asset_import, name="asset_import"),
    path("assets/<uuid:asset_uuid>/", views.asset_detail, name="asset_detail"),
    path("assets/<uuid:asset_uuid>/delete/", views.asset_delete, name="asset_delete"),
    path("assets/<uuid:asset_uuid>/file/", views.asset_file, name="asset_file"),
    path("assets/<uuid:asset_uuid>/thumbnail/", views.asset_thumbnail, name="asset_thumbnail"),
]
