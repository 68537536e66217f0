"""Dependencies between apps are imports, so that the import-linter contracts see them all."""

import re
from pathlib import Path

from django.conf import settings

LOOKUP_BY_NAME = re.compile(r"\b(apps\.get_model|import_module|__import__)\(")


def test_no_module_of_the_portal_reaches_another_app_by_name():
    studio = Path(settings.BASE_DIR) / "studio"
    found = [
        f"{path.relative_to(studio)}:{number}"
        for path in studio.rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if LOOKUP_BY_NAME.search(line)
    ]
    assert found == []


def test_the_usage_ledger_relates_to_no_model_of_generation():
    # A foreign key names its model by string, which import-linter cannot see: the
    # ledger keeps its job as plain values (usage sits below generation).
    from django.apps import apps

    targets = {
        (model.__name__, field.name, field.related_model._meta.app_label)
        for model in apps.get_app_config("usage").get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.related_model is not None
    }
    assert {target for target in targets if target[2] not in {"teams", "accounts"}} == set()
