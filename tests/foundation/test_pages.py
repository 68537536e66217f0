import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return get_user_model().objects.create_user(
        email="Ada@Example.com", password="a-long-passphrase"
    )


def test_login_by_email_then_dashboard(client, person):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'<label for="id_username">Email address</label>' in page.content

    response = client.post(
        "/accounts/login/", {"username": "ada@example.com", "password": "a-long-passphrase"}
    )
    assert response.status_code == 302
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 200
    assert b"Welcome, ada" in dashboard.content


def test_wrong_password_is_a_form_error(client, person):
    response = client.post("/accounts/login/", {"username": "ada@example.com", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct email address and password" in response.content


def test_dashboard_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_base_page_serves_htmx_locally_and_sends_csrf_on_htmx_requests(client, person):
    client.force_login(person)
    html = client.get("/").content.decode()
    assert "/static/vendor/htmx/htmx-2.0.11.min.js" in html
    assert "http://" not in html.split("<body")[0].replace("http://www.w3.org", "")
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_404_page_has_the_portal_look(client, person, settings):
    settings.DEBUG = False
    client.force_login(person)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"We couldn't find that page" in response.content
    assert b"studio.css" in response.content


def test_500_page_has_the_portal_look(client, settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert "studio.css" in html
