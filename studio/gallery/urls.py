from django.urls import path

from . import views

urlpatterns = [
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/download/", views.gallery_download, name="gallery_download"),
    path("gallery/delete/", views.gallery_delete, name="gallery_delete"),
    path("gallery/collect/", views.gallery_collect, name="gallery_collect"),
    path("gallery/jobs/<uuid:job_uuid>/", views.gallery_job_tiles, name="gallery_job_tiles"),
    path(
        "jobs/<uuid:job_uuid>/outputs/<int:position>/favourite/",
        views.output_favourite,
        name="output_favourite",
    ),
    path("collections/", views.collections, name="collections"),
    path("collections/<uuid:collection_uuid>/", views.collection_detail, name="collection_detail"),
    path("collections/<uuid:collection_uuid>/edit/", views.collection_edit, name="collection_edit"),
    path(
        "collections/<uuid:collection_uuid>/delete/",
        views.collection_delete,
        name="collection_delete",
    ),
    path(
        "collections/<uuid:collection_uuid>/remove/",
        views.collection_remove,
        name="collection_remove",
    ),
]
