"""Every environment variable the settings read is documented where a newcomer looks."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = (ROOT / "studio" / "settings.py").read_text()
READ = re.compile(
    r'(?:env\.\w+\(|_secret\(|_required\()\s*"([A-Z][A-Z0-9_]+)"|"([A-Z][A-Z0-9_]+)" in env'
)
VARIABLES = sorted({a or b for a, b in READ.findall(SETTINGS)})


def test_settings_read_some_variables():
    assert "DATABASE_URL" in VARIABLES and "KREA_TOKEN_KEYS" in VARIABLES


@pytest.mark.parametrize("document", ["README.md", ".env.example"])
def test_every_variable_is_documented(document):
    text = (ROOT / document).read_text()
    missing = [name for name in VARIABLES if name not in text]
    assert not missing, f"{document} does not mention {missing}"


def test_the_architecture_page_is_linked_and_names_code_that_exists():
    """docs/architecture.md is reached from the README, and its examples are real names."""
    import importlib

    assert "(docs/architecture.md)" in (ROOT / "README.md").read_text()
    page = (ROOT / "docs" / "architecture.md").read_text()
    names = set(re.findall(r"`((?:generation|usage|teams|accounts|audit|api)\.\w+\.\w+)", page))
    assert len(names) >= 8
    missing = []
    for name in sorted(names):
        module, attribute = name.rsplit(".", 1)
        if not hasattr(importlib.import_module(f"studio.{module}"), attribute):
            missing.append(name)
    assert not missing, f"docs/architecture.md names code that does not exist: {missing}"
