"""The model browser: cards with tags read from each schema, a price badge and the team's
latest output; filters by tag, kind and price; favourites pinned first for their member;
the same browser as a partial for the generate page's model chooser."""

import re

import pytest
from django.urls import reverse

from krea_integration import catalogue
from studio.generation.models import JobStatus
from studio.modelbrowser.models import FavouriteModel
from tests.factories import JobFactory, MembershipFactory, OutputFactory

pytestmark = pytest.mark.django_db

FLUX = "image/bfl/flux-1-dev"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "model-cards"}


def card_names(page: str) -> list[str]:
    return re.findall(r'<h2 class="model-card__title"><a href="[^"]+">([^<]+)</a>', page)


def browse(client, **query):
    response = client.get(reverse("model_browser"), query)
    assert response.status_code == 200
    return response.content.decode()


def test_tags_are_read_from_each_models_schema():
    tags = {m.id: catalogue.model_tags(m) for m in catalogue.load()}
    assert tags[FLUX] == ["text-to-image", "edit", "styles"]
    assert tags["image/bytedance/seededit"] == ["edit"]  # it needs an image to change
    assert tags["video/google/veo-3.1"] == ["text-to-video", "image-to-video", "audio"]
    assert tags["video/runway/aleph"] == ["image-to-video", "video-to-video"]
    assert tags["enhance/topaz/standard-enhance"] == ["upscale"]


def test_every_model_is_a_card_with_its_tags_price_and_a_picture_of_its_kind(client, member):
    client.force_login(member)
    page = browse(client)
    assert len(card_names(page)) == len(catalogue.load())
    flux = page[page.index(">Flux</a>") :]
    flux = flux[: flux.index("</li>")]
    assert '<span class="tag">Takes styles (LoRA)</span>' in flux
    assert '<span class="price-badge">~3 CU</span>' in flux
    assert f'href="{reverse("generate")}?model=image%2Fbfl%2Fflux-1-dev"' in page
    assert "/static/img/model-image.svg" in page and "/static/img/model-video.svg" in page


def test_filters_by_tag_kind_and_price(client, member):
    client.force_login(member)
    assert card_names(browse(client, tag="upscale")) == ["Topaz", "Topaz Bloom", "Topaz Generative"]
    videos = card_names(browse(client, kind="video"))
    assert "Veo 3.1" in videos and "Flux" not in videos
    with_sound = card_names(browse(client, kind="video", tag="audio"))
    assert "Kling 2.6" in with_sound and "Veo 2" not in with_sound
    unpublished = card_names(browse(client, price="unpublished"))
    assert "Topaz" in unpublished and "Flux" not in unpublished
    cheap = card_names(browse(client, price="low"))
    assert "Flux" in cheap and "Veo 3.1" not in cheap
    # An unknown filter value is ignored, not a 500.
    assert len(card_names(browse(client, tag="telepathy"))) == len(catalogue.load())


def test_the_filters_answer_htmx_with_the_cards_alone(client, member):
    client.force_login(member)
    page = client.get(reverse("model_browser"), {"kind": "enhance"}, **HTMX).content.decode()
    assert page.lstrip().startswith('<div id="model-cards">') and "<html" not in page
    assert len(card_names(page)) == 3


def test_a_favourite_is_pinned_first_for_its_member_only(client, member, team):
    client.force_login(member)
    response = client.post(
        reverse("model_favourite"), {"model": "video/google/veo-3.1", "favourite": "1"}
    )
    assert response.status_code == 302
    page = browse(client)
    assert card_names(page)[0] == "Veo 3.1"
    assert 'aria-label="Unpin Veo 3.1 from your favourites"' in page

    colleague = MembershipFactory(team=team, role="member").user
    client.force_login(colleague)
    assert card_names(browse(client))[0] != "Veo 3.1"

    client.force_login(member)
    client.post(reverse("model_favourite"), {"model": "video/google/veo-3.1", "favourite": "0"})
    assert not FavouriteModel.objects.exists()


def test_favouriting_with_htmx_answers_with_the_filtered_cards(client, member):
    client.force_login(member)
    url = reverse("model_favourite") + "?kind=video"
    page = client.post(
        url, {"model": "video/kling/kling-3.0", "favourite": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    names = card_names(page)
    assert names[0] == "Kling 3.0" and "Flux" not in names


def test_favouriting_an_unknown_model_is_a_404(client, member):
    client.force_login(member)
    response = client.post(
        reverse("model_favourite"), {"model": "image/nobody/nothing", "favourite": "1"}
    )
    assert response.status_code == 404


def test_a_card_shows_the_teams_latest_output_of_its_model(client, member, team, other_team):
    older = JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED)
    newer = JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED)
    OutputFactory(job=older)
    OutputFactory(job=newer)
    client.force_login(member)
    page = browse(client, q="flux 1 dev")
    thumbnail = reverse("output_thumbnail", args=[newer.uuid, 0])
    assert f'src="{thumbnail}"' in page and "The team's latest Flux output" in page
    # Another team's outputs are never shown.
    client.force_login(MembershipFactory(team=other_team, role="owner").user)
    assert thumbnail not in browse(client, q="flux 1 dev")


def test_the_chooser_gets_the_browser_without_the_page_around_it(client, member, team_with_token):
    client.force_login(member)
    page = browse(client, chooser="1")
    assert page.lstrip().startswith('<div class="browser" id="model-browser">')
    assert 'name="chooser" value="1"' in page and 'hx-push-url="false"' in page
    generate = client.get(reverse("generate")).content.decode()
    assert 'hx-get="/models/?chooser=1"' in generate and 'id="model-chooser"' in generate


def test_visitors_must_log_in(client):
    response = client.get(reverse("model_browser"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
