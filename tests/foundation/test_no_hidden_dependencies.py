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
