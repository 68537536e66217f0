import pytest

from tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_a_member_sees_the_team_s_latest_jobs_and_what_they_have_left(client, member, team):
    jobs = JobFactory.create_batch(7, team=team, created_by=member)
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Latest jobs of the team" in html
    assert html.count('class="job-row"') == 5
    assert jobs[-1].prompt in html
    assert "No CU limit" in html


def test_another_team_s_jobs_never_show(client, member, team, other_team, outsider):
    theirs = JobFactory.create_batch(2, team=other_team, created_by=outsider)
    client.force_login(member)
    html = client.get("/").content.decode()
    assert not any(job.prompt in html for job in theirs)
    assert "No jobs yet." in html


def test_without_a_token_the_dashboard_says_what_to_do(client, owner, member):
    client.force_login(owner)
    assert "Add the team's Krea token" in client.get("/").content.decode()
    client.force_login(member)
    assert "ask an owner or admin to add one" in client.get("/").content.decode()


def test_a_person_without_a_team_is_offered_to_create_one(client, django_user_model):
    loner = django_user_model.objects.create_user(
        email="loner@example.com", password="pw-123456789"
    )
    client.force_login(loner)
    response = client.get("/")
    assert b"Create a team" in response.content


def test_the_dashboard_costs_the_same_queries_with_more_jobs(
    client, member, team, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(member)
    JobFactory.create_batch(2, team=team, created_by=member)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    JobFactory.create_batch(40, team=team, created_by=member)
    with django_assert_max_num_queries(len(few)):
        client.get("/")
