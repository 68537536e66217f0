"""Krea's callbacks: ``POST /api/webhooks/krea/<job uuid>/<secret>/``.

Krea does not sign webhooks, so the URL carries a per-job secret (checked in
constant time) and the body is only a hint. The view answers at once; a task
confirms the job's state with ``GET /jobs/{id}``.
"""

from uuid import UUID

from django.http import Http404
from rest_framework import status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from studio.generation.services import webhook_accept


class LenientJSONParser(JSONParser):
    """Krea's body is a hint only: an unreadable one, or one of another content type,
    must not stop the confirmation (the secret in the URL is what counts)."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except Exception:
            return {}


@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
@parser_classes([LenientJSONParser])
def krea_webhook(request: Request, job_uuid: UUID, secret: str) -> Response:
    if not webhook_accept(job_uuid=job_uuid, secret=secret, payload=request.data):
        raise Http404
    return Response({"received": True}, status=status.HTTP_202_ACCEPTED)
