"""Training a style: a job of kind training, queued, sent once, charged, and recorded."""

from decimal import Decimal

import pytest

from studio.audit.models import AuditEntry
from studio.generation.models import JobKind, JobStatus
from studio.styles.models import Style
from studio.styles.services import InvalidTraining
from studio.usage.models import EntryKind, UsageEntry
from tests.factories import KREA_TOKEN

from .conftest import IMAGES

pytestmark = pytest.mark.django_db


def train_posts(krea):
    return [r for r in krea.requests if r.method == "POST" and r.path == "/styles/train"]


def test_a_training_is_sent_once_with_the_portals_steps_and_records_the_style(
    krea, train, advance, member, team
):
    job = train(model="flux_dev", type="Style")
    assert job.kind == JobKind.TRAINING
    assert job.estimate_cu == Decimal("3.0") * 1000  # flux_dev's price per step x default steps
    [post] = train_posts(krea)
    assert post.body == {
        "model": "flux_dev",
        "name": "Ink wash",
        "urls": IMAGES,
        "trigger_word": "inkwash",
        "type": "Style",
        "max_train_steps": 1000,
    }

    advance(60)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    style = Style.objects.get(team=team)
    assert style.krea_style_id == job.result_style_id
    assert (style.name, style.trigger_word, style.kind, style.base_model) == (
        "Ink wash",
        "inkwash",
        "Style",
        "flux_dev",
    )
    assert style.training_urls == IMAGES
    assert style.trained_by == member
    assert style.training_job == job
    assert style.cost_cu == job.charged_cu == Decimal(3000)
    assert style.preview_urls, "the style's previews are read from Krea"
    assert UsageEntry.objects.filter(job_id=job.pk, kind=EntryKind.CHARGE).count() == 1
    assert AuditEntry.objects.filter(team=team, action="style.trained").count() == 1
    assert len(train_posts(krea)) == 1


def test_recording_the_style_twice_keeps_one(trained_style):
    from studio.styles.services import style_record_trained

    again = style_record_trained(job_id=trained_style.training_job_id)
    assert again.pk == trained_style.pk
    assert Style.objects.count() == 1


def test_a_failed_training_says_why_and_releases_its_reservation(krea, train, advance, team):
    krea.queue_fault("fail-at=processing", token=KREA_TOKEN, method="POST")
    job = train()
    advance(60)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error
    kinds = list(
        UsageEntry.objects.filter(job_id=job.pk).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == [EntryKind.RESERVE, EntryKind.RELEASE]
    assert not Style.objects.filter(team=team).exists()


def test_qwen_takes_its_own_steps_and_price(krea, train):
    job = train(model="qwen", type="Character", max_train_steps=100)
    assert job.estimate_cu == Decimal("8.3") * 100
    [post] = train_posts(krea)
    assert post.body["model"] == "qwen" and post.body["max_train_steps"] == 100


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"urls": IMAGES[:1]}, "urls"),
        ({"urls": []}, "urls"),
        ({"name": "  "}, "name"),
        ({"max_train_steps": 5000}, "max_train_steps"),
        ({"model": "qwen", "learning_rate": 0.001}, "learning_rate"),
        ({"model": "qwen", "type": "Default"}, "type"),
        ({"model": "sdxl"}, "model"),
    ],
)
def test_a_training_krea_would_refuse_names_the_field_and_sends_nothing(krea, train, body, field):
    with pytest.raises(InvalidTraining) as refused:
        train(**body)
    assert field in {e.field.split("[")[0] for e in refused.value.errors}
    assert not train_posts(krea)
