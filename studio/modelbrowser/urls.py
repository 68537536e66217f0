from django.urls import path

from . import views

urlpatterns = [
    path("models/", views.model_browser, name="model_browser"),
    path("models/favourite/", views.model_favourite, name="model_favourite"),
]
