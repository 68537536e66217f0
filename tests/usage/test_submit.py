"""The submit path: generation_submit reserves through usage_reserve, in one transaction."""

from decimal import Decimal

import pytest

from studio.generation import services as generation
from studio.generation import tasks as generation_tasks
from studio.generation.models import Job
from studio.usage.models import EntryKind, ModelPrice, Period, UsageEntry
from studio.usage.services import QuotaExceeded
from tests.factories import FLUX, QuotaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_dispatch(monkeypatch, team_with_token):
    """``team`` has a Krea token; only the submit is under test, so nothing is dispatched."""
    monkeypatch.setattr(generation_tasks, "enqueue_dispatch", lambda *args, **kwargs: None)


def submit(user, team, model_id=FLUX, **params):
    membership = user.memberships.select_related("team").get(team=team)
    return generation.generation_submit(
        membership=membership, model_id=model_id, params={"prompt": "a fox", **params}
    )


def test_a_refused_submit_leaves_no_job_and_no_entry(team, member):
    QuotaFactory(team=team, user=member, limit_cu=Decimal("2"), period=Period.DAY)
    with pytest.raises(QuotaExceeded) as refused:
        submit(member, team)
    assert (refused.value.needed, refused.value.left) == (Decimal(3), Decimal(2))
    assert not Job.objects.exists() and not UsageEntry.objects.exists()


def test_an_accepted_submit_reserves_its_estimate(team, member):
    QuotaFactory(team=team, limit_cu=Decimal("3"), period=Period.MONTH)
    job = submit(member, team)
    [entry] = UsageEntry.objects.all()
    assert (entry.kind, entry.cu, entry.job_uuid, entry.user) == (
        EntryKind.RESERVE,
        3,
        job.uuid,
        member,
    )
    with pytest.raises(QuotaExceeded) as refused:
        submit(member, team)
    assert refused.value.scope == "team" and refused.value.left == 0


def test_an_unpriced_model_reserves_the_admin_price(team, member):
    ModelPrice.objects.create(model_id="image/bytedance/seededit", cu=Decimal(11))
    QuotaFactory(team=team, user=member, limit_cu=Decimal("10"), period=Period.MONTH)
    with pytest.raises(QuotaExceeded) as refused:
        submit(member, team, "image/bytedance/seededit", image_url="https://example.com/a.png")
    assert refused.value.needed == 11
    ModelPrice.objects.update(cu=Decimal(4))
    job = submit(member, team, "image/bytedance/seededit", image_url="https://example.com/a.png")
    assert job.estimate_cu == 4 and not job.price_published
