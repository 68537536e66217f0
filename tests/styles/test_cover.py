"""A style's cover is chosen among its own pictures or the team's images, on its page and
through the API; anything else is refused with a message naming the cover."""

import pytest
from rest_framework.test import APIClient

from studio.api.services import api_key_create
from studio.audit.models import AuditEntry
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_the_trainer_chooses_a_team_image_as_the_cover(
    client, member, team_with_token, trained_style, krea
):
    harbour = AssetFactory(team=team_with_token, file_name="harbour.png")
    AssetFactory(team=team_with_token, kind="audio", mime_type="audio/wav", file_name="tune.wav")
    client.force_login(member)
    url = f"/styles/{trained_style.uuid}/"
    page = client.get(url).content.decode()
    chooser = page[page.index('id="cover-from-assets"') :]
    chooser = chooser[: chooser.index("</details>")]
    assert f'value="{harbour.krea_url}"' in chooser and "tune.wav" not in chooser

    response = client.post(url, {"action": "cover", "cover_url": harbour.krea_url}, follow=True)
    assert "The cover is changed." in response.content.decode()
    trained_style.refresh_from_db()
    assert trained_style.cover_url == harbour.krea_url
    [patch] = [r for r in krea.requests if r.method == "PATCH"]
    assert patch.body == {"cover_url": harbour.krea_url}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.STYLE_COVER_CHANGED).exists()


def test_a_cover_from_elsewhere_is_refused_and_krea_is_not_asked(
    client, member, other_team, trained_style, krea
):
    theirs = AssetFactory(team=other_team)
    client.force_login(member)
    url = f"/styles/{trained_style.uuid}/"
    for cover in ("https://evil.example.com/x.png", theirs.krea_url):
        response = client.post(url, {"action": "cover", "cover_url": cover}, follow=True)
        assert "Choose the cover among the style&#x27;s previews" in response.content.decode()
    assert not [r for r in krea.requests if r.method == "PATCH"]


def test_the_api_names_the_cover_it_refuses(member, team_with_token, trained_style, krea):
    api = APIClient()
    key = api_key_create(membership=member.memberships.get(team=team_with_token), name="t").key
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.patch(
        f"/api/v1/styles/{trained_style.uuid}",
        {"cover_url": "https://evil.example.com/x.png"},
        format="json",
    )
    assert response.status_code == 400
    assert "cover_url" in str(response.json())
