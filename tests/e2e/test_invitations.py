"""An owner invites a new person by email; they sign up, join, switch to the team and see it.
An outsider gets 404 on the team's pages.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from studio.teams.models import Membership
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, give_krea_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    MembershipFactory(
        team=team, role="owner", user__email="olivia@example.com", user__name="Olivia Owner"
    )
    return team


def test_an_invited_person_signs_up_joins_and_switches_to_the_team(
    browser, live_server, page, log_in, acme
):
    # The owner invites Nina from the members page.
    log_in("olivia@example.com")
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    page.get_by_role("link", name="See the team's members").click()
    page.get_by_label("Email address").fill("nina@example.com")
    page.get_by_label("Role", exact=True).select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to nina@example.com")
    expect(page.get_by_role("button", name="Revoke invitation of nina@example.com")).to_be_visible()

    (email,) = mail.outbox
    link = re.search(r"https?://\S+/invitations/\S+/", email.body).group(0)
    assert link.startswith(live_server.url)

    # Nina, in her own browser, opens the link, signs up and joins.
    nina = browser.new_context(base_url=live_server.url).new_page()
    nina.goto(link)
    expect(nina.get_by_role("heading", name="Join Acme Studio")).to_be_visible()
    nina.get_by_role("link", name="Sign up to join").click()
    expect(nina.get_by_label("Email address")).to_have_value("nina@example.com")
    nina.get_by_label("Your name").fill("Nina New")
    nina.get_by_label("Password", exact=True).fill(PASSWORD)
    nina.get_by_label("Password again").fill(PASSWORD)
    nina.get_by_role("button", name="Create account").click()
    nina.get_by_role("button", name="Join Acme Studio").click()
    expect(nina.get_by_role("status")).to_contain_text("Welcome to Acme Studio")
    expect(nina.get_by_role("heading", name="Acme Studio", exact=True)).to_be_visible()
    assert Membership.objects.get(user__email="nina@example.com").team == acme

    # She starts a team of her own, then switches back to Acme with the header's switcher.
    nina.goto("/teams/new/")
    nina.get_by_label("Team name").fill("Nina's Lab")
    nina.get_by_role("button", name="Create the team").click()
    expect(nina.get_by_role("heading", name="Nina's Lab")).to_be_visible()
    nina.locator(".team-switcher summary").click()
    nina.get_by_role("button", name="Switch to Acme Studio").click()
    expect(nina.get_by_role("status")).to_contain_text("You are now working in Acme Studio")
    nina.goto("/team/members/")
    expect(nina.get_by_role("heading", name="Members of Acme Studio")).to_be_visible()
    expect(nina.get_by_role("cell", name=re.compile("olivia@example.com"))).to_be_visible()
    expect(nina.get_by_role("cell", name=re.compile("nina@example.com"))).to_be_visible()
    nina.context.close()

    # The owner sees Nina in the team; the invitation is no longer pending.
    page.goto("/team/members/")
    expect(page.get_by_role("cell", name="Nina New nina@example.com")).to_be_visible()
    expect(page.get_by_text("No pending invitations.")).to_be_visible()


def test_an_outsider_gets_404_on_the_teams_pages(page, log_in, acme):
    olivia = Membership.objects.get(team=acme)
    other = give_krea_token(TeamFactory(name="Globex Pictures"))
    MembershipFactory(team=other, role="owner", user__email="oscar@example.com")
    log_in("oscar@example.com")
    for path in (
        f"/team/members/{olivia.pk}/remove/",
        f"/team/members/{olivia.pk}/transfer-ownership/",
    ):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
    # His own team page shows his team, never Acme.
    page.goto("/team/")
    expect(page.get_by_role("heading", name="Globex Pictures")).to_be_visible()
    expect(page.get_by_text("Acme Studio")).to_have_count(0)
