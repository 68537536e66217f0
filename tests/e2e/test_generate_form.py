"""The generate form in the browser: one size control whose presets fill in the size at
once, an enhancer's 2x preset worked out from its input image, and a collapsed Advanced
section that opens on click and by itself when one of its fields has an error."""

import pytest
from playwright.sync_api import expect

from tests.factories import MembershipFactory, TeamFactory, give_krea_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def member(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    return MembershipFactory(team=team, role="member", user__email="mia@example.com").user


def test_aspect_presets_and_the_advanced_section(page, log_in, member):
    log_in(member.email)

    page.goto("/generate/?model=image/z-image/z-image")
    size = page.locator("fieldset.field--size")
    expect(size).to_contain_text("Z Image needs a shape and has no default")
    sixteen_nine = size.get_by_label("16:9")
    expect(sixteen_nine).not_to_be_checked()
    advanced = page.locator("details.form-advanced")
    seed = page.get_by_label("Seed")
    expect(seed).to_be_hidden()  # rarely changed: collapsed
    advanced.locator("> summary").click()
    expect(seed).to_be_visible()

    size.locator("label.preset", has_text="16:9").click()
    expect(sixteen_nine).to_be_checked()

    # Wan 2.1 takes width, height and an aspect ratio: its presets set all three.
    page.goto("/generate/?model=video/alibaba/wan-2.1")
    size = page.locator("fieldset.field--size")
    size.locator("label.preset", has_text="9:16").click()
    expect(size.get_by_label("9:16")).to_be_checked()
    expect(page.get_by_label("Width")).to_have_value("768")
    expect(page.get_by_label("Height")).to_have_value("1376")

    # A submit with an error in a rarely changed field opens the section to show it.
    page.goto("/generate/?model=image/bfl/flux-1-dev")
    page.get_by_label("Prompt").fill("a lighthouse")
    page.locator("details.form-advanced > summary").click()
    page.get_by_label("Steps").fill("500")
    page.locator("details.form-advanced > summary").click()
    page.locator("#generate-submit").click()
    expect(page.locator("details.form-advanced")).to_have_attribute("open", "")
    expect(page.locator("#id_steps_error")).to_contain_text("Steps must be at most 100")


def test_an_enhancers_2x_preset_doubles_the_input_images_size(page, log_in, member):
    log_in(member.email)
    page.goto(
        "/generate/?model=enhance/topaz/standard-enhance"
        "&input=https://cdn.krea.ai/in.png&kind=image&width=640&height=480"
    )
    size = page.locator("fieldset.field--size")
    expect(size).to_contain_text("Input image: 640 \u00d7 480 px.")
    size.get_by_role("button", name="2\u00d7").click()
    expect(page.get_by_label("Width")).to_have_value("1280")
    expect(page.get_by_label("Height")).to_have_value("960")
    size.get_by_role("button", name="4\u00d7").click()
    expect(page.get_by_label("Width")).to_have_value("2560")
    expect(page.locator(".errorlist")).to_have_count(0)  # instant: nothing was submitted
