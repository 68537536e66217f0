"""Node apps: ``GET /node-apps/{id}`` and ``POST /node-apps/{id}/execute``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ...catalogue import validate_against
from ..faults import FaultPlan
from ..inputs import InputChecker, InputProblem, uri_inputs
from ..jobs import JobRecord
from ..lifecycle import JobLifecycle
from ..nodeapps import NodeAppSample, find_node_app
from ..outputs import Recipe, image_size
from ..state import ApiError, SimulatorState
from .jobs import preview_of, seed_for

__all__ = ["NodeAppsHandler"]


class NodeAppsHandler:
    """Serves the sample node apps and runs them as jobs (kind ``node-app``)."""

    def __init__(
        self, state: SimulatorState, lifecycle: JobLifecycle, inputs: InputChecker
    ) -> None:
        self.state = state
        self.lifecycle = lifecycle
        self.inputs = inputs

    def get(self, app_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /node-apps/{id}``."""
        app = find_node_app(app_id)
        if app is None:
            raise ApiError(404, "Node app not found")
        return app.to_json(base_url)

    def execute(
        self,
        token: str,
        app_id: str,
        body: Any,
        *,
        base_url: str,
        faults: FaultPlan | None = None,
    ) -> list[dict[str, Any]]:
        """``POST /node-apps/{id}/execute``: validate inputs, start the app's jobs."""
        app = find_node_app(app_id)
        if app is None:
            raise ApiError(404, "Node app version not found")
        errors = validate_against(app.input_schema, body)
        if errors:
            raise ApiError.invalid(errors)
        inputs = {
            name: prop["default"]
            for name, prop in app.input_schema["properties"].items()
            if "default" in prop
        }
        inputs.update(body)
        source_ext = "png"
        if app.mode == "upscale":
            source_ext, problem = self.inputs.check_enhanceable(inputs["image_url"])
        else:
            problem = self.inputs.check_all(list(uri_inputs(app.input_schema, inputs)))
        count = 1 if app.mode == "upscale" else int(inputs.get("variations", 1))
        costs = [self.state.default_cost] * count
        state = self.state
        with state.lock:
            now = state.clock.now()
            self.lifecycle.settle(now)
            starts = self.lifecycle.admit(token, costs)
            jobs = []
            for index, start in enumerate(starts):
                job = JobRecord(
                    id=str(uuid.uuid4()),
                    token=token,
                    kind="node-app",
                    job_type="nodeApp",
                    model_id=app.slug,
                    params=dict(inputs),
                    cost=costs[index],
                    created_at=state.stamp(now),
                    duration=state.durations["node-app"],
                    base_url=base_url,
                )
                self._plan_outputs(job, app, inputs, index, source_ext, problem)
                self.lifecycle.apply_faults(job, faults)
                self.lifecycle.add(job, start, now)
                jobs.append(job)
            return [job.to_json(now) for job in jobs]

    def _plan_outputs(
        self,
        job: JobRecord,
        app: NodeAppSample,
        inputs: Mapping[str, Any],
        index: int,
        source_ext: str,
        problem: InputProblem | None,
    ) -> None:
        new_file = self.state.new_file
        if problem is not None:
            self.lifecycle.fail_with(job, problem.message)
        if app.mode == "upscale":
            recipe = Recipe(
                "upscale",
                source_ext,
                source_url=str(inputs["image_url"]),
                factor=float(inputs["scale"]),
            )
            job.outputs = [new_file("job", job.id, recipe)]
            return
        width, height = image_size({"aspect_ratio": inputs.get("aspect_ratio", "1:1")})
        recipe = Recipe(
            "image",
            "png",
            prompt=f"{inputs['prompt']} ({inputs.get('background', 'studio')} background)",
            seed=seed_for({}, job.id) + index,
            width=width,
            height=height,
        )
        job.outputs = [new_file("job", job.id, recipe)]
        job.previews = [new_file("job", job.id, preview_of(recipe), preview=True)]
