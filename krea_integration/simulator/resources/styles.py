"""Styles (LoRAs): training, ``GET /styles`` and ``/styles/{id}``, sharing.

A training is a job (kind ``training``); when it completes, the style it names in
``result.style_id`` appears (a completion hook of the job lifecycle).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ... import pricing
from ...catalogue import UnknownModel, validate_against
from ..faults import FaultPlan
from ..inputs import InputChecker, uri_inputs
from ..jobs import JobRecord
from ..lifecycle import JobLifecycle
from ..outputs import Recipe
from ..paging import page_of
from ..state import ApiError, SimulatorState
from ..styles import BUILTIN_STYLES, STYLE_FILTERS, StyleRecord
from .jobs import check_webhook_url, seed_for

__all__ = ["STYLE_PREVIEW_SIZE", "StylesHandler"]

STYLE_PREVIEW_SIZE = (768, 1024)
_BUILTIN_CREATED = datetime.fromisoformat("2025-11-03T10:00:00+00:00")
_UPDATE_FIELDS = ("public", "urls", "title", "cover_url")
_UPDATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "public": {"type": ["boolean", "null"]},
        "urls": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "title": {"type": "string"},
        "cover_url": {"type": "string"},
    },
}


def _style_preview(style: StyleRecord) -> Recipe:
    width, height = STYLE_PREVIEW_SIZE
    seed = int(style.id.replace("-", "")[:8], 16)
    prompt = f"{style.title or 'Style'}: {style.prompt}".strip(": ")
    return Recipe("image", "png", prompt=prompt, seed=seed, width=width, height=height)


class StylesHandler:
    """Trains styles and answers Krea's style operations."""

    def __init__(
        self, state: SimulatorState, lifecycle: JobLifecycle, inputs: InputChecker
    ) -> None:
        self.state = state
        self.lifecycle = lifecycle
        self.inputs = inputs
        lifecycle.completion_hooks.append(self._create_trained_style)

    def add_builtin_styles(self) -> None:
        """Krea's official styles, which every token sees (again after a reset)."""
        state = self.state
        for index, builtin in enumerate(BUILTIN_STYLES):
            style = StyleRecord(
                id=builtin.id,
                title=builtin.title,
                prompt=builtin.prompt,
                models=list(builtin.models),
                # Distinct times: the list's cursor is a creation time.
                created_at=_BUILTIN_CREATED + timedelta(days=index),
                owner_token=None,
                owner=None,
                public=True,
                like_count=builtin.like_count,
            )
            style.previews = [state.new_file("style", style.id, _style_preview(style))]
            state.styles[style.id] = style

    def train(
        self,
        token: str,
        body: Any,
        *,
        base_url: str,
        webhook_url: str | None = None,
        faults: FaultPlan | None = None,
    ) -> dict[str, Any]:
        """``POST /styles/train``: validate the body shape, start a training job."""
        state = self.state
        training = state.catalogue.training
        if training is None:
            raise ApiError(404, "Style training is not available")
        if not isinstance(body, Mapping):
            raise ApiError(400, "The request body must be a JSON object.")
        model = body.get("model", "flux_dev")
        try:
            schema = training.schema_for(model) if isinstance(model, str) else None
        except UnknownModel:
            schema = None
        errors = validate_against(schema or training.request_schema, body)
        if errors:
            raise ApiError.invalid(errors)
        check_webhook_url(webhook_url)
        params = {
            name: prop["default"]
            for name, prop in (schema or {}).get("properties", {}).items()
            if isinstance(prop, Mapping) and "default" in prop
        }
        params.update(body)
        params["model"] = model
        # Krea downloads the training images first; one it cannot read fails the job.
        problem = self.inputs.check_all(list(uri_inputs(schema or training.request_schema, params)))
        steps = int(params.get("max_train_steps") or state.training_steps)
        try:
            cost = pricing.training_estimate(model, steps, catalogue=state.catalogue)
        except (pricing.PriceUnknown, UnknownModel, ValueError):
            cost = state.default_cost
        with state.lock:
            now = state.clock.now()
            self.lifecycle.settle(now)
            (start,) = self.lifecycle.admit(token, [cost])
            job = JobRecord(
                id=str(uuid.uuid4()),
                token=token,
                kind="training",
                job_type="loraTraining",
                model_id=str(model),
                params=params,
                cost=cost,
                created_at=state.stamp(now),
                duration=state.durations["training"],
                base_url=base_url,
                style_id=str(uuid.uuid4()),
            )
            preview = Recipe(
                "image",
                "png",
                prompt=f"{params.get('name', '')} {params.get('trigger_word', '')}".strip(),
                seed=seed_for({}, job.id),
                width=STYLE_PREVIEW_SIZE[0] // 4,
                height=STYLE_PREVIEW_SIZE[1] // 4,
            )
            job.previews = [state.new_file("job", job.id, preview, preview=True)]
            self.lifecycle.apply_faults(job, faults)
            if problem is not None:
                self.lifecycle.fail_with(job, problem.message)
            self.lifecycle.add(job, start, now)
            job.webhook_url = webhook_url
            return job.to_json(now, as_created=True)

    def _create_trained_style(self, job: JobRecord, at: datetime) -> None:
        if job.style_id is None:
            return
        state = self.state
        params = job.params
        style = StyleRecord(
            id=job.style_id,
            title=str(params.get("name") or "") or None,
            prompt=str(params.get("trigger_word") or ""),
            models=[str(params.get("model"))],
            created_at=state.stamp(at),
            owner_token=job.token,
            owner=self.lifecycle.account(job.token).identity,
            base_url=job.base_url,
        )
        style.previews = [state.new_file("style", style.id, _style_preview(style))]
        state.styles[style.id] = style

    def _visible(self, token: str, style_id: str) -> StyleRecord:
        style = self.state.styles.get(style_id)
        if style is None or not style.visible_to(token, self.lifecycle.account(token).identity):
            raise ApiError(404, "Style not found")
        return style

    def _owned(self, token: str, style_id: str) -> StyleRecord:
        style = self.state.styles.get(style_id)
        if style is None or style.owner_token != token:
            raise ApiError(404, "Style not found or you are not the owner")
        return style

    def _shareable(self, token: str, style_id: str) -> StyleRecord:
        style = self._visible(token, style_id)
        if style.owner_token != token:
            raise ApiError(403, "You do not own this style")
        return style

    def list(self, token: str, query: Mapping[str, str], *, base_url: str) -> dict[str, Any]:
        """``GET /styles`` with Krea's filters (see :mod:`..styles` for their meaning)."""
        name = query.get("filter") or "all"
        if name not in STYLE_FILTERS:
            raise ApiError(400, f"filter must be one of {', '.join(STYLE_FILTERS)}.")
        liked_text = (query.get("liked") or "false").lower()
        if liked_text not in ("true", "false"):
            raise ApiError(400, "liked must be true or false.")
        ids = {i.strip() for i in (query.get("ids") or "").split(",") if i.strip()}
        with self.state.lock:
            self.lifecycle.settle(self.state.clock.now())
            identity = self.lifecycle.account(token).identity
            styles = [
                s
                for s in self.state.styles.values()
                if s.visible_to(token, identity) and s.matches_filter(name, token, identity)
            ]
            if liked_text == "true":
                styles = []  # nobody likes anything in the simulator
            if ids:
                styles = [s for s in styles if s.id in ids]
            if query.get("user"):
                styles = [s for s in styles if s.owner and s.owner.id == query["user"]]
            if query.get("model"):
                styles = [s for s in styles if query["model"] in s.models]
            styles.sort(key=lambda s: (s.created_at, s.id), reverse=True)
            return page_of(
                styles,
                lambda s: s.created_at,
                lambda s: s.to_json(base_url),
                cursor=query.get("cursor"),
                limit=query.get("limit"),
            )

    def get(self, token: str, style_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /styles/{id}``: public styles, own styles, styles shared with the workspace."""
        with self.state.lock:
            self.lifecycle.settle(self.state.clock.now())
            return self._visible(token, style_id).to_json(base_url)

    def update(self, token: str, style_id: str, body: Any, *, base_url: str) -> dict[str, Any]:
        """``PATCH /styles/{id}``: ``public``, ``title``, ``urls``, ``cover_url``."""
        errors = validate_against(_UPDATE_SCHEMA, body)
        if errors:
            raise ApiError.invalid(errors)
        changes = {k: v for k, v in body.items() if k in _UPDATE_FIELDS and v is not None}
        with self.state.lock:
            self.lifecycle.settle(self.state.clock.now())
            style = self._owned(token, style_id)
            if not changes:
                raise ApiError(400, "No valid fields to update")
            if "public" in changes:
                style.public = changes["public"]
            if "title" in changes:
                style.title = changes["title"]
            if "urls" in changes:
                style.urls = list(changes["urls"])
            if "cover_url" in changes:
                style.cover_url = changes["cover_url"]
            return style.to_json(base_url)

    def share_link(
        self, token: str, style_id: str, *, base_url: str
    ) -> tuple[dict[str, Any], bool]:
        """``GET /styles/{id}/share/link``: the link, and whether it was made now (201)."""
        with self.state.lock:
            style = self._owned(token, style_id)
            created = style.share_code is None
            if created:
                style.share_code = uuid.uuid4().hex[:12]
            link = f"{style.base_url or base_url}/share/styles/{style.share_code}"
            return {"share_link": link, "is_new": created}, created

    def share(self, token: str, style_id: str) -> dict[str, Any]:
        """``POST /styles/{id}/share/workspace``."""
        with self.state.lock:
            style = self._shareable(token, style_id)
            identity = self.lifecycle.account(token).identity
            style.shared_workspaces.add(identity.workspace_id)
            return {
                "success": True,
                "style_id": style.id,
                "workspace": {
                    "id": identity.workspace_id,
                    "name": identity.workspace_name,
                    "is_default": True,
                },
            }

    def unshare(self, token: str, style_id: str) -> dict[str, Any]:
        """``DELETE /styles/{id}/share/workspace``."""
        with self.state.lock:
            style = self._shareable(token, style_id)
            identity = self.lifecycle.account(token).identity
            if identity.workspace_id not in style.shared_workspaces:
                raise ApiError(404, "Style not shared with this workspace")
            style.shared_workspaces.discard(identity.workspace_id)
            return {"success": True}
