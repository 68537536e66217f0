"""Sign-up with an email address; Django's own password change and reset."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def form(**overrides):
    data = {
        "email": "New@Example.com",
        "name": "New Person",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **overrides}


def test_sign_up_logs_in_and_asks_to_create_a_team(client):
    response = client.post(reverse("signup"), form())
    assertRedirects(response, reverse("team_create"))
    user = User.objects.get()
    assert user.email == "new@example.com" and user.name == "New Person"
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_every_signup_field_has_a_visible_label(client):
    page = client.get(reverse("signup"))
    for field_id, label in [
        ("id_email", "Email address"),
        ("id_name", "Your name"),
        ("id_password1", "Password"),
        ("id_password2", "Password again"),
    ]:
        assertContains(page, f'<label for="{field_id}">{label}</label>', html=True)


def test_sign_up_errors_keep_the_input_but_not_the_password(client):
    response = client.post(reverse("signup"), form(password2="different-password-1"))
    assert response.status_code == 200
    assertContains(response, "The two passwords are not the same")
    assertContains(response, 'value="New@Example.com"')
    assertContains(response, 'value="New Person"')
    assertNotContains(response, PASSWORD)
    assert not User.objects.exists()


def test_weak_passwords_are_refused(client):
    response = client.post(reverse("signup"), form(password1="12345678", password2="12345678"))
    assertContains(response, "too common")
    assert not User.objects.exists()


def test_an_existing_email_in_any_case_is_refused(client):
    UserFactory(email="new@example.com")
    response = client.post(reverse("signup"), form(email="NEW@example.com"))
    assertContains(response, "exists already")
    assert User.objects.count() == 1


def test_sign_up_follows_a_local_next_only(client):
    response = client.post(reverse("signup"), form(next="https://evil.example/"))
    assertRedirects(response, reverse("team_create"))


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-7",
            "new_password2": "another-long-passphrase-7",
        },
    )
    assertRedirects(response, reverse("password_change_done"))
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase-7")


def test_password_change_needs_login(client):
    assert client.get(reverse("password_change")).status_code == 302


def test_password_reset_by_email(client, mailoutbox):
    user = UserFactory(email="forgetful@example.com")
    response = client.post(reverse("password_reset"), {"email": "forgetful@example.com"})
    assertRedirects(response, reverse("password_reset_done"))
    (mail,) = mailoutbox
    assert mail.subject == "Reset your Krea Studio password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.body).group(1)
    form_page = client.get(link, follow=True)
    assertContains(form_page, "Choose a new password")
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-passphrase-9", "new_password2": "brand-new-passphrase-9"},
    )
    assertRedirects(response, reverse("password_reset_complete"))
    user.refresh_from_db()
    assert user.check_password("brand-new-passphrase-9")


def test_password_reset_does_not_reveal_whether_an_account_exists(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assertRedirects(response, reverse("password_reset_done"))
    assert mailoutbox == []
