"""Webhook secrets never reach a log.

Krea does not sign webhooks, so each job's callback URL carries a secret
(``/api/webhooks/krea/<job uuid>/<secret>/``): whoever reads it can move the job.
Request logs print URLs, so every log the project configures redacts that segment,
keeping the job's uuid: Django's loggers (``LOGGING`` in settings: runserver's
``django.server``, ``django.request``'s 4xx warnings, everything else on the console)
and gunicorn's access and error logs (``GunicornLogger``, named in the Dockerfile).

No Django import here: gunicorn loads this module before Django is set up.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as _GunicornBaseLogger

REDACTED = "[redacted]"
# The secret is the path segment after the job's; it stops at "/", "?", "#", a space or a quote.
_WEBHOOK_SECRET = re.compile(r"(/webhooks/krea/[^/\s?#]*/)[^/\s?#\"']+")


def redact(text: str) -> str:
    """``text`` with the secret of every webhook URL in it replaced by ``[redacted]``."""
    if "/webhooks/krea/" not in text:
        return text
    return _WEBHOOK_SECRET.sub(rf"\g<1>{REDACTED}", text)


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactWebhookSecrets(logging.Filter):
    """Redacts webhook secrets from a record's message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            # In place: gunicorn's access log passes a dict subclass that answers "-" for
            # missing atoms, which a plain dict would lose.
            for key, value in record.args.items():
                record.args[key] = _redacted(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        return True


class GunicornLogger(_GunicornBaseLogger):
    """gunicorn's logger, redacting webhook secrets from its access and error logs
    (``gunicorn --logger-class studio.log_redaction.GunicornLogger``)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(RedactWebhookSecrets())
