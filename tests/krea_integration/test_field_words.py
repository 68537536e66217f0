"""The catalogue's words for request fields: every field of every model has a curated
label (no raw key like ``guidance_scale_flux`` or ``uri`` reaches a person), overrides per
model win, unknown fields fall back to the schema, and the refresh lists what is missing."""

import copy
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from krea_integration import catalogue
from krea_integration.catalogue import field_paths, field_words, form_defaults, from_openapi

from .test_refresh_catalogue import KREA_2, KREA_2_SCHEMA, catalogue_file  # noqa: F401


def assert_readable(label: str, path: str) -> None:
    key = path.replace("[]", "").split(".")[-1]
    assert "_" not in label, (path, label)
    assert label != key, (path, label)  # "uri", "tag" as they are spelt in the schema
    assert re.match(r"[A-Z0-9]", label), (path, label)


def every_field(models):
    for model in models:
        for path, sub in field_paths(model.request_schema):
            yield model, path, sub


def test_every_field_of_every_catalogue_model_has_a_curated_readable_label():
    seen = 0
    for model, path, sub in every_field(catalogue.load()):
        words = field_words(path, model_id=model.id, schema=sub)
        assert words.curated, f"{model.id}: {path} has no label in field_words.json"
        assert_readable(words.label, path)
        seen += 1
    assert seen > 400  # every field of 56 models, row parts included


@pytest.mark.spec
def test_every_field_of_every_model_in_krea_spec_has_a_curated_label(krea_spec):
    missing = catalogue.uncurated_fields(from_openapi(krea_spec))
    assert missing == {}


def test_a_models_override_wins_key_by_key_over_the_fields_words():
    hailuo = field_words("model", model_id="video/minimax/hailuo")
    topaz = field_words("model", model_id="enhance/topaz/standard-enhance")
    assert (hailuo.label, topaz.label) == ("Version", "Enhancer")
    # Other schemas' "model" (a style training's base model) keeps its own words.
    assert not field_words("model").curated
    camera = field_words("camera_control", model_id="video/minimax/hailuo")
    assert camera.advanced and camera.label == "Camera moves"


def test_a_field_nobody_described_falls_back_to_its_schema_then_its_name():
    titled = field_words("lens_mm", schema={"type": "number", "title": "Focal length"})
    bare = field_words("lens_mm", schema={"type": "number", "description": "The lens."})
    assert (titled.label, titled.curated) == ("Focal length", False)
    assert (bare.label, bare.help) == ("Lens mm", "The lens.")


def test_a_model_described_with_audio_starts_with_sound_on():
    veo = catalogue.load().get("video/google/veo-3.1")
    veo_3 = catalogue.load().get("video/google/veo-3")  # "Older version of Veo 3.1."
    assert veo.defaults()["generate_audio"] is False  # Krea's schema default
    assert form_defaults(veo)["generate_audio"] is True
    assert form_defaults(veo_3)["generate_audio"] is False


@pytest.mark.spec
def test_the_refresh_lists_fields_without_a_curated_label(krea_spec, tmp_path, catalogue_file):  # noqa: F811
    spec = copy.deepcopy(krea_spec)
    operation = copy.deepcopy(spec["paths"]["/generate/image/google/nano-banana-2"])
    schema = copy.deepcopy(KREA_2_SCHEMA)
    schema["properties"]["lens_mm"] = {"type": "number"}
    operation["post"]["requestBody"]["content"]["application/json"]["schema"] = schema
    spec["paths"][KREA_2] = operation
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")

    out = StringIO()
    call_command("refresh_krea_catalogue", str(path), "--dry-run", stdout=out, stderr=StringIO())

    lines = [line for line in out.getvalue().splitlines() if line.startswith("No label:")]
    assert lines == [
        "No label: lens_mm (image/krea/krea-2/medium); add it to "
        "krea_integration/catalogue/field_words.json"
    ]
