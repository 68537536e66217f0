"""Generation and jobs: ``POST /generate/...``, ``GET /jobs``, ``GET|DELETE /jobs/{id}``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from ... import pricing
from ...catalogue import InvalidParams, Model, UnknownModel, normalise_params, validate_params
from ..faults import FaultPlan
from ..inputs import InputChecker, uri_inputs
from ..jobs import JOB_STATUSES, JobRecord
from ..lifecycle import JobLifecycle
from ..outputs import Recipe, image_format, image_size, output_count, video_duration, video_size
from ..paging import page_of
from ..state import ApiError, SimulatorState

__all__ = ["PREVIEW_SIDE", "JobsHandler", "check_webhook_url", "preview_of", "seed_for"]

PREVIEW_SIDE = 256
#: States in which a job is past the point of no return in ``finish-late`` cancel mode.
LATE_STATES = frozenset({"sampling", "intermediate-complete"})


def seed_for(params: Mapping[str, Any], job_id: str) -> int:
    """The request's ``seed``, or one derived from the job id (renders are deterministic)."""
    seed = params.get("seed")
    if isinstance(seed, int | float) and not isinstance(seed, bool):
        return int(seed)
    return int(job_id.replace("-", "")[:8], 16)


def preview_of(recipe: Recipe) -> Recipe:
    """A small PNG of what ``recipe`` will show (``intermediate-complete`` previews)."""
    scale = min(1.0, PREVIEW_SIDE / max(recipe.width, recipe.height))
    return Recipe(
        "image",
        "png",
        prompt=recipe.prompt,
        seed=recipe.seed,
        width=max(16, round(recipe.width * scale)),
        height=max(16, round(recipe.height * scale)),
    )


def check_webhook_url(webhook_url: str | None) -> None:
    """Krea's 400 for an ``X-Webhook-URL`` that is not an absolute http(s) URL."""
    if webhook_url is None:
        return
    parts = urlsplit(webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiError(400, "X-Webhook-URL must be an absolute http(s) URL.")


def _job_type(model: Model) -> str:
    if model.group == "enhance":
        return "enhance"
    if model.group == "video":
        return "externalVideo"
    if model.id.startswith("image/bfl/flux-1-"):
        return "flux"
    if model.id.startswith("image/krea/"):
        return "k1"
    return "externalImage"


class JobsHandler:
    """Starts generation jobs and answers for every job, whatever its kind."""

    def __init__(
        self, state: SimulatorState, lifecycle: JobLifecycle, inputs: InputChecker
    ) -> None:
        self.state = state
        self.lifecycle = lifecycle
        self.inputs = inputs

    def _job_for(self, token: str, job_id: str) -> JobRecord:
        job = self.state.jobs.get(job_id)
        if job is None or job.token != token:
            raise ApiError(404, "Job not found")
        return job

    def _estimate(self, model: Model, params: Mapping[str, Any]) -> Decimal:
        try:
            return pricing.estimate(model, params, catalogue=self.state.catalogue)
        except (pricing.PriceUnknown, InvalidParams):
            return self.state.default_cost

    def generate(
        self,
        token: str,
        model_path: str,
        body: Any,
        *,
        base_url: str,
        webhook_url: str | None = None,
        faults: FaultPlan | None = None,
    ) -> dict[str, Any]:
        """``POST /generate/...``: validate, charge-check, queue a job; Krea's answer."""
        state = self.state
        try:
            model = state.catalogue.get(model_path)
        except UnknownModel:
            raise ApiError(404, f"Unknown model: /generate/{model_path}") from None
        errors = validate_params(model, body, today=state.clock.now().date())
        if errors:
            raise ApiError.invalid(errors)
        check_webhook_url(webhook_url)
        params = model.defaults()
        params.update({k: v for k, v in normalise_params(model, body).items() if v is not None})
        # Inputs are read before the lock is taken: it may mean HTTP.
        if model.group == "enhance":
            _, problem = self.inputs.check_enhanceable(params.get("image_url"))
        else:
            problem = self.inputs.check_all(list(uri_inputs(model.request_schema, params)))
        cost = self._estimate(model, body)
        with state.lock:
            now = state.clock.now()
            self.lifecycle.settle(now)
            (start,) = self.lifecycle.admit(token, [cost])
            job = JobRecord(
                id=str(uuid.uuid4()),
                token=token,
                kind=model.group,
                job_type=_job_type(model),
                model_id=model.id,
                params=params,
                cost=cost,
                created_at=state.stamp(now),
                # A group a future catalogue adds runs like an image job.
                duration=state.durations.get(model.group, state.durations["image"]),
                base_url=base_url,
            )
            self.lifecycle.apply_faults(job, faults)
            if problem is not None:
                self.lifecycle.fail_with(job, problem.message)
            self._plan_outputs(job, model, params)
            self.lifecycle.add(job, start, now)
            job.webhook_url = webhook_url
            return job.to_json(now, as_created=True)

    def _plan_outputs(self, job: JobRecord, model: Model, params: Mapping[str, Any]) -> None:
        new_file = self.state.new_file
        prompt = str(params.get("prompt") or "")
        seed = seed_for(params, job.id)
        if model.group == "enhance":
            width, height = image_size(params)
            ext = image_format(params, default="png")
            source = params.get("image_url")
            recipe = Recipe(
                "upscale", ext, width=width, height=height, source_url=str(source or "")
            )
            job.outputs = [new_file("job", job.id, recipe)]
            return
        if model.group == "video":
            width, height = video_size(params)
            recipe = Recipe(
                "video",
                "mp4",
                prompt=prompt,
                seed=seed,
                width=width,
                height=height,
                duration=video_duration(params),
            )
            job.outputs = [new_file("job", job.id, recipe)]
            job.previews = [new_file("job", job.id, preview_of(recipe), preview=True)]
            return
        width, height = image_size(params)
        ext = image_format(params)
        for index in range(output_count(params)):
            recipe = Recipe(
                "image", ext, prompt=prompt, seed=seed + index, width=width, height=height
            )
            job.outputs.append(new_file("job", job.id, recipe))
            job.previews.append(new_file("job", job.id, preview_of(recipe), preview=True))

    def get(self, token: str, job_id: str) -> dict[str, Any]:
        """``GET /jobs/{id}``."""
        with self.state.lock:
            now = self.state.clock.now()
            self.lifecycle.settle(now)
            return self._job_for(token, job_id).to_json(now)

    def cancel(self, token: str, job_id: str, *, faults: FaultPlan | None = None) -> dict[str, Any]:
        """``DELETE /jobs/{id}``, played one of three ways (see :data:`~..accounts.CANCEL_MODES`).

        The mode is the request's ``cancel-mode`` fault, else the account's. A terminal
        job is left as it is (except in ``delete`` mode, which removes any job); the
        answer is 200 either way, as the spec documents only 200 and 404.
        """
        state = self.state
        with state.lock:
            now = state.clock.now()
            self.lifecycle.settle(now)
            job = self._job_for(token, job_id)
            mode = (faults and faults.cancel_mode) or self.lifecycle.account(token).cancel_mode
            if mode == "delete":
                return self._delete(job, now)
            late = job.status_at(now) in LATE_STATES
            if not job.is_terminal and not (mode == "finish-late" and late):
                self.lifecycle.finish(job, "cancelled", now)
                self.lifecycle.promote(token, now)
            return job.to_json(now)

    def _delete(self, job: JobRecord, now: datetime) -> dict[str, Any]:
        """Forget ``job`` (a live one stops unbilled, without a webhook); its last state."""
        if not job.is_terminal:
            self.lifecycle.finish(job, "cancelled", now, notify=False)
            self.lifecycle.promote(job.token, now)
        del self.state.jobs[job.id]
        for output in (*job.outputs, *job.previews):
            self.state.files.pop(output.id, None)
        return job.to_json(now)

    def list(
        self,
        token: str,
        *,
        cursor: str | None = None,
        limit: str | None = None,
        types: str | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        """``GET /jobs``: newest first; ``cursor`` = jobs created before that time."""
        if status is not None and status not in JOB_STATUSES:
            raise ApiError(400, f"status must be one of {', '.join(JOB_STATUSES)}.")
        wanted = {t.strip() for t in (types or "").split(",") if t.strip()}
        with self.state.lock:
            now = self.state.clock.now()
            self.lifecycle.settle(now)
            jobs = sorted(
                (j for j in self.state.jobs.values() if j.token == token),
                key=lambda j: j.created_at,
                reverse=True,
            )
            if wanted:
                jobs = [j for j in jobs if wanted & {j.job_type, j.kind, j.model_id or ""}]
            if status is not None:
                jobs = [j for j in jobs if j.status_at(now) == status]
            return page_of(
                jobs,
                lambda j: j.created_at,
                lambda j: j.to_json(now),
                cursor=cursor,
                limit=limit,
            )

    def record(self, job_id: str) -> JobRecord | None:
        """The internal record of a job (any token's), for tests and the control API."""
        with self.state.lock:
            self.lifecycle.settle(self.state.clock.now())
            return self.state.jobs.get(job_id)
