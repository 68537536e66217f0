"""The OpenAPI description of the API and its docs page, served without a CDN."""

import re

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/models": {"get"},
    "/api/v1/models/{model_id}": {"get"},
    "/api/v1/estimate": {"post"},
    "/api/v1/jobs": {"get", "post"},
    "/api/v1/jobs/{job_id}": {"get", "delete"},
    "/api/v1/jobs/{job_id}/cancel": {"post"},
    "/api/v1/jobs/{job_id}/outputs/{position}": {"get"},
    "/api/v1/batches": {"post"},
    "/api/v1/batches/{batch_id}": {"get"},
    "/api/v1/usage": {"get"},
    "/api/v1/assets": {"get", "post"},
    "/api/v1/assets/import": {"post"},
    "/api/v1/assets/{asset_id}": {"get", "patch", "delete"},
    "/api/v1/styles": {"get"},
    "/api/v1/styles/train": {"post"},
    "/api/v1/styles/{style_id}": {"get", "patch"},
    "/api/v1/styles/{style_id}/share-link": {"post"},
    "/api/v1/styles/{style_id}/workspace": {"post", "delete"},
    "/api/v1/node-apps": {"get"},
    "/api/v1/node-apps/{node_app_id}": {"get"},
    "/api/v1/node-apps/{node_app_id}/execute": {"post"},
    "/api/v1/node-apps/runs/{run_id}": {"get"},
    "/api/v1/webhook-endpoints": {"get", "post"},
    "/api/v1/webhook-endpoints/{endpoint_id}": {"get", "patch", "delete"},
    "/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret": {"post"},
    "/api/v1/webhook-endpoints/{endpoint_id}/test": {"post"},
    "/api/v1/webhook-endpoints/{endpoint_id}/deliveries": {"get"},
    "/api/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/resend": {"post"},
    "/api/v1/webhook-callback-secret": {"post"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_and_lists_every_endpoint(schema):
    validate_schema(schema)
    assert {path: set(ops) - {"parameters"} for path, ops in schema["paths"].items()} == ENDPOINTS
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["apiKey"]["description"],
    }


def test_the_schema_is_public_yaml_by_default(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "Krea Studio API"
    as_json = client.get("/api/v1/schema/?format=json")
    assert as_json.json()["info"]["title"] == "Krea Studio API"


def test_the_schema_leaves_out_krea_s_webhook(schema):
    assert not any("webhooks/krea" in path for path in schema["paths"])


def test_the_schema_describes_every_webhook_event(schema):
    event = schema["components"]["schemas"]["WebhookEvent"]
    shapes = {item["$ref"].rsplit("/", 1)[1] for item in event["oneOf"]}
    assert shapes == {"JobEvent", "QuotaEvent", "AssetEvent", "StyleEvent", "TestEvent"}
    job_event = schema["components"]["schemas"]["JobEvent"]["properties"]["data"]
    assert "Job" in str(job_event)


def test_the_schema_generates_without_warnings(tmp_path):
    """``spectacular --validate --fail-on-warn``: drf-spectacular's own checks."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_the_docs_page_loads_everything_from_our_own_static_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert external == []
    assert "cdn" not in page.lower()
