"""A selection of outputs: downloaded as one zip (streamed), or deleted after a confirmation."""

import io
import zipfile

import pytest
from django.urls import reverse

from studio.gallery import selectors
from studio.generation.models import Job, Output
from tests.factories import JobFactory, OutputFactory

pytestmark = pytest.mark.django_db


def test_two_files_download_as_one_streamed_zip_of_exactly_those_files(client, member, team):
    a = OutputFactory(
        job=JobFactory(team=team, created_by=member, status="completed", model_name="Flux")
    )
    b = OutputFactory(
        job=JobFactory(
            team=team,
            created_by=member,
            status="completed",
            model_id="video/google/veo-3.1",
            model_name="Veo 3.1",
        ),
        video=True,
    )
    OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))  # not selected
    client.force_login(member)
    response = client.get(reverse("gallery_download"), {"output": [a.pk, b.pk]})
    assert response.status_code == 200
    assert response.streaming  # written while it is sent, never whole in memory
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="krea-studio-2-files-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert names == [
        f"flux-{str(a.job.uuid)[:8]}-1.png",
        f"veo-31-{str(b.job.uuid)[:8]}-1.mp4",
    ]
    assert archive.read(names[0]) == a.file.open("rb").read()
    assert archive.read(names[1]) == b.file.open("rb").read()
    assert archive.testzip() is None


def test_a_zip_with_another_teams_file_is_404(client, member, other_team, outsider, team):
    ours = OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    theirs = OutputFactory(job=JobFactory(team=other_team, created_by=outsider, status="completed"))
    client.force_login(member)
    assert (
        client.get(reverse("gallery_download"), {"output": [ours.pk, theirs.pk]}).status_code == 404
    )
    assert client.get(reverse("gallery_download"), {"output": ["x"]}).status_code == 404


def test_a_zip_of_nothing_or_too_much_says_what_to_do(client, member, monkeypatch, team):
    outputs = [
        OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
        for _ in range(3)
    ]
    client.force_login(member)
    response = client.get(reverse("gallery_download"), follow=True)
    assert "Select the files to download first." in response.content.decode()
    monkeypatch.setattr(selectors, "ZIP_LIMIT", 2)
    response = client.get(
        reverse("gallery_download"), {"output": [o.pk for o in outputs]}, follow=True
    )
    assert "A zip holds at most 2 files: select fewer." in response.content.decode()


def test_deleting_a_selection_asks_first_then_removes_the_files_and_keeps_the_jobs(
    client, member, team
):
    a, b = (
        OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
        for _ in range(2)
    )
    paths = [a.file.path, b.file.path, a.thumbnail.path]
    client.force_login(member)
    page = client.post(
        reverse("gallery_delete"), {"output": [a.pk, b.pk], "next": "/gallery/?kind=image"}
    )
    assert page.status_code == 200 and "Delete 2 files?" in page.content.decode()
    assert Output.objects.count() == 2

    response = client.post(
        reverse("gallery_delete"),
        {"output": [a.pk, b.pk], "confirmed": "1", "next": "/gallery/?kind=image"},
    )
    assert response.status_code == 302 and response.url == "/gallery/?kind=image"
    assert not Output.objects.exists() and Job.objects.count() == 2
    import os

    assert not any(os.path.exists(p) for p in paths)


def test_a_member_may_not_delete_files_of_someone_elses_job_an_admin_may(
    client, member, owner, admin, team
):
    theirs = OutputFactory(job=JobFactory(team=team, status="completed", created_by=owner))
    mine = OutputFactory(job=JobFactory(team=team, created_by=member, status="completed"))
    client.force_login(member)
    response = client.post(
        reverse("gallery_delete"), {"output": [mine.pk, theirs.pk], "confirmed": "1"}
    )
    assert response.status_code == 403
    assert "1 of the chosen files is not yours to delete." in response.content.decode()
    assert Output.objects.count() == 2  # all or none

    client.force_login(admin)
    client.post(reverse("gallery_delete"), {"output": [mine.pk, theirs.pk], "confirmed": "1"})
    assert not Output.objects.exists()
