"""The job page lists a job's parameters by the catalogue's labels, never by raw keys."""

import re

import pytest
from django.urls import reverse

from tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_the_job_page_lists_parameters_by_label_in_the_models_order(client, member, team):
    job = JobFactory(
        team=team,
        created_by=member,
        params={
            "prompt": "a fox",
            "guidance_scale_flux": 3.5,
            "styles": [{"id": "st-1", "strength": 1.0}],
            "steps": 25,
        },
    )
    client.force_login(member)
    page = client.get(reverse("job_detail", args=[job.uuid])).content.decode()
    section = page[page.index("<h2>Parameters</h2>") :]
    terms = re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", section)
    assert terms == [
        ("Prompt", "a fox"),
        ("Steps", "25"),
        ("Guidance", "3.5"),
        ("Styles", "Style: st-1, Strength: 1"),
    ]
    assert "guidance_scale_flux" not in section
