"""What the API reads and writes. Serializers check shapes; services decide."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from krea_integration.catalogue import GROUPS
from studio.generation.models import Job, JobStatus, Output
from studio.generation.services import MAX_VARIATIONS
from studio.webhooks.targets import TargetRefused, check_url

# How deeply a request's params may nest (Krea's schemas need three or four levels).
MAX_PARAMS_DEPTH = 16


# Characters no text column can store: NUL (PostgreSQL refuses it in text and jsonb) and
# lone UTF-16 surrogates (no encoding can write them). Krea has no use for either.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _depth_and_unstorable(value: Any) -> tuple[int, bool]:
    """How deeply ``value`` nests lists and objects, and whether a string or key in it
    holds a character that cannot be stored (``_UNSTORABLE``)."""
    deepest, unstorable, stack = 0, False, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            unstorable = unstorable or any(_UNSTORABLE.search(key) for key in item)
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
        elif isinstance(item, str):
            unstorable = unstorable or _UNSTORABLE.search(item) is not None
    return deepest, unstorable


# Errors -------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="What went wrong, in a sentence.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. `not_found`.")


class ValidationErrorSerializer(ErrorSerializer):
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field. For `params`, keyed by the parameter's top-level name.",
    )


class QuotaErrorSerializer(ErrorSerializer):
    needed = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    left = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    scope = serializers.CharField(help_text="Whose quota is short: the member's or the team's.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The request field that asks for too much, when one does: a batch's `count`.",
    )


class ThrottledErrorSerializer(ErrorSerializer):
    retry_after = serializers.IntegerField(help_text="Seconds to wait (also in Retry-After).")


# Catalogue ----------------------------------------------------------------------------


class PriceSerializer(serializers.Serializer):
    published = serializers.BooleanField(
        help_text="True when Krea publishes a price table for this model."
    )
    note = serializers.CharField(help_text="Why there is no usable published price, if so.")
    columns = serializers.ListField(
        child=serializers.DictField(),
        help_text="The request parameters the price depends on (empty for a flat price).",
    )
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text="Rows of `{cu, when?, approx?, seconds?}`; the first row whose `when` "
        "matches the (defaulted) params applies.",
    )


class CatalogueModelSerializer(serializers.Serializer):
    """One Krea model as the catalogue describes it (a dataclass, not a database row)."""

    id = serializers.CharField(help_text="Use this as `model` in requests.")
    name = serializers.CharField()
    group = serializers.ChoiceField(choices=GROUPS)
    provider = serializers.CharField()
    summary = serializers.CharField()
    price = serializers.SerializerMethodField()
    request_schema = serializers.JSONField(help_text="JSON Schema of `params` for this model.")
    aliases = serializers.DictField(
        child=serializers.CharField(),
        help_text=(
            "Deprecated camelCase parameter names and their fields. Krea no longer accepts "
            "them after their sunset date; the portal renames them and says so in `warnings`."
        ),
    )

    @extend_schema_field(PriceSerializer)
    def get_price(self, model) -> dict[str, Any]:
        table = model.price.to_data() if model.price else {"columns": [], "rows": []}
        return {"published": model.price is not None, "note": model.price_note, **table}


class CatalogueModelListSerializer(serializers.Serializer):
    results = CatalogueModelSerializer(many=True)


def query_problems(query: Any, names: Iterable[str]) -> dict[str, list[str]]:
    """The parameters of ``query`` among ``names`` given empty or more than once.

    DRF reads ``?status=`` as "not given" (like an empty HTML form field) and keeps the
    last of repeated values; an API client sending either meant something it did not
    say, so both are refused.
    """
    problems = {}
    for name in names:
        values = query.getlist(name) if hasattr(query, "getlist") else []
        if len(values) > 1:
            problems[name] = ["Give this parameter once."]
        elif values == [""]:
            problems[name] = ["Give a value, or leave the parameter out."]
    return problems


class QuerySerializer(serializers.Serializer):
    """Query-string parameters; see ``query_problems`` for what is refused first."""

    def to_internal_value(self, data):
        problems = query_problems(data, self.fields)
        if problems:
            raise serializers.ValidationError(problems)
        return super().to_internal_value(data)


class ModelFilterSerializer(QuerySerializer):
    group = serializers.ChoiceField(
        choices=GROUPS, required=False, help_text="Only the models of this group."
    )


# Generation requests ------------------------------------------------------------------


class GenerationSerializer(serializers.Serializer):
    model = serializers.CharField(
        max_length=200, help_text="A model id from `GET /api/v1/models`, e.g. image/bfl/flux-1-dev."
    )
    params = serializers.DictField(
        required=False,
        default=dict,
        help_text="The model's parameters, as its `request_schema` describes them.",
    )

    def validate_params(self, value: dict[str, Any]) -> dict[str, Any]:
        depth, unstorable = _depth_and_unstorable(value)
        if depth > MAX_PARAMS_DEPTH:
            raise serializers.ValidationError(
                f"params nest more than {MAX_PARAMS_DEPTH} levels deep."
            )
        if unstorable:
            raise serializers.ValidationError(
                "params must not contain NUL (\\u0000) or lone surrogate (\\ud800-\\udfff) "
                "characters."
            )
        return value


class JobCreateSerializer(GenerationSerializer):
    callback_url = serializers.CharField(
        max_length=2000,
        required=False,
        help_text="Also POST this job's terminal event (job.completed, job.failed or "
        "job.cancelled) here, signed with the team's callback secret (Standard Webhooks). "
        "An https:// URL on a public address.",
    )

    def validate_callback_url(self, value: str) -> str:
        try:
            check_url(value.strip())
        except TargetRefused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value.strip()


WARNINGS_HELP = (
    "Present when the portal changed the request to run it: each deprecated parameter "
    "name it renamed, and what to send instead."
)


class EstimateSerializer(serializers.Serializer):
    model = serializers.CharField()
    cu = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, help_text="Estimated CU."
    )
    published = serializers.BooleanField(
        help_text="False when the figure is the portal's own price, not one Krea publishes."
    )
    note = serializers.CharField(allow_blank=True)
    left = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text="CU you can still spend this period (null: no quota applies).",
    )
    warnings = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=WARNINGS_HELP
    )


# Jobs ---------------------------------------------------------------------------------


class FieldsBuiltOnce:
    """A ModelSerializer that works its fields out from the model once per class, not per use.

    DRF builds them anew for every serializer made (reading the model's fields and their
    options), about a millisecond of each API submit's answer; the fields depend on the
    class alone, so each use gets a copy of the first set, as DRF copies declared fields.
    """

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built_once = built
        return copy.deepcopy(built)


class OutputSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Download the file here (same auth).")

    class Meta:
        model = Output
        fields = ["position", "url", "mime_type", "width", "height", "size"]

    def get_url(self, output: Output) -> str:
        path = reverse("api-v1:job-output", args=[output.job.uuid, output.position])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class JobSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    model = serializers.CharField(source="model_id")
    status_text = serializers.CharField(source="get_status_display")
    estimate_cu = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    charged_cu = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    created_by = serializers.EmailField(
        source="created_by.email", allow_null=True, help_text="The member who started the job."
    )
    outputs = OutputSerializer(many=True)
    cancel_requested = serializers.BooleanField(
        source="is_cancelling", help_text="Cancelling at Krea; the job will end as cancelled."
    )
    batch = serializers.UUIDField(
        allow_null=True,
        read_only=True,
        help_text="The batch of variations this job belongs to (`GET /api/v1/batches/{id}`); "
        "null for a job started alone with `POST /api/v1/jobs`.",
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "batch",
            "model",
            "model_name",
            "status",
            "status_text",
            "error",
            "needs_attention",
            "cancel_requested",
            "params",
            "estimate_cu",
            "charged_cu",
            "created_at",
            "finished_at",
            "created_by",
            "outputs",
        ]
        read_only_fields = fields


class JobCreatedSerializer(JobSerializer):
    """A job just started: the job, and what the portal changed in the request."""

    warnings = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=WARNINGS_HELP
    )

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class BatchCreateSerializer(JobCreateSerializer):
    """Variations of one generation, each its own job with its own seed."""

    count = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VARIATIONS,
        help_text=f"How many jobs to start, 1 to {MAX_VARIATIONS}: each is estimated, reserved "
        "and charged on its own, and the quota must have room for all of them.",
    )
    seed_locked = serializers.BooleanField(
        default=False,
        help_text="false: every job gets a fresh random seed (leave `params.seed` out). "
        "true: the first job takes `params.seed` (drawn at random when left out) and the "
        "others count up from it, so the batch can be made again. Ignored by models "
        "without a `seed` parameter, whose jobs vary on their own.",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if "seed" in data.get("params", {}) and not data["seed_locked"]:
            raise serializers.ValidationError(
                {
                    "seed_locked": [
                        "params has a seed: set seed_locked to true to start from it, or leave "
                        "seed out for a random seed per job."
                    ]
                }
            )
        return data


class BatchSerializer(serializers.Serializer):
    """Jobs started together by one request, first job first."""

    id = serializers.UUIDField(source="key", help_text="The batch's id; each job's `batch`.")
    model = serializers.CharField(source="first.model_id")
    count = serializers.SerializerMethodField(help_text="How many jobs the batch has.")
    seed_locked = serializers.BooleanField(
        source="first.seed_locked",
        help_text="True when the seeds were kept from `params.seed`, counting up.",
    )
    varies_on_its_own = serializers.BooleanField(
        help_text="True for several jobs of a model without a seed: the same parameters, "
        "which the model varies on its own."
    )
    jobs = JobSerializer(many=True)

    def get_count(self, batch) -> int:
        return len(batch.jobs)


class BatchCreatedSerializer(BatchSerializer):
    warnings = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=WARNINGS_HELP
    )


class JobFilterSerializer(QuerySerializer):
    status = serializers.ChoiceField(
        choices=JobStatus.choices, required=False, help_text="Only jobs in this state."
    )
    model = serializers.CharField(
        max_length=200, required=False, help_text="Only jobs of this model id."
    )
    member = serializers.EmailField(
        required=False, help_text="Only jobs started by the member with this email."
    )


class OutputQuerySerializer(QuerySerializer):
    download = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true (or 1): sent as an attachment, for saving; false (or 0): inline.",
    )


# Usage --------------------------------------------------------------------------------


def _cu(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, **kwargs
    )


class QuotaStatusSerializer(serializers.Serializer):
    limit = _cu(help_text="The quota's CU per period.")
    used = _cu(help_text="CU spent or held by running jobs in this period.")
    left = _cu()
    period = serializers.CharField(source="quota.period", help_text="day, week, month or none.")
    resets_at = serializers.DateTimeField(allow_null=True)


class UsageSerializer(serializers.Serializer):
    """What the member may still spend: the smaller of their own and the team's room."""

    left = _cu(allow_null=True, help_text="What you may still spend now (null: no limit).")
    member_left = _cu(allow_null=True, help_text="Left on your own quota (null: none).")
    team_left = _cu(allow_null=True, help_text="Left on the team's quota (null: none).")
    resets_at = serializers.DateTimeField(
        allow_null=True, help_text="When the quota that limits you starts a new period."
    )
    description = serializers.CharField(source="describe", help_text="The same, in words.")
    member_quota = QuotaStatusSerializer(source="member_status", allow_null=True)
    team_quota = QuotaStatusSerializer(source="team_status", allow_null=True)
