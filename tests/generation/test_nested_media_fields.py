"""Files nested in a model's rows or objects (Kling o1's elements, style references and video
reference, Hailuo's subjects) get the same picker as top-level fields, and reach Krea in the
shape the schema asks for."""

import pytest

from krea_integration import catalogue
from krea_integration.media_inputs import field_for, media_fields
from studio.generation import selectors
from studio.generation.models import Job
from tests.factories import AssetFactory, JobFactory

pytestmark = pytest.mark.django_db

KLING = "video/kling/kling-o1"
HAILUO = "video/minimax/hailuo"


@pytest.fixture
def as_member(client, member, team_with_token):
    client.force_login(member)
    return client


def test_every_url_field_at_any_depth_is_known_with_its_kind():
    kling = {f.name: f for f in media_fields(catalogue.load().get(KLING))}
    assert kling["element_references"].kind == "image"
    assert (kling["element_references"].part, kling["element_references"].part_many) == (
        "images",
        True,
    )
    assert kling["element_references"].part_max_items == 3
    assert (kling["video_reference"].kind, kling["video_reference"].part) == ("video", "url")
    assert not kling["video_reference"].many
    assert kling["style_references"].kind == "image"
    hailuo = {f.name: f for f in media_fields(catalogue.load().get(HAILUO))}
    assert (hailuo["subjects"].part, hailuo["subjects"].part_many) == ("image", True)
    # A file brought from elsewhere still goes to the plainest field.
    assert field_for(catalogue.load().get(KLING), "image").name == "start_image"


def test_nested_image_and_video_fields_show_the_picker_of_their_kind(
    as_member, team_with_token, member
):
    picture = AssetFactory(team=team_with_token, uploaded_by=member, file_name="hero.png")
    clip = AssetFactory(
        team=team_with_token, kind="video", mime_type="video/mp4", file_name="walk.mp4"
    )
    html = as_member.get("/generate/", {"model": KLING}).content.decode()
    for field_id, kind in (
        ("id_element_references-0-images", "image"),
        ("id_style_references-0-url", "image"),
        ("id_video_reference-0-url", "video"),
    ):
        picker = html[html.index(f'data-pick-for="{field_id}" data-kind="{kind}"') :]
        picker = picker[: picker.index("</details>")]
        wanted, unwanted = (picture, clip) if kind == "image" else (clip, picture)
        assert f'data-pick-url="{wanted.krea_url}"' in picker
        assert f'data-pick-url="{unwanted.krea_url}"' not in picker
    # An element's images are one per line, up to the schema's three.
    assert '<textarea name="element_references-0-images"' in html
    assert 'data-max="3"' in html
    hailuo = as_member.get("/generate/", {"model": HAILUO}).content.decode()
    assert 'data-pick-for="id_subjects-0-image" data-kind="image"' in hailuo


def test_nested_picks_reach_krea_in_the_schemas_shape(as_member, team_with_token, krea):
    picture = AssetFactory(team=team_with_token)
    clip = AssetFactory(team=team_with_token, kind="video", mime_type="video/mp4")
    response = as_member.post(
        f"/generate/?model={KLING}",
        {
            "_intent": "submit",
            "run-confirmed": "1",  # Kling o1 costs more than the 100 CU asked to confirm
            "prompt": "two heroes meet",
            "aspect_ratio": "16:9",
            "duration": "5",
            "element_references-0-images": f"{picture.krea_url}\n{picture.krea_url}?v=2",
            "element_references-0-tag": "hero",
            "video_reference-0-url": clip.krea_url,
            "video_reference-0-tag": "walk",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.get()
    assert job.params["element_references"] == [
        {"images": [picture.krea_url, f"{picture.krea_url}?v=2"], "tag": "hero"}
    ]
    assert job.params["video_reference"] == {"url": clip.krea_url, "tag": "walk"}


def test_a_remixed_job_shows_its_nested_files_again(as_member, team_with_token, member):
    kling = catalogue.load().get(KLING)
    initial = selectors.input_initial(kling, kind="video", url="https://cdn.krea.test/v.mp4")
    assert initial == {"start_video": "https://cdn.krea.test/v.mp4"}
    params = {
        "prompt": "again",
        "element_references": [{"images": ["https://cdn.krea.test/a.png"], "tag": "hero"}],
        "video_reference": {"url": "https://cdn.krea.test/v.mp4", "tag": "walk"},
    }
    job = JobFactory(team=team_with_token, created_by=member, model_id=KLING, params=params)
    html = as_member.get("/generate/", {"from": job.uuid}).content.decode()
    assert ">https://cdn.krea.test/a.png</textarea>" in html
    assert 'id="id_video_reference-0-url" value="https://cdn.krea.test/v.mp4"' in html
