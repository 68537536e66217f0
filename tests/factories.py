"""factory_boy factories for the people, teams and things the tests need."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from studio.teams.models import Invitation, Membership, Role, Team
from studio.teams.selectors import invitation_digest

PASSWORD = "correct-horse-battery-staple"


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


def make_team_with_token(token: str = "krea-test-token-0001", **kwargs) -> Team:
    """A team whose Krea token is set (encrypted the way the service does it)."""
    from studio.teams.tokens import encrypt_token

    return TeamFactory(
        krea_token_ciphertext=encrypt_token(token),
        krea_token_last4=token[-4:],
        krea_token_updated_at=timezone.now(),
        **kwargs,
    )


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
