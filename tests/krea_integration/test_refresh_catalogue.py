"""``manage.py refresh_krea_catalogue``: rebuild the catalogue from a newer Krea spec."""

import copy
import http.server
import json
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from krea_integration.catalogue import CATALOGUE_PATH, load, validate_params
from krea_integration.pricing import estimate

from .conftest import SPEC_PATH

KREA_2 = "/generate/image/krea/krea-2/medium"
KREA_2_DESCRIPTION = """Krea's own balanced model.
| Resolution | Compute Units |
|------------|---------------|
| 1K | 12 |
| 2K | 24 |
"""
KREA_2_SCHEMA = {
    "type": "object",
    "properties": {
        "prompt": {"type": "string", "minLength": 1},
        "resolution": {"type": "string", "enum": ["1K", "2K"], "default": "2K"},
        "aspect_ratio": {"type": "string", "enum": ["1:1", "16:9"], "default": "1:1"},
    },
    "required": ["prompt"],
    "additionalProperties": False,
}


def refresh(*args: str, **options) -> str:
    out = StringIO()
    call_command("refresh_krea_catalogue", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def catalogue_file(tmp_path) -> Path:
    """A copy of the checked-in catalogue for the command to rewrite."""
    path = tmp_path / "catalogue.json"
    path.write_text(CATALOGUE_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    yield path
    load.cache_clear()


@pytest.fixture
def newer_spec(krea_spec, tmp_path) -> Path:
    """Krea's spec with a model added, one removed and a price changed."""
    spec = copy.deepcopy(krea_spec)
    new_op = copy.deepcopy(spec["paths"]["/generate/image/google/nano-banana-2"])
    new_op["post"].update(
        summary="Krea 2 Medium",
        description=KREA_2_DESCRIPTION,
        **{"x-krea-deprecated-field-aliases": [{"from": "aspectRatio", "to": "aspect_ratio"}]},
    )
    new_op["post"]["requestBody"]["content"]["application/json"]["schema"] = KREA_2_SCHEMA
    spec["paths"][KREA_2] = new_op
    del spec["paths"]["/generate/video/runway/aleph"]
    veo = spec["paths"]["/generate/video/google/veo-3.1"]["post"]
    veo["description"] = veo["description"].replace(
        "| 720p | No | 8s | 916 |", "| 720p | No | 8s | 999 |"
    )
    path = tmp_path / "newer-spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


@pytest.mark.spec
def test_reports_added_removed_and_changed_models(newer_spec, catalogue_file):
    output = refresh(str(newer_spec), catalogue=str(catalogue_file))

    assert "Added: image/krea/krea-2/medium (Krea 2 Medium)" in output
    assert "Removed: video/runway/aleph" in output
    assert "Changed: video/google/veo-3.1: price" in output
    assert output.count("Changed:") == 1
    assert "Wrote" in output


@pytest.mark.spec
def test_the_new_model_works_from_its_schema_alone(newer_spec, catalogue_file):
    refresh(str(newer_spec), catalogue=str(catalogue_file))
    catalogue = load(catalogue_file)
    model = catalogue.get(KREA_2)

    assert model.defaults() == {"resolution": "2K", "aspect_ratio": "1:1"}
    assert validate_params(model, {"prompt": "a fox", "aspectRatio": "16:9"}) == []
    assert [e.field for e in validate_params(model, {"prompt": "a fox", "seed": 1})] == ["seed"]
    assert estimate(model, {}) == 24
    assert estimate(model, {"resolution": "1K"}) == 12
    assert estimate(catalogue.get("video/google/veo-3.1"), {}) == 999
    assert "video/runway/aleph" not in catalogue


@pytest.mark.spec
def test_dry_run_reports_without_writing(newer_spec, catalogue_file):
    before = catalogue_file.read_text(encoding="utf-8")

    output = refresh(str(newer_spec), "--dry-run", catalogue=str(catalogue_file))

    assert "Added: image/krea/krea-2/medium" in output
    assert "Dry run" in output
    assert catalogue_file.read_text(encoding="utf-8") == before


@pytest.mark.spec
def test_names_the_request_fields_that_changed(krea_spec, tmp_path, catalogue_file):
    spec = copy.deepcopy(krea_spec)
    schema = spec["paths"]["/generate/video/google/veo-3.1"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    schema["properties"]["duration"]["enum"].append(10)
    schema["properties"]["fps"] = {"type": "integer"}
    schema["required"].append("fps")
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")

    output = refresh(str(spec_path), "--dry-run", catalogue=str(catalogue_file))

    assert (
        "Changed: video/google/veo-3.1: request_schema.duration, request_schema.fps, "
        "required fields" in output
    )


@pytest.mark.spec
def test_the_shared_spec_changes_nothing(krea_spec):
    output = refresh(str(SPEC_PATH), "--dry-run")

    assert output.startswith("No changes.")
    assert "No price: video/runway/aleph" in output


@pytest.mark.spec
def test_fetches_a_spec_from_a_url(krea_spec, catalogue_file, tmp_path):
    body = json.dumps(krea_spec).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/openapi.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        output = refresh(f"{base}/openapi.json", "--dry-run", catalogue=str(catalogue_file))
        with pytest.raises(CommandError, match="HTTP 404"):
            refresh(f"{base}/missing.json", catalogue=str(catalogue_file))
    finally:
        server.shutdown()
        server.server_close()

    assert output.startswith("No changes.")
    with pytest.raises(CommandError, match="Cannot fetch"):
        refresh(f"{base}/openapi.json", catalogue=str(catalogue_file))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read"),
        ("{not json", "is not JSON"),
        ('["a list"]', "not an OpenAPI description"),
        ('{"openapi": "3.1.0", "paths": {}}', "not a usable Krea spec"),
        (
            '{"openapi": "3.1.0", "paths": {"/jobs": {"get": {"summary": "List jobs"}}}}',
            "no generation endpoints",
        ),
    ],
    ids=["missing file", "not JSON", "not a spec", "no paths", "no models"],
)
def test_an_unusable_spec_is_a_clear_error_and_writes_nothing(
    tmp_path, catalogue_file, content, message
):
    spec_path = tmp_path / "spec.json"
    if content is not None:
        spec_path.write_text(content, encoding="utf-8")
    before = catalogue_file.read_text(encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        refresh(str(spec_path), catalogue=str(catalogue_file))

    assert catalogue_file.read_text(encoding="utf-8") == before


@pytest.mark.spec
def test_stores_the_kind_of_file_each_url_field_takes_and_reports_the_undecided(
    krea_spec, tmp_path, catalogue_file
):
    spec = copy.deepcopy(krea_spec)
    schema = spec["paths"]["/generate/image/google/nano-banana-2"]["post"]["requestBody"]
    krea_2 = copy.deepcopy(KREA_2_SCHEMA)
    krea_2["properties"].update(
        mood_board={"type": "string", "format": "uri"},
        scene={"type": "string", "format": "uri", "description": "A GLB mesh to light."},
        cues={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"const": "voice"},
                    "src": {"type": "string", "format": "uri"},
                },
            },
        },
    )
    schema = copy.deepcopy(schema)
    schema["content"]["application/json"]["schema"] = krea_2
    spec["paths"][KREA_2] = {"post": {"summary": "Krea 2", "requestBody": schema}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")

    output = refresh(str(path), catalogue=str(catalogue_file))

    stored = json.loads(catalogue_file.read_text())["models"]
    assert stored["image/krea/krea-2/medium"]["media_inputs"] == {
        "mood_board": None,
        "scene": "3d",
        "cues[].src": "audio",  # a row pinned to one kind says it
    }
    assert stored["video/alibaba/wan-2.5"]["media_inputs"]["audio_url"] == "audio"
    assert stored["video/kling/kling-o1"]["media_inputs"]["element_references[].images[]"] == (
        "image"
    )
    assert stored["video/runway/aleph"]["media_inputs"]["references[].uri"] == "image"
    assert "Media kind undecided: image/krea/krea-2/medium: mood_board" in output
    # A style reference that names no medium is a picture (see media._STYLE_WORDS).
    assert stored["video/kling/kling-o1"]["media_inputs"]["style_references[].url"] == "image"
    assert "kling-o1: style_references" not in output
    assert "Media kind undecided: image/krea/krea-2/medium: cues" not in output
