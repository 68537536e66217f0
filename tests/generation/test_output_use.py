"""'Use as input' on an output: Krea's own URL while it answers, else the stored copy
uploaded as a team asset; never a portal URL."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile

from studio.assets.models import Asset
from studio.generation.models import JobStatus
from tests.assets.conftest import picture
from tests.factories import JobFactory, OutputFactory

pytestmark = pytest.mark.django_db

ENHANCE = "enhance/topaz/standard-enhance"


@pytest.fixture
def as_member(client, member, team_with_token):
    client.force_login(member)
    return client


def finished_output(team, member, source_url):
    return OutputFactory(
        job=JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED),
        width=320,
        height=200,
        source_url=source_url,
        file=ContentFile(picture(), name="out.png"),
    )


def generated_with(response):
    assert response.status_code == 302, response.content.decode()[:500]
    parts = urlsplit(response.url)
    assert parts.path == "/generate/"
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def test_the_outputs_krea_url_is_used_while_krea_still_serves_it(
    as_member, krea, member, team_with_token
):
    import io

    from krea_integration.client import KreaClient
    from tests.factories import KREA_TOKEN

    # A file Krea serves: upload one and use its URL as the output's source.
    served = KreaClient(KREA_TOKEN, base_url="http://krea.test", transport=krea.transport())
    krea_url = served.upload_asset(io.BytesIO(picture()), filename="x.png").image_url
    output = finished_output(team_with_token, member, krea_url)
    page = as_member.get(f"/jobs/{output.job.uuid}/outputs/0/use/").content.decode()
    assert (
        'value="enhance/topaz/standard-enhance"' in page and 'value="video/google/veo-3.1"' in page
    )
    query = generated_with(
        as_member.post(f"/jobs/{output.job.uuid}/outputs/0/use/", {"model": ENHANCE})
    )
    assert query == {
        "model": ENHANCE,
        "input": krea_url,
        "kind": "image",
        "width": "320",
        "height": "200",
    }
    assert not Asset.objects.exists()
    html = as_member.get("/generate/", query).content.decode()
    assert f'name="image_url" value="{krea_url}"' in html and 'name="width" value="320"' in html


def test_upscale_2x_opens_the_enhancer_at_twice_the_outputs_size(
    as_member, krea, member, team_with_token
):
    output = finished_output(team_with_token, member, "http://krea.test/files/x.png")
    use = f"/jobs/{output.job.uuid}/outputs/0/use/"
    query = generated_with(as_member.post(use, {"model": ENHANCE, "scale": "2"}))
    assert (query["model"], query["width"], query["height"]) == (ENHANCE, "640", "400")
    assert generated_with(as_member.post(use, {"model": ENHANCE, "scale": "3"}))["width"] == "320"


def test_an_expired_krea_url_makes_the_stored_copy_an_asset_first(
    as_member, krea, member, team_with_token
):
    output = finished_output(team_with_token, member, "http://krea.test/files/expired.png")
    query = generated_with(
        as_member.post(f"/jobs/{output.job.uuid}/outputs/0/use/", {"model": ENHANCE})
    )
    asset = Asset.objects.get()
    assert query["input"] == asset.krea_url and asset.krea_url.startswith("http://krea.test/files/")
    assert asset.file_name == f"flux-{str(output.job.uuid)[:8]}-1.png"
    assert "testserver" not in query["input"] and "/jobs/" not in query["input"]


def test_a_model_that_takes_no_such_file_is_refused(as_member, krea, member, team_with_token):
    output = finished_output(team_with_token, member, "http://krea.test/files/x.png")
    response = as_member.post(
        f"/jobs/{output.job.uuid}/outputs/0/use/", {"model": "image/google/imagen-4"}
    )
    assert response.status_code == 400
    assert "Choose a model that takes an image." in response.content.decode()


def test_job_page_and_gallery_offer_use_as_input(as_member, krea, member, team_with_token):
    output = finished_output(team_with_token, member, "http://krea.test/files/x.png")
    use = f'href="/jobs/{output.job.uuid}/outputs/0/use/"'
    assert use in as_member.get(f"/jobs/{output.job.uuid}/").content.decode()
    assert (
        f'href="/jobs/{output.job.uuid}/outputs/0/use/"'
        in as_member.get("/gallery/").content.decode()
    )


def test_the_picker_offers_the_teams_recent_outputs_of_the_fields_kind_without_a_url(
    as_member, krea, member, team_with_token, other_team, outsider
):
    output = finished_output(team_with_token, member, "http://krea.test/files/x.png")
    theirs = finished_output(other_team, outsider, "http://krea.test/files/theirs.png")
    html = as_member.get("/generate/", {"model": ENHANCE}).content.decode()
    picker = html[html.index('data-pick-for="id_image_url"') :]
    picker = picker[: picker.index("</details>")]
    outputs = picker[picker.index("Recent outputs") :]
    resolve = f"/jobs/{output.job.uuid}/outputs/0/input-url/"
    assert f'data-pick-output="{resolve}"' in outputs
    assert "Output 1 of Flux" in outputs
    assert (
        f'href="/jobs/{output.job.uuid}/outputs/0/use/?model=enhance/topaz/standard-enhance"'
        in (outputs)
    )
    # Neither Krea's URL (it may have expired) nor the portal's team-only file URL.
    assert output.source_url not in html and f'"/jobs/{output.job.uuid}/outputs/0/"' not in picker
    assert str(theirs.job.uuid) not in html
    veo = as_member.get("/generate/", {"model": "video/google/veo-3.1"}).content.decode()
    start_video = veo[veo.index('data-pick-for="id_start_video"') :]
    assert resolve not in start_video[: start_video.index("</details>")]


def test_a_picked_output_gets_a_url_krea_can_fetch_and_never_the_portals(
    as_member, krea, member, team_with_token, other_team, outsider
):
    output = finished_output(team_with_token, member, "http://krea.test/files/expired.png")
    resolve = f"/jobs/{output.job.uuid}/outputs/0/input-url/"
    answer = as_member.post(resolve)
    asset = Asset.objects.get()
    assert answer.status_code == 200
    assert answer.json() == {"url": asset.krea_url}
    assert asset.krea_url.startswith("http://krea.test/files/")
    assert as_member.get(resolve).status_code == 405
    theirs = finished_output(other_team, outsider, "http://krea.test/files/theirs.png")
    assert as_member.post(f"/jobs/{theirs.job.uuid}/outputs/0/input-url/").status_code == 404
    assert Asset.objects.count() == 1


def test_a_picked_output_krea_refuses_to_take_says_why(as_member, krea, member, team_with_token):
    from tests.factories import KREA_TOKEN

    output = finished_output(team_with_token, member, "http://krea.test/files/expired.png")
    krea.queue_fault("503", token=KREA_TOKEN, method="POST", path="/assets")
    answer = as_member.post(f"/jobs/{output.job.uuid}/outputs/0/input-url/")
    assert answer.status_code == 502
    assert "Krea had a problem (HTTP 503)" in answer.json()["error"]
    assert not Asset.objects.exists()
