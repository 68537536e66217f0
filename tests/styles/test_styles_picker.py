"""The styles picker on the generate page: the styles a model can load (the team's, then Krea's
public ones), picked with a strength in the schema's range, kept by remix."""

import re

import pytest

from studio.generation.models import Job
from tests.factories import StyleFactory

pytestmark = pytest.mark.django_db

FLUX = "image/bfl/flux-1-dev"
WAN = "video/alibaba/wan-2.1"
NEON_NOIR = "5a1b7c1e-2f0d-4c59-9a55-0d7b3c7a9e02"  # public at the simulator, flux_dev only


@pytest.fixture
def as_member(client, member, team_with_token):
    client.force_login(member)
    return client


def test_the_picker_offers_compatible_team_styles_then_public_ones(
    as_member, team_with_token, other_team, member
):
    StyleFactory(team=team_with_token, name="Ink wash", base_model="flux_dev", trained_by=member)
    StyleFactory(team=team_with_token, name="Wan motion", base_model="wan")
    StyleFactory(team=other_team, name="Their secret", base_model="flux_dev")

    flux = as_member.get("/styles/picker/", {"model": FLUX}).content.decode()
    assert "Ink wash" in flux and "Neon Noir" in flux
    assert flux.index("Ink wash") < flux.index("Neon Noir")  # the team's first
    assert "Wan motion" not in flux and "Their secret" not in flux

    wan = as_member.get("/styles/picker/", {"model": WAN}).content.decode()
    assert "Wan motion" in wan and "Claymation" in wan  # Claymation lists wan
    assert "Ink wash" not in wan and "Neon Noir" not in wan

    searched = as_member.get("/styles/picker/", {"model": FLUX, "q": "neon"}).content.decode()
    assert "Neon Noir" in searched and "Ink wash" not in searched


def test_a_model_the_map_does_not_know_offers_a_typed_id_only(as_member):
    page = as_member.get("/styles/picker/", {"model": "image/openai/gpt-image"}).content.decode()
    assert "does not know yet which styles this model loads" in page
    assert "data-style-add" not in page


def test_the_generate_form_shows_the_picker_with_the_schemas_strength_range(as_member):
    page = as_member.get("/generate/", {"model": FLUX, "style": NEON_NOIR}).content.decode()
    assert "data-styles-picker" in page
    assert 'hx-get="/styles/picker/?model=image/bfl/flux-1-dev"' in page
    [slider] = re.findall(r'<input type="range" name="styles-0-strength"[^>]*>', page)
    assert 'min="-2"' in slider and 'max="2"' in slider and 'value="1"' in slider
    assert f'name="styles-0-id" value="{NEON_NOIR}"' in page
    # Models that take no styles have no picker.
    assert (
        "data-styles-picker"
        not in as_member.get(
            "/generate/", {"model": "image/bfl/flux-1-kontext-dev"}
        ).content.decode()
    )


def test_picked_styles_travel_to_krea_and_remix_keeps_them(
    as_member, team_with_token, member, krea, django_capture_on_commit_callbacks
):
    ink = StyleFactory(team=team_with_token, name="Ink wash", base_model="flux_dev")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member.post(
            f"/generate/?model={FLUX}",
            {
                "_intent": "submit",
                "prompt": "a harbour",
                "styles-0-id": ink.krea_style_id,
                "styles-0-strength": "0.8",
                "styles-1-id": NEON_NOIR,
                "styles-1-strength": "-0.5",
                "styles-2-id": "",  # the typed-id row, left empty
                "styles-2-strength": "1",
            },
        )
    job = Job.objects.get()
    assert response.url == f"/generate/?model=image%2Fbfl%2Fflux-1-dev&from={job.uuid}"
    [post] = [r for r in krea.requests if r.path.startswith("/generate/")]
    assert post.body["styles"] == [
        {"id": ink.krea_style_id, "strength": 0.8},
        {"id": NEON_NOIR, "strength": -0.5},
    ]
    remix = as_member.get("/generate/", {"from": job.uuid}).content.decode()
    picker = remix[remix.index("data-styles-picker") :]
    assert f'name="styles-0-id" value="{ink.krea_style_id}"' in picker
    assert "Ink wash" in picker  # named, not only its id
    assert re.search(r'name="styles-0-strength"[^>]*value="0.8"', picker)
    assert re.search(r'name="styles-1-strength"[^>]*value="-0.5"', picker)
