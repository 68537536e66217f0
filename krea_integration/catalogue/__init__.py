"""Krea's models as data: paths, request schemas, defaults, aliases and prices.

The catalogue is built from a Krea OpenAPI description by :func:`from_openapi`
and checked in as ``catalogue.json`` (the project's own compact format, written
by ``manage.py refresh_krea_catalogue``). Nothing here is specific to one model:
a model Krea adds later works from its spec entry alone, including its price
when its description carries a price table in one of the shapes described at
:func:`parse_price_table`.

One module per concern; import from the package (``catalogue.load()``), which
re-exports what other code uses:

- :mod:`.entries`: ``Model``, ``Operation``, ``Training``, ``Catalogue``;
- :mod:`.storage`: ``load`` and ``dumps`` of catalogue.json;
- :mod:`.openapi`: ``from_openapi``, the spec importer;
- :mod:`.prices`: price tables, ``parse_price_table``;
- :mod:`.schema`: the one reader of a field's schema (``read_field``), shared
  with the forms built from schemas;
- :mod:`.media`: which kind of file each URL field takes (``media_inputs``),
  worked out at refresh time and stored with each model;
- :mod:`.validation`: ``validate_params`` and ``validate_against``, with
  messages that name the field;
- :mod:`.field_words`: the portal's labels, explanations and units for fields
  (``field_words``), curated in field_words.json;
- :mod:`.tags`: what a model does, read from its schema (``model_tags``);
- :mod:`.style_models`: which generation models load styles of which training
  base model (the portal's own map).
"""

from .entries import (
    FORMAT_VERSION,
    GENERATION_PREFIX,
    GROUPS,
    TRAINING_PATH,
    Catalogue,
    DeprecatedAlias,
    Model,
    Operation,
    Training,
)
from .errors import CatalogueError, InvalidParams, ParamError, UnknownModel
from .field_words import (
    FieldWords,
    field_paths,
    field_words,
    form_defaults,
    model_field_words,
    uncurated_fields,
    words_from_name,
)
from .media import media_inputs
from .openapi import from_openapi
from .prices import PriceColumn, PriceRow, PriceTable, parse_price_table
from .schema import FieldSchema, json_types, read_field, schema_choices
from .storage import CATALOGUE_PATH, dumps, load
from .style_models import (
    STYLE_BASES,
    style_bases,
    style_generation_models,
    takes_styles,
    unmapped_style_models,
)
from .tags import TAG_LABELS, TAGS, model_tags
from .validation import aliases_sent, normalise_params, validate_against, validate_params

__all__ = [
    "CATALOGUE_PATH",
    "FORMAT_VERSION",
    "GENERATION_PREFIX",
    "GROUPS",
    "STYLE_BASES",
    "TAGS",
    "TAG_LABELS",
    "TRAINING_PATH",
    "Catalogue",
    "CatalogueError",
    "DeprecatedAlias",
    "FieldSchema",
    "FieldWords",
    "InvalidParams",
    "Model",
    "Operation",
    "ParamError",
    "PriceColumn",
    "PriceRow",
    "PriceTable",
    "Training",
    "UnknownModel",
    "aliases_sent",
    "dumps",
    "field_paths",
    "field_words",
    "form_defaults",
    "from_openapi",
    "json_types",
    "load",
    "media_inputs",
    "model_field_words",
    "model_tags",
    "normalise_params",
    "parse_price_table",
    "read_field",
    "schema_choices",
    "style_bases",
    "style_generation_models",
    "takes_styles",
    "uncurated_fields",
    "unmapped_style_models",
    "validate_against",
    "validate_params",
    "words_from_name",
]
