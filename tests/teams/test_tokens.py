"""Encryption of Krea tokens at rest: MultiFernet, newest key first, loud failures."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from studio.teams.models import Team
from studio.teams.tokens import (
    TokenDecryptionError,
    decrypt_token,
    encrypt_token,
    is_encrypted_with_newest_key,
)
from tests.factories import TeamFactory

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
TOKEN = "krea-sk-live-abcdefghijklmnop"


def test_a_token_round_trips_and_the_ciphertext_does_not_contain_it(settings):
    settings.KREA_TOKEN_KEYS = [NEW_KEY]
    ciphertext = encrypt_token(TOKEN)
    assert TOKEN not in ciphertext
    assert decrypt_token(ciphertext) == TOKEN


def test_the_key_is_not_derived_from_the_secret_key(settings):
    ciphertext = encrypt_token(TOKEN)
    settings.SECRET_KEY = "something-else-entirely"
    assert decrypt_token(ciphertext) == TOKEN


def test_an_older_key_still_decrypts_after_a_new_key_is_put_first(settings):
    settings.KREA_TOKEN_KEYS = [OLD_KEY]
    ciphertext = encrypt_token(TOKEN)
    settings.KREA_TOKEN_KEYS = [NEW_KEY, OLD_KEY]
    assert decrypt_token(ciphertext) == TOKEN
    assert not is_encrypted_with_newest_key(ciphertext)


def test_decryption_without_a_matching_key_fails_loudly_and_says_nothing_secret(settings):
    settings.KREA_TOKEN_KEYS = [OLD_KEY]
    ciphertext = encrypt_token(TOKEN)
    settings.KREA_TOKEN_KEYS = [NEW_KEY]
    with pytest.raises(TokenDecryptionError) as caught:
        decrypt_token(ciphertext)
    message = str(caught.value)
    assert TOKEN not in message and ciphertext not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("ciphertext", ["", "not-a-fernet-token", "gAAAAA" + "x" * 80])
def test_garbage_never_decrypts_to_an_empty_string_or_itself(ciphertext):
    with pytest.raises(TokenDecryptionError):
        decrypt_token(ciphertext)


def test_a_malformed_key_is_refused_with_its_position(settings):
    settings.KREA_TOKEN_KEYS = [NEW_KEY, "not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="entry 2"):
        encrypt_token(TOKEN)


def test_the_system_check_reports_a_malformed_key(settings):
    from studio.teams.checks import check_krea_token_keys

    settings.KREA_TOKEN_KEYS = ["nope"]
    assert [e.id for e in check_krea_token_keys(None)] == ["teams.E001"]
    settings.KREA_TOKEN_KEYS = [NEW_KEY]
    assert check_krea_token_keys(None) == []


@pytest.mark.django_db
def test_rotate_command_reencrypts_every_token_under_the_newest_key(settings, capsys):
    settings.KREA_TOKEN_KEYS = [OLD_KEY]
    teams = [
        TeamFactory(krea_token_ciphertext=encrypt_token(f"{TOKEN}-{i}"), krea_token_last4=str(i))
        for i in range(3)
    ]
    tokenless = TeamFactory()
    settings.KREA_TOKEN_KEYS = [NEW_KEY, OLD_KEY]

    call_command("rotate_krea_tokens")

    out = capsys.readouterr().out
    assert "Re-encrypted 3 tokens" in out
    assert TOKEN not in out
    settings.KREA_TOKEN_KEYS = [NEW_KEY]  # the old key can now be dropped
    for i, team in enumerate(teams):
        team.refresh_from_db()
        assert decrypt_token(team.krea_token_ciphertext) == f"{TOKEN}-{i}"
    assert Team.objects.get(pk=tokenless.pk).krea_token_ciphertext == ""


@pytest.mark.django_db
def test_rotate_command_fails_loudly_when_a_token_has_no_matching_key(settings):
    settings.KREA_TOKEN_KEYS = [OLD_KEY]
    lost = TeamFactory(krea_token_ciphertext=encrypt_token(TOKEN), krea_token_last4="mnop")
    settings.KREA_TOKEN_KEYS = [NEW_KEY]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as caught:
        call_command("rotate_krea_tokens")
    assert str(lost.pk) in str(caught.value)
    assert TOKEN not in str(caught.value)
