"""Collections: members make boards of the team's outputs, add to them from the gallery,
rename them, and share them inside the team."""

import re

import pytest
from django.urls import reverse

from studio.gallery import services
from studio.gallery.models import Collection, CollectionItem
from tests.factories import JobFactory, OutputFactory

pytestmark = pytest.mark.django_db


def test_a_member_makes_a_collection_adds_two_files_and_sees_them_in_it(client, member, team):
    a, b, c = (
        OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
        for _ in range(3)
    )
    client.force_login(member)
    response = client.post(reverse("collections"), {"name": "  Moodboard  "})
    collection = Collection.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("collection_detail", args=[collection.uuid])
    assert collection.name == "Moodboard" and not collection.shared

    response = client.post(
        reverse("gallery_collect"),
        {"output": [a.pk, b.pk], "collection": str(collection.uuid), "next": "/gallery/"},
    )
    assert response.status_code == 302 and response.url == "/gallery/"
    page = client.get(reverse("collection_detail", args=[collection.uuid])).content.decode()
    shown = re.findall(r'class="tile__media" href="([^"]+)"', page)
    assert sorted(shown) == sorted(reverse("output_file", args=[o.job.uuid, 0]) for o in (a, b))
    assert "Moodboard" in page and "Only you see this collection" in page
    listing = client.get(reverse("collections")).content.decode()
    assert "Moodboard" in listing and "2 files" in listing

    # Adding one again adds nothing twice.
    client.post(reverse("gallery_collect"), {"output": [a.pk], "collection": str(collection.uuid)})
    assert CollectionItem.objects.count() == 2
    # And removing takes it out, the file stays.
    client.post(reverse("collection_remove", args=[collection.uuid]), {"output": [a.pk]})
    assert list(collection.outputs.all()) == [b]
    assert c.pk and a.__class__.objects.filter(pk=a.pk).exists()


def test_a_selection_goes_into_a_new_collection_named_on_the_spot(client, member, team):
    a = OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    client.force_login(member)
    response = client.post(
        reverse("gallery_collect"), {"output": [a.pk], "name": "Picks"}, follow=True
    )
    assert "Added 1 file to “Picks”." in response.content.decode()
    assert list(Collection.objects.get(name="Picks").outputs.all()) == [a]


def test_adding_without_a_collection_or_a_name_says_so(client, member, team):
    a = OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    client.force_login(member)
    response = client.post(reverse("gallery_collect"), {"output": [a.pk]}, follow=True)
    assert "Pick a collection, or name a new one." in response.content.decode()
    assert not Collection.objects.exists()


def test_a_nameless_collection_is_a_form_error(client, member):
    client.force_login(member)
    response = client.post(reverse("collections"), {"name": "   "})
    assert response.status_code == 400
    assert "Give the collection a name." in response.content.decode()


def test_a_private_collection_is_its_makers_until_shared_then_the_whole_teams(
    client, member, owner, admin, team
):
    output = OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    mine = member.memberships.get(team=team)
    collection = services.collection_create(membership=mine, name="Ideas")
    detail = reverse("collection_detail", args=[collection.uuid])

    client.force_login(owner)
    assert client.get(detail).status_code == 404
    assert "Ideas" not in client.get(reverse("collections")).content.decode()

    client.force_login(member)
    response = client.post(
        reverse("collection_edit", args=[collection.uuid]), {"name": "Ideas v2", "shared": "on"}
    )
    assert response.status_code == 302
    collection.refresh_from_db()
    assert collection.name == "Ideas v2" and collection.shared

    client.force_login(owner)
    assert "Shared with the team" in client.get(detail).content.decode()
    # Any member who sees a shared collection adds to it...
    client.post(
        reverse("gallery_collect"), {"output": [output.pk], "collection": str(collection.uuid)}
    )
    assert list(collection.outputs.all()) == [output]


def test_only_the_maker_or_a_manager_renames_or_deletes_a_shared_collection(
    client, member, owner, team
):
    other = owner.memberships.get(team=team)
    collection = services.collection_create(membership=other, name="Owner's", shared=True)
    client.force_login(member)
    page = client.get(reverse("collection_detail", args=[collection.uuid])).content.decode()
    assert "Rename, share or delete" not in page
    edit = client.post(reverse("collection_edit", args=[collection.uuid]), {"name": "Mine now"})
    assert edit.status_code == 403
    assert client.post(reverse("collection_delete", args=[collection.uuid])).status_code == 403
    collection.refresh_from_db()
    assert collection.name == "Owner's"

    mine = member.memberships.get(team=team)
    own = services.collection_create(membership=mine, name="Member's", shared=True)
    client.force_login(owner)  # owners and admins manage every shared collection
    assert client.post(reverse("collection_delete", args=[own.uuid])).status_code == 302
    assert not Collection.objects.filter(pk=own.pk).exists()


def test_another_teams_collection_and_outputs_are_404(client, member, team, other_team, outsider):
    theirs = services.collection_create(
        membership=outsider.memberships.get(team=other_team), name="Theirs", shared=True
    )
    their_output = OutputFactory(
        job=JobFactory(team=other_team, created_by=outsider, status="completed")
    )
    ours = OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    board = services.collection_create(membership=member.memberships.get(team=team), name="B")
    client.force_login(member)
    assert client.get(reverse("collection_detail", args=[theirs.uuid])).status_code == 404
    response = client.post(
        reverse("gallery_collect"), {"output": [ours.pk], "collection": str(theirs.uuid)}
    )
    assert response.status_code == 404
    response = client.post(
        reverse("gallery_collect"),
        {"output": [ours.pk, their_output.pk], "collection": str(board.uuid)},
    )
    assert response.status_code == 404
    assert not CollectionItem.objects.exists()
    assert client.get(reverse("gallery"), {"collection": str(theirs.uuid)}).status_code == 200


def test_the_collections_page_costs_the_same_queries_for_2_or_12_collections(client, member, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mine = member.memberships.get(team=team)

    def add(n):
        for i in range(n):
            board = services.collection_create(membership=mine, name=f"Board {i}")
            services.collection_add(
                collection=board,
                by=mine,
                outputs=[
                    OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
                ],
            )

    def count():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("collections")).content.decode()
        return len(captured.captured_queries), page

    client.force_login(member)
    add(2)
    few, _ = count()
    add(10)
    many, page = count()
    assert few == many
    assert page.count("/thumbnail/") == 12
