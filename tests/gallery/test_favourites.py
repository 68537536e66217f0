"""Favourites are each member's own: marked from the gallery (htmx or a plain form)."""

import pytest
from django.urls import reverse

from studio.gallery.models import Favourite
from tests.factories import JobFactory, OutputFactory

pytestmark = pytest.mark.django_db


def favourite_url(output):
    return reverse("output_favourite", args=[output.job.uuid, output.position])


def test_a_member_marks_and_unmarks_a_favourite_that_only_they_see(client, member, owner, team):
    output = OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    client.force_login(member)
    response = client.post(favourite_url(output), {"favourite": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    button = response.content.decode()
    assert button.lstrip().startswith('<form method="post"')
    assert 'aria-pressed="true"' in button and 'name="favourite" value="0"' in button
    assert Favourite.objects.filter(membership__user=member, output=output).exists()
    # Twice is still one favourite.
    client.post(favourite_url(output), {"favourite": "1"})
    assert Favourite.objects.count() == 1
    assert 'aria-pressed="true"' in client.get(reverse("gallery")).content.decode()

    client.force_login(owner)
    assert 'aria-pressed="true"' not in client.get(reverse("gallery")).content.decode()

    client.force_login(member)
    response = client.post(
        favourite_url(output), {"favourite": "0", "next": "/gallery/?kind=image"}
    )
    assert response.status_code == 302 and response.url == "/gallery/?kind=image"
    assert not Favourite.objects.exists()


def test_a_favourite_form_does_not_send_the_member_off_site(client, member, team):
    output = OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    client.force_login(member)
    response = client.post(
        favourite_url(output), {"favourite": "1", "next": "https://evil.example/"}
    )
    assert response.url == reverse("gallery")


def test_another_teams_output_cannot_be_marked(client, member, other_team, outsider):
    theirs = OutputFactory(job=JobFactory(team=other_team, created_by=outsider, status="completed"))
    client.force_login(member)
    assert client.post(favourite_url(theirs), {"favourite": "1"}).status_code == 404
    assert not Favourite.objects.exists()
