"""Re-encrypt every team's Krea token under the newest key in KREA_TOKEN_KEYS.

Key rotation: put a new key first in KREA_TOKEN_KEYS (keep the old one after it),
deploy, run this command, then remove the old key.
"""

from django.core.management.base import BaseCommand, CommandError

from studio.teams.tokens import team_tokens_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every team's Krea token under the newest key in KREA_TOKEN_KEYS."

    def handle(self, *args, **options) -> None:
        done, failed = team_tokens_reencrypt()
        self.stdout.write(f"Re-encrypted {done} tokens under the newest key.")
        if failed:
            raise CommandError(
                f"{len(failed)} team(s) have a token that no key in KREA_TOKEN_KEYS decrypts "
                f"(team ids {', '.join(map(str, failed))}). Their owners must set the token "
                "again, or restore the key that encrypted it."
            )
