"""Reads for API keys."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Model, QuerySet

from .models import KEY_PREFIX, ApiKey, api_key_digest


def api_key_for_secret(key: str) -> ApiKey | None:
    """The working key matching ``key`` (with its member and team), or None.

    Unknown, revoked and expired keys all answer None.
    """
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    sql, parts = _key_lookup_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [api_key_digest(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    api_key, membership, team, user = (
        model.from_db(connection.alias, names, _converted(row, columns, converters))
        for model, names, columns, converters in parts
    )
    membership.team = team
    membership.user = user
    api_key.membership = membership
    # The key's own status decides whether it works: ApiKey.status is the one rule.
    return api_key if api_key.is_active else None


@cache
def _key_lookup_query() -> tuple[str, list[tuple]]:
    """The key, its member, the team and the user in one query on the unique digest.

    Written once: the ORM built this four-table join on every API request (select_related
    and the revoked and expired filters), about two milliseconds of CPU, several times
    what PostgreSQL spends running it. Every column of each model is read, so nothing
    is deferred and the instances behave as the ORM's would.
    """
    quote = connection.ops.quote_name
    membership_model = ApiKey._meta.get_field("membership").related_model
    team_model = membership_model._meta.get_field("team").related_model
    user_model = membership_model._meta.get_field("user").related_model
    tables = [(ApiKey, "k"), (membership_model, "m"), (team_model, "t"), (user_model, "u")]
    selected, parts, start = [], [], 0
    for model, alias in tables:
        fields = model._meta.concrete_fields
        selected += [f"{alias}.{quote(field.column)}" for field in fields]
        converters = []
        for field in fields:
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            converters.append((column, found))
        names = [field.attname for field in fields]
        parts.append((model, names, slice(start, start + len(fields)), converters))
        start += len(fields)

    def joined(model: type[Model], alias: str, on: str) -> str:
        pk = quote(model._meta.pk.column)
        return f"JOIN {quote(model._meta.db_table)} {alias} ON {alias}.{pk} = {on}"

    membership_fk = ApiKey._meta.get_field("membership").column
    team_fk = membership_model._meta.get_field("team").column
    user_fk = membership_model._meta.get_field("user").column
    sql = (
        f"SELECT {', '.join(selected)} FROM {quote(ApiKey._meta.db_table)} k "  # noqa: S608  (our names)
        f"{joined(membership_model, 'm', f'k.{quote(membership_fk)}')} "
        f"{joined(team_model, 't', f'm.{quote(team_fk)}')} "
        f"{joined(user_model, 'u', f'm.{quote(user_fk)}')} "
        f"WHERE k.{quote(ApiKey._meta.get_field('digest').column)} = %s"
    )
    return sql, parts


def _converted(row: tuple, columns: slice, converters: list[tuple]) -> list:
    """The model's values from ``row``, as the ORM would convert them (dates on SQLite…)."""
    values = list(row[columns])
    for index, (column, found) in enumerate(converters):
        for converter in found:
            values[index] = converter(values[index], column, connection)
    return values


def api_keys_for_user(user) -> QuerySet[ApiKey]:
    """Every key the user made, in any of their teams, newest first."""
    return ApiKey.objects.filter(membership__user=user).select_related("membership__team")
