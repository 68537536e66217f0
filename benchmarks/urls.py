"""The portal's URLs plus two floors: a bare template view and a no-op DRF POST."""

from django.urls import path
from django.views.generic import TemplateView
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.response import Response

from studio.urls import urlpatterns as studio_urlpatterns


@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])  # like the webhook endpoint: Krea's callbacks are not rate-limited
def noop(request):
    return Response({"received": True}, status=202)


urlpatterns = [
    path("bench/static/", TemplateView.as_view(template_name="benchmarks/static.html")),
    path("bench/noop/", noop),
    *studio_urlpatterns,
]
