"""Validating a request body against a model's request schema, with messages people read.

Request parameters are validated with JSON Schema Draft 2020-12 against the
model's own request schema, after renaming Krea's deprecated camelCase aliases
(:func:`normalise_params`), and every problem becomes one :class:`ParamError`
that names the field and reads well in a form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .entries import DeprecatedAlias, Model
from .errors import InvalidParams, ParamError
from .formats import FORMAT_CHECKER, FORMAT_WORDS
from .schema import json_types, schema_choices
from .words import or_list, show, type_words


def normalise_params(model: Model, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with Krea's deprecated aliases renamed to their fields.

    Raises:
        InvalidParams: an alias was sent together with the field it stands for.
    """
    return _normalise(model.aliases, params)[0]


def _normalise(
    aliases: Mapping[str, str], params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    result = dict(params)
    renamed: dict[str, str] = {}
    conflicts: list[ParamError] = []
    for alias, name in aliases.items():
        if alias not in result:
            continue
        if name in result:
            conflicts.append(
                ParamError(
                    name,
                    f"{name} was sent twice, also under its old name {alias}; send only {name}.",
                )
            )
            continue
        result[name] = result.pop(alias)
        renamed[name] = alias
    if conflicts:
        raise InvalidParams(conflicts)
    return result, renamed


def aliases_sent(model: Model, params: Mapping[str, Any]) -> list[DeprecatedAlias]:
    """The deprecated aliases ``params`` uses, in the model's order (for warnings)."""
    if not isinstance(params, Mapping):
        return []
    return [a for a in model.deprecated_aliases if a.name in params]


def validate_params(model: Model, params: Any, *, today: date | None = None) -> list[ParamError]:
    """Every problem with ``params`` as a request to ``model`` (empty when valid).

    Deprecated aliases are accepted (sending both an alias and its field is an
    error), unless ``today`` is given and is past an alias's sunset date: Krea
    (and so the simulator, on its own clock) then refuses that alias with a
    message saying what to send instead. The portal passes no ``today``: it
    renames aliases for its API clients and warns them. One message per problem,
    naming the field: unknown fields, wrong types, values out of range or not
    among the allowed ones, missing fields.
    """
    if not isinstance(params, Mapping):
        return [ParamError("", "The request body must be a JSON object.")]
    refused: list[ParamError] = []
    if today is not None:
        sunset = {a.name: a for a in aliases_sent(model, params) if a.is_sunset(today)}
        refused = [ParamError(name, alias.refusal()) for name, alias in sunset.items()]
        params = {k: v for k, v in params.items() if k not in sunset}
    try:
        normalised, renamed = _normalise(model.aliases, params)
    except InvalidParams as exc:
        conflicting = {e.field for e in exc.errors}
        kept = {k: v for k, v in params.items() if model.aliases.get(k) not in conflicting}
        normalised, renamed = _normalise(model.aliases, kept)
        return refused + exc.errors + _validate(model.request_schema, normalised, renamed)
    return refused + _validate(model.request_schema, normalised, renamed)


def validate_against(schema: Mapping[str, Any], body: Any) -> list[ParamError]:
    """Every problem with ``body`` against a JSON schema (training bodies, node app inputs)."""
    if not isinstance(body, Mapping) and json_types(schema) == {"object"}:
        return [ParamError("", "The request body must be a JSON object.")]
    return _validate(schema, body, {})


# Past this many unknown fields in one object, one message counts them instead of
# one message each: a body of 20,000 made-up keys gets one line, not 20,000.
MAX_UNKNOWN_LISTED = 10


def _validate(schema: Mapping[str, Any], body: Any, renamed: Mapping[str, str]) -> list[ParamError]:
    too_many = _too_many_fields(schema, body)
    if too_many is not None:
        return [too_many]
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    # A dict keeps the first of equal problems in linear time (a list's ``in`` made
    # 4,000 unknown fields cost 8 million comparisons).
    found: dict[ParamError, None] = {}
    for error in validator.iter_errors(body):
        for problem in _explain(error):
            top = problem.field.split("[")[0].split(".")[0]
            if top in renamed:
                problem = ParamError(problem.field, f"{problem.message} (sent as {renamed[top]})")
            found.setdefault(problem)
    return sorted(found, key=lambda p: (p.field, p.message))


def _too_many_fields(schema: Mapping[str, Any], body: Any) -> ParamError | None:
    """One error for a body with more fields than its closed schema has, before validating.

    Such a body cannot be valid (every field beyond the schema's is unknown), and
    need not cost a full validation to say so.
    """
    if not isinstance(body, Mapping) or schema.get("additionalProperties") is not False:
        return None
    if schema.get("patternProperties"):
        return None
    known = schema.get("properties") or {}
    if len(body) <= len(known):
        return None
    unknown = _unknown_keys(schema, body)
    return ParamError(
        "",
        f"The request body has {len(body)} fields, more than the {len(known)} it may have: "
        f"{_unknown_sentence(unknown)}.",
    )


def _unknown_keys(schema: Mapping[str, Any], instance: Mapping[str, Any]) -> list[str]:
    known = schema.get("properties") or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    return sorted(
        str(k) for k in instance if k not in known and not any(re.search(p, k) for p in patterns)
    )


def _unknown_sentence(unknown: list[str]) -> str:
    shown = ", ".join(unknown[:5]) + (", …" if len(unknown) > 5 else "")
    return f"{len(unknown)} unknown field{'s' * (len(unknown) != 1)} ({shown})"


def _field_name(path: Iterable[Any]) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _explain(error: ValidationError) -> list[ParamError]:
    """One user-readable ParamError per problem a jsonschema error reports."""
    where = _field_name(error.absolute_path)
    subject = where or "The request body"
    kind = error.validator
    value = error.validator_value
    instance = error.instance

    if kind == "additionalProperties" and isinstance(instance, Mapping):
        extra = _unknown_keys(error.schema, instance)
        if len(extra) > MAX_UNKNOWN_LISTED:
            return [ParamError(where, f"{subject} has {_unknown_sentence(extra)}.")]
        return [
            ParamError(_field_name([*error.absolute_path, k]), f"Unknown field {k}.") for k in extra
        ]
    if kind == "required" and isinstance(instance, Mapping):
        return [
            ParamError(
                _field_name([*error.absolute_path, k]),
                f"{_field_name([*error.absolute_path, k])} is required.",
            )
            for k in value
            if k not in instance
        ]
    if kind in ("anyOf", "oneOf"):
        return _explain_alternatives(error, where, subject)
    message = _sentence(kind, value, instance, error)
    return [ParamError(where, f"{subject} {message}")]


def _sentence(kind: str, value: Any, instance: Any, error: ValidationError) -> str:
    if kind == "type":
        return f"must be {type_words(value)}."
    if kind == "enum":
        return f"must be one of {or_list(value)} (got {show(instance)})."
    if kind == "const":
        return f"must be {show(value)} (got {show(instance)})."
    if kind == "minimum":
        return f"must be at least {show(value)} (got {show(instance)})."
    if kind == "maximum":
        return f"must be at most {show(value)} (got {show(instance)})."
    if kind == "exclusiveMinimum":
        return f"must be more than {show(value)} (got {show(instance)})."
    if kind == "exclusiveMaximum":
        return f"must be less than {show(value)} (got {show(instance)})."
    if kind == "multipleOf":
        return f"must be a multiple of {show(value)}."
    if kind == "minLength":
        return "must not be empty." if value == 1 else f"must be at least {value} characters long."
    if kind == "maxLength":
        return f"must be at most {value} characters long (got {len(instance)})."
    if kind == "minItems":
        return f"must have at least {value} item{'s' * (value != 1)}."
    if kind == "maxItems":
        return f"must have at most {value} item{'s' * (value != 1)} (got {len(instance)})."
    if kind == "uniqueItems":
        return "must not repeat an item."
    if kind == "pattern":
        return f"is not in the expected format ({value})."
    if kind == "format":
        return f"must be {FORMAT_WORDS.get(value, f'a valid {value}')} (got {show(instance)[:80]})."
    if kind == "minProperties":
        return "must not be empty."
    return error.message + "."


def _explain_alternatives(error: ValidationError, where: str, subject: str) -> list[ParamError]:
    """anyOf/oneOf: say which values are allowed, or explain the closest alternative."""
    choices = schema_choices(error.schema)
    if choices is not None:
        return [
            ParamError(
                where,
                f"{subject} must be one of {or_list(choices)} (got {show(error.instance)}).",
            )
        ]
    if error.validator == "oneOf" and not error.context:
        return [
            ParamError(where, f"{subject} matches more than one allowed shape; make it specific.")
        ]
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)

    # A branch whose only complaint is the value's type is not what the user
    # meant; among the others, the one with the fewest problems is the closest.
    def wrong_type(errors: list[ValidationError]) -> bool:
        return all(e.validator == "type" and not e.relative_path for e in errors)

    meant = {i: errs for i, errs in by_branch.items() if not wrong_type(errs)}
    if not meant:
        allowed = sorted({t for sub in error.schema[error.validator] for t in json_types(sub)})
        return [ParamError(where, f"{subject} must be {type_words(allowed)}.")]
    # Every shape refuses the same field's value (a training body's "model"):
    # list what any of them would take, not just the first shape's choices.
    singles = [errs[0] for errs in meant.values() if len(errs) == 1]
    if (
        len(singles) == len(meant) > 1
        and all(e.validator in ("enum", "const") for e in singles)
        and len({tuple(e.absolute_path) for e in singles}) == 1
    ):
        allowed: list[Any] = []
        for e in singles:
            for v in schema_choices(e.schema) or []:
                if v not in allowed:
                    allowed.append(v)
        first = singles[0]
        name = _field_name(first.absolute_path) or "The request body"
        message = f"{name} must be one of {or_list(allowed)} (got {show(first.instance)})."
        return [ParamError(_field_name(first.absolute_path), message)]
    branch = min(meant, key=lambda i: (len(meant[i]), i))
    problems: list[ParamError] = []
    for sub in meant[branch]:
        problems.extend(_explain(sub))
    return problems
