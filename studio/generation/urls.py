from django.urls import path

from . import views

urlpatterns = [
    path("generate/", views.generate, name="generate"),
    path("generate/preferences/", views.workspace_preferences, name="workspace_preferences"),
    path("generate/prompts/", views.prompt_history, name="prompt_history"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<uuid:job_uuid>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_uuid>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<uuid:job_uuid>/delete/", views.job_delete, name="job_delete"),
    path("jobs/<uuid:job_uuid>/run-again/", views.job_run_again, name="job_run_again"),
    path("jobs/<uuid:job_uuid>/outputs/<int:position>/", views.output_file, name="output_file"),
    path(
        "jobs/<uuid:job_uuid>/outputs/<int:position>/thumbnail/",
        views.output_thumbnail,
        name="output_thumbnail",
    ),
    path(
        "jobs/<uuid:job_uuid>/outputs/<int:position>/use/",
        views.output_use,
        name="output_use",
    ),
    path(
        "jobs/<uuid:job_uuid>/outputs/<int:position>/input-url/",
        views.output_input,
        name="output_input",
    ),
    path("live/", views.live_events, name="live_events"),
]
