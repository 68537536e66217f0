"""``{% fragment "name" job job.created_by %}…{% endfragment %}``: a listing row rendered once.

Rendering a page of rows through the template engine costs several times the rest of
the page, while a finished job's row never changes. The block is kept, rendered, in
this process's memory (the ``fragments`` cache) under a key made of its name and of
everything the values after it hold: every loaded field and annotation of a model
instance (a row whose job, output or member changed in any way gets a new key, so a
kept row is never stale and nothing needs clearing), the items of a list, and plain
values as they are. Name every object and value the block shows; the block must not
read the request, the member or the clock except through them (the Krea catalogue,
read once per process like this cache, may be).

The CSRF token is never kept: the block is rendered with a stand-in, which each
request replaces with its own token, so one member's token never reaches another.
"""

from __future__ import annotations

import hashlib
import secrets

from django import template
from django.core.cache import caches
from django.db.models import Model
from django.utils.safestring import mark_safe

register = template.Library()

CACHE = "fragments"
# Letters and digits only: the template engine writes it out unescaped, and it cannot
# occur by chance in a row (it is drawn afresh by each process, like the cache itself).
_CSRF_STAND_IN = "csrf" + secrets.token_hex(16)
_NOT_FIELDS = ("_state", "_prefetched_objects_cache")


def _facts(value, seen: set[int]) -> object:
    """What ``value`` holds, as something whose repr() is its content."""
    if isinstance(value, Model):
        if id(value) in seen:  # an output's job, met again below the job itself
            return (type(value).__qualname__, value.pk)
        seen.add(id(value))
        facts: list = [type(value).__qualname__]
        for name, held in sorted(value.__dict__.items()):
            if name not in _NOT_FIELDS:
                facts.append((name, held))
        related = value._state.fields_cache  # select_related() and already-read relations
        for name in sorted(related):
            facts.append((name, _facts(related[name], seen)))
        prefetched = getattr(value, "_prefetched_objects_cache", {})
        for name in sorted(prefetched):
            facts.append((name, [_facts(item, seen) for item in prefetched[name]]))
        return facts
    if isinstance(value, list | tuple):
        return [_facts(item, seen) for item in value]
    return value


def fragment_key(name: str, values: list) -> str:
    digest = hashlib.blake2b(repr(_facts(values, set())).encode(), digest_size=20).hexdigest()
    return f"{name}:{digest}"


class FragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name, values: list) -> None:
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context: template.Context) -> str:
        key = fragment_key(
            self.name.resolve(context), [value.resolve(context) for value in self.values]
        )
        cache = caches[CACHE]
        html = cache.get(key)
        if html is None:
            with context.push(csrf_token=_CSRF_STAND_IN):
                html = self.nodelist.render(context)
            cache.set(key, str(html))
        if _CSRF_STAND_IN in html:
            html = html.replace(_CSRF_STAND_IN, str(context.get("csrf_token", "")))
        return mark_safe(html)  # noqa: S308  (rendered by the template engine, escaped there)


def _choices(choices) -> list:
    """A field's choices as plain strings (labels may be lazy), groups included."""
    return [
        (str(value), _choices(label) if isinstance(label, list | tuple) else str(label))
        for value, label in choices
    ]


@register.filter
def form_facts(form) -> list:
    """What a form's rendering shows, for a fragment's key: its class, the data it was
    given, its initial values, each field's choices (the team's models and members) and
    its errors. A form whose block shows anything else must name that too."""
    bound = form.is_bound
    return [
        type(form).__qualname__,
        form.prefix,
        sorted(form.data.lists()) if bound and hasattr(form.data, "lists") else form.data,
        sorted((name, repr(value)) for name, value in form.initial.items()),
        [(name, _choices(getattr(field, "choices", ()))) for name, field in form.fields.items()],
        sorted((name, [str(error) for error in errors]) for name, errors in form.errors.items())
        if bound
        else [],
    ]


@register.tag("fragment")
def do_fragment(parser, token) -> FragmentNode:
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' takes a name and the values the block shows."
        )
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
