"""The generate page: the model picker, the form built from each model's schema,
validation beside the fields, the live estimate, and the submit."""

import re
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from krea_integration import catalogue
from krea_integration.catalogue import ParamError
from studio.generation import services
from studio.generation.forms import generation_form_class, initial_from_params
from studio.generation.models import Job, JobStatus
from studio.schemaforms.fields import (
    CheckboxField,
    ChoiceField,
    LinesField,
    NumberField,
    RowsField,
    TextField,
    URLTextField,
)
from studio.usage.models import Quota
from tests.factories import FLUX, JobFactory, give_krea_token
from tests.generation.conftest import VEO

pytestmark = pytest.mark.django_db

GPT_IMAGE = "image/openai/gpt-image"
TOPAZ = "enhance/topaz/standard-enhance"
BLOOM = "enhance/topaz/bloom-enhance"
HTMX = {"HTTP_HX_REQUEST": "true"}


def form_for(model_id, data=None, **kwargs):
    model = catalogue.load().get(model_id)
    form_class = generation_form_class(model)
    if data is None:
        return form_class(initial=initial_from_params(model, kwargs.get("params")))
    return form_class(data)


def generate_url(model_id=None, **query):
    if model_id:
        query["model"] = model_id
    return reverse("generate") + ("?" + urlencode(query) if query else "")


# ------------------------------------------------------------------ the form from a schema


def test_an_image_model_gets_a_prompt_textarea_bounded_numbers_and_an_enum_select():
    form = form_for(GPT_IMAGE)
    assert isinstance(form.fields["prompt"], TextField)
    assert isinstance(form.fields["width"], NumberField)
    assert form.fields["prompt"].required
    assert 'name="prompt"' in str(form["prompt"]) and "<textarea" in str(form["prompt"])

    width = str(form["width"])
    assert 'type="number"' in width and 'min="512"' in width and 'max="8192"' in width
    assert 'value="1024"' in width and 'step="1"' in width

    quality = form.fields["quality"]
    assert isinstance(quality, ChoiceField)
    assert [value for value, _ in quality.choices] == ["low", "medium", "high", "auto"]
    assert 'value="auto" selected' in str(form["quality"])
    assert isinstance(form.fields["image_urls"], LinesField)
    assert isinstance(form.fields["styles"], RowsField)


def test_every_field_has_a_label_and_help_text_from_the_catalogues_words():
    form = form_for(FLUX)
    for name, field in form.fields.items():
        assert field.label, name
    # Krea describes few fields: the catalogue's words, then units, limits, typical, default.
    assert form.fields["steps"].help_text == (
        "Denoising steps: more give finer detail and take longer. "
        "From 1 to 100 steps. Usually 20\u201330. Default: 25."
    )
    assert form.fields["prompt"].help_text == "What to make, in words. Up to 1800 characters."
    assert form.fields["styles"].help_text.startswith("The team's trained styles (LoRAs)")
    assert form.fields["guidance_scale_flux"].label == "Guidance"
    assert form.fields["image_url"].label == "Input image"


def test_veo_3_1_turns_choices_booleans_and_url_lists_into_json_values():
    form = form_for(
        VEO,
        {
            "prompt": "a whale breaching at dawn",
            "aspect_ratio": "9:16",
            "duration": "6",
            "generate_audio": "on",
            "resolution": "1080p",
            "reference_images": "https://cdn.krea.ai/a.png\n\n https://cdn.krea.ai/b.png ",
            "start_image": "",
        },
    )
    assert isinstance(form.fields["duration"], ChoiceField)
    assert isinstance(form.fields["generate_audio"], CheckboxField)
    assert isinstance(form.fields["start_image"], URLTextField)
    assert form.is_valid(), form.errors
    assert form.params() == {
        "prompt": "a whale breaching at dawn",
        "aspect_ratio": "9:16",
        "duration": 6,
        "generate_audio": True,
        "resolution": "1080p",
        "reference_images": ["https://cdn.krea.ai/a.png", "https://cdn.krea.ai/b.png"],
    }
    # Veo has no width/height: its size is its aspect ratio and resolution.
    assert (form.size.kind, form.size.aspect, form.size.resolution) == (
        "aspect",
        "aspect_ratio",
        "resolution",
    )


def test_an_unticked_checkbox_with_a_default_is_sent_as_false():
    form = form_for(
        VEO, {"prompt": "rain", "aspect_ratio": "16:9", "duration": "8", "resolution": "720p"}
    )
    assert form.is_valid(), form.errors
    assert form.params()["generate_audio"] is False


def test_a_topaz_enhancer_must_choose_its_mode_and_gets_upscale_presets_not_aspects():
    form = form_for(TOPAZ)
    mode = form.fields["model"]
    assert isinstance(mode, ChoiceField) and mode.required
    assert mode.choices[0] == ("", "Choose…")
    assert form.fields["width"].required and form.fields["image_url"].required
    assert (form.size.kind, form.size.presets) == ("upscale", ())
    assert isinstance(form.fields["face_enhancement"], CheckboxField)
    sharpen = str(form["sharpen"])
    assert 'min="0"' in sharpen and 'max="1"' in sharpen and 'step="any"' in sharpen

    bound = form_for(TOPAZ, {"image_url": "https://cdn.krea.ai/in.png", "width": "", "model": ""})
    assert not bound.is_valid()
    assert {"width", "height", "model"} <= set(bound.errors)


def test_a_field_pinned_to_one_value_is_not_asked_but_sent():
    form = form_for(BLOOM)
    assert "model" not in form.fields
    bound = form_for(
        BLOOM, {"image_url": "https://cdn.krea.ai/in.png", "width": "2048", "height": "2048"}
    )
    assert bound.is_valid(), bound.errors
    assert bound.params()["model"] == "Reimagine"


def test_styles_are_rows_of_id_and_strength_and_empty_rows_are_skipped():
    form = form_for(
        FLUX,
        {
            "prompt": "a fox",
            "styles-0-id": "style-abc",
            "styles-0-strength": "0.8",
            "styles-1-id": "",
            "styles-1-strength": "1",
            "style_images-0-url": "https://cdn.krea.ai/ref.png",
            "style_images-0-strength": "-0.5",
        },
    )
    assert [p.name for p in form.fields["styles"].parts] == ["id", "strength"]
    assert form.is_valid(), form.errors
    params = form.params()
    assert params["styles"] == [{"id": "style-abc", "strength": 0.8}]
    assert params["style_images"] == [{"url": "https://cdn.krea.ai/ref.png", "strength": -0.5}]
    html = str(form["styles"])
    assert 'name="styles-0-strength"' in html and 'min="-2"' in html and 'max="2"' in html


def test_a_form_shown_again_keeps_filled_rows_and_one_blank_row():
    form = form_for(
        FLUX,
        {
            "prompt": "a fox",
            **{f"styles-{i}-id": "" for i in range(3)},
            **{f"styles-{i}-strength": "1" for i in range(3)},
            "styles-1-id": "kept-style",
        },
    )
    html = str(form["styles"])
    assert 'value="kept-style"' in html
    assert html.count('name="styles-') == 2 * 2  # the filled row and one blank row


def test_a_style_row_with_a_strength_that_is_not_a_number_says_which_row():
    form = form_for(
        FLUX,
        {
            "prompt": "a fox",
            "styles-0-id": "",
            "styles-0-strength": "1",
            "styles-1-id": "s",
            "styles-1-strength": "lots",
        },
    )
    assert not form.is_valid()
    # Row 1: the empty row before it is not shown again, so this one will be the first.
    assert form.errors["styles"] == ["Row 1: strength must be a number."]


def test_width_and_height_come_with_aspect_presets_inside_the_limits():
    form = form_for(FLUX)
    presets = {p.label: (p.width, p.height) for p in form.size.presets}
    assert presets["1:1"] == (1024, 1024)
    assert presets["16:9"][0] > presets["16:9"][1]
    for width, height in presets.values():
        assert 512 <= width <= 2368 and 512 <= height <= 2368
        assert width % 32 == 0 and height % 32 == 0


def test_a_remixed_job_prefills_its_own_values_over_the_defaults():
    form = form_for(
        FLUX,
        params={"prompt": "old prompt", "steps": 40, "styles": [{"id": "s1", "strength": 1.5}]},
    )
    assert "old prompt" in str(form["prompt"])
    assert 'value="40"' in str(form["steps"])
    assert 'value="s1"' in str(form["styles"]) and 'value="1.5"' in str(form["styles"])
    assert 'value="1024"' in str(form["width"])  # a default the job did not set


def test_every_catalogue_model_gets_a_form_that_renders():
    for model in catalogue.load().models:
        form = generation_form_class(model)(initial=initial_from_params(model))
        assert form.as_div()
        for name in model.required:
            assert name in form.fields or name in form.fixed_params, (model.id, name)


# ------------------------------------------------------------------ the page


def test_the_picker_lists_every_model_by_group_with_provider_summary_and_price(
    client, member, team_with_token
):
    client.force_login(member)
    response = client.get(reverse("generate"))
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Image", "Video", "Enhance"):
        assert re.search(rf"<h3[^>]*>{heading} <span", page)
    assert page.count('class="model-item"') == len(catalogue.load().models)
    assert "Fast model. Best for LoRAs." in page and "bfl" in page
    assert "~3 CU" in page  # Flux: a flat price
    assert "from 458 CU" in page  # Veo 3.1: priced by its parameters
    assert "price not published" in page  # Topaz
    assert 'href="/generate/?model=image/bfl/flux-1-dev"' in page


def test_searching_the_picker_with_htmx_answers_with_the_list_alone(
    client, member, team_with_token
):
    client.force_login(member)
    response = client.get(
        reverse("generate"), {"q": "veo 3.1"}, HTTP_HX_TARGET="model-list", **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="model-list"')
    assert "Veo 3.1" in page and "Flux" not in page and "<html" not in page


def test_searching_without_js_is_a_plain_get(client, member, team_with_token):
    client.force_login(member)
    page = client.get(reverse("generate"), {"q": "topaz"}).content.decode()
    assert "<html" in page and "Topaz Bloom" in page and "Veo 3.1" not in page


def test_a_model_page_shows_its_form_with_defaults_and_the_estimate(
    client, member, team_with_token
):
    client.force_login(member)
    response = client.get(generate_url(FLUX))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_prompt">Prompt' in page
    assert 'name="steps" value="25"' in page
    assert 'id="estimate"' in page and "Estimate: 3 CU" in page
    assert "For you: No CU limit" in page
    assert 'hx-trigger="change, keyup delay:300ms"' in page


def test_the_estimate_shows_what_the_member_has_left(client, member, team_with_token):
    Quota.objects.create(team=team_with_token, user=member, limit_cu=Decimal(50), period="month")
    client.force_login(member)
    page = client.get(generate_url(FLUX)).content.decode()
    assert "For you: 50 CU left" in page


def test_the_estimate_fragment_follows_the_parameters(client, member, team_with_token):
    client.force_login(member)
    data = {
        "_intent": "estimate",
        "prompt": "",
        "aspect_ratio": "16:9",
        "duration": "8",
        "resolution": "720p",
    }
    response = client.post(generate_url(VEO), data, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="estimate"')
    assert "Estimate: 916 CU" in page
    assert not Job.objects.exists()

    data.update(duration="4")
    assert "Estimate: 458 CU" in client.post(generate_url(VEO), data, **HTMX).content.decode()


def test_the_estimate_of_a_model_without_a_price_says_so(client, member, team_with_token, settings):
    client.force_login(member)
    response = client.post(generate_url(TOPAZ), {"_intent": "estimate"}, **HTMX)
    page = response.content.decode()
    assert "Estimate: price not published," in page
    assert re.search(r"\d+ CU assumed", page)


def test_a_member_without_a_token_sees_the_call_to_action(client, member, team):
    client.force_login(member)
    response = client.get(generate_url(FLUX))
    assert response.status_code == 200
    assert "has no Krea token yet" in response.content.decode()
    assert 'id="generate-form"' not in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("generate"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ------------------------------------------------------------------ errors keep what was typed


def test_errors_are_shown_beside_their_fields_and_nothing_typed_is_lost(
    client, member, team_with_token
):
    client.force_login(member)
    data = {
        "prompt": "",
        "steps": "500",
        "width": "1344",
        "height": "768",
        "seed": "42",
        "styles-0-id": "my-style",
        "styles-0-strength": "1.25",
        "image_url": "https://cdn.krea.ai/in.png",
        "_intent": "submit",
    }
    response = client.post(generate_url(FLUX), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert not Job.objects.exists()
    assert re.search(r'id="id_prompt_error"><li>This field is required', page)
    # steps: Django accepts the number, the schema refuses it, beside the field
    data["prompt"] = "a fox"
    response = client.post(generate_url(FLUX), data)
    page = response.content.decode()
    assert not Job.objects.exists()
    assert re.search(r'id="id_steps_error"><li>Steps must be at most 100 \(got 500\)', page)
    for kept in (
        "a fox</textarea>",
        'name="steps" value="500"',
        'name="width" value="1344"',
        'name="height" value="768"',
        'name="seed" value="42"',
        'value="my-style"',
        'value="1.25"',
        'value="https://cdn.krea.ai/in.png"',
    ):
        assert kept in page, kept


def test_a_nested_schema_error_lands_on_its_top_level_field(client, member, team_with_token):
    client.force_login(member)
    data = {
        "prompt": "a fox",
        "style_images-0-url": "https://cdn.krea.ai/ref.png",
        "style_images-0-strength": "5",
    }
    page = client.post(generate_url(FLUX), data).content.decode()
    assert re.search(
        r'id="id_style_images_error"><li>Image prompts, row 1: strength must be at most 2', page
    )
    assert 'value="5"' in page


def test_a_reference_that_is_not_a_url_is_refused_beside_its_field_before_sending(
    client, member, team_with_token
):
    client.force_login(member)
    data = {"prompt": "a fox", "style_images-0-url": "ref.png", "style_images-0-strength": "1"}

    page = client.post(generate_url(FLUX), data).content.decode()

    assert not Job.objects.exists()
    assert re.search(
        r'id="id_style_images_error"><li>Image prompts, row 1: image must be a full URL', page
    )
    assert 'value="ref.png"' in page


def test_param_errors_of_unknown_fields_become_form_errors(client, member, team_with_token):
    client.force_login(member)
    error = services.InvalidGeneration([ParamError("", "The request body is odd.")])
    with mock.patch.object(services, "generation_submit_group", side_effect=error):
        page = client.post(generate_url(FLUX), {"prompt": "a fox"}).content.decode()
    assert 'class="error-summary" id="error-summary" role="alert"' in page
    assert "The request body is odd." in page


def test_a_submit_over_quota_says_how_much_is_needed_and_left(client, member, team_with_token):
    Quota.objects.create(team=team_with_token, user=member, limit_cu=Decimal(2), period="month")
    client.force_login(member)
    page = client.post(generate_url(FLUX), {"prompt": "a fox", "steps": "30"}).content.decode()
    assert not Job.objects.exists()
    errors = re.search(r'id="error-summary" role="alert">(.*?)</div>', page, re.S).group(1)
    assert "needs 3 CU" in errors and "2 CU left" in errors
    assert "a fox</textarea>" in page and 'name="steps" value="30"' in page
    assert "That is more than you have left." in page


def test_an_aspect_preset_without_js_fills_in_the_size_and_submits_nothing(
    client, member, team_with_token
):
    client.force_login(member)
    page = client.post(
        generate_url(FLUX), {"prompt": "", "steps": "12", "_aspect": "1376x768"}
    ).content.decode()
    assert not Job.objects.exists()
    assert 'name="width" value="1376"' in page and 'name="height" value="768"' in page
    assert 'name="steps" value="12"' in page
    assert "errorlist" not in page


def test_a_preset_clicked_before_an_htmx_request_does_not_change_what_it_does(
    client, member, team_with_token, django_capture_on_commit_callbacks
):
    # htmx sends the last submit button clicked (a preset) along with later requests.
    client.force_login(member)
    data = {"prompt": "a fox", "width": "1376", "height": "768", "_aspect": "1376x768"}
    estimate = client.post(generate_url(FLUX), {**data, "_intent": "estimate"}, **HTMX)
    assert estimate.content.decode().lstrip().startswith('<div id="estimate"')
    with django_capture_on_commit_callbacks(execute=False):
        submit = client.post(generate_url(FLUX), {**data, "_intent": "submit"}, **HTMX)
    job = Job.objects.get()
    assert f'id="job-{job.uuid}"' in submit.content.decode()
    assert (job.params["width"], job.params["height"]) == (1376, 768)


# ------------------------------------------------------------------ submit


def test_a_submit_without_js_creates_the_job_enqueues_it_and_shows_it_in_the_workspace(
    client, member, team_with_token, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with (
        mock.patch("studio.generation.tasks.enqueue_dispatch") as dispatch,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(
            generate_url(FLUX),
            {"prompt": "a lighthouse at dusk", "steps": "30", "_intent": "submit"},
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == generate_url(**{"model": FLUX, "from": job.uuid})
    assert f'id="job-{job.uuid}"' in client.get(response["Location"]).content.decode()
    assert job.team == team_with_token and job.created_by == member
    assert job.status == JobStatus.PENDING
    assert job.params["prompt"] == "a lighthouse at dusk" and job.params["steps"] == 30
    assert "width" not in job.params  # left out: Krea applies its default
    assert len(callbacks) >= 1
    dispatch.assert_called_once_with(team_with_token.pk)


def test_an_htmx_submit_stays_on_the_page_with_the_prompt_and_adds_a_live_card(
    client, member, team_with_token, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(generate_url(FLUX), {"prompt": "a fox", "_intent": "submit"}, **HTMX)
    job = Job.objects.get()
    page = response.content.decode()
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert page.lstrip().startswith('<div id="generate-panel"')
    assert "a fox</textarea>" in page  # the form keeps the prompt for the next run
    assert 'hx-swap-oob="afterbegin:#results"' in page
    card = page[page.index(f'id="job-{job.uuid}"') :]
    assert f'hx-get="{reverse("job_detail", args=[job.uuid])}"' in card[:600]


def test_an_htmx_submit_with_errors_answers_with_the_form_panel(client, member, team_with_token):
    client.force_login(member)
    response = client.post(generate_url(FLUX), {"prompt": "", "_intent": "submit"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="generate-panel"')
    assert "This field is required" in page


def test_a_submit_reaches_krea_through_the_pipeline(
    client, member, team_with_token, krea, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(generate_url(FLUX), {"prompt": "a lighthouse at dusk", "_intent": "submit"})
    job = Job.objects.get()
    assert job.krea_job_id
    [post] = [r for r in krea.requests if r.method == "POST" and r.path.startswith("/generate/")]
    assert post.path == f"/generate/{FLUX}"
    assert post.body["prompt"] == "a lighthouse at dusk"


# ------------------------------------------------------------------ remix


def test_remix_prefills_the_form_with_the_jobs_model_and_parameters(
    client, member, team_with_token, team
):
    job = JobFactory(
        team=team,
        created_by=member,
        params={"prompt": "a red bicycle", "steps": 42, "width": 1344, "height": 768},
    )
    client.force_login(member)
    page = client.get(generate_url(**{"from": job.uuid})).content.decode()
    assert "<strong>Flux</strong>" in page and "Remixing" in page
    assert "a red bicycle</textarea>" in page
    assert 'name="steps" value="42"' in page and 'name="width" value="1344"' in page


def test_remixing_another_teams_job_is_a_404(client, outsider, other_team, team, member):
    give_krea_token(other_team)
    job = JobFactory(team=team, created_by=member)
    client.force_login(outsider)
    assert client.get(generate_url(**{"from": job.uuid})).status_code == 404
    assert client.get(generate_url(**{"from": "not-a-uuid"})).status_code == 404
