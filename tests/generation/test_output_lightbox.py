"""The lightbox over outputs, the same on every page that shows them (gallery, job page,
workspace, node-app run): each output is a link it opens, with the prompt, the parameters
in the job page's words (never a schema key) and the actions beside the picture."""

import re
from html import unescape

import pytest
from django.urls import reverse

from studio.generation.models import JobStatus
from tests.factories import JobFactory, NodeAppRunFactory

pytestmark = pytest.mark.django_db

QWEN = "image/qwen/2512"
PARAMS = {
    "prompt": "a red fox in the snow",
    "num_inference_steps": 30,
    "cfg_scale": 4.0,
    "seed": 7,
    "skip_prompt_expansion": True,
    "width": 1024,
    "height": 768,
}
RAW_KEYS = ("num_inference_steps", "cfg_scale", "skip_prompt_expansion", "guidance_scale")
SCRIPT = "js/output_lightbox.js"


@pytest.fixture
def qwen_job(team, member):
    return JobFactory(
        team=team,
        created_by=member,
        model_id=QWEN,
        model_name="Qwen Image 2512",
        params=PARAMS,
        status=JobStatus.COMPLETED,
        outputs=2,
    )


def lightbox_params(page: str) -> list[list[tuple[str, str]]]:
    """The parameters of each output's lightbox details, as (label, value) pairs."""
    return [
        [(unescape(dt), unescape(dd)) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", dl)]
        for dl in re.findall(r'<dl class="details__params">(.*?)</dl>', page, re.S)
    ]


def job_page_params(page: str) -> list[tuple[str, str]]:
    dl = re.search(r'<dl class="facts params">(.*?)</dl>', page, re.S).group(1)
    return [
        (unescape(dt), unescape(dd)) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", dl)
    ]


def opened_links(page: str) -> list[str]:
    """The files the lightbox opens, in page order."""
    return re.findall(r'href="(/jobs/[0-9a-f-]{36}/outputs/\d+/)"[^>]*data-lightbox\b', page)


def test_the_gallery_lightbox_speaks_the_job_pages_words(client, member, qwen_job):
    client.force_login(member)
    job_page = client.get(reverse("job_detail", args=[qwen_job.uuid])).content.decode()
    gallery = client.get(reverse("gallery")).content.decode()

    # One rule for both: the job page's list without the prompt (the lightbox shows it above).
    expected = [pair for pair in job_page_params(job_page) if pair[0] != "Prompt"]
    assert ("Steps", "30") in expected and ("Guidance", "4") in expected
    assert ("Use my prompt as written", "on") in expected
    assert lightbox_params(gallery) == [expected, expected]  # one per output
    for key in RAW_KEYS:
        assert key not in gallery, key
    assert gallery.count('<p class="details__prompt">a red fox in the snow</p>') == 2
    assert SCRIPT in gallery and "js/gallery.js" in gallery


def test_the_job_page_opens_its_outputs_in_the_same_lightbox_with_its_actions(
    client, member, qwen_job
):
    client.force_login(member)
    page = client.get(reverse("job_detail", args=[qwen_job.uuid])).content.decode()

    files = [reverse("output_file", args=[qwen_job.uuid, n]) for n in range(2)]
    assert opened_links(page) == files
    assert 'data-pswp-width="64" data-pswp-height="48"' in page  # opens at the file's shape
    assert len(lightbox_params(page)) == 2
    for key in RAW_KEYS:
        assert key not in page, key
    # Download, use as input and the job's page, in each output's details.
    details = re.findall(r"<template data-lightbox-details>(.*?)</template>", page, re.S)
    assert len(details) == 2
    assert f'href="{files[1]}?download=1" download' in details[1]
    assert f'href="{reverse("output_use", args=[qwen_job.uuid, 1])}"' in details[1]
    assert f'href="{reverse("job_detail", args=[qwen_job.uuid])}"' in details[1]
    assert SCRIPT in page and "js/lightbox.js" not in page and "<dialog" not in page


def test_a_live_card_swapped_in_by_htmx_carries_its_lightbox_details(client, member, qwen_job):
    """The card that replaces a running one when the job completes: its outputs open too,
    since the lightbox listens on the page's <main> rather than on the outputs themselves."""
    client.force_login(member)
    card = client.get(
        reverse("job_detail", args=[qwen_job.uuid]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in card
    assert len(opened_links(card)) == 2 and card.count("<template data-lightbox-details>") == 2


def test_the_workspace_opens_its_results_in_the_lightbox(client, member, qwen_job, team_with_token):
    client.force_login(member)
    page = client.get(reverse("generate")).content.decode()
    assert opened_links(page) == [reverse("output_file", args=[qwen_job.uuid, 0])]
    assert lightbox_params(page)[0][0] == ("Width", "1024")
    assert SCRIPT in page and "js/lightbox.js" not in page


def test_a_node_app_run_opens_its_outputs_in_the_lightbox(client, member, team):
    run = NodeAppRunFactory(team=team, created_by=member)
    jobs = [
        JobFactory(
            team=team,
            created_by=member,
            run=run,
            model_name=run.app_name,
            params={"prompt": "a bottle", "variations": 2},
            status=JobStatus.COMPLETED,
            outputs=1,
        )
        for _ in range(2)
    ]
    client.force_login(member)
    page = client.get(reverse("node_app_run", args=[run.uuid])).content.decode()
    assert sorted(opened_links(page)) == sorted(
        reverse("output_file", args=[job.uuid, 0]) for job in jobs
    )
    assert ("Variations", "2") in lightbox_params(page)[0]
    assert SCRIPT in page and "js/lightbox.js" not in page
