"""Create the demo account that `make run` prints, once; running it again changes nothing."""

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create (idempotently) the demo superuser from DEMO_EMAIL / DEMO_PASSWORD."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="", help="Where the portal is served, to print.")
        parser.add_argument(
            "--simulator-tokens-file",
            default="",
            help="Write the demo team's Krea token there, for the simulator to accept.",
        )

    def handle(self, *args, **options) -> None:
        self.seed()
        if options["simulator_tokens_file"]:
            self.write_simulator_tokens(Path(options["simulator_tokens_file"]))
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

    def write_simulator_tokens(self, path: Path) -> None:
        """The simulator accepts only tokens it knows, like Krea: tell it the demo's.

        A token changed in the portal afterwards is refused until registered
        (``POST /_simulator/accounts``), as Krea would refuse a mistyped one.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        # The file holds a (simulator) token: readable by this user only.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(settings.DEMO_KREA_TOKEN + "\n")

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
        """The demo team, owned by the demo user, with a token for the simulator.

        Created once: a team the demo user already owns (any name) is kept as it is,
        so a token or name changed in the portal survives the next `make run`.
        """
        from studio.teams.models import Membership, Role
        from studio.teams.services import team_create
        from studio.teams.tokens import team_token_set

        membership = (
            Membership.objects.filter(user=user, role=Role.OWNER)
            .select_related("team")
            .order_by("created_at", "pk")
            .first()
        )
        if membership is not None:
            self.stdout.write(f"The demo team {membership.team.name} already exists.")
            return
        team = team_create(user=user, name=settings.DEMO_TEAM_NAME)
        team_token_set(
            by=Membership.objects.get(team=team, user=user), token=settings.DEMO_KREA_TOKEN
        )
        self.stdout.write(f"Created the demo team {team.name} with a Krea token for the simulator.")
