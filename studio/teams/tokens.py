"""Encryption of teams' Krea tokens at rest.

Tokens are encrypted with ``cryptography``'s MultiFernet under the keys in
``settings.KREA_TOKEN_KEYS`` (newest first, never derived from ``SECRET_KEY``):
new tokens are encrypted with the first key, any listed key decrypts, and
``manage.py rotate_krea_tokens`` re-encrypts everything under the first key so
an old key can then be dropped from the list.

Decryption never degrades quietly: without a matching key it raises
:class:`TokenDecryptionError`, whose message names neither the ciphertext nor
the plaintext.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables


class TokenDecryptionError(Exception):
    """A stored Krea token cannot be decrypted with any key in KREA_TOKEN_KEYS."""


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
