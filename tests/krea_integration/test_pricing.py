"""CU estimates: every row of Krea's published tables, defaults, unknown prices."""

import re
from decimal import Decimal

import pytest

from krea_integration.catalogue import UnknownModel, load
from krea_integration.pricing import (
    NoPriceForCombination,
    NoPublishedPrice,
    PriceUnknown,
    estimate,
    training_estimate,
)

URL = "https://assets.test/ref.png"


# ------------------------------------------------------------ a reader of its own
#
# This reads the spec's tables with hand-written knowledge of each column, so
# that it checks the catalogue's general-purpose parser rather than repeats it.


def spec_tables(description: str) -> tuple[list[str], list[list[str]]] | None:
    lines = [line.strip() for line in description.splitlines() if line.strip().startswith("|")]
    if not lines:
        return None
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    header, _separator, *body = rows
    return header, body


def request_for(column: str, cell: str) -> dict:
    """The request parameters that one table cell stands for."""
    yes = cell == "Yes"
    seconds = re.fullmatch(r"(\d+)s", cell)
    if column == "Duration":
        return {"duration": int(seconds.group(1))} if seconds else {}  # "-": no such param
    if column in ("Resolution", "Mode"):
        return {column.lower(): cell}
    if column == "Audio":
        return {"generate_audio": yes}
    if column == "LoRA":
        return {"has_lora": yes}
    if column == "Character Reference":
        return {"character_reference_images": [URL] if yes else []}
    if column == "Video Reference":
        return {"video_reference": {"url": URL, "tag": "clip"}} if yes else {}
    if column == "Reference Images":  # uni-1 takes its reference images as style_images
        return {"style_images": [{"url": URL, "strength": 1}] * int(cell)}
    if column == "Model":  # imagen-3 names its only model; not a request field
        return {}
    raise AssertionError(f"the test does not know the price column {column!r}")


def spec_price_rows(krea_spec) -> list[tuple[str, dict, Decimal]]:
    cases = []
    for path, item in krea_spec["paths"].items():
        if not path.startswith("/generate/"):
            continue
        parsed = spec_tables(item["post"].get("description", ""))
        if parsed is None:
            continue
        header, body = parsed
        cu_column = header.index("Compute Units")
        for row in body:
            params: dict = {}
            for column, cell in zip(header, row, strict=True):
                if column not in ("Compute Units", "Average Completion Time"):
                    params.update(request_for(column, cell))
            cases.append((path, params, Decimal(row[cu_column].lstrip("~"))))
    return cases


@pytest.mark.spec
def test_every_row_of_every_published_table_is_what_estimate_says(krea_spec):
    cases = spec_price_rows(krea_spec)
    priced_paths = {path for path, _, _ in cases}

    assert len(priced_paths) == len([m for m in load().models if m.price is not None])
    wrong = [
        (path, params, expected, estimate(path, params))
        for path, params, expected in cases
        if estimate(path, params) != expected
    ]
    assert wrong == []


@pytest.mark.spec
def test_models_without_a_table_have_no_published_price(krea_spec):
    untabled = {
        path.removeprefix("/generate/")
        for path, item in krea_spec["paths"].items()
        if path.startswith("/generate/") and "Compute Units" not in item["post"]["description"]
    }

    assert untabled == {m.id for m in load().models if m.price is None}
    for model_id in untabled:
        with pytest.raises(NoPublishedPrice):
            estimate(model_id, {})


@pytest.mark.spec
def test_training_prices_per_step_are_the_specs(krea_spec):
    description = krea_spec["paths"]["/styles/train"]["post"]["description"]
    published = dict(re.findall(r"\|\s*\*\*([\w-]+)\*\*\s*\|\s*~([\d.]+)\s*\|", description))

    assert len(published) == 6
    for train_model, per_step in published.items():
        assert training_estimate(train_model, 10) == Decimal(per_step) * 10


# ------------------------------------------------------------ spot checks


def test_veo_3_1_with_nothing_chosen_is_8s_720p_silent():
    assert estimate("video/google/veo-3.1", {}) == 916
    assert estimate("video/google/veo-3.1") == 916


def test_veo_3_1_choices_change_the_price():
    params = {"prompt": "x", "resolution": "4K", "generate_audio": True, "duration": 4}

    assert estimate("video/google/veo-3.1", params) == 1375


def test_a_model_object_or_its_path_can_be_priced():
    model = load().get("video/google/veo-3.1")

    assert (
        estimate(model, {"duration": 6})
        == estimate("/generate/video/google/veo-3.1", {"duration": 6})
        == 687
    )


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("image/bfl/flux-1-dev", Decimal("3")),
        ("image/google/nano-banana", Decimal("22.3")),
        ("image/openai/gpt-image", Decimal("179")),
        ("image/google/imagen-3", Decimal("22.9")),
        ("video/alibaba/wan-2.1", Decimal("270")),
        ("video/minimax/hailuo", Decimal("246")),
    ],
)
def test_flat_prices_ignore_the_parameters(model_id, expected):
    assert estimate(model_id, {}) == expected
    assert estimate(model_id, {"prompt": "a fox", "seed": 7}) == expected


def test_resolution_default_and_choice():
    assert estimate("image/google/nano-banana-pro", {}) == Decimal("60.1")
    assert estimate("image/google/nano-banana-pro", {"resolution": "4K"}) == 120


def test_a_character_reference_costs_more():
    ideogram = "image/ideogram/ideogram-3"

    assert estimate(ideogram, {"character_reference_images": [URL]}) == Decimal("85.9")
    assert estimate(ideogram, {"character_reference_images": []}) == Decimal("34.4")
    assert estimate(ideogram, {}) == Decimal("34.4")


def test_each_reference_image_is_priced():
    images = [{"url": URL, "strength": 1}] * 3

    assert estimate("image/luma/uni-1", {"mode": "max", "style_images": images}) == Decimal("62.4")
    assert estimate("image/luma/uni-1", {}) == Decimal("23.1")


def test_deprecated_aliases_are_priced_like_their_fields():
    assert estimate("video/kling/kling-2.6", {"generateAudio": True, "duration": 10}) == 802
    assert estimate("image/luma/uni-1", {"styleImages": [{"url": URL, "strength": 1}]}) == Decimal(
        "24.9"
    )


def test_an_alias_sent_beside_its_field_is_priced_by_the_field():
    params = {"generateAudio": True, "generate_audio": False, "duration": 10}

    assert estimate("video/kling/kling-2.6", params) == 401


def test_mode_spelled_like_the_schema():
    assert estimate("video/kling/kling-3.0", {"mode": "4k", "duration": 15}) == 3608
    assert estimate("video/kling/kling-3.0", {}) == 481  # std, no audio, 5 s


def test_lora_and_video_reference_flags():
    assert estimate("video/lightricks/ltx-video-2.3-22b", {"has_lora": True, "duration": 20}) == 459
    assert estimate("video/lightricks/ltx-video-2.3-22b", {}) == 103
    clip = {"url": URL, "tag": "clip"}
    assert estimate("video/kling/kling-o1", {"video_reference": clip, "duration": 3}) == 289


def test_a_null_parameter_takes_its_default():
    assert estimate("video/google/veo-3.1", {"resolution": None}) == 916


def test_a_combination_without_a_row_is_explained():
    with pytest.raises(NoPriceForCombination) as raised:
        estimate("video/bytedance/seedance-1.0-pro-fast", {"resolution": "480p", "duration": 7})

    message = str(raised.value)
    assert isinstance(raised.value, PriceUnknown)
    assert "Seedance Pro Fast" in message
    assert "Resolution 480p, Duration 7" in message
    assert raised.value.model_id == "video/bytedance/seedance-1.0-pro-fast"


@pytest.mark.parametrize(
    "model_id",
    [
        "enhance/topaz/generative-enhance",
        "enhance/topaz/standard-enhance",
        "enhance/topaz/bloom-enhance",
        "image/bytedance/seededit",
        "video/runway/aleph",
    ],
)
def test_models_without_a_published_price_say_so(model_id):
    with pytest.raises(NoPublishedPrice) as raised:
        estimate(model_id, {"prompt": "x"})

    assert isinstance(raised.value, PriceUnknown)
    assert "publishes no price" in str(raised.value)
    assert load().get(model_id).name in str(raised.value)


def test_an_unknown_model_cannot_be_priced():
    with pytest.raises(UnknownModel):
        estimate("video/acme/nope", {})


# ------------------------------------------------------------ training


def test_training_is_priced_per_step():
    assert training_estimate("qwen", 100) == Decimal("830")
    assert training_estimate("flux_dev", 1000) == Decimal("3000")
    assert training_estimate("z-image", 1) == Decimal("2.4")


def test_training_an_unknown_model_is_refused():
    with pytest.raises(UnknownModel):
        training_estimate("sdxl", 100)


@pytest.mark.parametrize("steps", [0, -5, 2.5, True])
def test_training_steps_must_be_a_positive_whole_number(steps):
    with pytest.raises(ValueError, match="positive whole number"):
        training_estimate("qwen", steps)
