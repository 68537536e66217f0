"""Styles pages: browse, train from assets, a style's page and its sharing, generate with it."""

import re

import pytest

from studio.generation.models import Job, JobKind
from studio.styles.forms import training_form_class
from tests.factories import KREA_TOKEN, AssetFactory, MembershipFactory, StyleFactory

pytestmark = pytest.mark.django_db


def test_the_styles_page_lists_the_teams_styles_and_is_in_the_navigation(
    client, member, team, other_team
):
    StyleFactory(team=team, name="Ink wash", trained_by=member)
    StyleFactory(team=other_team, name="Their secret style")
    client.force_login(member)
    page = client.get("/styles/").content.decode()
    assert "Ink wash" in page
    assert "Their secret style" not in page
    assert 'href="/styles/"' in page  # the main navigation
    assert "Ink wash" not in client.get("/styles/?q=neon").content.decode()


def test_the_public_tab_shows_krea_styles_with_generate_links(client, member, team_with_token):
    client.force_login(member)
    page = client.get("/styles/?tab=public").content.decode()
    assert "Neon Noir" in page and "Watercolor Wash" in page
    assert (
        "/generate/?style=5a1b7c1e-2f0d-4c59-9a55-0d7b3c7a9e02&amp;model=image%2Fbfl%2Fflux-1-dev"
        in page
    )


def test_the_train_form_shows_only_what_the_base_model_takes(client, member, team_with_token):
    client.force_login(member)
    flux = client.get("/styles/train/?model=flux_dev").content.decode()
    qwen = client.get("/styles/train/?model=qwen").content.decode()
    assert 'name="learning_rate"' in flux and 'name="batch_size"' in flux
    assert 'name="learning_rate"' not in qwen and 'name="batch_size"' not in qwen
    assert 'value="1000"' in flux and "3,000 CU" in flux  # default steps and their price
    assert 'value="600"' in qwen
    assert client.get("/styles/train/?model=sdxl").status_code == 302


def _images(team, n=2):
    return [
        AssetFactory(team=team, krea_url=f"https://cdn.example.com/ink-{i}.png") for i in range(n)
    ]


def test_every_training_field_has_a_human_label_and_an_explanation(client, member, team_with_token):
    for base_model in ("flux_dev", "wan", "qwen"):
        form = training_form_class(base_model)(team=team_with_token)
        for name, field in form.fields.items():
            assert field.help_text.strip(), f"{base_model}: {name} has no explanation"
            assert "_" not in str(field.label), f"{base_model}: {name} is labelled {field.label!r}"
    client.force_login(member)
    page = client.get("/styles/train/?model=flux_dev").content.decode()
    assert "Left empty, Krea chooses" in page and "calls the style up in a prompt" in page


def test_the_kind_starts_on_krea_s_default_for_the_base_model(client, member, team_with_token):
    client.force_login(member)
    for base_model, default in (("flux_dev", "Default"), ("qwen", "Style")):
        page = client.get(f"/styles/train/?model={base_model}").content.decode()
        assert re.search(rf'<option value="{default}" selected>{default}</option>', page), (
            base_model
        )
        assert f"Default: {default}." in page


def test_training_from_two_assets_queues_a_training_job(
    client, member, team_with_token, krea, django_capture_on_commit_callbacks
):
    images = _images(team_with_token)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/styles/train/?model=flux_dev",
            {
                "base_model": "flux_dev",
                "name": "Ink wash",
                "trigger_word": "inkwash",
                "type": "Style",
                "max_train_steps": "500",
                "images": [a.pk for a in images],
            },
        )
    job = Job.objects.get(kind=JobKind.TRAINING)
    assert response.status_code == 302 and response.url == f"/jobs/{job.uuid}/"
    [post] = [r for r in krea.requests if r.path == "/styles/train"]
    assert sorted(post.body["urls"]) == sorted(a.krea_url for a in images)
    assert post.body["max_train_steps"] == 500
    card = client.get(f"/jobs/{job.uuid}/").content.decode()
    assert "Training “Ink wash” on flux_dev for 500 steps from 2 images" in card


def test_one_image_is_a_field_error_and_nothing_is_sent(client, member, team_with_token, krea):
    [image] = _images(team_with_token, 1)
    client.force_login(member)
    response = client.post(
        "/styles/train/?model=flux_dev",
        {"base_model": "flux_dev", "name": "Ink", "images": [image.pk], "max_train_steps": "10"},
    )
    assert response.status_code == 200
    assert "Pick at least 2 images to train on." in response.content.decode()
    assert not Job.objects.exists()


def test_another_teams_asset_cannot_be_picked(client, member, team_with_token, other_team, krea):
    mine = _images(team_with_token, 1)
    theirs = AssetFactory(team=other_team)
    client.force_login(member)
    response = client.post(
        "/styles/train/?model=flux_dev",
        {"base_model": "flux_dev", "name": "Ink", "images": [mine[0].pk, theirs.pk]},
    )
    assert response.status_code == 200
    assert not Job.objects.exists()


def test_the_trainer_shares_and_makes_public_from_the_style_page(
    client, member, team, trained_style, krea
):
    client.force_login(member)
    url = f"/styles/{trained_style.uuid}/"
    page = client.get(url).content.decode()
    assert "Make public" in page and "Generate with this style" in page
    client.post(url, {"action": "share_link"})
    client.post(url, {"action": "make_public"})
    client.post(url, {"action": "workspace_share"})
    page = client.get(url).content.decode()
    trained_style.refresh_from_db()
    assert trained_style.public and trained_style.shared_with_workspace
    assert re.search(r'id="share-link" value="http://krea.test/share/styles/\w+"', page)
    assert "Make private" in page and "Remove from the workspace" in page


def test_a_member_who_did_not_train_it_sees_the_state_but_cannot_change_it(
    client, team, trained_style
):
    colleague = MembershipFactory(team=team, role="member").user
    client.force_login(colleague)
    url = f"/styles/{trained_style.uuid}/"
    page = client.get(url).content.decode()
    assert "Private" in page and "Make public" not in page
    assert "Only the member who trained this style" in page
    assert client.post(url, {"action": "make_public"}).status_code == 403
    trained_style.refresh_from_db()
    assert not trained_style.public


def test_krea_refusing_a_change_is_a_message(client, member, team_with_token):
    style = StyleFactory(team=team_with_token, trained_by=member)  # unknown to Krea
    client.force_login(member)
    response = client.post(f"/styles/{style.uuid}/", {"action": "make_public"}, follow=True)
    assert "Krea no longer knows this style" in response.content.decode()


def test_generate_with_this_style_picks_it_and_puts_its_trigger_word_in_the_prompt(
    client, member, trained_style
):
    client.force_login(member)
    detail = client.get(f"/styles/{trained_style.uuid}/").content.decode()
    [href] = re.findall(r'id="generate-with-style" href="([^"]+)"', detail)
    page = client.get(href.replace("&amp;", "&")).content.decode()
    assert f'value="{trained_style.krea_style_id}"' in page
    assert ">\ninkwash</textarea>" in page


def test_a_job_with_styles_shows_them_and_the_style_page_counts_it(
    client, member, trained_style, django_capture_on_commit_callbacks, krea
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/generate/?model=image/bfl/flux-1-dev",
            {
                "_intent": "submit",
                "prompt": "inkwash lighthouse",
                "styles-0-id": trained_style.krea_style_id,
                "styles-0-strength": "0.8",
            },
        )
    job = Job.objects.get(kind=JobKind.GENERATION)
    assert response.url == f"/generate/?model=image%2Fbfl%2Fflux-1-dev&from={job.uuid}"
    [post] = [r for r in krea.requests if r.path.startswith("/generate/")]
    assert post.body["styles"] == [{"id": trained_style.krea_style_id, "strength": 0.8}]
    page = client.get(f"/jobs/{job.uuid}/").content.decode()
    assert trained_style.name in page and "<strong>0.8</strong>" in page
    style_page = client.get(f"/styles/{trained_style.uuid}/").content.decode()
    assert 'id="usage-count">1<' in style_page
    assert KREA_TOKEN not in page
