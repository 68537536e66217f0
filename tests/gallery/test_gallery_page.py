"""The gallery: the team's outputs as a masonry wall with actions on each, filters that
suit outputs, keyset paging, and a fixed number of queries whatever the number of outputs."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studio.gallery import services
from studio.generation.models import JobKind, JobStatus
from studio.paging import PAGE_SIZE
from tests.factories import JobFactory, OutputFactory
from tests.generation.conftest import VEO

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def tiles(page: str) -> list[str]:
    """The file URLs of the tiles, in order."""
    return re.findall(r'class="tile__media" href="(/jobs/[0-9a-f-]{36}/outputs/\d+/)"', page)


def url(output) -> str:
    return reverse("output_file", args=[output.job.uuid, output.position])


def test_each_tile_keeps_the_pictures_shape_and_offers_every_action(
    client, member, other_team, outsider, team
):
    job = JobFactory(
        team=team,
        created_by=member,
        status=JobStatus.COMPLETED,
        params={"prompt": "a red fox", "seed": 7},
    )
    picture = OutputFactory(job=job)
    video_job = JobFactory(
        team=team, created_by=member, status=JobStatus.COMPLETED, model_id=VEO, model_name="Veo 3.1"
    )
    video = OutputFactory(job=video_job, video=True)
    theirs = OutputFactory(job=JobFactory(team=other_team, created_by=outsider, status="completed"))
    client.force_login(member)
    page = client.get(reverse("gallery")).content.decode()

    assert tiles(page) == [url(video), url(picture)]
    assert str(theirs.job.uuid) not in page
    # The picture at its own shape, for the lightbox at its full size.
    assert 'width="64" height="48"' in page
    assert f'data-pswp-src="{url(picture)}" data-pswp-width="64" data-pswp-height="48"' in page
    # A video shows its poster and plays (muted) under the pointer.
    assert re.search(r'<video class="tile__video" muted loop playsinline preload="none"', page)
    assert f'poster="{reverse("output_thumbnail", args=[video_job.uuid, 0])}"' in page
    # Prompt and model on the tile.
    assert "a red fox" in page and "Veo 3.1" in page
    # The actions: favourite, use as input, upscale 2x, animate, remix, download, delete.
    uuid = job.uuid
    assert f'action="/jobs/{uuid}/outputs/0/favourite/"' in page
    assert f'href="/jobs/{uuid}/outputs/0/use/"' in page
    assert 'name="model" value="enhance/topaz/standard-enhance"' in page
    assert 'name="scale" value="2"' in page
    assert 'name="model" value="video/kling/kling-2.5"' in page
    assert f'href="/generate/?from={uuid}"' in page
    assert f'href="{url(picture)}?download=1" download' in page
    assert f'name="output" value="{picture.pk}"' in page
    # The lightbox is PhotoSwipe, vendored with its version.
    assert "vendor/photoswipe/photoswipe-lightbox-5.4.4.esm.min.js" in page
    assert "js/lightbox.js" not in page


def test_a_video_is_neither_upscaled_nor_animated(client, member, team):
    OutputFactory(
        job=JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED, model_id=VEO),
        video=True,
    )
    client.force_login(member)
    page = client.get(reverse("gallery")).content.decode()
    assert 'name="scale"' not in page and 'name="model" value="video/kling' not in page


def test_a_node_app_output_offers_no_remix(client, member, team):
    job = JobFactory(
        team=team, created_by=member, status=JobStatus.COMPLETED, kind=JobKind.NODE_APP
    )
    OutputFactory(job=job)
    client.force_login(member)
    assert f"?from={job.uuid}" not in client.get(reverse("gallery")).content.decode()


def test_filters_for_outputs_model_member_kind_date_favourites_collection(
    client, member, owner, team, membership_of
):
    now = timezone.now()
    fox = OutputFactory(
        job=JobFactory(
            team=team, created_by=member, status="completed", params={"prompt": "a red fox"}
        )
    )
    whale = OutputFactory(
        job=JobFactory(
            team=team, created_by=member, status="completed", model_id=VEO, model_name="Veo 3.1"
        ),
        video=True,
    )
    owls = OutputFactory(job=JobFactory(team=team, status="completed", created_by=owner))
    old = OutputFactory(
        job=JobFactory(
            team=team, created_by=member, status="completed", created_at=now - timedelta(days=9)
        )
    )
    mine = membership_of(member, team)
    services.favourite_set(membership=mine, output=fox, favourite=True)
    services.favourite_set(
        membership=membership_of(owner, team), output=owls, favourite=True
    )  # the owner's, not the member's
    board = services.collection_create(membership=mine, name="Moodboard")
    services.collection_add(collection=board, by=mine, outputs=[whale, old])
    client.force_login(member)

    def shown(**filters):
        return set(tiles(client.get(reverse("gallery"), filters).content.decode()))

    assert shown(model=VEO) == {url(whale)}
    assert shown(member=owner.pk) == {url(owls)}
    assert shown(kind="video") == {url(whale)}
    assert shown(kind="image") == {url(fox), url(owls), url(old)}
    day = (now - timedelta(days=9)).date().isoformat()
    assert shown(date_from=day, date_to=day) == {url(old)}
    assert shown(favourites="on") == {url(fox)}
    assert shown(collection=str(board.uuid)) == {url(whale), url(old)}
    assert shown(q="FOX") == {url(fox)}
    page = client.get(reverse("gallery")).content.decode()
    assert 'name="status"' not in page  # job states are not a gallery filter
    assert f'<option value="{board.uuid}">Moodboard</option>' in page


def test_another_members_private_collection_filters_nothing(
    client, member, owner, team, membership_of
):
    output = OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    theirs = services.collection_create(membership=membership_of(owner, team), name="Private")
    services.collection_add(collection=theirs, by=membership_of(owner, team), outputs=[output])
    client.force_login(member)
    page = client.get(reverse("gallery"), {"collection": str(theirs.uuid)}).content.decode()
    assert "Select a valid choice" in page and "Private" not in page


def test_filtering_with_htmx_answers_with_the_results_alone(client, member, team):
    OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    client.force_login(member)
    fragment = client.get(
        reverse("gallery"), {"kind": "image"}, HTTP_HX_TARGET="gallery-results", **HTMX
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="gallery-results"')
    assert "<html" not in fragment and len(tiles(fragment)) == 1


def test_load_more_pages_by_keyset(client, member, team):
    outputs = [
        OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
        for _ in range(PAGE_SIZE + 3)
    ]
    expected = [url(o) for o in sorted(outputs, key=lambda o: (o.created_at, o.id), reverse=True)]
    client.force_login(member)
    first = client.get(reverse("gallery"), {"kind": "image"}).content.decode()
    assert tiles(first) == expected[:PAGE_SIZE]
    href = re.search(r'<li id="gallery-more".*?href="([^"]+)"', first, re.S).group(1)
    assert "kind=image" in href
    rest = client.get(href.replace("&amp;", "&"), HTTP_HX_TARGET="gallery-more", **HTMX)
    assert tiles(rest.content.decode()) == expected[PAGE_SIZE:]
    assert 'id="gallery-more"' not in rest.content.decode()


def count_queries(client, path, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured.captured_queries)


def test_the_gallery_costs_the_same_queries_for_5_or_50_outputs(
    client, member, team, membership_of
):
    mine = membership_of(member, team)
    board = services.collection_create(membership=mine, name="Board", shared=True)

    def add(n):
        for i in range(n):
            output = OutputFactory(
                job=JobFactory(team=team, created_by=member, status="completed"), video=i % 3 == 0
            )
            services.favourite_set(membership=mine, output=output, favourite=i % 2 == 0)
            services.collection_add(collection=board, by=mine, outputs=[output])

    client.force_login(member)
    add(5)
    few = count_queries(client, reverse("gallery"))
    add(45)
    many = count_queries(client, reverse("gallery"))
    filtered = count_queries(client, reverse("gallery"), favourites="on", kind="image")
    in_board = count_queries(client, reverse("collection_detail", args=[board.uuid]))
    assert few == many == filtered + 1  # the whole gallery also reads the newest jobs (live)
    assert in_board <= many + 1  # the collection itself


def test_an_empty_gallery_says_where_files_come_from(client, member):
    client.force_login(member)
    assert "No images or videos yet" in client.get(reverse("gallery")).content.decode()
