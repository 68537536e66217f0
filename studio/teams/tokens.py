"""A team's Krea token: set, removed, encrypted at rest, tested, and turned into a client.

Tokens are encrypted with ``cryptography``'s MultiFernet under the keys in
``settings.KREA_TOKEN_KEYS`` (newest first, never derived from ``SECRET_KEY``):
new tokens are encrypted with the first key, any listed key decrypts, and
``manage.py rotate_krea_tokens`` re-encrypts everything under the first key so
an old key can then be dropped from the list.

Decryption never degrades quietly: without a matching key it raises
:class:`TokenDecryptionError`, whose message names neither the ciphertext nor
the plaintext. ``team_krea_client`` is the only place a plaintext token leaves the
database.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from krea_integration.client import KreaClient
from krea_integration.errors import (
    Forbidden,
    KreaConnectionError,
    KreaError,
    KreaTimeout,
    Unauthorized,
)
from studio.audit.models import AuditEntry
from studio.audit.services import audit_record

from .models import Membership, Team
from .services import TeamRuleError, lock_team, require_manager

Action = AuditEntry.Action


class TokenDecryptionError(Exception):
    """A stored Krea token cannot be decrypted with any key in KREA_TOKEN_KEYS."""


class TeamHasNoToken(TeamRuleError):
    """The team has no Krea token yet, so nothing can be sent to Krea."""


def _keys() -> list[str]:
    keys = settings.KREA_TOKEN_KEYS
    if isinstance(keys, str):
        keys = [k for k in keys.split(",") if k]
    keys = [k.strip() for k in keys if k and k.strip()]
    if not keys:
        raise ImproperlyConfigured("KREA_TOKEN_KEYS is empty: at least one Fernet key is needed.")
    return keys


def fernet() -> MultiFernet:
    """The MultiFernet for the configured keys; ImproperlyConfigured names a bad key's position."""
    fernets = []
    for position, key in enumerate(_keys(), start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"KREA_TOKEN_KEYS entry {position} is not a Fernet key (32 url-safe base64 "
                "bytes; make one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)."
            ) from exc
    return MultiFernet(fernets)


@sensitive_variables("plaintext")
def encrypt_token(plaintext: str) -> str:
    """Encrypt a Krea token under the newest key; returns the Fernet token as text."""
    if not plaintext:
        raise ValueError("An empty Krea token cannot be stored.")
    return fernet().encrypt(plaintext.encode()).decode("ascii")


@sensitive_variables("ciphertext")
def decrypt_token(ciphertext: str) -> str:
    """Decrypt a stored token; raises TokenDecryptionError when no key matches."""
    if not ciphertext:
        raise TokenDecryptionError("There is no stored Krea token to decrypt.")
    try:
        return fernet().decrypt(ciphertext.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        # `from None`: the cryptography error carries nothing useful and must not be chained in.
        raise TokenDecryptionError(
            "A stored Krea token cannot be decrypted with any key in KREA_TOKEN_KEYS: "
            "the key it was encrypted with has been removed or changed."
        ) from None


def reencrypt_token(ciphertext: str) -> str:
    """The same token encrypted under the newest key (MultiFernet.rotate)."""
    try:
        return fernet().rotate(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError):
        raise TokenDecryptionError(
            "A stored Krea token cannot be decrypted with any key in KREA_TOKEN_KEYS."
        ) from None


def is_encrypted_with_newest_key(ciphertext: str) -> bool:
    """True when the newest key alone decrypts this ciphertext."""
    try:
        Fernet(_keys()[0]).decrypt(ciphertext.encode("ascii"))
    except (InvalidToken, UnicodeError, ValueError):
        return False
    return True


# Setting, using and testing the token ---------------------------------------------------


@sensitive_variables("token", "plaintext")
def team_token_set(*, by: Membership, token: str) -> Team:
    """Set or replace the team's Krea token (owners and admins); stored encrypted only."""
    # `with`, not the @transaction.atomic decorator: the decorator's wrapper frame would
    # hold the token in its arguments, outside @sensitive_variables' reach.
    require_manager(by)
    plaintext = (token or "").strip()
    if len(plaintext) < 8 or any(c.isspace() for c in plaintext):
        raise TeamRuleError("That does not look like a Krea API token.")
    with transaction.atomic():
        team = lock_team(by.team_id)
        replacing = team.has_krea_token
        team.krea_token_ciphertext = encrypt_token(plaintext)
        team.krea_token_last4 = plaintext[-4:]
        team.krea_token_updated_at = timezone.now()
        team.save(
            update_fields=["krea_token_ciphertext", "krea_token_last4", "krea_token_updated_at"]
        )
        audit_record(
            team=team,
            action=Action.TOKEN_REPLACED if replacing else Action.TOKEN_SET,
            actor=by.user,
            summary=f"{by.user} {'replaced' if replacing else 'set'} the Krea token "
            f"(ending in …{team.krea_token_last4}).",
            details={"token_last4": team.krea_token_last4},
        )
    by.team = team
    return team


@transaction.atomic
def team_token_remove(*, by: Membership) -> Team:
    """Remove the team's Krea token; generation stops until a new one is set."""
    require_manager(by)
    team = lock_team(by.team_id)
    if not team.has_krea_token:
        raise TeamRuleError("The team has no Krea token to remove.")
    last4 = team.krea_token_last4
    team.krea_token_ciphertext = ""
    team.krea_token_last4 = ""
    team.krea_token_updated_at = timezone.now()
    team.save(update_fields=["krea_token_ciphertext", "krea_token_last4", "krea_token_updated_at"])
    audit_record(
        team=team,
        action=Action.TOKEN_REMOVED,
        actor=by.user,
        summary=f"{by.user} removed the Krea token (ending in …{last4}).",
        details={"token_last4": last4},
    )
    by.team = team
    return team


@sensitive_variables("token")
def team_krea_client(*, team: Team, **client_kwargs) -> KreaClient:
    """A ``KreaClient`` authenticated as ``team``'s Krea account.

    The ONLY place a team's plaintext token leaves the database: other apps
    (generation, assets, styles) call this and never
    decrypt tokens themselves. Raises ``TeamHasNoToken`` when none is set and
    ``TokenDecryptionError`` when no configured key can decrypt it. Extra keyword
    arguments (``transport=`` for the simulator, ``timeout=``) go to KreaClient.
    """
    if not team.has_krea_token:
        raise TeamHasNoToken(f"{team.name} has no Krea token yet. An owner or admin can add one.")
    token = decrypt_token(team.krea_token_ciphertext)
    client_kwargs.setdefault("base_url", settings.KREA_API_BASE_URL)
    client_kwargs.setdefault("timeout", settings.KREA_TIMEOUT_SECONDS)
    # None in production (the network); the in-process simulator in tests and the demo.
    client_kwargs.setdefault("transport", settings.KREA_TRANSPORT)
    return KreaClient(token, **client_kwargs)


@dataclass(frozen=True)
class TokenTestResult:
    outcome: str  # "valid", "invalid", "unreachable", "error", "undecryptable"
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome == "valid"


def team_token_test(*, by: Membership, **client_kwargs) -> TokenTestResult:
    """Ask Krea whether the team's token works (``GET /jobs?limit=1``) and log the outcome.

    Returns a result in words a user understands; never raises for Krea's
    answers. Runs outside any transaction: no lock is held while Krea answers.
    """
    require_manager(by)
    team = Team.objects.get(pk=by.team_id)
    # Someone is waiting for the answer: one quick try, no retries with backoff.
    client_kwargs.setdefault("max_attempts", 1)
    client_kwargs.setdefault("timeout", min(settings.KREA_TIMEOUT_SECONDS, 10.0))
    try:
        client = team_krea_client(team=team, **client_kwargs)
    except TokenDecryptionError:
        result = TokenTestResult(
            "undecryptable",
            "The stored token cannot be decrypted with the server's current keys. "
            "Set the token again.",
        )
    else:
        try:
            client.list_jobs(limit=1)
        except (Unauthorized, Forbidden):
            result = TokenTestResult(
                "invalid",
                "Krea refused this token (it is wrong, revoked or expired). "
                "Create a new API token in Krea and replace this one.",
            )
        except (KreaTimeout, KreaConnectionError):
            result = TokenTestResult(
                "unreachable",
                "Krea could not be reached, so the token was not checked. "
                "Try again in a minute; if this goes on, Krea may be down.",
            )
        except KreaError as exc:
            status = f" (HTTP {exc.status_code})" if exc.status_code else ""
            result = TokenTestResult(
                "error",
                f"Krea answered with an error{status}, so the token was not checked. "
                "Try again later.",
            )
        else:
            result = TokenTestResult("valid", "The token works: Krea accepted it.")
        finally:
            close = getattr(client, "close", None)
            if callable(close):
                close()
    audit_record(
        team=team,
        action=Action.TOKEN_TESTED,
        actor=by.user,
        summary=f"{by.user} tested the Krea token (ending in …{team.krea_token_last4}): "
        f"{result.outcome}.",
        details={"token_test_outcome": result.outcome, "token_last4": team.krea_token_last4},
    )
    return result


def team_tokens_reencrypt() -> tuple[int, list[int]]:
    """Re-encrypt every team's token under the newest key in KREA_TOKEN_KEYS.

    Returns (number re-encrypted, ids of teams whose token no key can decrypt).
    Each team is updated in its own transaction, with its row locked.
    """
    done, failed = 0, []
    ids = Team.objects.exclude(krea_token_ciphertext="").values_list("pk", flat=True)
    for team_id in ids:
        with transaction.atomic():
            team = Team.objects.select_for_update().get(pk=team_id)
            if not team.krea_token_ciphertext:
                continue
            try:
                team.krea_token_ciphertext = reencrypt_token(team.krea_token_ciphertext)
            except TokenDecryptionError:
                failed.append(team.pk)
                continue
            team.save(update_fields=["krea_token_ciphertext"])
            done += 1
    return done, failed
