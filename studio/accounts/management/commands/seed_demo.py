"""Create the demo account that `make run` prints, once; running it again changes nothing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create (idempotently) the demo superuser from DEMO_EMAIL / DEMO_PASSWORD."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="", help="Where the portal is served, to print.")

    def handle(self, *args, **options) -> None:
        self.seed()
        if options["url"]:
            self.stdout.write(
                "\n"
                f"  Krea Studio is starting at  {options['url']}\n"
                f"  Log in as                   {settings.DEMO_EMAIL.lower()}\n"
                f"  with the password           {settings.DEMO_PASSWORD}\n"
                f"  Krea API                    {settings.KREA_API_BASE_URL}\n"
                "  (DEMO_EMAIL / DEMO_PASSWORD choose others before the first run;"
                " Ctrl-C stops everything)\n"
            )

    @transaction.atomic
    def seed(self) -> None:
        User = get_user_model()
        email = settings.DEMO_EMAIL.lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_superuser(
                email=email, password=settings.DEMO_PASSWORD, name="Demo Owner"
            )
            self.stdout.write(f"Created the demo superuser {email}.")
        else:
            self.stdout.write(f"The demo superuser {email} already exists.")
        self.seed_team(user)

    def seed_team(self, user) -> None:
        """The demo team, with a token for the simulator (added by the teams app)."""
