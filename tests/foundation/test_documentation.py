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
