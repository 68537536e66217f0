from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import assets, nodeapps, styles, views, webhooks

app_name = "api-v1"

urlpatterns = [
    path("models", views.ModelListView.as_view(), name="model-list"),
    path("models/<path:model_id>", views.ModelDetailView.as_view(), name="model-detail"),
    path("estimate", views.EstimateView.as_view(), name="estimate"),
    path("jobs", views.JobListView.as_view(), name="job-list"),
    path("jobs/<uuid:job_id>", views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<uuid:job_id>/cancel", views.JobCancelView.as_view(), name="job-cancel"),
    path(
        "jobs/<uuid:job_id>/outputs/<int:position>",
        views.JobOutputView.as_view(),
        name="job-output",
    ),
    path("batches", views.BatchListView.as_view(), name="batch-list"),
    path("batches/<uuid:batch_id>", views.BatchDetailView.as_view(), name="batch-detail"),
    path("usage", views.UsageView.as_view(), name="usage"),
    path("assets", assets.AssetListView.as_view(), name="asset-list"),
    path("assets/import", assets.AssetImportView.as_view(), name="asset-import"),
    path("assets/<uuid:asset_id>", assets.AssetDetailView.as_view(), name="asset-detail"),
    path("styles", styles.StyleListView.as_view(), name="style-list"),
    path("styles/train", styles.StyleTrainView.as_view(), name="style-train"),
    path("styles/<uuid:style_id>", styles.StyleDetailView.as_view(), name="style-detail"),
    path(
        "styles/<uuid:style_id>/share-link",
        styles.StyleShareLinkView.as_view(),
        name="style-share-link",
    ),
    path(
        "styles/<uuid:style_id>/workspace",
        styles.StyleWorkspaceView.as_view(),
        name="style-workspace",
    ),
    path("node-apps", nodeapps.NodeAppListView.as_view(), name="node-app-list"),
    path("node-apps/runs/<uuid:run_id>", nodeapps.NodeAppRunView.as_view(), name="node-app-run"),
    path(
        "node-apps/<uuid:node_app_id>", nodeapps.NodeAppDetailView.as_view(), name="node-app-detail"
    ),
    path(
        "node-apps/<uuid:node_app_id>/execute",
        nodeapps.NodeAppExecuteView.as_view(),
        name="node-app-execute",
    ),
    path("webhook-endpoints", webhooks.EndpointListView.as_view(), name="webhook-endpoint-list"),
    path(
        "webhook-endpoints/<uuid:endpoint_id>",
        webhooks.EndpointDetailView.as_view(),
        name="webhook-endpoint-detail",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/rotate-secret",
        webhooks.EndpointRotateSecretView.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/test",
        webhooks.EndpointTestView.as_view(),
        name="webhook-endpoint-test",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/deliveries",
        webhooks.DeliveryListView.as_view(),
        name="webhook-delivery-list",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/resend",
        webhooks.DeliveryResendView.as_view(),
        name="webhook-delivery-resend",
    ),
    path(
        "webhook-callback-secret",
        webhooks.CallbackSecretView.as_view(),
        name="webhook-callback-secret",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # The split view serves its init script as a file: the CSP allows no inline script.
        # Swagger UI's own stylesheet draws its icons as data: images.
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-v1:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    # Anything else under /api/v1/ is a JSON 404, not the HTML page.
    re_path(r"^[\s\S]*$", views.not_found, name="not-found"),  # newlines too
]
