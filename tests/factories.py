"""factory_boy factories for the people, teams and things the tests need."""

import io
from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from studio.api.models import KEY_PREFIX, ApiKey, api_key_digest
from studio.generation.models import TERMINAL, Job, JobStatus, Output
from studio.teams.models import Invitation, Membership, Role, Team
from studio.teams.selectors import invitation_digest
from studio.usage.models import EntryKind, Period, Quota, UsageEntry

PASSWORD = "correct-horse-battery-staple"
# The Krea token of every test team that has one; the simulator knows it.
KREA_TOKEN = "krea-test-token-0001"
# The tests' usual model: Krea publishes its price, 3 CU flat.
FLUX = "image/bfl/flux-1-dev"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation whose link secret is ``invitation.secret`` (not stored, only its digest)."""

    class Meta:
        model = Invitation

    team = factory.SubFactory(TeamFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.MEMBER
    secret = factory.Sequence(lambda n: f"invitation-secret-{n:08d}")
    secret_digest = factory.LazyAttribute(lambda o: invitation_digest(o.secret))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        secret = kwargs.pop("secret")
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.secret = secret
        return invitation


def give_krea_token(team: Team, token: str = KREA_TOKEN) -> Team:
    """Set ``team``'s Krea token (encrypted as the service stores it), without an audit entry."""
    from studio.teams.tokens import encrypt_token

    team.krea_token_ciphertext = encrypt_token(token)
    team.krea_token_last4 = token[-4:]
    team.krea_token_updated_at = timezone.now()
    team.save(update_fields=["krea_token_ciphertext", "krea_token_last4", "krea_token_updated_at"])
    return team


def _image_bytes(width: int = 64, height: int = 48, colour=(200, 90, 40), kind="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, kind)
    return buffer.getvalue()


class JobFactory(factory.django.DjangoModelFactory):
    """A job recorded directly (no Krea: the pipeline has its own tests), queued by default.

    ``JobFactory(outputs=2)`` also stores two image outputs; a finished status sets
    ``finished_at``.
    """

    class Meta:
        model = Job
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    created_by = factory.SubFactory(UserFactory)
    model_id = FLUX
    model_name = "Flux"
    group = "image"
    params = factory.Sequence(lambda n: {"prompt": f"a lighthouse at dusk {n}", "steps": 25})
    prompt = factory.LazyAttribute(
        lambda o: str(o.params.get("prompt", "")) if isinstance(o.params, dict) else ""
    )
    status = JobStatus.QUEUED
    estimate_cu = Decimal(3)
    finished_at = factory.LazyAttribute(lambda o: timezone.now() if o.status in TERMINAL else None)

    @factory.post_generation
    def outputs(job, create, count, **kwargs):
        for position in range(count or 0):
            OutputFactory(job=job, position=position, **kwargs)


class OutputFactory(factory.django.DjangoModelFactory):
    """A stored output of a job: a small PNG (its colour differs by position) with a JPEG
    thumbnail, or (``video=True``) an MP4 stand-in."""

    class Meta:
        model = Output

    class Params:
        video = False

    job = factory.SubFactory(JobFactory, status=JobStatus.COMPLETED)
    team = factory.SelfAttribute("job.team")
    position = 0
    mime_type = factory.LazyAttribute(lambda o: "video/mp4" if o.video else "image/png")
    width = 64
    height = 48
    source_url = factory.LazyAttribute(lambda o: f"https://cdn.krea.ai/{o.job.uuid}/{o.position}")
    created_at = factory.LazyAttribute(lambda o: o.job.created_at + timedelta(seconds=o.position))
    file = factory.LazyAttribute(
        lambda o: ContentFile(
            b"\x00\x00\x00\x18ftypmp42 not really a video"
            if o.video
            else _image_bytes(colour=(200, 90, 40 + o.position)),
            name=f"{o.job.uuid}-{o.position}" + (".mp4" if o.video else ".png"),
        )
    )
    size = factory.LazyAttribute(lambda o: getattr(o.file, "size", 0))
    thumbnail = factory.LazyAttribute(
        lambda o: ContentFile(
            _image_bytes(colour=(10, 10, 10), kind="JPEG"),
            name=f"{o.job.uuid}-{o.position}-thumb.jpg",
        )
    )


class QuotaFactory(factory.django.DjangoModelFactory):
    """A quota of a team (``user=None``: the team's own, shared by every member)."""

    class Meta:
        model = Quota

    team = factory.SubFactory(TeamFactory)
    user = None
    limit_cu = Decimal(10)
    period = Period.MONTH


class UsageEntryFactory(factory.django.DjangoModelFactory):
    """A ledger entry (a charge of 3 CU by default), written as the pipeline writes it.

    ``at`` sets when it happened and the period it counts in (now by default); ``job``
    names the job it belongs to, copied into the entry as the submit copies it.
    """

    class Meta:
        model = UsageEntry

    class Params:
        at = factory.LazyFunction(timezone.now)
        job = None

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    kind = EntryKind.CHARGE
    cu = Decimal(3)
    model_id = factory.LazyAttribute(lambda entry: entry.job.model_id if entry.job else FLUX)
    job_id = factory.LazyAttribute(lambda entry: entry.job and entry.job.pk)
    job_uuid = factory.LazyAttribute(lambda entry: entry.job and entry.job.uuid)
    model_name = factory.LazyAttribute(lambda entry: entry.job.model_name if entry.job else "")
    prompt = factory.LazyAttribute(lambda entry: entry.job.prompt[:200] if entry.job else "")
    price_published = factory.LazyAttribute(
        lambda entry: entry.job.price_published if entry.job else True
    )
    created_at = factory.SelfAttribute("at")
    period_at = factory.SelfAttribute("at")


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """An API key of a membership; its full secret is ``api_key.key`` (only the digest is
    stored)."""

    class Meta:
        model = ApiKey

    membership = factory.SubFactory(MembershipFactory)
    name = "test"
    key = factory.Sequence(lambda n: f"{KEY_PREFIX}test-key-{n:024d}")
    prefix = factory.LazyAttribute(lambda o: o.key[: len(KEY_PREFIX) + 4])
    digest = factory.LazyAttribute(lambda o: api_key_digest(o.key))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        key = kwargs.pop("key")
        api_key = super()._create(model_class, *args, **kwargs)
        api_key.key = key
        return api_key


class AssetFactory(factory.django.DjangoModelFactory):
    """An asset recorded in the portal (nothing at Krea: for reads and permissions)."""

    class Meta:
        model = "assets.Asset"

    team = factory.SubFactory(TeamFactory)
    krea_id = factory.Sequence(lambda n: f"krea-asset-{n:04d}")
    krea_url = factory.LazyAttribute(lambda o: f"https://files.krea.ai/{o.krea_id}.png")
    kind = "image"
    mime_type = "image/png"
    size = 1234
    width = 64
    height = 48
    file_name = factory.Sequence(lambda n: f"picture-{n}.png")


class StyleFactory(factory.django.DjangoModelFactory):
    """A style recorded for a team (no Krea behind it: for pages and scoping tests)."""

    class Meta:
        model = "styles.Style"

    team = factory.SubFactory(TeamFactory)
    krea_style_id = factory.Sequence(lambda n: f"krea-style-{n:04d}")
    name = factory.Sequence(lambda n: f"Ink wash {n}")
    trigger_word = "inkwash"
    base_model = "flux_dev"
    training_urls = ["https://cdn.krea.ai/a.png", "https://cdn.krea.ai/b.png"]
    steps = 1000
    cost_cu = 3000


class NodeAppFactory(factory.django.DjangoModelFactory):
    """A node app saved for a team (no Krea behind it: for pages and scoping tests)."""

    class Meta:
        model = "nodeapps.NodeApp"

    team = factory.SubFactory(TeamFactory)
    version_id = factory.Sequence(lambda n: f"3f2c9d1e-0000-4000-8000-{n:012d}")
    name = factory.Sequence(lambda n: f"Product shot {n}")
    description = "Places a product in a styled scene."
    author = "krea-simulator"
    version = "7"
    input_schema = {
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "minLength": 1},
            "variations": {"type": "integer", "minimum": 1, "maximum": 4, "default": 2},
        },
        "required": ["prompt"],
        "additionalProperties": False,
    }


class NodeAppRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "nodeapps.NodeAppRun"

    team = factory.SubFactory(TeamFactory)
    app = factory.SubFactory(NodeAppFactory, team=factory.SelfAttribute("..team"))
    app_name = factory.SelfAttribute("app.name")
    version_id = factory.SelfAttribute("app.version_id")
    inputs = {"prompt": "a bottle"}
