"""API v1 for styles: the same rules as the pages, against the simulator."""

import pytest
from rest_framework.test import APIClient

from studio.api.services import api_key_create
from studio.audit.models import AuditEntry
from studio.styles.models import Style
from tests.factories import KREA_TOKEN, StyleFactory

from .conftest import IMAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(team_with_token):
    def _client(user, team=None):
        membership = user.memberships.get(team=team or team_with_token)
        client = APIClient()
        key = api_key_create(membership=membership, name="test").key
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return _client


def test_train_queues_a_training_job(api_as, member, krea, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(member).post(
            "/api/v1/styles/train",
            {"name": "Ink", "urls": IMAGES, "model": "wan", "type": "Object"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["params"]["max_train_steps"] == 1000
    assert body["estimate_cu"] == 3400
    assert response["Location"].endswith(f"/api/v1/jobs/{body['id']}")
    assert [r.path for r in krea.requests if r.method == "POST"] == ["/styles/train"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Ink", "urls": IMAGES[:1]}, "urls"),
        ({"name": "Ink", "urls": IMAGES, "max_train_steps": 2001}, "max_train_steps"),
        ({"name": "Ink", "urls": ["not a url", IMAGES[0]]}, "urls"),
        ({"urls": IMAGES}, "name"),
        ({"name": "Ink", "urls": IMAGES, "model": "qwen", "batch_size": 2}, "batch_size"),
    ],
)
def test_train_refuses_bad_input_naming_the_field(api_as, member, krea, body, field):
    response = api_as(member).post("/api/v1/styles/train", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()
    assert not [r for r in krea.requests if r.method == "POST"]


def test_the_team_list_shows_the_teams_styles_newest_first(api_as, member, team, other_team):
    older = StyleFactory(team=team, name="Older")
    newer = StyleFactory(team=team, name="Newer")
    StyleFactory(team=other_team, name="Theirs")
    response = api_as(member).get("/api/v1/styles")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["results"]] == [str(newer.uuid), str(older.uuid)]
    assert api_as(member).get("/api/v1/styles?q=older").json()["results"][0]["name"] == "Older"


def test_public_styles_come_from_krea_and_are_cached_briefly(api_as, member, krea):
    client = api_as(member)
    first = client.get("/api/v1/styles?source=public&q=neon")
    second = client.get("/api/v1/styles?source=public&q=neon")
    assert first.status_code == 200
    assert [s["name"] for s in first.json()["results"]] == ["Neon Noir"]
    assert second.json() == first.json()
    lists = [r for r in krea.requests if r.method == "GET" and r.path == "/styles"]
    assert len(lists) == 1, "the second page view is served from the cache"


def test_another_teams_style_is_a_404(api_as, member, other_team):
    theirs = StyleFactory(team=other_team)
    client = api_as(member)
    assert client.get(f"/api/v1/styles/{theirs.uuid}").status_code == 404
    patched = client.patch(f"/api/v1/styles/{theirs.uuid}", {"public": True}, format="json")
    assert patched.status_code == 404
    assert client.post(f"/api/v1/styles/{theirs.uuid}/workspace").status_code == 404


def test_the_trainer_makes_the_style_public_and_gets_its_share_link(
    api_as, member, team, krea, trained_style
):
    client = api_as(member)
    url = f"/api/v1/styles/{trained_style.uuid}"
    response = client.patch(url, {"public": True, "title": "Ink wash II"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["public"] is True
    assert response.json()["name"] == "Ink wash II"
    assert (
        krea.get_style(KREA_TOKEN, trained_style.krea_style_id, base_url="http://krea.test")[
            "public"
        ]
        is True
    )

    link = client.post(f"{url}/share-link").json()["share_link"]
    assert link.startswith("http://krea.test/share/styles/")
    assert client.post(f"{url}/share-link").json()["share_link"] == link

    shared = client.post(f"{url}/workspace")
    assert shared.status_code == 200 and shared.json()["shared_with_workspace"] is True
    unshared = client.delete(f"{url}/workspace")
    assert unshared.json()["shared_with_workspace"] is False

    actions = set(AuditEntry.objects.filter(team=team).values_list("action", flat=True))
    assert {
        "style.visibility_changed",
        "style.renamed",
        "style.link_created",
        "style.workspace_shared",
        "style.workspace_unshared",
    } <= actions


def test_a_member_who_did_not_train_it_cannot_change_its_sharing(
    api_as, owner, admin, team, trained_style
):
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(team=team, role="member").user
    client = api_as(colleague)
    url = f"/api/v1/styles/{trained_style.uuid}"
    assert client.get(url).status_code == 200, "the whole team sees it"
    assert client.patch(url, {"public": True}, format="json").status_code == 403
    assert client.post(f"{url}/share-link").status_code == 403
    assert client.post(f"{url}/workspace").status_code == 403
    trained_style.refresh_from_db()
    assert trained_style.public is False
    assert api_as(admin).patch(url, {"public": True}, format="json").status_code == 200


def test_krea_refusing_a_change_is_a_400_with_its_message(api_as, member, team):
    # Recorded here, unknown to Krea: Krea answers 404 to the owner's change.
    style = StyleFactory(team=team, trained_by=member)
    response = api_as(member).patch(f"/api/v1/styles/{style.uuid}", {"public": True}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "krea_refused"
    assert response.json()["fields"] == {"request": [response.json()["error"]]}
    assert Style.objects.get(pk=style.pk).public is False


@pytest.mark.parametrize("query", ["source=public&cursor=not-a-cursor", "source=&model="])
def test_a_list_query_krea_or_the_portal_refuses_is_a_400(api_as, member, krea, query):
    response = api_as(member).get(f"/api/v1/styles?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["fields"]


def test_workspace_sharing_is_listed_from_krea(api_as, member, trained_style):
    client = api_as(member)
    client.post(f"/api/v1/styles/{trained_style.uuid}/workspace")
    listed = client.get("/api/v1/styles?source=workspace").json()["results"]
    assert [s["krea_style_id"] for s in listed] == [trained_style.krea_style_id]
