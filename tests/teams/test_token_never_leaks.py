"""The plaintext Krea token never shows: pages, API responses, logs, admin, error pages, exceptions."""

import logging
import sys

import httpx
import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter

from studio.teams import tokens
from studio.teams.models import Membership
from studio.teams.tokens import TokenDecryptionError
from tests.factories import InvitationFactory
from tests.teams.test_isolation import _fill, _keywords, team_routes

pytestmark = pytest.mark.django_db

TOKEN = "krea-sk-PLAINTEXT-never-shown-7Q2z"


def assert_no_token(text: str, where: str = "") -> None:
    assert TOKEN not in text, f"the token leaked in {where}"
    assert TOKEN[:-4] not in text, f"the token's hidden part leaked in {where}"


@pytest.fixture
def tokened(owner, team, krea_stub):
    tokens.team_token_set(by=Membership.objects.get(user=owner, team=team), token=TOKEN)
    team.refresh_from_db()
    return team


@pytest.mark.slow
def test_no_page_or_api_response_shows_the_token(client, owner, member, tokened):
    """Every page and API endpoint of the project, as the team's owner, htmx or not."""
    own = {
        "membership_id": Membership.objects.get(user=member).pk,
        "invitation_id": InvitationFactory(team=tokened).pk,
        "team_id": tokened.pk,
    }
    client.force_login(owner)
    checked = 0
    for route, name in team_routes():
        keywords = _keywords(route)
        if not set(keywords) <= set(own):
            continue
        path = _fill(route, own)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, headers=headers)
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            assert_no_token(body, f"GET {path} ({name})")
            checked += 1
    assert checked > 20
    for path in (reverse("team_token"), reverse("team_home"), reverse("audit_log")):
        assert "…7Q2z" in client.get(path).content.decode() or path == reverse("audit_log")


def test_the_audit_log_and_its_page_never_hold_the_token(client, owner, tokened):
    from studio.audit.models import AuditEntry

    for entry in AuditEntry.objects.all():
        assert_no_token(f"{entry.summary} {entry.details}", "an audit entry")
    client.force_login(owner)
    assert_no_token(client.get(reverse("audit_log")).content.decode(), "the audit page")


def test_no_admin_page_shows_the_token(admin_client, tokened):
    paths = [
        reverse("admin:index"),
        reverse("admin:teams_team_changelist"),
        reverse("admin:teams_team_change", args=[tokened.pk]),
        reverse("admin:audit_auditentry_changelist"),
        reverse("admin:teams_invitation_changelist"),
    ]
    for path in paths:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert_no_token(response.content.decode(), path)
        assert tokened.krea_token_ciphertext not in response.content.decode()


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"items": [], "next_cursor": None}),
        httpx.Response(401, json={"error": f"Invalid token {TOKEN}"}),  # Krea echoing it
        httpx.Response(503, text=f"upstream said Bearer {TOKEN}"),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("read timed out"),
    ],
    ids=["valid", "invalid-echoed", "5xx-echoed", "down", "timeout"],
)
def test_no_log_line_holds_the_token(client, owner, team, krea_stub, caplog, answer):
    for logger in ("", "httpx", "httpcore", "krea_integration", "studio", "django"):
        caplog.set_level(logging.DEBUG, logger=logger)
    client.force_login(owner)
    client.post(reverse("team_token"), {"token": TOKEN})
    if isinstance(answer, Exception):
        krea_stub.error = answer
    else:
        krea_stub.status = answer.status_code
        krea_stub.answer = answer
    body = client.post(reverse("team_token_test")).content.decode()
    assert_no_token(body, "the test result")
    client.post(reverse("team_token_remove"))
    assert caplog.records, "expected some logging to inspect"
    for record in caplog.records:
        assert_no_token(record.getMessage(), f"log line of {record.name}")
    assert_no_token(caplog.text, "the formatted logs")


def _raise_inside_krea(request):
    raise RuntimeError("something broke inside the HTTP stack")


def test_the_debug_error_page_of_a_crash_inside_a_krea_call_hides_the_token(
    client, owner, tokened, settings
):
    """DEBUG on: Django's technical 500 page, with every frame's variables."""
    settings.DEBUG = True
    settings.KREA_TRANSPORT = httpx.MockTransport(_raise_inside_krea)
    client.raise_request_exception = False
    client.force_login(owner)
    response = client.post(reverse("team_token_test"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "something broke inside the HTTP stack" in body  # it is the technical page
    assert_no_token(body, "the technical 500 page")


def test_the_debug_error_page_of_a_crash_while_saving_the_token_hides_it(
    client, owner, team, settings, monkeypatch
):
    def broken_encrypt(plaintext):
        raise RuntimeError("the key store is on fire")

    monkeypatch.setattr(tokens, "encrypt_token", broken_encrypt)
    settings.DEBUG = True
    client.raise_request_exception = False
    client.force_login(owner)
    response = client.post(reverse("team_token"), {"token": TOKEN})
    assert response.status_code == 500
    body = response.content.decode()
    assert "the key store is on fire" in body
    assert_no_token(body, "the technical 500 page (POST data and locals)")


def test_the_error_report_mailed_to_admins_hides_the_token(owner, tokened, settings):
    """DEBUG off: the page is the plain 500.html; the report (mail_admins, logs) is filtered."""
    settings.KREA_TRANSPORT = httpx.MockTransport(_raise_inside_krea)
    request = RequestFactory().post("/team/token/test/", {"token": TOKEN})
    request.sensitive_post_parameters = "__ALL__"
    request.user = owner
    try:
        tokens.team_token_test(by=Membership.objects.get(user=owner, team=tokened))
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    else:
        pytest.fail("the crash did not propagate")
    assert_no_token(reporter.get_traceback_text(), "the text error report")
    assert_no_token(reporter.get_traceback_html(), "the HTML error report")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401, json={"error": f"Invalid token {TOKEN}"}),
        httpx.Response(500, json={"error": f"crash for {TOKEN}"}),
        httpx.ConnectError("connection refused"),
    ],
    ids=["401", "500", "down"],
)
def test_exceptions_raised_inside_a_krea_call_do_not_carry_the_token(tokened, settings, answer):
    def transport(request):
        if isinstance(answer, Exception):
            raise answer
        return answer

    settings.KREA_TRANSPORT = httpx.MockTransport(transport)
    with (
        tokens.team_krea_client(team=tokened, max_attempts=1) as client,
        pytest.raises(Exception) as caught,
    ):
        client.list_jobs(limit=1)
    error = caught.value
    while error is not None:
        assert_no_token(f"{error!s} {error!r} {error.args!r}", type(error).__name__)
        error = error.__cause__ or error.__context__


def test_team_and_client_reprs_do_not_show_the_token(tokened):
    assert_no_token(repr(tokened) + str(tokened), "the team's repr")
    with tokens.team_krea_client(team=tokened) as client:
        assert_no_token(repr(client) + str(client), "the client's repr")


def test_a_token_that_cannot_be_decrypted_fails_loudly(tokened, settings):
    from cryptography.fernet import Fernet

    settings.KREA_TOKEN_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(TokenDecryptionError) as caught:
        tokens.team_krea_client(team=tokened)
    assert_no_token(str(caught.value), "the decryption error")
    assert tokened.krea_token_ciphertext not in str(caught.value)
