"""An operator can price a node app a team saved, from usage's price form."""

import pytest
from django.urls import reverse

from studio.usage.models import ModelPrice
from tests.factories import NodeAppFactory

pytestmark = pytest.mark.django_db


def test_a_saved_node_app_can_be_given_a_price_per_run(admin_client, team):
    app = NodeAppFactory(team=team, name="Product shot")
    model_id = f"node-apps/{app.version_id}"
    url = reverse("admin:usage_modelprice_add")
    page = admin_client.get(url).content.decode()
    assert f"{model_id} (node app Product shot, per run)" in page
    response = admin_client.post(url, {"model_id": model_id, "cu": "40", "note": "per run"})
    assert response.status_code == 302
    assert ModelPrice.objects.get().model_id == model_id
