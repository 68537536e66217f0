from django.urls import path

from . import views

urlpatterns = [
    path("styles/", views.style_list, name="styles"),
    path("styles/train/", views.style_train, name="style_train"),
    path("styles/picker/", views.style_picker, name="style_picker"),
    path("styles/<uuid:style_uuid>/", views.style_detail, name="style_detail"),
    path("styles/<uuid:style_uuid>/refresh/", views.style_refresh, name="style_refresh"),
]
