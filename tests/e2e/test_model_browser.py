"""The model chooser on the generate page: filter the models, pin a favourite, pick one."""

import pytest
from playwright.sync_api import expect

from tests.factories import MembershipFactory, TeamFactory, give_krea_token

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_filters_pins_and_picks_a_model_in_the_chooser(page, log_in, db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    member = MembershipFactory(team=team, role="member", user__email="mia@example.com").user
    log_in(member.email)

    page.goto("/generate/?model=image/bfl/flux-1-dev")
    page.get_by_role("link", name="Browse all models").click()
    chooser = page.locator("#model-chooser")
    expect(chooser).to_be_visible()
    expect(chooser.locator(".model-card")).to_have_count(56)

    chooser.get_by_label("Kind").select_option("enhance")
    expect(chooser.locator(".model-card")).to_have_count(3)
    chooser.get_by_role("button", name="Pin Topaz Generative to your favourites").click()
    expect(chooser.locator(".model-card").first).to_contain_text("Topaz Generative")
    expect(chooser.locator(".model-card")).to_have_count(3)  # the filter still holds

    chooser.get_by_role("link", name="Topaz Bloom").click()
    expect(page).to_have_url("/generate/?model=enhance%2Ftopaz%2Fbloom-enhance")
    expect(page.locator("fieldset.field--size legend")).to_have_text("Output size")

    page.goto("/models/")
    expect(page.locator(".model-card").first).to_contain_text("Topaz Generative")
