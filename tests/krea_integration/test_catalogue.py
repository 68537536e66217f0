"""The catalogue of Krea's models: what it lists, how it validates requests."""

import copy
import json
from datetime import date
from decimal import Decimal

import pytest

from krea_integration import catalogue
from krea_integration.catalogue import (
    CATALOGUE_PATH,
    Catalogue,
    CatalogueError,
    InvalidParams,
    ParamError,
    UnknownModel,
    aliases_sent,
    from_openapi,
    load,
    normalise_params,
    parse_price_table,
    read_field,
    validate_against,
    validate_params,
)

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def spec_operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [
        (method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def fields(errors: list[ParamError]) -> list[str]:
    return [e.field for e in errors]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load()


# ------------------------------------------------------------ against the spec


@pytest.mark.spec
def test_lists_exactly_the_specs_generation_endpoints(krea_spec, cat):
    expected = {p for m, p, _ in spec_operations(krea_spec) if p.startswith("/generate/")}

    assert {m.path for m in cat.models} == expected
    assert len(cat.models) == len(expected)  # no duplicates either


@pytest.mark.spec
def test_lists_every_other_operation_with_method_path_and_summary(krea_spec, cat):
    expected = {
        (m.upper(), p, op["summary"])
        for m, p, op in spec_operations(krea_spec)
        if not p.startswith("/generate/")
    }

    assert {(o.method, o.path, o.summary) for o in cat.operations} == expected
    assert ("POST", "/node-apps/{id}/execute") in {(o.method, o.path) for o in cat.operations}


@pytest.mark.spec
def test_each_model_carries_its_specs_schema_names_and_aliases(krea_spec, cat):
    for method, path, op in spec_operations(krea_spec):
        if not path.startswith("/generate/"):
            continue
        model = cat.get(path)
        group, provider = path.split("/")[2:4]
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        aliases = {a["from"]: a["to"] for a in op.get("x-krea-deprecated-field-aliases", [])}

        assert (model.group, model.provider, model.name) == (group, provider, op["summary"])
        assert model.summary == op["description"].splitlines()[0].strip()
        assert model.request_schema == schema
        assert model.request_schema["additionalProperties"] is False
        assert model.aliases == aliases
        for entry in op.get("x-krea-deprecated-field-aliases", []):
            alias = model.alias(entry["from"])
            assert (alias.field, alias.sunset_date.isoformat()) == (
                entry["to"],
                entry["sunset_date"],
            )
            assert (alias.reason, alias.migration_url) == (entry["reason"], entry["migration_url"])


@pytest.mark.spec
def test_training_has_both_body_shapes_and_a_price_for_every_training_model(krea_spec, cat):
    body = krea_spec["paths"]["/styles/train"]["post"]["requestBody"]["content"]
    training = cat.training

    assert training.request_schema == body["application/json"]["schema"]
    assert len(training.shapes) == 2
    assert set(training.models) == {"flux_dev", "flux_schnell", "wan", "wan22", "qwen", "z-image"}
    assert set(training.step_prices) == set(training.models)
    assert "learning_rate" in training.schema_for("wan22")["properties"]
    assert "learning_rate" not in training.schema_for("qwen")["properties"]


@pytest.mark.spec
def test_checked_in_catalogue_is_in_sync_with_the_shared_spec(krea_spec):
    rebuilt = catalogue.dumps(from_openapi(krea_spec))

    assert CATALOGUE_PATH.read_text(encoding="utf-8") == rebuilt, (
        "catalogue.json is stale: run `manage.py refresh_krea_catalogue ../shared/krea/"
        "krea-api-openapi.json`"
    )


# ------------------------------------------------------------ the checked-in file


def test_finds_a_model_by_id_or_by_path(cat):
    by_id = cat.get("video/google/veo-3.1")

    assert cat.get("/generate/video/google/veo-3.1") is by_id
    assert (by_id.group, by_id.provider, by_id.name) == ("video", "google", "Veo 3.1")
    assert "/generate/video/google/veo-3.1" in cat


def test_unknown_model_is_a_lookup_error_naming_it(cat):
    with pytest.raises(UnknownModel, match="video/acme/nope") as raised:
        cat.get("video/acme/nope")

    assert isinstance(raised.value, LookupError)


def test_groups_split_the_models(cat):
    groups = {g: cat.by_group(g) for g in ("image", "video", "enhance")}

    assert sum(len(models) for models in groups.values()) == len(cat.models)
    assert {m.id for m in groups["enhance"]} == {
        "enhance/topaz/generative-enhance",
        "enhance/topaz/standard-enhance",
        "enhance/topaz/bloom-enhance",
    }
    assert all(m.group == "video" for m in groups["video"])


def test_defaults_come_from_the_schema(cat):
    veo = cat.get("video/google/veo-3.1")

    assert veo.defaults() == {
        "aspect_ratio": "16:9",
        "duration": 8,
        "generate_audio": False,
        "resolution": "720p",
    }


def test_defaults_are_copies_the_caller_may_change(cat):
    wan = cat.get("video/alibaba/wan-2.2")
    wan.defaults()["guide_scale"].append(99)

    assert wan.defaults()["guide_scale"] == [4, 3.5]


def test_load_is_cached_and_reads_a_given_file(tmp_path, cat):
    copy_path = tmp_path / "catalogue.json"
    copy_path.write_text(catalogue.dumps(cat))

    assert load() is load()
    assert load(copy_path) == cat


def test_load_refuses_a_file_that_is_not_a_catalogue(tmp_path):
    bad = tmp_path / "catalogue.json"
    bad.write_text(json.dumps({"openapi": "3.1.0"}))

    with pytest.raises(CatalogueError):
        load(bad)


def test_catalogue_round_trips_through_its_json(cat):
    assert Catalogue.from_data(json.loads(catalogue.dumps(cat))) == cat


def test_json_keeps_fields_in_krea_order_and_one_price_row_per_line():
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    veo = json.loads(text)["models"]["video/google/veo-3.1"]

    assert next(iter(veo["request_schema"]["properties"])) == "prompt"
    row = '{"cu": "916", "when": {"duration": 8, "generate_audio": false, "resolution": "720p"}}'
    assert any(line.strip().rstrip(",") == row for line in text.splitlines())


# ------------------------------------------------------------ validation


def test_a_valid_request_has_no_errors(cat):
    veo = cat.get("video/google/veo-3.1")

    assert validate_params(veo, {"prompt": "a fox", "duration": 4, "resolution": "4K"}) == []


def test_missing_required_field_is_named(cat):
    errors = validate_params(cat.get("video/google/veo-3.1"), {"duration": 4})

    assert errors == [ParamError("prompt", "prompt is required.")]


def test_unknown_field_is_named(cat):
    errors = validate_params(cat.get("video/google/veo-3.1"), {"prompt": "x", "fps": 30})

    assert errors == [ParamError("fps", "Unknown field fps.")]


def test_wrong_type_is_named(cat):
    errors = validate_params(
        cat.get("video/google/veo-3.1"), {"prompt": "x", "generate_audio": "yes"}
    )

    assert errors == [ParamError("generate_audio", "generate_audio must be true or false.")]


def test_value_not_in_enum_lists_the_allowed_values(cat):
    errors = validate_params(cat.get("video/google/veo-3.1"), {"prompt": "x", "resolution": "8K"})

    assert fields(errors) == ["resolution"]
    assert errors[0].message == "resolution must be one of 720p, 1080p or 4K (got 8K)."


def test_out_of_range_numbers_say_the_limit(cat):
    flux = cat.get("image/bfl/flux-1-dev")

    low = validate_params(flux, {"prompt": "x", "steps": 0})
    high = validate_params(flux, {"prompt": "x", "width": 4096})

    assert low == [ParamError("steps", "steps must be at least 1 (got 0).")]
    assert high == [ParamError("width", "width must be at most 2368 (got 4096).")]


def test_too_long_text_and_too_many_items_are_named(cat):
    uni = cat.get("image/luma/uni-1")
    images = [{"url": f"https://x.test/{i}.png", "strength": 1} for i in range(10)]

    errors = validate_params(uni, {"prompt": "x" * 6001, "style_images": images})

    assert fields(errors) == ["prompt", "style_images"]
    assert "at most 6000 characters" in errors[0].message
    assert "at most 9 items" in errors[1].message


def test_a_problem_inside_a_list_names_the_item(cat):
    flux = cat.get("image/bfl/flux-1-dev")

    errors = validate_params(flux, {"prompt": "x", "style_images": [{"url": "https://x.test"}]})

    assert errors == [
        ParamError("style_images[0].strength", "style_images[0].strength is required.")
    ]


def test_a_union_of_constants_reads_as_a_choice(cat):
    errors = validate_params(cat.get("video/kling/kling-2.5"), {"prompt": "x", "duration": 7})

    assert errors == [ParamError("duration", "duration must be one of 5 or 10 (got 7).")]


def test_several_problems_are_all_reported(cat):
    errors = validate_params(cat.get("video/google/veo-3.1"), {"duration": 5, "loop": True})

    assert fields(errors) == ["duration", "loop", "prompt"]


def test_a_body_that_is_not_an_object_is_refused_as_a_whole(cat):
    assert validate_params(cat.get("video/google/veo-3.1"), ["prompt"]) == [
        ParamError("", "The request body must be a JSON object.")
    ]


def test_deprecated_aliases_are_accepted_and_renamed(cat):
    veo = cat.get("video/google/veo-3.1")
    params = {"prompt": "x", "generateAudio": True, "aspectRatio": "9:16"}

    assert validate_params(veo, params) == []
    assert normalise_params(veo, params) == {
        "prompt": "x",
        "generate_audio": True,
        "aspect_ratio": "9:16",
    }


def test_a_bad_value_under_an_alias_says_how_it_was_sent(cat):
    errors = validate_params(cat.get("video/google/veo-3.1"), {"prompt": "x", "aspectRatio": "1:1"})

    assert fields(errors) == ["aspect_ratio"]
    assert errors[0].message.endswith("(sent as aspectRatio)")


def test_alias_and_field_together_are_an_error(cat):
    veo = cat.get("video/google/veo-3.1")
    params = {"prompt": "x", "generateAudio": True, "generate_audio": False}

    with pytest.raises(InvalidParams) as raised:
        normalise_params(veo, params)
    errors = validate_params(veo, params)

    assert fields(raised.value.errors) == ["generate_audio"]
    assert errors == raised.value.errors
    assert "generateAudio" in errors[0].message


def test_an_alias_is_refused_after_its_sunset_only_when_a_day_is_given(cat):
    veo = cat.get("video/google/veo-3.1")
    params = {"prompt": "x", "aspectRatio": "9:16", "generateAudio": "yes"}

    on_the_day = validate_params(veo, params, today=date(2026, 6, 19))
    after = validate_params(veo, params, today=date(2026, 6, 20))

    assert fields(on_the_day) == ["generate_audio"]  # renamed, and its value checked
    assert fields(after) == ["aspectRatio", "generateAudio"]
    assert after[0].message.startswith(
        "aspectRatio is no longer accepted since 2026-06-19: send aspect_ratio instead."
    )
    assert validate_params(veo, params) == on_the_day  # the portal renames, whatever the day


def test_the_aliases_a_request_uses_say_what_to_send_instead(cat):
    veo = cat.get("video/google/veo-3.1")

    [alias] = aliases_sent(veo, {"prompt": "x", "aspectRatio": "9:16"})

    assert alias.notice() == (
        "aspectRatio is a deprecated name of aspect_ratio (Krea stopped accepting it after "
        "2026-06-19): send aspect_ratio instead. Public API request fields are moving to "
        "snake_case. See https://docs.krea.ai/developers/deprecations#public-api-snake-case-fields"
    )


def test_an_alias_of_another_model_is_an_unknown_field(cat):
    # flux-1.1-pro publishes no aliases: Krea would refuse imageUrl there.
    errors = validate_params(
        cat.get("image/bfl/flux-1.1-pro"),
        {"prompt": "x", "width": 512, "height": 512, "imageUrl": "https://x.test/a.png"},
    )

    assert errors == [ParamError("imageUrl", "Unknown field imageUrl.")]


def test_a_body_with_more_fields_than_the_model_has_gets_one_error_counting_them(cat):
    flux = cat.get("image/bfl/flux-1-dev")
    params = {"prompt": "x", **{f"k{i}": i for i in range(20_000)}}

    errors = validate_params(flux, params)

    assert errors == [
        ParamError(
            "",
            "The request body has 20001 fields, more than the 11 it may have: "
            "20000 unknown fields (k0, k1, k10, k100, k1000, …).",
        )
    ]


def test_an_object_with_many_unknown_fields_gets_one_error_a_few_get_one_each():
    schema = {
        "type": "object",
        "properties": {
            "scene": {
                "type": "object",
                "properties": {f"p{i}": {"type": "integer"} for i in range(40)},
                "additionalProperties": False,
            }
        },
    }

    many = validate_against(schema, {"scene": {f"x{i}": 1 for i in range(11)}})
    few = validate_against(schema, {"scene": {"x1": 1, "x2": 2}})

    assert many == [ParamError("scene", "scene has 11 unknown fields (x0, x1, x10, x2, x3, …).")]
    assert few == [
        ParamError("scene.x1", "Unknown field x1."),
        ParamError("scene.x2", "Unknown field x2."),
    ]


def test_the_same_problem_found_twice_is_listed_once():
    schema = {"type": "object", "allOf": [{"required": ["prompt"]}, {"required": ["prompt"]}]}

    assert validate_against(schema, {}) == [ParamError("prompt", "prompt is required.")]


def test_listing_each_problem_once_does_not_compare_every_pair_of_problems(monkeypatch):
    # 5,000 distinct problems: a list's ``in`` made 12.5 million comparisons here.
    comparisons = 0
    compare = ParamError.__eq__

    def counted(self, other):
        nonlocal comparisons
        comparisons += 1
        return compare(self, other)

    monkeypatch.setattr(ParamError, "__eq__", counted)
    errors = validate_against({"type": "array", "items": {"type": "integer"}}, ["x"] * 5_000)

    assert len(errors) == 5_000
    assert errors[0] == ParamError("[0]", "[0] must be a whole number.")
    assert comparisons <= 5_001


@pytest.mark.parametrize(
    "model_id, params, field, got",
    [
        ("enhance/topaz/generative-enhance", {"image_url": "not a url"}, "image_url", "'not a url'"),
        ("image/google/nano-banana", {"prompt": "x", "image_urls": ["nope"]}, "image_urls[0]", "nope"),
        ("video/google/veo-3.1", {"prompt": "x", "start_image": "ftp//bad"}, "start_image", "ftp//bad"),
        ("image/bfl/flux-1-dev", {"prompt": "x", "style_images": [{"url": "a.png", "strength": 1}]},
         "style_images[0].url", "a.png"),
    ],
)  # fmt: skip
def test_a_url_field_refuses_text_that_is_not_a_url(cat, model_id, params, field, got):
    model = cat.get(model_id)
    body = {"width": 512, "height": 512, **params} if model.group == "enhance" else params

    errors = validate_params(model, body)

    assert errors == [
        ParamError(
            field, f"{field} must be a full URL, like https://example.com/image.png (got {got})."
        )
    ]


@pytest.mark.parametrize(
    "url",
    ["https://cdn.krea.ai/a.png", "http://127.0.0.1:8000/media/x.png?size=2#top",
     "https://x.test/a%20b.png", "data:image/png;base64,iVBORw0KGgo="],
)  # fmt: skip
def test_full_urls_of_any_kind_pass_the_format_check(cat, url):
    assert (
        validate_params(cat.get("video/google/veo-3.1"), {"prompt": "x", "start_image": url}) == []
    )


@pytest.mark.parametrize(
    "url", ["https://", "https:///a.png", "https://x.test/a b.png", "//x.test/a.png"]
)
def test_urls_without_a_host_or_with_spaces_are_refused(cat, url):
    errors = validate_params(cat.get("video/google/veo-3.1"), {"prompt": "x", "start_image": url})

    assert fields(errors) == ["start_image"]


def test_training_urls_and_node_app_inputs_are_checked_for_format_too(cat):
    node_app = {
        "type": "object",
        "properties": {"image_url": {"type": "string", "format": "uri"}},
        "required": ["image_url"],
    }

    assert fields(
        validate_against(cat.training.request_schema, {"name": "Fox", "urls": ["nope"]})
    ) == ["urls[0]"]
    assert fields(validate_against(node_app, {"image_url": "ftp//bad"})) == ["image_url"]


def test_training_bodies_are_validated_against_both_shapes(cat):
    schema = cat.training.request_schema
    body = {"name": "Fox", "urls": ["https://x.test/1.png"]}

    assert validate_against(schema, body) == []
    assert validate_against(schema, {**body, "model": "qwen"}) == []
    assert validate_against(schema, {"urls": ["https://x.test/1.png"], "model": "qwen"}) == [
        ParamError("name", "name is required.")
    ]


def test_an_unknown_training_model_lists_every_training_model(cat):
    errors = validate_against(
        cat.training.request_schema, {"name": "Fox", "urls": [], "model": "sdxl"}
    )

    assert fields(errors) == ["model"]
    for name in ("flux_dev", "wan22", "qwen", "z-image"):
        assert name in errors[0].message


def test_node_app_inputs_are_validated_against_their_own_schema():
    schema = {
        "type": "object",
        "properties": {"image": {"type": "string"}, "scale": {"type": "integer", "maximum": 4}},
        "required": ["image"],
    }

    assert validate_against(schema, {"image": "https://x.test/a.png"}) == []
    assert validate_against(schema, {"scale": 8}) == [
        ParamError("image", "image is required."),
        ParamError("scale", "scale must be at most 4 (got 8)."),
    ]


# ------------------------------------------------------------ reading one field


def test_a_nullable_url_reads_the_same_written_as_a_type_list_or_as_a_union():
    listed = read_field({"type": ["string", "null"], "format": "uri", "description": "Start."})
    union = read_field(
        {"anyOf": [{"type": "string", "format": "uri", "description": "Start."}, {"type": "null"}]}
    )

    for field in (listed, union):
        assert (field.types, field.format, field.description) == (
            {"string", "null"},
            "uri",
            "Start.",
        )
        assert field.nullable and field.value_types == {"string"} and field.is_scalar


def test_a_field_reads_its_limits_default_and_items():
    integer = {"type": "integer", "minimum": 1, "maximum": 50}
    steps = read_field({"anyOf": [integer, {"type": "null"}], "default": 25})
    images = read_field(
        {"type": "array", "maxItems": 4, "items": {"type": "string", "format": "uri"}}
    )

    assert (steps.minimum, steps.maximum, steps.default, steps.is_integer) == (1, 50, 25, True)
    assert steps.is_number and steps.has_default
    assert (images.max_items, images.items.format, images.items.types) == (4, "uri", {"string"})


def test_a_union_of_constants_is_a_choice_not_a_number_to_type():
    duration = read_field(
        {"anyOf": [{"type": "number", "const": 5}, {"type": "number", "const": 10}]}
    )

    assert duration.choices == [5, 10]
    assert duration.types == {"number"} and not duration.is_number


# ------------------------------------------------------------ from any spec


def minimal_spec(**paths: dict) -> dict:
    return {"openapi": "3.1.0", "info": {"title": "Krea API"}, "paths": paths}


def generation_op(summary: str, description: str, schema: dict, aliases=()) -> dict:
    return {
        "post": {
            "summary": summary,
            "description": description,
            "x-krea-deprecated-field-aliases": [{"from": a, "to": b} for a, b in aliases],
            "requestBody": {"content": {"application/json": {"schema": schema}}},
        }
    }


KREA_2_SCHEMA = {
    "type": "object",
    "properties": {
        "prompt": {"type": "string", "minLength": 1},
        "aspect_ratio": {"type": "string", "enum": ["1:1", "16:9"], "default": "1:1"},
        "quality": {"type": "string", "enum": ["draft", "final"], "default": "draft"},
    },
    "required": ["prompt"],
}


def test_a_model_never_seen_before_works_from_its_schema_alone():
    description = "Krea's own model.\n| Quality | Compute Units |\n|---|---|\n| draft | 12 |\n| final | 30 |\n"
    spec = minimal_spec(
        **{
            "/generate/image/krea/krea-2/medium": generation_op(
                "Krea 2 Medium",
                description,
                copy.deepcopy(KREA_2_SCHEMA),
                [("aspectRatio", "aspect_ratio")],
            )
        }
    )

    model = from_openapi(spec).get("image/krea/krea-2/medium")

    assert (model.group, model.provider, model.name) == ("image", "krea", "Krea 2 Medium")
    assert model.summary == "Krea's own model."
    assert model.defaults() == {"aspect_ratio": "1:1", "quality": "draft"}
    assert model.request_schema["additionalProperties"] is False
    assert validate_params(model, {"prompt": "x", "aspectRatio": "16:9"}) == []
    assert fields(validate_params(model, {"prompt": "x", "quality": "max"})) == ["quality"]
    assert model.price.lookup({"quality": "final"}).cu == 30


def test_local_refs_are_inlined_so_each_schema_stands_alone():
    spec = minimal_spec(
        **{
            "/generate/image/acme/one": generation_op(
                "One", "", {"$ref": "#/components/schemas/OneRequest"}
            )
        }
    )
    spec["components"] = {"schemas": {"OneRequest": copy.deepcopy(KREA_2_SCHEMA)}}

    model = from_openapi(spec).get("image/acme/one")

    assert model.request_schema["properties"] == KREA_2_SCHEMA["properties"]


@pytest.mark.parametrize(
    "spec",
    [{}, {"paths": {}}, minimal_spec(**{"/jobs": {"get": {"summary": "List jobs"}}})],
    ids=["no paths", "empty paths", "no generation endpoint"],
)
def test_a_spec_without_models_is_refused(spec):
    with pytest.raises(CatalogueError):
        from_openapi(spec)


def test_a_generation_endpoint_without_a_json_schema_is_refused():
    spec = minimal_spec(**{"/generate/image/acme/one": {"post": {"summary": "One"}}})

    with pytest.raises(CatalogueError, match="/generate/image/acme/one"):
        from_openapi(spec)


# ------------------------------------------------------------ price table shapes

VIDEO_SCHEMA = {
    "type": "object",
    "properties": {
        "prompt": {"type": "string"},
        "mode": {"type": "string", "enum": ["std", "pro", "4k"], "default": "std"},
        "duration": {"anyOf": [{"type": "number", "const": 5}, {"type": "number", "const": 10}]},
        "generate_audio": {"type": "boolean", "default": False},
        "audio_url": {"type": "string"},
        "reference_images": {"type": "array", "items": {"type": "string"}},
        "image_urls": {"type": "array", "items": {"type": "string"}},
        "video_reference": {"type": "object"},
    },
}


def table(*lines: str) -> str:
    return "Some model.\n" + "\n".join(lines) + "\n> **Deprecated request fields:**\n"


def test_flat_price_with_completion_time():
    price, note = parse_price_table(
        table("| Compute Units | Average Completion Time |", "|---|---|", "| ~3 | ~7 seconds |"),
        VIDEO_SCHEMA,
    )

    assert note == ""
    assert price.is_flat
    assert (price.rows[0].cu, price.rows[0].approximate, price.rows[0].typical_seconds) == (
        3,
        True,
        7,
    )


def test_keyed_price_reads_units_yes_no_and_enum_spelling():
    price, _ = parse_price_table(
        table(
            "| Mode | Audio | Duration | Compute Units |",
            "|---|---|---|---|",
            "| 4K | Yes | 10s | 962 |",
            "| std | No | 5 s | 100 |",
        ),
        VIDEO_SCHEMA,
    )

    assert [(c.field, c.measure) for c in price.columns] == [
        ("mode", "value"),
        ("generate_audio", "flag"),  # a boolean beats audio_url for Yes/No
        ("duration", "value"),
    ]
    assert price.rows[0].cells == ("4k", True, 10)
    assert price.lookup({"mode": "4k", "generate_audio": True, "duration": 10.0}).cu == 962


def test_counts_and_presence_of_references():
    price, _ = parse_price_table(
        table(
            "| Video Reference | Reference Images | CU |",
            "|---|---|---|",
            "| Yes | 2 | 50 |",
            "| No | 0 | 10 |",
        ),
        VIDEO_SCHEMA,
    )

    assert [(c.field, c.measure) for c in price.columns] == [
        ("video_reference", "flag"),
        ("reference_images", "count"),
    ]
    assert price.lookup({"video_reference": {"url": "u"}, "reference_images": ["a", "b"]}).cu == 50
    assert price.lookup({"reference_images": []}).cu == 10


def test_a_dash_means_any_value_and_a_constant_unknown_column_is_ignored():
    price, _ = parse_price_table(
        table("| Model | Duration | Compute Units |", "|---|---|---|", "| Standard | - | ~270 |"),
        VIDEO_SCHEMA,
    )

    assert [c.field for c in price.columns] == ["duration"]
    assert price.lookup({"duration": 10}).cu == 270


def test_an_unmappable_column_leaves_the_price_unknown_with_a_reason():
    price, note = parse_price_table(
        table("| Speed | Compute Units |", "|---|---|", "| fast | 10 |", "| slow | 5 |"),
        VIDEO_SCHEMA,
    )

    assert price is None
    assert "Speed" in note


def test_an_ambiguous_column_is_not_guessed():
    # "Images" shares one word with both reference_images and image_urls.
    price, note = parse_price_table(
        table("| Images | Compute Units |", "|---|---|", "| 1 | 10 |", "| 2 | 20 |"), VIDEO_SCHEMA
    )

    assert price is None
    assert "Images" in note


def test_no_table_means_no_published_price():
    price, note = parse_price_table("Runway's Gen-4 Aleph model.", VIDEO_SCHEMA)

    assert price is None
    assert note == "Krea publishes no price for this model."


def test_training_prices_are_keyed_by_the_schemas_spelling_of_each_model():
    shape = {
        "type": "object",
        "properties": {"model": {"type": "string", "enum": ["flux_dev", "z-image"]}},
    }
    description = "Train.\n| Model | Compute Units/Step |\n|---|---|\n| **Flux Dev** | ~3.0 |\n"
    spec = minimal_spec(
        **{
            "/generate/image/acme/one": generation_op("One", "", copy.deepcopy(KREA_2_SCHEMA)),
            "/styles/train": {
                "post": {
                    "summary": "Train a style",
                    "description": description + "| `z-image` | 2.4 |\n",
                    "requestBody": {"content": {"application/json": {"schema": shape}}},
                }
            },
        }
    )

    training = from_openapi(spec).training

    assert training.step_prices == {"flux_dev": Decimal("3.0"), "z-image": Decimal("2.4")}
