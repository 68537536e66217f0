"""The simulator's HTTP face: Krea's API, its output files, and a control API.

:class:`Simulator` is what tests and the demo use: the state of
:class:`~.core.SimulatorCore` plus a werkzeug WSGI ``app`` that routes Krea's paths
(generation routes are looked up in the catalogue, so new models need no code),
serves outputs under ``/files/<id>.<ext>``, and offers a control API under
``/_simulator/`` (a prefix Krea never uses).

Every Krea request goes through the same steps: route, authenticate (Bearer token,
401 otherwise), apply faults (``X-Simulator-Fault`` or a queued one), handle,
record in the request log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from typing import Any

import httpx
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.http import http_date
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import media
from .accounts import token_hash
from .core import SimulatorCore
from .faults import (
    FAULT_HEADER,
    FaultPlan,
    InvalidFault,
    SimulatedDisconnect,
    SimulatedTimeout,
    parse_faults,
)
from .requestlog import RequestRecord
from .resources.assets import too_large_message
from .state import ApiError
from .webhooks import WebhookPolicy

__all__ = ["CONTROL_PREFIX", "Simulator", "SimulatorApp"]

CONTROL_PREFIX = "/_simulator"
_UPLOAD_OVERHEAD = 1024 * 1024
_LOGGED_HEADERS = ("x-webhook-url", "x-simulator-fault", "content-type", "user-agent")

Handler = Callable[..., Response]


class _Request(Request):
    # Uploads over the asset limit are refused while reading, not after.
    max_content_length = media.MAX_ASSET_BYTES + _UPLOAD_OVERHEAD
    max_form_memory_size = 1024 * 1024


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    return token or None


def _json_body(request: Request) -> Any:
    data = request.get_data(cache=True)
    if not data.strip():
        raise ApiError(400, "The request body must be a JSON object.")
    try:
        return json.loads(data)
    except ValueError as exc:
        raise ApiError(400, f"Malformed JSON in the request body: {exc}") from None


def _logged_body(request: Request) -> Any:
    if request.mimetype == "multipart/form-data":
        summary: dict[str, Any] = dict(request.form)
        for name, upload in request.files.items():
            upload.stream.seek(0, 2)
            summary[name] = {
                "filename": upload.filename,
                "content_type": upload.content_type,
                "size": upload.stream.tell(),
            }
            upload.stream.seek(0)
        return summary
    data = request.get_data(cache=True)
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data[:2000].decode("utf-8", "replace")


class Simulator(SimulatorCore):
    """A stateful stand-in for api.krea.ai, in-process or as a server.

    Takes the keyword arguments of :class:`~.core.SimulatorCore`. Typical uses::

        sim = Simulator(clock=Clock.manual(), job_seconds=10)
        client = KreaClient("token", transport=sim.transport())
        job = client.generate("image/bfl/flux-1-dev", {"prompt": "a fox"})
        sim.advance(10)          # the job completes, webhooks are sent

    ``Simulator(job_seconds=0)`` completes jobs as soon as they are read back.
    """

    @cached_property
    def app(self) -> SimulatorApp:
        """The WSGI application."""
        return SimulatorApp(self)

    def transport(self) -> httpx.WSGITransport:
        """An httpx transport that calls the simulator in-process, without sockets."""
        return httpx.WSGITransport(app=self.app)


@cache
def _url_map() -> Map:
    """Krea's routes and the control API's, the same for every simulator. werkzeug turns
    each rule into Python code as it is added, about 25 ms for the whole map, and a test
    makes a simulator of its own: the map is made once per process and shared."""
    rules = [
        Rule("/generate/<path:model>", methods=["POST"], endpoint="generate"),
        Rule("/jobs", methods=["GET"], endpoint="list_jobs"),
        Rule("/jobs/<job_id>", methods=["GET"], endpoint="get_job"),
        Rule("/jobs/<job_id>", methods=["DELETE"], endpoint="cancel_job"),
        Rule("/assets", methods=["POST"], endpoint="upload_asset"),
        Rule("/assets", methods=["GET"], endpoint="list_assets"),
        Rule("/assets/<asset_id>", methods=["GET"], endpoint="get_asset"),
        Rule("/assets/<asset_id>", methods=["DELETE"], endpoint="delete_asset"),
        Rule("/styles/train", methods=["POST"], endpoint="train_style"),
        Rule("/styles", methods=["GET"], endpoint="list_styles"),
        Rule("/styles/<style_id>", methods=["GET"], endpoint="get_style"),
        Rule("/styles/<style_id>", methods=["PATCH"], endpoint="update_style"),
        Rule("/styles/<style_id>/share/link", methods=["GET"], endpoint="style_share_link"),
        Rule("/styles/<style_id>/share/workspace", methods=["POST"], endpoint="share_style"),
        Rule("/styles/<style_id>/share/workspace", methods=["DELETE"], endpoint="unshare_style"),
        Rule("/node-apps/<app_id>", methods=["GET"], endpoint="get_node_app"),
        Rule("/node-apps/<app_id>/execute", methods=["POST"], endpoint="execute_node_app"),
        Rule("/files/<name>", methods=["GET"], endpoint="file"),
        *ControlApi.rules(),
    ]
    return Map(rules, strict_slashes=False, merge_slashes=False)


class SimulatorApp:
    """The WSGI application of a :class:`Simulator`."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        api: dict[str, Handler] = {
            "generate": self.generate,
            "list_jobs": self.list_jobs,
            "get_job": self.get_job,
            "cancel_job": self.cancel_job,
            "upload_asset": self.upload_asset,
            "list_assets": self.list_assets,
            "get_asset": self.get_asset,
            "delete_asset": self.delete_asset,
            "train_style": self.train_style,
            "list_styles": self.list_styles,
            "get_style": self.get_style,
            "update_style": self.update_style,
            "style_share_link": self.style_share_link,
            "share_style": self.share_style,
            "unshare_style": self.unshare_style,
            "get_node_app": self.get_node_app,
            "execute_node_app": self.execute_node_app,
        }
        control = ControlApi(sim)
        self.api_handlers = api
        self.other_handlers: dict[str, Handler] = {"file": self.file, **control.handlers()}
        self.url_map = _url_map()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = _Request(environ)
        response = self.dispatch(request)
        # Krea's answers carry its clock (clients read it to correct for skew): the
        # simulator's clock, not the host's (werkzeug's server adds the host's if unset).
        response.headers["Date"] = http_date(self.sim.now())
        return response(environ, start_response)

    def base_url(self, request: Request) -> str:
        """Where this request reached the simulator (or the configured public URL)."""
        reached = request.root_url.rstrip("/")
        self.sim.files.add_own_origin(reached)
        return self.sim.public_base_url or reached

    def dispatch(self, request: Request) -> Response:
        """Route one request and answer it (raising only for simulated network faults)."""
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            return _error(404, "Not found")
        except MethodNotAllowed:
            return _error(405, "Method not allowed")
        except HTTPException as exc:
            return exc.get_response(request.environ)
        if endpoint in self.other_handlers:
            try:
                return self.other_handlers[endpoint](request, **args)
            except ApiError as exc:
                return _error(exc.status, exc.message)
        return self.api_call(request, self.api_handlers[endpoint], args)

    def api_call(self, request: Request, handler: Handler, args: dict[str, Any]) -> Response:
        """Authenticate, apply faults, handle and log one Krea API request."""
        token = _bearer(request)
        record = RequestRecord(
            at=self.sim.now(),
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            token_hash=token_hash(token) if token else None,
            body=None,
            status=None,
            headers={k: v for k, v in request.headers.items() if k.lower() in _LOGGED_HEADERS},
        )
        try:
            response = self._handle(request, handler, args, token, record)
        finally:
            self.sim.record_request(record)
        return response

    def _handle(
        self,
        request: Request,
        handler: Handler,
        args: dict[str, Any],
        token: str | None,
        record: RequestRecord,
    ) -> Response:
        if token is None or not self.sim.token_allowed(token):
            record.body = self._safe_body(request)
            record.status = 401
            message = (
                "Missing or malformed Authorization header: send 'Authorization: Bearer <token>'."
                if token is None
                else "Invalid API token."
            )
            return _error(401, message)
        header = request.headers.get(FAULT_HEADER)
        try:
            plan = parse_faults(header) if header else None
        except InvalidFault as exc:
            record.status = 400
            return _error(400, f"Invalid {FAULT_HEADER} header: {exc}")
        if plan is None:
            plan = self.sim.take_fault(token, request.method, request.path)
        plan = plan or FaultPlan()
        record.fault = plan.source or None
        if plan.timeout_seconds is not None:
            record.body = self._safe_body(request)
            raise SimulatedTimeout(plan.timeout_seconds)
        if plan.slow_seconds:
            time.sleep(plan.slow_seconds)
        if plan.status is not None:
            record.body = self._safe_body(request)
            record.status = plan.status
            return _error(plan.status, f"Simulated error {plan.status}")
        try:
            response = handler(request, token=token, faults=plan, **args)
        except ApiError as exc:
            response = _error(exc.status, exc.message)
        record.body = self._safe_body(request)
        record.status = response.status_code
        if plan.lost_response == "drop":
            raise SimulatedDisconnect()
        if plan.lost_response == "502":
            return _error(502, "Bad gateway")
        return response

    def _safe_body(self, request: Request) -> Any:
        try:
            return _logged_body(request)
        except (RequestEntityTooLarge, ValueError):
            return None

    # -- Krea's operations ----------------------------------------------------------

    def generate(self, request: Request, *, token: str, faults: FaultPlan, model: str) -> Response:
        body = self.sim.jobs.generate(
            token,
            model,
            _json_body(request),
            base_url=self.base_url(request),
            webhook_url=request.headers.get("X-Webhook-URL"),
            faults=faults,
        )
        return _json(body)

    def list_jobs(self, request: Request, *, token: str, faults: FaultPlan) -> Response:
        args = request.args
        return _json(
            self.sim.jobs.list(
                token,
                cursor=args.get("cursor"),
                limit=args.get("limit"),
                types=args.get("types"),
                status=args.get("status"),
            )
        )

    def get_job(self, request: Request, *, token: str, faults: FaultPlan, job_id: str) -> Response:
        return _json(self.sim.jobs.get(token, job_id))

    def cancel_job(
        self, request: Request, *, token: str, faults: FaultPlan, job_id: str
    ) -> Response:
        return _json(self.sim.jobs.cancel(token, job_id, faults=faults))

    def upload_asset(self, request: Request, *, token: str, faults: FaultPlan) -> Response:
        if request.mimetype != "multipart/form-data":
            raise ApiError(400, "Upload the file as multipart/form-data, in a field named file.")
        try:
            upload = request.files.get("file")
            description = request.form.get("description")
        except RequestEntityTooLarge:
            raise ApiError(400, too_large_message()) from None
        if upload is None:
            raise ApiError(400, "file is required.")
        data = upload.stream.read(media.MAX_ASSET_BYTES + 1)
        upload.stream.seek(0)
        if len(data) > media.MAX_ASSET_BYTES:
            raise ApiError(400, too_large_message())
        body = self.sim.assets.create(
            token, data, description=description, base_url=self.base_url(request)
        )
        return _json(body)

    def list_assets(self, request: Request, *, token: str, faults: FaultPlan) -> Response:
        args = request.args
        return _json(
            self.sim.assets.list(token, cursor=args.get("cursor"), limit=args.get("limit"))
        )

    def get_asset(
        self, request: Request, *, token: str, faults: FaultPlan, asset_id: str
    ) -> Response:
        return _json(self.sim.assets.get(token, asset_id))

    def delete_asset(
        self, request: Request, *, token: str, faults: FaultPlan, asset_id: str
    ) -> Response:
        return _json(self.sim.assets.delete(token, asset_id))

    def train_style(self, request: Request, *, token: str, faults: FaultPlan) -> Response:
        body = self.sim.styles.train(
            token,
            _json_body(request),
            base_url=self.base_url(request),
            webhook_url=request.headers.get("X-Webhook-URL"),
            faults=faults,
        )
        return _json(body)

    def list_styles(self, request: Request, *, token: str, faults: FaultPlan) -> Response:
        return _json(
            self.sim.styles.list(token, request.args.to_dict(), base_url=self.base_url(request))
        )

    def get_style(
        self, request: Request, *, token: str, faults: FaultPlan, style_id: str
    ) -> Response:
        return _json(self.sim.styles.get(token, style_id, base_url=self.base_url(request)))

    def update_style(
        self, request: Request, *, token: str, faults: FaultPlan, style_id: str
    ) -> Response:
        body = _json_body(request)
        return _json(self.sim.styles.update(token, style_id, body, base_url=self.base_url(request)))

    def style_share_link(
        self, request: Request, *, token: str, faults: FaultPlan, style_id: str
    ) -> Response:
        body, created = self.sim.styles.share_link(token, style_id, base_url=self.base_url(request))
        return _json(body, 201 if created else 200)

    def share_style(
        self, request: Request, *, token: str, faults: FaultPlan, style_id: str
    ) -> Response:
        return _json(self.sim.styles.share(token, style_id))

    def unshare_style(
        self, request: Request, *, token: str, faults: FaultPlan, style_id: str
    ) -> Response:
        return _json(self.sim.styles.unshare(token, style_id))

    def get_node_app(
        self, request: Request, *, token: str, faults: FaultPlan, app_id: str
    ) -> Response:
        return _json(self.sim.node_apps.get(app_id, base_url=self.base_url(request)))

    def execute_node_app(
        self, request: Request, *, token: str, faults: FaultPlan, app_id: str
    ) -> Response:
        body = self.sim.node_apps.execute(
            token, app_id, _json_body(request), base_url=self.base_url(request), faults=faults
        )
        return _json(body)

    # -- files ----------------------------------------------------------------------

    def file(self, request: Request, name: str) -> Response:
        """``GET /files/<id>.<ext>``: an output or an asset, like Krea's CDN (no auth)."""
        file_id, _, ext = name.partition(".")
        try:
            found = self.sim.file_bytes(file_id, ext or None)
        except (httpx.HTTPError, OSError, ValueError, LookupError) as exc:
            return _error(502, f"Could not produce the file: {exc}")
        if found is None:
            return _error(404, "File not found")
        data, content_type = found
        response = Response(data, mimetype=content_type)
        response.headers["Cache-Control"] = "public, max-age=86400, immutable"
        return response


class ControlApi:
    """``/_simulator/...``: steer a running simulator (no auth; a local test tool).

    ``GET /_simulator`` status; ``POST /_simulator/reset``; ``POST /_simulator/advance``
    ``{"seconds": n}``; ``POST /_simulator/tick``; ``GET|POST /_simulator/accounts``
    (``{"token", "credits", "concurrency_limit", "backlog_cap", "workspace",
    "webhook_policy", "cancel_mode"}``); ``GET|POST|DELETE /_simulator/faults``
    (``{"fault", "token", "times", "method", "path"}``); ``POST /_simulator/webhooks/policy``
    (``{"token", "duplicate", "delay", "reorder", "drop"}``); ``GET /_simulator/webhooks``;
    ``GET /_simulator/requests``.
    """

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    @staticmethod
    def rules() -> list[Rule]:
        """The control routes."""
        p = CONTROL_PREFIX
        return [
            Rule(p, methods=["GET"], endpoint="control_status"),
            Rule(f"{p}/reset", methods=["POST"], endpoint="control_reset"),
            Rule(f"{p}/advance", methods=["POST"], endpoint="control_advance"),
            Rule(f"{p}/tick", methods=["POST"], endpoint="control_tick"),
            Rule(f"{p}/accounts", methods=["GET"], endpoint="control_accounts"),
            Rule(f"{p}/accounts", methods=["POST"], endpoint="control_configure_account"),
            Rule(f"{p}/faults", methods=["GET"], endpoint="control_faults"),
            Rule(f"{p}/faults", methods=["POST"], endpoint="control_queue_fault"),
            Rule(f"{p}/faults", methods=["DELETE"], endpoint="control_clear_faults"),
            Rule(f"{p}/webhooks", methods=["GET"], endpoint="control_webhooks"),
            Rule(f"{p}/webhooks/policy", methods=["POST"], endpoint="control_webhook_policy"),
            Rule(f"{p}/requests", methods=["GET"], endpoint="control_requests"),
        ]

    def handlers(self) -> dict[str, Handler]:
        """Endpoint name -> handler."""
        return {
            "control_status": self.status,
            "control_reset": self.reset,
            "control_advance": self.advance,
            "control_tick": self.tick,
            "control_accounts": self.accounts,
            "control_configure_account": self.configure_account,
            "control_faults": self.faults,
            "control_queue_fault": self.queue_fault,
            "control_clear_faults": self.clear_faults,
            "control_webhooks": self.webhooks,
            "control_webhook_policy": self.webhook_policy,
            "control_requests": self.requests,
        }

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        data = request.get_data(cache=True)
        if not data.strip():
            return {}
        try:
            body = json.loads(data)
        except ValueError:
            raise ApiError(400, "The control API takes a JSON object.") from None
        if not isinstance(body, dict):
            raise ApiError(400, "The control API takes a JSON object.")
        return body

    def status(self, request: Request) -> Response:
        sim = self.sim
        return _json(
            {
                "simulator": "krea",
                "now": sim.now().isoformat(),
                "manual_clock": sim.clock.is_manual,
                "job_seconds": sim.durations,
                "accounts": len(sim.accounts()),
                "queued_faults": len(sim.queued_faults()),
                "webhook_policy": sim.default_webhook_policy.to_json(),
            }
        )

    def reset(self, request: Request) -> Response:
        self.sim.reset()
        return _json({"reset": True})

    def advance(self, request: Request) -> Response:
        seconds = self._body(request).get("seconds", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ApiError(400, "seconds must be a non-negative number.")
        delivered = self.sim.advance(seconds)
        return _json(
            {"now": self.sim.now().isoformat(), "webhooks": [d.to_json() for d in delivered]}
        )

    def tick(self, request: Request) -> Response:
        delivered = self.sim.tick()
        return _json(
            {"now": self.sim.now().isoformat(), "webhooks": [d.to_json() for d in delivered]}
        )

    def accounts(self, request: Request) -> Response:
        return _json({"items": [self.sim.account_json(a) for a in self.sim.accounts()]})

    def configure_account(self, request: Request) -> Response:
        body = self._body(request)
        token = body.get("token")
        if not isinstance(token, str) or not token:
            raise ApiError(400, "token is required.")
        try:
            credits = None if body.get("credits") is None else Decimal(str(body["credits"]))
            policy = body.get("webhook_policy")
            account = self.sim.configure_account(
                token,
                credits=credits,
                concurrency_limit=body.get("concurrency_limit"),
                backlog_cap=body.get("backlog_cap"),
                workspace=body.get("workspace"),
                webhook_policy=WebhookPolicy(**policy) if isinstance(policy, dict) else None,
                cancel_mode=body.get("cancel_mode"),
            )
        except (InvalidOperation, TypeError, ValueError) as exc:
            raise ApiError(400, str(exc)) from None
        return _json(self.sim.account_json(account))

    def faults(self, request: Request) -> Response:
        return _json({"items": [f.to_json() for f in self.sim.queued_faults()]})

    def queue_fault(self, request: Request) -> Response:
        body = self._body(request)
        try:
            queued = self.sim.queue_fault(
                str(body.get("fault", "")),
                token=body.get("token"),
                times=int(body.get("times", 1)),
                method=body.get("method"),
                path=body.get("path"),
            )
        except (InvalidFault, TypeError, ValueError) as exc:
            raise ApiError(400, str(exc)) from None
        return _json(queued.to_json(), 201)

    def clear_faults(self, request: Request) -> Response:
        self.sim.clear_faults()
        return _json({"cleared": True})

    def webhooks(self, request: Request) -> Response:
        return _json({"items": [d.to_json() for d in self.sim.webhooks]})

    def webhook_policy(self, request: Request) -> Response:
        body = self._body(request)
        token = body.pop("token", None)
        try:
            policy = self.sim.set_webhook_policy(token=token, **body)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, str(exc)) from None
        return _json(policy.to_json())

    def requests(self, request: Request) -> Response:
        records = self.sim.requests
        wanted = request.args.get("token_hash")
        if wanted:
            records = [r for r in records if r.token_hash == wanted]
        return _json({"items": [r.to_json() for r in records]})
