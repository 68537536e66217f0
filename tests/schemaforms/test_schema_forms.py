"""Forms built from any JSON object schema: the builder the generate page, training and
node apps share. What a person sees (the inputs) and what is sent (the JSON body)."""

import pytest

from krea_integration.catalogue import ParamError, validate_against
from studio.schemaforms.fields import (
    ChoiceField,
    JSONValueField,
    NumberField,
    TextField,
    URLTextField,
)
from studio.schemaforms.forms import SchemaForm, schema_form_class

# Shaped like a node app's ``input_openapi_schema`` (GET /node-apps/{id}).
PRODUCT_SHOT = {
    "type": "object",
    "properties": {
        "prompt": {"type": "string", "minLength": 1, "maxLength": 1000},
        "product_image_url": {
            "anyOf": [
                {"type": "string", "format": "uri", "description": "The product photo"},
                {"type": "null"},
            ]
        },
        "background": {"type": "string", "enum": ["studio", "outdoor"], "default": "studio"},
        "variations": {"type": "integer", "minimum": 1, "maximum": 4, "default": 2},
        "mode": {"const": "render"},
    },
    "required": ["prompt", "mode"],
    "additionalProperties": False,
}


@pytest.fixture
def form_class():
    return schema_form_class(PRODUCT_SHOT, name="Product shot")


def test_each_property_becomes_the_input_its_schema_calls_for(form_class):
    form = form_class(initial={"background": "studio", "variations": 2})

    assert issubclass(form_class, SchemaForm) and form_class.__name__ == "ProductShotForm"
    assert list(form.fields) == ["prompt", "product_image_url", "background", "variations"]
    assert isinstance(form.fields["prompt"], TextField) and form.fields["prompt"].required
    assert isinstance(form.fields["background"], ChoiceField)
    variations = str(form["variations"])
    assert 'min="1"' in variations and 'max="4"' in variations and 'step="1"' in variations
    assert isinstance(form.fields["variations"], NumberField)


def test_a_nullable_url_written_as_a_union_is_an_optional_url_input(form_class):
    field = form_class().fields["product_image_url"]

    assert isinstance(field, URLTextField) and not isinstance(field, JSONValueField)
    assert not field.required and field.accepts == "uri"
    assert field.help_text == "The product photo. The URL of an image or video."


def test_what_is_typed_becomes_the_json_body_with_pinned_values_filled_in(form_class):
    form = form_class(
        {"prompt": "a bottle on sand", "product_image_url": "", "background": "outdoor",
         "variations": "3"}
    )  # fmt: skip

    assert form.is_valid(), form.errors
    assert form.params() == {
        "mode": "render",
        "prompt": "a bottle on sand",
        "background": "outdoor",
        "variations": 3,
    }
    assert validate_against(PRODUCT_SHOT, form.params()) == []


def test_the_validators_complaints_land_beside_their_fields(form_class):
    form = form_class({"prompt": "x", "variations": "2", "background": "studio"})
    form.is_valid()

    form.add_param_errors(
        [
            ParamError("variations", "variations must be at most 4 (got 9)."),
            ParamError("", "The request body must be a JSON object."),
        ]
    )

    assert form.errors["variations"] == ["Variations must be at most 4 (got 9)."]
    assert form.non_field_errors() == ["The request body must be a JSON object."]
