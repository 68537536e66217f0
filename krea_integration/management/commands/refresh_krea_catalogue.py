"""``manage.py refresh_krea_catalogue <spec file or URL> [--dry-run]``.

Rebuilds catalogue.json from a Krea OpenAPI description (a file, or the live
spec Krea serves at https://api.krea.ai/openapi.json) and says what changed,
so that a new Krea model reaches the portal without a release.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser

from krea_integration.catalogue import (
    CATALOGUE_PATH,
    Catalogue,
    CatalogueError,
    dumps,
    from_openapi,
    load,
    uncurated_fields,
    unmapped_style_models,
)
from krea_integration.client import USER_AGENT
from krea_integration.tls import tls_context

LIVE_SPEC_URL = "https://api.krea.ai/openapi.json"
FETCH_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass
class Changes:
    """How one catalogue differs from another, model by model."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # model id -> what changed in it ("price", "request_schema.duration", ...)
    changed: dict[str, list[str]] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)  # operations, training

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.other)


def compare(old: dict[str, Any], new: dict[str, Any]) -> Changes:
    """What changed between two catalogues in catalogue.json's format."""
    old_models, new_models = old.get("models") or {}, new.get("models") or {}
    changes = Changes(
        added=sorted(set(new_models) - set(old_models)),
        removed=sorted(set(old_models) - set(new_models)),
    )
    for model_id in sorted(set(old_models) & set(new_models)):
        before, after = old_models[model_id], new_models[model_id]
        what: list[str] = []
        for key in sorted(set(before) | set(after)):
            if before.get(key) == after.get(key):
                continue
            if key == "request_schema":
                what.extend(_schema_changes(before.get(key) or {}, after.get(key) or {}))
            else:
                what.append(key)
        if what:
            changes.changed[model_id] = what
    old_ops = {(o["method"], o["path"]): o for o in old.get("operations") or []}
    new_ops = {(o["method"], o["path"]): o for o in new.get("operations") or []}
    for key in sorted(set(new_ops) - set(old_ops)):
        changes.other.append(f"operation added: {' '.join(key)}")
    for key in sorted(set(old_ops) - set(new_ops)):
        changes.other.append(f"operation removed: {' '.join(key)}")
    for key in sorted(set(old_ops) & set(new_ops)):
        if old_ops[key] != new_ops[key]:
            changes.other.append(f"operation changed: {' '.join(key)}")
    old_training, new_training = old.get("training") or {}, new.get("training") or {}
    for key in sorted(set(old_training) | set(new_training)):
        if old_training.get(key) != new_training.get(key):
            changes.other.append(f"training changed: {key}")
    return changes


def _schema_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Which request fields changed ("request_schema.duration"), not just "request_schema"."""
    props_before = before.get("properties") or {}
    props_after = after.get("properties") or {}
    names = list(props_before) + [p for p in props_after if p not in props_before]
    what = [
        f"request_schema.{name}"
        for name in names
        if props_before.get(name) != props_after.get(name)
    ]
    for key in sorted((set(before) | set(after)) - {"properties"}):
        if before.get(key) != after.get(key):
            what.append(f"request_schema.{key}" if key != "required" else "required fields")
    return what


def read_spec(source: str) -> dict[str, Any]:
    """The JSON of a spec file or URL.

    Raises:
        CommandError: it cannot be read or fetched, or is not a JSON object.
    """
    if source.startswith(("http://", "https://")):
        try:
            response = httpx.get(
                source,
                timeout=FETCH_TIMEOUT,
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                verify=tls_context(),
            )
        except httpx.HTTPError as exc:
            raise CommandError(f"Cannot fetch {source}: {exc}") from exc
        if response.status_code != 200:
            raise CommandError(f"Cannot fetch {source}: HTTP {response.status_code}.")
        text = response.text
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {source}: {exc}") from exc
    try:
        spec = json.loads(text)
    except ValueError as exc:
        raise CommandError(f"{source} is not JSON: {exc}") from exc
    if not isinstance(spec, dict) or "openapi" not in spec:
        raise CommandError(f"{source} is not an OpenAPI description (no 'openapi' field).")
    return spec


def _write_atomically(path: Path, text: str) -> None:
    # A reader (another worker's load()) never sees a half-written catalogue.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Rebuild the Krea model catalogue from a Krea OpenAPI spec (a file path, or a URL "
        f"such as {LIVE_SPEC_URL}) and report added, removed and changed models."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help=f"Spec file path or URL, e.g. {LIVE_SPEC_URL}")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report the changes without writing."
        )
        parser.add_argument(
            "--catalogue",
            type=Path,
            default=CATALOGUE_PATH,
            help="The catalogue file to rewrite (default: the one the portal loads).",
        )

    def handle(
        self, *args: Any, source: str, dry_run: bool, catalogue: Path, **options: Any
    ) -> None:
        catalogue = Path(catalogue)  # call_command() passes options unconverted
        spec = read_spec(source)
        try:
            new = from_openapi(spec)
        except CatalogueError as exc:
            raise CommandError(f"{source} is not a usable Krea spec: {exc}") from exc
        old_data = self._current(catalogue)
        new_data = new.to_data()
        changes = compare(old_data, new_data)
        self._report(changes, new)
        if dry_run:
            self.stdout.write(f"Dry run: {catalogue} not written.")
            return
        if (
            not changes
            and catalogue.exists()
            and catalogue.read_text(encoding="utf-8") == dumps(new)
        ):
            return
        _write_atomically(catalogue, dumps(new))
        load.cache_clear()
        self.stdout.write(self.style.SUCCESS(f"Wrote {catalogue} ({len(new.models)} models)."))

    def _current(self, path: Path) -> dict[str, Any]:
        if not path.exists():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            self.stderr.write(f"The current catalogue is unreadable ({exc}); replacing it.")
            return {}

    def _report(self, changes: Changes, new: Catalogue) -> None:
        if not changes:
            self.stdout.write("No changes.")
        for model_id in changes.added:
            self.stdout.write(f"Added: {model_id} ({new.get(model_id).name})")
        for model_id in changes.removed:
            self.stdout.write(f"Removed: {model_id}")
        for model_id, what in changes.changed.items():
            self.stdout.write(f"Changed: {model_id}: {', '.join(what)}")
        for line in changes.other:
            self.stdout.write(f"Changed: {line}")
        # Styles are offered on a model only once it is mapped to the base models it loads.
        for model_id in unmapped_style_models(new):
            self.stdout.write(
                f"Styles not mapped: {model_id} takes styles; add it to "
                "krea_integration/catalogue/style_models.py"
            )
        # Admins set a price by hand for these; say which ones need it.
        for model in new.models:
            if model.price is None and model.price_note:
                self.stdout.write(f"No price: {model.id}: {model.price_note}")
        # Forms show these by a label made from the field's name until someone writes
        # the portal's words for them.
        for path, model_ids in uncurated_fields(new).items():
            self.stdout.write(
                f"No label: {path} ({', '.join(model_ids)}); add it to "
                "krea_integration/catalogue/field_words.json"
            )
        # Nothing in their name or description says which files these take: they get
        # no picker until Krea's words or the rule in catalogue.media say.
        for model in new.models:
            for path, kind in model.media_inputs.items():
                if kind is None:
                    self.stdout.write(
                        f"Media kind undecided: {model.id}: {path} (its URL is typed by hand)"
                    )
