"""The generate form as people fill it in: one size control whatever shape the schema gives
the size in, an enhancer's size from its input image, the common fields first and the rarely
changed ones in a collapsed Advanced section, and defaults that match the model."""

import re

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from krea_integration import catalogue
from studio.generation.forms import generation_form_class
from studio.generation.models import Job
from studio.schemaforms.size import upscale_size

pytestmark = pytest.mark.django_db

FLUX = "image/bfl/flux-1-dev"
FLUX_PRO = "image/bfl/flux-1.1-pro"
Z_IMAGE = "image/z-image/z-image"
NANO_BANANA_2 = "image/google/nano-banana-2"
WAN = "video/alibaba/wan-2.1"
VEO = "video/google/veo-3.1"
TOPAZ = "enhance/topaz/standard-enhance"
BLOOM = "enhance/topaz/bloom-enhance"
SIZE_FIELDS = ("width", "height", "aspect_ratio", "ratio", "resolution")


def url(model_id, **query):
    return reverse("generate") + "?" + urlencode({"model": model_id, **query})


def size_control_html(page: str) -> str:
    start = page.index('<fieldset class="field field--size')
    return page[start : page.index("</fieldset>", start)]


@pytest.fixture
def page_of(client, member, team_with_token):
    client.force_login(member)

    def _page(model_id, **query):
        response = client.get(url(model_id, **query))
        assert response.status_code == 200
        return response.content.decode()

    return _page


@pytest.mark.slow
def test_every_model_shows_each_size_field_once_inside_one_size_control(page_of):
    for model in catalogue.load():
        names = [n for n in SIZE_FIELDS if n in model.request_schema["properties"]]
        page = page_of(model.id)
        asked = [n for n in names if f'name="{n}"' in page]
        if not asked:
            continue
        assert page.count('<fieldset class="field field--size') == 1, model.id
        control = size_control_html(page)
        for name in asked:
            # One input (a select, a number) or one group of radios: never two controls.
            assert f'<select name="{name}"' not in page, (model.id, name)
            outside = page.replace(control, "")
            assert f'name="{name}"' not in outside, (model.id, name)


def test_width_and_height_with_defaults_get_shape_presets_and_start_filled(page_of):
    control = size_control_html(page_of(FLUX))
    assert 'name="width" value="1024"' in control and "needs a size" not in control
    assert re.search(r'name="_aspect" value="1376x768"[^>]*>16:9</button>', control, re.S)
    # The preset matching the size shown is pressed.
    assert re.search(r'value="1024x1024"[^>]*aria-pressed="true"[^>]*>1:1</button>', control)
    assert re.search(r'value="1376x768"[^>]*aria-pressed="false"', control)


def test_a_required_size_without_a_default_starts_empty_and_says_so(page_of):
    control = size_control_html(page_of(FLUX_PRO))
    assert re.search(r'name="width"(?![^>]*value=)', control)
    assert "Flux 1.1 Pro needs a size and has no default" in control


def test_a_required_aspect_choice_without_a_default_starts_unpicked_and_says_so(page_of):
    control = size_control_html(page_of(Z_IMAGE))
    radios = re.findall(r'<input type="radio" name="aspect_ratio" value="([^"]+)"[^>]*>', control)
    assert radios == ["1:1", "4:3", "2:3", "16:9", "9:16"]
    assert "checked" not in control
    assert "Z Image needs a shape and has no default: pick one below." in control


def test_submitting_without_the_required_aspect_says_so_inside_the_control(
    client, member, team_with_token
):
    client.force_login(member)
    page = client.post(url(Z_IMAGE), {"prompt": "a fox", "_intent": "submit"}).content.decode()
    assert not Job.objects.exists()
    control = size_control_html(page)
    assert 'id="id_aspect_ratio_error"><li>Choose an aspect ratio.</li>' in control
    assert 'aria-invalid="true"' in control


def test_aspect_presets_with_a_resolution_and_the_exact_size_tucked_away(page_of):
    control = size_control_html(page_of(NANO_BANANA_2))
    aspects = re.findall(r'name="aspect_ratio" value="([^"]*)"', control)
    assert aspects[0] == "" and "Model decides" in control  # optional: Krea picks
    assert re.search(r'name="resolution" value="1K"[^>]*checked', control)
    assert '<details class="size__exact">' in control  # width/height: optional extras


def test_video_aspect_and_resolution_start_on_the_schemas_defaults(page_of):
    control = size_control_html(page_of(VEO))
    assert re.search(r'name="aspect_ratio" value="16:9"[^>]*checked', control)
    assert re.search(r'name="resolution" value="720p"[^>]*checked', control)
    assert 'name="width"' not in control


def test_width_and_height_with_an_aspect_choice_are_one_control_whose_presets_set_all_three(
    client, member, team_with_token
):
    form = generation_form_class(catalogue.load().get(WAN))()
    assert form.size.kind == "pixels" and form.size.aspect == "aspect_ratio"
    nine_sixteen = next(p for p in form.size.presets if p.choice == "9:16")
    client.force_login(member)
    page = client.get(url(WAN)).content.decode()
    control = size_control_html(page)
    assert f'data-fill-width="{nine_sixteen.width}"' in control
    # It starts on the default shape's size, not on empty required inputs.
    assert re.search(r'name="aspect_ratio" value="16:9"[^>]*checked', control)
    assert 'name="width" value="1376"' in control and "needs a" not in control
    # Without JS, pressing the preset fills in width, height and the aspect ratio.
    page = client.post(url(WAN), {"prompt": "rain", "_aspect": nine_sixteen.value}).content.decode()
    assert f'name="width" value="{nine_sixteen.width}"' in page
    assert re.search(r'name="aspect_ratio" value="9:16"[^>]*checked', page)
    assert not Job.objects.exists()


def test_an_upscale_factor_multiplies_the_input_and_stays_inside_the_limits():
    assert upscale_size(640, 480, 2, max_width=32000, max_height=32000) == (1280, 960)
    assert upscale_size(6000, 4000, 2, max_width=10000, max_height=10000) == (10000, 6666)


def test_an_enhancers_2x_preset_computes_the_output_size_from_the_input_image(
    client, member, team_with_token
):
    client.force_login(member)
    picked = {"input": "https://cdn.krea.ai/in.png", "kind": "image", "width": 640, "height": 480}
    control = size_control_html(client.get(url(TOPAZ, **picked)).content.decode())
    assert "Input image: 640 \u00d7 480 px." in control
    assert 'name="_input_width" value="640"' in control
    assert re.search(r'name="_upscale" value="2"[^>]*data-max-width="32000"', control)

    page = client.post(
        url(TOPAZ),
        {
            "image_url": picked["input"],
            "model": "Standard V2",
            "_input_width": "640",
            "_input_height": "480",
            "_upscale": "2",
        },
    ).content.decode()
    assert 'name="width" value="1280"' in page and 'name="height" value="960"' in page
    assert "errorlist" not in page and not Job.objects.exists()


def test_an_upscale_preset_without_an_input_image_asks_for_it_and_sends_nothing(
    client, member, team_with_token
):
    client.force_login(member)
    page = client.post(url(BLOOM), {"_upscale": "2"}).content.decode()
    assert not Job.objects.exists()
    assert "Pick the input image above: the presets multiply its size." in page


def test_common_fields_come_first_and_rarely_changed_ones_sit_in_a_closed_advanced_section(
    page_of,
):
    page = page_of(FLUX)
    advanced = page[page.index('<details class="form-advanced"') :]
    advanced = advanced[: advanced.index("</details>\n")]
    for name in ("seed", "steps", "guidance_scale_flux", "strength", "image_style_references"):
        assert f'name="{name}' in advanced, name
    for name in ("prompt", "width", "image_url", "styles-0-id"):
        assert f'name="{name}"' not in advanced, name
    assert '<details class="form-advanced" id="advanced-settings">' in page  # closed
    order = [page.index(f'name="{n}"') for n in ("prompt", "width", "image_url", "styles-0-id")]
    assert order == sorted(order)


def test_the_advanced_section_opens_when_one_of_its_fields_has_an_error(
    client, member, team_with_token
):
    client.force_login(member)
    page = client.post(
        url(FLUX), {"prompt": "a fox", "steps": "500", "_intent": "submit"}
    ).content.decode()
    assert '<details class="form-advanced" id="advanced-settings" open>' in page
    assert 'id="id_steps_error"><li>Steps must be at most 100' in page


def test_a_model_made_for_sound_starts_with_sound_on(page_of):
    page = page_of(VEO)
    assert re.search(r'<input type="checkbox" name="generate_audio"[^>]*checked', page)
