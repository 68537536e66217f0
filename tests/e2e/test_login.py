import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_user_logs_in_and_sees_their_dashboard(page, log_in_by_form):
    get_user_model().objects.create_user(
        email="grace@example.com", password="correct-horse-battery", name="Grace"
    )
    log_in_by_form("grace@example.com", "correct-horse-battery")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Welcome, Grace")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")
    ).to_be_visible()


def test_a_wrong_password_shows_an_error_on_the_login_page(page, log_in_by_form):
    get_user_model().objects.create_user(
        email="grace@example.com", password="correct-horse-battery"
    )
    log_in_by_form("grace@example.com", "wrong")
    expect(page.get_by_role("alert")).to_contain_text("correct email address and password")
