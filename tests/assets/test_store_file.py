"""An imported asset's file is copied from Krea the way outputs are: allowed hosts only."""

import pytest

from studio.assets import services
from studio.assets.models import Asset

pytestmark = pytest.mark.django_db


def imported(team, url):
    return Asset.objects.create(
        team=team, krea_id="a1", krea_url=url, kind="image", mime_type="image/png", imported=True
    )


def test_an_asset_url_off_the_allowed_hosts_is_not_fetched(krea, team, settings):
    asset = imported(team, "http://169.254.169.254/latest/meta-data")
    assert services.asset_store_file(asset_id=asset.pk) is False
    asset.refresh_from_db()
    assert not asset.file and not asset.thumbnail


def test_a_file_krea_no_longer_serves_leaves_the_asset_without_a_file(krea, team):
    asset = imported(team, "http://krea.test/files/gone.png")
    assert services.asset_store_file(asset_id=asset.pk) is False
    asset.refresh_from_db()
    assert not asset.file
