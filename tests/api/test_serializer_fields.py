"""A job's answer is built from fields worked out once per serializer class: each answer
still gets its own fields, so one request's host never shows in another's links."""

import pytest

from tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_each_answer_links_its_outputs_on_the_host_it_was_asked_on(api_as, member, team, settings):
    settings.ALLOWED_HOSTS = ["studio.example.com", "other.example.org"]
    job = JobFactory(team=team, created_by=member, outputs=2)
    client = api_as(member)

    for host in ["studio.example.com", "other.example.org", "studio.example.com"]:
        answer = client.get(f"/api/v1/jobs/{job.uuid}", HTTP_HOST=host).json()
        assert [output["url"] for output in answer["outputs"]] == [
            f"http://{host}/api/v1/jobs/{job.uuid}/outputs/{position}" for position in (0, 1)
        ]
        assert answer["created_by"] == member.email
