"""'Use in a generation' on an asset's page opens Generate with a model that takes its kind and
the asset already in that model's field, for images, videos and sounds alike."""

import re

import pytest

from tests.factories import AssetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

KINDS = {"image": "image/png", "video": "video/mp4", "audio": "audio/wav"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_model_offered_opens_with_the_asset_in_its_field(
    client, member, team_with_token, kind
):
    asset = AssetFactory(team=team_with_token, kind=kind, mime_type=KINDS[kind])
    client.force_login(member)
    page = client.get(f"/assets/{asset.uuid}/").content.decode()
    form = page[page.index("Use in a generation") :]
    form = form[: form.index("</form>")]
    offered = re.findall(r'<option value="([^"]+)"', form)
    assert offered, f"no model offered for a {kind}"
    url = re.escape(asset.krea_url)
    filled = re.compile(rf'value="{url}"|>\s*{url}\s*</textarea>')
    for model_id in offered:
        html = client.get("/generate/", {"model": model_id, "asset": asset.uuid}).content.decode()
        form_html = html[html.index('id="generate-form"') :]
        assert filled.search(form_html), f"{model_id} did not get the {kind} in its field"
