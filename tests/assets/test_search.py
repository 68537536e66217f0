"""Searching the asset library: words inside the description or the file name, any case,
the same on SQLite and on PostgreSQL, where trigram indexes serve it."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from studio.assets.models import Asset
from studio.assets.selectors import asset_search_q
from tests.factories import AssetFactory


def test_search_ignores_case_and_finds_words_inside_the_description_or_file_name(
    client, member, team
):
    described = AssetFactory(team=team, description="A LightHouse at dusk", file_name="a.png")
    named = AssetFactory(team=team, description="", file_name="old-LIGHTHOUSE-2.png")
    AssetFactory(team=team, description="a harbour at dawn", file_name="harbour.png")
    client.force_login(member)

    page = client.get(reverse("asset_library"), {"q": "ghthou"}).content.decode()

    found = set(re.findall(r'href="/assets/([0-9a-f-]{36})/"', page))
    assert found == {str(described.uuid), str(named.uuid)}


@pytest.mark.postgres
def test_search_on_postgresql_reads_the_trigram_indexes(team):
    AssetFactory(team=team, description="a lighthouse at dusk")
    # The filter's own condition, unordered and without the team's (which a small table
    # is read by), as in the prompt search's test.
    queryset = Asset.objects.filter(asset_search_q("lighthouse")).order_by().values("id")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "asset_description_upper_trgm" in plan and "asset_file_name_upper_trgm" in plan, plan
