"""Building a catalogue from a Krea OpenAPI description (a file, or Krea's live spec)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .entries import (
    GENERATION_PREFIX,
    GROUPS,
    TRAINING_PATH,
    Catalogue,
    DeprecatedAlias,
    Model,
    Operation,
    Training,
)
from .errors import CatalogueError
from .media import media_inputs
from .prices import parse_price_table, parse_step_prices

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def from_openapi(spec: Mapping[str, Any]) -> Catalogue:
    """Build a catalogue from a Krea OpenAPI description (the parser).

    Every ``POST /generate/<group>/<provider>/...`` operation becomes a
    :class:`Model`; ``POST /styles/train`` becomes :class:`Training`; every other
    operation an :class:`Operation`.

    Raises:
        CatalogueError: the spec has no paths, no generation endpoint, or a
            generation endpoint without a JSON request schema.
    """
    paths = spec.get("paths") if isinstance(spec, Mapping) else None
    if not isinstance(paths, Mapping) or not paths:
        raise CatalogueError("The spec has no 'paths': it is not an OpenAPI description.")
    models: list[Model] = []
    operations: list[Operation] = []
    training: Training | None = None
    for path, path_item in paths.items():
        if not isinstance(path_item, Mapping):
            continue
        for method in HTTP_METHODS:
            op = path_item.get(method)
            if not isinstance(op, Mapping):
                continue
            if method == "post" and path.startswith(GENERATION_PREFIX):
                models.append(_model_from_operation(spec, path, op))
                continue
            if method == "post" and path == TRAINING_PATH:
                training = _training_from_operation(spec, op)
            tags = op.get("tags") or [""]
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=str(op.get("summary") or "").strip(),
                    tag=str(tags[0]),
                )
            )
    if not models:
        raise CatalogueError("The spec has no generation endpoints (POST /generate/...).")
    return Catalogue(
        models=tuple(sorted(models, key=lambda m: m.id)),
        operations=tuple(sorted(operations, key=lambda o: (o.path, o.method))),
        training=training,
    )


def _model_from_operation(spec: Mapping[str, Any], path: str, op: Mapping[str, Any]) -> Model:
    model_id = path.removeprefix(GENERATION_PREFIX).strip("/")
    parts = model_id.split("/")
    if len(parts) < 3 or parts[0] not in GROUPS:
        raise CatalogueError(f"{path}: expected /generate/<{'|'.join(GROUPS)}>/<provider>/<model>.")
    schema = _json_body_schema(spec, op)
    if schema is None or schema.get("type") != "object":
        raise CatalogueError(f"{path}: no JSON object request schema.")
    # Krea rejects unknown fields; say so even if a spec entry forgets to, so
    # that the portal refuses them before paying for a round trip.
    schema.setdefault("additionalProperties", False)
    description = str(op.get("description") or "")
    price, note = parse_price_table(description, schema)
    aliases = tuple(
        _alias(a)
        for a in op.get("x-krea-deprecated-field-aliases") or []
        if isinstance(a, Mapping) and "from" in a and "to" in a
    )
    return Model(
        id=model_id,
        path=GENERATION_PREFIX + model_id,
        group=parts[0],
        provider=parts[1],
        name=str(op.get("summary") or "").strip() or parts[-1],
        summary=_first_line(description),
        request_schema=schema,
        deprecated_aliases=aliases,
        price=price,
        price_note=note,
        media_inputs=media_inputs(schema),
    )


def _alias(entry: Mapping[str, Any]) -> DeprecatedAlias:
    sunset = entry.get("sunset_date")
    try:
        sunset_date = date.fromisoformat(str(sunset)) if sunset else None
    except ValueError:
        message = f"Alias {entry['from']!r}: unreadable sunset_date {sunset!r}."
        raise CatalogueError(message) from None
    return DeprecatedAlias(
        name=str(entry["from"]),
        field=str(entry["to"]),
        sunset_date=sunset_date,
        reason=str(entry.get("reason") or "").strip(),
        migration_url=str(entry.get("migration_url") or "").strip(),
    )


def _training_from_operation(spec: Mapping[str, Any], op: Mapping[str, Any]) -> Training:
    schema = _json_body_schema(spec, op) or {"type": "object"}
    models = Training(request_schema=schema, step_prices={}).models
    step_prices = parse_step_prices(str(op.get("description") or ""), models)
    return Training(request_schema=schema, step_prices=step_prices)


def _json_body_schema(spec: Mapping[str, Any], op: Mapping[str, Any]) -> dict[str, Any] | None:
    content = (op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json")
    if not isinstance(media, Mapping) or not isinstance(media.get("schema"), Mapping):
        return None
    return _inline_refs(spec, media["schema"])


def _inline_refs(spec: Mapping[str, Any], schema: Any, depth: int = 0) -> Any:
    """A deep copy of ``schema`` with local ``$ref``s replaced by their targets.

    Each model's schema must stand alone in the catalogue (there is no
    ``components`` section to point into).
    """
    if depth > 32:
        raise CatalogueError("A $ref cycle in the spec's request schemas.")
    if isinstance(schema, list):
        return [_inline_refs(spec, s, depth) for s in schema]
    if not isinstance(schema, Mapping):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                raise CatalogueError(f"Unresolvable $ref {ref!r} in the spec.")
            target = target[part]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        return _inline_refs(spec, {**target, **siblings}, depth + 1)
    return {k: _inline_refs(spec, v, depth) for k, v in schema.items()}


def _first_line(description: str) -> str:
    for line in description.splitlines():
        line = line.strip()
        if line and not line.startswith(("|", ">", "#")):
            return line
    return ""
