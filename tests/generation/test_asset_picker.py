"""The picker beside every file field of the generate page, prefilled inputs, and the inputs
a job took, shown on its page."""

from dataclasses import replace

import pytest

from krea_integration import catalogue
from krea_integration.media_inputs import field_for, media_fields
from studio.generation import selectors, services
from studio.generation.forms import generation_form_class
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db

KONTEXT = "image/bfl/flux-1-kontext-dev"


def model(model_id):
    return catalogue.load().get(model_id)


def test_the_kind_of_file_a_field_takes_is_read_from_the_catalogue():
    kinds = {f.name: (f.kind, f.many, f.part) for f in media_fields(model("video/alibaba/wan-2.5"))}
    assert kinds["start_image"] == ("image", False, None)
    assert kinds["audio_url"] == ("audio", False, None)
    assert kinds["start_video"] == ("video", False, None)
    assert field_for(model(KONTEXT), "image").name == "image_url"  # a single URL before a list
    nano = field_for(model("image/google/nano-banana"), "image")
    assert (nano.name, nano.many) == ("image_urls", True)
    assert field_for(model("image/bfl/flux-1-dev"), "video") is None
    # The catalogue's data decides, not the field's name read again at run time.
    wan = model("video/alibaba/wan-2.5")
    relabelled = replace(wan, media_inputs={**wan.media_inputs, "start_image": "video"})
    assert field_for(relabelled, "video").name == "start_image"
    undecided = replace(wan, media_inputs={**wan.media_inputs, "audio_url": None})
    assert field_for(undecided, "audio") is None


def test_a_field_of_undecided_kind_has_no_picker_but_takes_a_typed_url():
    kling = model("video/kling/kling-o1")
    undecided = replace(kling, media_inputs={**kling.media_inputs, "end_image": None})
    form = generation_form_class(undecided)()
    selectors.mark_media_fields(form)
    assert not getattr(form.fields["end_image"], "media_kind", "")
    assert form.fields["start_image"].media_kind == "image"


@pytest.fixture
def as_member(client, member, team_with_token):
    client.force_login(member)
    return client


def test_each_file_field_offers_the_teams_assets_of_its_kind_and_upload_new(
    as_member, team_with_token, other_team, member
):
    picture = AssetFactory(team=team_with_token, uploaded_by=member, file_name="harbour.png")
    AssetFactory(team=team_with_token, kind="audio", mime_type="audio/wav", file_name="tune.wav")
    AssetFactory(team=other_team, file_name="their-secret.png")
    html = as_member.get("/generate/", {"model": KONTEXT}).content.decode()
    picker = html[html.index('data-pick-for="id_image_url"') :]
    picker = picker[: picker.index("</details>")]
    assert f'data-pick-url="{picture.krea_url}"' in picker
    assert "tune.wav" not in picker and "their-secret.png" not in html
    assert 'data-upload-zone data-action="/assets/upload/"' in picker
    assert 'data-pick-for="id_style_images-0-url"' in html  # rows of style images too
    assert "(up to 1)" not in html.split('data-pick-for="id_image_url"')[1][:300]


def test_a_list_field_says_how_many_it_takes(as_member):
    html = as_member.get("/generate/", {"model": "image/runway/gen-4-image"}).content.decode()
    assert 'data-pick-for="id_reference_images-0-url" data-kind="image" data-max="3"' in html
    assert "from the team's assets (up to 3)" in html


def test_an_asset_opens_generate_with_its_url_in_the_field_and_another_teams_is_a_404(
    as_member, team_with_token, other_team
):
    asset = AssetFactory(team=team_with_token, width=800, height=600)
    html = as_member.get("/generate/", {"model": KONTEXT, "asset": asset.uuid}).content.decode()
    assert f'name="image_url" value="{asset.krea_url}"' in html
    enhance = as_member.get(
        "/generate/", {"model": "enhance/topaz/standard-enhance", "asset": asset.uuid}
    ).content.decode()
    assert 'name="width" value="800"' in enhance and 'name="height" value="600"' in enhance
    theirs = AssetFactory(team=other_team)
    assert as_member.get("/generate/", {"model": KONTEXT, "asset": theirs.uuid}).status_code == 404
    assert as_member.get("/generate/", {"model": KONTEXT, "asset": "nope"}).status_code == 404


def test_a_job_records_the_assets_it_takes_and_its_page_shows_them(
    as_member, team_with_token, member, other_team
):
    mine = AssetFactory(team=team_with_token, file_name="harbour.png", thumbnail="t/h.jpg")
    style = AssetFactory(team=team_with_token, file_name="mood.png")
    theirs = AssetFactory(team=other_team, krea_url=style.krea_url.replace(".png", "-x.png"))
    job = services.generation_submit(
        membership=member.memberships.get(team=team_with_token),
        model_id=KONTEXT,
        params={
            "prompt": "at night",
            "image_url": mine.krea_url,
            "style_images": [{"url": style.krea_url, "strength": 1}],
        },
    )
    assert set(job.input_assets.all()) == {mine, style}
    assert not theirs.jobs.exists()
    html = as_member.get(f"/jobs/{job.uuid}/").content.decode()
    assert f'src="/assets/{mine.uuid}/thumbnail/" alt="Input: harbour.png"' in html
    assert 'alt="Input: mood.png"' in html and "/static/img/asset-image.svg" in html
    assert job.model_name in as_member.get(f"/assets/{mine.uuid}/").content.decode()
