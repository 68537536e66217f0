"""Forms speak the catalogue's words: labels, row parts, explanations and error messages
name fields as people know them, for every model."""

import pytest

from krea_integration import catalogue
from krea_integration.catalogue import ParamError
from studio.generation.forms import generation_form_class, initial_from_params

pytestmark = pytest.mark.django_db

FLUX = "image/bfl/flux-1-dev"


def test_no_form_of_any_model_shows_a_raw_key_as_a_label():
    for model in catalogue.load():
        form = generation_form_class(model)(initial=initial_from_params(model))
        keys = set(model.request_schema["properties"])
        for name, field in form.fields.items():
            assert "_" not in field.label and field.label not in keys, (model.id, name)
            for part in getattr(field, "parts", []):
                assert "_" not in part.label and part.label != part.name, (model.id, name)
        html = str(form)  # Django's own rendering: labels and help of every field
        for key in keys:
            assert f">{key}<" not in html and f">{key}:" not in html, (model.id, key)


def test_explanations_carry_units_limits_and_a_typical_range():
    model = catalogue.load().get(FLUX)
    form = generation_form_class(model)()
    assert form.fields["guidance_scale_flux"].help_text == (
        "How closely the image follows the prompt: higher is more literal, lower is freer. "
        "From 0 to 24. Usually 2.5\u20134. Default: 3."
    )
    assert "From 512 to 2368 pixels." in form.fields["width"].help_text
    kling = catalogue.load().get("video/kling/kling-3.0")
    assert "From 3 to 15 seconds." in generation_form_class(kling)().fields["duration"].help_text


def test_schema_errors_name_the_field_by_its_label():
    model = catalogue.load().get(FLUX)
    form = generation_form_class(model)({"prompt": "a fox"})
    form.is_valid()
    form.add_param_errors(
        [
            ParamError("guidance_scale_flux", "guidance_scale_flux must be at most 24 (got 30)."),
            ParamError("styles[1].strength", "styles[1].strength must be at most 2 (got 5)."),
        ]
    )
    assert form.errors["guidance_scale_flux"] == ["Guidance must be at most 24 (got 30)."]
    assert form.errors["styles"] == ["Styles, row 2: strength must be at most 2 (got 5)."]
