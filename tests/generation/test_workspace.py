"""The generate workspace: Generate xN as a group of jobs with their own seeds, seeds that are
random unless locked, Run again and Remix with the seed rule, the results beside the form,
prompt history, the error summary, and the confirmation above the member's threshold."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from krea_integration import catalogue
from studio.generation import services
from studio.generation.models import Job, JobStatus, WorkspacePreferences
from studio.usage.models import EntryKind, Quota, UsageEntry
from studio.usage.services import QuotaExceeded
from tests.factories import FLUX, JobFactory
from tests.generation.conftest import VEO

pytestmark = pytest.mark.django_db

Z_IMAGE = "image/z-image/z-image"
FLUX_DEFAULT_SEED = catalogue.load().get(FLUX).request_schema["properties"]["seed"]["default"]
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(model_id=None, **query):
    if model_id:
        query["model"] = model_id
    return reverse("generate") + ("?" + urlencode(query) if query else "")


@pytest.fixture
def membership(member, team_with_token):
    return member.memberships.get(team=team_with_token)


def group(membership, count, model_id=FLUX, **kwargs):
    params = kwargs.pop("params", {"prompt": "a lighthouse at dusk"})
    return services.generation_submit_group(
        membership=membership, model_id=model_id, params=params, count=count, **kwargs
    )


# ------------------------------------------------------------------ the service


def test_generate_four_makes_four_reserved_jobs_of_one_group_with_four_random_seeds(membership):
    jobs = group(membership, 4)
    seeds = [job.seed for job in jobs]
    assert len(jobs) == 4 and len(set(seeds)) == 4
    assert FLUX_DEFAULT_SEED not in seeds
    assert len({job.batch for job in jobs}) == 1 and jobs[0].batch is not None
    assert all(job.status == JobStatus.PENDING and not job.seed_locked for job in jobs)
    reserves = UsageEntry.objects.filter(kind=EntryKind.RESERVE)
    assert sorted(reserves.values_list("job_id", flat=True)) == sorted(j.pk for j in jobs)
    assert all(entry.cu == Decimal(3) for entry in reserves)


def test_every_single_run_gets_a_new_seed_too(membership):
    seeds = {group(membership, 1)[0].seed for _ in range(5)}
    assert len(seeds) == 5 and FLUX_DEFAULT_SEED not in seeds


def test_a_locked_seed_is_kept_and_the_variations_count_up_from_it(membership):
    jobs = group(membership, 3, params={"prompt": "a fox", "seed": 41}, seed_locked=True)
    assert [job.seed for job in jobs] == [41, 42, 43]
    assert all(job.seed_locked for job in jobs)


def test_a_locked_empty_seed_is_drawn_once_and_kept(membership):
    [job] = group(membership, 1, seed_locked=True)
    assert isinstance(job.seed, int) and job.seed != FLUX_DEFAULT_SEED and job.seed_locked


def test_a_model_without_a_seed_runs_the_same_parameters_n_times(membership):
    assert not services.takes_seed(catalogue.load().get(VEO))
    jobs = group(membership, 2, model_id=VEO, params={"prompt": "a whale"})
    assert [job.params for job in jobs] == [jobs[0].params] * 2
    assert "seed" not in jobs[0].params and jobs[0].batch == jobs[1].batch


def test_the_quota_is_checked_for_the_whole_group(membership, team_with_token, member):
    Quota.objects.create(team=team_with_token, user=member, limit_cu=Decimal(10), period="month")
    with pytest.raises(QuotaExceeded, match="needs 12 CU"):
        group(membership, 4)
    assert not Job.objects.exists() and not UsageEntry.objects.exists()
    assert len(group(membership, 3)) == 3


@pytest.mark.parametrize("count", [0, 5])
def test_more_than_four_or_none_is_refused(membership, count):
    with pytest.raises(services.InvalidGeneration, match="from 1 to 4"):
        group(membership, count)


def test_run_again_draws_a_new_seed_unless_the_seed_was_locked(membership):
    [free] = group(membership, 1)
    [locked] = group(membership, 1, params={"prompt": "a fox", "seed": 7}, seed_locked=True)
    again = services.job_run_again(membership=membership, job=free)
    assert again.seed != free.seed and not again.seed_locked
    kept = services.job_run_again(membership=membership, job=locked)
    assert kept.seed == 7 and kept.seed_locked


# ------------------------------------------------------------------ the page


def test_the_form_never_offers_the_schemas_default_seed(client, member, team_with_token):
    client.force_login(member)
    page = client.get(url(FLUX)).content.decode()
    assert str(FLUX_DEFAULT_SEED) not in page
    assert 'name="seed"' in page and 'placeholder="Random each run"' in page
    assert 'name="run-seed_lock"' in page and 'name="run-count"' in page


def test_an_htmx_generate_four_adds_one_group_of_four_live_cards(client, member, team_with_token):
    client.force_login(member)
    response = client.post(
        url(FLUX), {"prompt": "a fox", "run-count": "4", "_intent": "submit"}, **HTMX
    )
    page = response.content.decode()
    jobs = list(Job.objects.order_by("created_at", "id"))
    assert len(jobs) == 4
    oob = page[page.index('hx-swap-oob="afterbegin:#results"') :]
    assert oob.count('class="job-tile"') == 4
    for job in jobs:
        assert f'id="job-{job.uuid}"' in oob and f"<output>{job.seed}</output>" in oob
    assert 'hx-trigger="studio:changed"' in oob and "data-live-job=" in oob  # followed live


def test_locked_seed_stays_in_the_form_after_a_submit_and_a_free_one_is_emptied(
    client, member, team_with_token
):
    client.force_login(member)
    data = {"prompt": "a fox", "seed": "99", "_intent": "submit"}
    free = client.post(url(FLUX), data, **HTMX).content.decode()
    assert Job.objects.get().seed != 99  # not locked: the typed seed is not used
    panel = free[: free.index("hx-swap-oob")]
    assert 'name="seed" value=' not in panel
    locked = client.post(url(FLUX), {**data, "run-seed_lock": "on"}, **HTMX).content.decode()
    assert Job.objects.filter(seed_locked=True).get().seed == 99
    assert 'name="seed" value="99"' in locked[: locked.index("hx-swap-oob")]


def test_the_workspace_shows_the_members_own_recent_groups_only(
    client, member, admin, team_with_token, membership
):
    jobs = group(membership, 2, params={"prompt": "twin foxes"})
    theirs = JobFactory(team=team_with_token, created_by=admin, prompt="an admin's owl")
    client.force_login(member)
    page = client.get(url(FLUX)).content.decode()
    results = page[page.index('id="results"') :]
    assert results.count('class="job-group"') == 1 and "twin foxes" in results
    assert all(f'id="job-{job.uuid}"' in results for job in jobs)
    assert str(theirs.uuid) not in results


def test_a_workspace_card_refreshes_itself_from_the_job_page(client, member, completed_job):
    client.force_login(member)
    tile = client.get(
        reverse("job_detail", args=[completed_job.uuid]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"job-{completed_job.uuid}",
    ).content.decode()
    assert tile.lstrip().startswith('<article class="job-tile"')
    assert f'id="job-{completed_job.uuid}"' in tile and "hx-trigger" not in tile
    assert reverse("output_file", args=[completed_job.uuid, 0]) in tile  # the file, large


def test_the_job_page_shows_the_seed_that_was_used(client, member, membership):
    [job] = group(membership, 1)
    client.force_login(member)
    page = client.get(reverse("job_detail", args=[job.uuid])).content.decode()
    assert f'<dd id="job-seed"><code>{job.seed}</code>' in page
    assert "Run again draws a new one" in page


def test_remix_keeps_the_seed_only_when_it_was_locked(client, member, membership):
    [free] = group(membership, 1)
    [locked] = group(membership, 1, params={"prompt": "a fox", "seed": 5}, seed_locked=True)
    client.force_login(member)
    page = client.get(url(**{"from": free.uuid})).content.decode()
    assert f'value="{free.seed}"' not in page
    page = client.get(url(**{"from": locked.uuid})).content.decode()
    assert 'name="seed" value="5"' in page
    assert 'name="run-seed_lock" id="id_run-seed_lock" checked' in page


def test_a_submit_with_errors_lists_each_with_a_link_to_its_field(client, member, team_with_token):
    client.force_login(member)
    page = client.post(
        url(Z_IMAGE), {"prompt": "", "resolution": "1K", "_intent": "submit"}, **HTMX
    ).content.decode()
    summary = page[
        page.index('id="error-summary"') : page.index("</ul>", page.index("error-summary"))
    ]
    assert 'href="#id_aspect_ratio"' in summary and 'href="#id_prompt"' in summary
    assert not Job.objects.exists()


# ------------------------------------------------------------------ prompt history


def test_prompt_history_lists_the_members_distinct_prompts_newest_first_and_searches(
    client, member, admin, team
):
    for prompt in ("a red fox", "a blue whale", "a red fox"):
        JobFactory(team=team, created_by=member, prompt=prompt)
    JobFactory(team=team, created_by=admin, prompt="a red owl")
    client.force_login(member)
    page = client.get(reverse("prompt_history")).content.decode()
    assert page.index("a red fox") < page.index("a blue whale")
    assert page.count('data-use-prompt="a red fox"') == 1 and "a red owl" not in page
    found = client.get(reverse("prompt_history"), {"q": "whale"}, **HTMX).content.decode()
    assert "a blue whale" in found and "a red fox" not in found
    assert found.lstrip().startswith('<ul class="prompt-list"')


# ------------------------------------------------------------------ confirmation


def test_a_generate_above_the_threshold_asks_first_then_runs(client, member, team_with_token):
    client.force_login(member)
    data = {"prompt": "a whale", "_intent": "submit"}
    page = client.post(url(VEO), data, **HTMX).content.decode()
    assert not Job.objects.exists()
    assert 'id="confirm-run"' in page and "916 CU" in page and "100 CU" in page
    client.post(url(VEO), {**data, "run-confirmed": "1"}, **HTMX)
    assert Job.objects.count() == 1


def test_four_cheap_runs_above_the_threshold_together_ask_too(client, member, team_with_token):
    WorkspacePreferences.objects.create(
        membership=member.memberships.get(team=team_with_token), confirm_above_cu=Decimal(10)
    )
    client.force_login(member)
    page = client.post(
        url(FLUX), {"prompt": "a fox", "run-count": "4", "_intent": "submit"}, **HTMX
    ).content.decode()
    assert 'id="confirm-run"' in page and "12 CU" in page and not Job.objects.exists()


def test_run_again_above_the_threshold_shows_the_estimate_and_asks(client, member, team_with_token):
    job = JobFactory(
        team=team_with_token,
        created_by=member,
        model_id=VEO,
        model_name="Veo 3.1",
        params={"prompt": "a whale"},
        estimate_cu=916,
    )
    client.force_login(member)
    page = client.get(reverse("job_detail", args=[job.uuid])).content.decode()
    assert "Run again · 916 CU" in page and "Remix · from 916 CU" in page
    asked = client.post(reverse("job_run_again", args=[job.uuid]))
    assert asked.status_code == 200 and "Yes, run again for 916 CU" in asked.content.decode()
    assert Job.objects.count() == 1
    client.post(reverse("job_run_again", args=[job.uuid]), {"confirmed": "1"})
    assert Job.objects.count() == 2


def test_the_threshold_is_the_members_own_setting(client, member, admin, team_with_token):
    client.force_login(member)
    page = client.get(reverse("workspace_preferences")).content.decode()
    assert 'value="100' in page
    response = client.post(reverse("workspace_preferences"), {"confirm_above_cu": "1000"})
    assert response.status_code == 302
    bad = client.post(reverse("workspace_preferences"), {"confirm_above_cu": "-1"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    client.post(url(VEO), {"prompt": "a whale", "_intent": "submit"}, **HTMX)
    assert Job.objects.count() == 1  # 916 CU is under this member's 1000
    client.force_login(admin)
    client.post(url(VEO), {"prompt": "a whale", "_intent": "submit"}, **HTMX)
    assert Job.objects.count() == 1  # the admin keeps the default 100 CU


def test_a_model_without_a_seed_says_its_runs_vary_on_their_own(client, member, team_with_token):
    client.force_login(member)
    page = client.get(url(VEO)).content.decode()
    assert 'name="seed"' not in page and "every run varies on its own" in page
    estimate = client.post(
        url(VEO), {"prompt": "a whale", "run-count": "2", "_intent": "estimate"}, **HTMX
    ).content.decode()
    assert "the 2 runs use the same settings and vary on their own" in estimate
    assert "916 CU \N{MULTIPLICATION SIGN} 2 = 1,832 CU" in estimate


def test_prompt_history_never_shows_another_teams_prompts(client, outsider, other_team, member):
    JobFactory(team=other_team, created_by=outsider, prompt="a secret lighthouse")
    client.force_login(member)
    assert "a secret lighthouse" not in client.get(reverse("prompt_history")).content.decode()


# ------------------------------------------------------------------ where Generate opens


def test_generate_opens_on_flux_with_the_prompt_ready_for_a_member_who_never_generated(
    client, member, team_with_token
):
    client.force_login(member)
    page = client.get(url()).content.decode()
    assert 'id="generate-form"' in page and 'name="prompt"' in page
    assert f'<input type="hidden" name="model" value="{FLUX}">' in page
    assert '<details class="model-switcher card">' in page  # the picker one click away


def test_generate_opens_on_the_model_the_member_used_last(client, member, membership):
    team = membership.team
    JobFactory(team=team, created_by=member, model_id=FLUX)
    JobFactory(team=team, created_by=member, model_id=Z_IMAGE, model_name="Z-Image")
    JobFactory(team=team, model_id=VEO)  # a colleague's later job does not count
    client.force_login(member)
    page = client.get(url()).content.decode()
    assert f'<input type="hidden" name="model" value="{Z_IMAGE}">' in page
    # A search still opens the picker, with no model chosen.
    searched = client.get(url(q="veo")).content.decode()
    assert '<details class="model-switcher card" open>' in searched
    assert 'id="generate-form"' not in searched
