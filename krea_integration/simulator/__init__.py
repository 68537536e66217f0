"""A stateful stand-in for api.krea.ai, for tests (in-process) and the offline demo.

``Simulator(...)`` holds the state; ``sim.transport()`` plugs it into an httpx
client; ``python -m krea_integration.simulator`` serves it over HTTP. See
:mod:`.app` for the HTTP surface, :mod:`.core` for the rules, :mod:`.faults` for
fault injection and :mod:`.webhooks` for webhook knobs.
"""

from .app import CONTROL_PREFIX, Simulator
from .clock import Clock
from .faults import FAULT_HEADER, FaultPlan, SimulatedDisconnect, SimulatedTimeout, parse_faults
from .requestlog import RequestRecord
from .state import ApiError
from .webhooks import WebhookDelivery, WebhookPolicy, WebhookSender, post_webhook

__all__ = [
    "CONTROL_PREFIX",
    "FAULT_HEADER",
    "ApiError",
    "Clock",
    "FaultPlan",
    "RequestRecord",
    "SimulatedDisconnect",
    "SimulatedTimeout",
    "Simulator",
    "WebhookDelivery",
    "WebhookPolicy",
    "WebhookSender",
    "parse_faults",
    "post_webhook",
]
