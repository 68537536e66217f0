"""A page's own stylesheet goes in the head (``{% block styles %}``), never in the body."""

import re
from pathlib import Path

from django.conf import settings

LINK = re.compile(r'<link rel="stylesheet"[^>]*>')
STYLES_BLOCK = re.compile(r"{% block styles %}.*?{% endblock %}", re.S)


def test_pages_built_on_base_link_their_stylesheets_in_the_head():
    misplaced = []
    for root in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(root).rglob("*.html"):
            text = path.read_text()
            if '{% extends "base.html" %}' not in text:
                continue
            if LINK.search(STYLES_BLOCK.sub("", text)):
                misplaced.append(str(path.relative_to(root)))
    assert misplaced == []
